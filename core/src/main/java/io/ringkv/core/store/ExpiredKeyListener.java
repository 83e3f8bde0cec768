package io.ringkv.core.store;

import org.agrona.DirectBuffer;

/**
 * Told about a key that expired, just before the store removes it (lazily on access or in the active cycle), so the
 * engine can log it as a DEL for replication; the same shape serves {@link Keyspace#evictedKeyListener} for keys
 * evicted for the memory budget. Called on the engine thread; must not modify the {@link Keyspace}.
 */
@FunctionalInterface
public interface ExpiredKeyListener
{
    /**
     * @param db        database index of the key.
     * @param key       buffer holding the key bytes; valid only during the call.
     * @param keyOffset offset of the key in {@code key}.
     * @param keyLength bytes of key.
     */
    void onExpired(int db, DirectBuffer key, int keyOffset, int keyLength);
}
