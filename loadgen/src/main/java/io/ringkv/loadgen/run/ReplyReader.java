package io.ringkv.loadgen.run;

import io.ringkv.loadgen.protocol.ReplyParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads replies one at a time from a blocking channel into a reusable direct buffer, reading more only when
 * the buffered bytes end mid-reply, and notes when the read that completed each reply returned. The buffer
 * doubles when a single reply outgrows it (rare, and the only allocation). Not threadsafe: the connection's
 * receiving thread only.
 */
public final class ReplyReader
{
    /** {@link #next()}: a reply was parsed. */
    public static final int REPLY = 1;
    /** {@link #next()}: the peer closed the connection. */
    public static final int END_OF_STREAM = -1;
    /** {@link #next()}: the bytes are not a valid reply. */
    public static final int MALFORMED = -2;

    private static final int MAX_CAPACITY = 1 << 30;

    private final ReadableByteChannel channel;
    private final ReplyParser parser;
    private ByteBuffer buffer;
    private int readIndex;
    private int writeIndex;
    private long lastReadNs;

    /**
     * @param channel         blocking channel to read.
     * @param parser          the protocol's reply parser.
     * @param initialCapacity bytes of the first buffer.
     */
    public ReplyReader(final ReadableByteChannel channel, final ReplyParser parser, final int initialCapacity)
    {
        this.channel = channel;
        this.parser = parser;
        this.buffer = ByteBuffer.allocateDirect(initialCapacity);
    }

    /**
     * Parses the next reply, blocking for bytes as needed.
     *
     * @return {@link #REPLY}, {@link #END_OF_STREAM} or {@link #MALFORMED}.
     * @throws IOException if the read fails (including the channel being closed by another thread).
     */
    public int next() throws IOException
    {
        final ReplyParser parser = this.parser;
        int end = readIndex < writeIndex ? parser.parse(buffer, readIndex, writeIndex) : ReplyParser.NEED_MORE;
        while (end == ReplyParser.NEED_MORE)
        {
            if (fill() < 0)
            {
                return END_OF_STREAM;
            }
            end = parser.parse(buffer, readIndex, writeIndex);
        }
        if (end < 0)
        {
            return MALFORMED;
        }
        readIndex = end;
        if (readIndex == writeIndex)
        {
            readIndex = 0;
            writeIndex = 0;
        }
        return REPLY;
    }

    /**
     * @return {@link System#nanoTime()} when the read that completed the last reply returned.
     */
    public long lastReadNs()
    {
        return lastReadNs;
    }

    /**
     * @return the parser, for whether the last reply was an error and where its text is.
     */
    public ReplyParser parser()
    {
        return parser;
    }

    /**
     * @return the buffer the parser's indexes refer to, valid until the next call to {@link #next()}.
     */
    public ByteBuffer buffer()
    {
        return buffer;
    }

    private int fill() throws IOException
    {
        if (writeIndex == buffer.capacity())
        {
            makeRoom();
        }
        buffer.limit(buffer.capacity()).position(writeIndex);
        final int read = channel.read(buffer);
        if (read < 0)
        {
            return -1;
        }
        lastReadNs = System.nanoTime();
        writeIndex += read;
        return read;
    }

    private void makeRoom() throws IOException
    {
        final int pending = writeIndex - readIndex;
        if (readIndex > 0)
        {
            buffer.limit(writeIndex).position(readIndex);
            buffer.compact();
            readIndex = 0;
            writeIndex = pending;
            return;
        }
        if (buffer.capacity() >= MAX_CAPACITY)
        {
            throw new IOException("a reply is larger than " + MAX_CAPACITY + " bytes");
        }
        final ByteBuffer bigger = ByteBuffer.allocateDirect(buffer.capacity() * 2);
        buffer.limit(writeIndex).position(0);
        bigger.put(buffer);
        buffer = bigger;
    }
}
