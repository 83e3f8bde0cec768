package io.ringkv.net.jsonline;

import org.agrona.DirectBuffer;

/**
 * Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), used to decide
 * whether bytes can travel as a JSON string. Stateless; any thread.
 */
public final class Utf8
{
    /** Returned by {@link #sequenceLength(DirectBuffer, int, int)} for an invalid or truncated sequence. */
    public static final int INVALID = -1;

    private Utf8()
    {
    }

    /**
     * @param buffer holding the bytes.
     * @param index  of the first byte of a sequence.
     * @param end    index after the last byte that may be read.
     * @return the length (1 to 4) of the valid sequence at {@code index}, or {@link #INVALID}.
     */
    public static int sequenceLength(final DirectBuffer buffer, final int index, final int end)
    {
        final int b0 = buffer.getByte(index) & 0xFF;
        if (b0 < 0x80)
        {
            return 1;
        }
        final int length;
        int lower = 0x80;
        int upper = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF)
        {
            length = 2;
        }
        else if (b0 >= 0xE0 && b0 <= 0xEF)
        {
            length = 3;
            if (b0 == 0xE0)
            {
                lower = 0xA0;
            }
            else if (b0 == 0xED)
            {
                upper = 0x9F;
            }
        }
        else if (b0 >= 0xF0 && b0 <= 0xF4)
        {
            length = 4;
            if (b0 == 0xF0)
            {
                lower = 0x90;
            }
            else if (b0 == 0xF4)
            {
                upper = 0x8F;
            }
        }
        else
        {
            return INVALID;
        }
        if (index + length > end)
        {
            return INVALID;
        }
        final int b1 = buffer.getByte(index + 1) & 0xFF;
        if (b1 < lower || b1 > upper)
        {
            return INVALID;
        }
        for (int i = 2; i < length; i++)
        {
            final int b = buffer.getByte(index + i) & 0xFF;
            if (b < 0x80 || b > 0xBF)
            {
                return INVALID;
            }
        }
        return length;
    }

    /**
     * @param buffer holding the bytes.
     * @param index  of the first byte.
     * @param length number of bytes.
     * @return true when the bytes are entirely valid UTF-8.
     */
    public static boolean isValid(final DirectBuffer buffer, final int index, final int length)
    {
        final int end = index + length;
        int i = index;
        while (i < end)
        {
            if (buffer.getByte(i) >= 0)
            {
                i++;
                continue;
            }
            final int n = sequenceLength(buffer, i, end);
            if (n < 0)
            {
                return false;
            }
            i += n;
        }
        return true;
    }
}
