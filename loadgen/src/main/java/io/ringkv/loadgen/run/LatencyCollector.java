package io.ringkv.loadgen.run;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Swaps every connection's interval histograms out of their recorders, adds them up per command and overall,
 * keeps the run's running totals, and writes each interval to an HdrHistogram log (overall untagged, each
 * command tagged with its name). Only the coordinator thread calls it; the recorders make the swap safe
 * against the connections recording concurrently.
 */
final class LatencyCollector
{
    private final ConnectionState[] states;
    private final String[] commandNames;
    private final Histogram[][] recycled;
    private final Histogram[] totals;
    private final Histogram[] intervalByCommand;
    private final Histogram interval;
    private final HistogramLogWriter log;
    private final long epochMsAtNanoZero;

    /**
     * @param states        the connections.
     * @param commandNames  report names of the mix's commands.
     * @param log           where intervals go, or null.
     */
    LatencyCollector(final ConnectionState[] states, final String[] commandNames, final HistogramLogWriter log)
    {
        this.states = states;
        this.commandNames = commandNames;
        this.log = log;
        this.recycled = new Histogram[states.length][commandNames.length];
        this.totals = new Histogram[commandNames.length];
        this.intervalByCommand = new Histogram[commandNames.length];
        for (int c = 0; c < commandNames.length; c++)
        {
            totals[c] = newHistogram();
            intervalByCommand[c] = newHistogram();
        }
        this.interval = newHistogram();
        this.epochMsAtNanoZero = System.currentTimeMillis() - System.nanoTime() / 1_000_000;
    }

    /**
     * @return an empty histogram with the range and precision every latency histogram here uses.
     */
    static Histogram newHistogram()
    {
        return new Histogram(1, ConnectionState.HIGHEST_TRACKABLE_NS, ConnectionState.SIGNIFICANT_DIGITS);
    }

    /**
     * Writes the log's header. Call once before the first interval.
     *
     * @param startNs {@link System#nanoTime()} at the log's start.
     * @param comment a comment line.
     */
    void startLog(final long startNs, final String comment)
    {
        if (log != null)
        {
            final long startMs = toEpochMs(startNs);
            log.outputComment(comment);
            log.outputLogFormatVersion();
            log.outputStartTime(startMs);
            log.setBaseTime(startMs);
            log.outputLegend();
        }
    }

    /**
     * Collects one interval from every connection.
     *
     * @param startNs interval start.
     * @param endNs   interval end.
     * @return the interval's overall histogram, valid until the next call.
     */
    Histogram collect(final long startNs, final long endNs)
    {
        interval.reset();
        for (int c = 0; c < commandNames.length; c++)
        {
            intervalByCommand[c].reset();
        }
        for (int s = 0; s < states.length; s++)
        {
            for (int c = 0; c < commandNames.length; c++)
            {
                final Histogram swapped = states[s].recorders[c].getIntervalHistogram(recycled[s][c]);
                recycled[s][c] = swapped;
                intervalByCommand[c].add(swapped);
            }
        }
        final long startMs = toEpochMs(startNs);
        final long endMs = toEpochMs(endNs);
        for (int c = 0; c < commandNames.length; c++)
        {
            totals[c].add(intervalByCommand[c]);
            interval.add(intervalByCommand[c]);
        }
        if (log != null)
        {
            write(interval, null, startMs, endMs);
            if (commandNames.length > 1)
            {
                for (int c = 0; c < commandNames.length; c++)
                {
                    write(intervalByCommand[c], commandNames[c], startMs, endMs);
                }
            }
        }
        return interval;
    }

    /**
     * @return the running totals per command, in mix order.
     */
    Histogram[] totals()
    {
        return totals;
    }

    private void write(final Histogram histogram, final String tag, final long startMs, final long endMs)
    {
        histogram.setStartTimeStamp(startMs);
        histogram.setEndTimeStamp(endMs);
        histogram.setTag(tag);
        log.outputIntervalHistogram(histogram);
    }

    private long toEpochMs(final long nanoTime)
    {
        return epochMsAtNanoZero + nanoTime / 1_000_000;
    }
}
