package io.ringkv.net.server.command;

import io.ringkv.core.command.Reply;
import io.ringkv.net.server.config.ConfigOption;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads a latency histogram (nanoseconds) the way Redis 7 reports its own, so that ringkv's numbers line up with
 * Redis's: LATENCY HISTOGRAM's cumulative power-of-two buckets in microseconds (HdrHistogram's logarithmic
 * iteration from 1024 ns, base 2, each bucket keyed by the highest value equivalent to its level), and INFO
 * latencystats' percentiles (HdrHistogram_c's {@code hdr_value_at_percentile}: the count at a percentile is rounded
 * half up, not up as the Java library does, and p0 is the lowest equivalent value).
 * <p>
 * Stateless; callers pass histograms only the engine thread writes, from the engine thread.
 */
final class LatencyReport
{
    /** The first bucket Redis reports, in nanoseconds. */
    static final long FIRST_BUCKET_NS = 1024;

    private static final byte[] CALLS = "calls".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HISTOGRAM_USEC = "histogram_usec".getBytes(StandardCharsets.US_ASCII);

    private LatencyReport()
    {
    }

    /**
     * Write Redis's reply for one command: a map of {@code calls} and {@code histogram_usec}, the latter a map from
     * each bucket's upper bound in microseconds to the number of calls at or below it, for buckets that added calls.
     *
     * @param histogram the command's execution times.
     * @param reply     where the map goes.
     */
    static void writeHistogram(final Histogram histogram, final Reply reply)
    {
        final long[] buckets = cumulativeBuckets(histogram);
        reply.mapHeader(2);
        reply.bulk(CALLS);
        reply.integer(histogram.getTotalCount());
        reply.bulk(HISTOGRAM_USEC);
        reply.mapHeader(buckets.length / 2);
        for (final long value : buckets)
        {
            reply.integer(value);
        }
    }

    /**
     * @param histogram values in nanoseconds.
     * @return microsecond bucket bound, cumulative count, bound, count... for every bucket whose count grew.
     */
    static long[] cumulativeBuckets(final Histogram histogram)
    {
        final long total = histogram.getTotalCount();
        long[] buckets = new long[16];
        int length = 0;
        long cumulative = 0;
        long lowNs = 0;
        for (long levelNs = FIRST_BUCKET_NS; cumulative < total; levelNs <<= 1)
        {
            // HdrHistogram_c stops a step on the first sub-bucket at or above the level and counts that sub-bucket.
            final long highNs = levelNs <= histogram.getHighestTrackableValue() ?
                histogram.highestEquivalentValue(levelNs) : histogram.highestEquivalentValue(histogram.getMaxValue());
            final long added = histogram.getCountBetweenValues(lowNs, highNs);
            lowNs = highNs + 1;
            if (added > 0)
            {
                cumulative += added;
                if (length == buckets.length)
                {
                    buckets = Arrays.copyOf(buckets, length * 2);
                }
                buckets[length++] = highNs / 1000;
                buckets[length++] = cumulative;
            }
        }
        return Arrays.copyOf(buckets, length);
    }

    /**
     * @param histogram   values in nanoseconds.
     * @param percentiles the percentiles as CONFIG prints them ("50 99 99.9"); may be empty.
     * @return INFO latencystats' value: {@code p50=1.003,p99=2.007,p99.9=2.007}, in microseconds.
     */
    static String percentiles(final Histogram histogram, final String percentiles)
    {
        final String[] words = percentiles.trim().isEmpty() ? new String[0] : percentiles.trim().split(" +");
        final double[] requested = new double[words.length];
        for (int i = 0; i < words.length; i++)
        {
            requested[i] = Double.parseDouble(words[i]);
        }
        final long[] values = valuesAtPercentiles(histogram, requested);
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < requested.length; i++)
        {
            text.append(i == 0 ? "p" : ",p").append(ConfigOption.formatPercentile(requested[i])).append('=')
                .append(String.format(Locale.ROOT, "%.3f", values[i] / 1000.0));
        }
        return text.toString();
    }

    /**
     * {@link #valueAtPercentile} of several percentiles in one pass over the histogram (INFO runs on the engine
     * thread: one pass per command, not one per percentile).
     *
     * @param histogram   values.
     * @param percentiles 0 to 100 each, in any order.
     * @return the value at each, in the same order.
     */
    static long[] valuesAtPercentiles(final Histogram histogram, final double[] percentiles)
    {
        final Integer[] order = new Integer[percentiles.length];
        for (int i = 0; i < order.length; i++)
        {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(percentiles[a], percentiles[b]));
        final long[] values = new long[percentiles.length];
        final long total = histogram.getTotalCount();
        int next = 0;
        long cumulative = 0;
        for (final HistogramIterationValue value : histogram.recordedValues())
        {
            cumulative += value.getCountAtValueIteratedTo();
            while (next < order.length)
            {
                final int index = order[next];
                final double requested = Math.min(percentiles[index], 100.0);
                if (cumulative < Math.max(1, (long)(requested / 100 * total + 0.5)))
                {
                    break;
                }
                final long at = value.getValueIteratedTo();
                values[index] = percentiles[index] == 0.0 ?
                    histogram.lowestEquivalentValue(at) : histogram.highestEquivalentValue(at);
                next++;
            }
            if (next == order.length)
            {
                break;
            }
        }
        return values;
    }

    /**
     * @param histogram  values.
     * @param percentile 0 to 100.
     * @return the value at the percentile as HdrHistogram_c computes it (Redis 7.0's deps/hdr_histogram).
     */
    static long valueAtPercentile(final Histogram histogram, final double percentile)
    {
        return valuesAtPercentiles(histogram, new double[]{percentile})[0];
    }
}
