package io.ringkv.core.command;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The tracking table's bookkeeping: a key read twice by one client is one item, by two clients two; removing hands
 * back the readers once; random eviction empties the table key by key without losing count; entries are reused.
 */
class TrackingTableTest
{
    private static UnsafeBuffer key(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void remember(final TrackingTable table, final String key, final long client)
    {
        final UnsafeBuffer buffer = key(key);
        table.remember(buffer, 0, buffer.capacity(), client);
    }

    @Test
    void countsKeysAndItemsAndHandsReadersBackOnce()
    {
        final TrackingTable table = new TrackingTable();
        remember(table, "a", 1);
        remember(table, "a", 1);
        remember(table, "a", 2);
        remember(table, "bb", 1);
        assertEquals(2, table.size());
        assertEquals(3, table.items());
        final UnsafeBuffer a = key("a");
        final TrackedKey removed = table.remove(a, 0, 1);
        assertNotNull(removed);
        assertEquals(2, removed.clientCount);
        assertEquals(Set.of(1L, 2L), Set.of(removed.clients[0], removed.clients[1]));
        table.recycle(removed);
        assertNull(table.remove(a, 0, 1), "told once, then forgotten");
        assertEquals(1, table.size());
        assertEquals(1, table.items());
        remember(table, "c", 3); // reuses the recycled entry
        assertEquals(2, table.size());
        final UnsafeBuffer c = key("c");
        assertEquals(3, table.remove(c, 0, 1).clients[0]);
    }

    @Test
    void randomEvictionVisitsEveryKeyOnce()
    {
        final TrackingTable table = new TrackingTable();
        for (int i = 0; i < 500; i++)
        {
            remember(table, "key:" + i, i % 7);
        }
        final Set<String> evicted = new HashSet<>();
        long random = 12345;
        while (table.size() > 0)
        {
            random = random * 6364136223846793005L + 1442695040888963407L;
            final TrackedKey entry = table.removeRandom(random);
            evicted.add(new String(entry.bytes, 0, entry.length, StandardCharsets.UTF_8));
            table.recycle(entry);
        }
        assertEquals(500, evicted.size());
        assertEquals(0, table.items());
        assertNull(table.removeRandom(random));
    }
}
