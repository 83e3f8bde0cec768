package io.ringkv.replication.replica;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Standard base64 (RFC 4648, padded or unpadded) decoding between buffers without allocating. Stateless.
 */
public final class Base64Decoder
{
    private static final byte[] VALUES = new byte[128];

    static
    {
        java.util.Arrays.fill(VALUES, (byte)-1);
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++)
        {
            VALUES[alphabet.charAt(i)] = (byte)i;
        }
    }

    private Base64Decoder()
    {
    }

    /**
     * @return bytes written to {@code out}, or -1 when the text is not valid base64.
     */
    public static int decode(final DirectBuffer text, final int offset, final int length,
        final MutableDirectBuffer out, final int outOffset)
    {
        int end = offset + length;
        int padding = 0;
        while (end > offset && text.getByte(end - 1) == '=' && padding < 2)
        {
            end--;
            padding++;
        }
        final int chars = end - offset;
        if (chars % 4 == 1 || (padding > 0 && (chars + padding) % 4 != 0))
        {
            return -1;
        }
        int o = outOffset;
        int bits = 0;
        int count = 0;
        for (int i = offset; i < end; i++)
        {
            final byte c = text.getByte(i);
            final int value = c >= 0 ? VALUES[c] : -1;
            if (value < 0)
            {
                return -1;
            }
            bits = bits << 6 | value;
            if (++count == 4)
            {
                out.putByte(o++, (byte)(bits >> 16));
                out.putByte(o++, (byte)(bits >> 8));
                out.putByte(o++, (byte)bits);
                bits = 0;
                count = 0;
            }
        }
        if (count == 2)
        {
            out.putByte(o++, (byte)(bits >> 4));
        }
        else if (count == 3)
        {
            out.putByte(o++, (byte)(bits >> 10));
            out.putByte(o++, (byte)(bits >> 2));
        }
        return o - outOffset;
    }
}
