package io.ringkv.net.server;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerSmokeTest
{
    @Test
    void jedisAndJsonLinesShareOneKeyspace() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port());
            Socket socket = new Socket("127.0.0.1", server.port()))
        {
            assertEquals("OK", jedis.set("greeting", "hello"));
            assertEquals("hello", jedis.get("greeting"));
            assertEquals(1, jedis.incr("counter"));
            assertNull(jedis.get("missing"));
            final JedisDataException unknown = assertThrows(JedisDataException.class,
                () -> jedis.sendCommand(() -> "BOGUS".getBytes(StandardCharsets.US_ASCII), "x"));
            assertEquals("ERR unknown command 'BOGUS', with args beginning with: 'x' ", unknown.getMessage());

            final OutputStream out = socket.getOutputStream();
            final BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.write(("{\"cmd\":\"get\",\"key\":\"greeting\"}\n{\"cmd\":\"incr\",\"key\":\"counter\",\"id\":9}\n" +
                "{\"cmd\":\"set\",\"key\":\"doc\",\"value\":{\"a\":1,\"b\":[1,2,5]}}\n{oops\n{\"cmd\":\"ping\"}\n")
                .getBytes(StandardCharsets.UTF_8));
            assertEquals("{\"value\":\"hello\"}", in.readLine());
            assertEquals("{\"id\":9,\"value\":2}", in.readLine());
            assertEquals("{}", in.readLine());
            assertTrue(in.readLine().startsWith("{\"error\":\"ERR invalid JSON"));
            assertEquals("{\"value\":\"PONG\"}", in.readLine());

            assertEquals("{\"a\":1,\"b\":[1,2,5]}", jedis.get("doc"));
            assertEquals(2, jedis.incrBy("counter", 0));
        }
    }

    @Test
    void requirepassGatesCommandsUntilAuth() throws Exception
    {
        try (TestServer server = TestServer.start("requirepass", "s3cret");
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("NOAUTH Authentication required.",
                assertThrows(JedisDataException.class, () -> jedis.get("k")).getMessage());
            assertEquals("WRONGPASS invalid username-password pair or user is disabled.",
                assertThrows(JedisDataException.class, () -> jedis.auth("nope")).getMessage());
            assertEquals("OK", jedis.auth("s3cret"));
            assertEquals("OK", jedis.set("k", "v"));
        }
    }

    @Test
    void protectedModeRefusesAnOpenPasswordlessListener()
    {
        final IllegalStateException refused =
            assertThrows(IllegalStateException.class, () -> TestServer.start("bind", "0.0.0.0"));
        assertTrue(refused.getMessage().contains("protected-mode"), refused.getMessage());
    }
}
