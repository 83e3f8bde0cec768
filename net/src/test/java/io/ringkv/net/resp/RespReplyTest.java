package io.ringkv.net.resp;

import io.ringkv.core.command.ClientSession;
import io.ringkv.net.codec.ReplyBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespReplyTest
{
    private static String render(final int protocol, final Consumer<RespReply> body)
    {
        final ClientSession session = new ClientSession(1, true);
        session.protocolVersion(protocol);
        final ReplyBuffer output = new ReplyBuffer(16);
        final RespReply reply = new RespReply(session, output);
        reply.startRequest(0);
        body.accept(reply);
        reply.endRequest(0);
        final byte[] bytes = new byte[output.position()];
        output.buffer().getBytes(0, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static void assertBoth(final String resp2, final String resp3, final Consumer<RespReply> body)
    {
        assertEquals(resp2, render(2, body), "RESP2");
        assertEquals(resp3, render(3, body), "RESP3");
    }

    @Test
    void scalars()
    {
        assertBoth("+OK\r\n", "+OK\r\n", RespReply::ok);
        assertBoth("+PONG\r\n", "+PONG\r\n", r -> r.simpleString("PONG".getBytes(StandardCharsets.US_ASCII)));
        assertBoth("-ERR syntax error\r\n", "-ERR syntax error\r\n", r -> r.error("ERR syntax error"));
        assertBoth("-ERR a b c\r\n", "-ERR a b c\r\n", r -> r.error("ERR a\rb\nc"));
        assertBoth(":0\r\n", ":0\r\n", r -> r.integer(0));
        assertBoth(":1\r\n", ":1\r\n", r -> r.integer(1));
        assertBoth(":-1\r\n", ":-1\r\n", r -> r.integer(-1));
        assertBoth(":9223372036854775807\r\n", ":9223372036854775807\r\n", r -> r.integer(Long.MAX_VALUE));
        assertBoth(":-9223372036854775808\r\n", ":-9223372036854775808\r\n", r -> r.integer(Long.MIN_VALUE));
        assertBoth("$-1\r\n", "_\r\n", RespReply::nil);
        assertBoth("*-1\r\n", "_\r\n", RespReply::nilArray);
        assertBoth(":1\r\n", "#t\r\n", r -> r.bool(true));
        assertBoth(":0\r\n", "#f\r\n", r -> r.bool(false));
    }

    @Test
    void bulkStrings()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer("xxhello\r\nyy".getBytes(StandardCharsets.US_ASCII));
        assertBoth("$7\r\nhello\r\n\r\n", "$7\r\nhello\r\n\r\n", r -> r.bulk(buffer, 2, 7));
        assertBoth("$0\r\n\r\n", "$0\r\n\r\n", r -> r.bulk(buffer, 0, 0));
        assertBoth("$3\r\nabc\r\n", "$3\r\nabc\r\n", r -> r.bulk("abc".getBytes(StandardCharsets.US_ASCII)));
        assertBoth("$5\r\n[1,2]\r\n", "$5\r\n[1,2]\r\n",
            r -> r.json(new UnsafeBuffer("[1,2]".getBytes(StandardCharsets.US_ASCII)), 0, 5));
        final byte[] big = new byte[100_000];
        java.util.Arrays.fill(big, (byte)'z');
        assertEquals("$100000\r\n" + "z".repeat(100_000) + "\r\n", render(2, r -> r.bulk(big)));
    }

    @Test
    void bulkIntegersCarryTheirDigitCount()
    {
        for (final long value : new long[]{0, 7, 9, 10, -1, -9, -10, 99, 100, 123456789, 1234567890,
            Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, -1000000000000000000L})
        {
            final String digits = Long.toString(value);
            final String expected = "$" + digits.length() + "\r\n" + digits + "\r\n";
            assertBoth(expected, expected, r -> r.bulkInteger(value));
        }
    }

    @Test
    void aggregates()
    {
        assertBoth("*2\r\n$1\r\na\r\n:5\r\n", "*2\r\n$1\r\na\r\n:5\r\n", r ->
        {
            r.arrayHeader(2);
            r.bulk("a".getBytes(StandardCharsets.US_ASCII));
            r.integer(5);
        });
        assertBoth("*4\r\n$1\r\nk\r\n$1\r\nv\r\n$1\r\nn\r\n$-1\r\n",
            "%2\r\n$1\r\nk\r\n$1\r\nv\r\n$1\r\nn\r\n_\r\n", r ->
        {
            r.mapHeader(2);
            r.bulk("k".getBytes(StandardCharsets.US_ASCII));
            r.bulk("v".getBytes(StandardCharsets.US_ASCII));
            r.bulk("n".getBytes(StandardCharsets.US_ASCII));
            r.nil();
        });
        assertBoth("*1\r\n$1\r\nx\r\n", "~1\r\n$1\r\nx\r\n", r ->
        {
            r.setHeader(1);
            r.bulk("x".getBytes(StandardCharsets.US_ASCII));
        });
        assertBoth("*0\r\n", "%0\r\n", r -> r.mapHeader(0));
        assertBoth("*0\r\n", "*0\r\n", r -> r.arrayHeader(0));
    }

    @Test
    void doublesAsRedis()
    {
        assertBoth("$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n", r -> r.doubleValue(1.1));
        assertBoth("$1\r\n3\r\n", ",3\r\n", r -> r.doubleValue(3.0));
        assertBoth("$3\r\ninf\r\n", ",inf\r\n", r -> r.doubleValue(Double.POSITIVE_INFINITY));
        assertBoth("$4\r\n-inf\r\n", ",-inf\r\n", r -> r.doubleValue(Double.NEGATIVE_INFINITY));
        assertBoth("$3\r\nnan\r\n", ",nan\r\n", r -> r.doubleValue(Double.NaN));
        assertBoth("$5\r\n1e+20\r\n", ",1e+20\r\n", r -> r.doubleValue(1e20));
        assertBoth("$22\r\n1.0000000000000001e-05\r\n", ",1.0000000000000001e-05\r\n", r -> r.doubleValue(1e-5));
        assertBoth("$2\r\n-0\r\n", ",-0\r\n", r -> r.doubleValue(-0.0));
    }

    @Test
    void verbatimText()
    {
        assertBoth("$8\r\n# Server\r\n", "=12\r\ntxt:# Server\r\n", r -> r.verbatimText("# Server"));
        assertBoth("$7\r\né€😀\r\n".replace("é€😀", utf8("é€😀")).replace("$7", "$9"),
            "=13\r\ntxt:" + utf8("é€😀") + "\r\n", r -> r.verbatimText("é€😀"));
    }

    @Test
    void protocolSwitchTakesEffectFromTheNextReply()
    {
        final ClientSession session = new ClientSession(1, true);
        final ReplyBuffer output = new ReplyBuffer(64);
        final RespReply reply = new RespReply(session, output);
        reply.nil();
        session.protocolVersion(ClientSession.PROTOCOL_RESP3);
        reply.nil();
        assertEquals("$-1\r\n_\r\n", content(output));
    }

    @Test
    void clientReplyOffSkipOnDiscardReplies()
    {
        final ClientSession session = new ClientSession(1, true);
        final ReplyBuffer output = new ReplyBuffer(64);
        final RespReply reply = new RespReply(session, output);
        int request = 0;
        reply.startRequest(request);
        reply.integer(10);
        reply.endRequest(request++);

        reply.startRequest(request);
        reply.clientReplySkip();
        reply.ok();
        reply.endRequest(request++);
        reply.startRequest(request);
        reply.integer(11);
        reply.endRequest(request++);
        reply.startRequest(request);
        reply.integer(12);
        reply.endRequest(request++);

        reply.startRequest(request);
        reply.clientReplyOff();
        reply.ok();
        reply.endRequest(request++);
        reply.startRequest(request);
        reply.integer(13);
        reply.endRequest(request++);
        reply.startRequest(request);
        reply.clientReplySkip();
        reply.endRequest(request++);
        reply.startRequest(request);
        reply.clientReplyOn();
        reply.ok();
        reply.endRequest(request++);
        reply.startRequest(request);
        reply.integer(14);
        reply.endRequest(request);
        assertEquals(":10\r\n:12\r\n+OK\r\n:14\r\n", content(output));
    }

    @Test
    void doubleFormatMatchesCPrintf() throws Exception
    {
        final io.ringkv.core.codec.RedisDoubleFormat format = new io.ringkv.core.codec.RedisDoubleFormat();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        try (var in = getClass().getResourceAsStream("/io/ringkv/net/codec/double-format.txt"))
        {
            final String[] lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n");
            int checked = 0;
            for (final String line : lines)
            {
                if (line.startsWith("#") || line.isBlank())
                {
                    continue;
                }
                final String[] parts = line.split(" ");
                final double value = Double.longBitsToDouble(Long.parseUnsignedLong(parts[0], 16));
                final int length = format.format(value, buffer, 0);
                assertEquals(parts[1], buffer.getStringWithoutLengthAscii(0, length), "value " + value);
                checked++;
            }
            assertTrue(checked > 3000, "the table has " + checked + " values");
        }
    }

    private static String content(final ReplyBuffer output)
    {
        final byte[] bytes = new byte[output.position()];
        output.buffer().getBytes(0, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String utf8(final String s)
    {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
