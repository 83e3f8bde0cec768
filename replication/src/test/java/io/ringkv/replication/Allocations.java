package io.ringkv.replication;

import java.lang.management.ManagementFactory;

/**
 * What a piece of work allocates on the calling thread once warmed up (the allocation tests of the hot paths).
 */
public final class Allocations
{
    private Allocations()
    {
    }

    /**
     * Run {@code round} {@code rounds} times to warm up (JIT, buffers grown to size), then {@code rounds} times more.
     *
     * @return bytes the calling thread allocated during the second half.
     */
    public static long afterWarmUp(final Runnable round, final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            round.run();
        }
        final long before = allocatedBytes();
        for (int i = 0; i < rounds; i++)
        {
            round.run();
        }
        return allocatedBytes() - before;
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
