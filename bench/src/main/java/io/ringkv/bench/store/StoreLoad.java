package io.ringkv.bench.store;

import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The benchmarks' data set: 16-byte keys ({@code "key:"} then a 12-digit decimal index) and 32-byte values, written
 * into a {@link Keyspace} without allocating per key. Not threadsafe: one per benchmark thread.
 */
final class StoreLoad
{
    static final int KEY_LENGTH = 16;
    static final int VALUE_LENGTH = 32;
    static final long NOW_MS = 1_700_000_000_000L;

    final UnsafeBuffer key = new UnsafeBuffer(BufferUtil.allocateDirectAligned(KEY_LENGTH, 64));
    final UnsafeBuffer value = new UnsafeBuffer(BufferUtil.allocateDirectAligned(VALUE_LENGTH, 64));
    private final EntryFlyweight flyweight = new EntryFlyweight();
    private long randomState = 0x9E3779B97F4A7C15L;

    StoreLoad()
    {
        key.putStringWithoutLengthAscii(0, "key:");
        for (int i = 0; i < VALUE_LENGTH; i++)
        {
            value.putByte(i, (byte)('a' + i % 26));
        }
    }

    /**
     * Point {@link #key} at key number {@code index}.
     *
     * @param index 0 to 10^12 - 1.
     * @return {@link #key}.
     */
    UnsafeBuffer key(final long index)
    {
        long remaining = index;
        for (int i = KEY_LENGTH - 1; i >= 4; i--)
        {
            key.putByte(i, (byte)('0' + remaining % 10));
            remaining /= 10;
        }
        return key;
    }

    /**
     * @param bound number of keys.
     * @return a uniformly random key index below {@code bound} (xorshift64, no allocation).
     */
    long randomIndex(final long bound)
    {
        long x = randomState;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        randomState = x;
        return (x >>> 1) % bound;
    }

    /**
     * Put key {@code index} with the standard value.
     *
     * @return entry address or {@link Keyspace#OUT_OF_MEMORY}.
     */
    long put(final Keyspace keyspace, final long index)
    {
        final long entry = keyspace.put(0, key(index), 0, KEY_LENGTH, ValueType.STRING, ValueEncoding.STRING_RAW,
            VALUE_LENGTH, Keyspace.NO_EXPIRY);
        if (entry > 0)
        {
            flyweight.wrap(entry).buffer().putBytes(flyweight.valueOffset(), value, 0, VALUE_LENGTH);
        }
        return entry;
    }

    /**
     * Put keys 0 until {@code count}, then finish any resize so measurement starts from a settled table.
     */
    void fill(final Keyspace keyspace, final long count)
    {
        for (long i = 0; i < count; i++)
        {
            put(keyspace, i);
        }
        while (keyspace.rehashStep(10_000_000L))
        {
            Thread.onSpinWait();
        }
    }
}
