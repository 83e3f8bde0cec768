package io.ringkv.core.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class KeyspaceDigestTest
{
    private final KeyspaceDigest digest = new KeyspaceDigest();

    @Test
    void equalDataGivesEqualDigestsWhateverTheLayoutAndAnyDifferenceChangesIt()
    {
        try (Keyspace a = new Keyspace(new StoreConfig().databases(4).initialBuckets(4));
            Keyspace b = new Keyspace(new StoreConfig().databases(4).initialBuckets(1024)))
        {
            assertEquals("0".repeat(40), digest.hex(a));
            for (int i = 0; i < 500; i++)
            {
                put(a, i % 3, "k" + i, "v" + i, i % 7 == 0 ? 9_000_000_000_000L : 0);
            }
            for (int i = 499; i >= 0; i--)
            {
                put(b, i % 3, "k" + i, "v" + i, i % 7 == 0 ? 9_000_000_000_000L + i : 0);
            }
            final String same = digest.hex(a);
            assertEquals(same, digest.hex(b));

            put(b, 0, "k0", "changed", 9_000_000_000_000L);
            assertNotEquals(same, digest.hex(b));
            put(b, 0, "k0", "v0", 9_000_000_000_000L);
            assertEquals(same, digest.hex(b));
            put(b, 1, "k1", "v1", 9_000_000_000_000L);
            assertNotEquals(same, digest.hex(b), "gaining a TTL changes it");
            put(b, 1, "k1", "v1", 0);
            assertEquals(same, digest.hex(b));
            final UnsafeBuffer key = new UnsafeBuffer("k1".getBytes(StandardCharsets.US_ASCII));
            b.type(b.find(1, key, 0, 2, 0), ValueType.JSON);
            assertNotEquals(same, digest.hex(b), "a type change changes it");
            b.type(b.find(1, key, 0, 2, 0), ValueType.STRING);
            b.delete(1, key, 0, 2, 0);
            put(b, 2, "k1", "v1", 0);
            assertNotEquals(same, digest.hex(b), "moving a key to another database changes it");
        }
    }

    private static void put(final Keyspace keyspace, final int db, final String key, final String value,
        final long expireAtMs)
    {
        final UnsafeBuffer keyBuffer = new UnsafeBuffer(key.getBytes(StandardCharsets.US_ASCII));
        final byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        final long address = keyspace.put(db, keyBuffer, 0, keyBuffer.capacity(), ValueType.STRING,
            ValueEncoding.STRING_RAW, bytes.length, expireAtMs);
        final EntryFlyweight entry = new EntryFlyweight().wrap(address);
        entry.buffer().putBytes(entry.valueOffset(), bytes);
    }
}
