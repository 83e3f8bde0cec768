package io.ringkv.loadgen.report;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The A/B table of {@code --compare}: for throughput and each percentile, the main target's median over rounds,
 * the compare target's, and main/compare; for cache-aside also the median hit ratios and their ratio. Throughput
 * and hit ratio above 1 and latency below 1 favour the main target.
 * Stateless; any thread.
 */
public final class Comparison
{
    private Comparison()
    {
    }

    /**
     * @param main    the main target.
     * @param compare the compare target.
     * @return {@code {"main", "compare", "ratios": {row: {"throughput", "hitRatio", "p50", ... "max"}}}}; a ratio
     *         of hit ratios only for cache-aside runs; a ratio with a zero
     *         denominator is left out.
     */
    public static Map<String, Object> ratios(final TargetSummary main, final TargetSummary compare)
    {
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("main", main.label());
        result.put("compare", compare.label());
        final Map<String, Object> rows = new LinkedHashMap<>();
        for (final String row : main.rows())
        {
            if (!compare.rows().contains(row))
            {
                continue;
            }
            final Map<String, Object> ratios = new LinkedHashMap<>();
            if (TargetSummary.ALL.equals(row))
            {
                putRatio(ratios, "throughput", main.medianThroughput(), compare.medianThroughput());
                if (!Double.isNaN(main.medianHitRatio()) && !Double.isNaN(compare.medianHitRatio()))
                {
                    putRatio(ratios, "hitRatio", main.medianHitRatio(), compare.medianHitRatio());
                }
            }
            final double[] a = main.medianRow(row);
            final double[] b = compare.medianRow(row);
            for (int s = 0; s < a.length; s++)
            {
                putRatio(ratios, LatencyStats.STAT_NAMES.get(s), a[s], b[s]);
            }
            rows.put(row, ratios);
        }
        result.put("ratios", rows);
        return result;
    }

    /**
     * Prints the table.
     *
     * @param main    the main target.
     * @param compare the compare target.
     * @param out     where.
     */
    public static void print(final TargetSummary main, final TargetSummary compare, final PrintStream out)
    {
        out.printf(Locale.ROOT, "%ncomparison, medians over %d round(s): %s (%s) vs %s (%s)%n",
            main.rounds().size(), main.label(), main.target(), compare.label(), compare.target());
        out.printf(Locale.ROOT, "%-8s %-10s %14s %14s %10s%n", "", "", main.label(), compare.label(), "ratio");
        for (final String row : main.rows())
        {
            if (!compare.rows().contains(row))
            {
                continue;
            }
            if (TargetSummary.ALL.equals(row))
            {
                line(out, row, "ops/s", main.medianThroughput(), compare.medianThroughput(), "%14.0f");
                if (!Double.isNaN(main.medianHitRatio()) && !Double.isNaN(compare.medianHitRatio()))
                {
                    line(out, row, "hit ratio", main.medianHitRatio(), compare.medianHitRatio(), "%14.4f");
                }
            }
            final double[] a = main.medianRow(row);
            final double[] b = compare.medianRow(row);
            for (int s = 0; s < a.length; s++)
            {
                line(out, row, LatencyStats.STAT_NAMES.get(s) + " ms", a[s] / 1000, b[s] / 1000, "%14.3f");
            }
        }
        out.println("(ratio = " + main.label() + "/" + compare.label()
            + ": throughput and hit ratio above 1 and latency below 1 favour " + main.label() + ")");
    }

    private static void line(
        final PrintStream out, final String row, final String metric, final double a, final double b,
        final String format)
    {
        final String ratio = b == 0 ? "-" : String.format(Locale.ROOT, "%.3f", a / b);
        out.printf(Locale.ROOT, "%-8s %-10s " + format + " " + format + " %10s%n", row, metric, a, b, ratio);
    }

    private static void putRatio(final Map<String, Object> ratios, final String name, final double a, final double b)
    {
        if (b != 0)
        {
            ratios.put(name, LatencyStats.round(a / b));
        }
    }
}
