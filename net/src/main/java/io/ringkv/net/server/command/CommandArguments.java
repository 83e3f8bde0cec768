package io.ringkv.net.server.command;

import io.ringkv.core.codec.JsonObjectCursor;
import io.ringkv.core.codec.JsonScanner;
import io.ringkv.core.command.Reply;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "arguments" part of COMMAND DOCS, from which redis-cli builds its hints: Redis 7.0.15's argument trees for the
 * commands ringkv has, read from {@code command-arguments.txt} (one command a line: name, tab, JSON) and written in
 * Redis's reply shape (maps of name, type, token, flags..., "flags" as a set of status strings).
 * <p>
 * Immutable after loading; any thread may read it, the engine thread writes replies from it.
 */
final class CommandArguments
{
    private static final String RESOURCE = "command-arguments.txt";

    private final Map<String, List<Object>> arguments;

    private CommandArguments(final Map<String, List<Object>> arguments)
    {
        this.arguments = arguments;
    }

    /**
     * @return the argument trees read from the class path.
     * @throws UncheckedIOException when the resource is missing or malformed (a packaging bug).
     */
    @SuppressWarnings("unchecked")
    static CommandArguments load()
    {
        final Map<String, List<Object>> arguments = new HashMap<>();
        try
        {
            for (final String line : ResourceLines.read(CommandArguments.class, RESOURCE))
            {
                final int tab = line.indexOf('\t');
                final Object value = tab <= 0 ? null : parseTree(line.substring(tab + 1));
                if (!(value instanceof List))
                {
                    throw new IOException("malformed arguments line: " + line);
                }
                arguments.put(line.substring(0, tab), (List<Object>)value);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new UncheckedIOException(ex instanceof IOException io ? io : new IOException(ex));
        }
        return new CommandArguments(Collections.unmodifiableMap(arguments));
    }

    /**
     * @param name lower-case command name ("parent|sub" for a subcommand).
     * @return true when the command has documented arguments.
     */
    boolean has(final String name)
    {
        return arguments.containsKey(name);
    }

    /**
     * Write the command's argument array.
     *
     * @param name  lower-case command name; must satisfy {@link #has(String)}.
     * @param reply sink.
     */
    void write(final String name, final Reply reply)
    {
        write(arguments.get(name), null, reply);
    }

    @SuppressWarnings("unchecked")
    private static void write(final Object value, final String key, final Reply reply)
    {
        if (value instanceof Map<?, ?> map)
        {
            reply.mapHeader(map.size());
            for (final Map.Entry<String, Object> entry : ((Map<String, Object>)map).entrySet())
            {
                reply.bulk(entry.getKey().getBytes(StandardCharsets.UTF_8));
                write(entry.getValue(), entry.getKey(), reply);
            }
        }
        else if (value instanceof List<?> list)
        {
            final boolean flags = "flags".equals(key);
            if (flags)
            {
                reply.setHeader(list.size());
            }
            else
            {
                reply.arrayHeader(list.size());
            }
            for (final Object element : list)
            {
                if (flags)
                {
                    reply.simpleString(((String)element).getBytes(StandardCharsets.US_ASCII));
                }
                else
                {
                    write(element, null, reply);
                }
            }
        }
        else if (value instanceof Long number)
        {
            reply.integer(number);
        }
        else
        {
            reply.bulk(((String)value).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Read a JSON value into maps (insertion-ordered), lists, strings and longs: startup only, so it may allocate.
     * The one JSON reader, {@link JsonScanner}, validates; this only builds the tree.
     *
     * @return the tree; null when the text is not one JSON value.
     * @throws IllegalArgumentException for a value of another kind (true, false, null, a fraction).
     */
    static Object parseTree(final String text)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
        final JsonScanner scanner = new JsonScanner();
        scanner.wrap(buffer, 0);
        final int start = scanner.skipWhitespace(0, buffer.capacity());
        final int end = scanner.skipValue(start, buffer.capacity(), 0);
        if (end < 0 || scanner.skipWhitespace(end, buffer.capacity()) != buffer.capacity())
        {
            return null;
        }
        return tree(scanner, buffer, start, end, new ExpandableArrayBuffer(64));
    }

    private static Object tree(
        final JsonScanner scanner, final UnsafeBuffer buffer, final int start, final int end,
        final ExpandableArrayBuffer scratch)
    {
        switch (buffer.getByte(start))
        {
            case '{' ->
            {
                final Map<String, Object> map = new LinkedHashMap<>();
                final JsonObjectCursor cursor = new JsonObjectCursor();
                cursor.wrap(buffer, start, end);
                while (cursor.next())
                {
                    final String name = string(scanner, cursor.nameStart() - 1, scratch);
                    map.put(name, tree(scanner, buffer, cursor.valueStart(), cursor.valueEnd(), scratch));
                }
                return map;
            }
            case '[' ->
            {
                final List<Object> list = new ArrayList<>();
                int p = scanner.skipWhitespace(start + 1, end);
                while (buffer.getByte(p) != ']')
                {
                    final int elementEnd = scanner.skipValue(p, end, 1);
                    list.add(tree(scanner, buffer, p, elementEnd, scratch));
                    p = scanner.skipWhitespace(elementEnd, end);
                    if (buffer.getByte(p) == ',')
                    {
                        p = scanner.skipWhitespace(p + 1, end);
                    }
                }
                return list;
            }
            case '"' ->
            {
                return string(scanner, start, scratch);
            }
            default ->
            {
                if (!scanner.parseLong(start, end))
                {
                    throw new IllegalArgumentException("not an object, array, string or integer at byte " + start);
                }
                return scanner.longValue();
            }
        }
    }

    private static String string(final JsonScanner scanner, final int quoteIndex, final ExpandableArrayBuffer scratch)
    {
        final int length = scanner.decodeString(quoteIndex, scratch, 0);
        return scratch.getStringWithoutLengthUtf8(0, length);
    }
}
