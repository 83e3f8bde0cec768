package io.ringkv.replication.aof;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Commands in RESP, as Redis writes its append-only file: {@code *argc\r\n} then each argument as
 * {@code $len\r\nbytes\r\n}, into a growable direct buffer that {@link #writeTo} hands to a file. Not threadsafe;
 * allocates nothing once grown to the largest command.
 */
final class RespCommandOut
{
    /** A buffer that a large value grew past this is given back after it was written out. */
    private static final int RETAINED_CAPACITY = 1024 * 1024;

    private ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(64 * 1024);
    private int length;
    private int commands;

    int length()
    {
        return length;
    }

    /**
     * @return the bytes written since the last {@link #clear()}, from index 0 to {@link #length()}.
     */
    DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return commands started since the last {@link #clear()}.
     */
    int commands()
    {
        return commands;
    }

    void clear()
    {
        length = 0;
        commands = 0;
        if (buffer.capacity() > RETAINED_CAPACITY)
        {
            buffer = new ExpandableDirectByteBuffer(64 * 1024);
        }
    }

    /**
     * Forget what was written after {@code mark} (a value of {@link #length()}).
     */
    void truncate(final int mark, final int commandsAtMark)
    {
        length = mark;
        commands = commandsAtMark;
    }

    RespCommandOut command(final int argc)
    {
        commands++;
        buffer.putByte(length++, (byte)'*');
        length += buffer.putIntAscii(length, argc);
        return crlf();
    }

    RespCommandOut arg(final DirectBuffer source, final int offset, final int bytes)
    {
        header(bytes);
        buffer.putBytes(length, source, offset, bytes);
        length += bytes;
        return crlf();
    }

    RespCommandOut arg(final byte[] ascii)
    {
        header(ascii.length);
        buffer.putBytes(length, ascii);
        length += ascii.length;
        return crlf();
    }

    RespCommandOut arg(final long value)
    {
        // The length header needs the digit count first: counted, then the digits written in place.
        final int digits = digits(value);
        header(digits);
        length += buffer.putLongAscii(length, value);
        return crlf();
    }

    /**
     * Open an argument of {@code bytes} bytes that follow in {@link #bytes} pieces and end with {@link #argEnd}: a
     * value too long to be held whole.
     */
    RespCommandOut argHeader(final int bytes)
    {
        header(bytes);
        return this;
    }

    RespCommandOut bytes(final DirectBuffer source, final int offset, final int bytes)
    {
        buffer.putBytes(length, source, offset, bytes);
        length += bytes;
        return this;
    }

    RespCommandOut argEnd()
    {
        return crlf();
    }

    private void header(final int bytes)
    {
        buffer.putByte(length++, (byte)'$');
        length += buffer.putIntAscii(length, bytes);
        crlf();
    }

    private RespCommandOut crlf()
    {
        buffer.putByte(length++, (byte)'\r');
        buffer.putByte(length++, (byte)'\n');
        return this;
    }

    static int digits(final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            return 20;
        }
        long v = Math.abs(value);
        int digits = value < 0 ? 2 : 1;
        while (v >= 10)
        {
            v /= 10;
            digits++;
        }
        return digits;
    }

    /**
     * Write everything buffered to {@code channel} at its position (not cleared).
     */
    void writeTo(final FileChannel channel) throws IOException
    {
        final ByteBuffer view = buffer.byteBuffer();
        view.limit(length).position(0);
        while (view.hasRemaining())
        {
            channel.write(view);
        }
        view.clear();
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
