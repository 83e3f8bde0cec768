package io.ringkv.core.store;

/**
 * Running totals of the off-heap memory the store's structures hold besides entry blocks, shared by every
 * {@link OffHeapTable} and {@link ExpiryIndex} of a {@link Keyspace} so that checking the memory budget on each write
 * is O(1). Not threadsafe: only the engine thread touches it.
 */
final class MemoryAccount
{
    /** Bytes of bucket arrays. */
    long tableBytes;

    /** Bytes of expiry index chunks. */
    long expiryIndexBytes;
}
