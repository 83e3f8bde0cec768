package io.ringkv.core.script;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA1 as lower-case hex, the name of a script in the script cache and redis.sha1hex's result.
 */
public final class Sha1
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(() -> {
        try
        {
            return MessageDigest.getInstance("SHA-1");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    });

    private Sha1()
    {
    }

    /**
     * @return the lower-case hex SHA1 of the bytes.
     */
    public static String hex(final byte[] bytes, final int offset, final int length)
    {
        final MessageDigest digest = DIGESTS.get();
        digest.update(bytes, offset, length);
        final byte[] hash = digest.digest();
        final char[] text = new char[40];
        for (int i = 0; i < 20; i++)
        {
            text[2 * i] = HEX[(hash[i] >> 4) & 0xF];
            text[2 * i + 1] = HEX[hash[i] & 0xF];
        }
        return new String(text);
    }
}
