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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client tracking on a real ringkv against a real redis-server 7.0, byte for byte over raw RESP3 and RESP2
 * connections: the replies and error texts of CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO for good and
 * hostile options, and the invalidation messages of every mode (default, OPTIN/OPTOUT, NOLOOP, BCAST with prefixes,
 * redirect to a live and to a dead client), in the order they arrive relative to replies. Client ids differ between
 * the servers and are written as "ID" in the transcripts.
 */
class ClientTrackingInteropTest
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

    /** What a scenario saw: every reply and every pushed message, with client ids replaced. */
    private static final class Transcript
    {
        final List<String> lines = new ArrayList<>();
        final List<String> ids = new ArrayList<>();

        void add(final String label, final String value)
        {
            String text = value;
            for (final String id : ids)
            {
                text = text.replace(":" + id + "\r\n", ":ID\r\n");
            }
            lines.add(label + " " + text);
        }
    }

    private static String id(final RawRespClient client, final Transcript transcript) throws IOException
    {
        final String reply = client.call("CLIENT", "ID");
        final String id = reply.substring(1).strip();
        transcript.ids.add(id);
        return id;
    }

    private static Transcript defaultModeScenario(final int port) throws IOException
    {
        final Transcript t = new Transcript();
        try (RawRespClient a = new RawRespClient(port); RawRespClient b = new RawRespClient(port))
        {
            b.call("FLUSHALL");
            a.call("HELLO", "3");
            t.add("a", a.call("CLIENT", "TRACKING", "on"));
            t.add("a", a.call("GET", "foo"));
            // Its own write: the reply first, then the invalidation.
            t.add("a", a.call("SET", "foo", "1"));
            t.add("a push", a.read());
            t.add("a", a.call("MGET", "foo", "bar"));
            t.add("b", b.call("MSET", "foo", "2", "bar", "3"));
            t.add("a push", a.read());
            t.add("a push", a.read());
            // Tracked once: a second write says nothing.
            t.add("b", b.call("SET", "foo", "3"));
            t.add("a", a.call("EXISTS", "foo"));
            // A write in another database invalidates the same key name (one table for every database).
            t.add("b", b.call("SELECT", "1"));
            t.add("b", b.call("SET", "foo", "in db 1"));
            t.add("a push", a.read());
            t.add("a", a.call("GET", "bar"));
            t.add("b", b.call("FLUSHDB"));
            t.add("a push", a.read());
            // Reads of a hash and a set count too; a failed write changes nothing and tells nothing.
            t.add("b", b.call("SELECT", "0"));
            t.add("b", b.call("HSET", "h", "f", "v"));
            t.add("a", a.call("HGET", "h", "f"));
            t.add("b", b.call("INCR", "h"));
            t.add("b", b.call("HDEL", "h", "f"));
            t.add("a push", a.read());
            t.add("a", a.call("CLIENT", "TRACKINGINFO"));
            t.add("a", a.call("CLIENT", "GETREDIR"));
            t.add("a", a.call("CLIENT", "TRACKING", "off"));
            t.add("a", a.call("CLIENT", "GETREDIR"));
            t.add("a", a.call("CLIENT", "TRACKINGINFO"));
            t.add("a silent", Boolean.toString(a.silentFor(200)));
        }
        return t;
    }

    private static Transcript optInOutNoLoopScenario(final int port) throws IOException
    {
        final Transcript t = new Transcript();
        try (RawRespClient a = new RawRespClient(port); RawRespClient b = new RawRespClient(port))
        {
            b.call("FLUSHALL");
            a.call("HELLO", "3");
            t.add("a", a.call("CLIENT", "TRACKING", "on", "OPTIN", "NOLOOP"));
            t.add("a", a.call("GET", "o1"));
            t.add("a", a.call("CLIENT", "CACHING", "yes"));
            t.add("a", a.call("CLIENT", "TRACKINGINFO"));
            t.add("a", a.call("GET", "o2"));
            t.add("a", a.call("CLIENT", "TRACKINGINFO"));
            t.add("b", b.call("MSET", "o1", "1", "o2", "2"));
            t.add("a push", a.read());
            // NOLOOP: its own write of a key it cached tells it nothing; another's write does.
            t.add("a", a.call("CLIENT", "CACHING", "yes"));
            t.add("a", a.call("GET", "o3"));
            t.add("a", a.call("SET", "o3", "x"));
            t.add("a", a.call("CLIENT", "CACHING", "yes"));
            t.add("a", a.call("GET", "o3"));
            t.add("b", b.call("SET", "o3", "y"));
            t.add("a push", a.read());
            t.add("a", a.call("CLIENT", "CACHING", "no"));
            t.add("a", a.call("CLIENT", "TRACKING", "on", "OPTOUT"));
            t.add("a", a.call("CLIENT", "TRACKING", "off"));
            t.add("a", a.call("CLIENT", "TRACKING", "on", "OPTOUT"));
            t.add("a", a.call("CLIENT", "CACHING", "yes"));
            t.add("a", a.call("CLIENT", "CACHING", "no"));
            t.add("a", a.call("GET", "p1"));
            t.add("a", a.call("GET", "p2"));
            t.add("b", b.call("MSET", "p1", "1", "p2", "2"));
            t.add("a push", a.read());
            t.add("a", a.call("CLIENT", "TRACKING", "off"));
            t.add("a", a.call("CLIENT", "CACHING", "yes"));
        }
        return t;
    }

    private static Transcript bcastScenario(final int port) throws IOException
    {
        final Transcript t = new Transcript();
        try (RawRespClient a = new RawRespClient(port); RawRespClient b = new RawRespClient(port);
            RawRespClient all = new RawRespClient(port))
        {
            b.call("FLUSHALL");
            a.call("HELLO", "3");
            all.call("HELLO", "3");
            t.add("a", a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"));
            t.add("a", a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "cd"));
            t.add("a", a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "abc"));
            t.add("a", a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab"));
            t.add("a", a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "NOLOOP"));
            t.add("a", a.call("CLIENT", "TRACKING", "on"));
            t.add("a", a.call("CLIENT", "TRACKING", "on", "BCAST", "OPTIN"));
            t.add("a", a.call("CLIENT", "TRACKINGINFO"));
            t.add("all", all.call("CLIENT", "TRACKING", "on", "BCAST"));
            // Reads remember nothing in BCAST mode.
            t.add("a", a.call("GET", "q"));
            t.add("b", b.call("SET", "q", "1"));
            t.add("all push", all.read());
            // One message per prefix per wake-up, keys in byte order.
            t.add("b", b.call("MSET", "abz", "1", "xy", "1", "abq", "2", "zz", "3"));
            t.add("a push", a.read());
            t.add("a push", a.read());
            t.add("all push", all.read());
            // NOLOOP: its own change of a key under a prefix is left out.
            t.add("a", a.call("SET", "xa", "1"));
            t.add("all push", all.read());
            t.add("a", a.call("PING"));
            t.add("b", b.call("FLUSHALL"));
            t.add("a push", a.read());
            t.add("all push", all.read());
            t.add("a", a.call("CLIENT", "TRACKING", "off"));
            t.add("a", a.call("CLIENT", "TRACKINGINFO"));
        }
        return t;
    }

    private static Transcript redirectScenario(final int port) throws IOException, InterruptedException
    {
        final Transcript t = new Transcript();
        try (RawRespClient a = new RawRespClient(port); RawRespClient b = new RawRespClient(port);
            RawRespClient target = new RawRespClient(port); RawRespClient resp3 = new RawRespClient(port))
        {
            b.call("FLUSHALL");
            target.call("HELLO", "3");
            final String targetId = id(target, t);
            // A RESP2 client redirects to a RESP3 one, which gets the push.
            t.add("a", a.call("CLIENT", "TRACKING", "on", "REDIRECT", targetId));
            t.add("a", a.call("CLIENT", "GETREDIR"));
            t.add("a", a.call("GET", "k1"));
            t.add("b", b.call("SET", "k1", "1"));
            t.add("target push", target.read());
            t.add("a", a.call("GET", "k1"));
            t.add("b", b.call("FLUSHALL"));
            t.add("target push", target.read()); // a RESP2 tracker's null
            t.add("a", a.call("CLIENT", "TRACKING", "on", "REDIRECT", "99999"));
            t.add("a", a.call("CLIENT", "TRACKING", "on", "REDIRECT", "abc"));
            t.add("a", a.call("CLIENT", "TRACKING", "on", "REDIRECT", targetId, "REDIRECT", targetId));
            t.add("a", a.call("CLIENT", "TRACKING", "on", "REDIRECT"));
            // A RESP3 client whose target goes away is told, once per message it would have had.
            resp3.call("HELLO", "3");
            final RawRespClient doomed = new RawRespClient(port);
            final String doomedId = id(doomed, t);
            t.add("resp3", resp3.call("CLIENT", "TRACKING", "on", "REDIRECT", doomedId));
            t.add("resp3", resp3.call("GET", "k2"));
            doomed.close();
            awaitGone(b, doomedId);
            t.add("b", b.call("SET", "k2", "2"));
            t.add("resp3 push", resp3.read());
            t.add("resp3", resp3.call("CLIENT", "TRACKINGINFO"));
            t.add("resp3", resp3.call("GET", "k2"));
            t.add("b", b.call("FLUSHALL"));
            t.add("resp3 push", resp3.read());
            t.add("a", a.call("CLIENT", "TRACKINGINFO"));
        }
        return t;
    }

    private static void awaitGone(final RawRespClient observer, final String id) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (observer.call("CLIENT", "LIST").contains("id=" + id + " ") && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(10);
        }
    }

    private static Transcript hostileScenario(final int port) throws IOException
    {
        final Transcript t = new Transcript();
        try (RawRespClient a = new RawRespClient(port))
        {
            final String[][] requests = {
                {"CLIENT", "TRACKING"}, {"CLIENT", "TRACKING", "maybe"}, {"CLIENT", "TRACKING", "on", "foo"},
                {"CLIENT", "TRACKING", "off", "foo"}, {"CLIENT", "TRACKING", "on", "PREFIX"},
                {"CLIENT", "TRACKING", "on", "PREFIX", "a"}, {"CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"},
                {"CLIENT", "TRACKING", "on", "BCAST", "OPTOUT"}, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", ""},
                {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p"}, {"CLIENT", "TRACKING", "on", "BCAST"},
                {"CLIENT", "TRACKINGINFO"}, {"CLIENT", "TRACKING", "off"},
                {"CLIENT", "CACHING"}, {"CLIENT", "CACHING", "yes"}, {"CLIENT", "CACHING", "maybe"},
                {"CLIENT", "CACHING", "yes", "no"}, {"CLIENT", "GETREDIR", "x"}, {"CLIENT", "TRACKINGINFO", "x"},
                {"CLIENT", "TRACKING", "on"}, {"CLIENT", "CACHING", "maybe"}, {"CLIENT", "CACHING", "yes"},
                {"CLIENT", "TRACKING", "off"}, {"CLIENT", "GETREDIR"},
            };
            for (final String[] request : requests)
            {
                t.add(String.join(" ", request), a.call(request));
            }
        }
        return t;
    }

    @Test
    void defaultModeMatchesRedis() throws IOException
    {
        assertEquals(defaultModeScenario(redis.port()).lines, defaultModeScenario(ringkv.port()).lines);
    }

    @Test
    void optInOptOutAndNoLoopMatchRedis() throws IOException
    {
        assertEquals(optInOutNoLoopScenario(redis.port()).lines, optInOutNoLoopScenario(ringkv.port()).lines);
    }

    @Test
    void bcastPrefixesMatchRedis() throws IOException
    {
        assertEquals(bcastScenario(redis.port()).lines, bcastScenario(ringkv.port()).lines);
    }

    @Test
    void redirectsMatchRedis() throws IOException, InterruptedException
    {
        assertEquals(redirectScenario(redis.port()).lines, redirectScenario(ringkv.port()).lines);
    }

    @Test
    void hostileOptionsGetRedisErrors() throws IOException
    {
        assertEquals(hostileScenario(redis.port()).lines, hostileScenario(ringkv.port()).lines);
    }

    @Test
    void expiryInvalidatesOnBothServers() throws IOException, InterruptedException
    {
        for (final int port : new int[]{redis.port(), ringkv.port()})
        {
            try (RawRespClient a = new RawRespClient(port); RawRespClient b = new RawRespClient(port))
            {
                b.call("FLUSHALL");
                a.call("HELLO", "3");
                a.call("CLIENT", "TRACKING", "on");
                b.call("SET", "e", "1", "PX", "1000"); // room for a loaded machine between the SET and the GET
                assertEquals("$1\r\n1\r\n", a.call("GET", "e"));
                Thread.sleep(1200);
                b.call("EXISTS", "e"); // expires it lazily, if active expiry has not yet
                assertEquals(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\ne\r\n", a.read(), "port " + port);
            }
        }
    }

    @Test
    void fullTableEvictsTrackedKeysOnBothServers() throws IOException
    {
        for (final int port : new int[]{redis.port(), ringkv.port()})
        {
            try (RawRespClient a = new RawRespClient(port); RawRespClient b = new RawRespClient(port))
            {
                b.call("FLUSHALL");
                a.call("HELLO", "3");
                a.call("CLIENT", "TRACKING", "on");
                a.call("MGET", "key1", "key2", "key3");
                assertTrue(b.call("INFO", "stats").contains("tracking_total_keys:3\r\n"));
                b.call("CONFIG", "SET", "tracking-table-max-keys", "1");
                try
                {
                    b.call("PING"); // Redis enforces the limit from its event loop
                    final String first = a.read();
                    final String second = a.read();
                    assertTrue(first.startsWith(">2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nkey"), first);
                    assertTrue(second.startsWith(">2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nkey"), second);
                    assertTrue(a.silentFor(200), "exactly two keys evicted, port " + port);
                    assertTrue(b.call("INFO", "stats").contains("tracking_total_keys:1\r\n"), "port " + port);
                }
                finally
                {
                    b.call("CONFIG", "SET", "tracking-table-max-keys", "1000000");
                }
            }
        }
    }
}
