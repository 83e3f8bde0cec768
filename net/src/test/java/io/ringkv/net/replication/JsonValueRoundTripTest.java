package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Property: every JSON value round-trips. Generated documents (arrays directly inside arrays at any depth, objects,
 * strings with every escape, raw and escaped unicode, numbers big, negative and with exponents, true, false, null,
 * spread with white space) are set through JSON lines, read back through JSON lines and RESP on the master, and
 * read back on a replica that streamed them and on one that full-synced them: always the compact text of the
 * document (a top-level string is stored as its decoded bytes, a 64-bit integer as a counter).
 */
class JsonValueRoundTripTest
{
    private static final int DOCUMENTS = Integer.getInteger("ringkv.test.documents", 300);

    /** One generated value: the compact JSON text the server must keep, and how the request spells it. */
    private record Json(String compact, String spaced, String decodedString)
    {
    }

    @Test
    void everyJsonValueRoundTripsThroughBothProtocolsAndReplication() throws Exception
    {
        final long seed = Long.getLong("ringkv.test.seed", 9);
        final Random random = new Random(seed);
        final List<Json> documents = new ArrayList<>();
        // The shape first, then the generated ones.
        documents.add(new Json("[[1,2],[3]]", "[ [1, 2], [3] ]", null));
        documents.add(new Json("[[[[[[]]]]],[{}]]", "[[[[[[ ]]]]],[{ }]]", null));
        documents.add(deepArrays(random, 120));
        for (int i = documents.size(); i < DOCUMENTS; i++)
        {
            documents.add(value(random, 0, true));
        }
        try (TestServer master = TestServer.start();
            TestServer streamed = TestServer.start("replicaof", "127.0.0.1 " + master.port());
            LineClient json = new LineClient(master.port());
            Jedis resp = new Jedis("127.0.0.1", master.port(), 20_000))
        {
            awaitInSync(master, streamed, 20_000);
            for (int i = 0; i < documents.size(); i++)
            {
                final Json document = documents.get(i);
                assertEquals("{}", json.call("{\"cmd\":\"set\",\"key\":\"doc:" + i + "\",\"value\":" +
                    document.spaced() + "}"), "seed " + seed + ": " + document.spaced());
            }
            assertReadsBack(master, documents, resp, seed);
            awaitInSync(master, streamed, 20_000);
            assertReadsBack(streamed, documents, null, seed);
            assertSameContents(master, streamed);
            try (TestServer synced = TestServer.start("replicaof", "127.0.0.1 " + master.port()))
            {
                awaitInSync(master, synced, 20_000);
                assertReadsBack(synced, documents, null, seed);
                assertSameContents(master, synced);
            }
        }
    }

    private static void assertReadsBack(final TestServer server, final List<Json> documents, final Jedis resp,
        final long seed) throws Exception
    {
        try (LineClient json = new LineClient(server.port()))
        {
            for (int i = 0; i < documents.size(); i++)
            {
                final Json document = documents.get(i);
                final String reply = json.call("{\"cmd\":\"get\",\"key\":\"doc:" + i + "\"}");
                final String where = "seed " + seed + ", port " + server.port() + ": " + document.spaced();
                if (document.decodedString() == null)
                {
                    assertEquals("{\"value\":" + stored(document) + "}", reply, where);
                }
                else
                {
                    assertEquals(document.decodedString(), decodeString(reply.substring(9, reply.length() - 1)), where);
                }
                if (resp != null)
                {
                    final byte[] bytes = resp.get(("doc:" + i).getBytes(StandardCharsets.UTF_8));
                    assertEquals(document.decodedString() == null ? stored(document) : document.decodedString(),
                        new String(bytes, StandardCharsets.UTF_8), where);
                }
            }
        }
    }

    /**
     * What a document reads back as: its compact text, except that a top-level integer within 64 bits is stored as a
     * counter and reads back as its canonical digits ({@code -0} as {@code 0}).
     */
    private static String stored(final Json document)
    {
        final String text = document.compact();
        if (text.matches("-?[0-9]+"))
        {
            try
            {
                return Long.toString(Long.parseLong(text));
            }
            catch (final NumberFormatException ex)
            {
                return text;
            }
        }
        return text;
    }

    private static Json deepArrays(final Random random, final int depth)
    {
        final Json inner = value(random, 6, false);
        return new Json("[".repeat(depth) + inner.compact() + "]".repeat(depth),
            "[ ".repeat(depth) + inner.spaced() + " ]".repeat(depth), null);
    }

    private static Json value(final Random random, final int depth, final boolean topLevel)
    {
        final int kind = random.nextInt(depth >= 5 ? 4 : 7);
        return switch (kind)
        {
            case 0 -> number(random);
            case 1 -> string(random);
            case 2 ->
            {
                final String literal = new String[]{"true", "false", "null"}[random.nextInt(3)];
                yield new Json(literal, literal, null);
            }
            case 3 -> topLevel ? array(random, depth) : number(random);
            case 4, 5 -> array(random, depth);
            default -> object(random, depth);
        };
    }

    private static Json array(final Random random, final int depth)
    {
        final int count = random.nextInt(5);
        final StringBuilder compact = new StringBuilder("[");
        final StringBuilder spaced = new StringBuilder("[").append(space(random));
        for (int i = 0; i < count; i++)
        {
            // Arrays directly inside arrays are what the issue found broken: favour them.
            final Json element = random.nextInt(3) == 0 ? array(random, depth + 1) : value(random, depth + 1, false);
            compact.append(i == 0 ? "" : ",").append(element.compact());
            spaced.append(i == 0 ? "" : space(random) + "," + space(random)).append(element.spaced());
        }
        return new Json(compact.append(']').toString(), spaced.append(space(random)).append(']').toString(), null);
    }

    private static Json object(final Random random, final int depth)
    {
        final int count = random.nextInt(4);
        final StringBuilder compact = new StringBuilder("{");
        final StringBuilder spaced = new StringBuilder("{").append(space(random));
        for (int i = 0; i < count; i++)
        {
            final Json name = string(random);
            final Json member = value(random, depth + 1, false);
            compact.append(i == 0 ? "" : ",").append(name.compact()).append(':').append(member.compact());
            spaced.append(i == 0 ? "" : space(random) + "," + space(random)).append(name.spaced()).append(space(random))
                .append(':').append(space(random)).append(member.spaced());
        }
        return new Json(compact.append('}').toString(), spaced.append(space(random)).append('}').toString(), null);
    }

    private static Json number(final Random random)
    {
        final String text = switch (random.nextInt(8))
        {
            case 0 -> Long.toString(random.nextLong());
            case 1 -> Integer.toString(random.nextInt(1000) - 500);
            case 2 -> "-0";
            case 3 -> "123456789012345678901234567890" + random.nextInt(10);
            case 4 -> "-98765432109876543210.5";
            case 5 -> (random.nextBoolean() ? "-" : "") + random.nextInt(100) + "." + "0".repeat(random.nextInt(3)) +
                random.nextInt(1000);
            case 6 -> random.nextInt(10) + (random.nextBoolean() ? "e" : "E") +
                new String[]{"", "+", "-"}[random.nextInt(3)] + random.nextInt(400);
            default -> "-1.5E-" + random.nextInt(400);
        };
        return new Json(text, text, null);
    }

    /** A string of ASCII, escapes, 2-, 3- and 4-byte UTF-8 characters, some written as \\u escapes. */
    private static Json string(final Random random)
    {
        final StringBuilder decoded = new StringBuilder();
        final StringBuilder text = new StringBuilder("\"");
        for (int i = random.nextInt(8); i > 0; i--)
        {
            switch (random.nextInt(9))
            {
                case 0 ->
                {
                    final char c = (char)('a' + random.nextInt(26));
                    decoded.append(c);
                    text.append(c);
                }
                case 1 ->
                {
                    final int e = random.nextInt(8);
                    decoded.append("\"\\/\b\f\n\r\t".charAt(e));
                    text.append('\\').append("\"\\/bfnrt".charAt(e));
                }
                case 2 ->
                {
                    final char c = (char)random.nextInt(0x20);
                    decoded.append(c);
                    text.append(String.format("\\u%04x", (int)c));
                }
                case 3 ->
                {
                    decoded.append("é");
                    text.append(random.nextBoolean() ? "é" : "\\u00E9");
                }
                case 4 ->
                {
                    decoded.append("中");
                    text.append(random.nextBoolean() ? "中" : "\\u4e2d");
                }
                case 5 ->
                {
                    decoded.append("😀");
                    text.append(random.nextBoolean() ? "😀" : "\\ud83d\\ude00");
                }
                case 6 ->
                {
                    decoded.append(' ');
                    text.append(' ');
                }
                case 7 ->
                {
                    decoded.append("{[,:]}");
                    text.append("{[,:]}");
                }
                default ->
                {
                    decoded.append('\u007f');
                    text.append('\u007f');
                }
            }
        }
        final String literal = text.append('"').toString();
        return new Json(literal, literal, decoded.toString());
    }

    private static String space(final Random random)
    {
        return new String[]{"", "", "", " ", "\t", "  ", " \r "}[random.nextInt(7)];
    }

    /** Decodes one JSON string literal (as a JSON-lines reply writes it). */
    private static String decodeString(final String literal)
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 1; i < literal.length() - 1; i++)
        {
            final char c = literal.charAt(i);
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            final char e = literal.charAt(++i);
            switch (e)
            {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' ->
                {
                    out.append((char)Integer.parseInt(literal.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(e);
            }
        }
        return out.toString();
    }
}
