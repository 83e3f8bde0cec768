package io.ringkv.core.store;

/**
 * W-TinyLFU's admission window for a store that must keep every write: the most recently inserted keys, oldest
 * first, as (database, stored 32-bit hash) pairs. The newest {@link #WINDOW_PERCENT}% of the store's keys are in
 * the window and are not contested; older ones have left the window and are candidates: the evictor compares a candidate's
 * sketch frequency with the main victim's and evicts the lower (the candidate on a tie), which is how a one-off
 * scan's keys go before an established hot set.
 * <p>
 * A pair names its entry without the key bytes: the table finds the entry by its stored hash in one chain
 * ({@link OffHeapTable#findByStoredHash(long)}); a key deleted since, or replaced by one of the same 32-bit hash in
 * the same chain, is at worst a stale or different candidate, never a dangling address. The ring is one
 * {@code long[]} made when the policy is chosen and grown (doubled) only with the key count: nothing per key,
 * nothing allocated per write. Not threadsafe: engine thread only.
 */
final class AdmissionWindow
{
    /**
     * The window is this percentage of the keys, at least {@link #MIN_WINDOW}. W-TinyLFU starts from 1% and lets a
     * hill climber move it; without one, 20% cost the static and scanning workloads 0.2 to 0.5 points of hit ratio
     * and gave the moving one 1 to 2 (HitRatioSimulation, docs/eviction.md).
     */
    static final int WINDOW_PERCENT = 20;
    static final int MIN_WINDOW = 16;
    private static final int MIN_CAPACITY = 64;

    private long[] ring = new long[MIN_CAPACITY];
    private long head;
    private long tail;

    /**
     * Note a key just inserted. When the ring is full the oldest pair is dropped: it was admitted without a
     * contest, as nothing needed evicting meanwhile.
     *
     * @param db   database of the key.
     * @param hash its stored 32-bit hash.
     * @param keys keys the store holds (sizes the ring).
     */
    void add(final int db, final long hash, final long keys)
    {
        final long wanted = 2 * windowSize(keys);
        if (wanted > ring.length)
        {
            grow(wanted);
        }
        if (tail - head == ring.length)
        {
            head++;
        }
        ring[(int)(tail++ & (ring.length - 1))] = (long)db << 32 | hash;
    }

    /**
     * @param keys keys the store holds.
     * @return true when the oldest pair has left the window and awaits a contest.
     */
    boolean hasCandidate(final long keys)
    {
        return tail - head > windowSize(keys);
    }

    /** @return database of the oldest pair; {@link #hasCandidate} must be true. */
    int candidateDb()
    {
        return (int)(ring[(int)(head & (ring.length - 1))] >>> 32);
    }

    /** @return stored hash of the oldest pair. */
    long candidateHash()
    {
        return ring[(int)(head & (ring.length - 1))] & 0xFFFF_FFFFL;
    }

    /** Drop the oldest pair (decided, or gone). */
    void removeCandidate()
    {
        head++;
    }

    /** @return pairs held. */
    int size()
    {
        return (int)(tail - head);
    }

    /** Forget every pair (FLUSHALL, or the policy changed). */
    void clear()
    {
        head = tail;
    }

    static long windowSize(final long keys)
    {
        return Math.max(MIN_WINDOW, keys * WINDOW_PERCENT / 100);
    }

    private void grow(final long wanted)
    {
        final int capacity = (int)Math.min(1 << 30, Long.highestOneBit(wanted - 1) << 1);
        if (capacity <= ring.length)
        {
            return;
        }
        final long[] grown = new long[capacity];
        final int size = size();
        for (int i = 0; i < size; i++)
        {
            grown[i] = ring[(int)((head + i) & (ring.length - 1))];
        }
        ring = grown;
        head = 0;
        tail = size;
    }
}
