package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CLIENT PAUSE and CLIENT UNPAUSE side by side with a real redis-server 7.0: the same replies, and the same order in
 * time: a held write answers only once the pause ends (its time passes, or UNPAUSE), a read during a WRITE pause
 * answers at once, an ALL pause holds everything (UNPAUSE included), expiry stops, bad arguments get Redis's errors.
 * Each pause is short (under a second) and every wait bounded; the "held" checks ask that no reply came for a while,
 * the "released" checks that it came within seconds, so a slow machine makes them no less true.
 */
class ClientPauseDifferentialTest
{
    @AutoClose
    private static TestServer ringkv;
    @AutoClose
    private static RedisServerProcess redis;

    @BeforeAll
    static void start() throws IOException, InterruptedException
    {
        ringkv = TestServer.start();
        redis = RedisServerProcess.start();
    }

    private static int[] ports()
    {
        return new int[]{ringkv.port(), redis.port()};
    }

    @Test
    void aWritePauseHoldsTheWriteAndAnswersTheReadThenTheTimeoutReleasesIt() throws Exception
    {
        final List<String> replies = new ArrayList<>();
        for (final int port : ports())
        {
            try (RawRespClient admin = new RawRespClient(port);
                RawRespClient writer = new RawRespClient(port);
                RawRespClient reader = new RawRespClient(port))
            {
                admin.call("DEL", "pause:k");
                final long pausedAtNs = System.nanoTime();
                replies.add(admin.call("CLIENT", "PAUSE", "700", "WRITE"));
                writer.send("SET", "pause:k", "v");
                replies.add(reader.call("GET", "pause:k")); // answered while the write waits
                replies.add(reader.call("EVAL_RO", "return 1", "0"));
                assertTrue(writer.silentFor(200), port + ": the SET is held");
                replies.add(writer.read());
                final long heldMs = (System.nanoTime() - pausedAtNs) / 1_000_000;
                assertTrue(heldMs >= 600, port + ": released by the timeout, after " + heldMs + " ms");
                replies.add(reader.call("GET", "pause:k"));
            }
        }
        assertEquals(replies.subList(5, 10), replies.subList(0, 5));
        assertEquals("$-1\r\n", replies.get(1), "the read ran before the write");
        assertEquals("$1\r\nv\r\n", replies.get(4));
    }

    @Test
    void unpauseReleasesTheHeldWritesInOrder() throws Exception
    {
        final List<String> replies = new ArrayList<>();
        for (final int port : ports())
        {
            try (RawRespClient admin = new RawRespClient(port); RawRespClient writer = new RawRespClient(port))
            {
                admin.call("DEL", "pause:n", "pause:l");
                replies.add(admin.call("CLIENT", "PAUSE", "30000", "WRITE"));
                final long pausedAtNs = System.nanoTime();
                replies.add(writer.call("GET", "pause:n")); // a read is not held
                // Writes (one may-replicate: PUBLISH) and a read behind them; replies in request order.
                writer.send("INCR", "pause:n");
                writer.send("PUBLISH", "pause:channel", "m");
                writer.send("RPUSH", "pause:l", "a");
                writer.send("GET", "pause:n");
                assertTrue(writer.silentFor(300), port + ": held");
                replies.add(admin.call("CLIENT", "UNPAUSE"));
                for (int i = 0; i < 4; i++)
                {
                    replies.add(writer.read());
                }
                assertTrue((System.nanoTime() - pausedAtNs) / 1_000_000 < 10_000, port + ": UNPAUSE released them");
            }
        }
        assertEquals(replies.subList(7, 14), replies.subList(0, 7));
        assertEquals(List.of("+OK\r\n", "$-1\r\n", "+OK\r\n", ":1\r\n", ":0\r\n", ":1\r\n", "$1\r\n1\r\n"),
            replies.subList(0, 7));
    }

    @Test
    void anAllPauseHoldsEveryCommandUnpauseIncluded() throws Exception
    {
        for (final int port : ports())
        {
            try (RawRespClient admin = new RawRespClient(port); RawRespClient other = new RawRespClient(port))
            {
                final long pausedAtNs = System.nanoTime();
                assertEquals("+OK\r\n", admin.call("CLIENT", "PAUSE", "600"));
                other.send("PING");
                assertTrue(other.silentFor(200), port + ": a PING waits too");
                assertEquals("+OK\r\n", admin.call("CLIENT", "UNPAUSE"), "port " + port);
                assertTrue((System.nanoTime() - pausedAtNs) / 1_000_000 >= 500, port + ": UNPAUSE waited as well");
                assertEquals("+PONG\r\n", other.read());
            }
        }
    }

    @Test
    void blockedClientsCountsAHeldClient() throws Exception
    {
        for (final int port : ports())
        {
            try (RawRespClient admin = new RawRespClient(port); RawRespClient writer = new RawRespClient(port))
            {
                admin.call("CLIENT", "PAUSE", "20000", "WRITE");
                writer.send("SET", "pause:b", "1");
                assertTrue(writer.silentFor(200), port + ": held");
                final String info = admin.call("INFO", "clients");
                admin.call("CLIENT", "UNPAUSE");
                assertEquals("+OK\r\n", writer.read());
                assertTrue(info.contains("blocked_clients:1\r\n"), port + ": " + info);
                assertTrue(admin.call("INFO", "clients").contains("blocked_clients:0\r\n"), "port " + port);
            }
        }
    }

    @Test
    void activeExpiryStopsDuringAPause() throws Exception
    {
        final List<String> replies = new ArrayList<>();
        for (final int port : ports())
        {
            try (RawRespClient admin = new RawRespClient(port))
            {
                admin.call("FLUSHALL");
                admin.call("SET", "pause:e", "v", "PX", "300");
                admin.call("CLIENT", "PAUSE", "1500", "WRITE");
                Thread.sleep(1000); // seven TICKs past the key's time: active expiry would have deleted it
                replies.add(admin.call("DBSIZE"));
                admin.call("CLIENT", "UNPAUSE");
            }
        }
        assertEquals(":1\r\n", replies.get(1), "Redis keeps the expired key while paused");
        assertEquals(replies.get(1), replies.get(0));
    }

    @Test
    void badArgumentsGetRedissErrorsAndPauseNothing() throws Exception
    {
        final String[][] requests = {
            {"CLIENT", "PAUSE"},
            {"CLIENT", "PAUSE", "abc"},
            {"CLIENT", "PAUSE", "-1"},
            {"CLIENT", "PAUSE", "+5"},
            {"CLIENT", "PAUSE", "1.5"},
            {"CLIENT", "PAUSE", ""},
            {"CLIENT", "PAUSE", "99999999999999999999"},
            {"CLIENT", "PAUSE", "100", "READ"},
            {"CLIENT", "PAUSE", "100", ""},
            {"CLIENT", "PAUSE", "100", "WRITE", "ALL"},
            {"CLIENT", "UNPAUSE", "now"},
            {"CLIENT", "PAUSE", "9223372036854775807"}, // wraps into the past, as Redis's sum does: no pause
            {"SET", "pause:after", "1"},
            {"CLIENT", "PAUSE", "0", "WRITE"},
            {"SET", "pause:after", "2"},
            {"GET", "pause:after"},
        };
        RawRespClient.assertSameReplies(ringkv.port(), redis.port(), requests);
        try (RawRespClient client = new RawRespClient(ringkv.port()))
        {
            assertFalse(client.call("CLIENT", "HELP").isEmpty());
            assertTrue(client.call("CLIENT", "HELP").contains("PAUSE <timeout> [WRITE|ALL]"));
        }
    }
}
