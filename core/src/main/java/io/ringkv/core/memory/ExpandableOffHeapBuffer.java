package io.ringkv.core.memory;

import org.agrona.AbstractMutableDirectBuffer;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An expandable off-heap buffer, like Agrona's {@code ExpandableDirectByteBuffer}, except that memory it gives up is
 * freed at once: growing reallocates in place (no copy left behind), {@link #shrink(int)} and {@link #close()} free.
 * Agrona's buffer leaves the memory it grew out of to the garbage collector's Cleaner, so a request that grows a buffer
 * to 50 MB leaves up to 50 MB more resident until a collection happens, which a server whose data is off-heap may not
 * see for hours.
 * <p>
 * Memory comes from {@link UnsafeApi#allocateMemory(long)} (malloc), with no heap object per allocation, so growing
 * and shrinking on a hot path makes no garbage. A capacity of 0 holds no memory: a buffer never written to costs only
 * this object. {@link #allocatedBytes()} tells how much all of them hold, for INFO. Memory for channel I/O, which needs
 * a {@link ByteBuffer}, is the connection buffers' business (net's {@code ReadBuffer} and {@code ReplyBuffer}).
 * <p>
 * Not threadsafe. Views wrapping the memory are invalid after it grows, shrinks or closes.
 */
public final class ExpandableOffHeapBuffer extends AbstractMutableDirectBuffer implements AutoCloseable
{
    /** Largest capacity, as a Java buffer's. */
    public static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    private static final AtomicLong ALLOCATED_BYTES = new AtomicLong();

    /**
     * @param initialCapacity bytes to allocate now; 0 allocates nothing until the first write.
     */
    public ExpandableOffHeapBuffer(final int initialCapacity)
    {
        if (initialCapacity < 0 || initialCapacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("initialCapacity out of range: " + initialCapacity);
        }
        if (initialCapacity > 0)
        {
            resize(initialCapacity);
        }
    }

    /**
     * @return bytes held by every live buffer of this class in the process.
     */
    public static long allocatedBytes()
    {
        return ALLOCATED_BYTES.get();
    }

    /**
     * Give back memory beyond {@code capacity} when the buffer holds more than that; the first {@code capacity}
     * bytes are kept.
     *
     * @param capacity bytes to keep (0 frees everything until the next write).
     * @return true when memory was freed.
     */
    public boolean shrink(final int capacity)
    {
        if (this.capacity > capacity)
        {
            resize(capacity);
            return true;
        }
        return false;
    }

    /**
     * Free the memory; the buffer may be written again afterwards and then allocates anew.
     */
    public void close()
    {
        shrink(0);
    }

    /**
     * Grow to hold {@code limit} bytes, keeping the contents; also what every write past the capacity does.
     *
     * @param limit bytes needed from index 0.
     */
    public void checkLimit(final int limit)
    {
        ensureCapacity(limit, 0);
    }

    protected void ensureCapacity(final int index, final int length)
    {
        if (index < 0 || length < 0)
        {
            throw new IndexOutOfBoundsException("negative index or length: index=" + index + " length=" + length);
        }
        final long required = (long)index + length;
        if (required > capacity)
        {
            if (required > MAX_CAPACITY)
            {
                throw new IndexOutOfBoundsException(
                    "index=" + index + " length=" + length + " maxCapacity=" + MAX_CAPACITY);
            }
            resize((int)Math.min(MAX_CAPACITY, Math.max(required, Math.max(64L, capacity * 2L))));
        }
    }

    private void resize(final int newCapacity)
    {
        final long oldAddress = addressOffset;
        if (newCapacity == 0)
        {
            UnsafeApi.freeMemory(oldAddress);
            addressOffset = 0;
        }
        else
        {
            // realloc keeps the contents; a large block moves by remapping pages, not by copying them.
            addressOffset = 0 == oldAddress ?
                UnsafeApi.allocateMemory(newCapacity) : UnsafeApi.reallocateMemory(oldAddress, newCapacity);
        }
        ALLOCATED_BYTES.addAndGet(newCapacity - (long)capacity);
        capacity = newCapacity;
    }

    public boolean isExpandable()
    {
        return true;
    }

    public byte[] byteArray()
    {
        return null;
    }

    public ByteBuffer byteBuffer()
    {
        return null;
    }

    public int wrapAdjustment()
    {
        return 0;
    }

    public void wrap(final byte[] buffer)
    {
        throw new UnsupportedOperationException();
    }

    public void wrap(final byte[] buffer, final int offset, final int length)
    {
        throw new UnsupportedOperationException();
    }

    public void wrap(final ByteBuffer buffer)
    {
        throw new UnsupportedOperationException();
    }

    public void wrap(final ByteBuffer buffer, final int offset, final int length)
    {
        throw new UnsupportedOperationException();
    }

    public void wrap(final DirectBuffer buffer)
    {
        throw new UnsupportedOperationException();
    }

    public void wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        throw new UnsupportedOperationException();
    }

    public void wrap(final long address, final int length)
    {
        throw new UnsupportedOperationException();
    }

    public String toString()
    {
        return "ExpandableOffHeapBuffer{capacity=" + capacity + '}';
    }
}
