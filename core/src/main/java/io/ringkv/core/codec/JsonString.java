package io.ringkv.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The content of JSON strings (RFC 8259 section 7), both ways, between Agrona buffers without allocating: every
 * JSON writer escapes with {@link #escape}, every reader decodes with {@link #unescape}. Stateless; any thread.
 * <p>
 * Escaping writes {@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t}, {@code \b}, {@code \f}
 * and <code>&#92;u00XX</code> for the other control characters, and copies every other byte as it is: the input
 * must already be valid UTF-8 ({@link Utf8#isValid}), which the JSON data model guarantees by sending other
 * bytes as base64.
 * Runs of bytes that need no escape are found eight bytes at a time and copied at once.
 */
public final class JsonString
{
    /** Longest escape of one byte (<code>&#92;u00XX</code>): escaped content is at most this many times longer. */
    public static final int MAX_ESCAPED_LENGTH_PER_BYTE = 6;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';
    private static final long SPACES = ONES * 0x20;

    private JsonString()
    {
    }

    /**
     * Write valid UTF-8 bytes as the content of a JSON string (without the quotes).
     *
     * @param source           the bytes.
     * @param index            of the first byte.
     * @param length           number of bytes.
     * @param destination      to write to; must have room for {@code length} bytes plus the escapes, or grow itself
     *                         (an {@link org.agrona.ExpandableDirectByteBuffer} does).
     * @param destinationIndex where the content starts.
     * @return bytes written.
     */
    public static int escape(
        final DirectBuffer source,
        final int index,
        final int length,
        final MutableDirectBuffer destination,
        final int destinationIndex)
    {
        final int end = index + length;
        int w = destinationIndex;
        int runStart = index;
        int i;
        while ((i = nextToEscape(source, runStart, end)) < end)
        {
            if (i > runStart)
            {
                destination.putBytes(w, source, runStart, i - runStart);
                w += i - runStart;
            }
            w += escapeByte(source.getByte(i), destination, w);
            runStart = i + 1;
        }
        if (end > runStart)
        {
            destination.putBytes(w, source, runStart, end - runStart);
            w += end - runStart;
        }
        return w - destinationIndex;
    }

    /**
     * Measure what {@link #escape} writes, so that a caller writing into a buffer that does not grow by itself can
     * make exactly that much room first (a string of control characters is six times longer escaped).
     *
     * @param source the bytes.
     * @param index  of the first byte.
     * @param length number of bytes.
     * @return bytes {@link #escape} writes for them.
     */
    public static long escapedLength(final DirectBuffer source, final int index, final int length)
    {
        final int end = index + length;
        long escaped = length;
        int i = index;
        while ((i = nextToEscape(source, i, end)) < end)
        {
            final byte c = source.getByte(i++);
            escaped += c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f' ?
                1 : MAX_ESCAPED_LENGTH_PER_BYTE - 1;
        }
        return escaped;
    }

    /**
     * Write one ASCII character as JSON string content: escaped when it must be, else as it is.
     *
     * @param c                an ASCII character (0 to 0x7F).
     * @param destination      to write to; must have room for {@link #MAX_ESCAPED_LENGTH_PER_BYTE} bytes.
     * @param destinationIndex where to write.
     * @return bytes written.
     */
    public static int escapeAscii(final byte c, final MutableDirectBuffer destination, final int destinationIndex)
    {
        if (c == '"' || c == '\\' || (c >= 0 && c < 0x20))
        {
            return escapeByte(c, destination, destinationIndex);
        }
        destination.putByte(destinationIndex, c);
        return 1;
    }

    /**
     * Decode the content of a JSON string that a {@link JsonScanner} validated (escapes well formed, surrogate
     * escapes paired) into UTF-8. Decoding never makes the content longer.
     *
     * @param source           holding the string.
     * @param contentStart     index after the opening quote.
     * @param contentEnd       index of the closing quote.
     * @param destination      to write to; must have room for {@code contentEnd - contentStart} bytes.
     * @param destinationIndex where the bytes start.
     * @return bytes written.
     */
    public static int unescape(
        final DirectBuffer source,
        final int contentStart,
        final int contentEnd,
        final MutableDirectBuffer destination,
        final int destinationIndex)
    {
        int w = destinationIndex;
        int runStart = contentStart;
        int i = contentStart;
        while (i < contentEnd)
        {
            if (source.getByte(i) != '\\')
            {
                i++;
                continue;
            }
            if (i > runStart)
            {
                destination.putBytes(w, source, runStart, i - runStart);
                w += i - runStart;
            }
            final byte escaped = source.getByte(i + 1);
            i += 2;
            switch (escaped)
            {
                case 'b' -> destination.putByte(w++, (byte)'\b');
                case 'f' -> destination.putByte(w++, (byte)'\f');
                case 'n' -> destination.putByte(w++, (byte)'\n');
                case 'r' -> destination.putByte(w++, (byte)'\r');
                case 't' -> destination.putByte(w++, (byte)'\t');
                case 'u' ->
                {
                    int codePoint = hex4(source, i);
                    i += 4;
                    if (Character.isHighSurrogate((char)codePoint))
                    {
                        codePoint = Character.toCodePoint((char)codePoint, (char)hex4(source, i + 2));
                        i += 6;
                    }
                    w += Utf8.putCodePoint(codePoint, destination, w);
                }
                default -> destination.putByte(w++, escaped);
            }
            runStart = i;
        }
        if (contentEnd > runStart)
        {
            destination.putBytes(w, source, runStart, contentEnd - runStart);
            w += contentEnd - runStart;
        }
        return w - destinationIndex;
    }

    /**
     * @return the value of four hex digits at {@code index}, or -1 when one is not a hex digit.
     */
    static int hex4(final DirectBuffer buffer, final int index)
    {
        int value = 0;
        for (int i = 0; i < 4; i++)
        {
            final int c = buffer.getByte(index + i);
            final int lower = c | 0x20;
            final int digit;
            if (c >= '0' && c <= '9')
            {
                digit = c - '0';
            }
            else if (lower >= 'a' && lower <= 'f')
            {
                digit = lower - 'a' + 10;
            }
            else
            {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    /**
     * @return true when one of eight bytes is a quote, a backslash or a control character (bytes of UTF-8
     * sequences, high bit set, are not).
     */
    /**
     * @return index of the first byte at or after {@code from} that must be escaped, or {@code end}; runs of bytes
     * that need none are skipped eight at a time.
     */
    private static int nextToEscape(final DirectBuffer source, final int from, final int end)
    {
        int i = from;
        while (i < end)
        {
            if (end - i >= Long.BYTES && !needsEscape(source.getLong(i)))
            {
                i += Long.BYTES;
                continue;
            }
            final byte c = source.getByte(i);
            if (c == '"' || c == '\\' || (c >= 0 && c < 0x20))
            {
                return i;
            }
            i++;
        }
        return end;
    }

    private static boolean needsEscape(final long word)
    {
        return (hasZeroByte(word ^ QUOTES) | hasZeroByte(word ^ BACKSLASHES) | ((word - SPACES) & ~word & HIGH_BITS))
            != 0;
    }

    private static long hasZeroByte(final long word)
    {
        return (word - ONES) & ~word & HIGH_BITS;
    }

    private static int escapeByte(final byte c, final MutableDirectBuffer destination, final int index)
    {
        final byte short1;
        switch (c)
        {
            case '"' -> short1 = '"';
            case '\\' -> short1 = '\\';
            case '\n' -> short1 = 'n';
            case '\r' -> short1 = 'r';
            case '\t' -> short1 = 't';
            case '\b' -> short1 = 'b';
            case '\f' -> short1 = 'f';
            default ->
            {
                destination.putByte(index, (byte)'\\');
                destination.putByte(index + 1, (byte)'u');
                destination.putByte(index + 2, (byte)'0');
                destination.putByte(index + 3, (byte)'0');
                destination.putByte(index + 4, HEX[c >> 4]);
                destination.putByte(index + 5, HEX[c & 0xF]);
                return MAX_ESCAPED_LENGTH_PER_BYTE;
            }
        }
        destination.putByte(index, (byte)'\\');
        destination.putByte(index + 1, short1);
        return 2;
    }
}
