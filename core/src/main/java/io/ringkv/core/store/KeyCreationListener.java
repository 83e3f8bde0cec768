package io.ringkv.core.store;

import org.agrona.DirectBuffer;

/**
 * Told when {@link Keyspace#put} creates a key, or gives an existing key a value of another type: the moment a
 * missing list or sorted set comes into being, which is when clients blocked on it may be served (Redis's
 * signalKeyAsReady from dbAdd). Called on the engine thread, in the middle of a command; must not modify the
 * {@link Keyspace}, and must be cheap (it runs on every key creation).
 */
@FunctionalInterface
public interface KeyCreationListener
{
    /**
     * @param db        database index of the key.
     * @param key       buffer holding the key bytes; valid only during the call.
     * @param keyOffset offset of the key in {@code key}.
     * @param keyLength bytes of key.
     * @param type      the new value's {@link ValueType}; its contents are not written yet.
     */
    void keyCreated(int db, DirectBuffer key, int keyOffset, int keyLength, byte type);
}
