package io.ringkv.core.store;

/**
 * Layout of one entry of the off-heap store: a fixed header followed by the key bytes and the value bytes, in one
 * block from the {@link SlabAllocator}. Stateless constants; any thread may read them.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Next entry in bucket chain (address)          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Expire at (epoch ms, 0 = no TTL)              |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Key length                                    |
 *  +---------------------------------------------------------------+
 *  |                 Value length                                  |
 *  +---------------------------------------------------------------+
 *  |                 Key hash (low 32 bits of the 64-bit hash)     |
 *  +---------------------------------------------------------------+
 *  |          LRU clock (24 bits, s)             | LFU counter (8) |
 *  +---------------------------------------------------------------+
 *  |                 Expiry index slot (-1 = none)                 |
 *  +---------------+---------------+---------------+---------------+
 *  |     Type      |   Encoding    |S|  Database   |   Key ...    ...
 *  +---------------+---------------+---------------+               |
 *  ...                Key bytes, then value bytes                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The header is 39 bytes, so a 16-byte key with a 32-byte value fills an 88-byte block exactly. The 8-byte fields sit
 * at 8-byte aligned offsets because allocator blocks are 8-byte aligned. The hash keeps 32 bits: enough to pick a
 * bucket in a table of up to 2^32 buckets and to skip almost every non-matching key in a chain without comparing
 * bytes, at 4 bytes less per key than the full 64. The database byte lets {@code Keyspace.expireAt(address, ...)}
 * find the right expiry index without a database argument. Its top bit (S) is the snapshot mark: see
 * {@link Keyspace#startSnapshot(SnapshotListener)}; hence at most {@link #MAX_DATABASES} databases.
 */
public final class EntryDescriptor
{
    public static final int NEXT_OFFSET;
    public static final int EXPIRE_AT_OFFSET;
    public static final int HASH_OFFSET;
    public static final int KEY_LENGTH_OFFSET;
    public static final int VALUE_LENGTH_OFFSET;
    public static final int ACCESS_OFFSET;
    public static final int EXPIRY_SLOT_OFFSET;
    public static final int TYPE_OFFSET;
    public static final int ENCODING_OFFSET;
    public static final int DATABASE_OFFSET;
    public static final int KEY_OFFSET;

    /** Bytes of header before the key. */
    public static final int HEADER_LENGTH;

    /** Bits of the database byte that hold the database index; the top bit is the snapshot mark. */
    public static final int DATABASE_MASK = 0x7F;

    /** The snapshot mark bit of the database byte. */
    public static final int SNAPSHOT_MARK = 0x80;

    /** Most logical databases an entry can name. */
    public static final int MAX_DATABASES = DATABASE_MASK + 1;

    /** Value of the expiry slot field when the entry has no TTL. */
    public static final int NO_EXPIRY_SLOT = -1;

    /** Bits of the access field holding the LFU counter; the LRU clock sits above them. */
    public static final int LFU_BITS = 8;

    /** Mask of the 24-bit LRU clock (seconds, wrapping as Redis's LRU_CLOCK_MAX). */
    public static final int LRU_CLOCK_MASK = (1 << 24) - 1;

    /** Initial LFU counter of a new entry, as Redis's LFU_INIT_VAL. */
    public static final int LFU_INIT_VALUE = 5;

    static
    {
        int offset = 0;
        NEXT_OFFSET = offset;
        offset += Long.BYTES;
        EXPIRE_AT_OFFSET = offset;
        offset += Long.BYTES;
        KEY_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        VALUE_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        HASH_OFFSET = offset;
        offset += Integer.BYTES;
        ACCESS_OFFSET = offset;
        offset += Integer.BYTES;
        EXPIRY_SLOT_OFFSET = offset;
        offset += Integer.BYTES;
        TYPE_OFFSET = offset;
        offset += Byte.BYTES;
        ENCODING_OFFSET = offset;
        offset += Byte.BYTES;
        DATABASE_OFFSET = offset;
        offset += Byte.BYTES;
        KEY_OFFSET = offset;
        HEADER_LENGTH = offset;
    }

    private EntryDescriptor()
    {
    }

    /**
     * Length of an entry's block contents.
     *
     * @param keyLength   bytes of key.
     * @param valueLength bytes of value.
     * @return header plus key plus value bytes.
     */
    public static long entryLength(final int keyLength, final long valueLength)
    {
        return HEADER_LENGTH + (long)keyLength + valueLength;
    }

    /**
     * @param lruClock   seconds clock, masked to 24 bits.
     * @param lfuCounter LFU counter, 0..255.
     * @return the packed access field.
     */
    public static int access(final int lruClock, final int lfuCounter)
    {
        return ((lruClock & LRU_CLOCK_MASK) << LFU_BITS) | (lfuCounter & 0xFF);
    }

    /**
     * @param nowMs epoch milliseconds.
     * @return the 24-bit LRU clock for that time, at one second resolution as Redis's LRU_CLOCK_RESOLUTION.
     */
    public static int lruClock(final long nowMs)
    {
        return (int)((nowMs / 1000) & LRU_CLOCK_MASK);
    }
}
