package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import io.ringkv.core.testing.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.ringkv.net.server.command.RespCalls.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MIGRATE between ringkv and real redis-server 7.0.15 processes, in both directions (ringkv's MIGRATE into Redis,
 * Redis's own MIGRATE into ringkv, ringkv into ringkv). Where Redis is the reference, the same MIGRATE is also run
 * from a Redis source and the replies must be equal.
 */
class MigrateInteropTest
{
    private static final String BUSYKEY_FROM_TARGET =
        "(error) ERR Target instance replied with error: BUSYKEY Target key name already exists.";

    private static RedisServerProcess redisProcess;
    private static RedisServerProcess referenceProcess;
    private static RedisServerProcess securedProcess;
    private static TestServer ringkvServer;
    private static TestServer securedRingkvServer;
    private static Jedis redis;
    private static Jedis reference;
    private static Jedis secured;
    private static Jedis ringkv;
    private static Jedis securedRingkv;

    @BeforeAll
    static void start() throws Exception
    {
        redisProcess = RedisServerProcess.start();
        referenceProcess = RedisServerProcess.start();
        securedProcess = RedisServerProcess.start("--requirepass", "pw");
        ringkvServer = TestServer.start();
        securedRingkvServer = TestServer.start("requirepass", "pw");
        redis = new Jedis("127.0.0.1", redisProcess.port(), 10_000);
        reference = new Jedis("127.0.0.1", referenceProcess.port(), 10_000);
        secured = new Jedis("127.0.0.1", securedProcess.port(), 10_000);
        secured.auth("pw");
        ringkv = new Jedis("127.0.0.1", ringkvServer.port(), 10_000);
        securedRingkv = new Jedis("127.0.0.1", securedRingkvServer.port(), 10_000);
        securedRingkv.auth("pw");
    }

    @AfterAll
    static void stop()
    {
        for (final AutoCloseable closeable : new AutoCloseable[]{redis, reference, secured, ringkv, securedRingkv,
            ringkvServer, securedRingkvServer, redisProcess, referenceProcess, securedProcess})
        {
            try
            {
                if (null != closeable)
                {
                    closeable.close();
                }
            }
            catch (final Exception ignore)
            {
                // Close the rest.
            }
        }
    }

    @BeforeEach
    void flush()
    {
        for (final Jedis jedis : List.of(redis, reference, secured, ringkv, securedRingkv))
        {
            jedis.flushAll();
        }
    }

    @Test
    void ringkvMovesKeysIntoRedisWithTheirTtls()
    {
        ringkv.set("a", "1");
        ringkv.psetex("b", 100_000, "hello");
        ringkv.set("c", "x".repeat(10_000));
        assertEquals("OK", call(ringkv, "MIGRATE", "127.0.0.1", redisProcess.port(), "", "0", "5000",
            "KEYS", "a", "b", "missing", "c"));
        assertEquals(0L, ringkv.exists("a", "b", "c"));
        assertEquals("1", redis.get("a"));
        assertEquals("hello", redis.get("b"));
        assertEquals("x".repeat(10_000), redis.get("c"));
        final long pttl = redis.pttl("b");
        assertTrue(pttl > 90_000 && pttl <= 100_000, "PTTL " + pttl);
        assertEquals(-1L, redis.pttl("a"));

        ringkv.set("d", "in db 3");
        assertEquals("OK", call(ringkv, "MIGRATE", "127.0.0.1", redisProcess.port(), "d", "3",
            String.valueOf(Long.MAX_VALUE)));
        redis.select(3);
        assertEquals("in db 3", redis.get("d"));
        redis.select(0);
        assertNull(ringkv.get("d"));
    }

    @Test
    void copyKeepsTheSourceAndReplaceOverwritesTheTarget()
    {
        ringkv.set("k", "new");
        redis.set("k", "old");
        reference.set("k", "new");
        final Object[] plain = {"MIGRATE", "127.0.0.1", redisProcess.port(), "k", "0", "5000"};
        assertEquals(BUSYKEY_FROM_TARGET, call(ringkv, plain));
        assertEquals(BUSYKEY_FROM_TARGET, call(reference, plain));
        assertEquals("new", ringkv.get("k"), "a refused key stays at the source");
        assertEquals("old", redis.get("k"));

        assertEquals("OK", call(ringkv, "MIGRATE", "127.0.0.1", redisProcess.port(), "k", "0", "5000", "COPY",
            "REPLACE"));
        assertEquals("new", ringkv.get("k"));
        assertEquals("new", redis.get("k"));

        ringkv.set("k", "newer");
        ringkv.set("other", "o");
        redis.set("other", "target's");
        // One key refused, one accepted: the accepted one leaves, the refused one stays, the reply says why.
        assertEquals(BUSYKEY_FROM_TARGET, call(ringkv, "MIGRATE", "127.0.0.1", redisProcess.port(), "", "0",
            "5000", "KEYS", "other", "fresh-missing", "k"));
        assertEquals("o", ringkv.get("other"));
        assertEquals("newer", ringkv.get("k"));

        assertEquals("OK", call(ringkv, "MIGRATE", "127.0.0.1", redisProcess.port(), "", "0", "5000", "REPLACE",
            "KEYS", "other", "k"));
        assertEquals(0L, ringkv.exists("other", "k"));
        assertEquals("newer", redis.get("k"));
        assertEquals("o", redis.get("other"));
    }

    @Test
    void noKeyAndArgumentErrorsAnswerLikeRedis()
    {
        ringkv.set("k", "v");
        reference.set("k", "v");
        final Object[][] requests = {
            {"MIGRATE", "127.0.0.1", redisProcess.port(), "missing", "0", "5000"},
            {"MIGRATE", "127.0.0.1", redisProcess.port(), "", "0", "5000", "KEYS", "missing", "gone"},
            {"MIGRATE", "127.0.0.1", redisProcess.port(), "k", "0", "5000", "KEYS", "k"},
            {"MIGRATE", "127.0.0.1", redisProcess.port(), "k", "0", "soon"},
            {"MIGRATE", "127.0.0.1", redisProcess.port(), "k", "zero", "5000"},
            {"MIGRATE", "127.0.0.1", redisProcess.port(), "k", "0", "5000", "AUTH"},
            {"MIGRATE", "127.0.0.1", redisProcess.port(), "k", "0", "5000", "AUTH2", "default"},
            {"MIGRATE", "127.0.0.1", redisProcess.port(), "k", "0", "5000", "BOGUS"},
            {"MIGRATE", "127.0.0.1", redisProcess.port(), "k", "0"},
        };
        for (final Object[] request : requests)
        {
            assertEquals(call(reference, request), call(ringkv, request), java.util.Arrays.toString(request));
        }
        assertEquals("NOKEY", call(ringkv, requests[0]));
        assertEquals("v", ringkv.get("k"));
    }

    @Test
    void deadOrSilentTargetsAreIoErrorsAndTheKeysStay() throws Exception
    {
        ringkv.set("k", "v");
        reference.set("k", "v");
        final int deadPort = RedisServerProcess.freePort();
        final Object[] toDead = {"MIGRATE", "127.0.0.1", deadPort, "k", "0", "1000"};
        assertEquals("(error) IOERR error or timeout writing to target instance", call(reference, toDead));
        assertEquals(call(reference, toDead), call(ringkv, toDead));
        // No DNS in CI: an impossible port is ringkv's way to reach Redis's "connecting" error without a resolver.
        assertEquals("(error) IOERR error or timeout connecting to the client",
            call(ringkv, "MIGRATE", "127.0.0.1", "70000", "k", "0", "1000"));

        // Accepts the connection (the kernel's backlog does) but never answers.
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress()))
        {
            final Object[] toSilent = {"MIGRATE", "127.0.0.1", silent.getLocalPort(), "k", "0", "200"};
            assertEquals("(error) IOERR error or timeout reading to target instance", call(reference, toSilent));
            assertEquals(call(reference, toSilent), call(ringkv, toSilent));
        }
        assertEquals("v", ringkv.get("k"));
        assertEquals("PONG", ringkv.ping(), "the server answers again after the timeout");
    }

    @Test
    void authAndAuth2ReachAPasswordProtectedRedis()
    {
        ringkv.set("a", "1");
        ringkv.set("b", "2");
        reference.set("a", "1");
        final Object[] wrong = {"MIGRATE", "127.0.0.1", securedProcess.port(), "a", "0", "5000", "AUTH", "nope"};
        assertEquals(call(reference, wrong), call(ringkv, wrong));
        assertTrue(String.valueOf(call(ringkv, wrong)).startsWith(
            "(error) ERR Target instance replied with error: WRONGPASS"), String.valueOf(call(ringkv, wrong)));
        final Object[] none = {"MIGRATE", "127.0.0.1", securedProcess.port(), "a", "0", "5000"};
        assertEquals(call(reference, none), call(ringkv, none));
        assertEquals("1", ringkv.get("a"));

        assertEquals("OK", call(ringkv, "MIGRATE", "127.0.0.1", securedProcess.port(), "a", "0", "5000",
            "AUTH", "pw"));
        assertEquals("OK", call(ringkv, "MIGRATE", "127.0.0.1", securedProcess.port(), "b", "0", "5000",
            "AUTH2", "default", "pw"));
        assertEquals("1", secured.get("a"));
        assertEquals("2", secured.get("b"));
        assertEquals(0L, ringkv.exists("a", "b"));
    }

    /** Sets of every encoding both ways: ringkv into Redis and back, same members, same encoding, TTL kept. */
    @Test
    void setsMigrateBothWays()
    {
        final String[] small = {"1", "-70000", "99999999999"};
        final String[] strings = {"a", "1", "z".repeat(70)};
        final String[] large = java.util.stream.IntStream.range(0, 3000).mapToObj(Integer::toString)
            .toArray(String[]::new);
        ringkv.sadd("small", small);
        ringkv.sadd("strings", strings);
        ringkv.sadd("large", large);
        ringkv.pexpire("large", 100_000);
        assertEquals("OK", call(ringkv, "MIGRATE", "127.0.0.1", redisProcess.port(), "", "0", "5000",
            "KEYS", "small", "strings", "large"));
        assertEquals(0L, ringkv.exists("small", "strings", "large"));
        assertEquals(java.util.Set.of(small), redis.smembers("small"));
        assertEquals("intset", redis.objectEncoding("small"));
        assertEquals(java.util.Set.of(strings), redis.smembers("strings"));
        assertEquals(java.util.Set.of(large), redis.smembers("large"));
        assertEquals("hashtable", redis.objectEncoding("large"));
        assertTrue(redis.pttl("large") > 90_000);
        assertEquals("OK", call(redis, "MIGRATE", "127.0.0.1", ringkvServer.port(), "", "0", "5000",
            "KEYS", "small", "strings", "large"));
        assertEquals(java.util.Set.of(small), ringkv.smembers("small"));
        assertEquals("intset", ringkv.objectEncoding("small"));
        assertEquals(java.util.Set.of(strings), ringkv.smembers("strings"));
        assertEquals("hashtable", ringkv.objectEncoding("strings"));
        assertEquals(java.util.Set.of(large), ringkv.smembers("large"));
        assertTrue(ringkv.pttl("large") > 90_000);
    }

    @Test
    void redisMigratesIntoRingkv()
    {
        redis.set("a", "1");
        redis.psetex("b", 100_000, "x".repeat(5000));
        redis.set("c", "stays");
        assertEquals("OK", call(redis, "MIGRATE", "127.0.0.1", ringkvServer.port(), "", "0", "5000",
            "KEYS", "a", "b", "missing"));
        assertEquals(0L, redis.exists("a", "b"));
        assertEquals("1", ringkv.get("a"));
        assertEquals("x".repeat(5000), ringkv.get("b"));
        final long pttl = ringkv.pttl("b");
        assertTrue(pttl > 90_000 && pttl <= 100_000, "PTTL " + pttl);

        ringkv.set("c", "ringkv's");
        assertEquals(BUSYKEY_FROM_TARGET, call(redis, "MIGRATE", "127.0.0.1", ringkvServer.port(), "c", "0",
            "5000"));
        assertEquals("stays", redis.get("c"));
        assertEquals("OK", call(redis, "MIGRATE", "127.0.0.1", ringkvServer.port(), "c", "0", "5000",
            "COPY", "REPLACE"));
        assertEquals("stays", redis.get("c"));
        assertEquals("stays", ringkv.get("c"));

        redis.set("d", "to db 5 with a password");
        assertEquals("OK", call(redis, "MIGRATE", "127.0.0.1", securedRingkvServer.port(), "d", "5", "5000",
            "AUTH2", "default", "pw"));
        securedRingkv.select(5);
        assertEquals("to db 5 with a password", securedRingkv.get("d"));
        securedRingkv.select(0);
        redis.set("e", "wrong password");
        assertTrue(String.valueOf(call(redis, "MIGRATE", "127.0.0.1", securedRingkvServer.port(), "e", "0", "5000",
            "AUTH", "nope")).startsWith("(error) ERR Target instance replied with error: WRONGPASS"));
        assertEquals("wrong password", redis.get("e"));
    }

    @Test
    void expiredKeysAreSkippedAndJsonDocumentsOnlyTravelBetweenRingkvs() throws Exception
    {
        ringkv.psetex("short", 1, "v");
        reference.psetex("short", 1, "v");
        Thread.sleep(20);
        final Object[] expired = {"MIGRATE", "127.0.0.1", redisProcess.port(), "short", "0", "5000"};
        assertEquals(call(reference, expired), call(ringkv, expired));
        assertEquals("NOKEY", call(ringkv, expired));

        try (Socket socket = new Socket("127.0.0.1", ringkvServer.port()))
        {
            final BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            socket.getOutputStream().write("{\"cmd\":\"set\",\"key\":\"doc\",\"value\":{\"a\":[1,true]}}\n"
                .getBytes(StandardCharsets.UTF_8));
            assertEquals("{}", in.readLine());
        }
        assertEquals("(error) ERR Target instance replied with error: ERR Bad data format",
            call(ringkv, "MIGRATE", "127.0.0.1", redisProcess.port(), "doc", "0", "5000"));
        assertEquals("json", ringkv.type("doc"), "a document Redis refused stays");
        assertFalse(redis.exists("doc"));
        assertEquals("OK", call(ringkv, "MIGRATE", "127.0.0.1", securedRingkvServer.port(), "doc", "0", "5000",
            "AUTH", "pw"));
        assertEquals("json", securedRingkv.type("doc"));
        assertEquals("{\"a\":[1,true]}", securedRingkv.get("doc"));
        assertFalse(ringkv.exists("doc"));
    }

    @Test
    void ringkvMigratesIntoRingkv()
    {
        ringkv.set("n", "42");
        ringkv.set("s", "a".repeat(100));
        assertEquals("OK", call(ringkv, "MIGRATE", "127.0.0.1", securedRingkvServer.port(), "", "1", "5000",
            "AUTH", "pw", "KEYS", "n", "s"));
        securedRingkv.select(1);
        assertEquals("42", securedRingkv.get("n"));
        assertEquals("a".repeat(100), securedRingkv.get("s"));
        securedRingkv.select(0);
        assertEquals(0L, ringkv.exists("n", "s"));
    }
}
