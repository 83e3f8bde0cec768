package io.ringkv.bench.nearcache;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import org.HdrHistogram.Histogram;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What client-side caching is for, measured: a client with Lettuce's near cache ({@code CLIENT TRACKING}, default
 * mode) reads a zipfian key space while a second connection writes a small fraction of the operations; the same
 * reads without a near cache (every read a round trip) are the baseline. Prints, per mode: reads, the round trips
 * they took (server GETs, from INFO commandstats), the read latency percentiles (HdrHistogram, end to end in the
 * client, microseconds), and, for the near cache, how many cached values disagree with the server once the writes
 * stop and the invalidations have arrived (must be 0).
 * <p>
 * {@code java -cp ... io.ringkv.bench.nearcache.NearCacheBench <port> [keys] [reads] [write-every] [zipf-s]}
 */
public final class NearCacheBench
{
    private NearCacheBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int port = Integer.parseInt(args[0]);
        final int keys = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        final int reads = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        final int writeEvery = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        final double skew = args.length > 4 ? Double.parseDouble(args[4]) : 0.99;
        final double[] cdf = zipfCdf(keys, skew);
        final RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try (StatefulRedisConnection<String, String> reader = client.connect(StringCodec.UTF8);
            StatefulRedisConnection<String, String> writer = client.connect(StringCodec.UTF8))
        {
            final RedisCommands<String, String> w = writer.sync();
            w.flushall();
            final String value = "v".repeat(100);
            for (int i = 0; i < keys; i++)
            {
                w.set("key:" + i, value);
            }
            final String server = w.info("server").contains("ringkv") ? "ringkv" : "redis";
            run(server, "direct", reader, null, w, cdf, reads / 5, writeEvery, true); // warm-up
            run(server, "direct", reader, null, w, cdf, reads, writeEvery, false);
            final Map<String, String> near = new ConcurrentHashMap<>();
            final CacheFrontend<String, String> frontend =
                ClientSideCaching.enable(CacheAccessor.forMap(near), reader, TrackingArgs.Builder.enabled());
            run(server, "near-cache", reader, frontend, w, cdf, reads / 5, writeEvery, true); // warm-up
            run(server, "near-cache", reader, frontend, w, cdf, reads, writeEvery, false);
            Thread.sleep(200); // the last invalidations arrive
            int stale = 0;
            for (final Map.Entry<String, String> entry : near.entrySet())
            {
                if (!entry.getValue().equals(w.get(entry.getKey())))
                {
                    stale++;
                }
            }
            System.out.printf("%s near-cache coherence: %d cached keys, %d stale%n", server, near.size(), stale);
            frontend.close();
        }
        finally
        {
            client.shutdown();
        }
    }

    private static void run(
        final String server, final String mode, final StatefulRedisConnection<String, String> reader,
        final CacheFrontend<String, String> frontend, final RedisCommands<String, String> writer, final double[] cdf,
        final int reads, final int writeEvery, final boolean warmUp)
    {
        final RedisCommands<String, String> direct = reader.sync();
        final SplittableRandom random = new SplittableRandom(42);
        final Histogram latency = new Histogram(3_600_000_000_000L, 3);
        final long getsBefore = serverGets(writer);
        long writes = 0;
        final long startNs = System.nanoTime();
        for (int i = 0; i < reads; i++)
        {
            final String key = "key:" + sample(cdf, random.nextDouble());
            if (writeEvery > 0 && i % writeEvery == 0)
            {
                writer.set("key:" + sample(cdf, random.nextDouble()), "w" + i);
                writes++;
            }
            final long t0 = System.nanoTime();
            final String value = null == frontend ? direct.get(key) : frontend.get(key);
            latency.recordValue(System.nanoTime() - t0);
            if (null == value)
            {
                throw new IllegalStateException("missing " + key);
            }
        }
        final long elapsedNs = System.nanoTime() - startNs;
        final long roundTrips = serverGets(writer) - getsBefore;
        if (warmUp)
        {
            return;
        }
        System.out.printf("%s %-10s reads=%d writes=%d round-trips=%d (%.1f%% of reads) p50=%.1fus p90=%.1fus " +
            "p99=%.1fus p99.9=%.1fus mean=%.2fus reads/s=%.0f%n",
            server, mode, reads, writes, roundTrips, 100.0 * roundTrips / reads,
            latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(90) / 1000.0,
            latency.getValueAtPercentile(99) / 1000.0, latency.getValueAtPercentile(99.9) / 1000.0,
            latency.getMean() / 1000.0, reads * 1e9 / elapsedNs);
    }

    /** GETs the server executed so far (INFO commandstats), so round trips are counted by the server. */
    static long serverGets(final RedisCommands<String, String> commands)
    {
        for (final String line : commands.info("commandstats").split("\r\n"))
        {
            if (line.startsWith("cmdstat_get:calls="))
            {
                return Long.parseLong(line.substring("cmdstat_get:calls=".length(), line.indexOf(',')));
            }
        }
        return 0;
    }

    private static double[] zipfCdf(final int n, final double s)
    {
        final double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += 1.0 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++)
        {
            cdf[i] /= sum;
        }
        return cdf;
    }

    private static int sample(final double[] cdf, final double u)
    {
        final int at = Arrays.binarySearch(cdf, u);
        return Math.min(cdf.length - 1, at >= 0 ? at : -at - 1);
    }
}
