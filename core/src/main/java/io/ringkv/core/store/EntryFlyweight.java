package io.ringkv.core.store;

import org.agrona.concurrent.UnsafeBuffer;

import static io.ringkv.core.store.EntryDescriptor.ACCESS_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.DATABASE_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.ENCODING_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.EXPIRE_AT_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.HEADER_LENGTH;
import static io.ringkv.core.store.EntryDescriptor.KEY_LENGTH_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.KEY_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.LFU_BITS;
import static io.ringkv.core.store.EntryDescriptor.TYPE_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.VALUE_LENGTH_OFFSET;

/**
 * Reusable view of one entry (see {@link EntryDescriptor}): wrap an address from the {@link Keyspace}, then read the
 * header and read or write key and value bytes through {@link #buffer()}. Re-wrap after anything that may move or
 * resize the entry ({@code put}, {@code resizeValue}). Create one per user and reuse it; never one per operation.
 * Not threadsafe: only the engine thread uses it.
 * <pre>{@code
 * final long entry = keyspace.put(db, key, 0, key.capacity(), ValueType.STRING, ValueEncoding.STRING_RAW, 5,
 *     Keyspace.NO_EXPIRY);
 * if (entry != Keyspace.OUT_OF_MEMORY)
 * {
 *     flyweight.wrap(entry).buffer().putBytes(flyweight.valueOffset(), value, 0, 5);
 * }
 * }</pre>
 */
public final class EntryFlyweight
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private long address;
    private int keyLength;
    private int valueLength;

    /**
     * @param entryAddress address of a live entry.
     * @return this for chaining.
     */
    public EntryFlyweight wrap(final long entryAddress)
    {
        address = entryAddress;
        final UnsafeBuffer buffer = this.buffer;
        buffer.wrap(entryAddress, HEADER_LENGTH);
        keyLength = buffer.getInt(KEY_LENGTH_OFFSET);
        valueLength = buffer.getInt(VALUE_LENGTH_OFFSET);
        buffer.wrap(entryAddress, HEADER_LENGTH + keyLength + valueLength);
        return this;
    }

    /**
     * @return the wrapped entry's address.
     */
    public long address()
    {
        return address;
    }

    /**
     * @return view over the whole entry, header included; key and value offsets are relative to it.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    public int keyOffset()
    {
        return KEY_OFFSET;
    }

    public int keyLength()
    {
        return keyLength;
    }

    public int valueOffset()
    {
        return KEY_OFFSET + keyLength;
    }

    public int valueLength()
    {
        return valueLength;
    }

    public byte type()
    {
        return buffer.getByte(TYPE_OFFSET);
    }

    public byte encoding()
    {
        return buffer.getByte(ENCODING_OFFSET);
    }

    /**
     * @return database index the entry belongs to.
     */
    public int database()
    {
        return buffer.getByte(DATABASE_OFFSET) & EntryDescriptor.DATABASE_MASK;
    }

    /**
     * @return absolute expiry time in epoch ms, or {@link Keyspace#NO_EXPIRY}.
     */
    public long expireAtMs()
    {
        return buffer.getLong(EXPIRE_AT_OFFSET);
    }

    /**
     * @return 24-bit LRU clock (seconds) of the last access, for eviction.
     */
    public int lruClock()
    {
        return buffer.getInt(ACCESS_OFFSET) >>> LFU_BITS;
    }

    /**
     * @return 8-bit logarithmic LFU counter, for eviction.
     */
    public int lfuCounter()
    {
        return buffer.getInt(ACCESS_OFFSET) & 0xFF;
    }

    /**
     * @param lfuCounter new LFU counter, 0..255.
     */
    public void lfuCounter(final int lfuCounter)
    {
        buffer.putInt(ACCESS_OFFSET, EntryDescriptor.access(lruClock(), lfuCounter));
    }
}
