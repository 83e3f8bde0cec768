package io.ringkv.loadgen.workload;

import java.util.function.LongSupplier;

/**
 * A key distribution whose hot set moves: every {@code periodNs} the mapping from the inner distribution's key
 * (a popularity rank for {@link ZipfianKeyDistribution}) to the key sent moves on by {@code shift} keys, so the
 * keys that were hot cool down and keys that were cold become hot, as a cache's working set drifts over a day.
 * Every connection shifts at the same times (one origin, one clock), so they agree on what is hot. Not
 * threadsafe: one per connection; {@link #nextKey()} reads the clock and allocates nothing.
 * <pre>
 *   period 0: rank r -> key r        period 1: rank r -> key (r + shift) mod keySpace ...
 * </pre>
 */
public final class MovingHotSetKeyDistribution implements KeyDistribution
{
    private final KeyDistribution ranks;
    private final long keySpace;
    private final long shift;
    private final long periodNs;
    private final long originNs;
    private final LongSupplier clock;
    private long period;
    private long offset;

    /**
     * @param ranks    draws ranks in {@code [0, keySpace)}, rank 0 the hottest.
     * @param keySpace number of keys.
     * @param shift    keys the hot set moves by each period, in {@code [1, keySpace)}.
     * @param periodNs time between moves, positive.
     * @param originNs clock reading at which period 0 starts (shared by all connections).
     * @param clock    the clock, {@link System#nanoTime()} outside tests.
     */
    public MovingHotSetKeyDistribution(
        final KeyDistribution ranks,
        final long keySpace,
        final long shift,
        final long periodNs,
        final long originNs,
        final LongSupplier clock)
    {
        if (shift < 1 || shift >= Math.max(2, keySpace) || periodNs < 1)
        {
            throw new IllegalArgumentException("shift=" + shift + " keySpace=" + keySpace + " periodNs=" + periodNs);
        }
        this.ranks = ranks;
        this.keySpace = keySpace;
        this.shift = shift;
        this.periodNs = periodNs;
        this.originNs = originNs;
        this.clock = clock;
    }

    @Override
    public long nextKey()
    {
        final long now = Math.max(0, clock.getAsLong() - originNs) / periodNs;
        while (period < now)
        {
            // Usually one step; a connection that slept through several periods catches up once.
            offset = keySpace - offset > shift ? offset + shift : offset + shift - keySpace;
            period++;
        }
        final long rank = ranks.nextKey();
        return keySpace - offset > rank ? rank + offset : rank + offset - keySpace;
    }
}
