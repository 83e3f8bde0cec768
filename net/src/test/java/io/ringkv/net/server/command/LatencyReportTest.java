package io.ringkv.net.server.command;

import io.ringkv.core.command.CommandLatency;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * LATENCY HISTOGRAM's buckets and INFO latencystats' percentiles computed as Redis 7.0 computes them (its
 * HdrHistogram_c). The expected figures were read off a real redis-server 7.0.15.
 */
class LatencyReportTest
{
    @Test
    void bucketsAreRedisPowerOfTwoLevelsKeyedByTheirHighestEquivalentMicrosecond()
    {
        final Histogram histogram = CommandLatency.newHistogram();
        histogram.recordValue(500);          // below the first level: in the 1024 ns bucket, key 1
        histogram.recordValue(1031);         // same sub-bucket as 1024 ns: still key 1
        histogram.recordValue(1032);         // next sub-bucket: the 2048 ns level, key 2
        histogram.recordValue(3000);         // key 4 (4096 + 32 - 1 = 4127 ns)
        histogram.recordValue(3000);
        histogram.recordValue(10_000_000);   // DEBUG SLEEP 0.01: key 16908, as Redis shows it
        histogram.recordValue(130_000);      // key 132 (131072 + 1024 - 1 ns), as Redis shows DEBUG SLEEP 0
        assertArrayEquals(new long[]{1, 2, 2, 3, 4, 5, 132, 6, 16908, 7}, LatencyReport.cumulativeBuckets(histogram));
    }

    @Test
    void emptyHistogramHasNoBuckets()
    {
        assertArrayEquals(new long[0], LatencyReport.cumulativeBuckets(CommandLatency.newHistogram()));
    }

    @Test
    void longestValuesEndTheWalk()
    {
        final Histogram histogram = CommandLatency.newHistogram();
        histogram.recordValue(CommandLatency.HIGHEST_NS);
        final long[] buckets = LatencyReport.cumulativeBuckets(histogram);
        assertEquals(2, buckets.length);
        assertEquals(1, buckets[1]);
        assertEquals(true, buckets[0] >= CommandLatency.HIGHEST_NS / 1000);
    }

    /**
     * Eleven DEBUG SLEEPs of 1, 1, 2, ... 10 ms on redis-server 7.0.15 gave p45=4079.615, p51=5079.039,
     * p94=9109.503, p95=9109.503, p0=1064.960, p100=10092.543: the count at p94 is 10.34 rounded half up to 10 (the
     * Java library's ceiling would take the 11th value).
     */
    @Test
    void percentilesRoundTheCountHalfUpAsRedisDoes()
    {
        final Histogram histogram = CommandLatency.newHistogram();
        final long[] sleepsNs = {1_066_000, 1_070_000, 2_100_000, 3_080_000, 4_079_000, 5_079_000, 6_090_000,
            7_090_000, 8_100_000, 9_109_000, 10_092_000};
        for (final long ns : sleepsNs)
        {
            histogram.recordValue(ns);
        }
        assertEquals("p45=4079.615,p51=5079.039,p94=9109.503,p95=9109.503,p0=1064.960,p100=10092.543",
            LatencyReport.percentiles(histogram, "45 51 94 95 0 100"));
        assertEquals("", LatencyReport.percentiles(histogram, ""));
        assertEquals("p99.9=10092.543,p0.0001=1073.151", LatencyReport.percentiles(histogram, "99.9 0.0001"));
    }

    @Test
    void oneSampleIsEveryPercentile()
    {
        final Histogram histogram = CommandLatency.newHistogram();
        histogram.recordValue(38_100);
        assertEquals("p10=38.143,p0.0001=38.143,p33.333333=38.143",
            LatencyReport.percentiles(histogram, "10 0.0001 33.333333"));
    }
}
