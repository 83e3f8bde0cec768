package io.ringkv.bench.store;

import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.MemoryStats;
import io.ringkv.core.store.StoreConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Shows that the heap holds no per-key object: loads keys of 16 bytes with 32-byte values and prints heap used
 * (MemoryMXBean after System.gc()) before and after, with the store's {@link MemoryStats} and per-key overhead.
 * Args: {@code [keys...]}, default 1,000,000 then 10,000,000. Single threaded.
 */
public final class HeapFootprint
{
    private HeapFootprint()
    {
    }

    public static void main(final String[] args)
    {
        final long[] counts = args.length == 0 ? new long[]{ 1_000_000L, 10_000_000L } : new long[args.length];
        for (int i = 0; i < args.length; i++)
        {
            counts[i] = Long.parseLong(args[i]);
        }
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final StoreLoad load = new StoreLoad();
        for (final long count : counts)
        {
            try (Keyspace keyspace = new Keyspace(new StoreConfig()))
            {
                final long heapBefore = heapUsed(memory);
                load.fill(keyspace, count);
                final long heapAfter = heapUsed(memory);
                final MemoryStats stats = keyspace.memoryStats();
                System.out.printf("%,d keys (16-byte keys, 32-byte values)%n", count);
                System.out.printf("  heap used before %,d bytes, after %,d bytes: %+.2f bytes per key%n",
                    heapBefore, heapAfter, (double)(heapAfter - heapBefore) / count);
                System.out.printf("  off-heap used %,d bytes: %.1f bytes per key, %.1f bytes per key beyond its " +
                    "48 bytes of key and value%n", stats.usedMemoryBytes(), (double)stats.usedMemoryBytes() / count,
                    stats.overheadBytesPerKey());
                System.out.println("  " + stats);
            }
        }
    }

    private static long heapUsed(final MemoryMXBean memory)
    {
        System.gc();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
