package io.ringkv.core.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.ringkv.core.store.Keyspace.NOT_FOUND;
import static io.ringkv.core.store.Keyspace.NO_EXPIRY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A value of Redis's maximum size (512 MiB) lives off-heap: surefire runs with -Xmx1g, so a heap copy of it plus
 * the test's own buffers would not fit.
 */
class LargeValueTest
{
    private static final int MAX_VALUE = 512 * 1024 * 1024;

    @Test
    void storesReadsResizesAndFreesA512MiBValue()
    {
        final long heapBefore = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        try (Keyspace keyspace = new Keyspace(new StoreConfig()))
        {
            final UnsafeBuffer key = new UnsafeBuffer("big".getBytes(StandardCharsets.US_ASCII));
            final long entry = keyspace.put(0, key, 0, 3, ValueType.STRING, ValueEncoding.STRING_RAW, MAX_VALUE,
                NO_EXPIRY);
            assertTrue(entry > 0);
            final EntryFlyweight flyweight = new EntryFlyweight().wrap(entry);
            final UnsafeBuffer buffer = flyweight.buffer();
            final int valueOffset = flyweight.valueOffset();
            assertEquals(MAX_VALUE, flyweight.valueLength());
            for (long i = 0; i < MAX_VALUE; i += Long.BYTES)
            {
                buffer.putLong(valueOffset + (int)i, i * 31);
            }
            final long heapWhileStored = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            assertTrue(heapWhileStored - heapBefore < 64 * 1024 * 1024, "value is not on the heap");

            final long found = keyspace.find(0, key, 0, 3, 0);
            assertEquals(entry, found);
            flyweight.wrap(found);
            for (long i = 0; i < MAX_VALUE; i += 4096 * 8 + 8)
            {
                assertEquals(i * 31, buffer.getLong(valueOffset + (int)i));
            }
            assertEquals((MAX_VALUE - 8L) * 31, buffer.getLong(valueOffset + MAX_VALUE - 8));
            final MemoryStats stats = keyspace.memoryStats();
            assertEquals(EntryDescriptor.entryLength(3, MAX_VALUE), stats.hugeBytes());
            assertTrue(stats.usedMemoryBytes() > MAX_VALUE);

            // SETRANGE-style shrink keeps the prefix; the huge block is replaced and the old one freed.
            final long shrunk = keyspace.resizeValue(0, found, 1024);
            flyweight.wrap(shrunk);
            assertEquals(1024, flyweight.valueLength());
            assertEquals(100L * 8 * 31, buffer.getLong(flyweight.valueOffset() + 800));
            assertEquals(0, keyspace.memoryStats().hugeBytes());

            assertTrue(keyspace.delete(0, key, 0, 3, 0));
            assertEquals(NOT_FOUND, keyspace.find(0, key, 0, 3, 0));
            assertEquals(0, keyspace.memoryStats().keyValueBytes());
        }
    }
}
