package io.ringkv.loadgen.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespReplyParserTest
{
    private final RespReplyParser parser = new RespReplyParser();

    @Test
    void parsesEveryResp2Type()
    {
        assertWhole("+OK\r\n", false);
        assertWhole(":12345\r\n", false);
        assertWhole(":-3\r\n", false);
        assertWhole("$5\r\nhello\r\n", false);
        assertWhole("$0\r\n\r\n", false);
        assertWhole("$-1\r\n", false);
        assertWhole("*-1\r\n", false);
        assertWhole("*0\r\n", false);
        assertWhole("*3\r\n$1\r\na\r\n$-1\r\n:7\r\n", false);
        assertWhole("*2\r\n*2\r\n+a\r\n+b\r\n*1\r\n$3\r\nx\ry\r\n", false);
        assertWhole("$4\r\n\r\n\r\n\r\n", false);
    }

    @Test
    void parsesResp3Types()
    {
        assertWhole("_\r\n", false);
        assertWhole("#t\r\n", false);
        assertWhole(",3.14\r\n", false);
        assertWhole("(3492890328409238509324850943850943825024385\r\n", false);
        assertWhole("=15\r\ntxt:Some string\r\n", false);
        assertWhole("%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", false);
        assertWhole("~2\r\n+a\r\n+b\r\n", false);
        assertWhole(">2\r\n+message\r\n+hi\r\n", false);
        assertWhole("|1\r\n+ttl\r\n:3600\r\n$2\r\nok\r\n", false);
        assertWhole("!21\r\nSYNTAX invalid syntax\r\n", true);
        assertEquals("SYNTAX invalid syntax", errorText("!21\r\nSYNTAX invalid syntax\r\n"));
    }

    @Test
    void errorsAreTopLevelOnly()
    {
        final String error = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        assertWhole(error, true);
        assertEquals("WRONGTYPE Operation against a key holding the wrong kind of value", errorText(error));
        // EXEC's array may hold errors; the reply itself succeeded.
        assertWhole("*2\r\n+OK\r\n-ERR value is not an integer\r\n", false);
    }

    @Test
    void everySplitPointNeedsMoreThenCompletes()
    {
        final String[] replies = {"+OK\r\n", "-ERR x\r\n", ":42\r\n", "$5\r\nhello\r\n", "$-1\r\n",
            "*3\r\n$1\r\na\r\n*1\r\n:1\r\n$-1\r\n", "%1\r\n+k\r\n$1\r\nv\r\n", "|1\r\n+a\r\n+b\r\n+c\r\n"};
        for (final String reply : replies)
        {
            final byte[] bytes = reply.getBytes(StandardCharsets.US_ASCII);
            final ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 8);
            buffer.put(3, bytes);
            for (int cut = 0; cut < bytes.length; cut++)
            {
                assertEquals(ReplyParser.NEED_MORE, parser.parse(buffer, 3, 3 + cut),
                    "'" + reply.replace("\r\n", "\\r\\n") + "' cut at " + cut);
            }
            assertEquals(3 + bytes.length, parser.parse(buffer, 3, 3 + bytes.length));
        }
    }

    @Test
    void pipelinedRepliesAreParsedOneAtATime()
    {
        final ByteBuffer buffer = bytes("+OK\r\n$-1\r\n-ERR no\r\n:1\r\n");
        int index = 0;
        final boolean[] errors = new boolean[4];
        for (int i = 0; i < 4; i++)
        {
            index = parser.parse(buffer, index, buffer.limit());
            assertTrue(index > 0);
            errors[i] = parser.isError();
        }
        assertEquals(buffer.limit(), index);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new boolean[] {false, false, true, false}, errors);
    }

    @Test
    void rejectsWhatIsNotResp()
    {
        for (final String bad : new String[] {"HTTP/1.1 200 OK\r\n", "{\"value\":1}\n", "$abc\r\n", "$3\r\nabcde\r\n",
            "*x\r\n", "+OK\rX"})
        {
            final ByteBuffer buffer = bytes(bad);
            assertEquals(ReplyParser.MALFORMED, parser.parse(buffer, 0, buffer.limit()), bad);
        }
    }

    @Test
    void onlyATopLevelNilIsAMiss()
    {
        for (final String nil : new String[] {"$-1\r\n", "*-1\r\n", "_\r\n", "|1\r\n+ttl\r\n:3\r\n$-1\r\n"})
        {
            final ByteBuffer buffer = bytes(nil);
            assertEquals(buffer.limit(), parser.parse(buffer, 0, buffer.limit()), nil);
            assertTrue(parser.isNil(), nil);
        }
        for (final String value : new String[] {"$0\r\n\r\n", "$3\r\n$-1\r\n", "*1\r\n$-1\r\n", "*0\r\n",
            "%1\r\n+a\r\n_\r\n", "-ERR x\r\n", "+OK\r\n", ":0\r\n"})
        {
            final ByteBuffer buffer = bytes(value);
            assertEquals(buffer.limit(), parser.parse(buffer, 0, buffer.limit()), value);
            assertFalse(parser.isNil(), value);
        }
        // The flag belongs to the last reply parsed, not to any before it.
        final ByteBuffer pipelined = bytes("$-1\r\n$1\r\nx\r\n");
        final int second = parser.parse(pipelined, 0, pipelined.limit());
        assertTrue(parser.isNil());
        parser.parse(pipelined, second, pipelined.limit());
        assertFalse(parser.isNil());
    }

    private void assertWhole(final String reply, final boolean error)
    {
        final ByteBuffer buffer = bytes(reply);
        assertEquals(buffer.limit(), parser.parse(buffer, 0, buffer.limit()), reply);
        assertEquals(error, parser.isError(), reply);
        if (!error)
        {
            assertFalse(parser.isError());
        }
    }

    private String errorText(final String reply)
    {
        final ByteBuffer buffer = bytes(reply);
        parser.parse(buffer, 0, buffer.limit());
        final byte[] text = new byte[parser.errorLength()];
        buffer.get(parser.errorIndex(), text);
        return new String(text, StandardCharsets.US_ASCII);
    }

    static ByteBuffer bytes(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(0, bytes);
        return buffer;
    }
}
