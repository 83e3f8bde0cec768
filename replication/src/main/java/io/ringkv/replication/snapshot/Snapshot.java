package io.ringkv.replication.snapshot;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One point-in-time image of the keyspace at replication offset {@link #offset()}, on its way to one replica:
 * the engine thread ({@link SnapshotTask}) writes captured entries into a bounded off-heap single-producer
 * single-consumer ring; the replica's sender thread reads them. Either side may give up ({@link #abort}); the
 * other sees it. The ring's memory is freed when both sides have {@link #release released} it.
 */
public final class Snapshot
{
    private final long offset;
    private final ByteBuffer memory;
    private final OneToOneRingBuffer ring;
    private volatile Thread reader;
    private volatile boolean complete;
    private volatile String abortReason;
    private volatile long peakBytes;
    private final AtomicInteger holders = new AtomicInteger(2);
    private volatile long keysAtStart;
    private volatile long entriesCaptured;
    private volatile java.util.List<byte[]> functionLibraries;

    /**
     * @param offset   the replication offset the image is taken at (records up to it are in it, none after).
     * @param capacity bytes of ring (a power of two).
     */
    public Snapshot(final long offset, final int capacity)
    {
        this.offset = offset;
        memory = ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH);
        ring = new OneToOneRingBuffer(new UnsafeBuffer(memory));
    }

    public long offset()
    {
        return offset;
    }

    /**
     * Engine thread, when the snapshot starts: the function libraries' codes at the snapshot's offset (an immutable
     * list), which the dump carries; null when the server has no function registry (its dump carries none).
     *
     * @param codes the libraries' codes, or null.
     */
    public void functionLibraries(final java.util.List<byte[]> codes)
    {
        this.functionLibraries = codes;
    }

    /**
     * @return the libraries' codes as of the snapshot's offset, or null when the dump carries no libraries field.
     */
    public java.util.List<byte[]> functionLibraries()
    {
        return functionLibraries;
    }

    /**
     * @return keys in the keyspace when the snapshot started (including expired ones not yet reclaimed).
     */
    public long keysAtStart()
    {
        return keysAtStart;
    }

    /**
     * @return entries written into the ring.
     */
    public long entriesCaptured()
    {
        return entriesCaptured;
    }

    void counts(final long keysAtStart, final long entriesCaptured)
    {
        this.keysAtStart = keysAtStart;
        this.entriesCaptured = entriesCaptured;
    }

    public OneToOneRingBuffer ring()
    {
        return ring;
    }

    /**
     * @param reader the sender thread to wake when entries arrive.
     */
    public void reader(final Thread reader)
    {
        this.reader = reader;
    }

    void wakeReader()
    {
        final Thread reader = this.reader;
        if (reader != null)
        {
            LockSupport.unpark(reader);
        }
    }

    void notePeak()
    {
        final long used = ring.size();
        if (used > peakBytes)
        {
            peakBytes = used;
        }
    }

    /**
     * @return most bytes the ring held at once.
     */
    public long peakBytes()
    {
        return peakBytes;
    }

    /**
     * @return bytes of off-heap memory this snapshot holds.
     */
    public long capacityBytes()
    {
        return memory.capacity();
    }

    void complete()
    {
        complete = true;
        wakeReader();
    }

    /**
     * @return true once every entry has been written (the END message is in the ring).
     */
    public boolean isComplete()
    {
        return complete;
    }

    /**
     * Either side: give up this snapshot.
     *
     * @param reason why, for the log.
     */
    public void abort(final String reason)
    {
        if (abortReason == null)
        {
            abortReason = reason;
        }
        wakeReader();
    }

    /**
     * @return why it was given up, or null.
     */
    public String abortReason()
    {
        return abortReason;
    }

    /**
     * Each side (the engine's task, the reader) calls this once when it will not touch the ring again; the
     * second call frees the memory.
     */
    public void release()
    {
        if (holders.decrementAndGet() == 0)
        {
            BufferUtil.free(memory);
        }
    }
}
