package io.ringkv.loadgen.workload;

import java.nio.ByteBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Turns a key number into key bytes: the prefix, then the number zero-padded to fill the key length, like
 * redis-benchmark's {@code key:000000012345}. Immutable; any thread.
 */
public final class KeyFormat
{
    private final byte[] prefix;
    private final int digits;
    private final int length;

    /**
     * @param prefix    prefix of every key.
     * @param keyLength total key length in bytes; at least {@link #minimumLength(String, long)}.
     */
    public KeyFormat(final String prefix, final int keyLength)
    {
        this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        this.length = keyLength;
        this.digits = keyLength - this.prefix.length;
        if (digits < 1)
        {
            throw new IllegalArgumentException("key length " + keyLength + " leaves no room for digits");
        }
    }

    /**
     * @param prefix   prefix of every key.
     * @param keySpace number of keys.
     * @return the shortest key length that keeps every key in the key space distinct.
     */
    public static int minimumLength(final String prefix, final long keySpace)
    {
        return prefix.getBytes(StandardCharsets.UTF_8).length + Long.toString(Math.max(0, keySpace - 1)).length();
    }

    /**
     * @return key length in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return the prefix bytes; callers must not modify them.
     */
    public byte[] prefix()
    {
        return prefix;
    }

    /**
     * Writes the key bytes, without allocating.
     *
     * @param buffer to write into.
     * @param index  where the key starts.
     * @param key    key number, fewer digits than the key leaves room for.
     * @return the index after the key.
     */
    public int write(final ByteBuffer buffer, final int index, final long key)
    {
        buffer.put(index, prefix);
        return io.ringkv.loadgen.protocol.AsciiDigits.putPadded(buffer, index + prefix.length, key, digits);
    }

    /**
     * Writes the key's number part only (for encoders that escape the prefix separately).
     */
    public int writeNumber(final ByteBuffer buffer, final int index, final long key)
    {
        return io.ringkv.loadgen.protocol.AsciiDigits.putPadded(buffer, index, key, digits);
    }

    /**
     * @return the number of digits after the prefix.
     */
    public int digits()
    {
        return digits;
    }

    /**
     * @return key number {@code key} as a string, for logs and tests.
     */
    public String toString(final long key)
    {
        final StringBuilder text = new StringBuilder(new String(prefix, StandardCharsets.UTF_8));
        final String number = Long.toString(key);
        text.append("0".repeat(digits - number.length())).append(number);
        return text.toString();
    }
}
