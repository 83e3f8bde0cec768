package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client tracking paths only ringkv can be asked about (or where it differs from Redis on purpose): SWAPDB,
 * eviction under maxmemory, a RESP2 redirect target in Pub/Sub mode, state dropped on disconnect, and the order of
 * a pipelined batch's replies and its invalidations. Lettuce's near cache is tested in the bench module
 * (LettuceNearCacheTest), which has Lettuce on its class path.
 */
class ClientTrackingTest
{
    private static final String FLUSH_PUSH = ">2\r\n$10\r\ninvalidate\r\n_\r\n";

    @AutoClose
    private static TestServer ringkv;

    @BeforeAll
    static void start() throws IOException
    {
        ringkv = TestServer.start();
    }

    private static String invalidate(final String key)
    {
        return ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + key.length() + "\r\n" + key + "\r\n";
    }

    @Test
    void swapdbInvalidatesEverythingLikeAFlush() throws IOException
    {
        try (RawRespClient a = new RawRespClient(ringkv.port()); RawRespClient b = new RawRespClient(ringkv.port()))
        {
            b.call("FLUSHALL");
            b.call("SET", "s", "db0");
            a.call("HELLO", "3");
            a.call("CLIENT", "TRACKING", "on");
            assertEquals("$3\r\ndb0\r\n", a.call("GET", "s"));
            assertEquals("+OK\r\n", b.call("SWAPDB", "0", "1"));
            // Redis 7.0 sends nothing here, and a near cache would keep "db0" for a key that no longer holds it.
            assertEquals(FLUSH_PUSH, a.read());
            assertEquals("_\r\n", a.call("GET", "s"));
            assertEquals("+OK\r\n", b.call("SWAPDB", "0", "0"));
            assertTrue(a.silentFor(200), "swapping a database with itself changes nothing");
        }
    }

    @Test
    void aPipelinedBatchIsAnsweredBeforeTheInvalidationsItCaused() throws IOException
    {
        try (RawRespClient a = new RawRespClient(ringkv.port()); RawRespClient b = new RawRespClient(ringkv.port()))
        {
            b.call("FLUSHALL");
            b.call("SET", "pk", "old");
            a.call("HELLO", "3");
            a.call("CLIENT", "TRACKING", "on");
            // One write, so one batch: a near cache that saw the invalidation before the first GET's reply would
            // cache "old" for good.
            a.sendRaw("*2\r\n$3\r\nGET\r\n$2\r\npk\r\n*3\r\n$3\r\nSET\r\n$2\r\npk\r\n$3\r\nnew\r\n" +
                "*2\r\n$3\r\nGET\r\n$2\r\npk\r\n");
            assertEquals("$3\r\nold\r\n", a.read());
            assertEquals("+OK\r\n", a.read());
            assertEquals("$3\r\nnew\r\n", a.read());
            assertEquals(invalidate("pk"), a.read());
            assertTrue(a.silentFor(200));
        }
    }

    @Test
    void jsonLinesClientTracksOnlyThroughARedirect() throws IOException
    {
        try (java.net.Socket json = new java.net.Socket("127.0.0.1", ringkv.port());
            RawRespClient target = new RawRespClient(ringkv.port()); RawRespClient b = new RawRespClient(ringkv.port()))
        {
            json.setSoTimeout(5_000);
            final java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(json.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            final java.io.OutputStream out = json.getOutputStream();
            b.call("FLUSHALL");
            out.write("{\"cmd\":\"client\",\"args\":[\"tracking\",\"on\"]}\n".getBytes());
            // Its lines are not RESP, so it cannot be pushed to: refused rather than silently never told.
            assertEquals("{\"error\":\"" + TrackingCommands.NEEDS_RESP + "\"}", in.readLine());
            target.call("HELLO", "3");
            final String targetId = target.call("CLIENT", "ID").substring(1).strip();
            out.write(("{\"cmd\":\"client\",\"args\":[\"tracking\",\"on\",\"redirect\"," + targetId + "]}\n")
                .getBytes());
            assertEquals("{\"value\":\"OK\"}", in.readLine());
            out.write("{\"cmd\":\"get\",\"key\":\"jk\"}\n".getBytes());
            assertEquals("{\"value\":null}", in.readLine());
            b.call("SET", "jk", "1");
            assertEquals(invalidate("jk"), target.read());
            assertTrue(b.call("CLIENT", "LIST").contains(" redir=" + targetId + " "));
        }
    }

    @Test
    void resetTurnsTrackingOff() throws IOException
    {
        try (RawRespClient a = new RawRespClient(ringkv.port()); RawRespClient b = new RawRespClient(ringkv.port()))
        {
            a.call("HELLO", "3");
            a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "rs");
            assertTrue(b.call("CLIENT", "LIST").contains(" redir=0 "));
            assertEquals("+RESET\r\n", a.call("RESET"));
            assertEquals("*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n",
                a.call("CLIENT", "TRACKINGINFO"));
            b.call("SET", "rs1", "1");
            assertTrue(a.silentFor(200));
        }
    }

    @Test
    void evictedKeysAreInvalidated() throws IOException
    {
        try (RawRespClient a = new RawRespClient(ringkv.port()); RawRespClient b = new RawRespClient(ringkv.port()))
        {
            b.call("FLUSHALL");
            a.call("HELLO", "3");
            a.call("CLIENT", "TRACKING", "on", "NOLOOP");
            final String value = "x".repeat(1000);
            for (int i = 0; i < 200; i++)
            {
                b.call("SET", "ev" + i, value);
                a.call("GET", "ev" + i);
            }
            try
            {
                b.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
                b.call("CONFIG", "SET", "maxmemory", "1");
                b.call("SET", "trigger", "1"); // evicts before it runs: OOM or not, keys go
                // Under maxmemory 1 the engine's ticks go on evicting until nothing is left.
                final long deadlineNs = System.nanoTime() + 5_000_000_000L;
                while (!b.call("DBSIZE").equals(":0\r\n") && System.nanoTime() < deadlineNs)
                {
                    Thread.onSpinWait();
                }
                assertEquals(":0\r\n", b.call("DBSIZE"));
                final java.util.Set<String> told = new java.util.HashSet<>();
                for (int i = 0; i < 200; i++)
                {
                    final String push = a.read();
                    assertTrue(push.startsWith(">2\r\n$10\r\ninvalidate\r\n*1\r\n$"), push);
                    told.add(push);
                }
                assertEquals(200, told.size(), "each evicted tracked key told once");
                assertTrue(a.silentFor(300), "nothing more");
            }
            finally
            {
                b.call("CONFIG", "SET", "maxmemory", "0");
                b.call("CONFIG", "SET", "maxmemory-policy", "noeviction");
            }
        }
    }

    @Test
    void resp2RedirectTargetInPubSubModeGetsAMessage() throws IOException
    {
        try (RawRespClient a = new RawRespClient(ringkv.port()); RawRespClient b = new RawRespClient(ringkv.port());
            RawRespClient target = new RawRespClient(ringkv.port()))
        {
            b.call("FLUSHALL");
            final String targetId = target.call("CLIENT", "ID").substring(1).strip();
            assertEquals("+OK\r\n", a.call("CLIENT", "TRACKING", "on", "REDIRECT", targetId));
            a.call("GET", "r1");
            b.call("SET", "r1", "1");
            assertTrue(target.silentFor(200), "RESP2 and not subscribed: nothing, as in Redis");
            assertEquals("*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n",
                target.call("SUBSCRIBE", "__redis__:invalidate"));
            a.call("GET", "r1");
            b.call("SET", "r1", "2");
            assertEquals("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nr1\r\n", target.read());
            a.call("GET", "r1");
            b.call("FLUSHDB");
            assertEquals("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n", target.read());
        }
    }

    @Test
    void disconnectDropsTrackingState() throws IOException, InterruptedException
    {
        try (RawRespClient b = new RawRespClient(ringkv.port()))
        {
            b.call("FLUSHALL");
            try (RawRespClient a = new RawRespClient(ringkv.port()); RawRespClient c = new RawRespClient(ringkv.port()))
            {
                a.call("HELLO", "3");
                a.call("CLIENT", "TRACKING", "on");
                a.call("MGET", "d1", "d2");
                c.call("HELLO", "3");
                c.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "d", "PREFIX", "e");
                final String info = b.call("INFO", "everything");
                assertTrue(info.contains("tracking_clients:2\r\n"), info);
                assertTrue(info.contains("tracking_total_keys:2\r\n"), info);
                assertTrue(info.contains("tracking_total_prefixes:2\r\n"), info);
            }
            final long deadlineNs = System.nanoTime() + 5_000_000_000L;
            String info = b.call("INFO", "everything");
            while (!info.contains("tracking_clients:0\r\n") && System.nanoTime() < deadlineNs)
            {
                Thread.sleep(20);
                info = b.call("INFO", "everything");
            }
            assertTrue(info.contains("tracking_clients:0\r\n"), info);
            assertTrue(info.contains("tracking_total_keys:0\r\n"), info);
            assertTrue(info.contains("tracking_total_prefixes:0\r\n"), info);
            assertEquals("+OK\r\n", b.call("SET", "d1", "still works"));
        }
    }
}
