package io.ringkv.loadgen.protocol;

import java.nio.ByteBuffer;

/**
 * Writes non-negative integers as ASCII decimal into a buffer without allocating. Stateless; any thread.
 */
public final class AsciiDigits
{
    private AsciiDigits()
    {
    }

    /**
     * @param value a non-negative number.
     * @return how many decimal digits it has.
     */
    public static int length(final long value)
    {
        int digits = 1;
        for (long v = value; v >= 10; v /= 10)
        {
            digits++;
        }
        return digits;
    }

    /**
     * @param buffer to write into (absolute puts, position untouched).
     * @param index  where the digits start.
     * @param value  a non-negative number.
     * @return the index after the digits.
     */
    public static int put(final ByteBuffer buffer, final int index, final long value)
    {
        return putPadded(buffer, index, value, length(value));
    }

    /**
     * Writes {@code value} zero-padded to {@code width} digits (which must be enough).
     *
     * @return the index after the digits.
     */
    public static int putPadded(final ByteBuffer buffer, final int index, final long value, final int width)
    {
        long rest = value;
        for (int i = index + width - 1; i >= index; i--)
        {
            buffer.put(i, (byte)('0' + (int)(rest % 10)));
            rest /= 10;
        }
        return index + width;
    }
}
