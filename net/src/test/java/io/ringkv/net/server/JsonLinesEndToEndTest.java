package io.ringkv.net.server;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JSON lines over a raw socket: every bad line gets its error and the next good line works, on the same
 * connection, with the data untouched; giant lines are refused without being buffered; bytes that are not UTF-8
 * travel as {@code {"$base64":...}} and round-trip byte for byte with RESP clients.
 */
class JsonLinesEndToEndTest
{
    private static final String[][] BAD_LINES = {
        { "{oops", "{\"error\":\"ERR invalid JSON: expected a field name at byte 1\"}" },
        { "{\"cmd\":\"ping\"", "{\"error\":\"ERR invalid JSON: expected ',' or '}' at byte 13\"}" },
        { "{\"cmd\":\"get\",\"key\":\"k\"} x",
            "{\"error\":\"ERR invalid JSON: unexpected data after the JSON value at byte 24\"}" },
        { "\u0000\u0001garbage", "{\"error\":\"ERR invalid JSON: unexpected character at byte 0\"}" },
        { "{\"a\":".repeat(200) + "1" + "}".repeat(200),
            "{\"error\":\"ERR invalid JSON: nesting deeper than 128 at byte 640\"}" },
        { "[1,2]", "{\"error\":\"ERR invalid request: a line must hold one JSON object\"}" },
        { "\"set\"", "{\"error\":\"ERR invalid request: a line must hold one JSON object\"}" },
        { "{}", "{\"error\":\"ERR invalid request: missing field 'cmd'\"}" },
        { "{\"cmd\":5}", "{\"error\":\"ERR invalid request: field 'cmd' must be a string\"}" },
        { "{\"cmd\":\"set\",\"key\":\"guard\"}", "{\"error\":\"ERR invalid request: 'set' needs field 'value'\"}" },
        { "{\"cmd\":\"set\",\"key\":\"guard\",\"value\":1,\"ex\":\"10\"}",
            "{\"error\":\"ERR invalid request: field 'ex' must be an integer\"}" },
        { "{\"cmd\":\"set\",\"key\":\"guard\",\"value\":1,\"nx\":1}",
            "{\"error\":\"ERR invalid request: field 'nx' must be true or false\"}" },
        { "{\"cmd\":\"set\",\"key\":\"guard\",\"value\":1,\"bogus\":1}",
            "{\"error\":\"ERR invalid request: unknown field 'bogus'\"}" },
        { "{\"cmd\":\"set\",\"key\":\"guard\",\"key\":\"x\",\"value\":1}",
            "{\"error\":\"ERR invalid request: duplicate field 'key'\"}" },
        { "{\"cmd\":\"get\",\"key\":\"guard\",\"value\":1}",
            "{\"error\":\"ERR invalid request: field 'value' is not allowed with 'cmd' 'get'\"}" },
        { "{\"cmd\":\"set\",\"key\":\"guard\",\"value\":{\"$base64\":\"!!\"}}",
            "{\"error\":\"ERR invalid request: invalid base64 in a '$base64' value\"}" },
        { "{\"id\":[1],\"cmd\":\"del\",\"key\":\"guard\"}",
            "{\"error\":\"ERR invalid request: field 'id' must be a string, number, true, false or null\"}" },
        { "{\"id\":3,\"cmd\":\"incr\",\"key\":\"guard\",\"by\":1.5}",
            "{\"id\":3,\"error\":\"ERR invalid request: field 'by' must be an integer\"}" },
        { "{\"cmd\":\"del\"}", "{\"error\":\"ERR invalid request: 'del' needs exactly one of 'key' or 'keys'\"}" },
        { "{\"cmd\":\"del\",\"args\":[[\"guard\"]]}", "{\"error\":\"ERR invalid request: 'args' elements must be " +
            "strings, numbers or {\\\"$base64\\\":\\\"...\\\"} objects\"}" },
        { "{\"cmd\":\"incr\",\"key\":\"guard\"}", "{\"error\":\"ERR value is not an integer or out of range\"}" },
        { "{\"cmd\":\"nosuch\"}", "{\"error\":\"ERR unknown command 'nosuch', with args beginning with: \"}" },
    };

    /**
     * Before, JSON lines ignored proto-max-bulk-len: a 2 MB value was stored after {@code CONFIG SET
     * proto-max-bulk-len 1mb}, and json-max-line-length was documented but was no option.
     */
    @Test
    void protoMaxBulkLenAndJsonMaxLineLengthBoundJsonLinesLosingNothingElse() throws Exception
    {
        try (TestServer server = TestServer.start(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("OK", jedis.configSet("proto-max-bulk-len", "1mb"));
            assertEquals("OK", jedis.configSet("json-max-line-length", "3mb"));
            assertEquals("3145728", jedis.configGet("json-max-line-length").get("json-max-line-length"));
            final String big = "x".repeat(2 * 1024 * 1024);
            final String bigBase64 = Base64.getEncoder().encodeToString(new byte[1024 * 1024 + 1]);
            final String tooBig = "{\"error\":\"ERR invalid request: an argument or value is longer than " +
                "proto-max-bulk-len (1048576 bytes)\"}";
            try (RawConnection client = new RawConnection(server.port()))
            {
                client.send(("{\"cmd\":\"set\",\"key\":\"a\",\"value\":\"before\"}\n" +
                    "{\"cmd\":\"set\",\"key\":\"big\",\"value\":\"" + big + "\"}\n" +
                    "{\"id\":2,\"cmd\":\"set\",\"args\":[\"big\",\"" + big + "\"]}\n" +
                    "{\"cmd\":\"set\",\"key\":\"big\",\"value\":{\"$base64\":\"" + bigBase64 + "\"}}\n" +
                    "{\"cmd\":\"set\",\"key\":\"big\",\"value\":[\"" + big + "\"]}\n" +
                    "{\"cmd\":\"set\",\"key\":\"b\",\"value\":\"after\"}\n" +
                    "{\"cmd\":\"get\",\"key\":\"" + "k".repeat(4 * 1024 * 1024) + "\"}\n" +
                    "{\"cmd\":\"mget\",\"args\":[\"a\",\"b\",\"big\"]}\n").getBytes(StandardCharsets.UTF_8));
                assertEquals("{}", client.readLine());
                assertEquals(tooBig, client.readLine());
                assertEquals("{\"id\":2," + tooBig.substring(1), client.readLine());
                assertEquals(tooBig, client.readLine());
                assertEquals(tooBig, client.readLine());
                assertEquals("{}", client.readLine());
                assertEquals("{\"error\":\"ERR invalid request: line longer than 3145728 bytes\"}", client.readLine());
                assertEquals("{\"value\":[\"before\",\"after\",null]}", client.readLine());
            }
            assertEquals(2, jedis.dbSize());
        }
    }

    @Test
    void everyBadLineIsAnsweredAndTheNextGoodLineWorks() throws Exception
    {
        try (TestServer server = TestServer.start(); RawConnection client = new RawConnection(server.port()))
        {
            client.send("{\"cmd\":\"set\",\"key\":\"guard\",\"value\":\"kept\"}\n");
            assertEquals("{}", client.readLine());
            final StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < BAD_LINES.length; i++)
            {
                pipeline.append(BAD_LINES[i][0]).append('\n');
                pipeline.append("{\"id\":").append(i).append(",\"cmd\":\"get\",\"key\":\"guard\"}\n");
            }
            pipeline.append("{\"cmd\":\"dbsize\"}\n");
            client.send(pipeline.toString().getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < BAD_LINES.length; i++)
            {
                assertEquals(BAD_LINES[i][1], client.readLine(), BAD_LINES[i][0]);
                assertEquals("{\"id\":" + i + ",\"value\":\"kept\"}", client.readLine(), BAD_LINES[i][0]);
            }
            assertEquals("{\"value\":1}", client.readLine());
        }
    }

    @Test
    void invalidUtf8InALineIsAnErrorForThatLineOnly() throws Exception
    {
        try (TestServer server = TestServer.start(); RawConnection client = new RawConnection(server.port()))
        {
            client.send(new byte[]{ '{', '"', 'c', 'm', 'd', '"', ':', '"', (byte)0xFF, '"', '}', '\n' });
            client.send("{\"cmd\":\"ping\",\"message\":\"still here\"}\n");
            assertEquals("{\"error\":\"ERR invalid JSON: invalid UTF-8 at byte 8\"}", client.readLine());
            assertEquals("{\"value\":\"still here\"}", client.readLine());
        }
    }

    /**
     * Before AUTH a line may be 64 KB; a longer one is answered once and discarded as it arrives, never buffered
     * (5 MB sent here in pieces, memory flat), and the connection goes on with the next line.
     */
    @Test
    void giantLinesAreRefusedWithoutBufferingThemAndLargeLinesWorkAfterAuth() throws Exception
    {
        try (TestServer server = TestServer.start("requirepass", "pw");
            RawConnection client = new RawConnection(server.port()))
        {
            final long directBefore = MalformedRespEndToEndTest.directMemoryUsed();
            client.send("{\"cmd\":\"set\",\"key\":\"giant\",\"value\":\"");
            final String piece = "g".repeat(64 * 1024);
            for (int i = 0; i < 80; i++)
            {
                client.send(piece);
            }
            assertEquals("{\"error\":\"ERR invalid request: line longer than 65536 bytes before AUTH\"}",
                client.readLine());
            client.send("\"}\n{\"cmd\":\"auth\",\"args\":[\"pw\"]}\n");
            assertEquals("{\"value\":\"OK\"}", client.readLine());
            assertTrue(MalformedRespEndToEndTest.directMemoryUsed() - directBefore < 4 * 1024 * 1024,
                "direct memory grew by " + (MalformedRespEndToEndTest.directMemoryUsed() - directBefore));

            final String large = "L".repeat(4 * 1024 * 1024);
            client.send("{\"cmd\":\"set\",\"key\":\"large\",\"value\":\"" + large + "\"}\n{\"cmd\":\"strlen\"," +
                "\"args\":[\"large\"]}\n{\"cmd\":\"exists\",\"key\":\"giant\"}\n");
            assertEquals("{}", client.readLine());
            assertEquals("{\"value\":" + large.length() + "}", client.readLine());
            assertEquals("{\"value\":0}", client.readLine());
        }
    }

    @Test
    void bytesThatAreNotUtf8RoundTripThroughJsonAndResp() throws Exception
    {
        final Random random = new Random(42);
        final byte[] key = new byte[300];
        final byte[] value = new byte[4096];
        random.nextBytes(key);
        random.nextBytes(value);
        key[0] = (byte)0xFF;
        value[0] = (byte)0xC0;
        final Base64.Encoder base64 = Base64.getEncoder();
        try (TestServer server = TestServer.start();
            RawConnection json = new RawConnection(server.port());
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            // JSON writes, RESP reads
            json.send("{\"cmd\":\"set\",\"key\":{\"$base64\":\"" + base64.encodeToString(key) + "\"},\"value\":" +
                "{\"$base64\":\"" + base64.encodeToString(value) + "\"}}\n");
            assertEquals("{}", json.readLine());
            assertArrayEquals(value, jedis.get(key));

            // RESP writes, JSON reads: the reply carries base64, which decodes to the very bytes
            final byte[] other = new byte[]{ 0, (byte)0x80, (byte)0xED, (byte)0xA0, (byte)0x80, 'x', (byte)0xF8 };
            jedis.set("resp-written".getBytes(StandardCharsets.US_ASCII), other);
            json.send("{\"cmd\":\"get\",\"key\":\"resp-written\"}\n{\"cmd\":\"get\",\"key\":{\"$base64\":\"" +
                base64.encodeToString(key) + "\"}}\n");
            assertArrayEquals(other, decodeBase64Value(json.readLine()));
            assertArrayEquals(value, decodeBase64Value(json.readLine()));

            // and what JSON read can be written back unchanged, also through the generic form
            json.send("{\"cmd\":\"append\",\"args\":[\"copy\",{\"$base64\":\"" + base64.encodeToString(other) +
                "\"}]}\n");
            assertEquals("{\"value\":" + other.length + "}", json.readLine());
            assertArrayEquals(other, jedis.get("copy".getBytes(StandardCharsets.US_ASCII)));

            // valid UTF-8 that is not ASCII stays a plain JSON string both ways
            jedis.set("text", "héllo €𝄞");
            json.send("{\"cmd\":\"get\",\"key\":\"text\"}\n");
            assertEquals("{\"value\":\"héllo €𝄞\"}", json.readLine());
        }
    }

    private static byte[] decodeBase64Value(final String line)
    {
        final Matcher matcher = Pattern.compile("^\\{\"value\":\\{\"\\$base64\":\"([A-Za-z0-9+/=]*)\"}}$").matcher(line);
        assertTrue(matcher.matches(), line);
        return Base64.getDecoder().decode(matcher.group(1));
    }

    @Test
    void aBlockingCommandWaitsOnAJsonLinesConnectionAndIsAnsweredInJson() throws Exception
    {
        try (TestServer server = TestServer.start(); Jedis jedis = new Jedis("127.0.0.1", server.port());
            RawConnection client = new RawConnection(server.port()))
        {
            client.send(("{\"id\":1,\"cmd\":\"blpop\",\"args\":[\"jq\",0]}\n{\"id\":2,\"cmd\":\"ping\"}\n")
                .getBytes(StandardCharsets.UTF_8));
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (!jedis.info("clients").contains("blocked_clients:1"))
            {
                assertTrue(System.nanoTime() < deadline, "never blocked");
                Thread.sleep(2);
            }
            jedis.rpush("jq", "hello");
            assertEquals("{\"id\":1,\"value\":[\"jq\",\"hello\"]}", client.readLine());
            assertEquals("{\"id\":2,\"value\":\"PONG\"}", client.readLine());
        }
    }
}
