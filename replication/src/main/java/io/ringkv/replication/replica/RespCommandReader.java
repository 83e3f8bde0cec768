package io.ringkv.replication.replica;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads RESP commands (multibulk arrays of bulk strings, as Redis writes them to an AOF and to its replicas) from a
 * byte source straight into a {@link CommandBatchBuilder}'s argument buffer: the one RESP command reader behind the
 * AOF loader and the link to a Redis master. It counts the bytes consumed ({@link #position()}), which is the AOF's
 * offset for error messages and a Redis replica's replication offset.
 * <p>
 * A command the input ends in the middle of throws {@link Truncated}, bytes that are not RESP throw
 * {@link BadFormat} naming the offset; in both cases the arguments already added stay in the builder, for the
 * caller to take back with {@link CommandBatchBuilder#rollback(long)}. Not threadsafe: one reading thread.
 */
public final class RespCommandReader
{
    /** Longest bulk argument accepted (Redis's proto-max-bulk-len ceiling). */
    public static final long MAX_BULK = 512L * 1024 * 1024;
    /** {@link #readCommand} at the end of the input, between two commands. */
    public static final long END_OF_INPUT = -1;

    /** Where the bytes come from. */
    @FunctionalInterface
    public interface Source
    {
        /**
         * Read some bytes into {@code into} (a heap buffer), blocking until there are some.
         *
         * @return bytes read, or -1 at the end of the input.
         */
        int read(ByteBuffer into) throws IOException;
    }

    /** The input ended inside a command. Preallocated, no stack. */
    public static final class Truncated extends IOException
    {
        private static final long serialVersionUID = 1L;

        Truncated()
        {
            super("the input ended inside a command", null);
        }

        @Override
        public Throwable fillInStackTrace()
        {
            return this;
        }
    }

    /** Bytes that are not a RESP command. */
    public static final class BadFormat extends IOException
    {
        private static final long serialVersionUID = 1L;
        private final long offset;

        BadFormat(final long offset)
        {
            super("not a RESP command at offset " + offset);
            this.offset = offset;
        }

        /**
         * @return the offset of the element that is not RESP.
         */
        public long offset()
        {
            return offset;
        }
    }

    /** The one {@link Truncated}: it carries nothing but its type. */
    public static final Truncated TRUNCATED = new Truncated();

    private final ByteBuffer input;
    private Source source;
    private long position;
    private int nameIndex;
    private int nameLength;
    private int firstArgIndex;
    private int firstArgLength;

    /**
     * @param bufferBytes size of the read buffer.
     */
    public RespCommandReader(final int bufferBytes)
    {
        input = ByteBuffer.allocate(bufferBytes);
        input.flip();
    }

    /**
     * Read from {@code source} from now on, forgetting any byte buffered from the last one.
     *
     * @param position the offset of the source's first byte.
     */
    public RespCommandReader reset(final Source source, final long position)
    {
        this.source = source;
        this.position = position;
        input.clear().flip();
        return this;
    }

    /**
     * @return the offset just past the last byte consumed.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return bytes read from the source and not consumed yet (0: the next read blocks).
     */
    public int buffered()
    {
        return input.remaining();
    }

    /**
     * Read one command into {@code commands} as one request.
     *
     * @return its argument count, or {@link #END_OF_INPUT} when the input ended before it.
     * @throws Truncated when the input ends inside it.
     * @throws BadFormat when it is not RESP.
     */
    public long readCommand(final CommandBatchBuilder commands) throws IOException
    {
        final long commandStart = position;
        final int first = readByte();
        if (first < 0)
        {
            return END_OF_INPUT;
        }
        if (first != '*')
        {
            throw new BadFormat(commandStart);
        }
        final long argc = readNumber();
        if (argc < 1 || argc > Integer.MAX_VALUE)
        {
            throw new BadFormat(commandStart);
        }
        firstArgLength = -1;
        for (long i = 0; i < argc; i++)
        {
            final long argStart = position;
            if (readByteOrTruncated() != '$')
            {
                throw new BadFormat(argStart);
            }
            final long length = readNumber();
            if (length < 0 || length > MAX_BULK)
            {
                throw new BadFormat(argStart);
            }
            final int at = commands.argStart();
            readBulk(commands, (int)length, argStart);
            commands.argWritten((int)length);
            if (i == 0)
            {
                nameIndex = at;
                nameLength = (int)length;
            }
            else if (i == 1)
            {
                firstArgIndex = at;
                firstArgLength = (int)length;
            }
        }
        commands.end();
        return argc;
    }

    /**
     * @return true when the last command read is named {@code upperCaseWord} (case-insensitive).
     */
    public boolean nameIs(final CommandBatchBuilder commands, final String upperCaseWord)
    {
        return is(commands, nameIndex, nameLength, upperCaseWord);
    }

    /**
     * @return true when the last command read has a first argument equal to {@code upperCaseWord} (any case).
     */
    public boolean firstArgIs(final CommandBatchBuilder commands, final String upperCaseWord)
    {
        return firstArgLength >= 0 && is(commands, firstArgIndex, firstArgLength, upperCaseWord);
    }

    private static boolean is(final CommandBatchBuilder commands, final int at, final int length, final String word)
    {
        if (length != word.length())
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (Character.toUpperCase((char)commands.buffer().getByte(at + i)) != word.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the next byte, or -1 at the end of the input.
     */
    public int readByte() throws IOException
    {
        if (!input.hasRemaining() && !fill())
        {
            return -1;
        }
        position++;
        return input.get() & 0xFF;
    }

    /**
     * A line up to CRLF (or a bare LF), without the line end: a handshake reply of a Redis master.
     *
     * @param maxBytes longest line accepted.
     * @throws Truncated when the input ends first.
     * @throws BadFormat when it is longer than {@code maxBytes}.
     */
    public String readLine(final int maxBytes) throws IOException
    {
        final long start = position;
        final StringBuilder line = new StringBuilder();
        while (true)
        {
            final int b = readByteOrTruncated();
            if (b == '\n')
            {
                final int length = line.length();
                if (length > 0 && line.charAt(length - 1) == '\r')
                {
                    line.setLength(length - 1);
                }
                return line.toString();
            }
            if (line.length() >= maxBytes)
            {
                throw new BadFormat(start);
            }
            line.append((char)b);
        }
    }

    /**
     * Copy up to {@code length} bytes of input into {@code destination}, reading the source only when nothing is
     * buffered.
     *
     * @return bytes copied (at least one), or -1 at the end of the input.
     */
    public int readSome(final byte[] destination, final int offset, final int length) throws IOException
    {
        if (!input.hasRemaining() && !fill())
        {
            return -1;
        }
        final int n = Math.min(length, input.remaining());
        input.get(destination, offset, n);
        position += n;
        return n;
    }

    private int readByteOrTruncated() throws IOException
    {
        final int b = readByte();
        if (b < 0)
        {
            throw TRUNCATED;
        }
        return b;
    }

    private boolean fill() throws IOException
    {
        input.clear();
        int read;
        do
        {
            read = source.read(input);
        }
        while (read == 0);
        input.flip();
        return read > 0;
    }

    /** Digits up to CRLF. */
    private long readNumber() throws IOException
    {
        final long start = position;
        long value = 0;
        boolean negative = false;
        int digits = 0;
        while (true)
        {
            final int b = readByteOrTruncated();
            if (b == '\r')
            {
                break;
            }
            if (b == '-' && digits == 0 && !negative)
            {
                negative = true;
                continue;
            }
            if (b < '0' || b > '9' || digits > 18)
            {
                throw new BadFormat(start);
            }
            value = value * 10 + (b - '0');
            digits++;
        }
        if (readByteOrTruncated() != '\n' || digits == 0)
        {
            throw new BadFormat(start);
        }
        return negative ? -value : value;
    }

    private void readBulk(final CommandBatchBuilder commands, final int length, final long argStart)
        throws IOException
    {
        int remaining = length;
        int at = commands.argStart();
        while (remaining > 0)
        {
            if (!input.hasRemaining() && !fill())
            {
                throw TRUNCATED;
            }
            final int n = Math.min(remaining, input.remaining());
            commands.buffer().putBytes(at, input, input.position(), n);
            input.position(input.position() + n);
            position += n;
            at += n;
            remaining -= n;
        }
        if (readByteOrTruncated() != '\r' || readByteOrTruncated() != '\n')
        {
            throw new BadFormat(argStart);
        }
    }
}
