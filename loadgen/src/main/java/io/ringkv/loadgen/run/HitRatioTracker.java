package io.ringkv.loadgen.run;

import java.util.Arrays;

/**
 * Cache-aside: sums the connections' published GET, hit and miss counters, and keeps each interval's hit ratio
 * from the difference since the previous interval. Coordinator thread only.
 */
final class HitRatioTracker
{
    private final ConnectionState[] states;
    private double[] byInterval = new double[64];
    private int intervals;
    private long lastGets;
    private long lastHits;

    HitRatioTracker(final ConnectionState[] states)
    {
        this.states = states;
    }

    /**
     * Ends an interval.
     *
     * @return its hit ratio, NaN if it had no GETs.
     */
    double endInterval()
    {
        long gets = 0;
        long hits = 0;
        for (final ConnectionState state : states)
        {
            gets += state.gets.getAcquire();
            hits += state.hits.getAcquire();
        }
        final double ratio = gets > lastGets ? (double)(hits - lastHits) / (gets - lastGets) : Double.NaN;
        lastGets = gets;
        lastHits = hits;
        if (intervals == byInterval.length)
        {
            byInterval = Arrays.copyOf(byInterval, intervals * 2);
        }
        byInterval[intervals++] = ratio;
        return ratio;
    }

    /**
     * @return the run's totals and intervals; call after the connection threads have ended.
     */
    HitCounts result()
    {
        long gets = 0;
        long hits = 0;
        long misses = 0;
        for (final ConnectionState state : states)
        {
            gets += state.gets.get();
            hits += state.hits.get();
            misses += state.misses.get();
        }
        return new HitCounts(gets, hits, misses, Arrays.copyOf(byInterval, intervals));
    }
}
