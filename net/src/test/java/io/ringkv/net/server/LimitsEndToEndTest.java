package io.ringkv.net.server;

import io.ringkv.core.testing.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.ringkv.net.server.PipelineEndToEndTest.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis's per-client limits end to end, each on a server configured small: maxclients, client-query-buffer-limit,
 * proto-max-bulk-len, idle timeout, the limits before AUTH; plus AUTH and RESP3. A client over a limit is closed
 * (with Redis's error where Redis sends one) and the others never notice.
 */
class LimitsEndToEndTest
{
    private static final String CLOSED_MAXCLIENTS = "-ERR max number of clients reached\r\n";

    @Test
    void oneClientOverMaxclientsIsRefusedAndClosedOthersUnaffected() throws Exception
    {
        try (TestServer server = TestServer.start("maxclients", "3"))
        {
            final List<Jedis> admitted = new ArrayList<>();
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    final Jedis jedis = new Jedis("127.0.0.1", server.port());
                    assertEquals("OK", jedis.set("client:" + i, "here"));
                    admitted.add(jedis);
                }
                try (RawConnection refused = new RawConnection(server.port()))
                {
                    assertEquals(new RawConnection.Received(CLOSED_MAXCLIENTS.getBytes(StandardCharsets.US_ASCII),
                        true), refused.readUntilClosedOrQuiet(5_000));
                }
                for (final Jedis jedis : admitted)
                {
                    assertEquals("PONG", jedis.ping());
                }
                admitted.remove(0).close();
                awaitClients(server, 2);
                try (Jedis again = new Jedis("127.0.0.1", server.port()))
                {
                    assertEquals("here", again.get("client:2"));
                }
            }
            finally
            {
                admitted.forEach(Jedis::close);
            }
        }
    }

    /**
     * A request that cannot fit in the query buffer limit closes its client without a reply, as Redis does once the
     * bytes arrive (ringkv decides as soon as the bulk header announces them); nothing is stored.
     */
    @Test
    void clientOverTheQueryBufferLimitIsClosedAndStoresNothing() throws Exception
    {
        try (TestServer server = TestServer.start("client-query-buffer-limit", "1mb");
            Jedis other = new Jedis("127.0.0.1", server.port()))
        {
            final String fits = "f".repeat(900 * 1024);
            assertEquals("OK", other.set("fits", fits));
            try (RawConnection client = new RawConnection(server.port()))
            {
                client.send("*3\r\n$3\r\nSET\r\n$4\r\nhuge\r\n$" + 2 * 1024 * 1024 + "\r\n" + "h".repeat(64 * 1024));
                assertEquals(new RawConnection.Received(new byte[0], true), client.readUntilClosedOrQuiet(5_000));
            }
            assertNull(other.get("huge"));
            assertEquals(fits, other.get("fits"));
            assertEquals(1, other.dbSize());
        }
    }

    @Test
    void bulkOverProtoMaxBulkLenGetsRedisErrorAndClose() throws Exception
    {
        final String request = "*3\r\n$3\r\nSET\r\n$4\r\nhuge\r\n$" + (1024 * 1024 + 1) + "\r\n";
        final RawConnection.Received expected;
        try (RedisServerProcess redis = RedisServerProcess.start("--proto-max-bulk-len", "1mb");
            RawConnection client = new RawConnection(redis.port()))
        {
            expected = client.send(request).readUntilClosedOrQuiet(5_000);
        }
        assertEquals("-ERR Protocol error: invalid bulk length\r\n [closed]", expected.toString().replace("\\r\\n",
            "\r\n"));
        try (TestServer server = TestServer.start("proto-max-bulk-len", "1mb");
            RawConnection client = new RawConnection(server.port());
            Jedis other = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(expected, client.send(request).readUntilClosedOrQuiet(5_000));
            final String largest = "x".repeat(1024 * 1024);
            assertEquals("OK", other.set("largest", largest));
            assertEquals(largest, other.get("largest"));
            assertEquals(1, other.dbSize());
        }
    }

    @Test
    void idleClientIsClosedAfterTimeoutActiveOneIsNot() throws Exception
    {
        try (TestServer server = TestServer.start("timeout", "1");
            RawConnection idle = new RawConnection(server.port());
            Jedis active = new Jedis("127.0.0.1", server.port()))
        {
            idle.send("PING\r\n");
            assertEquals("+PONG", idle.readLine());
            final long endNs = System.nanoTime() + 3_500_000_000L;
            while (System.nanoTime() < endNs)
            {
                assertEquals("PONG", active.ping());
                Thread.sleep(200);
            }
            assertTrue(idle.closesWithin(5_000), "the idle client is closed");
            assertEquals("PONG", active.ping());
        }
    }

    @Test
    void authFlowsWithJedis() throws Exception
    {
        try (TestServer server = TestServer.start("requirepass", "s3cret");
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("NOAUTH Authentication required.",
                assertThrows(JedisDataException.class, () -> jedis.set("k", "v")).getMessage());
            assertEquals("WRONGPASS invalid username-password pair or user is disabled.",
                assertThrows(JedisDataException.class, () -> jedis.auth("wrong")).getMessage());
            assertEquals("OK", jedis.auth("default", "s3cret"));
            assertEquals("OK", jedis.set("k", "v"));

            try (Jedis resp3 = new Jedis("127.0.0.1", server.port(), DefaultJedisClientConfig.builder()
                .protocol(RedisProtocol.RESP3).password("s3cret").build()))
            {
                assertEquals("v", resp3.get("k"));
                assertNull(resp3.get("missing"));
                assertEquals(1, resp3.incr("n"));
                assertEquals(-1, resp3.ttl("k"));
            }
            assertEquals("WRONGPASS invalid username-password pair or user is disabled.",
                assertThrows(JedisDataException.class, () ->
                {
                    try (Jedis wrong = new Jedis("127.0.0.1", server.port(), DefaultJedisClientConfig.builder()
                        .protocol(RedisProtocol.RESP3).password("nope").build()))
                    {
                        wrong.ping();
                    }
                }).getMessage());
        }
    }

    /**
     * Before AUTH a request may have at most 10 arguments of 16 KB (Redis 7, CVE-2021-32675); an AUTH pipelined
     * ahead of a larger request lifts the limits for it.
     */
    @Test
    void unauthenticatedLimitsAsRedis() throws Exception
    {
        final String tooMany = "*11\r\n";
        final String tooLong = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$16385\r\n";
        final String authThenLong = "AUTH pw\r\n" + multibulk("SET", "k", "v".repeat(20_000)) + "STRLEN k\r\n";
        final String noauth = "GET k\r\n";
        final List<RawConnection.Received> expected = new ArrayList<>();
        try (RedisServerProcess redis = RedisServerProcess.start("--requirepass", "pw"))
        {
            for (final String input : List.of(tooMany, tooLong, authThenLong, noauth))
            {
                try (RawConnection client = new RawConnection(redis.port()))
                {
                    expected.add(client.send(input).readUntilClosedOrQuiet(300));
                }
            }
        }
        assertEquals("-ERR Protocol error: unauthenticated multibulk length\r\n", expected.get(0).text());
        assertEquals("-ERR Protocol error: unauthenticated bulk length\r\n", expected.get(1).text());
        assertEquals("+OK\r\n+OK\r\n:20000\r\n", expected.get(2).text());
        assertFalse(expected.get(3).closed());
        try (TestServer server = TestServer.start("requirepass", "pw"))
        {
            int i = 0;
            for (final String input : List.of(tooMany, tooLong, authThenLong, noauth))
            {
                try (RawConnection client = new RawConnection(server.port()))
                {
                    assertEquals(expected.get(i++), client.send(input).readUntilClosedOrQuiet(300), input);
                }
            }
        }
    }

    /**
     * An unauthenticated client can only get short errors, and its replies are written with back-pressure a slice
     * at a time, so a long pipeline that is read late costs the server a slice, and is answered in full. (Redis
     * 7.0.15 as packaged drops an unauthenticated client whose pending replies outgrow its output buffer instead:
     * it has no back-pressure.)
     */
    @Test
    void unauthenticatedPipelineIsAnsweredWithBoundedMemory() throws Exception
    {
        try (TestServer server = TestServer.start("requirepass", "pw");
            RawConnection client = new RawConnection(server.port()))
        {
            final int requests = 50_000;
            final long directBefore = MalformedRespEndToEndTest.directMemoryUsed();
            final Thread writer = Thread.ofVirtual().start(() ->
            {
                try
                {
                    client.send("GET k\r\n".repeat(requests) + "AUTH pw\r\nDBSIZE\r\n");
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            Thread.sleep(500);
            assertTrue(MalformedRespEndToEndTest.directMemoryUsed() - directBefore < 4 * 1024 * 1024,
                "direct memory grew by " + (MalformedRespEndToEndTest.directMemoryUsed() - directBefore));
            for (int i = 0; i < requests; i++)
            {
                assertEquals("-NOAUTH Authentication required.", client.readLine(), "reply " + i);
            }
            assertEquals("+OK", client.readLine());
            assertEquals(":0", client.readLine());
            writer.join();
        }
    }

    @Test
    void helloSwitchesToResp3AndBack() throws Exception
    {
        try (TestServer server = TestServer.start(); RawConnection client = new RawConnection(server.port()))
        {
            client.send("HELLO 3\r\n");
            assertEquals("%7", client.readLine());
            final List<String> fields = new ArrayList<>();
            for (int i = 0; i < 7; i++)
            {
                fields.add(readResp3Scalar(client));
                readResp3Value(client, fields);
            }
            assertEquals(List.of("server=redis", "version=7.0.15", "proto=:3", "mode=standalone", "role=master",
                "modules"), fields.stream().filter(field -> !field.startsWith("id=:")).toList());

            client.send("GET missing\r\nSET k v\r\nGET k\r\nINCR n\r\nMGET k missing\r\nINCRBYFLOAT f 1.5\r\n");
            assertEquals("_", client.readLine());
            assertEquals("+OK", client.readLine());
            assertEquals("$1", client.readLine());
            assertEquals("v", client.readLine());
            assertEquals(":1", client.readLine());
            assertEquals("*2", client.readLine());
            assertEquals("$1", client.readLine());
            assertEquals("v", client.readLine());
            assertEquals("_", client.readLine());
            assertEquals("$3", client.readLine()); // a bulk string in RESP3 too, as Redis 7 replies
            assertEquals("1.5", client.readLine());

            client.send("HELLO 2\r\n");
            assertEquals("*14", client.readLine());
            final List<String> resp2Fields = new ArrayList<>();
            for (int i = 0; i < 7; i++)
            {
                resp2Fields.add(readResp3Scalar(client));
                readResp3Value(client, resp2Fields);
            }
            assertTrue(resp2Fields.contains("proto=:2"), resp2Fields.toString());
            client.send("GET missing\r\n");
            assertEquals("$-1", client.readLine());
        }
    }

    private static String readResp3Scalar(final RawConnection client) throws Exception
    {
        final String header = client.readLine();
        if (header.startsWith("$"))
        {
            return client.readLine();
        }
        return header;
    }

    private static void readResp3Value(final RawConnection client, final List<String> fields) throws Exception
    {
        final String header = client.readLine();
        switch (header.charAt(0))
        {
            case '$' -> fields.set(fields.size() - 1, fields.get(fields.size() - 1) + "=" + client.readLine());
            case '*' ->
            {
                final int count = Integer.parseInt(header.substring(1));
                for (int i = 0; i < count; i++)
                {
                    readResp3Value(client, new ArrayList<>(List.of("")));
                }
            }
            default -> fields.set(fields.size() - 1, fields.get(fields.size() - 1) + "=" + header);
        }
    }

    private static void awaitClients(final TestServer server, final int count) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (server.server().registry().size() != count)
        {
            assertTrue(System.nanoTime() < deadlineNs, "clients: " + server.server().registry().size());
            Thread.sleep(10);
        }
    }
}
