package io.ringkv.core.store;

/**
 * Hashes key bytes for {@link OffHeapTable}. Package-private so tests can inject colliding hashes; production uses
 * {@link KeyHash#INSTANCE}. Implementations are stateless; any thread.
 */
interface KeyHashFunction
{
    /**
     * @param base    array holding the bytes, or null when {@code address} is absolute (off-heap).
     * @param address absolute address, or array base offset plus index when {@code base} is an array.
     * @param length  bytes to hash.
     * @return 64-bit hash.
     */
    long hash(Object base, long address, int length);
}
