package io.ringkv.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Standard base64 (RFC 4648 section 4: "+/" alphabet, "=" padding) between Agrona buffers without allocating:
 * how bytes that are not valid UTF-8 travel in JSON (docs/json-protocol.md). Stateless; any thread.
 * <p>
 * Encoding always pads. Decoding is strict so that every text decodes to one byte string and back to itself:
 * padded or unpadded text is accepted, but padding only on a length that is a multiple of four, no character
 * outside the alphabet (no white space, no URL-safe "-_"), and no non-zero bits left over in the last character.
 */
public final class Base64
{
    /** Returned by {@link #decode} for text that is not base64. */
    public static final int INVALID = -1;

    private static final byte[] ALPHABET =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
    /** Value of each byte in the alphabet, -1 for the rest: a 256-entry table needs no sign test. */
    private static final byte[] VALUES = new byte[256];

    static
    {
        Arrays.fill(VALUES, (byte)-1);
        for (int i = 0; i < ALPHABET.length; i++)
        {
            VALUES[ALPHABET[i]] = (byte)i;
        }
    }

    private Base64()
    {
    }

    /**
     * @param length bytes to encode.
     * @return length of their padded encoding.
     */
    public static int encodedLength(final int length)
    {
        return ((length + 2) / 3) * 4;
    }

    /**
     * Write the padded encoding of {@code [index, index + length)}.
     *
     * @param source           bytes to encode.
     * @param index            of the first byte.
     * @param length           number of bytes.
     * @param destination      to write to; must have room for {@link #encodedLength(int)} bytes (or grow itself).
     * @param destinationIndex where the text starts.
     * @return bytes written, {@link #encodedLength(int)}.
     */
    public static int encode(
        final DirectBuffer source,
        final int index,
        final int length,
        final MutableDirectBuffer destination,
        final int destinationIndex)
    {
        final byte[] alphabet = ALPHABET;
        final int end = index + length;
        int i = index;
        int w = destinationIndex;
        while (end - i >= 3)
        {
            final int bits = (source.getByte(i) & 0xFF) << 16 | (source.getByte(i + 1) & 0xFF) << 8 |
                (source.getByte(i + 2) & 0xFF);
            destination.putInt(w,
                alphabet[bits >>> 18] << 24 | alphabet[(bits >>> 12) & 0x3F] << 16 |
                alphabet[(bits >>> 6) & 0x3F] << 8 | alphabet[bits & 0x3F],
                ByteOrder.BIG_ENDIAN);
            w += 4;
            i += 3;
        }
        final int left = end - i;
        if (left > 0)
        {
            final int bits = (source.getByte(i) & 0xFF) << 16 | (left == 2 ? (source.getByte(i + 1) & 0xFF) << 8 : 0);
            destination.putByte(w, alphabet[bits >>> 18]);
            destination.putByte(w + 1, alphabet[(bits >>> 12) & 0x3F]);
            destination.putByte(w + 2, left == 2 ? alphabet[(bits >>> 6) & 0x3F] : (byte)'=');
            destination.putByte(w + 3, (byte)'=');
            w += 4;
        }
        return w - destinationIndex;
    }

    /**
     * Decode base64 text, padded or not. The destination may be the source buffer at an index not after the
     * text's, since bytes are written behind the characters read.
     *
     * @param source           the text.
     * @param index            of its first character.
     * @param length           number of characters.
     * @param destination      to write the bytes to; must have room for {@code length * 3 / 4} bytes.
     * @param destinationIndex where the bytes start.
     * @return number of bytes written, or {@link #INVALID} (the destination may then hold some bytes).
     */
    public static int decode(
        final DirectBuffer source,
        final int index,
        final int length,
        final MutableDirectBuffer destination,
        final int destinationIndex)
    {
        int end = index + length;
        if (length > 0 && (length & 3) == 0 && source.getByte(end - 1) == '=')
        {
            end--;
            if (source.getByte(end - 1) == '=')
            {
                end--;
            }
        }
        if (((end - index) & 3) == 1)
        {
            return INVALID;
        }
        final byte[] values = VALUES;
        int w = destinationIndex;
        int i = index;
        while (end - i >= 4)
        {
            final int bits = values[source.getByte(i) & 0xFF] << 18 | values[source.getByte(i + 1) & 0xFF] << 12 |
                values[source.getByte(i + 2) & 0xFF] << 6 | values[source.getByte(i + 3) & 0xFF];
            if (bits < 0) // any -1 sets the sign bit
            {
                return INVALID;
            }
            destination.putByte(w, (byte)(bits >> 16));
            destination.putByte(w + 1, (byte)(bits >> 8));
            destination.putByte(w + 2, (byte)bits);
            w += 3;
            i += 4;
        }
        final int left = end - i;
        if (left == 0)
        {
            return w - destinationIndex;
        }
        int bits = 0;
        for (; i < end; i++)
        {
            final int value = values[source.getByte(i) & 0xFF];
            if (value < 0)
            {
                return INVALID;
            }
            bits = bits << 6 | value;
        }
        if (left == 3)
        {
            if ((bits & 0x3) != 0)
            {
                return INVALID;
            }
            destination.putByte(w++, (byte)(bits >> 10));
            destination.putByte(w++, (byte)(bits >> 2));
        }
        else
        {
            if ((bits & 0xF) != 0)
            {
                return INVALID;
            }
            destination.putByte(w++, (byte)(bits >> 4));
        }
        return w - destinationIndex;
    }
}
