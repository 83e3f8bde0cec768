package io.ringkv.core.store;

/**
 * Settings of a {@link Keyspace}. Defaults come from system properties ({@code *_PROP_NAME}) falling back to
 * {@code *_DEFAULT}; setters return this for chaining. Not threadsafe: fill it in, then hand it to the Keyspace.
 */
public final class StoreConfig
{
    /** Number of logical databases, as Redis's {@code databases}. */
    public static final String DATABASES_PROP_NAME = "ringkv.store.databases";
    public static final int DATABASES_DEFAULT = 16;

    /** Memory budget in bytes (entries, buckets, expiry index, page slack); 0 means unlimited. */
    public static final String MAX_MEMORY_PROP_NAME = "ringkv.store.maxMemoryBytes";
    public static final long MAX_MEMORY_DEFAULT = 0;

    /** Buckets of a new or flushed database's table; rounded up to a power of two. */
    public static final String INITIAL_BUCKETS_PROP_NAME = "ringkv.store.initialBuckets";
    public static final int INITIAL_BUCKETS_DEFAULT = 16;

    /** Bytes of each slab page carved into blocks of one size class. */
    public static final String PAGE_SIZE_PROP_NAME = "ringkv.store.pageSizeBytes";
    public static final int PAGE_SIZE_DEFAULT = 64 * 1024;

    /** Largest value length accepted, as Redis's proto-max-bulk-len (512 MiB). */
    public static final String MAX_VALUE_LENGTH_PROP_NAME = "ringkv.store.maxValueLength";
    public static final int MAX_VALUE_LENGTH_DEFAULT = 512 * 1024 * 1024;

    private int databases = Integer.getInteger(DATABASES_PROP_NAME, DATABASES_DEFAULT);
    private long maxMemoryBytes = Long.getLong(MAX_MEMORY_PROP_NAME, MAX_MEMORY_DEFAULT);
    private int initialBuckets = Integer.getInteger(INITIAL_BUCKETS_PROP_NAME, INITIAL_BUCKETS_DEFAULT);
    private int pageSizeBytes = Integer.getInteger(PAGE_SIZE_PROP_NAME, PAGE_SIZE_DEFAULT);
    private int maxValueLength = Integer.getInteger(MAX_VALUE_LENGTH_PROP_NAME, MAX_VALUE_LENGTH_DEFAULT);

    public int databases()
    {
        return databases;
    }

    public StoreConfig databases(final int databases)
    {
        this.databases = databases;
        return this;
    }

    public long maxMemoryBytes()
    {
        return maxMemoryBytes;
    }

    public StoreConfig maxMemoryBytes(final long maxMemoryBytes)
    {
        this.maxMemoryBytes = maxMemoryBytes;
        return this;
    }

    public int initialBuckets()
    {
        return initialBuckets;
    }

    public StoreConfig initialBuckets(final int initialBuckets)
    {
        this.initialBuckets = initialBuckets;
        return this;
    }

    public int pageSizeBytes()
    {
        return pageSizeBytes;
    }

    public StoreConfig pageSizeBytes(final int pageSizeBytes)
    {
        this.pageSizeBytes = pageSizeBytes;
        return this;
    }

    public int maxValueLength()
    {
        return maxValueLength;
    }

    public StoreConfig maxValueLength(final int maxValueLength)
    {
        this.maxValueLength = maxValueLength;
        return this;
    }

    /**
     * Check the settings, throwing on nonsense so a bad config fails at startup rather than later.
     *
     * @return this.
     * @throws IllegalArgumentException naming the bad setting.
     */
    public StoreConfig validate()
    {
        if (databases < 1 || databases > EntryDescriptor.MAX_DATABASES)
        {
            throw new IllegalArgumentException("databases must be 1.." + EntryDescriptor.MAX_DATABASES + ": " +
                databases);
        }
        if (maxMemoryBytes < 0)
        {
            throw new IllegalArgumentException("maxMemoryBytes must be >= 0: " + maxMemoryBytes);
        }
        if (initialBuckets < 1 || initialBuckets > (1 << 30))
        {
            throw new IllegalArgumentException("initialBuckets must be 1..2^30: " + initialBuckets);
        }
        if (pageSizeBytes < 4096)
        {
            throw new IllegalArgumentException("pageSizeBytes must be >= 4096: " + pageSizeBytes);
        }
        if (maxValueLength < 0)
        {
            throw new IllegalArgumentException("maxValueLength must be >= 0: " + maxValueLength);
        }
        return this;
    }
}
