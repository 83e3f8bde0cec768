package io.ringkv.core.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.ringkv.core.store.Keyspace.NOT_FOUND;
import static io.ringkv.core.store.Keyspace.NO_EXPIRY;
import static io.ringkv.core.store.Keyspace.OUT_OF_MEMORY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyspaceTest
{
    private static final long NOW_MS = 1_700_000_000_000L;

    private final EntryFlyweight flyweight = new EntryFlyweight();
    private Keyspace keyspace = new Keyspace(new StoreConfig());

    @org.junit.jupiter.api.BeforeEach
    void setClock()
    {
        keyspace.clock(NOW_MS);
    }

    @AfterEach
    void close()
    {
        keyspace.close();
    }

    @Test
    void putThenFindReturnsKeyValueAndMetadata()
    {
        final long entry = set(0, "alpha", "one", NO_EXPIRY);
        assertNotEquals(NOT_FOUND, entry);
        assertTrue(entry > 0);

        final long found = keyspace.find(0, key("alpha"), 0, 5, NOW_MS);
        assertEquals(entry, found);
        flyweight.wrap(found);
        assertEquals("alpha", keyOf(found));
        assertEquals("one", valueOf(found));
        assertEquals(ValueType.STRING, flyweight.type());
        assertEquals(ValueEncoding.STRING_RAW, flyweight.encoding());
        assertEquals(NO_EXPIRY, flyweight.expireAtMs());
        assertEquals(EntryDescriptor.lruClock(NOW_MS), flyweight.lruClock());
        assertEquals(EntryDescriptor.LFU_INIT_VALUE + 1, flyweight.lfuCounter(), "first access always counts");
        assertEquals(1, keyspace.size(0));
        assertEquals(0, keyspace.size(1));
        assertEquals(NOT_FOUND, keyspace.find(1, key("alpha"), 0, 5, NOW_MS));
        assertEquals(NOT_FOUND, keyspace.find(0, key("alph"), 0, 4, NOW_MS));
    }

    @Test
    void reserveSizesTheTableSoThatTheKeysNeverMakeItResize()
    {
        keyspace.reserve(0, 5000);
        assertFalse(keyspace.isResizing(), "the reservation is done at once");
        for (int i = 0; i < 5000; i++)
        {
            set(0, "key:" + i, "v", NO_EXPIRY);
            assertFalse(keyspace.isResizing(), "no resize for key " + i);
        }
        assertEquals(5000, keyspace.size(0));
        assertEquals("v", valueOf(keyspace.find(0, key("key:4999"), 0, 8, NOW_MS)));
        keyspace.reserve(0, 10); // smaller than the table: nothing
        assertFalse(keyspace.isResizing());
        // Without the reservation the same keys make the table grow, step by step.
        boolean resized = false;
        for (int i = 0; i < 5000 && !resized; i++)
        {
            set(1, "key:" + i, "v", NO_EXPIRY);
            resized = keyspace.isResizing();
        }
        assertTrue(resized);
    }

    @Test
    void accessesKeepRedisStyleLruClockAndLogarithmicDecayingLfuCounter()
    {
        final long entry = set(0, "hot", "v", NO_EXPIRY);
        assertEquals(EntryDescriptor.LFU_INIT_VALUE, flyweight.wrap(entry).lfuCounter());
        assertEquals(EntryDescriptor.lruClock(NOW_MS), flyweight.lruClock(), "put stamps the engine's clock");
        for (int i = 0; i < 1000; i++)
        {
            keyspace.find(0, key("hot"), 0, 3, NOW_MS);
        }
        // Redis's lfu-log-factor 10 table: about 18 after 1000 hits.
        final int counter = flyweight.wrap(entry).lfuCounter();
        assertTrue(counter >= 12 && counter <= 30, "counter " + counter);

        flyweight.lfuCounter(20);
        final long fiveMinutesLater = NOW_MS + 5 * 60_000;
        keyspace.find(0, key("hot"), 0, 3, fiveMinutesLater);
        final int decayed = flyweight.wrap(entry).lfuCounter();
        assertTrue(decayed == 15 || decayed == 16, "one per idle minute, then maybe one up: " + decayed);
        assertEquals(EntryDescriptor.lruClock(fiveMinutesLater), flyweight.lruClock());

        keyspace.peek(0, key("hot"), 0, 3, fiveMinutesLater + 60_000);
        assertEquals(EntryDescriptor.lruClock(fiveMinutesLater), flyweight.wrap(entry).lruClock(), "peek: no touch");
    }

    @Test
    void keysAreReadFromAnyOffsetOfHeapOrOffHeapBuffers()
    {
        set(3, "kk", "v", NO_EXPIRY);
        final byte[] bytes = "xxkkyy".getBytes(StandardCharsets.US_ASCII);
        assertNotEquals(NOT_FOUND, keyspace.find(3, new UnsafeBuffer(bytes), 2, 2, NOW_MS));
        final UnsafeBuffer direct = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(6));
        direct.putBytes(0, bytes);
        assertNotEquals(NOT_FOUND, keyspace.find(3, direct, 2, 2, NOW_MS));
    }

    @Test
    void replaceKeepsOneKeyAndTakesNewValueTypeAndExpiry()
    {
        set(0, "k", "short", NOW_MS + 1000);
        assertEquals(1, keyspace.expiresSize(0));
        final String longValue = "x".repeat(1000);
        final long entry = set(0, "k", longValue, NO_EXPIRY);
        assertEquals(1, keyspace.size(0));
        assertEquals(0, keyspace.expiresSize(0));
        assertEquals(longValue, valueOf(keyspace.find(0, key("k"), 0, 1, NOW_MS)));
        assertEquals(entry, keyspace.find(0, key("k"), 0, 1, NOW_MS));

        final long again = set(0, "k", "tiny", NOW_MS + 5);
        assertEquals(1, keyspace.expiresSize(0));
        assertEquals(NOW_MS + 5, flyweight.wrap(again).expireAtMs());
        assertEquals("tiny", valueOf(keyspace.find(0, key("k"), 0, 1, NOW_MS)));
    }

    @Test
    void emptyKeyAndEmptyValueAreKeys()
    {
        final long entry = set(0, "", "", NO_EXPIRY);
        assertNotEquals(NOT_FOUND, entry);
        assertEquals(entry, keyspace.find(0, key(""), 0, 0, NOW_MS));
        assertEquals(0, flyweight.wrap(entry).keyLength());
        assertEquals(0, flyweight.valueLength());
        set(0, "a", "", NO_EXPIRY);
        assertEquals(2, keyspace.size(0));
        assertTrue(keyspace.delete(0, key(""), 0, 0, NOW_MS));
        assertEquals(NOT_FOUND, keyspace.find(0, key(""), 0, 0, NOW_MS));
        assertNotEquals(NOT_FOUND, keyspace.find(0, key("a"), 0, 1, NOW_MS));
    }

    @Test
    void binaryKeysOfEveryByteValue()
    {
        final byte[] all = new byte[256];
        for (int i = 0; i < 256; i++)
        {
            all[i] = (byte)i;
        }
        for (int length = 0; length <= 256; length++)
        {
            final long entry = keyspace.put(
                1, new UnsafeBuffer(all), 0, length, ValueType.STRING, ValueEncoding.STRING_RAW, 1, NO_EXPIRY);
            flyweight.wrap(entry).buffer().putByte(flyweight.valueOffset(), (byte)length);
        }
        assertEquals(257, keyspace.size(1));
        for (int length = 0; length <= 256; length++)
        {
            final long entry = keyspace.find(1, new UnsafeBuffer(all), 0, length, NOW_MS);
            assertNotEquals(NOT_FOUND, entry);
            flyweight.wrap(entry);
            assertEquals(length, flyweight.keyLength());
            final byte[] keyBytes = new byte[length];
            flyweight.buffer().getBytes(flyweight.keyOffset(), keyBytes);
            assertArrayEquals(java.util.Arrays.copyOf(all, length), keyBytes);
            assertEquals((byte)length, flyweight.buffer().getByte(flyweight.valueOffset()));
        }
    }

    @Test
    void resizeValueKeepsPrefixAndMayMove()
    {
        final long entry = set(0, "r", "abc", NO_EXPIRY);
        final int sameClassLength = (int)(SlabAllocator.blockLength(EntryDescriptor.entryLength(1, 3)) -
            EntryDescriptor.entryLength(1, 0));
        final long same = keyspace.resizeValue(0, entry, sameClassLength);
        assertEquals(entry, same, "same size class resizes in place");
        assertEquals(sameClassLength, flyweight.wrap(same).valueLength());
        assertEquals("abc", valueOf(same).substring(0, 3));

        keyspace.expireAt(same, NOW_MS + 100);
        final long moved = keyspace.resizeValue(0, same, 10_000);
        flyweight.wrap(moved);
        assertEquals(10_000, flyweight.valueLength());
        assertEquals("abc", valueOf(moved).substring(0, 3));
        assertEquals(NOW_MS + 100, flyweight.expireAtMs());
        assertEquals(moved, keyspace.find(0, key("r"), 0, 1, NOW_MS));
        assertEquals(1, keyspace.expiresSize(0));

        final long shrunk = keyspace.resizeValue(0, moved, 2);
        assertEquals("ab", valueOf(shrunk));
        assertEquals(shrunk, keyspace.find(0, key("r"), 0, 1, NOW_MS));
        keyspace.delete(0, shrunk);
        assertEquals(0, keyspace.expiresSize(0));
        assertEquals(0, keyspace.memoryStats().keyValueBytes());
        assertEquals(0, keyspace.memoryStats().allocatorRequestedBytes());
    }

    @Test
    void expiryBoundaryFollowsRedisKeyIsExpired()
    {
        final List<String> expired = new ArrayList<>();
        keyspace.expiredKeyListener((db, key, offset, length) ->
        {
            assertEquals(2, db);
            expired.add(key.getStringWithoutLengthAscii(offset, length));
        });
        final long expireAtMs = NOW_MS + 10;
        set(2, "ttl", "v", expireAtMs);
        assertEquals(1, keyspace.expiresSize(2));
        assertNotEquals(NOT_FOUND, keyspace.find(2, key("ttl"), 0, 3, expireAtMs), "alive at now == expireAt");
        assertTrue(expired.isEmpty());
        assertEquals(NOT_FOUND, keyspace.find(2, key("ttl"), 0, 3, expireAtMs + 1), "expired at now > expireAt");
        assertEquals(List.of("ttl"), expired);
        assertEquals(0, keyspace.size(2));
        assertEquals(0, keyspace.expiresSize(2));
    }

    @Test
    void deleteOfExpiredKeyReportsAbsentAndTellsListener()
    {
        final int[] told = new int[1];
        keyspace.expiredKeyListener((db, key, offset, length) -> told[0]++);
        set(0, "gone", "v", NOW_MS);
        assertFalse(keyspace.delete(0, key("gone"), 0, 4, NOW_MS + 1));
        assertEquals(1, told[0]);
        assertEquals(0, keyspace.size(0));
        set(0, "here", "v", NOW_MS + 10);
        assertTrue(keyspace.delete(0, key("here"), 0, 4, NOW_MS));
        assertFalse(keyspace.delete(0, key("here"), 0, 4, NOW_MS));
        assertEquals(1, told[0]);
    }

    @Test
    void putTellsOfKeysItCreatesAndReclaimsAnExpiredOneFirst()
    {
        final List<String> told = new ArrayList<>();
        keyspace.expiredKeyListener((db, key, offset, length) ->
            told.add("expired " + db + " " + key.getStringWithoutLengthAscii(offset, length)));
        keyspace.createdKeyListener((db, key, offset, length) ->
            told.add("created " + db + " " + key.getStringWithoutLengthAscii(offset, length)));
        set(1, "k", "v", NOW_MS + 10);
        set(1, "k", "longer value than before, in another size class", NOW_MS + 10);
        set(1, "k", "v", NO_EXPIRY);
        assertEquals(List.of("created 1 k"), told, "a replaced live key is not created");
        set(1, "t", "v", NOW_MS + 10);
        keyspace.clock(NOW_MS + 11);
        set(1, "t", "w", NO_EXPIRY);
        assertEquals(List.of("created 1 k", "created 1 t", "expired 1 t", "created 1 t"), told);
        assertEquals(1, keyspace.expiredKeys());
        assertEquals(2, keyspace.size(1));
        assertEquals(0, keyspace.expiresSize(1));
        keyspace.replicaExpiry(true);
        set(1, "r", "v", NOW_MS + 10);
        keyspace.clock(NOW_MS + 20);
        set(1, "r", "w", NO_EXPIRY);
        assertEquals(List.of("created 1 k", "created 1 t", "expired 1 t", "created 1 t", "created 1 r"), told,
            "a replica replaces the key, never expires it");
    }

    @Test
    void persistAndExpireAtMaintainExpiryIndex()
    {
        final long a = set(0, "a", "1", NO_EXPIRY);
        final long b = set(0, "b", "2", NO_EXPIRY);
        keyspace.expireAt(a, NOW_MS + 1);
        keyspace.expireAt(b, NOW_MS + 1);
        assertEquals(2, keyspace.expiresSize(0));
        keyspace.expireAt(a, NO_EXPIRY);
        assertEquals(1, keyspace.expiresSize(0));
        assertEquals(NO_EXPIRY, flyweight.wrap(a).expireAtMs());
        keyspace.expireAt(b, NOW_MS + 2);
        assertEquals(1, keyspace.expiresSize(0));
        assertEquals(1, keyspace.activeExpireCycle(NOW_MS + 3, 1_000_000_000L));
        assertEquals(1, keyspace.size(0));
        assertNotEquals(NOT_FOUND, keyspace.find(0, key("a"), 0, 1, NOW_MS + 3));
    }

    @Test
    void activeExpireCycleRemovesExpiredKeysAcrossDatabases()
    {
        final Set<String> told = new HashSet<>();
        keyspace.expiredKeyListener((db, key, offset, length) ->
            assertTrue(told.add(db + ":" + key.getStringWithoutLengthAscii(offset, length))));
        for (int i = 0; i < 1000; i++)
        {
            set(i % 3, "k" + i, "v", i % 2 == 0 ? NOW_MS : NOW_MS + 1_000_000);
        }
        int expired = 0;
        for (int i = 0; i < 100 && expired < 500; i++)
        {
            expired += keyspace.activeExpireCycle(NOW_MS + 1, 100_000_000L);
        }
        assertEquals(500, expired);
        assertEquals(500, told.size());
        assertEquals(500, keyspace.size(0) + keyspace.size(1) + keyspace.size(2));
        assertEquals(500, keyspace.expiresSize(0) + keyspace.expiresSize(1) + keyspace.expiresSize(2));
        assertEquals(0, keyspace.activeExpireCycle(NOW_MS + 1, 100_000_000L));
    }

    @Test
    void activeExpireCycleStopsAtItsBudgetAndResumesWhereItStopped()
    {
        for (int i = 0; i < 1000; i++)
        {
            set(0, "future" + i, "v", NOW_MS + 1_000_000);
            set(1, "past" + i, "v", NOW_MS);
        }
        // A zero budget allows one sample loop: db 0's keys are all alive, so nothing expires...
        assertEquals(0, keyspace.activeExpireCycle(NOW_MS + 1, 0));
        // ...and the next call resumes with db 1 instead of starting over at db 0.
        final int expired = keyspace.activeExpireCycle(NOW_MS + 1, 0);
        assertEquals(Keyspace.ACTIVE_EXPIRE_KEYS_PER_LOOP, expired);
        assertEquals(1000 - expired, keyspace.size(1));
        int total = expired;
        for (int i = 0; i < 1000 && total < 1000; i++)
        {
            total += keyspace.activeExpireCycle(NOW_MS + 1, 0);
        }
        assertEquals(1000, total);
        assertEquals(0, keyspace.size(1));
        assertEquals(1000, keyspace.size(0));
    }

    @Test
    void randomEntryNeverReturnsExpiredKeys()
    {
        for (int i = 0; i < 200; i++)
        {
            set(0, "k" + i, "v", i < 190 ? NOW_MS : NO_EXPIRY);
        }
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < 500; i++)
        {
            final long entry = keyspace.randomEntry(0, NOW_MS + 1);
            assertNotEquals(NOT_FOUND, entry);
            assertEquals(NO_EXPIRY, flyweight.wrap(entry).expireAtMs());
            seen.add(keyOf(entry));
        }
        assertEquals(10, seen.size());
        assertEquals(10, keyspace.size(0));
        assertEquals(NOT_FOUND, keyspace.randomEntry(5, NOW_MS));
        for (int i = 190; i < 200; i++)
        {
            keyspace.expireAt(keyspace.find(0, key("k" + i), 0, ("k" + i).length(), NOW_MS), NOW_MS);
        }
        assertEquals(NOT_FOUND, keyspace.randomEntry(0, NOW_MS + 1));
        assertEquals(0, keyspace.size(0));
    }

    @Test
    void scanVisitsEveryKeyOnceWithoutResize()
    {
        for (int i = 0; i < 5000; i++)
        {
            set(4, "k" + i, "v", NO_EXPIRY);
        }
        keyspace.table(4).completeResize();
        final List<String> seen = new ArrayList<>();
        long cursor = 0;
        do
        {
            cursor = keyspace.scan(4, cursor, 10, entry -> seen.add(keyOf(entry)), NOW_MS);
        }
        while (cursor != 0);
        assertEquals(5000, seen.size());
        assertEquals(5000, new HashSet<>(seen).size());
    }

    @Test
    void flushFreesOneDatabaseAndFlushAllReleasesMemory()
    {
        for (int i = 0; i < 10_000; i++)
        {
            set(i % 2, "key:" + i, "value-" + i, i % 5 == 0 ? NOW_MS + 1000 : NO_EXPIRY);
        }
        assertEquals(5000, keyspace.size(0));
        keyspace.flush(0);
        assertEquals(0, keyspace.size(0));
        assertEquals(0, keyspace.expiresSize(0));
        assertEquals(5000, keyspace.size(1));
        assertEquals(1000, keyspace.expiresSize(1));
        assertEquals(NOT_FOUND, keyspace.find(0, key("key:0"), 0, 5, NOW_MS));
        assertEquals("value-1", valueOf(keyspace.find(1, key("key:1"), 0, 5, NOW_MS)));
        final MemoryStats stats = keyspace.memoryStats();
        assertEquals(5000, stats.keys());
        assertTrue(stats.allocatorReservedBytes() > 0);

        keyspace.flushAll();
        final MemoryStats after = keyspace.memoryStats();
        assertEquals(0, after.keys());
        assertEquals(0, after.allocatorReservedBytes());
        assertEquals(0, after.keyValueBytes());
        assertEquals(0, after.expiryIndexBytes());
        assertEquals(16L * StoreConfig.INITIAL_BUCKETS_DEFAULT * OffHeapTable.BUCKET_LENGTH, after.tableBytes());
        assertEquals(0, keyspace.size(1));
        set(1, "again", "works", NO_EXPIRY);
        assertEquals("works", valueOf(keyspace.find(1, key("again"), 0, 5, NOW_MS)));
    }

    @Test
    void memoryBudgetRefusesWritesAndChangesNothingThenRecoversAfterDeletes()
    {
        keyspace.close();
        keyspace = new Keyspace(new StoreConfig().maxMemoryBytes(256 * 1024).pageSizeBytes(4096));
        int stored = 0;
        long last;
        while ((last = set(0, "k" + stored, "v".repeat(100), NO_EXPIRY)) != OUT_OF_MEMORY)
        {
            stored++;
        }
        assertTrue(stored > 100, "stored " + stored);
        assertEquals(OUT_OF_MEMORY, last);
        assertEquals(stored, keyspace.size(0));
        assertTrue(keyspace.usedMemoryBytes() <= 256 * 1024);
        assertEquals(NOT_FOUND, keyspace.find(0, key("k" + stored), 0, ("k" + stored).length(), NOW_MS));

        // Growing an existing value into a class with no free block fails and leaves it as it was.
        final long first = keyspace.find(0, key("k0"), 0, 2, NOW_MS);
        assertEquals(OUT_OF_MEMORY, keyspace.resizeValue(0, first, 100_000));
        assertEquals("v".repeat(100), valueOf(keyspace.find(0, key("k0"), 0, 2, NOW_MS)));
        assertEquals(OUT_OF_MEMORY, set(0, "k0", "w".repeat(100_000), NO_EXPIRY));
        assertEquals("v".repeat(100), valueOf(keyspace.find(0, key("k0"), 0, 2, NOW_MS)));
        assertEquals(stored, keyspace.size(0));

        // Reads work and deletes free room for new writes of the same size.
        for (int i = 0; i < 10; i++)
        {
            assertTrue(keyspace.delete(0, key("k" + i), 0, ("k" + i).length(), NOW_MS));
        }
        for (int i = 0; i < 10; i++)
        {
            assertNotEquals(OUT_OF_MEMORY, set(0, "n" + i, "v".repeat(100), NO_EXPIRY));
        }
        assertEquals(stored, keyspace.size(0));
        assertEquals(OUT_OF_MEMORY, set(0, "k" + stored, "v".repeat(100), NO_EXPIRY));
    }

    @Test
    void rejectsValueLengthsOutOfRange()
    {
        assertThrows(IllegalArgumentException.class, () ->
            keyspace.put(0, key("k"), 0, 1, ValueType.STRING, ValueEncoding.STRING_RAW, -1, NO_EXPIRY));
        assertThrows(IllegalArgumentException.class, () -> keyspace.put(
            0, key("k"), 0, 1, ValueType.STRING, ValueEncoding.STRING_RAW, 512 * 1024 * 1024 + 1, NO_EXPIRY));
        assertEquals(0, keyspace.size(0));
    }

    private long set(final int db, final String key, final String value, final long expireAtMs)
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        final byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
        final long entry = keyspace.put(db, new UnsafeBuffer(keyBytes), 0, keyBytes.length,
            ValueType.STRING, ValueEncoding.STRING_RAW, valueBytes.length, expireAtMs);
        if (entry != OUT_OF_MEMORY)
        {
            flyweight.wrap(entry).buffer().putBytes(flyweight.valueOffset(), valueBytes);
        }
        return entry;
    }

    private static UnsafeBuffer key(final String key)
    {
        return new UnsafeBuffer(key.getBytes(StandardCharsets.UTF_8));
    }

    private String keyOf(final long entry)
    {
        flyweight.wrap(entry);
        return flyweight.buffer().getStringWithoutLengthUtf8(flyweight.keyOffset(), flyweight.keyLength());
    }

    private String valueOf(final long entry)
    {
        flyweight.wrap(entry);
        return flyweight.buffer().getStringWithoutLengthUtf8(flyweight.valueOffset(), flyweight.valueLength());
    }
}
