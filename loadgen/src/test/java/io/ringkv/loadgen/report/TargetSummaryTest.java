package io.ringkv.loadgen.report;

import io.ringkv.loadgen.run.RunResult;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class TargetSummaryTest
{
    @Test
    void mediansOverRoundsAndRatios()
    {
        // Three rounds of one command at a constant latency each; throughput = count / seconds.
        final TargetSummary main = new TargetSummary(List.of(
            round("main", 1, 100_000, 1000, 1.0), round("main", 2, 300_000, 1000, 1.0),
            round("main", 3, 200_000, 1000, 1.0)));
        assertEquals(1000, main.medianThroughput(), 1e-9);
        assertEquals(200, main.medianRow("ALL")[0], 0.5);
        assertEquals(200, main.medianRow("GET")[5], 0.5);
        assertEquals(3000, main.merged("ALL").getTotalCount());
        assertEquals(List.of("ALL", "GET"), main.rows());

        final TargetSummary other = new TargetSummary(List.of(
            round("other", 1, 400_000, 500, 1.0), round("other", 2, 400_000, 500, 1.0)));
        assertEquals(500, other.medianThroughput(), 1e-9);
        final Map<String, Object> ratios = Comparison.ratios(main, other);
        @SuppressWarnings("unchecked")
        final Map<String, Object> all = (Map<String, Object>)((Map<String, Object>)ratios.get("ratios")).get("ALL");
        assertEquals(2.0, ((Number)all.get("throughput")).doubleValue(), 1e-9);
        assertEquals(0.5, ((Number)all.get("p50")).doubleValue(), 0.01);
        assertEquals(0.5, ((Number)all.get("max")).doubleValue(), 0.01);
        @SuppressWarnings("unchecked")
        final Map<String, Object> get = (Map<String, Object>)((Map<String, Object>)ratios.get("ratios")).get("GET");
        assertFalse(get.containsKey("throughput"));
    }

    @Test
    void medianOfEvenAndOddCounts()
    {
        assertEquals(2, TargetSummary.median(new double[] {3, 1, 2}));
        assertEquals(2.5, TargetSummary.median(new double[] {4, 1, 3, 2}));
        assertEquals(0, TargetSummary.median(new double[0]));
    }

    private static RunResult round(
        final String label, final int round, final long latencyNs, final int count, final double seconds)
    {
        final Histogram get = new Histogram(1, 3_600_000_000_000L, 3);
        get.recordValueWithCount(latencyNs, count);
        final Histogram all = get.copy();
        return new RunResult(label, "127.0.0.1:1", round, List.of("GET"), List.of(get), all, seconds,
            new long[] {count}, 0, 0, Map.of(), 0, List.of(), null);
    }
}
