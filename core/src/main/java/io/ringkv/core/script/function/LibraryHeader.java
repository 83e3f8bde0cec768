package io.ringkv.core.script.function;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.ringkv.core.codec.InlineSplitter;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A library's first line, {@code #!<engine> name=<library>}, parsed as Redis 7.0's functionExtractLibMetaData
 * does: the line is split with Redis's quoting rules (the inline-command splitter), the engine is what follows
 * "#!", and "name=" (any case) is the only option. The code handed to the engine starts at the line's newline, so
 * that Lua's line numbers match the library's. Immutable; any thread.
 *
 * @param engine     the engine name as written (e.g. "lua").
 * @param name       the library name as written (not yet checked: {@link #isValidName}).
 * @param bodyOffset index of the newline that ends the first line.
 */
public record LibraryHeader(String engine, String name, int bodyOffset)
{
    /**
     * Parse a library's code.
     *
     * @param code the whole library, as FUNCTION LOAD received it.
     * @return its header.
     * @throws FunctionException with Redis's text when the first line is not a valid header.
     */
    public static LibraryHeader parse(final byte[] code) throws FunctionException
    {
        if (code.length < 2 || code[0] != '#' || code[1] != '!')
        {
            throw new FunctionException("Missing library metadata");
        }
        int newline = -1;
        for (int i = 0; i < code.length && code[i] != 0; i++) // strchr: a NUL ends the C string
        {
            if (code[i] == '\n')
            {
                newline = i;
                break;
            }
        }
        if (newline < 0)
        {
            throw new FunctionException("Invalid library metadata");
        }
        final List<String> parts = split(code, newline);
        if (null == parts || parts.isEmpty())
        {
            throw new FunctionException("Invalid library metadata");
        }
        final String first = parts.get(0);
        final String engine = first.length() > 2 ? first.substring(2) : "";
        String name = null;
        for (int i = 1; i < parts.size(); i++)
        {
            final String part = parts.get(i);
            if (part.length() >= 5 && part.substring(0, 5).toLowerCase(Locale.ROOT).equals("name="))
            {
                if (null != name)
                {
                    throw new FunctionException("Invalid metadata value, name argument was given multiple times");
                }
                name = part.substring(5);
                continue;
            }
            throw new FunctionException("Invalid metadata value given: " + part);
        }
        if (null == name)
        {
            throw new FunctionException("Library name was not given");
        }
        return new LibraryHeader(engine, name, newline);
    }

    /**
     * Redis's functionsVerifyName: letters, digits and underscores, at least one.
     *
     * @param name a library or function name.
     * @return true when Redis accepts it.
     */
    public static boolean isValidName(final String name)
    {
        if (name.isEmpty())
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '_')
            {
                return false;
            }
        }
        return true;
    }

    private static List<String> split(final byte[] code, final int lineLength)
    {
        final byte[] line = java.util.Arrays.copyOf(code, lineLength);
        final UnsafeBuffer buffer = new UnsafeBuffer(line);
        final List<int[]> slices = new ArrayList<>();
        final int count = InlineSplitter.split(buffer, 0, lineLength, new InlineSplitter.Sink()
        {
            public void addArg(final int offset, final int length)
            {
                slices.add(new int[]{offset, length});
            }

            public void abandonRequest()
            {
                slices.clear();
            }
        });
        if (count < 0)
        {
            return null;
        }
        final List<String> parts = new ArrayList<>(slices.size());
        for (final int[] slice : slices)
        {
            parts.add(new String(line, slice[0], slice[1], StandardCharsets.ISO_8859_1));
        }
        return parts;
    }
}
