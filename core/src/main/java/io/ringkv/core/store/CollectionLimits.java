package io.ringkv.core.store;

/**
 * When a small collection encoding held in the entry (a hash's listpack, a set's intset) converts to an element
 * table, under Redis 7.0's configuration names: {@code hash-max-listpack-entries}, {@code hash-max-listpack-value},
 * {@code set-max-intset-entries}. Conversions happen as in Redis, only one way (a table never converts back). Past
 * any configured limit, a value that would outgrow the largest entry value ({@link StoreConfig#maxValueLength}) also
 * converts, as Redis converts a listpack that would pass its size safety limit.
 * <p>
 * One per {@link Keyspace}; read and set on the engine thread only (CONFIG SET runs there).
 */
public final class CollectionLimits
{
    /**
     * Redis 7.0's hash-max-listpack-entries default: 512 as compiled into redis-server 7.0.15 (CONFIG GET answers
     * 512 without a configuration file; the sample redis.conf sets 128).
     */
    public static final long HASH_MAX_LISTPACK_ENTRIES_DEFAULT = 512;
    /** Redis's hash-max-listpack-value default. */
    public static final long HASH_MAX_LISTPACK_VALUE_DEFAULT = 64;
    /** Redis's set-max-intset-entries default. */
    public static final long SET_MAX_INTSET_ENTRIES_DEFAULT = 512;

    /** Redis's list-max-listpack-size default: -2, nodes of at most 8 KiB. */
    public static final long LIST_MAX_LISTPACK_SIZE_DEFAULT = -2;
    /** Redis's list-compress-depth default (accepted; nodes are never compressed). */
    public static final long LIST_COMPRESS_DEPTH_DEFAULT = 0;

    private final long maxInEntryBytes;
    private long listMaxListpackSize = LIST_MAX_LISTPACK_SIZE_DEFAULT;
    private long listCompressDepth = LIST_COMPRESS_DEPTH_DEFAULT;
    /** Redis 7.0's zset-max-listpack-entries default. */
    public static final long ZSET_MAX_LISTPACK_ENTRIES_DEFAULT = 128;
    /** Redis 7.0's zset-max-listpack-value default. */
    public static final long ZSET_MAX_LISTPACK_VALUE_DEFAULT = 64;

    private long zsetMaxListpackEntries = ZSET_MAX_LISTPACK_ENTRIES_DEFAULT;
    private long zsetMaxListpackValue = ZSET_MAX_LISTPACK_VALUE_DEFAULT;
    private long hashMaxListpackEntries = HASH_MAX_LISTPACK_ENTRIES_DEFAULT;
    private long hashMaxListpackValue = HASH_MAX_LISTPACK_VALUE_DEFAULT;
    private long setMaxIntsetEntries = SET_MAX_INTSET_ENTRIES_DEFAULT;

    /**
     * @param maxInEntryBytes the largest value an entry may hold.
     */
    public CollectionLimits(final long maxInEntryBytes)
    {
        this.maxInEntryBytes = maxInEntryBytes;
    }

    /**
     * @return most fields a listpack hash holds (hash-max-listpack-entries).
     */
    public long hashMaxListpackEntries()
    {
        return hashMaxListpackEntries;
    }

    /**
     * @param entries hash-max-listpack-entries, at least 0.
     */
    public void hashMaxListpackEntries(final long entries)
    {
        hashMaxListpackEntries = entries;
    }

    /**
     * @return longest field or value a listpack hash holds, in bytes (hash-max-listpack-value).
     */
    public long hashMaxListpackValue()
    {
        return hashMaxListpackValue;
    }

    /**
     * @param bytes hash-max-listpack-value, at least 0.
     */
    public void hashMaxListpackValue(final long bytes)
    {
        hashMaxListpackValue = bytes;
    }

    /**
     * @return most members an intset holds (set-max-intset-entries).
     */
    public long setMaxIntsetEntries()
    {
        return setMaxIntsetEntries;
    }

    /**
     * @param entries set-max-intset-entries, at least 0.
     */
    public void setMaxIntsetEntries(final long entries)
    {
        setMaxIntsetEntries = entries;
    }

    /**
     * @return a list node's limit (list-max-listpack-size): -1 to -5 a byte limit of 4 to 64 KiB, a positive
     * number of elements.
     */
    public long listMaxListpackSize()
    {
        return listMaxListpackSize;
    }

    /**
     * @param size list-max-listpack-size; clamped to -5 .. 32768 as Redis does (0: one element per node).
     */
    public void listMaxListpackSize(final long size)
    {
        // As Redis's quicklistSetFill: at most 2^15 elements, at least the -5 (64 KiB) level.
        listMaxListpackSize = Math.max(-5, Math.min(size, 1 << 15));
    }

    /**
     * @return list-compress-depth, accepted and reported; ringkv does not compress list nodes.
     */
    public long listCompressDepth()
    {
        return listCompressDepth;
    }

    /**
     * @param depth list-compress-depth, at least 0.
     */
    public void listCompressDepth(final long depth)
    {
        listCompressDepth = depth;
    }

    /**
     * @return most members a listpack sorted set holds (zset-max-listpack-entries).
     */
    public long zsetMaxListpackEntries()
    {
        return zsetMaxListpackEntries;
    }

    /**
     * @param entries zset-max-listpack-entries, at least 0.
     */
    public void zsetMaxListpackEntries(final long entries)
    {
        zsetMaxListpackEntries = entries;
    }

    /**
     * @return longest member a listpack sorted set holds, in bytes (zset-max-listpack-value).
     */
    public long zsetMaxListpackValue()
    {
        return zsetMaxListpackValue;
    }

    /**
     * @param bytes zset-max-listpack-value, at least 0.
     */
    public void zsetMaxListpackValue(final long bytes)
    {
        zsetMaxListpackValue = bytes;
    }

    /**
     * @param bytes length a listpack or intset would reach.
     * @return true when the entry can hold it; false: convert to a table first.
     */
    public boolean fitsInEntry(final long bytes)
    {
        return bytes <= maxInEntryBytes;
    }
}
