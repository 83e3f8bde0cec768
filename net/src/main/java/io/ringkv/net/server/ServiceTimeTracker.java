package io.ringkv.net.server;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandLatency;
import io.ringkv.core.engine.RequestBatch;

import java.util.Arrays;

/**
 * Measures each request's service time, from the moment its batch was parsed to the moment its reply was flushed,
 * and adds it to the latency histograms of the command the engine timed it as. A connection may run several
 * batches before one flush (a read holding more requests than a batch takes), so the timed commands wait here, with
 * their batch's parse time, until the flush.
 * <pre>
 *   final long parsedNs = System.nanoTime();
 *   engine.execute(batch);
 *   tracker.executed(batch, parsedNs);
 *   ...
 *   output.writeTo(channel);
 *   tracker.flushed(System.nanoTime());
 * </pre>
 * Consecutive requests of one batch timed as the same command share their service time, so they are noted as one
 * run and recorded with one histogram update (a pipeline of 16 GETs costs one update, not 16: each update of the
 * shared, many-writer Recorder is several atomic operations).
 * <p>
 * Not threadsafe: one per connection, used by its thread only. Allocates nothing once its arrays have grown to
 * the largest number of runs between two flushes.
 */
final class ServiceTimeTracker
{
    private Command[] commands = new Command[16];
    private long[] parsedNs = new long[16];
    private int[] runLengths = new int[16];
    private int count;

    /**
     * Note the timed requests of a completed batch.
     *
     * @param batch    the batch the engine has just completed.
     * @param parsedNs {@link System#nanoTime()} when the batch was parsed, before it was published.
     */
    void executed(final RequestBatch batch, final long parsedNs)
    {
        final int requestCount = batch.requestCount();
        Command previous = null;
        for (int i = 0; i < requestCount; i++)
        {
            final Command command = batch.timedCommand(i);
            if (null == command)
            {
                continue;
            }
            if (command == previous)
            {
                runLengths[count - 1]++;
                continue;
            }
            if (count == commands.length)
            {
                commands = Arrays.copyOf(commands, count * 2);
                this.parsedNs = Arrays.copyOf(this.parsedNs, count * 2);
                runLengths = Arrays.copyOf(runLengths, count * 2);
            }
            commands[count] = command;
            this.parsedNs[count] = parsedNs;
            runLengths[count] = 1;
            count++;
            previous = command;
        }
    }

    /**
     * Record the service time of every request noted since the last flush.
     *
     * @param flushedNs {@link System#nanoTime()} once the replies were written to the socket.
     */
    void flushed(final long flushedNs)
    {
        final Command[] commands = this.commands;
        for (int i = 0; i < count; i++)
        {
            // The engine created the histograms before it completed the batch that timed the command.
            final CommandLatency latency = commands[i].latency();
            latency.recordServiceNs(flushedNs - parsedNs[i], runLengths[i]);
            commands[i] = null;
        }
        count = 0;
    }
}
