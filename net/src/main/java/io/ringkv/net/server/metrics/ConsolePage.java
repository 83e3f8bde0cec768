package io.ringkv.net.server.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The live console served at {@code /} of the metrics endpoint: one self-contained HTML page
 * ({@code console.html}: inline script and SVG, nothing fetched from elsewhere) that polls {@code /console.json}
 * once a second and draws throughput per command, latency by percentile, hit ratio, memory, clients, replication
 * and the slow log. The JSON is the raw material, left to the page to interpret:
 * <pre>
 *   {"nowMs": 1733300000000,
 *    "info": "# Server\r\nredis_version:7.0.15\r\n...",        INFO server ... keyspace ringkv-latencycurve
 *    "slowlog": [[id, unixSeconds, micros, ["GET","k"], "127.0.0.1:5000", "name"], ...]}   SLOWLOG GET 32
 * </pre>
 * Stateless; any thread.
 */
final class ConsolePage
{
    /** The page runs its own inline script and styles and talks only to its own origin. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; " +
        "style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

    private static final String PAGE = load();

    private ConsolePage()
    {
    }

    /**
     * @return the page.
     */
    static String html()
    {
        return PAGE;
    }

    /**
     * @param nowMs   when the figures were read.
     * @param info    INFO's text.
     * @param slowlog SLOWLOG GET's RESP2 reply.
     * @return the console's JSON.
     */
    static String data(final long nowMs, final String info, final byte[] slowlog)
    {
        final StringBuilder json = new StringBuilder(info.length() + 4096);
        json.append("{\"nowMs\":").append(nowMs).append(",\"info\":");
        string(json, info);
        json.append(",\"slowlog\":");
        new RespToJson(slowlog, json).value();
        return json.append('}').toString();
    }

    /**
     * Appends {@code text} as a JSON string; each char is one byte of the original (ISO-8859-1) or UTF-16 text.
     * Not {@code JsonString.escape}: that one needs valid UTF-8, and slow log arguments are any bytes; here every
     * byte outside printable ASCII (and {@code < > &}, for a page) becomes a <code>&#92;u00XX</code> escape.
     */
    static void string(final StringBuilder json, final CharSequence text)
    {
        json.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default ->
                {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c > 0x7e)
                    {
                        json.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** Turns one RESP2 reply (arrays, integers, bulk and simple strings, nil) into JSON. */
    private static final class RespToJson
    {
        private final byte[] reply;
        private final StringBuilder json;
        private int position;

        RespToJson(final byte[] reply, final StringBuilder json)
        {
            this.reply = reply;
            this.json = json;
        }

        void value()
        {
            if (position >= reply.length)
            {
                json.append("null");
                return;
            }
            final byte type = reply[position++];
            final String line = line();
            switch (type)
            {
                case '*' ->
                {
                    final int count = Integer.parseInt(line);
                    json.append('[');
                    for (int i = 0; i < count; i++)
                    {
                        json.append(i == 0 ? "" : ",");
                        value();
                    }
                    json.append(']');
                }
                case ':' -> json.append(Long.parseLong(line));
                case '$' ->
                {
                    final int length = Integer.parseInt(line);
                    if (length < 0)
                    {
                        json.append("null");
                        return;
                    }
                    string(json, new String(reply, position, length, StandardCharsets.ISO_8859_1));
                    position += length + 2;
                }
                case '+', '-' -> string(json, line);
                default -> json.append("null");
            }
        }

        private String line()
        {
            final int start = position;
            while (position < reply.length && reply[position] != '\r')
            {
                position++;
            }
            final String line = new String(reply, start, position - start, StandardCharsets.ISO_8859_1);
            position += 2;
            return line;
        }
    }

    private static String load()
    {
        try (InputStream in = ConsolePage.class.getResourceAsStream("console.html"))
        {
            if (null == in)
            {
                throw new IllegalStateException("console.html is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
