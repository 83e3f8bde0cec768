package io.ringkv.core.rdb;

import java.nio.ByteOrder;
import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * LZF, the compressor Redis uses for RDB strings, written for ringkv from the format's description.
 * <p>
 * Why our own: LZF is small and fully specified, and no maintained, dependency-free Java LZF library is on the
 * project's allowed dependency list. Byte-identical DUMP payloads also need a compressor that makes exactly the
 * choices Redis's does, which a general-purpose library does not promise.
 * <p>
 * <b>Compressor.</b> {@link #compress} reproduces liblzf 3.6 as Redis 7.0 is built with it (Debian links the
 * system liblzf 3.6): a 2<sup>16</sup>-slot hash table of the last position of each 3-byte prefix
 * ({@code HLOG 16}), the {@code VERY_FAST} hash and re-hashing of the last two positions of every match, literal
 * runs of at most {@link #MAX_LITERAL} bytes, offsets below {@link #MAX_OFFSET}, matches of at most
 * {@link #MAX_REFERENCE} bytes (including liblzf's unrolled comparison that may extend a match near the end of the
 * input to 19 bytes) and liblzf's exact "does it fit" checks, which decide whether Redis stores a string
 * compressed at all. Redis leaves the table uninitialised ({@code INIT_HTAB 0}); we start every call from an empty
 * table, which is what a fresh table means in liblzf (slot 0 never matches), without clearing it per call: slots
 * carry a per-call base so entries of earlier calls read as empty.
 * <p>
 * <b>Decompressor.</b> {@link #decompress} and {@link #decompressedLength} treat their input as hostile: every
 * read is checked against the input range, every write against the declared output length, and a back
 * reference before the output start is an error. {@link #decompressedLength} validates a stream without writing
 * anything, so a caller can size its output from facts instead of from a declared length.
 * <pre>
 *   000LLLLL                     literal run of L+1 bytes (1..32) follows
 *   LLLooooo oooooooo            back reference: copy L+2 bytes (L 1..6) from offset o+1 back
 *   111ooooo LLLLLLLL oooooooo   back reference: copy L+9 bytes (L 0..255) from offset o+1 back
 * </pre>
 * An instance owns the compressor's 256 KiB hash table: not threadsafe, one per thread that compresses.
 * The static methods are stateless and may be called by any thread.
 */
public final class Lzf
{
    /**
     * Longest literal run: 2<sup>5</sup>.
     */
    public static final int MAX_LITERAL = 1 << 5;

    /**
     * Back-reference offsets are below 2<sup>13</sup>.
     */
    public static final int MAX_OFFSET = 1 << 13;

    /**
     * Longest back reference: 2<sup>8</sup> + 2<sup>3</sup> bytes.
     */
    public static final int MAX_REFERENCE = (1 << 8) + (1 << 3);

    /**
     * The largest number of output bytes one input byte can produce: a 3-byte reference copies up to 264.
     */
    public static final int MAX_EXPANSION_PER_INPUT_BYTE = 88;

    /**
     * Input is not a well-formed LZF stream (truncated token, reference before the start of the output).
     */
    public static final int CORRUPT = -1;

    /**
     * Input decompresses to more bytes than the output may hold.
     */
    public static final int OUTPUT_TOO_SMALL = -2;

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int HASH_LOG = 16;
    private static final int HASH_SIZE = 1 << HASH_LOG;

    private final int[] hashTable = new int[HASH_SIZE];
    private int nextBase;

    /**
     * Compress {@code in[inOffset, inOffset + inLength)} into at most {@code outLength} bytes at
     * {@code out[outOffset]}, making the choices liblzf 3.6 makes. Between buffers rather than arrays, so a large
     * value compresses straight out of the store into off-heap scratch that is freed afterwards, without growing the
     * heap.
     * <p>
     * Returns 0 when the result does not fit, as {@code lzf_compress} does, with liblzf's own (slightly
     * conservative) checks, so the outcome near the limit is Redis's. {@code out} must have room for
     * {@code outLength + 1} bytes from {@code outOffset} (an expandable buffer grows; another one too small throws
     * {@link IndexOutOfBoundsException} before anything is written): like liblzf, the compressor may reserve (never
     * write) one byte past a full output before it notices.
     *
     * @param in        input bytes.
     * @param inOffset  of the first input byte.
     * @param inLength  number of input bytes.
     * @param out       output bytes.
     * @param outOffset of the first output byte.
     * @param outLength the most output bytes allowed.
     * @return compressed length, or 0 if it does not fit in {@code outLength} (or either length is 0).
     */
    public int compress(
        final DirectBuffer in, final int inOffset, final int inLength, final MutableDirectBuffer out,
        final int outOffset, final int outLength)
    {
        if (inLength == 0 || outLength == 0)
        {
            return 0;
        }

        // Checked once here, then raw reads and writes: per-byte bounds checks tripled the time of a DUMP.
        in.boundsCheck(inOffset, inLength);
        out.checkLimit(outOffset + outLength + 1);
        final byte[] inArray = in.byteArray();
        final long inBase = in.addressOffset();
        final byte[] outArray = out.byteArray();
        final long outBase = out.addressOffset();
        final int[] table = hashTable;
        final int base = claimBase(inLength);
        final int inEnd = inOffset + inLength;
        final int outEnd = outOffset + outLength;
        final int hashEnd = inEnd - 2;

        int ip = inOffset;
        int op = outOffset + 1;
        int lit = 0;
        int hval = inLength >= 2 ?
            ((at(inArray, inBase, ip) & 0xff) << 8) | (at(inArray, inBase, ip + 1) & 0xff) : 0;

        while (ip < hashEnd)
        {
            hval = (hval << 8) | (at(inArray, inBase, ip + 2) & 0xff);
            final int slot = slot(hval);
            final int stored = table[slot];
            final int position = ip - inOffset;
            table[slot] = base + position;

            final int refPosition = stored - base;
            final int off = position - refPosition - 1;
            final int ref = inOffset + refPosition;
            if (stored > base && off >= 0 && off < MAX_OFFSET &&
                at(inArray, inBase, ref + 2) == at(inArray, inBase, ip + 2) &&
                at(inArray, inBase, ref) == at(inArray, inBase, ip) &&
                at(inArray, inBase, ref + 1) == at(inArray, inBase, ip + 1))
            {
                final int maxLength = Math.min(inEnd - ip - 2, MAX_REFERENCE);
                if (op + 4 >= outEnd && op - (lit == 0 ? 1 : 0) + 4 >= outEnd)
                {
                    return 0;
                }

                UnsafeApi.putByte(outArray, outBase + op - lit - 1, (byte)(lit - 1));
                if (lit == 0)
                {
                    op--;
                }

                // liblzf compares bytes 3..18 unrolled whenever maxLength > 16, so near the end of the input a
                // match may reach 19 bytes even when maxLength is 17 or 18.
                final int limit = maxLength > 16 ? Math.max(maxLength, 19) : Math.max(maxLength, 3);
                final int matched = matchLength(inArray, inBase, ref, ip, limit);

                final int encoded = matched - 2;
                if (encoded < 7)
                {
                    UnsafeApi.putByte(outArray, outBase + op++, (byte)((off >>> 8) + (encoded << 5)));
                }
                else
                {
                    UnsafeApi.putByte(outArray, outBase + op++, (byte)((off >>> 8) + (7 << 5)));
                    UnsafeApi.putByte(outArray, outBase + op++, (byte)(encoded - 7));
                }
                UnsafeApi.putByte(outArray, outBase + op++, (byte)off);
                lit = 0;
                op++;

                ip += matched;
                if (ip >= hashEnd)
                {
                    break;
                }

                ip -= 2;
                hval = ((at(inArray, inBase, ip) & 0xff) << 8) |
                    (at(inArray, inBase, ip + 1) & 0xff);
                hval = (hval << 8) | (at(inArray, inBase, ip + 2) & 0xff);
                table[slot(hval)] = base + (ip - inOffset);
                ip++;
                hval = (hval << 8) | (at(inArray, inBase, ip + 2) & 0xff);
                table[slot(hval)] = base + (ip - inOffset);
                ip++;
            }
            else
            {
                if (op >= outEnd)
                {
                    return 0;
                }
                lit++;
                UnsafeApi.putByte(outArray, outBase + op++, at(inArray, inBase, ip++));
                if (lit == MAX_LITERAL)
                {
                    UnsafeApi.putByte(outArray, outBase + op - lit - 1, (byte)(lit - 1));
                    lit = 0;
                    op++;
                }
            }
        }

        if (op + 3 > outEnd)
        {
            return 0;
        }

        while (ip < inEnd)
        {
            lit++;
            UnsafeApi.putByte(outArray, outBase + op++, at(inArray, inBase, ip++));
            if (lit == MAX_LITERAL)
            {
                UnsafeApi.putByte(outArray, outBase + op - lit - 1, (byte)(lit - 1));
                lit = 0;
                op++;
            }
        }

        UnsafeApi.putByte(outArray, outBase + op - lit - 1, (byte)(lit - 1));
        if (lit == 0)
        {
            op--;
        }

        return op - outOffset;
    }

    /**
     * Validate an LZF stream and compute the length it decompresses to, without writing anything.
     *
     * @param in             holding the compressed bytes.
     * @param index          of the first compressed byte.
     * @param length         number of compressed bytes.
     * @param maxOutLength   the most bytes the output may hold.
     * @return the decompressed length, {@link #CORRUPT} or {@link #OUTPUT_TOO_SMALL}.
     */
    public static int decompressedLength(
        final DirectBuffer in, final int index, final int length, final int maxOutLength)
    {
        final int inEnd = index + length;
        int ip = index;
        long op = 0;
        while (ip < inEnd)
        {
            final int ctrl = in.getByte(ip++) & 0xff;
            if (ctrl < MAX_LITERAL)
            {
                final int run = ctrl + 1;
                if (op + run > maxOutLength)
                {
                    return OUTPUT_TOO_SMALL;
                }
                if (run > inEnd - ip)
                {
                    return CORRUPT;
                }
                ip += run;
                op += run;
            }
            else
            {
                int len = ctrl >>> 5;
                if (ip >= inEnd)
                {
                    return CORRUPT;
                }
                if (len == 7)
                {
                    len += in.getByte(ip++) & 0xff;
                    if (ip >= inEnd)
                    {
                        return CORRUPT;
                    }
                }
                final long ref = op - ((long)(ctrl & 0x1f) << 8) - 1 - (in.getByte(ip++) & 0xff);
                if (op + len + 2 > maxOutLength)
                {
                    return OUTPUT_TOO_SMALL;
                }
                if (ref < 0)
                {
                    return CORRUPT;
                }
                op += len + 2;
            }
        }
        return (int)op;
    }

    /**
     * Decompress an LZF stream into {@code out[outIndex, outIndex + outLength)}, checking every step.
     * On error some bytes of the output range may have been written; callers that must not expose partial
     * output validate first with {@link #decompressedLength}.
     *
     * @param in        holding the compressed bytes.
     * @param index     of the first compressed byte.
     * @param length    number of compressed bytes.
     * @param out       receiving the decompressed bytes.
     * @param outIndex  of the first output byte.
     * @param outLength the most bytes to write.
     * @return the decompressed length, {@link #CORRUPT} or {@link #OUTPUT_TOO_SMALL}.
     */
    public static int decompress(
        final DirectBuffer in, final int index, final int length, final MutableDirectBuffer out,
        final int outIndex, final int outLength)
    {
        final int inEnd = index + length;
        final int outEnd = outIndex + outLength;
        int ip = index;
        int op = outIndex;
        while (ip < inEnd)
        {
            final int ctrl = in.getByte(ip++) & 0xff;
            if (ctrl < MAX_LITERAL)
            {
                final int run = ctrl + 1;
                if (run > outEnd - op)
                {
                    return OUTPUT_TOO_SMALL;
                }
                if (run > inEnd - ip)
                {
                    return CORRUPT;
                }
                out.putBytes(op, in, ip, run);
                ip += run;
                op += run;
            }
            else
            {
                int len = ctrl >>> 5;
                if (ip >= inEnd)
                {
                    return CORRUPT;
                }
                if (len == 7)
                {
                    len += in.getByte(ip++) & 0xff;
                    if (ip >= inEnd)
                    {
                        return CORRUPT;
                    }
                }
                final int distance = ((ctrl & 0x1f) << 8) + (in.getByte(ip++) & 0xff) + 1;
                final int copy = len + 2;
                if (copy > outEnd - op)
                {
                    return OUTPUT_TOO_SMALL;
                }
                if (distance > op - outIndex)
                {
                    return CORRUPT;
                }
                final int ref = op - distance;
                if (distance >= copy)
                {
                    out.putBytes(op, out, ref, copy);
                }
                else
                {
                    // Overlapping copy repeats the last 'distance' bytes: must go byte by byte, forwards.
                    for (int i = 0; i < copy; i++)
                    {
                        out.putByte(op + i, out.getByte(ref + i));
                    }
                }
                op += copy;
            }
        }
        return op - outIndex;
    }

    private static int matchLength(
        final byte[] inArray, final long inBase, final int ref, final int ip, final int limit)
    {
        // Eight bytes at a time, then the rest one by one: the same length as a byte loop, as liblzf's, without
        // reading past the limit.
        int len = 3;
        while (len + Long.BYTES <= limit)
        {
            final long difference = UnsafeApi.getLong(inArray, inBase + ref + len) ^
                UnsafeApi.getLong(inArray, inBase + ip + len);
            if (difference != 0)
            {
                return len + (LITTLE_ENDIAN ?
                    Long.numberOfTrailingZeros(difference) : Long.numberOfLeadingZeros(difference)) / Byte.SIZE;
            }
            len += Long.BYTES;
        }
        while (len < limit && at(inArray, inBase, ref + len) == at(inArray, inBase, ip + len))
        {
            len++;
        }
        return len;
    }

    private static byte at(final byte[] array, final long base, final int index)
    {
        return UnsafeApi.getByte(array, base + index);
    }

    private static int slot(final int hval)
    {
        return ((hval >>> (3 * 8 - HASH_LOG)) - hval * 5) & (HASH_SIZE - 1);
    }

    private int claimBase(final int inLength)
    {
        int base = nextBase;
        if (base > Integer.MAX_VALUE - inLength - 1)
        {
            Arrays.fill(hashTable, 0);
            base = 0;
        }
        nextBase = base + inLength;
        return base;
    }
}
