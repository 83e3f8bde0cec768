package io.ringkv.replication.log;

import org.agrona.DirectBuffer;

/**
 * RFC 3629 UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF), the rule that decides
 * whether bytes go out as a JSON string or as base64. Stateless; any thread.
 */
public final class Utf8Validator
{
    private Utf8Validator()
    {
    }

    /**
     * @return true when the bytes are valid UTF-8.
     */
    public static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        int i = offset;
        while (i < end)
        {
            final int b0 = buffer.getByte(i) & 0xFF;
            if (b0 < 0x80)
            {
                i++;
                continue;
            }
            final int need;
            int min;
            if (b0 >= 0xC2 && b0 <= 0xDF)
            {
                need = 1;
                min = 0x80;
            }
            else if (b0 >= 0xE0 && b0 <= 0xEF)
            {
                need = 2;
                min = 0x800;
            }
            else if (b0 >= 0xF0 && b0 <= 0xF4)
            {
                need = 3;
                min = 0x10000;
            }
            else
            {
                return false;
            }
            if (i + need >= end)
            {
                return false;
            }
            int codePoint = b0 & (0x3F >> need);
            for (int k = 1; k <= need; k++)
            {
                final int b = buffer.getByte(i + k) & 0xFF;
                if ((b & 0xC0) != 0x80)
                {
                    return false;
                }
                codePoint = (codePoint << 6) | (b & 0x3F);
            }
            if (codePoint < min || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
            {
                return false;
            }
            i += need + 1;
        }
        return true;
    }
}
