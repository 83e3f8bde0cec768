package io.ringkv.net.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * A connection's output: an expandable direct buffer the reply encoders append to while the engine executes a
 * batch, and the connection writes to its socket with one flush once the batch completes. It grows by doubling;
 * memory it grew out of, or gives back with {@link #shrinkIfEmpty()} and {@link #close()}, is freed at once
 * ({@link ConnectionBuffers}), not at the next GC.
 * <p>
 * The engine thread appends while a batch is in flight, and may write the replies out itself ({@link #pending()});
 * the connection thread uses it only once the batch is complete (the batch's hand-over orders the two). Never
 * both at once.
 */
public final class ReplyBuffer
{
    /** Default initial capacity. */
    public static final int INITIAL_CAPACITY_DEFAULT = 16 * 1024;
    /** Most reply bytes one batch can hold: the largest buffer one {@link ByteBuffer} can be. */
    public static final int MAX_CAPACITY_DEFAULT = Integer.MAX_VALUE - 8;

    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);

    private final int initialCapacity;
    private final int maxCapacity;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private ByteBuffer byteBuffer;
    private int position;
    private boolean replyOpen;
    private int replyStart;
    private boolean broken;

    /**
     * @param initialCapacity capacity to start with and to shrink back to.
     */
    public ReplyBuffer(final int initialCapacity)
    {
        this(initialCapacity, MAX_CAPACITY_DEFAULT);
    }

    /**
     * @param initialCapacity capacity to start with and to shrink back to.
     * @param maxCapacity     most pending reply bytes; see {@link #ensureRoom(int)}.
     */
    public ReplyBuffer(final int initialCapacity, final int maxCapacity)
    {
        this.initialCapacity = initialCapacity;
        this.maxCapacity = maxCapacity;
        byteBuffer = ConnectionBuffers.allocate(initialCapacity);
        buffer.wrap(byteBuffer);
    }

    /**
     * @return the buffer; replies are in {@code [0, position())}. The same view for the buffer's life; its memory
     * moves when the buffer grows or shrinks.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int position()
    {
        return position;
    }

    /**
     * @return bytes of memory the buffer holds now (CLIENT LIST's memory figures; any thread may read it, stale).
     */
    public int capacity()
    {
        return buffer.capacity();
    }

    /**
     * Move the write position, e.g. back to a request's start to discard its reply.
     *
     * @param position new write position, at most the current one.
     */
    public void position(final int position)
    {
        this.position = position;
    }

    public void putByte(final byte value)
    {
        grow(1);
        buffer.putByte(position++, value);
    }

    public void putBytes(final byte[] bytes)
    {
        grow(bytes.length);
        buffer.putBytes(position, bytes);
        position += bytes.length;
    }

    public void putBytes(final DirectBuffer source, final int index, final int length)
    {
        grow(length);
        buffer.putBytes(position, source, index, length);
        position += length;
    }

    public void putLongAscii(final long value)
    {
        grow(20);
        position += buffer.putLongAscii(position, value);
    }

    public void putCrLf()
    {
        grow(2);
        buffer.putBytes(position, CRLF);
        position += 2;
    }

    private void grow(final int length)
    {
        final long required = (long)position + length;
        final int capacity = buffer.capacity();
        if (required > capacity)
        {
            final long doubled = Math.max(required, 2L * capacity);
            byteBuffer = ConnectionBuffers.resize(
                byteBuffer, (int)Math.min(doubled, MAX_CAPACITY_DEFAULT), position, buffer);
        }
    }

    /**
     * Make room for {@code length} more bytes so that a run of single-byte puts does not grow repeatedly. Encoders
     * call this before every reply that can be large.
     * <p>
     * A reply that would take the pending bytes past the maximum capacity cannot be sent whole: the pending bytes
     * are dropped, the buffer is marked {@link #broken()} (the connection must then close instead of writing
     * a stream the client could not parse) and the command's reply fails with an exception.
     *
     * @param length bytes about to be written.
     * @throws IllegalStateException when the reply does not fit.
     */
    public void ensureRoom(final int length)
    {
        if ((long)position + length > maxCapacity)
        {
            broken = true;
            position = 0;
            throw new IllegalStateException("reply larger than " + maxCapacity + " bytes");
        }
        grow(length);
    }

    /**
     * Encoders call this when a request's reply starts. A reply still open from the previous request means that
     * command failed half-way through its reply: the stream is {@link #broken()}.
     */
    public void beginReply()
    {
        if (replyOpen)
        {
            broken = true;
        }
        replyOpen = true;
        replyStart = position;
    }

    /**
     * @return where the replies completed so far end: the start of the reply being written, else the position.
     * A connection's outbox sends up to here before a message pushed in the middle of its batch.
     */
    public int completedPosition()
    {
        return replyOpen ? replyStart : position;
    }

    /**
     * Encoders call this when a request's reply is complete.
     */
    public void endReply()
    {
        replyOpen = false;
    }

    /**
     * @return true once a reply did not fit (see {@link #ensureRoom(int)}) or was left unfinished by a failing
     * command: the client could not parse what follows, so the connection must close instead of writing.
     */
    public boolean broken()
    {
        return broken || replyOpen;
    }

    /**
     * Write every pending byte to a blocking channel and clear.
     *
     * @param channel the socket.
     * @throws IOException from the channel.
     */
    public void writeTo(final WritableByteChannel channel) throws IOException
    {
        final ByteBuffer byteBuffer = this.byteBuffer;
        byteBuffer.limit(position).position(0);
        while (byteBuffer.hasRemaining())
        {
            channel.write(byteBuffer);
        }
        byteBuffer.clear();
        position = 0;
    }

    /**
     * The pending bytes for a writer that may need several calls (a non-blocking write, then a blocking one for the
     * rest): the buffer's {@link ByteBuffer}, positioned at 0 and limited at {@link #position()}; a write advances
     * its position. Call {@link #clear()} once it is all written, and append nothing before.
     *
     * @return the buffer's byte buffer, valid until it is cleared, grown or shrunk.
     */
    public ByteBuffer pending()
    {
        return byteBuffer.limit(position).position(0);
    }

    /**
     * Drop every pending byte.
     */
    public void clear()
    {
        byteBuffer.clear();
        position = 0;
    }

    /**
     * Release a buffer a big reply grew, once it is empty.
     *
     * @return true when it was shrunk.
     */
    public boolean shrinkIfEmpty()
    {
        if (position == 0 && buffer.capacity() > initialCapacity)
        {
            byteBuffer = ConnectionBuffers.resize(byteBuffer, initialCapacity, 0, buffer);
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
            position = 0;
        }
    }
}
