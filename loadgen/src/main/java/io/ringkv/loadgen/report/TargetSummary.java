package io.ringkv.loadgen.report;

import io.ringkv.loadgen.run.RunResult;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One target's results over all its rounds: histograms merged over rounds (for files and charts) and the
 * median over rounds of throughput and of each percentile (for tables and ratios, since a median shrugs off
 * one disturbed round). Immutable; any thread.
 */
public final class TargetSummary
{
    /** Row name of all commands together. */
    public static final String ALL = "ALL";

    private final String label;
    private final String target;
    private final List<RunResult> rounds;
    private final Map<String, Histogram> merged = new LinkedHashMap<>();
    private final Map<String, double[]> medianRows = new LinkedHashMap<>();
    private final double medianThroughput;
    private final double medianHitRatio;

    /**
     * @param rounds this target's runs, at least one, all with the same label and commands.
     */
    public TargetSummary(final List<RunResult> rounds)
    {
        this.rounds = List.copyOf(rounds);
        final RunResult first = rounds.get(0);
        this.label = first.label();
        this.target = first.target();
        final List<String> rows = new ArrayList<>();
        rows.add(ALL);
        rows.addAll(first.commandNames());
        for (final String row : rows)
        {
            final Histogram sum = new Histogram(first.latency().getLowestDiscernibleValue(),
                first.latency().getHighestTrackableValue(), first.latency().getNumberOfSignificantValueDigits());
            final List<double[]> perRound = new ArrayList<>();
            for (final RunResult round : rounds)
            {
                final Histogram histogram = histogram(round, row);
                sum.add(histogram);
                perRound.add(LatencyStats.row(histogram));
            }
            merged.put(row, sum);
            final double[] medians = new double[LatencyStats.STAT_NAMES.size()];
            for (int s = 0; s < medians.length; s++)
            {
                final int stat = s;
                medians[s] = median(perRound.stream().mapToDouble(r -> r[stat]).toArray());
            }
            medianRows.put(row, medians);
        }
        this.medianThroughput = median(rounds.stream().mapToDouble(RunResult::throughput).toArray());
        this.medianHitRatio = first.hitCounts() == null ? Double.NaN :
            median(rounds.stream().mapToDouble(r -> r.hitCounts().ratio()).toArray());
    }

    /**
     * @param round a run.
     * @param row   {@link #ALL} or a command name.
     * @return that run's histogram for the row.
     */
    public static Histogram histogram(final RunResult round, final String row)
    {
        if (ALL.equals(row))
        {
            return round.latency();
        }
        return round.latencyByCommand().get(round.commandNames().indexOf(row));
    }

    /**
     * @param values some values.
     * @return their median (the mean of the middle two for an even count).
     */
    public static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        if (n == 0)
        {
            return 0;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * @return the label.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return HOST:PORT.
     */
    public String target()
    {
        return target;
    }

    /**
     * @return the runs, in order.
     */
    public List<RunResult> rounds()
    {
        return rounds;
    }

    /**
     * @return {@link #ALL} then each command name.
     */
    public List<String> rows()
    {
        return List.copyOf(merged.keySet());
    }

    /**
     * @param row {@link #ALL} or a command name.
     * @return latencies of all rounds together.
     */
    public Histogram merged(final String row)
    {
        return merged.get(row);
    }

    /**
     * @param row {@link #ALL} or a command name.
     * @return medians over rounds of p50 ... max in microseconds, in {@link LatencyStats#STAT_NAMES} order.
     */
    public double[] medianRow(final String row)
    {
        return medianRows.get(row).clone();
    }

    /**
     * @return cache-aside: the median hit ratio over rounds; NaN for other workloads.
     */
    public double medianHitRatio()
    {
        return medianHitRatio;
    }

    /**
     * @return the median throughput over rounds, requests per second.
     */
    public double medianThroughput()
    {
        return medianThroughput;
    }
}
