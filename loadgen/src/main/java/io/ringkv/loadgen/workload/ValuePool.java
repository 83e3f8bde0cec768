package io.ringkv.loadgen.workload;

import java.util.SplittableRandom;

/**
 * Pre-generated value bytes. A value is a slice of the pool at a random offset, so values differ without
 * generating bytes per request. Random pools hold arbitrary bytes, or, when the values must be JSON string
 * content, letters, digits and {@code +/}; compressible pools repeat a short text. Immutable after construction;
 * any thread, each with its own random stream.
 */
public final class ValuePool
{
    private static final byte[] PRINTABLE =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] PATTERN = "ringkv-loadgen-value-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int SLACK = 64 * 1024;

    private final byte[] bytes;
    private final int minLength;
    private final int maxLength;

    /**
     * @param minLength  smallest value length.
     * @param maxLength  largest value length.
     * @param random     whether values are random (false: compressible pattern).
     * @param jsonSafe   whether random values must be printable without escaping.
     * @param seed       seed of the random content.
     */
    public ValuePool(
        final int minLength, final int maxLength, final boolean random, final boolean jsonSafe, final long seed)
    {
        this.minLength = minLength;
        this.maxLength = maxLength;
        this.bytes = new byte[maxLength + SLACK];
        final SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < bytes.length; i++)
        {
            if (!random)
            {
                bytes[i] = PATTERN[i % PATTERN.length];
            }
            else if (jsonSafe)
            {
                bytes[i] = PRINTABLE[rng.nextInt(PRINTABLE.length)];
            }
            else
            {
                bytes[i] = (byte)rng.nextInt(256);
            }
        }
    }

    /**
     * @return the pool; callers must not modify it.
     */
    public byte[] bytes()
    {
        return bytes;
    }

    /**
     * @return the largest value length.
     */
    public int maxLength()
    {
        return maxLength;
    }

    /**
     * @param random the caller's random stream.
     * @return a value length in {@code [minLength, maxLength]}.
     */
    public int nextLength(final SplittableRandom random)
    {
        return minLength == maxLength ? minLength : minLength + random.nextInt(maxLength - minLength + 1);
    }

    /**
     * @param random the caller's random stream.
     * @return an offset at which any value length fits.
     */
    public int nextOffset(final SplittableRandom random)
    {
        return random.nextInt(SLACK);
    }
}
