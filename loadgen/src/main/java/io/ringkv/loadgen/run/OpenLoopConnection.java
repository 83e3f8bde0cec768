package io.ringkv.loadgen.run;

import io.ringkv.loadgen.workload.CommandMix;
import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.RequestArguments;

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
 * Cache-aside: each GET's ring entry carries its key; when a GET's reply is nil the receiver hands the key and
 * the reply's time to the sender through a second ring and wakes it; the sender writes that SET before any
 * GET still due, and the SET is measured from the moment its miss was read, so a slow SET path shows too.
 */
final class OpenLoopConnection implements Runnable
{
    private static final int RING_CAPACITY = 1 << 14;
    private static final int COMMAND_BITS = 8;
    private static final long RING_WAIT_TIMEOUT_NS = 1_000_000_000L;
    /** Cache-aside: the mix is GET alone (index 0) and the miss's SET comes after it. */
    private static final int SET_COMMAND = 1;

    private final ConnectionState state;
    private final TargetConnection connection;
    private final CommandMix mix;
    private final SplittableRandom random;
    private final LoadSchedule schedule;
    private final long quota;
    private final IntendedTimeRing ring = new IntendedTimeRing(RING_CAPACITY);
    /** Cache-aside: missed keys (entry) with the time their nil reply was read (payload), receiver to sender. */
    private final IntendedTimeRing misses;
    private final CommandTemplate missSet;
    private Thread sender;
    private volatile boolean senderDone;
    private volatile boolean senderFailed;

    OpenLoopConnection(
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
        this.missSet = missSet;
        // The sender adds GETs only after finding no miss waiting, so misses waiting never outnumber what the
        // request ring held then plus what it held when they were read: twice its capacity is room enough.
        this.misses = missSet != null ? new IntendedTimeRing(2 * RING_CAPACITY) : null;
    }

    @Override
    public void run()
    {
        state.lastProgressNs.setRelease(System.nanoTime());
        final Thread sender = Thread.ofVirtual().name("loadgen-send-" + state.id).unstarted(this::send);
        this.sender = sender;
        sender.start();
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
            final long readNs = reader.lastReadNs();
            state.countErrorReply(reader);
            final long intendedNs = baseNs + (entry >>> COMMAND_BITS);
            final int command = (int)(entry & ((1 << COMMAND_BITS) - 1));
            if (intendedNs >= measureStartNs)
            {
                state.record(command, readNs - intendedNs);
                state.lastMeasuredReplyNs = readNs;
            }
            if (misses != null && command != SET_COMMAND)
            {
                missed(intendedNs >= measureStartNs, readNs);
            }
            // After any miss is handed over: a sender that sees every reply received sees every miss too.
            state.received.setRelease(received);
            state.lastProgressNs.setRelease(readNs);
        }
    }

    /** Cache-aside: counts a GET's reply and, when it is nil, asks the sender to SET its key. */
    private void missed(final boolean measured, final long readNs)
    {
        if (measured)
        {
            state.countGet(connection.reader.parser());
        }
        if (connection.reader.parser().isNil())
        {
            // The sender drains this ring before sending more GETs, so it has room (see the constructor); should
            // that ever be wrong, the coordinator's timeout closes the channel and this ends.
            while (!misses.offer(ring.polledPayload(), readNs))
            {
                if (state.abandoned || !connection.channel.isOpen())
                {
                    return;
                }
                Thread.yield();
            }
            LockSupport.unpark(sender);
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
        final boolean cacheAside = missSet != null;
        final RequestArguments arguments = writer.arguments();
        long sequence = 0;
        long measuredSent = 0;
        long intendedNs = schedule.intendedSendNs(id, 0);
        while (intendedNs < endNs && measuredSent < quota && !state.abandoned && connection.channel.isOpen())
        {
            final long nowNs = System.nanoTime();
            final boolean wasIdle = state.received.getAcquire() == state.sent.getPlain();
            writer.begin();
            final int sets = cacheAside ? addMissSets(pipeline) : 0;
            int batch = sets;
            if (batch == 0 && intendedNs > nowNs)
            {
                // A miss's unpark ends the wait early.
                LockSupport.parkNanos(intendedNs - nowNs);
                continue;
            }
            while (batch < pipeline && intendedNs <= nowNs && intendedNs < endNs && measuredSent < quota)
            {
                final int command = mix.next(random);
                long key = 0;
                if (cacheAside)
                {
                    // Drawn before the ring entry that carries it; the encoder then repeats it.
                    key = arguments.nextKey();
                    arguments.repeatKey(key);
                }
                if (!ring.offer(((intendedNs - baseNs) << COMMAND_BITS) | command, key))
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
            // addMissSets published its SETs already.
            state.sent.setRelease(state.sent.getPlain() + batch - sets);
            writer.flush();
            if (wasIdle)
            {
                state.lastProgressNs.setRelease(writer.firstWriteNs());
            }
        }
        if (cacheAside)
        {
            setMissesUntilAnswered(pipeline);
        }
    }

    /**
     * Cache-aside: adds a SET for each miss waiting, up to {@code limit}, each ring entry stamped with its miss's
     * read time as the intended time. Sending thread.
     *
     * @return SETs added.
     */
    private int addMissSets(final int limit) throws IOException
    {
        final RequestWriter writer = connection.writer;
        final RequestArguments arguments = writer.arguments();
        final long baseNs = schedule.startNs();
        int added = 0;
        while (added < limit)
        {
            final long key = misses.poll();
            if (key == IntendedTimeRing.EMPTY)
            {
                break;
            }
            while (!ring.offer(((misses.polledPayload() - baseNs) << COMMAND_BITS) | SET_COMMAND, key))
            {
                // Every request outstanding: wait for a reply to free a slot; the SET's latency runs meanwhile.
                LockSupport.parkNanos(50_000);
                if (state.abandoned || !connection.channel.isOpen())
                {
                    return added;
                }
            }
            arguments.repeatKey(key);
            writer.add(missSet);
            added++;
        }
        if (added > 0)
        {
            state.sentByCommand[SET_COMMAND] += added;
            state.sent.setRelease(state.sent.getPlain() + added);
        }
        return added;
    }

    /** Cache-aside, after the schedule: the last GETs may still miss, and each miss still gets its SET. */
    private void setMissesUntilAnswered(final int pipeline) throws IOException
    {
        final RequestWriter writer = connection.writer;
        while (!state.abandoned && connection.channel.isOpen())
        {
            // Read before draining: every miss of a reply counted here is in the ring already.
            final boolean allAnswered = state.received.getAcquire() == state.sent.getPlain();
            writer.begin();
            if (addMissSets(pipeline) > 0)
            {
                writer.flush();
                continue;
            }
            if (allAnswered)
            {
                return;
            }
            LockSupport.parkNanos(1_000_000);
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
