package io.ringkv.net.jsonline;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.ReadBuffer;
import io.ringkv.net.codec.ReplyBuffer;
import io.ringkv.net.codec.RequestParser;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonLineReplyTest
{
    private static final UnsafeBuffer IDS = new UnsafeBuffer("42\"req-1\"".getBytes(StandardCharsets.US_ASCII));

    private static String render(final byte style, final int idLength, final Consumer<JsonLineReply> body)
    {
        final JsonRequestTable table = new JsonRequestTable();
        table.reset(IDS);
        table.add(style, idLength == 7 ? 2 : 0, idLength);
        final ReplyBuffer output = new ReplyBuffer(16);
        final JsonLineReply reply = new JsonLineReply(table, output);
        reply.startRequest(0);
        body.accept(reply);
        reply.endRequest(0);
        return content(output);
    }

    private static String generic(final Consumer<JsonLineReply> body)
    {
        return render(JsonRequestTable.STYLE_GENERIC, 0, body);
    }

    private static String content(final ReplyBuffer output)
    {
        final byte[] bytes = new byte[output.position()];
        output.buffer().getBytes(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void seedStyleOkIsAnEmptyObjectWithTheEchoedId()
    {
        assertEquals("{}\n", render(JsonRequestTable.STYLE_SEED, 0, JsonLineReply::ok));
        assertEquals("{\"id\":42}\n", render(JsonRequestTable.STYLE_SEED, 2, JsonLineReply::ok));
        assertEquals("{\"id\":\"req-1\"}\n", render(JsonRequestTable.STYLE_SEED, 7, JsonLineReply::ok));
        assertEquals("{\"id\":42,\"value\":null}\n", render(JsonRequestTable.STYLE_SEED, 2, JsonLineReply::nil));
        assertEquals("{\"value\":7}\n", render(JsonRequestTable.STYLE_SEED, 0, r -> r.integer(7)));
    }

    @Test
    void scalars()
    {
        assertEquals("{\"value\":\"OK\"}\n", generic(JsonLineReply::ok));
        assertEquals("{\"value\":\"PONG\"}\n", generic(r -> r.simpleString(ascii("PONG"))));
        assertEquals("{\"value\":-12}\n", generic(r -> r.integer(-12)));
        assertEquals("{\"value\":12345}\n", generic(r -> r.bulkInteger(12345)));
        assertEquals("{\"value\":null}\n", generic(JsonLineReply::nil));
        assertEquals("{\"value\":null}\n", generic(JsonLineReply::nilArray));
        assertEquals("{\"value\":true}\n", generic(r -> r.bool(true)));
        assertEquals("{\"value\":false}\n", generic(r -> r.bool(false)));
        assertEquals("{\"value\":1.1000000000000001}\n", generic(r -> r.doubleValue(1.1)));
        assertEquals("{\"value\":1e+20}\n", generic(r -> r.doubleValue(1e20)));
        assertEquals("{\"value\":\"inf\"}\n", generic(r -> r.doubleValue(Double.POSITIVE_INFINITY)));
        assertEquals("{\"value\":\"-inf\"}\n", generic(r -> r.doubleValue(Double.NEGATIVE_INFINITY)));
        assertEquals("{\"value\":\"nan\"}\n", generic(r -> r.doubleValue(Double.NaN)));
        assertEquals("{\"value\":\"# Server\\r\\nredis_version:7.0.15 é\"}\n",
            generic(r -> r.verbatimText("# Server\r\nredis_version:7.0.15 é")));
        assertEquals("{\"value\":{\"a\":[1,2]}}\n",
            generic(r -> r.json(new UnsafeBuffer(ascii("{\"a\":[1,2]}")), 0, 11)));
    }

    @Test
    void errorsUseTheRespText()
    {
        assertEquals("{\"error\":\"ERR syntax error\"}\n", generic(r -> r.error("ERR syntax error")));
        assertEquals("{\"id\":42,\"error\":\"WRONGTYPE Operation against a key holding the wrong kind of value\"}\n",
            render(JsonRequestTable.STYLE_SEED, 2,
                r -> r.error("WRONGTYPE Operation against a key holding the wrong kind of value")));
        assertEquals("{\"value\":[1,{\"error\":\"ERR x\"}]}\n", generic(r ->
        {
            r.arrayHeader(2);
            r.integer(1);
            r.error("ERR x");
        }));
    }

    @Test
    void bulkStringsAreEscapedJsonStrings()
    {
        final String text = "quote\" backslash\\ nl\n tab\t ctl\u0001 del\u007f é€😀";
        final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertEquals("{\"value\":\"quote\\\" backslash\\\\ nl\\n tab\\t ctl\\u0001 del\u007f é€😀\"}\n",
            generic(r -> r.bulk(utf8)));
        assertEquals("{\"value\":\"\"}\n", generic(r -> r.bulk(new byte[0])));
    }

    /** A long string of control characters is six times longer escaped than the room its length alone asks for. */
    @Test
    void longStringsThatGrowWhenEscapedFitTheReplyBuffer()
    {
        final byte[] controls = new byte[100_000];
        java.util.Arrays.fill(controls, (byte)1);
        final String reply = generic(r -> r.bulk(controls));
        assertEquals("{\"value\":\"" + "\\u0001".repeat(controls.length) + "\"}\n", reply);
    }

    @Test
    void bytesThatAreNotUtf8TravelAsBase64()
    {
        assertEquals("{\"value\":{\"$base64\":\"/wA=\"}}\n", generic(r -> r.bulk(new byte[]{(byte)0xFF, 0})));
        assertEquals("{\"value\":{\"$base64\":\"wIA=\"}}\n", generic(r -> r.bulk(new byte[]{(byte)0xC0, (byte)0x80})));
        assertEquals("{\"value\":{\"$base64\":\"7aCA\"}}\n",
            generic(r -> r.bulk(new byte[]{(byte)0xED, (byte)0xA0, (byte)0x80})));
    }

    @Test
    void aggregates()
    {
        assertEquals("{\"value\":[1,[\"a\",null],[],{}]}\n", generic(r ->
        {
            r.arrayHeader(4);
            r.integer(1);
            r.arrayHeader(2);
            r.bulk(ascii("a"));
            r.nil();
            r.setHeader(0);
            r.mapHeader(0);
        }));
        assertEquals("{\"value\":{\"k\":\"v\",\"1\":2,\"1.5\":true,\"null\":[3],\"$base64:/w==\":{\"x\":\"y\"}}}\n",
            generic(r ->
            {
                r.mapHeader(5);
                r.bulk(ascii("k"));
                r.bulk(ascii("v"));
                r.integer(1);
                r.integer(2);
                r.doubleValue(1.5);
                r.bool(true);
                r.nil();
                r.arrayHeader(1);
                r.integer(3);
                r.bulk(new byte[]{(byte)0xFF});
                r.mapHeader(1);
                r.simpleString(ascii("x"));
                r.bulk(ascii("y"));
            }));
        assertEquals("{\"value\":{\"[1,\\\"a\\\"]\":2}}\n", generic(r ->
        {
            r.mapHeader(1);
            r.arrayHeader(2);
            r.integer(1);
            r.bulk(ascii("a"));
            r.integer(2);
        }));
        assertEquals("{\"value\":[\"a\",\"b\"]}\n", generic(r ->
        {
            r.setHeader(2);
            r.bulk(ascii("a"));
            r.bulk(ascii("b"));
        }));
    }

    @Test
    void aKeyThatLooksLikeABase64KeyIsEncodedSoEveryKeyReadsBackAsItsBytes()
    {
        // "$base64:/w==" as a key's own bytes must not read back as the byte FF.
        assertEquals("{\"value\":{\"$base64:JGJhc2U2NDovdz09\":1,\"$base64\":2}}\n", generic(r ->
        {
            r.mapHeader(2);
            r.bulk(ascii("$base64:/w=="));
            r.integer(1);
            r.bulk(ascii("$base64"));
            r.integer(2);
        }));
        assertEquals("{\"value\":\"$base64:/w==\"}\n", generic(r -> r.bulk(ascii("$base64:/w=="))),
            "a value is unambiguous: only the object {\"$base64\":...} stands for bytes");
    }

    @Test
    void anUnfinishedAggregateIsClosedWithNulls()
    {
        assertEquals("{\"value\":[1,null,null]}\n", generic(r ->
        {
            r.arrayHeader(3);
            r.integer(1);
        }));
    }

    @Test
    void lineErrorsEchoTheId()
    {
        final ReplyBuffer output = new ReplyBuffer(16);
        final JsonLineReply reply = new JsonLineReply(new JsonRequestTable(), output);
        reply.lineError("ERR invalid JSON: x", IDS, 0, 2);
        reply.lineError("ERR invalid JSON: \"y\"", IDS, 0, 0);
        assertEquals("{\"id\":42,\"error\":\"ERR invalid JSON: x\"}\n{\"error\":\"ERR invalid JSON: \\\"y\\\"\"}\n",
            content(output));
    }

    @Test
    void errorTextsAreEscapedUtf8WithLoneSurrogatesReplaced()
    {
        final ReplyBuffer output = new ReplyBuffer(4);
        final JsonLineReply reply = new JsonLineReply(new JsonRequestTable(), output);
        reply.lineError("ERR \u00e9\u20ac\ud83d\ude00 \ud800 \"q\" \\ \t\b\u0001", IDS, 0, 0);
        assertEquals("{\"error\":\"ERR \u00e9\u20ac\ud83d\ude00 ? \\\"q\\\" \\\\ \\t\\b\\u0001\"}\n", content(output));
    }

    @Test
    void valuesRoundTripByteForByte()
    {
        final Random random = new Random(11);
        for (int round = 0; round < 200; round++)
        {
            final byte[] value;
            if (round % 2 == 0)
            {
                value = new byte[random.nextInt(40)];
                random.nextBytes(value);
            }
            else
            {
                final StringBuilder sb = new StringBuilder();
                for (int i = 0; i < random.nextInt(20); i++)
                {
                    sb.append(("aZ\"\\\n\u0000\u00e9\u20ac".charAt(random.nextInt(8))));
                }
                sb.append("😀");
                value = sb.toString().getBytes(StandardCharsets.UTF_8);
            }
            // the reply shows the value as JSON; that JSON sent back as a set value must store the same bytes
            final String shown = generic(r -> r.bulk(value));
            final String valueJson = shown.substring("{\"value\":".length(), shown.length() - 2);
            final byte[] stored = parseSetValue(valueJson);
            assertArrayEquals(value, stored, valueJson);
        }
    }

    private static byte[] parseSetValue(final String valueJson)
    {
        final JsonRequestTable table = new JsonRequestTable();
        final JsonLineParser parser = new JsonLineParser(table);
        final ReadBuffer readBuffer = new ReadBuffer(1024, 1 << 20);
        final byte[] line = ("{\"cmd\":\"set\",\"key\":\"k\",\"value\":" + valueJson + "}\n")
            .getBytes(StandardCharsets.UTF_8);
        readBuffer.append(line, 0, line.length);
        final RequestBatch batch = new RequestBatch(new ClientSession(1, true), new JsonLineReply(table,
            new ReplyBuffer(64)));
        assertEquals(RequestParser.OK, parser.parse(readBuffer.buffer(), 0, readBuffer.limit(), batch));
        assertEquals(1, batch.requestCount());
        assertEquals(RequestBatch.VALUE_RAW, batch.valueKind(0));
        final int arg = batch.firstArg(0) + 2;
        final byte[] stored = new byte[batch.argLength(arg)];
        batch.argBuffer().getBytes(batch.argOffset(arg), stored);
        return stored;
    }
}
