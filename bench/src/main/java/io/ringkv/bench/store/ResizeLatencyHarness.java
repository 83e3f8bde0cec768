package io.ringkv.bench.store;

import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.MemoryStats;
import io.ringkv.core.store.StoreConfig;
import org.HdrHistogram.Histogram;

/**
 * Worst single-operation latency while a table of about 10 million keys doubles, recorded in HdrHistogram.
 * <pre>
 *   load 2^23 - 1 keys (table full, 2^23 buckets)
 *        |
 *        v
 *   insert new keys, timing each put -----------> histogram "put during resize"
 *        |   every TICK_OPS puts: rehashStep(budget) --> histogram "rehashStep"   (the engine's idle tick)
 *        v
 *   until the doubling is complete and at least 10M keys are in
 * </pre>
 * Each put does its own small step of the resize (zero 64 KiB of the new bucket array, or move one bucket), so no
 * single put pays for the whole doubling. Args: {@code [targetKeys] [tickOps] [tickBudgetNs]}. Single threaded.
 */
public final class ResizeLatencyHarness
{
    private ResizeLatencyHarness()
    {
    }

    public static void main(final String[] args)
    {
        final long targetKeys = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        final int tickOps = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        final long tickBudgetNs = args.length > 2 ? Long.parseLong(args[2]) : 100_000L;
        final long preload = Long.highestOneBit(targetKeys) - 1;

        final StoreLoad load = new StoreLoad();
        try (Keyspace keyspace = new Keyspace(new StoreConfig()))
        {
            System.out.printf("loading %,d keys%n", preload);
            load.fill(keyspace, preload);
            final Histogram steady = new Histogram(3_600_000_000_000L, 3);
            final Histogram duringResize = new Histogram(3_600_000_000_000L, 3);
            final Histogram ticks = new Histogram(3_600_000_000_000L, 3);

            // Warm the put path on existing keys (overwrites) so JIT compilation is not measured as resize cost.
            for (long i = 0; i < 2_000_000; i++)
            {
                final long start = System.nanoTime();
                load.put(keyspace, i % preload);
                steady.recordValue(System.nanoTime() - start);
            }

            long index = preload;
            boolean resizing = true;
            long opsDuringResize = 0;
            while (index < targetKeys || resizing)
            {
                final long start = System.nanoTime();
                load.put(keyspace, index++);
                final long end = System.nanoTime();
                resizing = keyspace.isResizing();
                if (resizing || opsDuringResize == 0)
                {
                    duringResize.recordValue(end - start);
                    opsDuringResize++;
                }
                if (index % tickOps == 0)
                {
                    final long tickStart = System.nanoTime();
                    keyspace.rehashStep(tickBudgetNs);
                    ticks.recordValue(System.nanoTime() - tickStart);
                }
            }

            final MemoryStats stats = keyspace.memoryStats();
            System.out.printf("keys %,d, table %,d bytes, puts during resize %,d%n",
                stats.keys(), stats.tableBytes(), opsDuringResize);
            print("put, steady state (overwrite)", steady);
            print("put during resize", duringResize);
            print("rehashStep tick (budget " + tickBudgetNs + " ns)", ticks);
        }
    }

    private static void print(final String name, final Histogram histogram)
    {
        System.out.printf("%-40s count=%,d p50=%,dns p99=%,dns p99.99=%,dns max=%,dns%n", name,
            histogram.getTotalCount(), histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99),
            histogram.getValueAtPercentile(99.99), histogram.getMaxValue());
    }
}
