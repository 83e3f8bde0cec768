package io.ringkv.core.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a replica, logically expired keys are hidden from clients but never deleted by the replica itself; the
 * master's stream still sees them.
 */
class ReplicaExpiryTest
{
    @Test
    void replicaHidesButKeepsExpiredKeysUntilTheMasterDeletesThem()
    {
        try (Keyspace keyspace = new Keyspace(new StoreConfig().databases(1)))
        {
            final UnsafeBuffer key = new UnsafeBuffer("k".getBytes(StandardCharsets.US_ASCII));
            keyspace.put(0, key, 0, 1, ValueType.STRING, ValueEncoding.STRING_RAW, 0, 1000);
            keyspace.replicaExpiry(true);

            assertEquals(Keyspace.NOT_FOUND, keyspace.find(0, key, 0, 1, 2000));
            assertEquals(0, keyspace.activeExpireCycle(2000, 1_000_000));
            final int[] visited = new int[1];
            keyspace.scan(0, 0, 10, entry -> visited[0]++, 2000);
            assertEquals(0, visited[0]);
            assertEquals(1, keyspace.size(0));

            keyspace.expiryExempt(true);
            assertNotEquals(Keyspace.NOT_FOUND, keyspace.find(0, key, 0, 1, 2000));
            assertTrue(keyspace.delete(0, key, 0, 1, 2000));
            assertEquals(0, keyspace.size(0));

            keyspace.expiryExempt(false);
            keyspace.replicaExpiry(false);
            keyspace.put(0, key, 0, 1, ValueType.STRING, ValueEncoding.STRING_RAW, 0, 1000);
            assertEquals(Keyspace.NOT_FOUND, keyspace.find(0, key, 0, 1, 2000));
            assertEquals(0, keyspace.size(0));
        }
    }
}
