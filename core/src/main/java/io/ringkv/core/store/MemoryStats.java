package io.ringkv.core.store;

/**
 * Snapshot of the store's memory use, filled in by {@link Keyspace#memoryStats()}. The Keyspace reuses one instance,
 * so read it before the next call. Not threadsafe: only the engine thread reads it.
 */
public final class MemoryStats
{
    long keys;
    long keyValueBytes;
    long metadataBytes;
    long tableBytes;
    long expiryIndexBytes;
    long allocatorRequestedBytes;
    long allocatorBlockBytes;
    long allocatorReservedBytes;
    long hugeBytes;
    long usedMemoryBytes;
    long maxMemoryBytes;

    /**
     * @return keys in all databases.
     */
    public long keys()
    {
        return keys;
    }

    /**
     * @return bytes of key and value contents.
     */
    public long keyValueBytes()
    {
        return keyValueBytes;
    }

    /**
     * @return bytes of entry headers ({@link EntryDescriptor#HEADER_LENGTH} per key).
     */
    public long metadataBytes()
    {
        return metadataBytes;
    }

    /**
     * @return bytes of bucket arrays (both arrays during a resize).
     */
    public long tableBytes()
    {
        return tableBytes;
    }

    /**
     * @return bytes of the expiry indexes.
     */
    public long expiryIndexBytes()
    {
        return expiryIndexBytes;
    }

    /**
     * @return bytes the store asked the allocator for (headers + keys + values).
     */
    public long allocatorRequestedBytes()
    {
        return allocatorRequestedBytes;
    }

    /**
     * @return bytes of live allocator blocks (requests rounded up to their size class).
     */
    public long allocatorUsedBytes()
    {
        return allocatorBlockBytes;
    }

    /**
     * @return bytes the allocator holds from the system (pages, including free and uncarved blocks, plus huge
     * blocks).
     */
    public long allocatorReservedBytes()
    {
        return allocatorReservedBytes;
    }

    /**
     * @return bytes of huge blocks (allocated individually), included in the allocator figures.
     */
    public long hugeBytes()
    {
        return hugeBytes;
    }

    /**
     * @return bytes counted against the budget: allocator reserved + tables + expiry indexes.
     */
    public long usedMemoryBytes()
    {
        return usedMemoryBytes;
    }

    /**
     * @return the budget, 0 for unlimited.
     */
    public long maxMemoryBytes()
    {
        return maxMemoryBytes;
    }

    /**
     * @return allocator reserved bytes per requested byte: 1.0 is perfect, above it is size-class rounding, free
     * blocks and uncarved page space.
     */
    public double fragmentationRatio()
    {
        return allocatorRequestedBytes == 0 ? 1.0 : (double)allocatorReservedBytes / allocatorRequestedBytes;
    }

    /**
     * @return bytes of memory used per key beyond its key and value bytes, or 0 when empty.
     */
    public double overheadBytesPerKey()
    {
        return keys == 0 ? 0 : (double)(usedMemoryBytes - keyValueBytes) / keys;
    }

    public String toString()
    {
        return "MemoryStats{keys=" + keys +
            ", keyValueBytes=" + keyValueBytes +
            ", metadataBytes=" + metadataBytes +
            ", tableBytes=" + tableBytes +
            ", expiryIndexBytes=" + expiryIndexBytes +
            ", allocatorRequestedBytes=" + allocatorRequestedBytes +
            ", allocatorUsedBytes=" + allocatorBlockBytes +
            ", allocatorReservedBytes=" + allocatorReservedBytes +
            ", hugeBytes=" + hugeBytes +
            ", usedMemoryBytes=" + usedMemoryBytes +
            ", maxMemoryBytes=" + maxMemoryBytes +
            ", fragmentationRatio=" + String.format("%.3f", fragmentationRatio()) +
            ", overheadBytesPerKey=" + String.format("%.1f", overheadBytesPerKey()) +
            '}';
    }
}
