package io.ringkv.loadgen.run;

import io.ringkv.loadgen.workload.CommandMix;
import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.RequestArguments;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Closed loop on one connection: write a batch of {@code pipeline} requests, read their replies, repeat. Each
 * reply's latency runs from the batch's first write to the read that completed the reply. Runs on the
 * connection's own virtual thread, which alone touches the connection.
 * <p>
 * Cache-aside: the batch is GETs; once their replies are read, the keys that missed are SET in one more batch
 * (the application filling the cache), measured as command {@code SET} from that batch's first write.
 */
final class ClosedLoopConnection implements Runnable
{
    private final ConnectionState state;
    private final TargetConnection connection;
    private final CommandMix mix;
    private final SplittableRandom random;
    private final LoadSchedule schedule;
    private final long quota;
    private final int[] batchCommands;
    private final long[] batchKeys;
    private final CommandTemplate missSet;

    ClosedLoopConnection(
        final ConnectionState state,
        final TargetConnection connection,
        final CommandMix mix,
        final SplittableRandom random,
        final LoadSchedule schedule,
        final long quota,
        final CommandTemplate missSet)
    {
        this.state = state;
        this.connection = connection;
        this.mix = mix;
        this.random = random;
        this.schedule = schedule;
        this.quota = quota;
        this.batchCommands = new int[schedule.pipeline()];
        this.batchKeys = new long[schedule.pipeline()];
        this.missSet = missSet;
    }

    @Override
    public void run()
    {
        try
        {
            state.lastProgressNs.setRelease(System.nanoTime());
            load();
        }
        catch (final ClosedChannelException ex)
        {
            state.failClosed();
        }
        catch (final IOException ex)
        {
            state.fail("CONNECTION", TargetConnection.describe(ex));
        }
        catch (final RuntimeException ex)
        {
            state.failInternal(ex);
        }
        finally
        {
            state.accountLostIfFailed();
            connection.close();
        }
    }

    private void load() throws IOException
    {
        final ConnectionState state = this.state;
        final RequestWriter writer = connection.writer;
        final ReplyReader reader = connection.reader;
        final CommandMix mix = this.mix;
        final int[] batchCommands = this.batchCommands;
        final long[] batchKeys = this.batchKeys;
        final boolean cacheAside = missSet != null;
        final RequestArguments arguments = writer.arguments();
        final long measureStartNs = schedule.measureStartNs();
        final long endNs = schedule.endNs();
        final int pipeline = schedule.pipeline();
        long measuredSent = 0;
        long sent = 0;
        long received = 0;
        long waitNs;
        while ((waitNs = schedule.startNs() - System.nanoTime()) > 0)
        {
            // All connections start together, so warm-up and measurement begin at the times the schedule says.
            LockSupport.parkNanos(waitNs);
        }
        while (true)
        {
            final long nowNs = System.nanoTime();
            if (nowNs >= endNs)
            {
                return;
            }
            final boolean measuring = nowNs >= measureStartNs;
            int batch = pipeline;
            if (measuring)
            {
                final long remaining = quota - measuredSent;
                if (remaining <= 0)
                {
                    return;
                }
                batch = (int)Math.min(batch, remaining);
            }
            writer.begin();
            for (int b = 0; b < batch; b++)
            {
                final int command = mix.next(random);
                batchCommands[b] = command;
                state.sentByCommand[command]++;
                writer.add(mix.command(command));
                batchKeys[b] = arguments.lastKey();
            }
            sent += batch;
            state.sent.setRelease(sent);
            writer.flush();
            final long sendNs = writer.firstWriteNs();
            state.lastProgressNs.setRelease(sendNs);
            int missed = 0;
            for (int b = 0; b < batch; b++)
            {
                final int result = reader.next();
                if (result != ReplyReader.REPLY)
                {
                    state.received.setRelease(received);
                    state.failRead(result);
                    return;
                }
                received++;
                state.countErrorReply(reader);
                if (measuring)
                {
                    state.record(batchCommands[b], reader.lastReadNs() - sendNs);
                }
                if (cacheAside)
                {
                    if (measuring)
                    {
                        state.countGet(reader.parser());
                    }
                    if (reader.parser().isNil())
                    {
                        // Compacting in place: missed <= b, so no key not yet read is overwritten.
                        batchKeys[missed++] = batchKeys[b];
                    }
                }
            }
            state.received.setRelease(received);
            if (missed > 0)
            {
                if (!setMissedKeys(missed, measuring, sent, received))
                {
                    return;
                }
                sent += missed;
                received += missed;
            }
            state.lastProgressNs.setRelease(reader.lastReadNs());
            if (measuring)
            {
                measuredSent += batch;
                state.lastMeasuredReplyNs = reader.lastReadNs();
            }
            else
            {
                state.warmupRequests += batch;
            }
        }
    }

    /** Cache-aside: SETs the keys that missed, as one batch, and reads the replies. */
    private boolean setMissedKeys(final int missed, final boolean measuring, final long sentBefore,
        final long receivedBefore) throws IOException
    {
        final RequestWriter writer = connection.writer;
        final ReplyReader reader = connection.reader;
        final RequestArguments arguments = writer.arguments();
        final int setCommand = mix.size();
        writer.begin();
        for (int m = 0; m < missed; m++)
        {
            arguments.repeatKey(batchKeys[m]);
            writer.add(missSet);
        }
        state.sentByCommand[setCommand] += missed;
        state.sent.setRelease(sentBefore + missed);
        writer.flush();
        final long sendNs = writer.firstWriteNs();
        for (int m = 0; m < missed; m++)
        {
            final int result = reader.next();
            if (result != ReplyReader.REPLY)
            {
                state.received.setRelease(receivedBefore + m);
                state.failRead(result);
                return false;
            }
            state.countErrorReply(reader);
            if (measuring)
            {
                state.record(setCommand, reader.lastReadNs() - sendNs);
            }
        }
        state.received.setRelease(receivedBefore + missed);
        state.lastProgressNs.setRelease(reader.lastReadNs());
        return true;
    }
}
