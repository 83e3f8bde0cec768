package io.ringkv.loadgen.report;

import io.ringkv.loadgen.run.HitCounts;
import io.ringkv.loadgen.run.RunResult;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a run's final summary: throughput, errors by kind, latency percentiles per command and overall, and for
 * cache-aside the hit ratio.
 * Stateless; any thread.
 */
public final class SummaryText
{
    private SummaryText()
    {
    }

    /**
     * @param run the run.
     * @param out where.
     */
    public static void print(final RunResult run, final PrintStream out)
    {
        out.printf(Locale.ROOT, "%n== %s %s, round %d ==%n", run.label(), run.target(), run.round());
        out.printf(Locale.ROOT, "measured %.2f s: %,d requests, %,.0f ops/s; warm-up %,d requests%s%n",
            run.measuredSeconds(), run.latency().getTotalCount(), run.throughput(), run.warmupRequests(),
            run.preloadRequests() > 0 ? String.format(Locale.ROOT, "; preload %,d SETs", run.preloadRequests()) : "");
        out.printf(Locale.ROOT, "%-12s %12s %10s %10s %10s %10s %10s %10s%n",
            "latency (ms)", "count", "p50", "p90", "p99", "p99.9", "p99.99", "max");
        for (int c = 0; c < run.commandNames().size(); c++)
        {
            row(out, run.commandNames().get(c), run.latencyByCommand().get(c));
        }
        row(out, TargetSummary.ALL, run.latency());
        final StringBuilder errors = new StringBuilder();
        for (final Map.Entry<String, Long> entry : run.errorsByKind().entrySet())
        {
            errors.append(errors.length() == 0 ? "" : ", ").append(entry.getKey()).append(' ')
                .append(String.format(Locale.ROOT, "%,d", entry.getValue()));
        }
        out.printf(Locale.ROOT, "errors: %,d%s%n", run.errors(), errors.length() == 0 ? "" : " (" + errors + ")");
        final HitCounts hits = run.hitCounts();
        if (hits != null)
        {
            out.printf(Locale.ROOT, "cache-aside: %,d GETs, %,d hits, %,d misses (each SET on the same connection), "
                + "hit ratio %.4f%n", hits.gets(), hits.hits(), hits.misses(), hits.ratio());
        }
        if (run.connectionsLost() > 0)
        {
            out.printf(Locale.ROOT, "connections lost: %d%n", run.connectionsLost());
            for (final String failure : run.failures())
            {
                out.println("  " + failure);
            }
        }
    }

    private static void row(final PrintStream out, final String name, final Histogram histogram)
    {
        final double[] row = LatencyStats.row(histogram);
        out.printf(Locale.ROOT, "%-12s %,12d %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f%n", name,
            histogram.getTotalCount(), row[0] / 1000, row[1] / 1000, row[2] / 1000, row[3] / 1000, row[4] / 1000,
            row[5] / 1000);
    }
}
