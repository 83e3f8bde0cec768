package io.ringkv.bench.nearcache;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import io.ringkv.net.server.RingkvServer;
import io.ringkv.net.server.ServerLog;
import io.ringkv.net.server.config.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Java client's client-side caching against a real ringkv: Lettuce's near cache ({@code CLIENT TRACKING} over
 * RESP3) caches what it read, loses it when another connection writes the key, and, after a skewed mix of reads
 * and writes (pipelined reads included, which ringkv answers before the invalidations they cause), holds no value
 * the server does not.
 */
class LettuceNearCacheTest
{
    private static RingkvServer server;
    private static RedisClient client;

    @BeforeAll
    static void start() throws IOException
    {
        final ServerConfig config = new ServerConfig();
        final String error = config.setAll(List.of("port", "0", "bind", "127.0.0.1"), false);
        assertNull(error);
        server = new RingkvServer(config, new ServerLog(new PrintStream(new ByteArrayOutputStream(), true),
            ServerLog.WARNING));
        server.start();
        client = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
    }

    @AfterAll
    static void stop()
    {
        if (null != client)
        {
            client.shutdown();
        }
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void nearCacheIsInvalidatedByAnotherConnectionsWrite() throws InterruptedException
    {
        try (StatefulRedisConnection<String, String> tracked = client.connect(StringCodec.UTF8);
            StatefulRedisConnection<String, String> writer = client.connect(StringCodec.UTF8))
        {
            writer.sync().flushall();
            writer.sync().set("lc", "v1");
            final Map<String, String> near = new ConcurrentHashMap<>();
            final CacheFrontend<String, String> frontend =
                ClientSideCaching.enable(CacheAccessor.forMap(near), tracked, TrackingArgs.Builder.enabled());
            assertEquals("v1", frontend.get("lc"));
            assertEquals("v1", near.get("lc"), "cached after the first read");
            final long callsBefore = NearCacheBench.serverGets(writer.sync());
            assertEquals("v1", frontend.get("lc"));
            assertEquals(callsBefore, NearCacheBench.serverGets(writer.sync()), "a cached read is no round trip");
            writer.sync().set("lc", "v2");
            awaitGone(near, "lc");
            assertEquals("v2", frontend.get("lc"));
            writer.sync().del("lc");
            awaitGone(near, "lc");
            frontend.close();
        }
    }

    @Test
    void skewedReadsAndWritesLeaveNoStaleValue() throws Exception
    {
        try (StatefulRedisConnection<String, String> tracked = client.connect(StringCodec.UTF8);
            StatefulRedisConnection<String, String> writer = client.connect(StringCodec.UTF8))
        {
            final RedisCommands<String, String> w = writer.sync();
            w.flushall();
            for (int i = 0; i < 200; i++)
            {
                w.set("k" + i, "init");
            }
            final Map<String, String> near = new ConcurrentHashMap<>();
            final CacheFrontend<String, String> frontend =
                ClientSideCaching.enable(CacheAccessor.forMap(near), tracked, TrackingArgs.Builder.enabled());
            final RedisAsyncCommands<String, String> pipelined = tracked.async();
            final SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < 5000; i++)
            {
                final int hot = (int)Math.min(199, Math.abs(random.nextGaussian()) * 20);
                if (i % 10 == 0)
                {
                    w.set("k" + hot, "w" + i);
                }
                else if (i % 10 == 1)
                {
                    // A burst of pipelined reads on the tracked connection: ringkv answers them in one batch.
                    tracked.setAutoFlushCommands(false);
                    final List<io.lettuce.core.RedisFuture<String>> futures = new ArrayList<>();
                    for (int j = 0; j < 8; j++)
                    {
                        futures.add(pipelined.get("k" + ((hot + j) % 200)));
                    }
                    tracked.flushCommands();
                    tracked.setAutoFlushCommands(true);
                    for (final io.lettuce.core.RedisFuture<String> future : futures)
                    {
                        assertTrue(future.await(5, TimeUnit.SECONDS));
                    }
                }
                else
                {
                    frontend.get("k" + hot);
                }
            }
            Thread.sleep(300); // the last invalidations arrive
            assertFalse(near.isEmpty());
            int stale = 0;
            for (final Map.Entry<String, String> entry : near.entrySet())
            {
                stale += entry.getValue().equals(w.get(entry.getKey())) ? 0 : 1;
            }
            assertEquals(0, stale, "near-cached values that differ from the server's");
            frontend.close();
        }
    }

    private static void awaitGone(final Map<String, String> near, final String key) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (near.containsKey(key) && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(5);
        }
        assertFalse(near.containsKey(key), "the invalidation of " + key + " reached Lettuce");
    }
}
