package io.ringkv.replication.log;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * One replica's copy of the log from a record on (Redis's replica output buffer): the {@link ReplicationLogEncoder}
 * appends every line it encodes from {@link #startRecord()} on, the replica's sender writes them to the socket.
 * The encoder never waits: a replica that reads slowly costs memory here, up to a limit past which the feed
 * {@link #overflowed()} and the replica is dropped, instead of falling out of the shared backlog as soon as its
 * sender is a backlog's length behind (which a thread not scheduled for some tens of milliseconds is, under load).
 * <pre>
 *   chunks: [256 KB off-heap] -> [256 KB] -> ...   appended at the tail by the encoder, read and freed at the head
 * </pre>
 * Single producer (the encoder's thread), single consumer (the sender's thread), no locks: a chunk's written
 * length and the produced total are published with release stores; the consumer frees a chunk only after the
 * producer has moved past it.
 */
public final class ReplicaFeed
{
    static final int CHUNK_BYTES = 256 * 1024;

    private static final VarHandle PRODUCED;
    private static final VarHandle CONSUMED;
    private static final VarHandle CONSUMER_STATE;

    /** {@link #consumerState}: the sender is awake and the only one to write. */
    private static final int ACTIVE = 0;
    /** The sender waits for lines: the producer may take the consumer's part for a moment. */
    private static final int WAITING = 1;
    /** The producer is writing to the channel in the waiting sender's place. */
    private static final int PRODUCER_WRITING = 2;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            PRODUCED = lookup.findVarHandle(ReplicaFeed.class, "produced", long.class);
            CONSUMED = lookup.findVarHandle(ReplicaFeed.class, "consumed", long.class);
            CONSUMER_STATE = lookup.findVarHandle(ReplicaFeed.class, "consumerState", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Held bytes past which a feed no sender has claimed yet is given up (its sync's connection went away). */
    static final long UNCLAIMED_LIMIT_BYTES = 16 * 1024 * 1024;

    private final long minRecord;
    private final long limitBytes;
    private volatile long startRecord = Long.MAX_VALUE;
    private volatile boolean claimed;
    private volatile Runnable wake = () -> { };
    private Chunk tail;
    private Chunk head;
    private int headPosition;
    private ByteBuffer headView;
    @SuppressWarnings("unused")
    private volatile long produced;
    @SuppressWarnings("unused")
    private volatile long consumed;
    private volatile boolean overflowed;
    private volatile boolean closed;
    private volatile int consumerState = ACTIVE;
    private volatile WritableByteChannel directChannel;
    private volatile long peakBytes;

    /**
     * @param minRecord  first record the replica needs.
     * @param limitBytes most bytes held (appended, not yet consumed) before the feed overflows.
     */
    public ReplicaFeed(final long minRecord, final long limitBytes)
    {
        this.minRecord = minRecord;
        this.limitBytes = limitBytes;
        tail = new Chunk();
        head = tail;
    }

    /**
     * Consumer, before it first waits: how the producer wakes it (e.g. a selector's wakeup).
     */
    public void wakeWith(final Runnable wake)
    {
        this.wake = wake;
    }

    /**
     * Consumer, before it first waits: while it waits, the producer writes new lines to {@code channel} (non-blocking)
     * itself, and wakes the consumer only for what the channel did not take. A line then reaches the replica's socket
     * from the thread that encoded it, as Redis writes a replica's output in the event-loop iteration that ran the
     * command, instead of after a wake-up of the sender's thread (one hand-off less per change at light load).
     */
    public void producerWrites(final WritableByteChannel channel)
    {
        this.directChannel = channel;
    }

    /**
     * @return the first record the feed holds: records before it are read from the backlog;
     * {@link Long#MAX_VALUE} until the encoder has adopted the feed (read {@link ReplicationBacklog#lastRecord()}
     * first: what it returned before this returned MAX_VALUE is all in the backlog, none in the feed).
     */
    public long startRecord()
    {
        return startRecord;
    }

    /**
     * Producer: take records from {@code nextRecord} (the next one to be encoded) on.
     */
    void adopt(final long nextRecord)
    {
        startRecord = Math.max(nextRecord, minRecord);
    }

    /**
     * Consumer: a sender serves this feed now.
     */
    public void claim()
    {
        claimed = true;
    }

    /**
     * @return true once more than the limit was held: lines were lost, the replica must be dropped.
     */
    public boolean overflowed()
    {
        return overflowed;
    }

    /**
     * @return bytes appended and not yet consumed.
     */
    public long heldBytes()
    {
        return (long)PRODUCED.getAcquire(this) - (long)CONSUMED.getAcquire(this);
    }

    /**
     * @return most bytes held at once.
     */
    public long peakBytes()
    {
        return peakBytes;
    }

    /**
     * Producer: append one whole line of record {@code record} (ignored before {@link #startRecord()}, after an
     * overflow or after {@link #close()}).
     */
    void append(final long record, final DirectBuffer line, final int offset, final int length)
    {
        if (record < startRecord || overflowed || closed)
        {
            return;
        }
        final long produced = (long)PRODUCED.getOpaque(this);
        final long held = produced - (long)CONSUMED.getAcquire(this) + length;
        if (held > limitBytes || (held > UNCLAIMED_LIMIT_BYTES && !claimed))
        {
            overflowed = true;
            return;
        }
        if (held > peakBytes)
        {
            peakBytes = held;
        }
        int copied = 0;
        while (copied < length)
        {
            Chunk chunk = tail;
            if (chunk.written == CHUNK_BYTES)
            {
                final Chunk next = new Chunk();
                chunk.next = next;
                tail = next;
                chunk = next;
            }
            final int written = chunk.written;
            final int part = Math.min(length - copied, CHUNK_BYTES - written);
            chunk.buffer.putBytes(written, line, offset + copied, part);
            chunk.written = written + part; // volatile: publishes the bytes
            copied += part;
        }
        PRODUCED.setRelease(this, produced + length);
    }

    /**
     * Producer, after a batch of appends: wake the consumer if it waits.
     */
    void signal()
    {
        VarHandle.fullFence(); // the appends' 'produced' before reading the state (see armWait)
        if (consumerState != WAITING)
        {
            return;
        }
        final WritableByteChannel channel = directChannel;
        if (channel != null && CONSUMER_STATE.compareAndSet(this, WAITING, PRODUCER_WRITING))
        {
            // The consumer is parked and cannot come back before the state is WAITING again (disarm): its part,
            // head and position, is ours until then.
            boolean sentAll;
            try
            {
                sentAll = !closed && writeTo(channel);
            }
            catch (final IOException | RuntimeException ex)
            {
                sentAll = false; // the consumer sees the failure itself when it writes next
            }
            CONSUMER_STATE.setVolatile(this, WAITING);
            if (sentAll)
            {
                return;
            }
        }
        wake.run();
    }

    /**
     * Consumer, before it blocks: from now on the producer wakes it.
     *
     * @return true when there is nothing to write (block); false when there is (don't, but {@link #disarm()}).
     */
    public boolean armWait()
    {
        consumerState = WAITING;
        VarHandle.fullFence(); // the state before reading 'produced'; the producer publishes before reading the state
        return heldBytes() == 0;
    }

    /**
     * Consumer, after it woke: the consumer's part is its own again, once a write the producer is making in its place
     * (a non-blocking one: short) has ended.
     */
    public void disarm()
    {
        int spins = 0;
        while (consumerState != ACTIVE && !CONSUMER_STATE.compareAndSet(this, WAITING, ACTIVE))
        {
            if (++spins < 100)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
    }

    /**
     * Consumer: write what the channel accepts of what is held.
     *
     * @return true when everything held was written (the stream is at a line boundary).
     */
    public boolean writeTo(final WritableByteChannel channel) throws IOException
    {
        while (true)
        {
            final Chunk chunk = head;
            final int written = chunk.written;
            if (headPosition < written)
            {
                if (headView == null)
                {
                    headView = chunk.memory.duplicate();
                }
                headView.limit(written).position(headPosition);
                final int sent = channel.write(headView);
                if (sent < 0)
                {
                    throw new IOException("replica closed the connection");
                }
                headPosition += sent;
                CONSUMED.setRelease(this, (long)CONSUMED.getOpaque(this) + sent);
                if (headPosition < written)
                {
                    return false; // the socket is full
                }
            }
            if (written == CHUNK_BYTES && chunk.next != null)
            {
                head = chunk.next; // the producer has moved past this chunk for good
                headPosition = 0;
                headView = null;
                BufferUtil.free(chunk.memory);
                continue;
            }
            return (long)PRODUCED.getAcquire(this) == (long)CONSUMED.getOpaque(this);
        }
    }

    /**
     * Consumer: stop taking lines; the memory still held is left to the collector, since the producer may be
     * appending right now.
     */
    public void close()
    {
        closed = true;
    }

    /**
     * @return true when no line will be appended any more (closed or overflowed): the encoder lets go of it.
     */
    boolean isDone()
    {
        return closed || overflowed;
    }

    private static final class Chunk
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(CHUNK_BYTES);
        final UnsafeBuffer buffer = new UnsafeBuffer(memory);
        volatile int written;
        volatile Chunk next;
    }
}
