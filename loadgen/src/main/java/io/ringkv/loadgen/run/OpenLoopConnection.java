package io.ringkv.loadgen.run;

import io.ringkv.loadgen.workload.CommandMix;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Open loop on one connection: a sending thread writes each request at its intended time from the
 * {@link LoadSchedule} (all requests that are due in one write, up to {@code pipeline}), whether or not earlier
 * replies have arrived; the receiving thread (the one running this) reads replies and measures each from its
 * request's intended send time, handed over through an {@link IntendedTimeRing}. A server stall therefore
 * shows in the latency of every request scheduled during it, however late the generator got to send it:
 * no coordinated omission. Two virtual threads per connection: the blocking read must not delay sends.
 * <pre>
 *   sender:   wait for intended(i) -> ring.offer(intended(i), command) -> write
 *   receiver: read reply -> ring.poll() -> record(replyReadNs - intended)
 * </pre>
 */
final class OpenLoopConnection implements Runnable
{
    private static final int RING_CAPACITY = 1 << 14;
    private static final int COMMAND_BITS = 8;
    private static final long RING_WAIT_TIMEOUT_NS = 1_000_000_000L;

    private final ConnectionState state;
    private final TargetConnection connection;
    private final CommandMix mix;
    private final SplittableRandom random;
    private final LoadSchedule schedule;
    private final long quota;
    private final IntendedTimeRing ring = new IntendedTimeRing(RING_CAPACITY);
    private volatile boolean senderDone;
    private volatile boolean senderFailed;

    OpenLoopConnection(
        final ConnectionState state,
        final TargetConnection connection,
        final CommandMix mix,
        final SplittableRandom random,
        final LoadSchedule schedule,
        final long quota)
    {
        this.state = state;
        this.connection = connection;
        this.mix = mix;
        this.random = random;
        this.schedule = schedule;
        this.quota = quota;
    }

    @Override
    public void run()
    {
        state.lastProgressNs.setRelease(System.nanoTime());
        final Thread sender = Thread.ofVirtual().name("loadgen-send-" + state.id).start(this::send);
        try
        {
            receive();
        }
        catch (final ClosedChannelException ex)
        {
            if (senderFailed || !(senderDone && state.received.get() == state.sent.get()))
            {
                state.failClosed();
            }
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
            connection.close();
            try
            {
                sender.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            // After the join: the sender may have written more after the failure was noticed.
            state.accountLostIfFailed();
        }
    }

    private void receive() throws IOException
    {
        final ConnectionState state = this.state;
        final ReplyReader reader = connection.reader;
        final long baseNs = schedule.startNs();
        final long measureStartNs = schedule.measureStartNs();
        long received = 0;
        while (true)
        {
            final int result = reader.next();
            if (result != ReplyReader.REPLY)
            {
                if (result == ReplyReader.END_OF_STREAM && senderDone && received == state.sent.get())
                {
                    return;
                }
                state.failRead(result);
                return;
            }
            final long entry = takeEntry();
            if (entry == IntendedTimeRing.EMPTY)
            {
                state.fail("PROTOCOL", "a reply arrived for no request");
                return;
            }
            received++;
            state.received.setRelease(received);
            final long readNs = reader.lastReadNs();
            state.lastProgressNs.setRelease(readNs);
            state.countErrorReply(reader);
            final long intendedNs = baseNs + (entry >>> COMMAND_BITS);
            if (intendedNs >= measureStartNs)
            {
                state.record((int)(entry & ((1 << COMMAND_BITS) - 1)), readNs - intendedNs);
                state.lastMeasuredReplyNs = readNs;
            }
        }
    }

    /** The reply's request was published before it was written, so its entry is there or about to be. */
    private long takeEntry()
    {
        long entry = ring.poll();
        if (entry != IntendedTimeRing.EMPTY)
        {
            return entry;
        }
        final long deadlineNs = System.nanoTime() + RING_WAIT_TIMEOUT_NS;
        while (entry == IntendedTimeRing.EMPTY && System.nanoTime() < deadlineNs)
        {
            Thread.yield();
            entry = ring.poll();
        }
        return entry;
    }

    private void send()
    {
        try
        {
            sendOnSchedule();
        }
        catch (final IOException ex)
        {
            if (!state.abandoned)
            {
                state.fail("CONNECTION", TargetConnection.describe(ex));
            }
            senderFailed = true;
            connection.close();
        }
        catch (final RuntimeException ex)
        {
            state.failInternal(ex);
            senderFailed = true;
            connection.close();
        }
        finally
        {
            senderDone = true;
        }
        awaitRepliesThenEnd();
    }

    private void sendOnSchedule() throws IOException
    {
        final ConnectionState state = this.state;
        final RequestWriter writer = connection.writer;
        final CommandMix mix = this.mix;
        final IntendedTimeRing ring = this.ring;
        final LoadSchedule schedule = this.schedule;
        final int id = state.id;
        final long baseNs = schedule.startNs();
        final long measureStartNs = schedule.measureStartNs();
        final long endNs = schedule.endNs();
        final int pipeline = schedule.pipeline();
        long sequence = 0;
        long measuredSent = 0;
        long sent = 0;
        long intendedNs = schedule.intendedSendNs(id, 0);
        while (intendedNs < endNs && measuredSent < quota && !state.abandoned && connection.channel.isOpen())
        {
            final long nowNs = System.nanoTime();
            if (intendedNs > nowNs)
            {
                LockSupport.parkNanos(intendedNs - nowNs);
                continue;
            }
            writer.begin();
            int batch = 0;
            while (batch < pipeline && intendedNs <= nowNs && intendedNs < endNs && measuredSent < quota)
            {
                final int command = mix.next(random);
                if (!ring.offer(((intendedNs - baseNs) << COMMAND_BITS) | command))
                {
                    break;
                }
                writer.add(mix.command(command));
                state.sentByCommand[command]++;
                if (intendedNs >= measureStartNs)
                {
                    measuredSent++;
                }
                else
                {
                    state.warmupRequests++;
                }
                batch++;
                sequence++;
                intendedNs = schedule.intendedSendNs(id, sequence);
            }
            if (batch == 0)
            {
                // The ring is full: this many requests are outstanding. Their latency keeps counting meanwhile.
                LockSupport.parkNanos(50_000);
                continue;
            }
            final boolean wasIdle = state.received.getAcquire() == sent;
            sent += batch;
            state.sent.setRelease(sent);
            writer.flush();
            if (wasIdle)
            {
                state.lastProgressNs.setRelease(writer.firstWriteNs());
            }
        }
    }

    /** Lets the receiver read the last replies, then ends its blocking read with end-of-stream. */
    private void awaitRepliesThenEnd()
    {
        while (!senderFailed && !state.abandoned && connection.channel.isOpen()
            && state.received.getAcquire() < state.sent.get())
        {
            LockSupport.parkNanos(1_000_000);
        }
        try
        {
            connection.channel.shutdownInput();
        }
        catch (final IOException ignore)
        {
            // Already closed: the receiver has ended or is ending.
        }
    }
}
