package io.ringkv.loadgen;

import io.ringkv.loadgen.cli.LoadOptions;
import io.ringkv.loadgen.cli.OptionParser;
import io.ringkv.loadgen.cli.UsageException;
import io.ringkv.loadgen.report.LatencyChart;
import io.ringkv.loadgen.report.SummaryJson;
import io.ringkv.loadgen.run.LoadFailedException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Entry point of {@code bin/ringkv loadgen}: parses the arguments, then runs a load ({@link LoadSession}) or,
 * with {@code --chart}, overlays saved summaries into one chart. Exit status 0 when done, 1 when the load
 * failed (connect, AUTH, lost connections), 2 for bad arguments. Main thread only.
 */
public final class LoadGeneratorMain
{
    private LoadGeneratorMain()
    {
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Does what the command line asks, never throwing.
     *
     * @param args command line.
     * @param out  standard output.
     * @param err  standard error.
     * @return the exit status.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final LoadOptions options;
        try
        {
            options = OptionParser.parse(args);
        }
        catch (final UsageException ex)
        {
            err.println("loadgen: " + ex.getMessage());
            err.println("loadgen: see --help for every option");
            return 2;
        }
        if (options.help)
        {
            out.print(OptionParser.help());
            return 0;
        }
        try
        {
            if (!options.chartInputs.isEmpty())
            {
                return chart(options, out);
            }
            return new LoadSession(options, out).run();
        }
        catch (final LoadFailedException ex)
        {
            err.println("loadgen: " + ex.getMessage());
            return 1;
        }
        catch (final RuntimeException ex)
        {
            err.println("loadgen: internal error: " + ex);
            return 1;
        }
    }

    private static int chart(final LoadOptions options, final PrintStream out)
    {
        final List<String> names = new ArrayList<>();
        final List<Map<String, Object>> documents = new ArrayList<>();
        for (final Path input : options.chartInputs)
        {
            if (!Files.isRegularFile(input))
            {
                throw new LoadFailedException("--chart: no such file: " + input);
            }
            documents.add(SummaryJson.read(input));
            final Path parent = input.toAbsolutePath().getParent();
            names.add(parent == null ? input.toString() : parent.getFileName() + "/" + input.getFileName());
        }
        try
        {
            Files.createDirectories(options.outDir);
        }
        catch (final IOException ex)
        {
            throw new LoadFailedException("cannot create --out directory " + options.outDir + ": " + ex.getMessage());
        }
        final Path file = options.outDir.resolve("chart.html");
        LatencyChart.write(names, documents, file);
        out.println("wrote " + file.toAbsolutePath() + " (" + documents.size() + " summaries)");
        return 0;
    }
}
