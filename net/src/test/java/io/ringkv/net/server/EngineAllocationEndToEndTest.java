package io.ringkv.net.server;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.lang.management.ManagementFactory;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With latency tracking on, the engine thread of a real server allocates nothing per request: after a warm-up that
 * creates every histogram, pipelined GET/SET/INCR traffic from a client leaves the engine thread's allocation
 * counter almost where it was. (The engine runs as a platform thread here so that its counter can be read.)
 */
class EngineAllocationEndToEndTest
{
    private static final int REQUESTS = 30_000;

    @Test
    void engineThreadAllocatesNothingPerRequestWhileRecordingLatency() throws Exception
    {
        final long allocated = engineAllocation(EngineAllocationEndToEndTest::load);
        // One 16-byte object per request would be 480 KB; measured: about 1 KB in all.
        assertTrue(allocated < 16 * 1024, allocated + " bytes allocated by the engine over " + REQUESTS +
            " requests");
    }

    @Test
    void engineThreadAllocatesNothingPerRequestWhileWritingRepliesToTheSocket() throws Exception
    {
        // One request per round trip: every batch is answered by the engine itself (EngineReplyWriter's
        // non-blocking write on the engine thread), which must allocate nothing either.
        final long allocated = engineAllocation(EngineAllocationEndToEndTest::roundTrips);
        // One 16-byte object per request would be 480 KB. The seconds of round trips on a loaded machine once let
        // the engine allocate 23 KB off the request path, so the bound is per request (2 B) rather than in all.
        assertTrue(allocated < 2L * REQUESTS, allocated + " bytes allocated by the engine over " + REQUESTS +
            " requests");
    }

    @Test
    void engineThreadAllocatesNothingPerRequestWhileWritingTheAppendOnlyFile(@org.junit.jupiter.api.io.TempDir
        final java.nio.file.Path dir) throws Exception
    {
        // appendfsync always, pipelined: each run's changes encoded, written and fsynced, its replies held until then
        // (round trips would fsync for each and last long enough for the engine's timed work to dominate).
        final long always = engineAllocation(EngineAllocationEndToEndTest::load, "appendonly", "yes",
            "appendfsync", "always", "dir", dir.resolve("always").toString());
        assertTrue(always < 2L * REQUESTS, always + " bytes allocated by the engine over " + REQUESTS +
            " requests with appendfsync always");
        // appendfsync everysec, round trips: a write(2) of the AOF buffer per request.
        final long everysec = engineAllocation(EngineAllocationEndToEndTest::roundTrips, "appendonly", "yes",
            "appendfsync", "everysec", "dir", dir.resolve("everysec").toString());
        assertTrue(everysec < 2L * REQUESTS, everysec + " bytes allocated by the engine over " + REQUESTS +
            " requests with appendfsync everysec");
    }

    /** What the engine thread allocates while a client sends {@link #REQUESTS} requests, after two warm-up runs. */
    private static long engineAllocation(final Consumer<Jedis> load, final String... options) throws Exception
    {
        // The slow log is off: on a loaded machine the OS can deschedule the engine mid-command, and the call it then
        // logs as slow allocates its entry (a rare path by design, not the per-request one measured here).
        final String[] all = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("ringkv-engine-thread", "platform", "slowlog-log-slower-than", "-1"),
            java.util.Arrays.stream(options)).toArray(String[]::new);
        try (TestServer server = TestServer.start(all);
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long engineId = engineThreadId();
            load.accept(jedis);
            load.accept(jedis);
            final long before = threads.getThreadAllocatedBytes(engineId);
            load.accept(jedis);
            return threads.getThreadAllocatedBytes(engineId) - before;
        }
    }

    private static void roundTrips(final Jedis jedis)
    {
        for (int i = 0; i < REQUESTS / 2; i++)
        {
            jedis.set("k" + (i % 100), "value");
            jedis.get("k" + (i % 100));
        }
    }

    private static void load(final Jedis jedis)
    {
        final Pipeline pipeline = jedis.pipelined();
        for (int i = 0; i < REQUESTS / 3; i++)
        {
            pipeline.set("k" + (i % 100), "value");
            pipeline.get("k" + (i % 100));
            pipeline.incr("n" + (i % 10));
        }
        pipeline.sync();
    }

    private static long engineThreadId()
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if ("ringkv-engine".equals(thread.getName()))
            {
                return thread.threadId();
            }
        }
        throw new AssertionError("no ringkv-engine thread");
    }
}
