package io.ringkv.core.store;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.SplittableRandom;

/**
 * Cache-aside traffic (GET, and SET on a miss) run straight against a {@link Keyspace} with a memory budget, to
 * compare the eviction policies' hit ratios without a network or a clock: the time is simulated (one ms per
 * {@link #REQUESTS_PER_MS} requests) and the eviction sampling seeded, so the result depends only on the seed. The workloads are the load
 * generator's: zipfian, zipfian with a hot set that moves, zipfian with one-off scans of never-seen keys.
 * Single-threaded; a test helper.
 */
final class HitRatioSimulation
{
    static final int REQUESTS_PER_MS = 50;
    private static final long START_MS = 1_700_000_000_000L;

    enum Workload
    {
        ZIPFIAN, ZIPFIAN_MOVING, ZIPFIAN_SCAN
    }

    private final int keySpace;
    private final double[] cdf;
    private final int valueSize;
    /** allkeys-tinylfu's climbed recency over the counted requests of the last run, mean (0 to 1). */
    double meanRecency;

    /**
     * @param keySpace  distinct keys of the zipfian part.
     * @param theta     zipfian exponent.
     * @param valueSize bytes per value.
     */
    HitRatioSimulation(final int keySpace, final double theta, final int valueSize)
    {
        this.keySpace = keySpace;
        this.valueSize = valueSize;
        cdf = new double[keySpace];
        double sum = 0;
        for (int i = 0; i < keySpace; i++)
        {
            sum += 1 / Math.pow(i + 1, theta);
            cdf[i] = sum;
        }
        for (int i = 0; i < keySpace; i++)
        {
            cdf[i] /= sum;
        }
    }

    /**
     * @return bytes the whole key space takes in the store (the budgets are fractions of it).
     */
    long workingSetBytes()
    {
        try (Keyspace keyspace = new Keyspace(new StoreConfig()))
        {
            final UnsafeBuffer key = new UnsafeBuffer(new byte[32]);
            for (int k = 0; k < keySpace; k++)
            {
                set(keyspace, key, k);
            }
            return keyspace.evictableUsedBytes();
        }
    }

    /**
     * @param policy      eviction policy.
     * @param budgetBytes maxmemory.
     * @param workload    key pattern.
     * @param warmup      requests before counting.
     * @param requests    counted requests.
     * @param period      requests between hot-set moves or scans.
     * @param seed        random seed.
     * @return hits / GETs over the counted requests.
     */
    double hitRatio(
        final EvictionPolicy policy, final long budgetBytes, final Workload workload, final long warmup,
        final long requests, final long period, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[32]);
        final long shift = keySpace / 10;
        final long scanLength = keySpace / 5;
        long hits = 0;
        double recencySum = 0;
        long scanNext = Long.MAX_VALUE;
        long scanEnd = 0;
        long scanKey = keySpace;
        try (Keyspace keyspace = new Keyspace(new StoreConfig()))
        {
            keyspace.seedSampling(seed);
            keyspace.evictionPolicy(policy);
            keyspace.maxMemoryBytes(budgetBytes);
            // As the dispatcher for read commands: the GETs are the hits and misses the admission window climbs on.
            keyspace.countLookups(true);
            for (long r = 0; r < warmup + requests; r++)
            {
                final long nowMs = START_MS + r / REQUESTS_PER_MS;
                keyspace.clock(nowMs);
                final long rank = rank(random.nextDouble());
                long k;
                switch (workload)
                {
                    case ZIPFIAN_MOVING:
                        k = (rank + (r / period) * shift) % keySpace;
                        break;
                    case ZIPFIAN_SCAN:
                        if (r % period == 0 && r > 0)
                        {
                            scanNext = scanKey;
                            scanEnd = scanKey + scanLength;
                            scanKey = scanEnd;
                        }
                        if (scanNext < scanEnd)
                        {
                            k = scanNext++;
                            break;
                        }
                        k = rank;
                        break;
                    default:
                        k = rank;
                }
                final int length = keyBytes(key, k);
                if (keyspace.find(0, key, 0, length, nowMs) != Keyspace.NOT_FOUND)
                {
                    hits += r >= warmup ? 1 : 0;
                }
                else
                {
                    keyspace.makeRoom(nowMs);
                    set(keyspace, key, k);
                }
                recencySum += r >= warmup ? keyspace.climbedRecency() : 0;
            }
            meanRecency = recencySum / requests;
            return (double)hits / requests;
        }
    }

    private long rank(final double u)
    {
        int lo = 0;
        int hi = keySpace - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private void set(final Keyspace keyspace, final UnsafeBuffer key, final long k)
    {
        final int length = keyBytes(key, k);
        keyspace.put(0, key, 0, length, ValueType.STRING, ValueEncoding.STRING_RAW, valueSize, Keyspace.NO_EXPIRY);
    }

    /** Writes "key:" and the number in 12 zero-padded digits, as the load generator's default key format. */
    private static int keyBytes(final UnsafeBuffer key, final long k)
    {
        key.putStringWithoutLengthAscii(0, "key:");
        long rest = k;
        for (int i = 15; i >= 4; i--)
        {
            key.putByte(i, (byte)('0' + rest % 10));
            rest /= 10;
        }
        return 16;
    }

    public static void main(final String[] args)
    {
        final int keySpace = Integer.parseInt(args.length > 0 ? args[0] : "100000");
        final HitRatioSimulation sim = new HitRatioSimulation(keySpace, 0.99, 100);
        final long total = sim.workingSetBytes();
        final long period = Long.parseLong(args.length > 1 ? args[1] : "150000");
        final long requests = Long.parseLong(args.length > 2 ? args[2] : "1500000");
        for (final Workload workload : Workload.values())
        {
            for (final double fraction : new double[]{0.1, 0.25, 0.5})
            {
                final StringBuilder line = new StringBuilder(workload + " " + fraction);
                for (final EvictionPolicy policy : new EvictionPolicy[]{
                    EvictionPolicy.ALLKEYS_LRU, EvictionPolicy.ALLKEYS_LFU, EvictionPolicy.ALLKEYS_TINYLFU})
                {
                    line.append(String.format(" %s=%.4f", policy.redisName(),
                        sim.hitRatio(policy, (long)(total * fraction), workload, requests / 2, requests, period, 42)));
                    if (policy == EvictionPolicy.ALLKEYS_TINYLFU)
                    {
                        line.append(String.format(" (recency %.2f on average)", sim.meanRecency));
                    }
                }
                System.out.println(line);
            }
        }
    }
}
