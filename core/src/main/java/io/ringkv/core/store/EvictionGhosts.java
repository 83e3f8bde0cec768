package io.ringkv.core.store;

/**
 * The hashes of keys allkeys-tinylfu evicted recently, each with the side that chose it: the admission contest
 * rejecting a key that had just left the window ({@link #RECENCY}: it was new and not yet counted often), or the
 * main region giving up its least counted key ({@link #FREQUENCY}). When an evicted key is written again soon, the
 * side that evicted it was wrong, which tells the {@link AgingClimber} which way to move (ARC's ghost lists, for
 * W-TinyLFU's sketch).
 * <p>
 * A direct-mapped table of {@code int}s, one per two keys the store holds (a power of two): a slot keeps the last
 * eviction that hashed to it, so it remembers roughly the last half a store's worth of evictions, and a collision
 * only loses a ghost or, once in 2^31, names the wrong one. The 32-bit stored hash is kept with its lowest bit
 * replaced by the side. Nothing per key on the heap, nothing allocated but when the store's key count doubles.
 * Not threadsafe: engine thread only.
 */
final class EvictionGhosts
{
    /** Not a ghost. */
    static final int NONE = -1;
    /** Evicted by the admission contest: a new key that had not proved its frequency. */
    static final int RECENCY = 0;
    /** Evicted from the main region: its least counted key. */
    static final int FREQUENCY = 1;

    private static final int MIN_SLOTS = 1024;
    private static final int EMPTY = 0;

    private int[] slots = new int[MIN_SLOTS];

    /**
     * @param keys keys the store holds: the table grows to a slot per two keys (ghosts are dropped then).
     */
    void ensureCapacity(final long keys)
    {
        if (keys / 2 > slots.length && slots.length < 1 << 30)
        {
            slots = new int[(int)Math.min(1 << 30, Long.highestOneBit(keys / 2 - 1) << 1)];
        }
    }

    /**
     * @param hash the evicted key's stored 32-bit hash.
     * @param side {@link #RECENCY} or {@link #FREQUENCY}.
     */
    void evicted(final long hash, final int side)
    {
        slots[slot(hash)] = tag(hash, side);
    }

    /**
     * A key was written that the store did not hold: was it evicted lately, and by which side? Forgets it.
     *
     * @param hash the key's stored 32-bit hash.
     * @return {@link #RECENCY}, {@link #FREQUENCY} or {@link #NONE}.
     */
    int returned(final long hash)
    {
        final int slot = slot(hash);
        final int ghost = slots[slot];
        if (ghost == EMPTY)
        {
            return NONE;
        }
        for (int side = RECENCY; side <= FREQUENCY; side++)
        {
            if (ghost == tag(hash, side))
            {
                slots[slot] = EMPTY;
                return side;
            }
        }
        return NONE;
    }

    /** Forget every ghost. */
    void clear()
    {
        java.util.Arrays.fill(slots, EMPTY);
    }

    private int slot(final long hash)
    {
        // The stored hash's low bits also pick the table's bucket: spread them again so neighbours in a bucket differ.
        return (int)((hash * 0x9E37_79B9_7F4A_7C15L) >>> 34) & (slots.length - 1);
    }

    /** The hash with its lowest bit replaced by the side, never {@link #EMPTY}. */
    private static int tag(final long hash, final int side)
    {
        final int tagged = ((int)hash & ~1) | side;
        return tagged == EMPTY ? 2 : tagged;
    }
}
