package io.ringkv.core.store;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Redis 7.0's listpack format, read and written in place in any buffer (an entry's value bytes, a DUMP body), so
 * that a small hash is stored exactly as Redis serializes it and DUMP/RESTORE of it is a copy. Stateless static
 * methods over {@code (buffer, index)}; any thread, on its own buffers.
 * <pre>
 *   0               4       6
 *  +---------------+-------+--------------------------------------+------+
 *  | total bytes   | count |  entry  entry  ...                   | 0xFF |
 *  | uint32 LE     | u16 LE|                                      | EOF  |
 *  +---------------+-------+--------------------------------------+------+
 *
 *  entry:  +-------------------------+-----------------------------+
 *          | encoding (+ length/int) | data | backlen (1..5 bytes) |
 *          +-------------------------+-----------------------------+
 *
 *  0xxxxxxx                      7-bit unsigned int, no data
 *  10LLLLLL                      string of 0..63 bytes
 *  110xxxxx xxxxxxxx             13-bit signed int (two's complement, big-endian bits)
 *  1110LLLL LLLLLLLL             string of 64..4095 bytes
 *  11110000 + 4 bytes LE         string of 4096.. bytes
 *  11110001 + 2 bytes LE         16-bit int        11110010 + 3 bytes LE   24-bit int
 *  11110011 + 4 bytes LE         32-bit int        11110100 + 8 bytes LE   64-bit int
 * </pre>
 * The backlen holds the length of encoding plus data in 7-bit groups, most significant first, every byte but the
 * first with its top bit set, so it can be read from its last byte backwards. The count is 65535 when unknown (more
 * elements than fit 16 bits). Which element is stored as an integer follows Redis's {@code lpEncodeGetType}: the
 * canonical decimal text of a 64-bit integer (Redis's {@code string2ll}, ringkv's
 * {@code AsciiNumbers.parseLong}, which callers run and pass on as {@code sIsInt}/{@code sAsLong}), in the smallest
 * integer encoding.
 */
public final class Listpack
{
    public static final int TOTAL_BYTES_OFFSET = 0;
    public static final int COUNT_OFFSET = 4;
    public static final int HEADER_LENGTH = 6;
    /** Bytes of an empty listpack: header and EOF. */
    public static final int EMPTY_LENGTH = HEADER_LENGTH + 1;
    public static final int EOF = 0xFF;
    /** Count field value meaning "count the entries". */
    public static final int COUNT_UNKNOWN = 0xFFFF;
    /** Longest integer form of an element: encoding byte and 8 bytes. */
    public static final int MAX_INT_ENCODED_LENGTH = 9;

    /** {@link #validate} result for a malformed listpack. */
    public static final int INVALID = -1;

    private static final int ENCODING_7BIT_UINT_MASK = 0x80;
    private static final int ENCODING_6BIT_STR = 0x80;
    private static final int ENCODING_6BIT_STR_MASK = 0xC0;
    private static final int ENCODING_13BIT_INT = 0xC0;
    private static final int ENCODING_13BIT_INT_MASK = 0xE0;
    private static final int ENCODING_12BIT_STR = 0xE0;
    private static final int ENCODING_12BIT_STR_MASK = 0xF0;
    private static final int ENCODING_32BIT_STR = 0xF0;
    private static final int ENCODING_16BIT_INT = 0xF1;
    private static final int ENCODING_24BIT_INT = 0xF2;
    private static final int ENCODING_32BIT_INT = 0xF3;
    private static final int ENCODING_64BIT_INT = 0xF4;

    private Listpack()
    {
    }

    /**
     * Write an empty listpack.
     *
     * @param buffer to write to.
     * @param index  of the listpack's first byte.
     */
    public static void writeEmpty(final MutableDirectBuffer buffer, final int index)
    {
        buffer.putInt(index + TOTAL_BYTES_OFFSET, EMPTY_LENGTH, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(index + COUNT_OFFSET, (short)0, ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(index + HEADER_LENGTH, (byte)EOF);
    }

    /**
     * @return the total bytes field.
     */
    public static int totalBytes(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + TOTAL_BYTES_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @return the element count of a valid listpack (counting them when the header says "unknown").
     */
    public static int count(final DirectBuffer buffer, final int index)
    {
        final int count = buffer.getShort(index + COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (count != COUNT_UNKNOWN)
        {
            return count;
        }
        int counted = 0;
        for (int p = first(buffer, index); p != 0; p = next(buffer, index, p))
        {
            counted++;
        }
        return counted;
    }

    /**
     * Set both header fields.
     */
    public static void header(final MutableDirectBuffer buffer, final int index, final int totalBytes,
        final int count)
    {
        buffer.putInt(index + TOTAL_BYTES_OFFSET, totalBytes, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(index + COUNT_OFFSET, (short)Math.min(count, COUNT_UNKNOWN), ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @return index of the first element, or 0 when there is none (indexes of elements are never 0 because the
     * header comes first).
     */
    public static int first(final DirectBuffer buffer, final int index)
    {
        final int p = index + HEADER_LENGTH;
        return (buffer.getByte(p) & 0xFF) == EOF ? 0 : p;
    }

    /**
     * @param p an element's index.
     * @return index of the element after it, or 0 after the last.
     */
    public static int next(final DirectBuffer buffer, final int index, final int p)
    {
        final int encodedLength = encodedLength(buffer, p);
        final int q = p + encodedLength + backlenLength(encodedLength);
        return (buffer.getByte(q) & 0xFF) == EOF ? 0 : q;
    }

    /**
     * @return index of the last element, or 0 when there is none.
     */
    public static int last(final DirectBuffer buffer, final int index)
    {
        return prev(buffer, index, index + totalBytes(buffer, index) - 1);
    }

    /**
     * @param p an element's index, or the EOF byte's.
     * @return index of the element before it (read back through its backlen), or 0 before the first.
     */
    public static int prev(final DirectBuffer buffer, final int index, final int p)
    {
        if (p <= index + HEADER_LENGTH)
        {
            return 0;
        }
        int encodedLength = 0;
        int shift = 0;
        int q = p - 1;
        int b;
        do
        {
            b = buffer.getByte(q--) & 0xFF;
            encodedLength |= (b & 127) << shift;
            shift += 7;
        }
        while ((b & 128) != 0);
        return p - backlenLength(encodedLength) - encodedLength;
    }

    /**
     * @param p an element's index.
     * @return index just past the element (its backlen included).
     */
    public static int skip(final DirectBuffer buffer, final int p)
    {
        final int encodedLength = encodedLength(buffer, p);
        return p + encodedLength + backlenLength(encodedLength);
    }

    /**
     * @param p an element's index.
     * @return true when it is stored as an integer ({@link #intValue}), false for a string
     * ({@link #stringIndex}, {@link #stringLength}).
     */
    public static boolean isInt(final DirectBuffer buffer, final int p)
    {
        final int b = buffer.getByte(p) & 0xFF;
        return (b & ENCODING_7BIT_UINT_MASK) == 0 || (b & ENCODING_13BIT_INT_MASK) == ENCODING_13BIT_INT ||
            (b >= ENCODING_16BIT_INT && b <= ENCODING_64BIT_INT);
    }

    /**
     * @param p an integer element's index.
     * @return its value.
     */
    public static long intValue(final DirectBuffer buffer, final int p)
    {
        final int b = buffer.getByte(p) & 0xFF;
        if ((b & ENCODING_7BIT_UINT_MASK) == 0)
        {
            return b;
        }
        if ((b & ENCODING_13BIT_INT_MASK) == ENCODING_13BIT_INT)
        {
            final int v = ((b & 0x1F) << 8) | (buffer.getByte(p + 1) & 0xFF);
            return (v << 19) >> 19;
        }
        return switch (b)
        {
            case ENCODING_16BIT_INT -> buffer.getShort(p + 1, ByteOrder.LITTLE_ENDIAN);
            case ENCODING_24BIT_INT ->
                (((buffer.getByte(p + 1) & 0xFF) | (buffer.getByte(p + 2) & 0xFF) << 8 |
                (buffer.getByte(p + 3) & 0xFF) << 16) << 8) >> 8;
            case ENCODING_32BIT_INT -> buffer.getInt(p + 1, ByteOrder.LITTLE_ENDIAN);
            case ENCODING_64BIT_INT -> buffer.getLong(p + 1, ByteOrder.LITTLE_ENDIAN);
            default -> throw new IllegalArgumentException("not an integer element: " + b);
        };
    }

    /**
     * @param p a string element's index.
     * @return index of its first byte.
     */
    public static int stringIndex(final DirectBuffer buffer, final int p)
    {
        final int b = buffer.getByte(p) & 0xFF;
        if ((b & ENCODING_6BIT_STR_MASK) == ENCODING_6BIT_STR)
        {
            return p + 1;
        }
        return (b & ENCODING_12BIT_STR_MASK) == ENCODING_12BIT_STR ? p + 2 : p + 5;
    }

    /**
     * @param p a string element's index.
     * @return its length in bytes.
     */
    public static int stringLength(final DirectBuffer buffer, final int p)
    {
        final int b = buffer.getByte(p) & 0xFF;
        if ((b & ENCODING_6BIT_STR_MASK) == ENCODING_6BIT_STR)
        {
            return b & 0x3F;
        }
        if ((b & ENCODING_12BIT_STR_MASK) == ENCODING_12BIT_STR)
        {
            return ((b & 0x0F) << 8) | (buffer.getByte(p + 1) & 0xFF);
        }
        return buffer.getInt(p + 1, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param p an element's index.
     * @return true when the element equals the given bytes, compared as Redis's {@code lpCompare} does (an integer
     * element equals the canonical decimal text of its value).
     */
    public static boolean equalTo(
        final DirectBuffer buffer, final int p, final DirectBuffer s, final int sIndex, final int sLength,
        final boolean sIsInt, final long sAsLong)
    {
        if (isInt(buffer, p))
        {
            return sIsInt && intValue(buffer, p) == sAsLong;
        }
        final int length = stringLength(buffer, p);
        if (length != sLength)
        {
            return false;
        }
        final int start = stringIndex(buffer, p);
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(start + i) != s.getByte(sIndex + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param sLength bytes of a string element.
     * @param sIsInt  whether it is the canonical decimal text of a long.
     * @param sAsLong that long when it is.
     * @return bytes the element takes in a listpack, backlen included.
     */
    public static int elementLength(final int sLength, final boolean sIsInt, final long sAsLong)
    {
        final int encodedLength = sIsInt ? intEncodedLength(sAsLong) :
            sLength < 64 ? 1 + sLength : sLength < 4096 ? 2 + sLength : 5 + sLength;
        return encodedLength + backlenLength(encodedLength);
    }

    /**
     * Write one element (encoding, data, backlen) at {@code p}: as an integer when {@code sAsLong} is one, else as
     * the string.
     *
     * @return bytes written, {@link #elementLength}.
     */
    public static int writeElement(
        final MutableDirectBuffer buffer, final int p, final DirectBuffer s, final int sIndex, final int sLength,
        final boolean sIsInt, final long sAsLong)
    {
        if (sIsInt)
        {
            return writeInt(buffer, p, sAsLong);
        }
        final int encodedLength;
        if (sLength < 64)
        {
            buffer.putByte(p, (byte)(ENCODING_6BIT_STR | sLength));
            buffer.putBytes(p + 1, s, sIndex, sLength);
            encodedLength = 1 + sLength;
        }
        else if (sLength < 4096)
        {
            buffer.putByte(p, (byte)(ENCODING_12BIT_STR | (sLength >> 8)));
            buffer.putByte(p + 1, (byte)sLength);
            buffer.putBytes(p + 2, s, sIndex, sLength);
            encodedLength = 2 + sLength;
        }
        else
        {
            buffer.putByte(p, (byte)ENCODING_32BIT_STR);
            buffer.putInt(p + 1, sLength, ByteOrder.LITTLE_ENDIAN);
            buffer.putBytes(p + 5, s, sIndex, sLength);
            encodedLength = 5 + sLength;
        }
        return encodedLength + writeBacklen(buffer, p + encodedLength, encodedLength);
    }

    /**
     * Write an integer element at {@code p} in the smallest encoding.
     *
     * @return bytes written.
     */
    public static int writeInt(final MutableDirectBuffer buffer, final int p, final long v)
    {
        final int encodedLength = intEncodedLength(v);
        switch (encodedLength)
        {
            case 1 -> buffer.putByte(p, (byte)v);
            case 2 ->
            {
                final int u = (int)v & 0x1FFF;
                buffer.putByte(p, (byte)(ENCODING_13BIT_INT | (u >> 8)));
                buffer.putByte(p + 1, (byte)u);
            }
            case 3 ->
            {
                buffer.putByte(p, (byte)ENCODING_16BIT_INT);
                buffer.putShort(p + 1, (short)v, ByteOrder.LITTLE_ENDIAN);
            }
            case 4 ->
            {
                buffer.putByte(p, (byte)ENCODING_24BIT_INT);
                buffer.putByte(p + 1, (byte)v);
                buffer.putByte(p + 2, (byte)(v >> 8));
                buffer.putByte(p + 3, (byte)(v >> 16));
            }
            case 5 ->
            {
                buffer.putByte(p, (byte)ENCODING_32BIT_INT);
                buffer.putInt(p + 1, (int)v, ByteOrder.LITTLE_ENDIAN);
            }
            default ->
            {
                buffer.putByte(p, (byte)ENCODING_64BIT_INT);
                buffer.putLong(p + 1, v, ByteOrder.LITTLE_ENDIAN);
            }
        }
        return encodedLength + writeBacklen(buffer, p + encodedLength, encodedLength);
    }

    /**
     * Check a listpack completely before it is trusted (RESTORE, a replica's snapshot): the header's total bytes
     * equal {@code length}, every element's encoding is known and lies inside, every backlen matches its element,
     * the EOF byte closes it, and the header's count matches unless it says unknown. Reads nothing outside
     * {@code [index, index + length)}.
     *
     * @return the number of elements, or {@link #INVALID}.
     */
    public static int validate(final DirectBuffer buffer, final int index, final int length)
    {
        if (length < EMPTY_LENGTH || totalBytes(buffer, index) != length ||
            (buffer.getByte(index + length - 1) & 0xFF) != EOF)
        {
            return INVALID;
        }
        final int end = index + length - 1;
        int count = 0;
        int p = index + HEADER_LENGTH;
        while (p < end)
        {
            final int encodedLength = checkedEncodedLength(buffer, p, end);
            if (encodedLength < 0)
            {
                return INVALID;
            }
            final int backlenLength = backlenLength(encodedLength);
            final long elementEnd = (long)p + encodedLength + backlenLength;
            if (elementEnd > end || readBacklen(buffer, (int)elementEnd - 1, p + encodedLength) != encodedLength)
            {
                return INVALID;
            }
            p = (int)elementEnd;
            if (++count < 0)
            {
                return INVALID;
            }
        }
        if (p != end)
        {
            return INVALID;
        }
        final int headerCount = buffer.getShort(index + COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        return headerCount == COUNT_UNKNOWN && count >= COUNT_UNKNOWN || headerCount == count ? count : INVALID;
    }

    /**
     * @return bytes of the encoding and data of the element at {@code p}, or -1 when its encoding is unknown or it
     * would reach {@code end}.
     */
    private static int checkedEncodedLength(final DirectBuffer buffer, final int p, final int end)
    {
        final int b = buffer.getByte(p) & 0xFF;
        final long length;
        if ((b & ENCODING_7BIT_UINT_MASK) == 0)
        {
            length = 1;
        }
        else if ((b & ENCODING_6BIT_STR_MASK) == ENCODING_6BIT_STR)
        {
            length = 1 + (b & 0x3F);
        }
        else if ((b & ENCODING_13BIT_INT_MASK) == ENCODING_13BIT_INT)
        {
            length = 2;
        }
        else if ((b & ENCODING_12BIT_STR_MASK) == ENCODING_12BIT_STR)
        {
            if (p + 2 > end)
            {
                return -1;
            }
            length = 2 + (((b & 0x0F) << 8) | (buffer.getByte(p + 1) & 0xFF));
        }
        else if (b == ENCODING_32BIT_STR)
        {
            if (p + 5 > end)
            {
                return -1;
            }
            length = 5 + (buffer.getInt(p + 1, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL);
        }
        else if (b >= ENCODING_16BIT_INT && b <= ENCODING_64BIT_INT)
        {
            length = b == ENCODING_64BIT_INT ? 9 : 1 + (b - ENCODING_16BIT_INT) + 2;
        }
        else
        {
            return -1;
        }
        return p + length > end ? -1 : (int)length;
    }

    /**
     * @return bytes of encoding and data of a valid element at {@code p}.
     */
    public static int encodedLength(final DirectBuffer buffer, final int p)
    {
        final int b = buffer.getByte(p) & 0xFF;
        if ((b & ENCODING_7BIT_UINT_MASK) == 0)
        {
            return 1;
        }
        if ((b & ENCODING_6BIT_STR_MASK) == ENCODING_6BIT_STR)
        {
            return 1 + (b & 0x3F);
        }
        if ((b & ENCODING_13BIT_INT_MASK) == ENCODING_13BIT_INT)
        {
            return 2;
        }
        if ((b & ENCODING_12BIT_STR_MASK) == ENCODING_12BIT_STR)
        {
            return 2 + (((b & 0x0F) << 8) | (buffer.getByte(p + 1) & 0xFF));
        }
        return switch (b)
        {
            case ENCODING_32BIT_STR -> 5 + buffer.getInt(p + 1, ByteOrder.LITTLE_ENDIAN);
            case ENCODING_16BIT_INT -> 3;
            case ENCODING_24BIT_INT -> 4;
            case ENCODING_32BIT_INT -> 5;
            case ENCODING_64BIT_INT -> 9;
            default -> throw new IllegalArgumentException("bad listpack encoding: " + b);
        };
    }

    /**
     * @return bytes of the smallest integer encoding of {@code v}.
     */
    public static int intEncodedLength(final long v)
    {
        if (v >= 0 && v <= 127)
        {
            return 1;
        }
        if (v >= -4096 && v <= 4095)
        {
            return 2;
        }
        if (v >= -32768 && v <= 32767)
        {
            return 3;
        }
        if (v >= -8388608 && v <= 8388607)
        {
            return 4;
        }
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? 5 : 9;
    }

    /**
     * @return bytes of the backlen of an element whose encoding and data take {@code encodedLength} bytes.
     */
    public static int backlenLength(final long encodedLength)
    {
        if (encodedLength <= 127)
        {
            return 1;
        }
        if (encodedLength < 16383)
        {
            return 2;
        }
        if (encodedLength < 2097151)
        {
            return 3;
        }
        return encodedLength < 268435455 ? 4 : 5;
    }

    private static int writeBacklen(final MutableDirectBuffer buffer, final int p, final int encodedLength)
    {
        final int n = backlenLength(encodedLength);
        // Most significant group first; every byte after the first carries the continuation bit.
        for (int i = 0; i < n; i++)
        {
            final int group = (encodedLength >>> (7 * (n - 1 - i))) & 127;
            buffer.putByte(p + i, (byte)(i == 0 ? group : group | 128));
        }
        return n;
    }

    /**
     * Decode a backlen from its last byte backwards, never reading below {@code floor}.
     *
     * @return its value, or -1 when malformed.
     */
    private static long readBacklen(final DirectBuffer buffer, final int last, final int floor)
    {
        long value = 0;
        int shift = 0;
        for (int p = last; p >= floor; p--)
        {
            final int b = buffer.getByte(p) & 0xFF;
            value |= (long)(b & 127) << shift;
            if ((b & 128) == 0)
            {
                return p == floor ? value : -1;
            }
            shift += 7;
            if (shift > 28)
            {
                return -1;
            }
        }
        return -1;
    }
}
