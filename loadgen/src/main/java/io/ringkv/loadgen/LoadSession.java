package io.ringkv.loadgen;

import io.ringkv.loadgen.cli.LoadOptions;
import io.ringkv.loadgen.report.Comparison;
import io.ringkv.loadgen.report.LatencyChart;
import io.ringkv.loadgen.report.PercentileFiles;
import io.ringkv.loadgen.report.SummaryJson;
import io.ringkv.loadgen.report.SummaryText;
import io.ringkv.loadgen.report.TargetSummary;
import io.ringkv.loadgen.run.LoadFailedException;
import io.ringkv.loadgen.run.LoadRun;
import io.ringkv.loadgen.run.RunResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One invocation's load: the main target alone, or alternating rounds against the main and compare targets;
 * then the files ({@code LABEL.hgrm}, {@code LABEL-CMD.hgrm}, {@code LABEL[-roundN].hlog}, {@code summary.json},
 * {@code chart.html}) and, for a comparison, the ratio table. Main thread only.
 */
public final class LoadSession
{
    private final LoadOptions options;
    private final PrintStream out;
    private Map<String, Object> summary;

    /**
     * @param options parsed options.
     * @param out     where progress, summaries and tables go.
     */
    public LoadSession(final LoadOptions options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    /**
     * Runs the load and writes every output.
     *
     * @return the exit status: 0, or 1 if a connection was lost.
     * @throws LoadFailedException if a target cannot be loaded or an output cannot be written.
     */
    public int run()
    {
        final LoadOptions o = options;
        try
        {
            Files.createDirectories(o.outDir);
        }
        catch (final IOException ex)
        {
            throw new LoadFailedException("cannot create --out directory " + o.outDir + ": " + ex.getMessage());
        }
        final boolean compare = o.compareTarget != null;
        final int rounds = compare ? o.rounds : 1;
        final LoadRun loadRun = new LoadRun(o, out);
        final List<RunResult> mainRuns = new ArrayList<>();
        final List<RunResult> compareRuns = new ArrayList<>();
        for (int round = 1; round <= rounds; round++)
        {
            final RunResult main = loadRun.run(o.target, o.password, o.label, round, o.preload && round == 1,
                hlog(o.label, round, rounds));
            SummaryText.print(main, out);
            mainRuns.add(main);
            if (compare)
            {
                final RunResult other = loadRun.run(o.compareTarget, o.comparePassword(), o.compareLabel, round,
                    o.preload && round == 1, hlog(o.compareLabel, round, rounds));
                SummaryText.print(other, out);
                compareRuns.add(other);
            }
        }
        final List<TargetSummary> targets = new ArrayList<>();
        targets.add(new TargetSummary(mainRuns));
        if (compare)
        {
            targets.add(new TargetSummary(compareRuns));
        }
        for (final TargetSummary target : targets)
        {
            PercentileFiles.write(target.merged(TargetSummary.ALL), o.outDir.resolve(target.label() + ".hgrm"));
            for (final String row : target.rows())
            {
                if (!TargetSummary.ALL.equals(row))
                {
                    PercentileFiles.write(target.merged(row), o.outDir.resolve(target.label() + "-" + row + ".hgrm"));
                }
            }
        }
        Map<String, Object> ratios = null;
        if (compare)
        {
            Comparison.print(targets.get(0), targets.get(1), out);
            ratios = Comparison.ratios(targets.get(0), targets.get(1));
        }
        summary = SummaryJson.build(o, targets, ratios);
        SummaryJson.write(summary, o.outDir.resolve("summary.json"));
        LatencyChart.write(List.of(""), List.of(summary), o.outDir.resolve("chart.html"));
        out.println("\nwrote " + o.outDir.toAbsolutePath() + ": summary.json, chart.html, *.hgrm (microseconds), "
            + "*.hlog (nanoseconds)");
        boolean lost = false;
        for (final TargetSummary target : targets)
        {
            for (final RunResult run : target.rounds())
            {
                lost |= run.connectionsLost() > 0;
            }
        }
        return lost ? 1 : 0;
    }

    /**
     * @return the summary document of the last {@link #run()}.
     */
    public Map<String, Object> summary()
    {
        return summary;
    }

    private Path hlog(final String label, final int round, final int rounds)
    {
        return options.outDir.resolve(rounds == 1 ? label + ".hlog" : label + "-round" + round + ".hlog");
    }
}
