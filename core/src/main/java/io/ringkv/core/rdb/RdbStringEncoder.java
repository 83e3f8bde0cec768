package io.ringkv.core.rdb;

import static io.ringkv.core.rdb.RdbStringDescriptor.COMPRESSION_MIN_EXCLUSIVE_LENGTH;
import static io.ringkv.core.rdb.RdbStringDescriptor.COMPRESSION_MIN_SAVING;
import static io.ringkv.core.rdb.RdbStringDescriptor.ENCODED_VALUE;
import static io.ringkv.core.rdb.RdbStringDescriptor.ENCODING_INT16;
import static io.ringkv.core.rdb.RdbStringDescriptor.ENCODING_INT32;
import static io.ringkv.core.rdb.RdbStringDescriptor.ENCODING_INT8;
import static io.ringkv.core.rdb.RdbStringDescriptor.ENCODING_LZF;
import static io.ringkv.core.rdb.RdbStringDescriptor.INT_ENCODING_MAX_LENGTH;
import static io.ringkv.core.rdb.RdbStringDescriptor.putLength;

import java.nio.ByteOrder;

import io.ringkv.core.memory.ExpandableOffHeapBuffer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes strings in RDB string encoding ({@link RdbStringDescriptor}) making exactly Redis 7.0's choices, so the
 * bytes equal Redis's: the building block of DUMP payloads, replication snapshots and RDB files.
 * <p>
 * Compresses straight from the value's buffer into off-heap scratch (malloc'd, see {@link ExpandableOffHeapBuffer}):
 * nothing lands on the heap, whatever the value's size. Reuses its LZF hash table and that scratch (kept up to
 * {@link #SCRATCH_RETAIN_LIMIT}, freed at once beyond), so encoding allocates nothing once warm. Not threadsafe:
 * one instance per thread, e.g. one for the engine thread.
 */
public final class RdbStringEncoder
{
    /**
     * Scratch for compressed output up to this size is kept for the next string; larger scratch is freed as soon
     * as the string is encoded.
     */
    public static final int SCRATCH_RETAIN_LIMIT = 8 * 1024 * 1024;

    private final Lzf lzf = new Lzf();
    private final boolean compression;
    private final ExpandableOffHeapBuffer compressed = new ExpandableOffHeapBuffer(0);

    /**
     * An encoder that compresses like Redis's default ({@code rdbcompression yes}).
     */
    public RdbStringEncoder()
    {
        this(true);
    }

    /**
     * @param compression false to never use LZF, like Redis with {@code rdbcompression no}.
     */
    public RdbStringEncoder(final boolean compression)
    {
        this.compression = compression;
    }

    /**
     * Encode a string given as bytes, like {@code rdbSaveRawString}. The destination must have room for
     * {@link RdbStringDescriptor#maxEncodedLength(int)} bytes from {@code dstIndex} (an expandable buffer grows).
     *
     * @param value    holding the string.
     * @param index    of the string's first byte.
     * @param length   of the string.
     * @param dst      to write to.
     * @param dstIndex of the first byte to write.
     * @return bytes written.
     */
    public int encode(
        final DirectBuffer value, final int index, final int length, final MutableDirectBuffer dst, final int dstIndex)
    {
        dst.checkLimit(dstIndex + RdbStringDescriptor.maxEncodedLength(length));

        if (length <= INT_ENCODING_MAX_LENGTH)
        {
            final long parsed = parseCanonicalInt(value, index, length);
            if (parsed != NOT_AN_INT)
            {
                return putInt(dst, dstIndex, (int)parsed);
            }
        }

        if (compression && length > COMPRESSION_MIN_EXCLUSIVE_LENGTH)
        {
            final int written = tryPutLzf(value, index, length, dst, dstIndex);
            if (written > 0)
            {
                return written;
            }
        }

        final int headerLength = putLength(dst, dstIndex, length);
        dst.putBytes(dstIndex + headerLength, value, index, length);
        return headerLength + length;
    }

    /**
     * Encode a string held as an integer, like {@code rdbSaveLongLongAsStringObject}: an INT encoding when it fits
     * 32 bits, otherwise its decimal text. Same bytes as {@link #encode} of the canonical decimal text.
     * The destination must have room for 21 bytes (an expandable buffer grows).
     *
     * @param value    the integer.
     * @param dst      to write to.
     * @param dstIndex of the first byte to write.
     * @return bytes written.
     */
    public int encodeLong(final long value, final MutableDirectBuffer dst, final int dstIndex)
    {
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE)
        {
            dst.checkLimit(dstIndex + RdbStringDescriptor.MAX_INT_ENCODING_LENGTH);
            return putInt(dst, dstIndex, (int)value);
        }
        dst.checkLimit(dstIndex + 1 + 20);
        final int digits = dst.putLongAscii(dstIndex + 1, value);
        dst.putByte(dstIndex, (byte)digits);
        return 1 + digits;
    }

    private int tryPutLzf(
        final DirectBuffer value, final int index, final int length, final MutableDirectBuffer dst, final int dstIndex)
    {
        final int outLength = length - COMPRESSION_MIN_SAVING;
        compressed.checkLimit(outLength + 1);
        final int compressedLength = lzf.compress(value, index, length, compressed, 0, outLength);
        int written = 0;
        if (compressedLength != 0)
        {
            int position = dstIndex;
            dst.putByte(position++, (byte)((ENCODED_VALUE << 6) | ENCODING_LZF));
            position += putLength(dst, position, compressedLength);
            position += putLength(dst, position, length);
            dst.putBytes(position, compressed, 0, compressedLength);
            written = position + compressedLength - dstIndex;
        }
        if (compressed.capacity() > SCRATCH_RETAIN_LIMIT)
        {
            // A rare huge value: free its scratch now, so the encoder does not pin its size for good.
            compressed.close();
        }
        return written;
    }

    private static int putInt(final MutableDirectBuffer dst, final int dstIndex, final int value)
    {
        if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE)
        {
            dst.putByte(dstIndex, (byte)((ENCODED_VALUE << 6) | ENCODING_INT8));
            dst.putByte(dstIndex + 1, (byte)value);
            return 2;
        }
        if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE)
        {
            dst.putByte(dstIndex, (byte)((ENCODED_VALUE << 6) | ENCODING_INT16));
            dst.putShort(dstIndex + 1, (short)value, ByteOrder.LITTLE_ENDIAN);
            return 3;
        }
        dst.putByte(dstIndex, (byte)((ENCODED_VALUE << 6) | ENCODING_INT32));
        dst.putInt(dstIndex + 1, value, ByteOrder.LITTLE_ENDIAN);
        return 5;
    }

    /**
     * Sentinel of {@link #parseCanonicalInt}: outside the int range, so never a parsed value.
     */
    static final long NOT_AN_INT = Long.MIN_VALUE;

    /**
     * The 32-bit integer whose canonical decimal form ({@code string2ll}: optional '-', no leading zeros, no
     * "-0", no '+' or spaces) is exactly these bytes, or {@link #NOT_AN_INT}.
     */
    static long parseCanonicalInt(final DirectBuffer value, final int index, final int length)
    {
        if (length == 0 || length > INT_ENCODING_MAX_LENGTH)
        {
            return NOT_AN_INT;
        }
        int i = index;
        final int end = index + length;
        final boolean negative = value.getByte(i) == '-';
        if (negative)
        {
            i++;
            if (i == end)
            {
                return NOT_AN_INT;
            }
        }
        final byte first = value.getByte(i);
        if (first == '0')
        {
            return length == 1 ? 0 : NOT_AN_INT;
        }
        if (first < '1' || first > '9')
        {
            return NOT_AN_INT;
        }
        long magnitude = 0;
        for (; i < end; i++)
        {
            final byte b = value.getByte(i);
            if (b < '0' || b > '9')
            {
                return NOT_AN_INT;
            }
            magnitude = magnitude * 10 + (b - '0');
        }
        final long result = negative ? -magnitude : magnitude;
        return result >= Integer.MIN_VALUE && result <= Integer.MAX_VALUE ? result : NOT_AN_INT;
    }
}
