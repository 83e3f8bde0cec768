package io.ringkv.loadgen.run;

/**
 * Cache-aside results of one run: measured GETs, how many hit (a value came back) and missed (nil, then SET),
 * and the hit ratio of each progress interval. A GET answered with an error is neither. Immutable (the array
 * is not copied: readers must not modify it); any thread.
 *
 * @param gets       measured GETs.
 * @param hits       of which returned a value.
 * @param misses     of which returned nil.
 * @param byInterval hit ratio of each progress interval, in order; NaN for an interval without GETs.
 */
public record HitCounts(long gets, long hits, long misses, double[] byInterval)
{
    /**
     * @return hits / GETs, or NaN without GETs.
     */
    public double ratio()
    {
        return gets > 0 ? (double)hits / gets : Double.NaN;
    }
}
