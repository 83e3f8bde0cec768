package io.ringkv.core.store;

/**
 * Marsaglia's xorshift64 step: the store's cheap source of randomness (random buckets, eviction samples, LFU
 * increments), where statistical quality matters less than a few cycles and no allocation.
 */
final class XorShift
{
    private XorShift()
    {
    }

    /**
     * @param state the previous value, never 0.
     * @return the next value, never 0.
     */
    static long next(final long state)
    {
        long x = state;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }
}
