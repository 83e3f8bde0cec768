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
     * Run {@code round} {@code rounds} times to warm up (JIT, buffers grown to size), then measure {@code rounds} runs
     * in three windows and keep the smallest (so {@code round} runs {@code 4 * rounds} times in all). On a loaded machine the JIT can finish compiling after the warm-up,
     * and code still running in the interpreter or C1 allocates what C2's escape analysis removes; a real allocation
     * per request shows in every window.
     *
     * @return bytes the calling thread allocated during the cleanest window of {@code rounds} runs.
     */
    public static long afterWarmUp(final Runnable round, final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            round.run();
        }
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 3; window++)
        {
            final long before = allocatedBytes();
            for (int i = 0; i < rounds; i++)
            {
                round.run();
            }
            least = Math.min(least, allocatedBytes() - before);
        }
        return least;
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
