package io.ringkv.net.codec;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The direct memory of connection buffers ({@link ReadBuffer}, {@link ReplyBuffer}): allocated as direct
 * {@link ByteBuffer}s, which channels read into and write from, and freed explicitly the moment a buffer grows,
 * shrinks or closes, never left to a garbage collection. Keeps the process-wide total for INFO.
 * <p>
 * Threadsafe: each buffer is owned by one connection thread; only the total is shared.
 */
public final class ConnectionBuffers
{
    private static final AtomicLong ALLOCATED_BYTES = new AtomicLong();

    private ConnectionBuffers()
    {
    }

    /**
     * @return bytes held by every connection buffer of the process.
     */
    public static long allocatedBytes()
    {
        return ALLOCATED_BYTES.get();
    }

    /**
     * @param capacity bytes.
     * @return a new direct buffer of that capacity, counted.
     */
    static ByteBuffer allocate(final int capacity)
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(capacity);
        ALLOCATED_BYTES.addAndGet(capacity);
        return buffer;
    }

    /**
     * Replace {@code old} by a buffer of {@code newCapacity}, copy its first {@code keepBytes} bytes over, point
     * {@code view} at the new one and free the old one.
     *
     * @return the new buffer.
     */
    static ByteBuffer resize(final ByteBuffer old, final int newCapacity, final int keepBytes, final UnsafeBuffer view)
    {
        final ByteBuffer replacement = allocate(newCapacity);
        final UnsafeBuffer oldView = new UnsafeBuffer(old);
        view.wrap(replacement);
        view.putBytes(0, oldView, 0, keepBytes);
        free(old);
        return replacement;
    }

    /**
     * Free a buffer now; it must not be used afterwards.
     *
     * @param buffer from {@link #allocate(int)} or {@link #resize}.
     */
    static void free(final ByteBuffer buffer)
    {
        ALLOCATED_BYTES.addAndGet(-buffer.capacity());
        BufferUtil.free(buffer);
    }
}
