package io.ringkv.replication.log;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * An off-heap circular byte buffer addressed by stream positions that grow forever (byte {@code i} of the stream sits
 * at {@code i % capacity}), written by one thread and read by any number without locks, seqlock style: the writer
 * {@link #announce announces} the position it is about to write up to before writing, and a reader checks after
 * copying that the writer had not begun overwriting what it copied ({@link #copy}). The one ring under both backlogs:
 * {@link ReplicationBacklog} (JSON lines framed per record) and {@link RespBacklog} (Redis's byte stream).
 * <p>
 * Writer methods: {@link #announce}, {@link #write}, {@link #read}; reader methods: {@link #copy},
 * {@link #isIntact}.
 */
public final class SeqlockByteRing
{
    private final int capacity;
    private final ByteBuffer memory;
    private final UnsafeBuffer buffer;
    /** Stream position the writer is about to write up to (announced before the bytes). */
    private volatile long writeLimit;

    /**
     * @param capacity bytes of memory.
     */
    public SeqlockByteRing(final int capacity)
    {
        this.capacity = capacity;
        memory = ByteBuffer.allocateDirect(capacity);
        buffer = new UnsafeBuffer(memory, 0, capacity);
    }

    public int capacity()
    {
        return capacity;
    }

    /**
     * Writer: the bytes up to {@code limit} are about to be written; readers of positions below
     * {@code limit - capacity} have fallen out from now on.
     */
    public void announce(final long limit)
    {
        writeLimit = limit;
        VarHandle.storeStoreFence();
    }

    /**
     * Writer: put {@code length} bytes at stream position {@code position} (announced first).
     */
    public void write(final long position, final DirectBuffer source, final int offset, final int length)
    {
        final int index = (int)(position % capacity);
        final int first = Math.min(length, capacity - index);
        buffer.putBytes(index, source, offset, first);
        if (first < length)
        {
            buffer.putBytes(0, source, offset + first, length - first);
        }
    }

    /**
     * Writer (or a reader that checks {@link #isIntact} itself): copy {@code length} bytes from {@code position}.
     */
    public void read(final long position, final MutableDirectBuffer destination, final int offset, final int length)
    {
        final int index = (int)(position % capacity);
        final int first = Math.min(length, capacity - index);
        buffer.getBytes(index, destination, offset, first);
        if (first < length)
        {
            buffer.getBytes(0, destination, offset + first, length - first);
        }
    }

    /**
     * Writer: copy the stream bytes {@code [from, to)} of {@code source} to the same positions here (a resize).
     */
    public void copyFrom(final SeqlockByteRing source, final long from, final long to)
    {
        for (long at = from; at < to; )
        {
            final int index = (int)(at % source.capacity);
            final int length = (int)Math.min(to - at, source.capacity - index);
            write(at, source.buffer, index, length);
            at += length;
        }
    }

    /**
     * Any thread: copy {@code length} stream bytes from {@code position}.
     *
     * @return true when the copy is good: the writer had not begun overwriting {@code position} meanwhile.
     */
    public boolean copy(final long position, final MutableDirectBuffer destination, final int offset, final int length)
    {
        read(position, destination, offset, length);
        VarHandle.loadLoadFence();
        return isIntact(position);
    }

    /**
     * Any thread: true when the writer has not begun overwriting {@code position}.
     */
    public boolean isIntact(final long position)
    {
        return position >= writeLimit - capacity;
    }

    /**
     * Free the memory (no reader or writer uses it any more).
     */
    public void free()
    {
        BufferUtil.free(memory);
    }
}
