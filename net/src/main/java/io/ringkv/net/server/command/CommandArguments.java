package io.ringkv.net.server.command;

import io.ringkv.core.command.Reply;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
        try (InputStream in = CommandArguments.class.getResourceAsStream(RESOURCE))
        {
            if (null == in)
            {
                throw new IOException("resource " + RESOURCE + " not found");
            }
            final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null)
            {
                if (line.isEmpty() || line.startsWith("#"))
                {
                    continue;
                }
                final int tab = line.indexOf('\t');
                final TinyJson json = new TinyJson(line, tab + 1);
                final Object value = json.value();
                if (tab <= 0 || !(value instanceof List) || !json.atEnd())
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

    /** Just enough JSON for the resource: objects, arrays, strings with simple escapes, integers. */
    private static final class TinyJson
    {
        private final String text;
        private int position;

        TinyJson(final String text, final int position)
        {
            this.text = text;
            this.position = position;
        }

        boolean atEnd()
        {
            return position == text.length();
        }

        Object value()
        {
            final char c = text.charAt(position);
            if (c == '{')
            {
                final Map<String, Object> map = new LinkedHashMap<>();
                position++;
                while (text.charAt(position) != '}')
                {
                    final String name = string();
                    expect(':');
                    map.put(name, value());
                    if (text.charAt(position) == ',')
                    {
                        position++;
                    }
                }
                position++;
                return map;
            }
            if (c == '[')
            {
                final List<Object> list = new ArrayList<>();
                position++;
                while (text.charAt(position) != ']')
                {
                    list.add(value());
                    if (text.charAt(position) == ',')
                    {
                        position++;
                    }
                }
                position++;
                return list;
            }
            if (c == '"')
            {
                return string();
            }
            final int start = position;
            while (position < text.length() &&
                (text.charAt(position) == '-' || Character.isDigit(text.charAt(position))))
            {
                position++;
            }
            return Long.parseLong(text.substring(start, position));
        }

        private String string()
        {
            expect('"');
            final StringBuilder value = new StringBuilder();
            char c;
            while ((c = text.charAt(position++)) != '"')
            {
                if (c == '\\')
                {
                    final char escaped = text.charAt(position++);
                    switch (escaped)
                    {
                        case 'n' -> value.append('\n');
                        case 't' -> value.append('\t');
                        case 'u' ->
                        {
                            value.append((char)Integer.parseInt(text.substring(position, position + 4), 16));
                            position += 4;
                        }
                        default -> value.append(escaped);
                    }
                }
                else
                {
                    value.append(c);
                }
            }
            return value.toString();
        }

        private void expect(final char c)
        {
            if (text.charAt(position++) != c)
            {
                throw new IllegalArgumentException("expected '" + c + "' at " + (position - 1));
            }
        }
    }
}
