package io.ringkv.core.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static io.ringkv.core.store.Keyspace.NOT_FOUND;
import static io.ringkv.core.store.Keyspace.NO_EXPIRY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffHeapTableTest
{
    private static final long NOW_MS = 1_700_000_000_000L;

    private final EntryFlyweight flyweight = new EntryFlyweight();
    private Keyspace keyspace;

    @AfterEach
    void close()
    {
        if (keyspace != null)
        {
            keyspace.close();
        }
    }

    @Test
    void keysWithEqualHashesAreKeptApart()
    {
        keyspace = new Keyspace(new StoreConfig().initialBuckets(4), (base, address, length) -> 42L);
        for (int i = 0; i < 300; i++)
        {
            put("collide-" + i, "v" + i);
        }
        assertEquals(300, keyspace.size(0));
        for (int i = 0; i < 300; i++)
        {
            assertEquals("v" + i, value("collide-" + i));
        }
        for (int i = 0; i < 300; i += 2)
        {
            assertTrue(keyspace.delete(0, key("collide-" + i), 0, ("collide-" + i).length(), NOW_MS));
        }
        for (int i = 0; i < 300; i++)
        {
            assertEquals(i % 2 == 0 ? null : "v" + i, value("collide-" + i));
        }
        // Same bytes as a prefix, same hash: still different keys.
        put("collide-1x", "other");
        assertEquals("v1", value("collide-1"));
        assertEquals("other", value("collide-1x"));
    }

    @Test
    void growsIncrementallyAndKeepsEveryKeyFindableWhileMoving()
    {
        final int buckets = 16384;
        keyspace = new Keyspace(new StoreConfig().initialBuckets(buckets));
        final OffHeapTable table = keyspace.table(0);
        for (int i = 0; i < buckets; i++)
        {
            put("k" + i, "v" + i);
        }
        assertFalse(table.isResizing());
        put("k" + buckets, "v" + buckets);
        assertTrue(table.isResizing(), "a full table starts a resize");
        assertEquals(buckets, table.buckets(), "but does not move everything at once");
        assertFalse(table.isMoving(), "the new bucket array is zeroed a chunk per operation first");
        int steps = 0;
        while (!table.isMoving())
        {
            assertEquals("v7", value("k7"));
            steps++;
        }
        assertTrue(steps > 0);
        int i = buckets + 1;
        while (table.isMoving())
        {
            put("k" + i, "v" + i);
            i++;
            for (int j = 0; j < i; j += 997)
            {
                assertEquals("v" + j, value("k" + j));
            }
        }
        assertEquals(2 * buckets, table.buckets());
        for (int j = 0; j < i; j++)
        {
            assertEquals("v" + j, value("k" + j));
        }
    }

    @Test
    void shrinksWhenSparseAndRehashStepFinishesTheWork()
    {
        keyspace = new Keyspace(new StoreConfig().initialBuckets(16));
        final OffHeapTable table = keyspace.table(0);
        for (int i = 0; i < 100_000; i++)
        {
            put("k" + i, "v");
        }
        while (keyspace.rehashStep(1_000_000L))
        {
            assertEquals(100_000, keyspace.size(0));
        }
        final long grown = table.buckets();
        assertEquals(131_072, grown);
        for (int i = 0; i < 99_000; i++)
        {
            assertTrue(keyspace.delete(0, key("k" + i), 0, ("k" + i).length(), NOW_MS));
        }
        while (keyspace.rehashStep(1_000_000L))
        {
            assertEquals(1000, keyspace.size(0));
        }
        assertTrue(table.buckets() < grown / 8, "shrunk to " + table.buckets());
        assertEquals(table.buckets() * OffHeapTable.BUCKET_LENGTH * 1 + 15L * 16 * OffHeapTable.BUCKET_LENGTH,
            keyspace.memoryStats().tableBytes());
        for (int i = 99_000; i < 100_000; i++)
        {
            assertEquals("v", value("k" + i));
        }
    }

    @Test
    void scanReturnsEveryKeyPresentThroughoutAcrossGrowthAndShrink()
    {
        keyspace = new Keyspace(new StoreConfig().initialBuckets(16));
        final OffHeapTable table = keyspace.table(0);
        for (int i = 0; i < 5000; i++)
        {
            put("stay" + i, "v");
        }
        table.completeResize();
        final Set<String> seen = new HashSet<>();
        int resizingSteps = 0;
        int churn = 0;
        long cursor = 0;
        do
        {
            cursor = keyspace.scan(0, cursor, 5, entry -> seen.add(key(entry)), NOW_MS);
            resizingSteps += table.isMoving() ? 1 : 0;
            // Churn between scan calls: first grow the table several times, then shrink it back.
            if (churn < 60_000)
            {
                for (int i = 0; i < 400; i++, churn++)
                {
                    put("temp" + churn, "t");
                }
            }
            else if (keyspace.size(0) > 5000)
            {
                for (int i = 0; i < 1200 && keyspace.size(0) > 5000; i++)
                {
                    final int k = (int)(keyspace.size(0) - 5001);
                    assertTrue(keyspace.delete(0, key("temp" + k), 0, ("temp" + k).length(), NOW_MS));
                }
            }
        }
        while (cursor != 0);
        assertTrue(resizingSteps > 10, "scan steps taken while resizing: " + resizingSteps);
        for (int i = 0; i < 5000; i++)
        {
            assertTrue(seen.contains("stay" + i), "missed stay" + i);
        }
        for (final String name : seen)
        {
            assertTrue(name.startsWith("stay") || name.startsWith("temp"), name);
        }
    }

    @Test
    void randomEntryReachesEveryKeyDuringAResize()
    {
        keyspace = new Keyspace(new StoreConfig().initialBuckets(64));
        for (int i = 0; i < 65; i++)
        {
            put("k" + i, "v");
        }
        assertTrue(keyspace.table(0).isResizing());
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20_000 && seen.size() < 65; i++)
        {
            final long entry = keyspace.randomEntry(0, NOW_MS);
            assertNotEquals(NOT_FOUND, entry);
            seen.add(key(entry));
        }
        assertEquals(65, seen.size());
    }

    @Test
    void sampleEntriesReachesEveryKeyDuringAResize()
    {
        keyspace = new Keyspace(new StoreConfig().initialBuckets(64));
        final long[] sample = new long[5];
        assertEquals(0, keyspace.table(0).sampleEntries(sample, 5), "an empty table has nothing to sample");
        for (int i = 0; i < 65; i++)
        {
            put("k" + i, "v");
        }
        assertTrue(keyspace.table(0).isResizing());
        final Set<String> seen = new HashSet<>();
        for (int round = 0; round < 20_000 && seen.size() < 65; round++)
        {
            assertEquals(5, keyspace.table(0).sampleEntries(sample, 5));
            for (int i = 0; i < 5; i++)
            {
                assertEquals(sample[i], keyspace.lookup(0, key(key(sample[i])), 0, key(sample[i]).length()));
                seen.add(key(sample[i]));
            }
        }
        assertEquals(65, seen.size());
    }

    @Test
    void sampleEntriesFindsTheOneKeyOfASparseTable()
    {
        keyspace = new Keyspace(new StoreConfig().initialBuckets(1 << 16));
        put("only", "v");
        final long[] sample = new long[5];
        assertEquals(5, keyspace.table(0).sampleEntries(sample, 5));
        for (int i = 0; i < 5; i++)
        {
            assertEquals("only", key(sample[i]), "the walk's find, then random buckets' repeats");
        }
        put("other", "v");
        final long[] large = new long[64];
        for (int round = 0; round < 20; round++)
        {
            // 640 buckets walked of 65,536 rarely meet both keys; the random top-up does (1 in 2^63 to miss one).
            assertEquals(64, keyspace.table(0).sampleEntries(large, 64));
            final Set<String> seen = new HashSet<>();
            for (final long entry : large)
            {
                seen.add(key(entry));
            }
            assertEquals(Set.of("only", "other"), seen);
        }
    }

    @Test
    void findByStoredHashFindsTheEntryFiledUnderIt()
    {
        keyspace = new Keyspace(new StoreConfig().initialBuckets(64));
        for (int i = 0; i < 100; i++)
        {
            put("k" + i, "v");
        }
        for (int i = 0; i < 100; i++)
        {
            final long entry = keyspace.lookup(0, key("k" + i), 0, ("k" + i).length());
            assertEquals(entry, keyspace.table(0).findByStoredHash(OffHeapTable.storedHash(entry)), "k" + i);
        }
        final long gone = keyspace.lookup(0, key("k7"), 0, 2);
        final long hash = OffHeapTable.storedHash(gone);
        keyspace.delete(0, key("k7"), 0, 2);
        assertEquals(0, keyspace.table(0).findByStoredHash(hash));
    }

    @Test
    void hashSpreadsShortKeys()
    {
        // Low bits pick the bucket: sequential keys must fill buckets evenly.
        final int buckets = 1 << 16;
        final int[] counts = new int[buckets];
        for (int i = 0; i < buckets; i++)
        {
            final byte[] k = ("user:" + i).getBytes(StandardCharsets.US_ASCII);
            counts[(int)(KeyHash.hashBytes(k, org.agrona.BufferUtil.ARRAY_BASE_OFFSET, k.length) & (buckets - 1))]++;
        }
        int empty = 0;
        int max = 0;
        for (final int c : counts)
        {
            empty += c == 0 ? 1 : 0;
            max = Math.max(max, c);
        }
        // A uniform hash leaves 1/e of the buckets empty (36.8%) and the longest chain near 8.
        assertTrue(empty > buckets * 0.35 && empty < buckets * 0.39, "empty buckets " + empty);
        assertTrue(max <= 12, "longest chain " + max);
    }

    private void put(final String key, final String value)
    {
        final byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
        final long entry = keyspace.put(0, key(key), 0, key.length(), ValueType.STRING, ValueEncoding.STRING_RAW,
            valueBytes.length, NO_EXPIRY);
        flyweight.wrap(entry).buffer().putBytes(flyweight.valueOffset(), valueBytes);
    }

    private String value(final String key)
    {
        final long entry = keyspace.find(0, key(key), 0, key.length(), NOW_MS);
        if (entry == NOT_FOUND)
        {
            return null;
        }
        flyweight.wrap(entry);
        return flyweight.buffer().getStringWithoutLengthUtf8(flyweight.valueOffset(), flyweight.valueLength());
    }

    private String key(final long entry)
    {
        flyweight.wrap(entry);
        return flyweight.buffer().getStringWithoutLengthUtf8(flyweight.keyOffset(), flyweight.keyLength());
    }

    private static UnsafeBuffer key(final String key)
    {
        return new UnsafeBuffer(key.getBytes(StandardCharsets.UTF_8));
    }
}
