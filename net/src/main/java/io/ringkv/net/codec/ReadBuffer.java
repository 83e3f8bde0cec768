package io.ringkv.net.codec;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A connection's read buffer: a direct {@link ByteBuffer} the socket reads into, viewed through one
 * {@link UnsafeBuffer} that parsers and request batches slice. Bytes live in {@code [0, limit())}.
 * <p>
 * Growth follows what has arrived, never what a header announces: the buffer only grows when it is full and the
 * pending request still needs more, doubling each time but never past the length the request is known to need
 * nor past the client-query-buffer-limit. A 512 MB bulk header therefore costs nothing until 512 MB arrive; the
 * request ends up in one exactly sized buffer, and each byte is copied about once on the way (a geometric series),
 * not once per chunk. A buffer that grew is released back to the initial capacity by {@link #shrinkIfEmpty()}, and
 * {@link #close()} frees it: the memory goes back at once ({@link ConnectionBuffers}), not at the next GC.
 * <pre>
 *   read -&gt; parse(buffer, 0, limit) -&gt; execute -&gt; compact(parser.consumed())
 *        -&gt; if ensureRoom(parser.requiredLength()) == QUERY_BUFFER_LIMIT_EXCEEDED: close (Redis closes silently)
 * </pre>
 * Not threadsafe: owned by one connection thread; must not change while a batch slicing it is executing.
 */
public final class ReadBuffer
{
    /** Configuration key of the most bytes one client's pending request may occupy (Redis's setting). */
    public static final String CLIENT_QUERY_BUFFER_LIMIT_PROP_NAME = "client-query-buffer-limit";
    /** Default of {@link #CLIENT_QUERY_BUFFER_LIMIT_PROP_NAME}: 1 GB, as Redis. */
    public static final int CLIENT_QUERY_BUFFER_LIMIT_DEFAULT = 1024 * 1024 * 1024;
    /** Default initial capacity: enough for a pipeline of small requests in one read. */
    public static final int INITIAL_CAPACITY_DEFAULT = 16 * 1024;

    /** {@link #ensureRoom(long)}: there is room to read more. */
    public static final int ROOM = 0;
    /** {@link #ensureRoom(long)}: the pending request cannot fit within the client-query-buffer-limit. */
    public static final int QUERY_BUFFER_LIMIT_EXCEEDED = -1;

    private final int initialCapacity;
    private final int maxCapacity;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private ByteBuffer byteBuffer;
    private int limit;

    /**
     * @param initialCapacity capacity to start with and to shrink back to.
     * @param maxCapacity     client-query-buffer-limit in bytes.
     */
    public ReadBuffer(final int initialCapacity, final int maxCapacity)
    {
        if (initialCapacity < 16 || maxCapacity < initialCapacity)
        {
            throw new IllegalArgumentException(
                "need 16 <= initialCapacity <= maxCapacity: " + initialCapacity + ", " + maxCapacity);
        }
        this.initialCapacity = initialCapacity;
        this.maxCapacity = maxCapacity;
        byteBuffer = ConnectionBuffers.allocate(initialCapacity);
        buffer.wrap(byteBuffer);
    }

    /**
     * @return the view every parser and batch slices; the same object for the buffer's whole life.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    public int limit()
    {
        return limit;
    }

    public int capacity()
    {
        return buffer.capacity();
    }

    /**
     * @return true while the buffer is larger than its initial capacity (a large request made it grow).
     */
    public boolean grown()
    {
        return buffer.capacity() > initialCapacity;
    }

    /**
     * Read once from the channel into the free space after {@link #limit()}.
     *
     * @param channel to read from (blocking or not).
     * @return bytes read, or -1 at end of stream.
     * @throws IOException from the channel.
     */
    public int readFrom(final ReadableByteChannel channel) throws IOException
    {
        final ByteBuffer target = byteBuffer;
        target.limit(target.capacity()).position(limit);
        final int read = channel.read(target);
        if (read > 0)
        {
            limit += read;
        }
        return read;
    }

    /**
     * Append bytes as if read from a socket (tests, benchmarks, replaying input); copies at most the free space.
     *
     * @param source bytes to append.
     * @param offset of the first byte in source.
     * @param length number of bytes offered.
     * @return number of bytes appended.
     */
    public int append(final byte[] source, final int offset, final int length)
    {
        final int count = Math.min(length, buffer.capacity() - limit);
        buffer.putBytes(limit, source, offset, count);
        limit += count;
        return count;
    }

    /**
     * Drop the bytes before {@code consumed} and move the rest to the start.
     *
     * @param consumed index of the first byte still needed ({@link RequestParser#consumed()}).
     */
    public void compact(final int consumed)
    {
        final int remaining = limit - consumed;
        if (remaining > 0 && consumed > 0)
        {
            buffer.putBytes(0, buffer, consumed, remaining);
        }
        limit = remaining;
    }

    /**
     * Make sure the next read has room, growing the buffer when it is full.
     *
     * @param requiredLength bytes the pending request is known to need from index 0
     *                       ({@link RequestParser#requiredLength()}), or 0 when unknown.
     * @return {@link #ROOM} or {@link #QUERY_BUFFER_LIMIT_EXCEEDED} (also when the process's direct memory limit
     * leaves no room to grow).
     */
    public int ensureRoom(final long requiredLength)
    {
        if (requiredLength > maxCapacity)
        {
            return QUERY_BUFFER_LIMIT_EXCEEDED;
        }
        final int capacity = buffer.capacity();
        if (limit < capacity)
        {
            return ROOM;
        }
        if (capacity >= maxCapacity)
        {
            return QUERY_BUFFER_LIMIT_EXCEEDED;
        }
        long newCapacity = Math.min((long)capacity * 2, maxCapacity);
        if (requiredLength > capacity)
        {
            newCapacity = Math.min(newCapacity, requiredLength);
        }
        try
        {
            resize((int)newCapacity);
        }
        catch (final OutOfMemoryError ex)
        {
            // Direct memory (-XX:MaxDirectMemorySize) is spent: this client cannot grow its request, the server goes on.
            return QUERY_BUFFER_LIMIT_EXCEEDED;
        }
        return ROOM;
    }

    /**
     * Release a grown buffer once it holds nothing, returning to the initial capacity.
     *
     * @return true when the buffer was shrunk.
     */
    public boolean shrinkIfEmpty()
    {
        if (limit == 0 && buffer.capacity() > initialCapacity)
        {
            resize(initialCapacity);
            return true;
        }
        return false;
    }

    /**
     * Free the memory when the connection ends; the buffer must not be used afterwards.
     */
    public void close()
    {
        if (byteBuffer != null)
        {
            buffer.wrap(0, 0);
            ConnectionBuffers.free(byteBuffer);
            byteBuffer = null;
            limit = 0;
        }
    }

    private void resize(final int newCapacity)
    {
        byteBuffer = ConnectionBuffers.resize(byteBuffer, newCapacity, limit, buffer);
    }
}
