package io.ringkv.net.jsonline;

import io.ringkv.net.codec.ReplyBuffer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Standard base64 (RFC 4648, "+/" alphabet, "=" padding) between direct buffers without allocating: the way
 * bytes that are not valid UTF-8 travel through the JSON-lines protocol. Stateless; any thread.
 */
public final class Base64Codec
{
    /** Returned by {@link #decode} for text that is not base64. */
    public static final int INVALID = -1;

    private static final byte[] ALPHABET =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] VALUES = new byte[256];

    static
    {
        java.util.Arrays.fill(VALUES, (byte)-1);
        for (int i = 0; i < ALPHABET.length; i++)
        {
            VALUES[ALPHABET[i]] = (byte)i;
        }
    }

    private Base64Codec()
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
     * Append the padded encoding of {@code [index, index + length)}.
     *
     * @param source bytes to encode.
     * @param index  of the first byte.
     * @param length number of bytes.
     * @param output to append to.
     */
    public static void encode(final DirectBuffer source, final int index, final int length, final ReplyBuffer output)
    {
        output.ensureRoom(encodedLength(length));
        final int end = index + length;
        int i = index;
        while (end - i >= 3)
        {
            final int bits = (source.getByte(i) & 0xFF) << 16 | (source.getByte(i + 1) & 0xFF) << 8 |
                (source.getByte(i + 2) & 0xFF);
            output.putByte(ALPHABET[bits >>> 18]);
            output.putByte(ALPHABET[(bits >>> 12) & 0x3F]);
            output.putByte(ALPHABET[(bits >>> 6) & 0x3F]);
            output.putByte(ALPHABET[bits & 0x3F]);
            i += 3;
        }
        final int left = end - i;
        if (left > 0)
        {
            final int bits = (source.getByte(i) & 0xFF) << 16 | (left == 2 ? (source.getByte(i + 1) & 0xFF) << 8 : 0);
            output.putByte(ALPHABET[bits >>> 18]);
            output.putByte(ALPHABET[(bits >>> 12) & 0x3F]);
            output.putByte(left == 2 ? ALPHABET[(bits >>> 6) & 0x3F] : (byte)'=');
            output.putByte((byte)'=');
        }
    }

    /**
     * Decode base64 text, padded or not. The output may be the same buffer at an index not after the input's.
     *
     * @param source      the text.
     * @param index       of its first char.
     * @param length      number of chars.
     * @param destination to write the bytes to (must have room for {@code length * 3 / 4} bytes).
     * @param destIndex   where the bytes start.
     * @return number of bytes written, or {@link #INVALID}.
     */
    public static int decode(
        final DirectBuffer source,
        final int index,
        final int length,
        final MutableDirectBuffer destination,
        final int destIndex)
    {
        int end = index + length;
        if (length % 4 == 0 && length > 0)
        {
            if (source.getByte(end - 1) == '=')
            {
                end--;
                if (source.getByte(end - 1) == '=')
                {
                    end--;
                }
            }
        }
        if ((end - index) % 4 == 1)
        {
            return INVALID;
        }
        int w = destIndex;
        int bits = 0;
        int count = 0;
        for (int i = index; i < end; i++)
        {
            final int value = VALUES[source.getByte(i) & 0xFF];
            if (value < 0)
            {
                return INVALID;
            }
            bits = bits << 6 | value;
            if (++count == 4)
            {
                destination.putByte(w++, (byte)(bits >> 16));
                destination.putByte(w++, (byte)(bits >> 8));
                destination.putByte(w++, (byte)bits);
                bits = 0;
                count = 0;
            }
        }
        if (count == 3)
        {
            if ((bits & 0x3) != 0)
            {
                return INVALID;
            }
            destination.putByte(w++, (byte)(bits >> 10));
            destination.putByte(w++, (byte)(bits >> 2));
        }
        else if (count == 2)
        {
            if ((bits & 0xF) != 0)
            {
                return INVALID;
            }
            destination.putByte(w++, (byte)(bits >> 4));
        }
        return w - destIndex;
    }
}
