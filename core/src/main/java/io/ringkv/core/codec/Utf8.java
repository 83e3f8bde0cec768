package io.ringkv.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence): the
 * rule that decides whether bytes can travel as a JSON string or must go as base64. Stateless; any thread.
 * <p>
 * {@link #isValid} skips ASCII eight bytes at a time, since keys and values are mostly ASCII.
 */
public final class Utf8
{
    /** Returned by {@link #sequenceLength(DirectBuffer, int, int)} for an invalid or truncated sequence. */
    public static final int INVALID = -1;

    private static final long HIGH_BITS = 0x8080808080808080L;

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
                lower = 0xA0; // below is an overlong form
            }
            else if (b0 == 0xED)
            {
                upper = 0x9F; // above are the surrogates U+D800..U+DFFF
            }
        }
        else if (b0 >= 0xF0 && b0 <= 0xF4)
        {
            length = 4;
            if (b0 == 0xF0)
            {
                lower = 0x90; // below is an overlong form
            }
            else if (b0 == 0xF4)
            {
                upper = 0x8F; // above is past U+10FFFF
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
            if (end - i >= Long.BYTES && (buffer.getLong(i) & HIGH_BITS) == 0)
            {
                i += Long.BYTES;
                continue;
            }
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

    /**
     * Write a code point as UTF-8.
     *
     * @param codePoint   0 to 0x10FFFF (a surrogate is written as its three bytes; callers pair them first).
     * @param destination to write to.
     * @param index       where the bytes start.
     * @return bytes written, 1 to 4.
     */
    public static int putCodePoint(final int codePoint, final MutableDirectBuffer destination, final int index)
    {
        if (codePoint < 0x80)
        {
            destination.putByte(index, (byte)codePoint);
            return 1;
        }
        if (codePoint < 0x800)
        {
            destination.putByte(index, (byte)(0xC0 | (codePoint >> 6)));
            destination.putByte(index + 1, (byte)(0x80 | (codePoint & 0x3F)));
            return 2;
        }
        if (codePoint < 0x10000)
        {
            destination.putByte(index, (byte)(0xE0 | (codePoint >> 12)));
            destination.putByte(index + 1, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
            destination.putByte(index + 2, (byte)(0x80 | (codePoint & 0x3F)));
            return 3;
        }
        destination.putByte(index, (byte)(0xF0 | (codePoint >> 18)));
        destination.putByte(index + 1, (byte)(0x80 | ((codePoint >> 12) & 0x3F)));
        destination.putByte(index + 2, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
        destination.putByte(index + 3, (byte)(0x80 | (codePoint & 0x3F)));
        return 4;
    }

    /**
     * @param text chars to encode.
     * @return the length of their UTF-8 encoding as {@link #putChars} writes it.
     */
    public static int encodedLength(final CharSequence text)
    {
        final int length = text.length();
        int bytes = 0;
        for (int i = 0; i < length; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                bytes++;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (isSurrogatePairAt(text, i))
            {
                bytes += 4;
                i++;
            }
            else
            {
                bytes += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return bytes;
    }

    /**
     * Write chars as UTF-8; an unpaired surrogate, which has no UTF-8 form, becomes '?'.
     *
     * @param text        chars to encode.
     * @param destination to write to; must have room for {@link #encodedLength(CharSequence)} bytes.
     * @param index       where the bytes start.
     * @return bytes written.
     */
    public static int putChars(final CharSequence text, final MutableDirectBuffer destination, final int index)
    {
        final int length = text.length();
        int w = index;
        int i = 0;
        while (i < length)
        {
            final int written = putChar(text, i, destination, w);
            w += written;
            i += written == 4 ? 2 : 1;
        }
        return w - index;
    }

    /**
     * Write the char at {@code i} as UTF-8, with the next one when the two are a surrogate pair; an unpaired
     * surrogate becomes '?'.
     *
     * @param text        the chars.
     * @param i           index of the char.
     * @param destination to write to; must have room for 4 bytes.
     * @param index       where the bytes start.
     * @return bytes written; 4 exactly when a surrogate pair (two chars) was written.
     */
    public static int putChar(final CharSequence text, final int i, final MutableDirectBuffer destination,
        final int index)
    {
        final char c = text.charAt(i);
        if (isSurrogatePairAt(text, i))
        {
            return putCodePoint(Character.toCodePoint(c, text.charAt(i + 1)), destination, index);
        }
        return putCodePoint(Character.isSurrogate(c) ? '?' : c, destination, index);
    }

    private static boolean isSurrogatePairAt(final CharSequence text, final int i)
    {
        return Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length() &&
            Character.isLowSurrogate(text.charAt(i + 1));
    }
}
