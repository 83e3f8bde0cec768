package io.ringkv.core.rdb;

import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;

/**
 * How RDB encodes a string (and a length), as Redis 7.0's {@code rdb.c} writes and reads it. The first byte's
 * two high bits say what follows:
 * <pre>
 *   00LLLLLL                                   length 0..63, then that many raw bytes
 *   01LLLLLL LLLLLLLL                          length 64..16383 (14 bits, big-endian), then raw bytes
 *   10000000 [4 bytes, big-endian]             32-bit length, then raw bytes
 *   10000001 [8 bytes, big-endian]             64-bit length, then raw bytes
 *   11000000 [1 byte]                          INT8:  the string is this signed integer in decimal
 *   11000001 [2 bytes, little-endian]          INT16: signed
 *   11000010 [4 bytes, little-endian]          INT32: signed
 *   11000011 [clen] [len] [clen bytes]         LZF: clen compressed bytes that inflate to len bytes;
 *                                              clen and len are lengths as above
 * </pre>
 * Redis's encoder ({@code rdbSaveRawString}) picks, in order: an INT encoding when the string is at most
 * {@link #INT_ENCODING_MAX_LENGTH} bytes and the canonical decimal form of an integer that fits 32 bits; LZF
 * when the string is longer than {@link #COMPRESSION_MIN_EXCLUSIVE_LENGTH} bytes and liblzf compresses it into
 * at most {@code length - }{@link #COMPRESSION_MIN_SAVING} bytes; otherwise the raw bytes behind the shortest
 * length encoding.
 * <p>
 * Constants and pure functions; any thread may use them.
 */
public final class RdbStringDescriptor
{
    /**
     * High two bits {@code 00}: a 6-bit length.
     */
    public static final int LENGTH_6BIT = 0;

    /**
     * High two bits {@code 01}: a 14-bit length.
     */
    public static final int LENGTH_14BIT = 1;

    /**
     * High two bits {@code 11}: a special encoding in the low six bits.
     */
    public static final int ENCODED_VALUE = 3;

    /**
     * First byte of a 32-bit big-endian length.
     */
    public static final int LENGTH_32BIT_MARKER = 0x80;

    /**
     * First byte of a 64-bit big-endian length.
     */
    public static final int LENGTH_64BIT_MARKER = 0x81;

    /**
     * Special encoding: 8-bit signed integer.
     */
    public static final int ENCODING_INT8 = 0;

    /**
     * Special encoding: 16-bit little-endian signed integer.
     */
    public static final int ENCODING_INT16 = 1;

    /**
     * Special encoding: 32-bit little-endian signed integer.
     */
    public static final int ENCODING_INT32 = 2;

    /**
     * Special encoding: LZF-compressed string.
     */
    public static final int ENCODING_LZF = 3;

    /**
     * Strings longer than this are never tried as integers.
     */
    public static final int INT_ENCODING_MAX_LENGTH = 11;

    /**
     * Strings of this length or shorter are never compressed ("under 20 bytes it's unable to compress even
     * aaaaaaaaaaaaaaaaaa").
     */
    public static final int COMPRESSION_MIN_EXCLUSIVE_LENGTH = 20;

    /**
     * Compression must save at least this many bytes: liblzf gets {@code length - 4} bytes of output room.
     */
    public static final int COMPRESSION_MIN_SAVING = 4;

    /**
     * Longest length encoding: marker and 8 bytes.
     */
    public static final int MAX_LENGTH_ENCODING_LENGTH = 9;

    /**
     * Longest INT encoding: marker and 4 bytes.
     */
    public static final int MAX_INT_ENCODING_LENGTH = 5;

    private RdbStringDescriptor()
    {
    }

    /**
     * Bytes {@link #putLength} uses for a length.
     *
     * @param length to encode, not negative.
     * @return 1, 2, 5 or 9.
     */
    public static int lengthEncodingLength(final long length)
    {
        if (length < (1 << 6))
        {
            return 1;
        }
        if (length < (1 << 14))
        {
            return 2;
        }
        return length <= 0xFFFF_FFFFL ? 5 : 9;
    }

    /**
     * Write a length in the shortest encoding, as {@code rdbSaveLen} does.
     *
     * @param buffer to write to.
     * @param index  of the first byte.
     * @param length to encode, not negative.
     * @return bytes written.
     */
    public static int putLength(final MutableDirectBuffer buffer, final int index, final long length)
    {
        if (length < (1 << 6))
        {
            buffer.putByte(index, (byte)((LENGTH_6BIT << 6) | length));
            return 1;
        }
        if (length < (1 << 14))
        {
            buffer.putByte(index, (byte)((LENGTH_14BIT << 6) | (length >>> 8)));
            buffer.putByte(index + 1, (byte)length);
            return 2;
        }
        if (length <= 0xFFFF_FFFFL)
        {
            buffer.putByte(index, (byte)LENGTH_32BIT_MARKER);
            buffer.putInt(index + 1, (int)length, ByteOrder.BIG_ENDIAN);
            return 5;
        }
        buffer.putByte(index, (byte)LENGTH_64BIT_MARKER);
        buffer.putLong(index + 1, length, ByteOrder.BIG_ENDIAN);
        return 9;
    }

    /**
     * The most bytes an encoded string of {@code length} bytes can take, whatever encoding is chosen.
     *
     * @param length of the string.
     * @return an upper bound for the encoding's length.
     */
    public static int maxEncodedLength(final int length)
    {
        // LZF: marker + two lengths + at most length - 4 bytes; raw: length header + length.
        return 1 + 2 * 5 + length;
    }
}
