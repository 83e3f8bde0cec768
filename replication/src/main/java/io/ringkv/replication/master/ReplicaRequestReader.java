package io.ringkv.replication.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * Reads what a Redis replica sends its master (RESP arrays: REPLCONF ACK, and newlines while it loads its payload)
 * from a non-blocking channel, bounded: at most {@link #MAX_ARGS} arguments of at most {@link #MAX_ARG_BYTES} bytes,
 * {@link #MAX_INPUT_BYTES} unparsed; anything else is a protocol error ({@link IOException} naming it). Owned by one
 * sender thread.
 */
final class ReplicaRequestReader
{
    /** Most bytes of an unparsed request (a REPLCONF ACK is about 50). */
    static final int MAX_INPUT_BYTES = 64 * 1024;
    static final int MAX_ARGS = 8;
    static final int MAX_ARG_BYTES = 1024;
    /** {@link #lineEnd}: no CRLF within a header's reach. */
    private static final int TOO_LONG = -2;
    /** {@link #lineEnd}: no CRLF yet. */
    private static final int INCOMPLETE = -1;

    /** What the replica sent. */
    interface Handler
    {
        /**
         * A newline (a replica's keepalive).
         */
        void newline();

        /**
         * A complete request.
         *
         * @param args its arguments (only the first {@code argc} are this request's).
         * @param argc how many.
         */
        void request(byte[][] args, int argc) throws IOException;
    }

    private final ByteBuffer input = ByteBuffer.allocate(MAX_INPUT_BYTES);
    private final byte[][] args = new byte[MAX_ARGS][];

    /**
     * Read what arrived on {@code channel}, without blocking, and hand each complete request to {@code handler}.
     *
     * @throws IOException when the replica closed the connection or broke the protocol.
     */
    void read(final ReadableByteChannel channel, final Handler handler) throws IOException
    {
        final ByteBuffer input = this.input;
        while (true)
        {
            final int read = channel.read(input);
            if (read < 0)
            {
                throw new IOException("the replica closed the connection");
            }
            if (read == 0)
            {
                return;
            }
            int position = 0;
            final int limit = input.position();
            while (position < limit)
            {
                final int consumed = request(input.array(), position, limit, handler);
                if (consumed == 0)
                {
                    break;
                }
                position += consumed;
            }
            if (position == 0 && limit == input.capacity())
            {
                throw new IOException("a request of more than " + MAX_INPUT_BYTES + " bytes");
            }
            input.limit(limit).position(position);
            input.compact();
        }
    }

    /**
     * Parse and handle one request at {@code from}.
     *
     * @return bytes it took, 0 when it is not complete yet.
     */
    private int request(final byte[] bytes, final int from, final int limit, final Handler handler)
        throws IOException
    {
        final byte first = bytes[from];
        if (first == '\n' || first == '\r')
        {
            handler.newline();
            return 1;
        }
        if (first != '*')
        {
            throw new IOException("protocol error: expected a RESP array, got '" + printable(first) + "'");
        }
        int at = from + 1;
        final int lineEnd = lineEnd(bytes, at, limit);
        if (lineEnd == INCOMPLETE)
        {
            return 0;
        }
        final long argc = number(bytes, at, lineEnd);
        if (argc < 1 || argc > MAX_ARGS)
        {
            throw new IOException("protocol error: a request of " + argc + " arguments");
        }
        at = lineEnd + 2;
        for (int i = 0; i < argc; i++)
        {
            if (at >= limit)
            {
                return 0;
            }
            if (bytes[at] != '$')
            {
                throw new IOException("protocol error: expected '$', got '" + printable(bytes[at]) + "'");
            }
            final int headerEnd = lineEnd(bytes, at + 1, limit);
            if (headerEnd == INCOMPLETE)
            {
                return 0;
            }
            final long length = number(bytes, at + 1, headerEnd);
            if (length < 0 || length > MAX_ARG_BYTES)
            {
                throw new IOException("protocol error: an argument of " + length + " bytes");
            }
            at = headerEnd + 2;
            if (at + length + 2 > limit)
            {
                return 0;
            }
            args[i] = Arrays.copyOfRange(bytes, at, at + (int)length);
            at += (int)length + 2;
        }
        handler.request(args, (int)argc);
        return at - from;
    }

    private static int lineEnd(final byte[] bytes, final int from, final int limit)
    {
        for (int i = from; i + 1 < limit; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                return i;
            }
            if (i - from > 20)
            {
                return TOO_LONG;
            }
        }
        return INCOMPLETE;
    }

    /**
     * @return the non-negative decimal at [from, to), or -1 when it is not one.
     * @throws IOException when {@code to} says the line was too long.
     */
    static long number(final byte[] bytes, final int from, final int to) throws IOException
    {
        if (to == TOO_LONG)
        {
            throw new IOException("protocol error: a header line too long");
        }
        if (to <= from || to - from > 18)
        {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++)
        {
            final int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9)
            {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static String printable(final byte b)
    {
        return b >= 32 && b < 127 ? String.valueOf((char)b) : String.format("\\x%02x", b & 0xFF);
    }
}
