package io.ringkv.core.store;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Randomized model test: mixed operations on a {@link Keyspace} checked against a plain {@link HashMap} model,
 * through phases that grow and shrink the tables so resizes are in progress most of the time, with a SCAN kept
 * open across them. Fixed seeds run in CI; run longer with
 * {@code -Dringkv.model.ops=100000000 -Dringkv.model.seed=42}. A failure names its seed and operation number.
 */
class KeyspaceModelTest
{
    static final String OPS_PROP_NAME = "ringkv.model.ops";
    static final String SEED_PROP_NAME = "ringkv.model.seed";
    private static final long[] CI_SEEDS = { 1, 7, 1_000_003, 0x5eed_cafeL };
    private static final int CI_OPS_PER_SEED = 600_000;
    private static final int KEY_IDS = 40_000;
    private static final int[] DATABASES = { 0, 1, 15 };

    @Test
    void matchesHashMapModel()
    {
        final String seed = System.getProperty(SEED_PROP_NAME);
        final int ops = Integer.getInteger(OPS_PROP_NAME, CI_OPS_PER_SEED);
        final long[] seeds = seed != null ? new long[]{ Long.parseLong(seed) } : CI_SEEDS;
        for (final long s : seeds)
        {
            run(s, ops, KeyHash.INSTANCE, new StoreConfig().initialBuckets(4));
        }
    }

    /**
     * Ten times the CI run on fresh seeds; excluded from CI, run with {@code -Dgroups=slow}.
     */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void matchesHashMapModelLongRun()
    {
        final long base = System.nanoTime();
        for (int i = 0; i < CI_SEEDS.length; i++)
        {
            run(base + i, CI_OPS_PER_SEED * 10, KeyHash.INSTANCE, new StoreConfig().initialBuckets(4));
        }
    }

    @Test
    void matchesHashMapModelWhenHashesCollide()
    {
        // Few distinct hashes: long chains, and keys of equal hash split across buckets during resizes.
        final KeyHashFunction colliding = (base, address, length) -> KeyHash.hashBytes(base, address, length) & 0x80FFL;
        run(99, 150_000, colliding, new StoreConfig().initialBuckets(1));
    }

    @Test
    void matchesHashMapModelUnderMemoryBudget()
    {
        run(5, 200_000, KeyHash.INSTANCE, new StoreConfig().maxMemoryBytes(3L * 1024 * 1024).pageSizeBytes(16 * 1024));
    }

    static void run(final long seed, final int ops, final KeyHashFunction hash, final StoreConfig config)
    {
        final ModelRun run = new ModelRun(seed, hash, config);
        try
        {
            run.execute(ops);
        }
        catch (final Throwable ex)
        {
            throw new AssertionError("model test failed: seed=" + seed + " (rerun with -D" + SEED_PROP_NAME + "=" +
                seed + ") at op " + run.op + ": " + ex.getMessage(), ex);
        }
        finally
        {
            run.keyspace.close();
        }
    }

    static final class ModelEntry
    {
        byte[] value;
        byte type;
        byte encoding;
        long expireAtMs;
    }

    static final class ModelRun
    {
        final Random random;
        final Keyspace keyspace;
        final long maxMemoryBytes;
        final EntryFlyweight flyweight = new EntryFlyweight();
        final byte[][] keys = new byte[KEY_IDS][];
        final UnsafeBuffer[] keyBuffers = new UnsafeBuffer[KEY_IDS];
        final List<Map<String, ModelEntry>> model = new ArrayList<>();
        final int[] expectedExpiries = new int[1];
        long nowMs = 1_700_000_000_000L;
        long lastBuckets;
        int op;

        // The SCAN in progress.
        int scanDb = -1;
        long scanCursor;
        final Set<String> scanMustSee = new HashSet<>();
        final Set<String> scanSeen = new HashSet<>();
        int scansCompleted;
        long opsWhileMoving;
        int grows;
        int shrinks;

        ModelRun(final long seed, final KeyHashFunction hash, final StoreConfig config)
        {
            random = new Random(seed);
            keyspace = new Keyspace(config, hash);
            maxMemoryBytes = config.maxMemoryBytes();
            for (int db = 0; db < keyspace.databases(); db++)
            {
                model.add(new HashMap<>());
            }
            final Set<String> distinct = new HashSet<>();
            keys[0] = new byte[0];
            distinct.add("");
            for (int id = 1; id < KEY_IDS; id++)
            {
                byte[] key;
                do
                {
                    key = new byte[1 + random.nextInt(random.nextInt(8) == 0 ? 64 : 20)];
                    random.nextBytes(key);
                }
                while (!distinct.add(name(key)));
                keys[id] = key;
            }
            for (int id = 0; id < KEY_IDS; id++)
            {
                keyBuffers[id] = new UnsafeBuffer(keys[id]);
            }
            keyspace.expiredKeyListener(this::onExpired);
        }

        void execute(final int ops)
        {
            int putPercent = 50;
            int deletePercent = 5;
            for (op = 0; op < ops; op++)
            {
                if (op % 50_000 == 0)
                {
                    // Alternate growing and shrinking phases so resizes both ways happen under load.
                    final boolean grow = (op / 50_000) % 2 == 0;
                    putPercent = grow ? 45 : 8;
                    deletePercent = grow ? 4 : 45;
                }
                nowMs += random.nextInt(3);
                final int db = DATABASES[random.nextInt(4) == 0 ? random.nextInt(DATABASES.length) : 0];
                final int id = random.nextInt(KEY_IDS);
                final int dice = random.nextInt(1000);
                int threshold = putPercent * 10;
                if (dice < threshold)
                {
                    put(db, id);
                }
                else if (dice < (threshold += deletePercent * 10))
                {
                    delete(db, id);
                }
                else if (dice < (threshold += 200))
                {
                    find(db, id);
                }
                else if (dice < (threshold += 60))
                {
                    resize(db, id);
                }
                else if (dice < (threshold += 60))
                {
                    expire(db, id);
                }
                else if (dice < (threshold += 20))
                {
                    advanceScan();
                }
                else if (dice < (threshold += 10))
                {
                    randomEntry(db);
                }
                else if (dice < (threshold += 10))
                {
                    activeExpire();
                }
                else if (dice < (threshold += 10))
                {
                    keyspace.rehashStep(random.nextInt(20_000));
                }
                else
                {
                    find(db, id);
                }
                if (random.nextInt(200_000) == 0)
                {
                    flush(db);
                }
                if (random.nextInt(1_000_000) == 0)
                {
                    flushAll();
                }
                if (op % 100_000 == 99_999)
                {
                    verifyAll();
                }
                final OffHeapTable table = keyspace.table(0);
                opsWhileMoving += table.isMoving() ? 1 : 0;
                final long buckets = table.buckets();
                if (buckets > lastBuckets)
                {
                    grows++;
                }
                else if (buckets < lastBuckets)
                {
                    shrinks++;
                }
                lastBuckets = buckets;
            }
            verifyAll();
            if (ops >= 200_000)
            {
                // The workload must have exercised what it is meant to test.
                assertTrue(scansCompleted > 0, "a scan completed");
                assertTrue(grows > 0 && shrinks > 0, "grows=" + grows + " shrinks=" + shrinks);
                assertTrue(opsWhileMoving > 1000, "ops while a resize was moving buckets: " + opsWhileMoving);
            }
        }

        void put(final int db, final int id)
        {
            final int valueLength = valueLength();
            final byte type = random.nextInt(10) == 0 ? ValueType.JSON : ValueType.STRING;
            final byte encoding = (byte)random.nextInt(2);
            final long expireAtMs = random.nextInt(3) == 0 ? nowMs + random.nextInt(60) - 5 : NO_EXPIRY;
            final String name = name(keys[id]);
            final ModelEntry old = model.get(db).get(name);
            final long oldEntry = keyspace.lookup(db, keyBuffers[id], 0, keys[id].length);
            // A put over an expired key reclaims it as expired first (listener told), as Redis's setKey does.
            final boolean oldExpired = old != null && expired(old);
            expectedExpiries[0] = oldExpired ? 1 : 0;
            keyspace.clock(nowMs);
            final long entry = keyspace.put(
                db, keyBuffers[id], 0, keys[id].length, type, encoding, valueLength, expireAtMs);
            assertEquals(0, expectedExpiries[0], "listener told of the expired key put replaced");
            if (entry == OUT_OF_MEMORY)
            {
                assertTrue(maxMemoryBytes > 0, "OOM without a budget");
                if (oldEntry != 0 && !oldExpired)
                {
                    checkEntry(oldEntry, name, old);
                }
                return;
            }
            final byte[] value = new byte[valueLength];
            random.nextBytes(value);
            flyweight.wrap(entry).buffer().putBytes(flyweight.valueOffset(), value);
            final ModelEntry modelEntry = new ModelEntry();
            modelEntry.value = value;
            modelEntry.type = type;
            modelEntry.encoding = encoding;
            modelEntry.expireAtMs = expireAtMs;
            model.get(db).put(name, modelEntry);
        }

        int valueLength()
        {
            final int dice = random.nextInt(100_000);
            if (dice == 0 && maxMemoryBytes == 0)
            {
                return SlabAllocator.HUGE_LENGTH + random.nextInt(100_000);
            }
            if (dice < 2_000)
            {
                return 600 + random.nextInt(8000);
            }
            if (dice < 25_000)
            {
                return 33 + random.nextInt(600);
            }
            return random.nextInt(33);
        }

        void find(final int db, final int id)
        {
            final String name = name(keys[id]);
            final ModelEntry expected = model.get(db).get(name);
            final boolean expectExpiry = expected != null && expired(expected);
            expectedExpiries[0] = expectExpiry ? 1 : 0;
            final long entry = keyspace.find(db, keyBuffers[id], 0, keys[id].length, nowMs);
            assertEquals(0, expectedExpiries[0], "listener told of lazily expired key");
            if (expected == null || expectExpiry)
            {
                assertEquals(NOT_FOUND, entry, "absent or expired key found");
                assertFalse(model.get(db).containsKey(name));
            }
            else
            {
                checkEntry(entry, name, expected);
            }
        }

        void delete(final int db, final int id)
        {
            final String name = name(keys[id]);
            final ModelEntry expected = model.get(db).get(name);
            final boolean live = expected != null && !expired(expected);
            expectedExpiries[0] = expected != null && !live ? 1 : 0;
            assertEquals(live, keyspace.delete(db, keyBuffers[id], 0, keys[id].length, nowMs));
            assertEquals(0, expectedExpiries[0]);
            if (live)
            {
                model.get(db).remove(name);
                scanMustSee.remove(db + ":" + name);
            }
        }

        void resize(final int db, final int id)
        {
            final long entry = findAllowingExpiry(db, id);
            if (entry == NOT_FOUND)
            {
                return;
            }
            final String name = name(keys[id]);
            final ModelEntry expected = model.get(db).get(name);
            final int newLength = valueLength();
            final long resized = keyspace.resizeValue(db, entry, newLength);
            if (resized == OUT_OF_MEMORY)
            {
                assertTrue(maxMemoryBytes > 0, "OOM without a budget");
                checkEntry(keyspace.find(db, keyBuffers[id], 0, keys[id].length, nowMs), name, expected);
                return;
            }
            final byte[] value = Arrays.copyOf(expected.value, newLength);
            for (int i = expected.value.length; i < newLength; i++)
            {
                value[i] = (byte)random.nextInt();
            }
            flyweight.wrap(resized);
            assertEquals(newLength, flyweight.valueLength());
            if (newLength > expected.value.length)
            {
                flyweight.buffer().putBytes(flyweight.valueOffset() + expected.value.length, value,
                    expected.value.length, newLength - expected.value.length);
            }
            expected.value = value;
            checkEntry(keyspace.find(db, keyBuffers[id], 0, keys[id].length, nowMs), name, expected);
        }

        void expire(final int db, final int id)
        {
            final long entry = findAllowingExpiry(db, id);
            final ModelEntry expected = model.get(db).get(name(keys[id]));
            if (entry == NOT_FOUND)
            {
                assertTrue(expected == null, "find missed a key");
                return;
            }
            final long expireAtMs = random.nextBoolean() ? NO_EXPIRY : nowMs + random.nextInt(40) - 2;
            keyspace.expireAt(entry, expireAtMs);
            expected.expireAtMs = expireAtMs;
        }

        long findAllowingExpiry(final int db, final int id)
        {
            expectedExpiries[0] = 1;
            final long entry = keyspace.find(db, keyBuffers[id], 0, keys[id].length, nowMs);
            expectedExpiries[0] = 0;
            return entry;
        }

        void randomEntry(final int db)
        {
            expectedExpiries[0] = Integer.MAX_VALUE / 2;
            final long entry = keyspace.randomEntry(db, nowMs);
            expectedExpiries[0] = 0;
            if (entry == NOT_FOUND)
            {
                assertTrue(model.get(db).isEmpty(), "RANDOMKEY found nothing but the model holds keys");
                return;
            }
            flyweight.wrap(entry);
            final String name = keyName(flyweight);
            final ModelEntry expected = model.get(db).get(name);
            assertNotNull(expected, "RANDOMKEY returned a key not in the model");
            assertFalse(expired(expected), "RANDOMKEY returned an expired key");
            checkEntry(entry, name, expected);
        }

        void activeExpire()
        {
            int expectedAtMost = 0;
            for (final Map<String, ModelEntry> m : model)
            {
                for (final ModelEntry e : m.values())
                {
                    expectedAtMost += expired(e) ? 1 : 0;
                }
            }
            expectedExpiries[0] = expectedAtMost;
            final int expired = keyspace.activeExpireCycle(nowMs, 1_000_000L);
            assertEquals(expectedAtMost - expectedExpiries[0], expired, "keys expired == listener calls");
            expectedExpiries[0] = 0;
        }

        void advanceScan()
        {
            if (scanDb < 0)
            {
                scanDb = DATABASES[random.nextInt(DATABASES.length)];
                scanCursor = 0;
                scanSeen.clear();
                scanMustSee.clear();
                for (final Map.Entry<String, ModelEntry> e : model.get(scanDb).entrySet())
                {
                    if (!expired(e.getValue()))
                    {
                        scanMustSee.add(scanDb + ":" + e.getKey());
                    }
                }
            }
            final int db = scanDb;
            expectedExpiries[0] = Integer.MAX_VALUE / 2;
            scanCursor = keyspace.scan(db, scanCursor, 1 + random.nextInt(20), entry ->
            {
                flyweight.wrap(entry);
                final String name = keyName(flyweight);
                final ModelEntry expected = model.get(db).get(name);
                assertNotNull(expected, "SCAN returned a key not in the model");
                assertFalse(expired(expected), "SCAN returned an expired key");
                scanSeen.add(db + ":" + name);
            }, nowMs);
            expectedExpiries[0] = 0;
            if (scanCursor == 0)
            {
                for (final String name : scanMustSee)
                {
                    if (!scanSeen.contains(name))
                    {
                        fail("SCAN missed a key present for the whole scan: " + name);
                    }
                }
                scanDb = -1;
                scansCompleted++;
            }
        }

        void flush(final int db)
        {
            keyspace.flush(db);
            model.get(db).clear();
            if (db == scanDb)
            {
                scanMustSee.clear();
            }
            assertEquals(0, keyspace.size(db));
            assertEquals(0, keyspace.expiresSize(db));
        }

        void flushAll()
        {
            keyspace.flushAll();
            for (final Map<String, ModelEntry> m : model)
            {
                m.clear();
            }
            scanMustSee.clear();
            assertEquals(0, keyspace.memoryStats().allocatorReservedBytes());
        }

        void onExpired(final int db, final DirectBuffer key, final int keyOffset, final int keyLength)
        {
            assertTrue(expectedExpiries[0] > 0, "listener told of an unexpected expiry");
            expectedExpiries[0]--;
            final byte[] bytes = new byte[keyLength];
            key.getBytes(keyOffset, bytes);
            final String name = name(bytes);
            final ModelEntry removed = model.get(db).remove(name);
            assertNotNull(removed, "expired key not in model");
            assertTrue(expired(removed), "key told as expired is not expired: expireAt=" + removed.expireAtMs +
                " now=" + nowMs);
            scanMustSee.remove(db + ":" + name);
        }

        void verifyAll()
        {
            long keyValueBytes = 0;
            long requested = 0;
            long keyCount = 0;
            for (int db = 0; db < model.size(); db++)
            {
                final Map<String, ModelEntry> m = model.get(db);
                assertEquals(m.size(), keyspace.size(db), "DBSIZE of db " + db);
                int withTtl = 0;
                for (final Map.Entry<String, ModelEntry> e : m.entrySet())
                {
                    final ModelEntry modelEntry = e.getValue();
                    withTtl += modelEntry.expireAtMs != NO_EXPIRY ? 1 : 0;
                    final byte[] key = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
                    keyValueBytes += key.length + modelEntry.value.length;
                    requested += EntryDescriptor.entryLength(key.length, modelEntry.value.length);
                    keyCount++;
                }
                assertEquals(withTtl, keyspace.expiresSize(db), "expires of db " + db);
                final Iterator<Map.Entry<String, ModelEntry>> it = new ArrayList<>(m.entrySet()).iterator();
                while (it.hasNext())
                {
                    final Map.Entry<String, ModelEntry> e = it.next();
                    final byte[] key = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
                    final long entry = keyspace.lookup(db, new UnsafeBuffer(key), 0, key.length);
                    checkEntry(entry, e.getKey(), e.getValue());
                }
            }
            final MemoryStats stats = keyspace.memoryStats();
            long tableBytes = 0;
            long expiryBytes = 0;
            for (int db = 0; db < model.size(); db++)
            {
                tableBytes += keyspace.table(db).bucketBytes();
                expiryBytes += keyspace.expiryIndex(db).bytes();
            }
            assertEquals(tableBytes, stats.tableBytes(), "running table bytes match the tables");
            assertEquals(expiryBytes, stats.expiryIndexBytes(), "running expiry bytes match the indexes");
            assertEquals(keyCount, stats.keys());
            assertEquals(keyValueBytes, stats.keyValueBytes());
            assertEquals(requested, stats.allocatorRequestedBytes());
            assertTrue(stats.allocatorUsedBytes() >= requested);
            assertTrue(stats.allocatorReservedBytes() >= stats.allocatorUsedBytes());
            assertEquals(stats.usedMemoryBytes(), keyspace.usedMemoryBytes());
            if (maxMemoryBytes > 0)
            {
                assertTrue(stats.usedMemoryBytes() <= maxMemoryBytes + ExpiryIndex.CHUNK_LENGTH * 3,
                    "used " + stats.usedMemoryBytes() + " over budget " + maxMemoryBytes);
            }
        }

        void checkEntry(final long entry, final String name, final ModelEntry expected)
        {
            assertNotEquals(NOT_FOUND, entry, "key missing: " + name);
            flyweight.wrap(entry);
            assertEquals(name, keyName(flyweight));
            assertEquals(expected.type, flyweight.type());
            assertEquals(expected.encoding, flyweight.encoding());
            assertEquals(expected.expireAtMs, flyweight.expireAtMs());
            assertEquals(expected.value.length, flyweight.valueLength());
            final byte[] value = new byte[flyweight.valueLength()];
            flyweight.buffer().getBytes(flyweight.valueOffset(), value);
            assertArrayEquals(expected.value, value, "value of " + name);
        }

        boolean expired(final ModelEntry e)
        {
            return e.expireAtMs != NO_EXPIRY && nowMs > e.expireAtMs;
        }

        static String keyName(final EntryFlyweight flyweight)
        {
            final byte[] bytes = new byte[flyweight.keyLength()];
            flyweight.buffer().getBytes(flyweight.keyOffset(), bytes);
            return name(bytes);
        }

        static String name(final byte[] bytes)
        {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}
