package io.ringkv.core.store;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Element tables of large collections against Java's HashMap and HashSet, across resizes both ways, and the value
 * model's one release path: deleting, replacing, unlinking, expiring or flushing a key whose value is a table gives
 * all of its memory back.
 */
class ElementTablesTest
{
    private static final long NOW_MS = 1_700_000_000_000L;

    private final Keyspace keyspace = new Keyspace(new StoreConfig());
    private final ElementTables tables = keyspace.elementTables();

    @AfterEach
    void close()
    {
        keyspace.close();
    }

    @Test
    void hashTableBehavesAsAHashMapAcrossGrowthAndShrinking()
    {
        final int id = tables.create(true);
        final Map<String, String> model = new HashMap<>();
        final Random random = new Random(42);
        for (int op = 0; op < 400_000; op++)
        {
            // The key space widens then narrows, so the table grows to thousands of buckets and shrinks back.
            final int range = op < 200_000 ? 1 + op / 20 : Math.max(1, (400_000 - op) / 20);
            final String field = "f" + random.nextInt(range);
            final UnsafeBuffer key = bytes(field);
            switch (random.nextInt(4))
            {
                case 0, 1 ->
                {
                    final String value = "v".repeat(random.nextInt(40)) + op;
                    final long element = tables.put(id, key, 0, key.capacity(), value.length());
                    assertTrue(element > 0);
                    final byte[] valueBytes = value.getBytes(StandardCharsets.US_ASCII);
                    UnsafeApi.copyMemory(valueBytes, org.agrona.BufferUtil.ARRAY_BASE_OFFSET, null,
                        element + ElementDescriptor.valueOffset(key.capacity()), valueBytes.length);
                    model.put(field, value);
                }
                case 2 -> assertEquals(model.remove(field) != null, tables.delete(id, key, 0, key.capacity()));
                default ->
                {
                    final long element = tables.find(id, key, 0, key.capacity());
                    assertEquals(model.get(field), element == 0 ? null : valueOf(id, element));
                }
            }
            assertEquals(model.size(), tables.size(id));
        }
        final Map<String, String> walked = new HashMap<>();
        tables.forEach(id, element -> walked.put(keyOf(element), valueOf(id, element)));
        assertEquals(model, walked);
    }

    @Test
    void setTableBehavesAsAHashSetAndScanReturnsEveryMemberAcrossResizes()
    {
        final int id = tables.create(false);
        final Set<String> model = new HashSet<>();
        for (int i = 0; i < 50_000; i++)
        {
            final UnsafeBuffer key = bytes("m" + i);
            assertTrue(tables.put(id, key, 0, key.capacity(), ElementTables.NO_VALUE) > 0);
            model.add("m" + i);
        }
        final Set<String> scanned = new HashSet<>();
        long cursor = 0;
        int calls = 0;
        do
        {
            cursor = tables.scan(id, cursor, 10, element -> scanned.add(keyOf(element)));
            // Members added while the scan runs make the table resize under it.
            if (calls++ % 50 == 0)
            {
                final UnsafeBuffer key = bytes("late" + calls);
                tables.put(id, key, 0, key.capacity(), ElementTables.NO_VALUE);
            }
        }
        while (cursor != 0);
        assertTrue(scanned.containsAll(model), "every member present for the whole scan is returned");
        assertEquals(ElementTables.NO_VALUE, tables.valueLengthOf(id, tables.randomElement(id)));
    }

    @Test
    void deletingReplacingAndFlushingATableValuedKeyGivesItsMemoryBack()
    {
        final long baseline = keyspace.memoryStats().allocatorUsedBytes();
        final long bucketBaseline = keyspace.memoryStats().tableBytes();

        putTableKey(0, "a", 10_000);
        assertTrue(keyspace.memoryStats().allocatorUsedBytes() - baseline > 10_000 * 16);
        final long a = keyspace.find(0, bytes("a"), 0, 1, NOW_MS);
        assertTrue(keyspace.memoryUsage(a) > 10_000 * 24, "MEMORY USAGE counts the elements");
        keyspace.delete(0, a);
        assertEquals(baseline, keyspace.memoryStats().allocatorUsedBytes(), "DEL frees every element at once");
        assertEquals(bucketBaseline, keyspace.memoryStats().tableBytes());

        putTableKey(0, "b", 5_000);
        final UnsafeBuffer b = bytes("b");
        keyspace.put(0, b, 0, 1, ValueType.STRING, ValueEncoding.STRING_RAW, 3, Keyspace.NO_EXPIRY);
        assertEquals(SlabAllocator.blockLength(EntryDescriptor.entryLength(1, 3)),
            keyspace.memoryStats().allocatorUsedBytes() - baseline, "a replaced value's table is freed");
        keyspace.delete(0, b, 0, 1);

        putTableKey(3, "c", 5_000);
        keyspace.flushAll();
        assertEquals(0, keyspace.memoryStats().allocatorUsedBytes());
        assertEquals(bucketBaseline, keyspace.memoryStats().tableBytes());
    }

    @Test
    void unlinkAndExpiryFreeLargeValuesABoundedNumberOfElementsAtATime()
    {
        final long baseline = keyspace.memoryStats().allocatorUsedBytes();
        putTableKey(0, "big", 100_000);
        final long entry = keyspace.find(0, bytes("big"), 0, 3, NOW_MS);
        keyspace.unlink(0, entry);
        assertEquals(Keyspace.NOT_FOUND, keyspace.find(0, bytes("big"), 0, 3, NOW_MS), "the key goes at once");
        assertEquals(1, tables.droppedTables());
        assertTrue(keyspace.memoryStats().allocatorUsedBytes() - baseline > 100_000 * 16, "elements not yet freed");

        int steps = 0;
        while (tables.freeStep(1))
        {
            steps++;
        }
        assertTrue(steps >= 100_000 / ElementTables.FREE_ELEMENTS_PER_STEP - 1, "freed in " + steps + " steps");
        assertEquals(baseline, keyspace.memoryStats().allocatorUsedBytes());

        putTableKey(0, "ttl", 20_000);
        keyspace.expireAt(keyspace.find(0, bytes("ttl"), 0, 3, NOW_MS), NOW_MS + 1);
        assertEquals(Keyspace.NOT_FOUND, keyspace.find(0, bytes("ttl"), 0, 3, NOW_MS + 2));
        assertEquals(1, tables.droppedTables(), "an expired large value is freed lazily");
        assertFalse(keyspace.lazyFreeStep(1_000_000_000L));
        assertEquals(baseline, keyspace.memoryStats().allocatorUsedBytes());
    }

    @Test
    void copyIsDeepAndRefusedCleanlyOverTheBudget()
    {
        final int id = tables.create(true);
        for (int i = 0; i < 1000; i++)
        {
            final UnsafeBuffer key = bytes("k" + i);
            final long element = tables.put(id, key, 0, key.capacity(), 1);
            UnsafeApi.putByte(element + ElementDescriptor.valueOffset(key.capacity()), (byte)'x');
        }
        final int copy = tables.copy(id);
        assertNotEquals(ElementTables.NO_TABLE, copy);
        assertEquals(1000, tables.size(copy));
        tables.delete(id, bytes("k1"), 0, 2);
        assertEquals("x", valueOf(copy, tables.find(copy, bytes("k1"), 0, 2)));
        assertEquals(0, tables.find(id, bytes("k1"), 0, 2));
        tables.free(copy);
        tables.free(id);

        final Keyspace small = new Keyspace(new StoreConfig().maxMemoryBytes(8L << 20).pageSizeBytes(64 * 1024));
        try
        {
            final ElementTables smallTables = small.elementTables();
            final int big = smallTables.create(true);
            long before = 0;
            for (int i = 0; ; i++)
            {
                final UnsafeBuffer key = bytes("key-" + i);
                if (smallTables.put(big, key, 0, key.capacity(), 40) == Keyspace.OUT_OF_MEMORY)
                {
                    break;
                }
                before = small.usedMemoryBytes();
            }
            assertTrue(small.overMemoryBudget());
            final long used = small.usedMemoryBytes();
            assertEquals(ElementTables.NO_TABLE, smallTables.copy(big));
            assertTrue(small.usedMemoryBytes() <= used + 64 * 1024, "a refused copy leaves nothing behind");
            assertTrue(before > 0);
        }
        finally
        {
            small.close();
        }
    }

    private void putTableKey(final int db, final String name, final int members)
    {
        final int id = tables.create(false);
        for (int i = 0; i < members; i++)
        {
            final UnsafeBuffer key = bytes(name + ":" + i);
            tables.put(id, key, 0, key.capacity(), ElementTables.NO_VALUE);
        }
        final UnsafeBuffer key = bytes(name);
        final long entry = keyspace.put(db, key, 0, key.capacity(), ValueType.SET, ValueEncoding.SET_TABLE,
            ValueEncoding.TABLE_ID_LENGTH, Keyspace.NO_EXPIRY);
        new EntryFlyweight().wrap(entry).buffer().putInt(EntryDescriptor.KEY_OFFSET + key.capacity(), id,
            java.nio.ByteOrder.nativeOrder());
    }

    private static String keyOf(final long element)
    {
        final byte[] bytes = new byte[UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET)];
        UnsafeApi.copyMemory(null, element + ElementDescriptor.KEY_OFFSET, bytes, org.agrona.BufferUtil.ARRAY_BASE_OFFSET,
            bytes.length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private String valueOf(final int id, final long element)
    {
        final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
        final byte[] bytes = new byte[tables.valueLengthOf(id, element)];
        UnsafeApi.copyMemory(null, element + ElementDescriptor.valueOffset(keyLength), bytes,
            org.agrona.BufferUtil.ARRAY_BASE_OFFSET, bytes.length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static UnsafeBuffer bytes(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }
}
