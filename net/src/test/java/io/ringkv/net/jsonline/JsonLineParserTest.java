package io.ringkv.net.jsonline;

import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.ParseLoop;
import io.ringkv.net.codec.ReplyBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLineParserTest
{
    private final JsonRequestTable table = new JsonRequestTable();
    private final List<Byte> styles = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();
    private final List<String> errorIds = new ArrayList<>();

    private ParseLoop loop(final int maxLineLength)
    {
        return loop(maxLineLength, true);
    }

    private ParseLoop loop(final int maxLineLength, final boolean authenticated)
    {
        final JsonLineParser parser = new JsonLineParser(table, maxLineLength);
        final ParseLoop loop = new ParseLoop(parser, 256, 1 << 20, authenticated,
            new JsonLineReply(table, new ReplyBuffer(64)));
        loop.onBatch = batch ->
        {
            assertEquals(batch.requestCount(), table.count());
            for (int i = 0; i < table.count(); i++)
            {
                styles.add(table.style(i));
                ids.add(table.idLength(i) == 0 ? null :
                    table.idBuffer().getStringWithoutLengthUtf8(table.idOffset(i), table.idLength(i)));
            }
        };
        loop.onLineError = p -> errorIds.add(parser.errorIdLength() == 0 ? null :
            parser.scratch().getStringWithoutLengthUtf8(parser.errorIdOffset(), parser.errorIdLength()));
        return loop;
    }

    private ParseLoop parse(final String lines)
    {
        return loop(1 << 16).feed(lines.getBytes(StandardCharsets.UTF_8));
    }

    private static String utf8(final String s)
    {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private void assertRequest(final String line, final byte valueKind, final String... args)
    {
        styles.clear();
        final ParseLoop loop = parse(line + "\n");
        assertEquals(List.of(), loop.errors, line);
        assertEquals(List.of(List.of(args)), loop.requests, line);
        assertEquals(valueKind, (byte)loop.valueKinds.get(0), line);
    }

    private void assertRejected(final String line, final String error)
    {
        final ParseLoop loop = parse(line + "\n{\"cmd\":\"ping\"}\n");
        assertEquals(List.of(error), loop.errors, line);
        assertEquals(List.of(List.of("PING")), loop.requests, "the next line still works after: " + line);
        assertFalse(loop.closed);
    }

    @Test
    void seedSet()
    {
        assertRequest("{\"cmd\":\"set\",\"key\":\"k\",\"value\":\"v\"}", RequestBatch.VALUE_RAW, "SET", "k", "v");
        assertEquals(List.of(JsonRequestTable.STYLE_SEED), styles);
        assertRequest("{\"cmd\":\"SET\",\"key\":\"k\",\"value\":42}", RequestBatch.VALUE_INTEGER, "SET", "k", "42");
        assertRequest("{\"cmd\":\"set\",\"key\":\"k\",\"value\":-0}", RequestBatch.VALUE_INTEGER, "SET", "k", "0");
        assertRequest("{\"cmd\":\"set\",\"key\":\"k\",\"value\":-9223372036854775808}", RequestBatch.VALUE_INTEGER,
            "SET", "k", "-9223372036854775808");
        assertRequest("{\"cmd\":\"set\",\"key\":\"k\",\"value\":9223372036854775808}", RequestBatch.VALUE_JSON,
            "SET", "k", "9223372036854775808");
        assertRequest("{\"cmd\":\"set\",\"key\":\"k\",\"value\":1.5}", RequestBatch.VALUE_JSON, "SET", "k", "1.5");
        assertRequest("{\"cmd\":\"set\",\"key\":\"k\",\"value\":1e3}", RequestBatch.VALUE_JSON, "SET", "k", "1e3");
        assertRequest("{\"cmd\":\"set\",\"key\":\"k\",\"value\":true}", RequestBatch.VALUE_JSON, "SET", "k", "true");
        assertRequest("{\"cmd\":\"set\",\"key\":\"k\",\"value\":null}", RequestBatch.VALUE_JSON, "SET", "k", "null");
        assertRequest("{ \"cmd\" : \"set\" , \"key\" : \"k\" , \"value\" : { \"a\" : [ 1 , 2 , \"x y\" ] , " +
            "\"b\" : null , \"c\" : { } } }", RequestBatch.VALUE_JSON,
            "SET", "k", "{\"a\":[1,2,\"x y\"],\"b\":null,\"c\":{}}");
        assertRequest("{\"cmd\":\"set\",\"key\":\"k\",\"value\":[1,5,9],\"ex\":10,\"px\":5,\"nx\":true,\"xx\":false}",
            RequestBatch.VALUE_JSON, "SET", "k", "[1,5,9]", "EX", "10", "PX", "5", "NX");
        assertRequest("{\"cmd\":\"set\",\"key\":\"k\",\"value\":\"v\",\"xx\":true}", RequestBatch.VALUE_RAW,
            "SET", "k", "v", "XX");
    }

    @Test
    void seedCommands()
    {
        final byte raw = RequestBatch.VALUE_RAW;
        assertRequest("{\"cmd\":\"get\",\"key\":\"k\"}", raw, "GET", "k");
        assertRequest("{\"cmd\":\"incr\",\"key\":\"k\"}", raw, "INCR", "k");
        assertRequest("{\"cmd\":\"incr\",\"key\":\"k\",\"by\":5}", raw, "INCRBY", "k", "5");
        assertRequest("{\"cmd\":\"decr\",\"key\":\"k\"}", raw, "DECR", "k");
        assertRequest("{\"cmd\":\"decr\",\"key\":\"k\",\"by\":-3}", raw, "DECRBY", "k", "-3");
        assertRequest("{\"cmd\":\"del\",\"key\":\"k\"}", raw, "DEL", "k");
        assertRequest("{\"cmd\":\"del\",\"keys\":[\"a\",\"b\"]}", raw, "DEL", "a", "b");
        assertRequest("{\"cmd\":\"exists\",\"keys\":[\"a\", {\"$base64\":\"/w==\"}]}", raw, "EXISTS", "a", "\u00ff");
        assertRequest("{\"cmd\":\"exists\",\"key\":\"a\"}", raw, "EXISTS", "a");
        assertRequest("{\"cmd\":\"expire\",\"key\":\"k\",\"seconds\":100}", raw, "EXPIRE", "k", "100");
        assertRequest("{\"cmd\":\"ttl\",\"key\":\"k\"}", raw, "TTL", "k");
        assertRequest("{\"cmd\":\"ping\"}", raw, "PING");
        assertRequest("{\"cmd\":\"Ping\",\"message\":\"hi\"}", raw, "PING", "hi");
    }

    @Test
    void genericForm()
    {
        assertRequest("{\"cmd\":\"mset\",\"args\":[\"a\",1,\"b\",2.5,-7,{\"$base64\":\"AAE=\"}]}",
            RequestBatch.VALUE_RAW, "mset", "a", "1", "b", "2.5", "-7", "\u0000\u0001");
        assertEquals(List.of(JsonRequestTable.STYLE_GENERIC), styles);
        assertRequest("{\"cmd\":\"dbsize\"}", RequestBatch.VALUE_RAW, "dbsize");
        assertRequest("{\"cmd\":\"set\",\"args\":[\"k\",\"v\"]}", RequestBatch.VALUE_RAW, "set", "k", "v");
        assertEquals(List.of(JsonRequestTable.STYLE_GENERIC), styles);
        assertRequest("{\"cmd\":\"dbsize\",\"args\":[]}", RequestBatch.VALUE_RAW, "dbsize");
    }

    @Test
    void stringsAreDecoded()
    {
        assertRequest("{\"cmd\":\"get\",\"key\":\"a\\\"b\\\\c\\/\\n\\r\\t\\b\\f\\u00e9\\ud83d\\ude00é€\"}",
            RequestBatch.VALUE_RAW, "GET", utf8("a\"b\\c/\n\r\t\b\fé😀é€"));
    }

    @Test
    void idsAreRecordedAsTheirJsonText()
    {
        final ParseLoop loop = parse("{\"id\":7,\"cmd\":\"ping\"}\n{\"cmd\":\"ping\",\"id\":\"a b\"}\n" +
            "{\"cmd\":\"ping\",\"id\":null}\n{\"cmd\":\"ping\"}\n{\"id\":-1.5e3,\"cmd\":\"get\",\"key\":\"k\"}\n");
        assertEquals(5, loop.requests.size());
        assertEquals(java.util.Arrays.asList("7", "\"a b\"", "null", null, "-1.5e3"), ids);
    }

    @Test
    void invalidJsonIsAnsweredAndTheConnectionGoesOn()
    {
        assertRejected("{\"cmd\":\"get\"", "ERR invalid JSON: expected ',' or '}' at byte 12");
        assertRejected("{cmd:\"get\"}", "ERR invalid JSON: expected a field name at byte 1");
        assertRejected("{\"cmd\":\"get\",}", "ERR invalid JSON: expected a field name at byte 13");
        assertRejected("[1,2", "ERR invalid JSON: expected ',' or ']' at byte 4");
        assertRejected("{\"a\":tru}", "ERR invalid JSON: invalid literal at byte 5");
        assertRejected("{\"a\":01}", "ERR invalid JSON: expected ',' or '}' at byte 6");
        assertRejected("{\"a\":1.}", "ERR invalid JSON: invalid number at byte 5");
        assertRejected("{\"a\":-}", "ERR invalid JSON: invalid number at byte 5");
        assertRejected("{\"a\":\"\\x\"}", "ERR invalid JSON: invalid escape at byte 6");
        assertRejected("{\"a\":\"\\u12\"}", "ERR invalid JSON: invalid \\u escape at byte 6");
        assertRejected("{\"a\":\"\\ud800\"}", "ERR invalid JSON: unpaired surrogate in \\u escape at byte 6");
        assertRejected("{\"a\":\"\\udc00\"}", "ERR invalid JSON: unpaired surrogate in \\u escape at byte 6");
        assertRejected("{\"a\":\"x\u0001\"}", "ERR invalid JSON: control character in string at byte 7");
        assertRejected("{\"a\":\"x} ", "ERR invalid JSON: unterminated string at byte 5");
        assertRejected("{} x", "ERR invalid JSON: unexpected data after the JSON value at byte 3");
        assertRejected("{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}",
            "ERR invalid JSON: nesting deeper than 128 at byte 132");
        assertRejected("hello", "ERR invalid JSON: unexpected character at byte 0");
        assertRejected("\u0000\u0001garbage", "ERR invalid JSON: unexpected character at byte 0");
    }

    @Test
    void invalidUtf8IsRejected()
    {
        final byte[] line =
            "{\"cmd\":\"get\",\"key\":\"a?\"}\n{\"cmd\":\"ping\"}\n".getBytes(StandardCharsets.US_ASCII);
        line[21] = (byte)0xC0;
        final ParseLoop loop = loop(1 << 16).feed(line);
        assertEquals(List.of("ERR invalid JSON: invalid UTF-8 at byte 21"), loop.errors);
        assertEquals(List.of(List.of("PING")), loop.requests);
    }

    @Test
    void jsonThatIsNotAnObjectIsNotARequest()
    {
        assertRejected("[1,2]", JsonLineParser.NOT_AN_OBJECT);
        assertRejected("\"get\"", JsonLineParser.NOT_AN_OBJECT);
        assertRejected("42", JsonLineParser.NOT_AN_OBJECT);
        assertRejected("null", JsonLineParser.NOT_AN_OBJECT);
    }

    @Test
    void wrongShapesAndTypesNameTheProblem()
    {
        assertRejected("{}", "ERR invalid request: missing field 'cmd'");
        assertRejected("{\"key\":\"k\"}", "ERR invalid request: missing field 'cmd'");
        assertRejected("{\"cmd\":1}", "ERR invalid request: field 'cmd' must be a string");
        assertRejected("{\"cmd\":\"get\",\"key\":\"k\",\"color\":1}", "ERR invalid request: unknown field 'color'");
        assertRejected("{\"cmd\":\"get\",\"key\":\"k\",\"key\":\"j\"}", "ERR invalid request: duplicate field 'key'");
        assertRejected("{\"cmd\":\"set\",\"key\":\"k\"}", "ERR invalid request: 'set' needs field 'value'");
        assertRejected("{\"cmd\":\"get\"}", "ERR invalid request: 'get' needs field 'key'");
        assertRejected("{\"cmd\":\"get\",\"key\":\"k\",\"value\":1}",
            "ERR invalid request: field 'value' is not allowed with 'cmd' 'get'");
        assertRejected("{\"cmd\":\"zadd\",\"key\":\"k\"}",
            "ERR invalid request: field 'key' is not allowed with 'cmd' 'zadd'");
        assertRejected("{\"cmd\":\"get\",\"key\":1}",
            "ERR invalid request: field 'key' must be a string or a {\"$base64\":\"...\"} object");
        assertRejected("{\"cmd\":\"get\",\"key\":{\"a\":1}}",
            "ERR invalid request: field 'key' must be a string or a {\"$base64\":\"...\"} object");
        assertRejected("{\"cmd\":\"set\",\"key\":\"k\",\"value\":1,\"ex\":\"10\"}",
            "ERR invalid request: field 'ex' must be an integer");
        assertRejected("{\"cmd\":\"set\",\"key\":\"k\",\"value\":1,\"px\":1.5}",
            "ERR invalid request: field 'px' must be an integer");
        assertRejected("{\"cmd\":\"set\",\"key\":\"k\",\"value\":1,\"nx\":\"yes\"}",
            "ERR invalid request: field 'nx' must be true or false");
        assertRejected("{\"cmd\":\"incr\",\"key\":\"k\",\"by\":\"2\"}",
            "ERR invalid request: field 'by' must be an integer");
        assertRejected("{\"cmd\":\"expire\",\"key\":\"k\"}", "ERR invalid request: 'expire' needs field 'seconds'");
        assertRejected("{\"cmd\":\"del\"}", "ERR invalid request: 'del' needs exactly one of 'key' or 'keys'");
        assertRejected("{\"cmd\":\"del\",\"key\":\"a\",\"keys\":[\"b\"]}",
            "ERR invalid request: 'del' needs exactly one of 'key' or 'keys'");
        assertRejected("{\"cmd\":\"del\",\"keys\":\"a\"}",
            "ERR invalid request: field 'keys' must be an array of strings");
        assertRejected("{\"cmd\":\"del\",\"keys\":[\"a\",1]}",
            "ERR invalid request: field 'keys' must be an array of strings");
        assertRejected("{\"cmd\":\"mget\",\"args\":\"a\"}", "ERR invalid request: field 'args' must be an array");
        assertRejected("{\"cmd\":\"mget\",\"args\":[[\"a\"]]}", JsonLineParser.INVALID_ARG);
        assertRejected("{\"cmd\":\"mget\",\"args\":[true]}", JsonLineParser.INVALID_ARG);
        assertRejected("{\"cmd\":\"mget\",\"args\":[{\"a\":1}]}", JsonLineParser.INVALID_ARG);
        assertRejected("{\"cmd\":\"mget\",\"args\":[{\"$base64\":\"***\"}]}", JsonLineParser.INVALID_BASE64);
        assertRejected("{\"cmd\":\"set\",\"key\":\"k\",\"value\":{\"$base64\":\"a\"}}", JsonLineParser.INVALID_BASE64);
        assertRejected("{\"cmd\":\"ping\",\"id\":{\"a\":1}}", JsonLineParser.INVALID_ID);
        assertRejected("{\"cmd\":\"ping\",\"id\":[1]}", JsonLineParser.INVALID_ID);
    }

    @Test
    void rejectedLinesEchoTheirIdWhenItCouldBeRead()
    {
        final ParseLoop loop = parse("{\"id\":5,\"cmd\":\"get\",\"key\":1}\n{\"cmd\":\"get\",\"id\":\"x\"}\n" +
            "{\"id\":6,\"cmd\":\"ping\"}\n{\"id\":7,\"cmd\":\n{\"cmd\":\"nope\",\"key\":1,\"id\":8}\n");
        assertEquals(4, loop.errors.size());
        assertEquals(java.util.Arrays.asList("5", "\"x\"", null, "8"), errorIds);
        assertEquals(List.of("6"), ids);
    }

    @Test
    void oversizedLinesAreAnsweredOnceAndSkippedWithoutBufferingThem()
    {
        final ParseLoop loop = loop(100);
        loop.feed("{\"cmd\":\"ping\"}\n");
        final String big = "{\"cmd\":\"set\",\"key\":\"k\",\"value\":\"" + "x".repeat(5000) + "\"}";
        for (int i = 0; i < big.length(); i += 37)
        {
            loop.feed(big.substring(i, Math.min(big.length(), i + 37)));
        }
        loop.feed("\n{\"cmd\":\"get\",\"key\":\"k\"}\n");
        assertEquals(List.of("ERR invalid request: line longer than 100 bytes"), loop.errors);
        assertEquals(List.of(List.of("PING"), List.of("GET", "k")), loop.requests);
        assertEquals(256, loop.maxCapacitySeen, "the oversized line was never buffered whole");

        final ParseLoop atOnce = loop(100).feed(big + "\n{\"cmd\":\"ping\"}\n");
        assertEquals(List.of("ERR invalid request: line longer than 100 bytes"), atOnce.errors);
        assertEquals(List.of(List.of("PING")), atOnce.requests);
    }

    @Test
    void unauthenticatedClientsAreLimitedToShortLines()
    {
        final String big = "{\"cmd\":\"set\",\"key\":\"k\",\"value\":\"" + "x".repeat(70_000) + "\"}\n";
        final ParseLoop refused = loop(1 << 20, false).feed(big + "{\"cmd\":\"ping\"}\n");
        assertEquals(List.of("ERR invalid request: line longer than 65536 bytes before AUTH"), refused.errors);
        assertEquals(List.of(List.of("PING")), refused.requests);
        assertTrue(refused.maxCapacitySeen <= 2 * JsonLineParser.UNAUTHENTICATED_MAX_LINE_LENGTH);

        final ParseLoop afterAuth = loop(1 << 20, false);
        afterAuth.onBatch = afterAuth.onBatch.andThen(batch -> batch.session().authenticated(true));
        afterAuth.feed("{\"cmd\":\"auth\",\"args\":[\"pw\"]}\n" + big);
        assertEquals(List.of(), afterAuth.errors);
        assertEquals(2, afterAuth.requests.size());
        assertEquals(List.of(1, 1), afterAuth.batchSizes);

        // both lines in one read: the batch stops before the long line, which is parsed again after the AUTH ran
        final JsonLineParser parser = new JsonLineParser(table);
        final io.ringkv.net.codec.ReadBuffer readBuffer = new io.ringkv.net.codec.ReadBuffer(1 << 20, 1 << 20);
        final byte[] input = ("{\"cmd\":\"auth\",\"args\":[\"pw\"]}\n" + big).getBytes(StandardCharsets.UTF_8);
        readBuffer.append(input, 0, input.length);
        final RequestBatch batch = new RequestBatch(new io.ringkv.core.command.ClientSession(2, false),
            new JsonLineReply(table, new ReplyBuffer(64)));
        assertEquals(io.ringkv.net.codec.RequestParser.PARSE_AGAIN,
            parser.parse(readBuffer.buffer(), 0, readBuffer.limit(), batch));
        assertEquals(1, batch.requestCount());
        batch.session().authenticated(true);
        assertEquals(io.ringkv.net.codec.RequestParser.OK,
            parser.parse(readBuffer.buffer(), parser.consumed(), readBuffer.limit(), batch));
        assertEquals(1, batch.requestCount());
        assertEquals(input.length, parser.consumed());
    }

    @Test
    void pipelinedLinesSplitAtEveryByte()
    {
        final String input = "{\"cmd\":\"set\",\"key\":\"k\",\"value\":{\"a\":[1,2]}}\r\n\n  \n" +
            "{\"cmd\":\"get\",\"key\":\"é\"}\n{\"bad\"\n{\"cmd\":\"incr\",\"key\":\"n\",\"by\":2}\n";
        final byte[] all = input.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= all.length; split++)
        {
            final ParseLoop loop = loop(1 << 16);
            loop.feed(java.util.Arrays.copyOfRange(all, 0, split));
            loop.feed(java.util.Arrays.copyOfRange(all, split, all.length));
            assertEquals(List.of(List.of("SET", "k", "{\"a\":[1,2]}"), List.of("GET", utf8("é")),
                List.of("INCRBY", "n", "2")), loop.requests, "split " + split);
            assertEquals(1, loop.errors.size(), "split " + split);
        }
    }

    @Test
    void mutatedLinesEachGetExactlyOneOutcome()
    {
        final long seed = System.nanoTime();
        final java.util.Random random = new java.util.Random(seed);
        final String[] valid = {
            "{\"id\":1,\"cmd\":\"set\",\"key\":\"k\\u00e9\",\"value\":{\"a\":[1,2.5,\"x\",null,true]},\"ex\":5}",
            "{\"cmd\":\"mset\",\"args\":[\"a\",1,{\"$base64\":\"/w==\"}]}",
            "{\"cmd\":\"del\",\"keys\":[\"a\",\"b\"],\"id\":\"x\"}"};
        final byte[] alphabet =
            "{}[]:,\"\\ 0123456789-+.eEtrufalsn$x\u00c3\u00a9\t\r".getBytes(StandardCharsets.ISO_8859_1);
        for (int round = 0; round < 2000; round++)
        {
            final byte[] line = valid[random.nextInt(valid.length)].getBytes(StandardCharsets.UTF_8);
            for (int m = 1 + random.nextInt(3); m > 0; m--)
            {
                line[random.nextInt(line.length)] = random.nextBoolean() ?
                    alphabet[random.nextInt(alphabet.length)] : (byte)random.nextInt(256);
            }
            final byte[] input = java.util.Arrays.copyOf(line, line.length + 1);
            input[line.length] = '\n';
            final String text = new String(input, StandardCharsets.ISO_8859_1);
            int expected = 0;
            for (final String part : text.split("\n"))
            {
                if (!part.replaceAll("[ \t\r]", "").isEmpty())
                {
                    expected++;
                }
            }
            final ParseLoop loop;
            try
            {
                loop = loop(1 << 16).feed(input);
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("seed " + seed + " input " + text, ex);
            }
            assertEquals(expected, loop.requests.size() + loop.errors.size(), "seed " + seed + " input " + text);
            assertFalse(loop.closed);
        }
    }

    @Test
    void thousandsOfPipelinedLines()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            sb.append("{\"id\":").append(i).append(",\"cmd\":\"set\",\"key\":\"k").append(i).append("\",\"value\":")
                .append(i).append("}\n");
        }
        final ParseLoop loop = parse(sb.toString());
        assertEquals(3000, loop.requests.size());
        assertEquals(List.of("SET", "k2999", "2999"), loop.requests.get(2999));
        assertEquals("2999", ids.get(2999));
        assertTrue(loop.batchSizes.size() < 3000, "complete lines of one read are one batch");
    }

    @Test
    void batchRequestLimitAndQuitEndABatch()
    {
        final ParseLoop loop = loop(1 << 16);
        loop.parser.batchRequestLimit(2);
        loop.feed(("{\"id\":1,\"cmd\":\"ping\"}\n{\"id\":2,\"cmd\":\"ping\"}\n{\"id\":3,\"cmd\":\"quit\"}\n" +
            "{\"id\":4,\"cmd\":\"get\",\"key\":\"k\"}\n{\"id\":5,\"cmd\":\"ping\"}\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(2, 1, 2), loop.batchSizes);
        assertEquals(List.of("1", "2", "3", "4", "5"), ids);
        assertEquals(List.of("quit"), loop.requests.get(2));
    }
}
