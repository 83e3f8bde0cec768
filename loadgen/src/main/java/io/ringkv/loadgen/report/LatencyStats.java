package io.ringkv.loadgen.report;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The percentiles every report shows, read from a histogram of nanoseconds, and the percentile curve the
 * chart draws. Stateless; any thread.
 */
public final class LatencyStats
{
    /** Percentiles reported, in order. */
    public static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
    /** Their names in reports and JSON. */
    public static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9", "p99.99"};
    /** Names of every statistic in a row: the percentiles then max. */
    public static final List<String> STAT_NAMES = List.of("p50", "p90", "p99", "p99.9", "p99.99", "max");

    private LatencyStats()
    {
    }

    /**
     * @param histogram latencies in ns.
     * @return count, mean, p50 ... p99.99, max; latencies in microseconds.
     */
    public static Map<String, Object> micros(final Histogram histogram)
    {
        final Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("count", histogram.getTotalCount());
        stats.put("mean", round(histogram.getTotalCount() == 0 ? 0 : histogram.getMean() / 1000.0));
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            stats.put(PERCENTILE_NAMES[i], round(histogram.getValueAtPercentile(PERCENTILES[i]) / 1000.0));
        }
        stats.put("max", round(histogram.getMaxValue() / 1000.0));
        return stats;
    }

    /**
     * @param histogram latencies in ns.
     * @return p50 ... p99.99 and max in microseconds, in {@link #STAT_NAMES} order.
     */
    public static double[] row(final Histogram histogram)
    {
        final double[] row = new double[STAT_NAMES.size()];
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            row[i] = histogram.getValueAtPercentile(PERCENTILES[i]) / 1000.0;
        }
        row[PERCENTILES.length] = histogram.getMaxValue() / 1000.0;
        return row;
    }

    /**
     * The latency-by-percentile curve as HdrHistogram's percentile output iterates it (5 steps per halving of
     * the distance to 100%), as {@code [percentile, microseconds]} pairs.
     *
     * @param histogram latencies in ns.
     * @return the points, empty for an empty histogram.
     */
    public static List<List<Double>> curve(final Histogram histogram)
    {
        final List<List<Double>> points = new ArrayList<>();
        if (histogram.getTotalCount() == 0)
        {
            return points;
        }
        for (final org.HdrHistogram.HistogramIterationValue value : histogram.percentiles(5))
        {
            points.add(List.of(value.getPercentileLevelIteratedTo(), round(value.getValueIteratedTo() / 1000.0)));
        }
        return points;
    }

    /**
     * @return {@code value} rounded to 3 decimals, as JSON shows it.
     */
    public static double round(final double value)
    {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
