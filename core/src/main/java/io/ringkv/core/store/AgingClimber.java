package io.ringkv.core.store;

/**
 * Moves allkeys-tinylfu between recency and frequency, as Caffeine's hill climber moves W-TinyLFU's window, but by
 * how fast the {@link FrequencySketch} forgets, and steered by which side's evictions come back
 * ({@link EvictionGhosts}) rather than by the change of the sampled hit rate. A key the admission contest rejected
 * (new, not yet counted often) written again soon says yesterday's counts are holding new keys out: forget faster. A
 * key the main region gave up (its least counted) written again says the counts were right: forget slower. Each
 * side's returns are weighed by the keys it evicted in the sample.
 * <p>
 * Why not the window, as Caffeine: measured in {@code HitRatioSimulation} (docs/eviction.md), every fixed window
 * from 1% to 80% of the keys was within 2 points of hit ratio of the others on a hot set that moves, while the
 * sketch's aging moved it by 3.5; and a hit-rate climber only random-walked, because a move of the hot set or a scan
 * swings one sample's hit rate far more than the window does. Steering the window by the ghosts fed back on itself
 * (a larger window rejects fewer keys, the few it rejects are borderline and come back, so it grew further); the
 * aging does not change which keys the contest sees, and settled.
 * <p>
 * One knob, the recency {@code r} in [0, 1], sets the sketch's aging from one halving of each block per
 * {@link #SLOWEST_AGING} increments (Caffeine's sample period, for a stable skew) to one per {@link #FASTEST_AGING}
 * (a hot set that moves: the old hot keys must lose their counts before the new ones can win a contest). Every
 * {@link #sampleLength(long)} new keys the knob takes a {@link #STEP} toward the side whose evictions came back
 * less. Not threadsafe: engine thread only. Allocates nothing.
 */
final class AgingClimber
{
    /** The recency before any sample. */
    static final double INITIAL_RECENCY = 0.25;
    /** Sketch increments per aged block at recency 0 (every counter halved once per 10 increments per word). */
    static final int SLOWEST_AGING = FrequencySketch.INCREMENTS_PER_AGED_BLOCK;
    /** Sketch increments per aged block at recency 1 (eight times as fast). */
    static final int FASTEST_AGING = FrequencySketch.INCREMENTS_PER_AGED_BLOCK / 8;
    /** Recency moved per sample. */
    static final double STEP = 0.125;
    /** New keys per sample, at least. */
    static final long MIN_SAMPLE = 512;

    private double recency = INITIAL_RECENCY;
    private long inserted;
    private long recencyGhosts;
    private long frequencyGhosts;
    private long recencyEvictions;
    private long frequencyEvictions;

    /**
     * @return the knob: 0 remembers longest (frequency), 1 forgets fastest (recency).
     */
    double recency()
    {
        return recency;
    }

    /**
     * @return sketch increments between two halvings of a block.
     */
    int agingPeriod()
    {
        return (int)Math.round(SLOWEST_AGING - recency * (SLOWEST_AGING - FASTEST_AGING));
    }

    /**
     * Count an eviction by a side (the denominators of the ghosts' verdicts).
     *
     * @param side {@link EvictionGhosts#RECENCY} or {@link EvictionGhosts#FREQUENCY}.
     */
    void evicted(final int side)
    {
        if (side == EvictionGhosts.RECENCY)
        {
            recencyEvictions++;
        }
        else
        {
            frequencyEvictions++;
        }
    }

    /**
     * Count a key the store did not hold, and close a sample when enough came.
     *
     * @param ghost what {@link EvictionGhosts#returned(long)} said of it.
     * @param keys  keys the store holds (sizes the sample).
     * @return true if a sample closed and the knob moved.
     */
    boolean inserted(final int ghost, final long keys)
    {
        if (ghost == EvictionGhosts.RECENCY)
        {
            recencyGhosts++;
        }
        else if (ghost == EvictionGhosts.FREQUENCY)
        {
            frequencyGhosts++;
        }
        if (++inserted < sampleLength(keys))
        {
            return false;
        }
        final double before = recency;
        // Which side was wrong more often per key it evicted (the rates compared as cross products).
        final long recencyWrong = recencyGhosts * Math.max(1, frequencyEvictions);
        final long frequencyWrong = frequencyGhosts * Math.max(1, recencyEvictions);
        if (recencyWrong > frequencyWrong)
        {
            recency = Math.min(1, recency + STEP);
        }
        else if (frequencyWrong > recencyWrong)
        {
            recency = Math.max(0, recency - STEP);
        }
        restartSample();
        return recency != before;
    }

    /** Start over (the policy was chosen). */
    void reset()
    {
        recency = INITIAL_RECENCY;
        restartSample();
    }

    /**
     * @param keys keys the store holds.
     * @return new keys per sample: a quarter of the store's keys, at least {@link #MIN_SAMPLE}.
     */
    static long sampleLength(final long keys)
    {
        return Math.max(MIN_SAMPLE, keys / 4);
    }

    private void restartSample()
    {
        inserted = 0;
        recencyGhosts = 0;
        frequencyGhosts = 0;
        recencyEvictions = 0;
        frequencyEvictions = 0;
    }
}
