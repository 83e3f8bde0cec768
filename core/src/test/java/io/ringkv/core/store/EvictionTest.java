package io.ringkv.core.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.ringkv.core.store.Keyspace.NOT_FOUND;
import static io.ringkv.core.store.Keyspace.NO_EXPIRY;
import static io.ringkv.core.store.Keyspace.OUT_OF_MEMORY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each maxmemory-policy's choice of victims through {@link Keyspace#makeRoom(long)}, as the dispatcher calls it
 * before a denyoom command, and a randomized model of writes over the budget.
 */
class EvictionTest
{
    private static final long NOW_MS = 1_700_000_000_000L;

    private final EntryFlyweight flyweight = new EntryFlyweight();
    private final List<String> evicted = new ArrayList<>();
    private Keyspace keyspace;

    @BeforeEach
    void open()
    {
        keyspace = new Keyspace(new StoreConfig().initialBuckets(1024).pageSizeBytes(4096));
        keyspace.clock(NOW_MS);
        // No time limit, so that each call's outcome does not depend on how warm the JIT is.
        keyspace.evictionTenacity(100);
        keyspace.evictedKeyListener((db, key, offset, length) -> evicted.add(key.getStringWithoutLengthAscii(offset,
            length)));
    }

    @AfterEach
    void close()
    {
        keyspace.close();
    }

    @Test
    void volatileTtlEvictsNearestExpiryFirstAndNeverAKeyWithoutTtl()
    {
        keyspace.evictionPolicy(EvictionPolicy.VOLATILE_TTL);
        keyspace.evictionSamples(1000);
        for (int i = 0; i < 20; i++)
        {
            set("ttl" + i, "v", NOW_MS + 1000L * (20 - i));
            set("persistent" + i, "v", NO_EXPIRY);
        }
        budgetForEvicting(3);
        assertTrue(keyspace.makeRoom(NOW_MS));
        assertTrue(evicted.size() >= 3, evicted.toString());
        for (int i = 0; i < evicted.size(); i++)
        {
            assertEquals("ttl" + (19 - i), evicted.get(i), "nearest expiry first: " + evicted);
        }
        assertEquals(evicted.size(), keyspace.evictedKeys());
    }

    @Test
    void volatilePoliciesRefuseWhenOnlyKeysWithoutTtlAreLeft()
    {
        for (final EvictionPolicy policy : new EvictionPolicy[]{
            EvictionPolicy.VOLATILE_LRU, EvictionPolicy.VOLATILE_LFU, EvictionPolicy.VOLATILE_RANDOM,
            EvictionPolicy.VOLATILE_TTL})
        {
            keyspace.flushAll();
            keyspace.maxMemoryBytes(0);
            evicted.clear();
            keyspace.evictionPolicy(policy);
            for (int i = 0; i < 50; i++)
            {
                set("p" + i, "value", NO_EXPIRY);
            }
            for (int i = 0; i < 5; i++)
            {
                set("t" + i, "value", NOW_MS + 60_000);
            }
            keyspace.maxMemoryBytes(keyspace.evictableUsedBytes() / 2);
            assertFalse(keyspace.makeRoom(NOW_MS), policy + ": nothing left to evict");
            assertEquals(5, evicted.size(), policy + " " + evicted);
            assertTrue(evicted.stream().allMatch(k -> k.startsWith("t")), policy + " " + evicted);
            for (int i = 0; i < 50; i++)
            {
                assertNotEquals(NOT_FOUND, find("p" + i), policy + " kept p" + i);
            }
            assertTrue(keyspace.overMemoryBudget());
        }
    }

    @Test
    void allkeysLfuKeepsAHotKeyThroughAFloodOfColdWrites()
    {
        keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_LFU);
        set("hot", "value", NO_EXPIRY);
        for (int i = 0; i < 200; i++)
        {
            assertNotEquals(NOT_FOUND, find("hot"));
        }
        for (int i = 0; i < 100; i++)
        {
            set("warmup" + i, "value", NO_EXPIRY);
        }
        keyspace.maxMemoryBytes(keyspace.evictableUsedBytes());
        for (int i = 0; i < 20_000; i++)
        {
            assertTrue(keyspace.makeRoom(NOW_MS));
            set("cold" + i, "value", NO_EXPIRY);
        }
        assertTrue(keyspace.evictedKeys() >= 19_000, "evicted " + keyspace.evictedKeys());
        assertNotEquals(NOT_FOUND, find("hot"), "the hot key survives");
    }

    @Test
    void allkeysTinyLfuKeepsAHotSetThroughAScanThatFlushesLru()
    {
        assertEquals(100, hotKeysLeftAfterAScan(EvictionPolicy.ALLKEYS_TINYLFU), "tinylfu keeps every hot key");
        keyspace.flushAll();
        evicted.clear();
        final int lruKept = hotKeysLeftAfterAScan(EvictionPolicy.ALLKEYS_LRU);
        assertTrue(lruKept < 10, "the same scan flushes (sampled) LRU: kept " + lruKept);
    }

    /** 100 hot keys read 20 times each among 1,000 cold ones at the budget, then a scan of 5,000 new keys. */
    private int hotKeysLeftAfterAScan(final EvictionPolicy policy)
    {
        keyspace.maxMemoryBytes(0);
        keyspace.evictionPolicy(EvictionPolicy.NOEVICTION);
        keyspace.evictionPolicy(policy);
        for (int i = 0; i < 1000; i++)
        {
            set("cold" + i, "value", NO_EXPIRY);
        }
        for (int i = 0; i < 100; i++)
        {
            set("hot" + i, "value", NO_EXPIRY);
        }
        keyspace.maxMemoryBytes(keyspace.evictableUsedBytes());
        final long later = NOW_MS + 10_000;
        keyspace.clock(later);
        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < 100; i++)
            {
                assertNotEquals(NOT_FOUND, keyspace.find(0, key("hot" + i), 0, ("hot" + i).length(), later));
            }
        }
        final long scanMs = later + 10_000;
        keyspace.clock(scanMs);
        for (int i = 0; i < 5000; i++)
        {
            assertTrue(keyspace.makeRoom(scanMs));
            set("scan" + i, "value", NO_EXPIRY);
            assertNotEquals(NOT_FOUND, keyspace.find(0, key("scan" + i), 0, ("scan" + i).length(), scanMs),
                "a SET is visible at once");
        }
        assertTrue(keyspace.evictedKeys() >= 4500, "evicted " + keyspace.evictedKeys());
        int left = 0;
        for (int i = 0; i < 100; i++)
        {
            left += keyspace.lookup(0, key("hot" + i), 0, ("hot" + i).length()) != NOT_FOUND ? 1 : 0;
        }
        return left;
    }

    @Test
    void allkeysTinyLfuAdmitsANewKeyThatBecomesHot()
    {
        keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_TINYLFU);
        for (int i = 0; i < 1000; i++)
        {
            set("old" + i, "value", NO_EXPIRY);
        }
        keyspace.maxMemoryBytes(keyspace.evictableUsedBytes());
        set("newcomer", "value", NO_EXPIRY);
        for (int i = 0; i < 10; i++)
        {
            assertNotEquals(NOT_FOUND, find("newcomer"));
        }
        for (int i = 0; i < 2000; i++)
        {
            assertTrue(keyspace.makeRoom(NOW_MS));
            set("next" + i, "value", NO_EXPIRY);
        }
        assertNotEquals(NOT_FOUND, find("newcomer"), "read 10 times since its SET, it outranks keys read once");
        assertTrue(evicted.contains("old7") || evicted.stream().filter(k -> k.startsWith("old")).count() > 500,
            "established but unread keys go too: " + evicted.size());
    }

    @Test
    void tinyLfuSketchIsCountedInTheBudgetAndFreedWhenThePolicyChanges()
    {
        final long before = keyspace.evictableUsedBytes();
        keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_TINYLFU);
        assertEquals(before + 1024 * Long.BYTES, keyspace.evictableUsedBytes(), "the sketch's 8 KiB");
        for (int i = 0; i < 3000; i++)
        {
            set("k" + i, "value", NO_EXPIRY);
        }
        assertEquals(4096 * Long.BYTES, keyspace.sketch().bytes(), "one word per key, a power of two");
        final long used = keyspace.evictableUsedBytes();
        keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_LFU);
        assertEquals(used - 4096 * Long.BYTES, keyspace.evictableUsedBytes());
        assertEquals(null, keyspace.sketch());
    }

    @Test
    void allkeysLruKeepsRecentlyUsedKeys()
    {
        keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_LRU);
        keyspace.evictionSamples(10);
        for (int i = 0; i < 100; i++)
        {
            set("k" + i, "value", NO_EXPIRY);
        }
        final long later = NOW_MS + 100_000;
        keyspace.clock(later);
        for (int i = 0; i < 10; i++)
        {
            assertNotEquals(NOT_FOUND, keyspace.find(0, key("k" + i), 0, ("k" + i).length(), later));
        }
        keyspace.maxMemoryBytes(keyspace.evictableUsedBytes());
        for (int i = 0; i < 50; i++)
        {
            assertTrue(keyspace.makeRoom(later));
            set("new" + i, "value", NO_EXPIRY);
        }
        assertTrue(keyspace.makeRoom(later));
        assertTrue(evicted.size() >= 45, evicted.toString());
        for (final String victim : evicted)
        {
            final int id = victim.startsWith("k") ? Integer.parseInt(victim.substring(1)) : -1;
            assertTrue(id >= 10, "only keys idle for 100 s are evicted: " + evicted);
        }
    }

    @Test
    void allkeysRandomEvictsSomethingFromEveryDatabaseInTurn()
    {
        keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_RANDOM);
        for (int i = 0; i < 30; i++)
        {
            put(i % 3, "k" + i, "value", NO_EXPIRY);
        }
        keyspace.maxMemoryBytes(keyspace.evictableUsedBytes() - 1);
        assertTrue(keyspace.makeRoom(NOW_MS));
        assertFalse(evicted.isEmpty());
        assertEquals(30 - evicted.size(), keyspace.size(0) + keyspace.size(1) + keyspace.size(2));
        assertFalse(keyspace.overMemoryBudget());
    }

    @Test
    void noevictionEvictsNothingAndRefusesOverBudget()
    {
        for (int i = 0; i < 30; i++)
        {
            set("k" + i, "value", NO_EXPIRY);
        }
        keyspace.maxMemoryBytes(keyspace.usedMemoryBytes() - 1);
        assertFalse(keyspace.makeRoom(NOW_MS));
        assertTrue(evicted.isEmpty());
        assertEquals(30, keyspace.size(0));
    }

    @Test
    void aReplicaNeverEvictsNorRefuses()
    {
        keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_LRU);
        keyspace.replicaExpiry(true);
        for (int i = 0; i < 30; i++)
        {
            set("k" + i, "value", NO_EXPIRY);
        }
        keyspace.maxMemoryBytes(1);
        assertTrue(keyspace.makeRoom(NOW_MS));
        assertNotEquals(OUT_OF_MEMORY, set("more", "value", NO_EXPIRY));
        assertTrue(evicted.isEmpty());
        assertEquals(31, keyspace.size(0));
    }

    @Test
    void underAnEvictingPolicyAWriteIsNeverRefusedAndTheNextAdmissionEvictsTheExcess()
    {
        keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_LRU);
        for (int i = 0; i < 30; i++)
        {
            set("k" + i, "value", NO_EXPIRY);
        }
        keyspace.maxMemoryBytes(keyspace.usedMemoryBytes());
        final String big = "x".repeat(64 * 1024);
        assertNotEquals(OUT_OF_MEMORY, set("big", big, NO_EXPIRY), "as Redis, an admitted command runs to its end");
        assertTrue(keyspace.overMemoryBudget());
        assertTrue(keyspace.makeRoom(NOW_MS));
        assertFalse(keyspace.overMemoryBudget());
        assertTrue(keyspace.evictableUsedBytes() <= keyspace.maxMemoryBytes());
    }

    @Test
    void evictingAHugeValueGivesItsMemoryBack()
    {
        keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_LRU);
        // Enough samples that both keys are seen (with 5, all may land on the same one of two keys: 1 in 16).
        keyspace.evictionSamples(64);
        final int length = 100 * 1024 * 1024;
        final long entry = keyspace.put(0, key("huge"), 0, 4, ValueType.STRING, ValueEncoding.STRING_RAW, length,
            NO_EXPIRY);
        assertNotEquals(OUT_OF_MEMORY, entry);
        keyspace.clock(NOW_MS + 10_000);
        set("small", "v", NO_EXPIRY);
        keyspace.maxMemoryBytes(keyspace.evictableUsedBytes() - 1);
        final long reservedBefore = keyspace.usedMemoryBytes();
        assertTrue(keyspace.makeRoom(NOW_MS + 10_000));
        assertEquals(List.of("huge"), evicted, "the idlest key");
        assertTrue(keyspace.usedMemoryBytes() <= reservedBefore - length, "counted as freed at once");
        // Unmapped by the releaser thread, not by the engine (a 100 MiB munmap takes milliseconds).
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (keyspace.allocator().lazilyFreedBlocks() == 0 && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(1, keyspace.allocator().lazilyFreedBlocks());
    }

    @Test
    void overwritingKeepsTheLfuHistoryAsRedisDoes()
    {
        set("k", "v", NO_EXPIRY);
        for (int i = 0; i < 100; i++)
        {
            find("k");
        }
        final int before = keyspace.lfuFrequency(find("k"), NOW_MS);
        assertTrue(before > EntryDescriptor.LFU_INIT_VALUE);
        final long entry = set("k", "a longer value that needs another size class", NO_EXPIRY);
        assertTrue(keyspace.lfuFrequency(entry, NOW_MS) >= before);
    }

    @Test
    void lfuLogFactorAndDecayTimeAreHonoured()
    {
        keyspace.lfuLogFactor(0);
        final long entry = set("k", "v", NO_EXPIRY);
        for (int i = 0; i < 100; i++)
        {
            find("k");
        }
        assertEquals(EntryDescriptor.LFU_INIT_VALUE + 100, keyspace.lfuFrequency(entry, NOW_MS),
            "factor 0: every access counts");
        keyspace.lfuDecayTime(10);
        assertEquals(EntryDescriptor.LFU_INIT_VALUE + 100 - 3, keyspace.lfuFrequency(entry, NOW_MS + 30 * 60_000));
        keyspace.lfuDecayTime(0);
        assertEquals(EntryDescriptor.LFU_INIT_VALUE + 100, keyspace.lfuFrequency(entry, NOW_MS + 300 * 60_000));
        assertEquals(300 * 60, keyspace.idleSeconds(entry, NOW_MS + 300 * 60_000));
    }

    @Test
    void tenacityBoundsTheTimeOfOneCall()
    {
        assertEquals(0, Evictor.timeLimitNs(0));
        assertEquals(500_000, Evictor.timeLimitNs(10));
        assertTrue(Evictor.timeLimitNs(11) > 500_000);
        assertEquals(Long.MAX_VALUE, Evictor.timeLimitNs(100));
    }

    /**
     * A long random mix of writes, reads and deletes over the budget, checked against a model: memory never exceeds
     * the budget by more than one command's worth, nothing is evicted while under the budget, a volatile policy
     * never evicts a key without a TTL, and every key neither deleted nor evicted keeps its value and TTL.
     */
    @Test
    void randomizedWritesOverBudgetMatchTheModel()
    {
        final Random random = new Random(42);
        for (final EvictionPolicy policy : EvictionPolicy.values())
        {
            if (!policy.evicts())
            {
                continue;
            }
            keyspace.close();
            open();
            evicted.clear();
            keyspace.evictionPolicy(policy);
            keyspace.evictionTenacity(100);
            final long budget = 256 * 1024;
            keyspace.maxMemoryBytes(budget);
            final Map<String, String> values = new HashMap<>();
            final Map<String, Long> expiries = new HashMap<>();
            final Set<String> gone = new HashSet<>();
            keyspace.evictedKeyListener((db, key, offset, length) ->
            {
                final String name = key.getStringWithoutLengthAscii(offset, length);
                assertTrue(values.containsKey(name), policy + " evicted an unknown key " + name);
                assertTrue(!policy.volatileOnly() || expiries.get(name) != NO_EXPIRY, policy + " evicted " + name);
                gone.add(name);
            });
            long lastOvershoot = 0;
            for (int op = 0; op < 30_000; op++)
            {
                final String name = "key:" + random.nextInt(4000);
                final int kind = random.nextInt(10);
                if (kind < 6)
                {
                    final boolean overBefore = keyspace.overMemoryBudget();
                    final long evictedBefore = keyspace.evictedKeys();
                    final boolean admitted = keyspace.makeRoom(NOW_MS);
                    if (!overBefore)
                    {
                        assertEquals(evictedBefore, keyspace.evictedKeys(), "no eviction under the budget");
                    }
                    forgetEvicted(values, expiries, gone);
                    if (!admitted)
                    {
                        assertTrue(policy.volatileOnly(), policy + " refused with keys left");
                        continue;
                    }
                    assertTrue(keyspace.evictableUsedBytes() <= budget, policy + " over after evicting");
                    final String value = "v".repeat(random.nextInt(random.nextInt(20) == 0 ? 20_000 : 200));
                    final long expireAt = random.nextBoolean() ? NOW_MS + 1000 + random.nextInt(100_000) : NO_EXPIRY;
                    final long before = keyspace.evictableUsedBytes();
                    assertNotEquals(OUT_OF_MEMORY, set(name, value, expireAt));
                    values.put(name, value);
                    expiries.put(name, expireAt);
                    lastOvershoot = keyspace.evictableUsedBytes() - budget;
                    // One command's worth: its block plus a table segment and an expiry index chunk.
                    final long commandWorth = SlabAllocator.blockLength(EntryDescriptor.entryLength(name.length(),
                        value.length())) + 64 * 1024 + ExpiryIndex.CHUNK_LENGTH;
                    assertTrue(keyspace.evictableUsedBytes() - Math.max(before, budget) <= commandWorth,
                        policy + " overshoot " + lastOvershoot);
                }
                else if (kind < 9)
                {
                    final long entry = find(name);
                    if (values.containsKey(name))
                    {
                        assertNotEquals(NOT_FOUND, entry, policy + " lost " + name);
                        assertEquals(values.get(name), valueOf(entry));
                        assertEquals((long)expiries.get(name), flyweight.wrap(entry).expireAtMs());
                    }
                    else
                    {
                        assertEquals(NOT_FOUND, entry, policy + " kept " + name);
                    }
                }
                else
                {
                    assertEquals(values.remove(name) != null, keyspace.delete(0, key(name), 0, name.length(),
                        NOW_MS));
                    expiries.remove(name);
                }
            }
            // Volatile policies run out of candidates once keys without a TTL fill the budget; then writes are refused.
            final long expected = policy.volatileOnly() ? 50 : 1000;
            assertTrue(keyspace.evictedKeys() > expected, policy + " evicted " + keyspace.evictedKeys());
            assertTrue(lastOvershoot < 64 * 1024, policy + " overshoot " + lastOvershoot);
        }
    }

    private static void forgetEvicted(final Map<String, String> values, final Map<String, Long> expiries,
        final Set<String> gone)
    {
        for (final String name : gone)
        {
            values.remove(name);
            expiries.remove(name);
        }
        gone.clear();
    }

    /** Lower the budget so that about {@code keys} small entries must go. */
    private void budgetForEvicting(final int keys)
    {
        final long block = SlabAllocator.blockLength(EntryDescriptor.entryLength(5, 1));
        keyspace.maxMemoryBytes(keyspace.evictableUsedBytes() - (keys - 1) * block - 1);
    }

    private long find(final String key)
    {
        return keyspace.find(0, key(key), 0, key.length(), NOW_MS);
    }

    private long set(final String key, final String value, final long expireAtMs)
    {
        return put(0, key, value, expireAtMs);
    }

    private long put(final int db, final String key, final String value, final long expireAtMs)
    {
        final byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
        final long entry = keyspace.put(db, key(key), 0, key.length(), ValueType.STRING, ValueEncoding.STRING_RAW,
            valueBytes.length, expireAtMs);
        if (entry != OUT_OF_MEMORY)
        {
            flyweight.wrap(entry).buffer().putBytes(flyweight.valueOffset(), valueBytes);
        }
        return entry;
    }

    private String valueOf(final long entry)
    {
        flyweight.wrap(entry);
        final byte[] bytes = new byte[flyweight.valueLength()];
        flyweight.buffer().getBytes(flyweight.valueOffset(), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static UnsafeBuffer key(final String key)
    {
        return new UnsafeBuffer(key.getBytes(StandardCharsets.US_ASCII));
    }
}
