package io.ringkv.loadgen.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLineReplyParserTest
{
    private final JsonLineReplyParser parser = new JsonLineReplyParser();

    @Test
    void parsesReplies()
    {
        assertReply("{}\n", false);
        assertReply("{\"value\":\"v\"}\n", false);
        assertReply("{\"value\":null}\n", false);
        assertReply("{\"value\":42}\n", false);
        assertReply("{\"value\":[\"a\",null,\"b\"]}\n", false);
        assertReply("{\"id\":7,\"value\":{\"nested\":[1,{\"error\":\"not top level\"}]}}\n", false);
        assertReply("{\"value\":\"a \\\"quoted\\\" }] string\"}\n", false);
        assertReply(" { \"value\" : true } \r\n", false);
    }

    @Test
    void errorsAndTheirText()
    {
        assertReply("{\"error\":\"ERR unknown command 'FOO'\"}\n", true);
        assertEquals("ERR unknown command 'FOO'", errorText("{\"error\":\"ERR unknown command 'FOO'\"}\n"));
        assertEquals("WRONGTYPE x", errorText("{\"id\":\"r1\",\"error\":\"WRONGTYPE x\"}\n"));
    }

    @Test
    void everySplitPointNeedsMoreThenCompletes()
    {
        final byte[] bytes = "{\"id\":1,\"value\":[\"a\",\"b\\n\"]}\n".getBytes(StandardCharsets.UTF_8);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(0, bytes);
        for (int cut = 0; cut < bytes.length; cut++)
        {
            assertEquals(ReplyParser.NEED_MORE, parser.parse(buffer, 0, cut), "cut at " + cut);
        }
        assertEquals(bytes.length, parser.parse(buffer, 0, bytes.length));
    }

    @Test
    void pipelinedLines()
    {
        final ByteBuffer buffer = RespReplyParserTest.bytes("{}\n{\"error\":\"ERR x\"}\n{\"value\":1}\n");
        int index = parser.parse(buffer, 0, buffer.limit());
        assertFalse(parser.isError());
        index = parser.parse(buffer, index, buffer.limit());
        assertTrue(parser.isError());
        index = parser.parse(buffer, index, buffer.limit());
        assertFalse(parser.isError());
        assertEquals(buffer.limit(), index);
    }

    @Test
    void rejectsWhatIsNotAJsonObjectLine()
    {
        for (final String bad : new String[] {"+OK\r\n", "[1]\n", "{\"a\" 1}\n", "{\"a\":1\n", "{\"a\":1}}\n",
            "{\"a\":\"unterminated}\n"})
        {
            final ByteBuffer buffer = RespReplyParserTest.bytes(bad);
            assertEquals(ReplyParser.MALFORMED, parser.parse(buffer, 0, buffer.limit()), bad);
        }
    }

    @Test
    void onlyATopLevelNullValueIsAMiss()
    {
        for (final String nil : new String[] {"{\"value\":null}\n", "{\"id\":3, \"value\" : null }\n"})
        {
            final ByteBuffer buffer = RespReplyParserTest.bytes(nil);
            assertEquals(buffer.limit(), parser.parse(buffer, 0, buffer.limit()), nil);
            assertTrue(parser.isNil(), nil);
        }
        for (final String value : new String[] {"{}\n", "{\"value\":\"null\"}\n", "{\"value\":[null]}\n",
            "{\"other\":null}\n", "{\"value\":nullx}\n", "{\"error\":\"ERR x\"}\n"})
        {
            final ByteBuffer buffer = RespReplyParserTest.bytes(value);
            assertEquals(buffer.limit(), parser.parse(buffer, 0, buffer.limit()), value);
            assertFalse(parser.isNil(), value);
        }
    }

    private void assertReply(final String reply, final boolean error)
    {
        final ByteBuffer buffer = RespReplyParserTest.bytes(reply);
        assertEquals(buffer.limit(), parser.parse(buffer, 0, buffer.limit()), reply);
        assertEquals(error, parser.isError(), reply);
    }

    private String errorText(final String reply)
    {
        final ByteBuffer buffer = RespReplyParserTest.bytes(reply);
        parser.parse(buffer, 0, buffer.limit());
        final byte[] text = new byte[parser.errorLength()];
        buffer.get(parser.errorIndex(), text);
        return new String(text, StandardCharsets.UTF_8);
    }
}
