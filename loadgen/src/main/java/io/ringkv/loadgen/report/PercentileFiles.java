package io.ringkv.loadgen.report;

import io.ringkv.loadgen.run.LoadFailedException;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code .hgrm} files: HdrHistogram's percentile distribution text, values in microseconds, which
 * HdrHistogram's plotter and other tools read. Stateless; any thread.
 */
public final class PercentileFiles
{
    /** Histograms hold nanoseconds; files show microseconds. */
    public static final double NANOS_PER_MICRO = 1000.0;

    private PercentileFiles()
    {
    }

    /**
     * @param histogram latencies in ns.
     * @param file      where to write.
     */
    public static void write(final Histogram histogram, final Path file)
    {
        try (OutputStream stream = Files.newOutputStream(file);
            PrintStream print = new PrintStream(stream, false, java.nio.charset.StandardCharsets.US_ASCII))
        {
            histogram.outputPercentileDistribution(print, 5, NANOS_PER_MICRO);
        }
        catch (final IOException ex)
        {
            throw new LoadFailedException("cannot write " + file + ": " + ex.getMessage());
        }
    }
}
