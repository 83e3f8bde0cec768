package io.ringkv.replication.log;

import java.security.SecureRandom;

/**
 * Redis's 40-hex-character random identifiers: a replication id, and the EOF mark of a diskless RDB payload.
 */
public final class RandomId
{
    private RandomId()
    {
    }

    /**
     * @return 20 random bytes as 40 lower-case hex characters.
     */
    public static String next()
    {
        final byte[] bytes = new byte[20];
        new SecureRandom().nextBytes(bytes);
        final StringBuilder hex = new StringBuilder(40);
        for (final byte b : bytes)
        {
            hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return hex.toString();
    }
}
