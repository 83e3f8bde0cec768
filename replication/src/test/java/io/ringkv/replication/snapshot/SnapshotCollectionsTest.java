package io.ringkv.replication.snapshot;

import io.ringkv.core.codec.RedisDoubleFormat;
import io.ringkv.core.store.ElementDescriptor;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ListNodeDescriptor;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.Quicklists;
import io.ringkv.core.store.StoreConfig;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import io.ringkv.core.store.ZSkipList;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.ringkv.replication.snapshot.SnapshotEntryDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Big collections in a point-in-time snapshot: streamed a bounded number of elements per step, between a BEGIN and
 * an END nothing interleaves, while their elements are added, changed and removed, while the collections are
 * deleted, unlinked, overwritten and renamed, and while other big collections and small keys change too. The image
 * read from the ring is exactly the state at the start, with no element twice. This thread plays the engine thread.
 */
class SnapshotCollectionsTest
{
    private static final byte[] TYPES = {ValueType.HASH, ValueType.SET, ValueType.ZSET, ValueType.LIST};
    private final EntryFlyweight entry = new EntryFlyweight();
    private final RedisDoubleFormat doubleFormat = new RedisDoubleFormat();
    private final UnsafeBuffer scoreText = new UnsafeBuffer(new byte[RedisDoubleFormat.MAX_LENGTH]);

    @Test
    void theImageIsTheStateAtTheStartWhileElementsAndWholeCollectionsChange()
    {
        for (long seed = 1; seed <= 8; seed++)
        {
            run(seed, 1 << 22, 64, 512);
        }
    }

    @Test
    void collectionsLargerThanTheRingGoThroughIt()
    {
        // 64 KiB of ring (8 KiB messages) against collections of about 200 KiB each.
        run(100, 1 << 16, 256, 4096);
    }

    @Test
    void noStepReadsMoreThanItsElementBudgetFromACollection()
    {
        stepBudget(false);
        stepBudget(true);
    }

    /**
     * Counts the elements of collections each step puts into the ring: at most the step's budget when nothing
     * changes; with changes, old versions copied by the changes come on top (copied when the change happened,
     * written when their collection's turn comes), never more than the changes made.
     */
    private void stepBudget(final boolean changes)
    {
        final int budget = 50;
        try (Keyspace keyspace = new Keyspace(new StoreConfig().databases(2).initialBuckets(4)))
        {
            final Random random = new Random(7);
            final String[] keys = {"big-hash", "big-set", "big-zset", "big-list"};
            for (int i = 0; i < keys.length; i++)
            {
                collection(keyspace, 0, keys[i], TYPES[i], 4000, random);
            }
            final SnapshotTask task = new SnapshotTask(keyspace, budget, 300);
            final Snapshot snapshot = new Snapshot(0, 1 << 22);
            task.start(snapshot);
            final Image image = new Image();
            int steps = 0;
            int fullSteps = 0;
            long changed = 0;
            long written = 0;
            while (!snapshot.isComplete())
            {
                if (changes)
                {
                    changed += changeOne(keyspace, random);
                }
                task.doWork(0);
                steps++;
                image.elementsThisStep = 0;
                image.read(snapshot);
                written += image.elementsThisStep;
                assertTrue(image.elementsThisStep <= budget + changed,
                    "step " + steps + " wrote " + image.elementsThisStep + " elements of collections");
                assertTrue(written <= (long)steps * budget + changed, "more than the budgets and the changes");
                if (image.elementsThisStep >= budget * 3 / 4)
                {
                    fullSteps++;
                }
            }
            assertTrue(written > 3 * 3000 && steps >= written / budget, written + " elements in " + steps + " steps");
            assertTrue(fullSteps > steps / 2, "the budget was never used up: the test proves nothing");
            assertTrue(image.largestPart <= 300 + Listpack.EMPTY_LENGTH, "a part of " + image.largestPart);
            snapshot.release();
        }
    }

    /** Changes one element of one of the three collections; returns how many (0 or 1). */
    private long changeOne(final Keyspace keyspace, final Random random)
    {
        final String key = new String[]{"big-hash", "big-set", "big-zset", "big-list"}[random.nextInt(4)];
        return changeElement(keyspace, 0, key, random) ? 1 : 0;
    }

    private void run(final long seed, final int ringBytes, final int elementsPerStep, final int partBytes)
    {
        final Random random = new Random(seed);
        try (Keyspace keyspace = new Keyspace(new StoreConfig().databases(3).initialBuckets(4)))
        {
            final List<String[]> names = new ArrayList<>();
            for (int i = 0; i < 12; i++)
            {
                final int db = random.nextInt(2);
                final String key = "c" + i;
                final int size = ringBytes < 1 << 20 ? 8000 : 200 + random.nextInt(2500);
                collection(keyspace, db, key, TYPES[i % 4], size, random);
                names.add(new String[]{Integer.toString(db), key});
            }
            for (int i = 0; i < 500; i++)
            {
                putString(keyspace, random.nextInt(2), "s" + i, "v" + i, random.nextInt(5) == 0 ? 4_000_000_000_000L : 0);
            }
            final Map<String, String> expected = read(keyspace);

            final SnapshotTask task = new SnapshotTask(keyspace, elementsPerStep, partBytes);
            final Snapshot snapshot = new Snapshot(0, ringBytes);
            task.start(snapshot);
            final Image image = new Image();
            int steps = 0;
            int renamed = 0;
            while (!snapshot.isComplete())
            {
                for (int change = 0; change < 12; change++)
                {
                    final String[] name = names.get(random.nextInt(names.size()));
                    final int db = Integer.parseInt(name[0]);
                    final int op = random.nextInt(100);
                    if (op < 85)
                    {
                        changeElement(keyspace, db, name[1], random);
                    }
                    else if (op < 88)
                    {
                        deleteKey(keyspace, db, name[1], random.nextBoolean());
                    }
                    else if (op < 90)
                    {
                        putString(keyspace, db, name[1], "overwritten", 0);
                    }
                    else if (op < 93)
                    {
                        final String to = "renamed" + renamed++;
                        if (rename(keyspace, db, name[1], to))
                        {
                            names.add(new String[]{name[0], to});
                        }
                    }
                    else if (op < 96)
                    {
                        collection(keyspace, db, name[1] + "x" + steps, TYPES[random.nextInt(4)], 300, random);
                        names.add(new String[]{name[0], name[1] + "x" + steps});
                    }
                    else
                    {
                        putString(keyspace, random.nextInt(2), "s" + random.nextInt(600), "changed", 0);
                    }
                }
                keyspace.lazyFreeStep(100_000);
                task.doWork(0);
                steps++;
                assertNull(snapshot.abortReason());
                image.read(snapshot);
            }
            image.read(snapshot);
            assertTrue(image.ended);
            assertFalse(task.busy());
            assertTrue(steps > 20, "only " + steps + " steps: the test proves nothing");
            assertEquals(new TreeMap<>(expected), new TreeMap<>(image.entries), "seed " + seed);
            snapshot.release();
            // Every table handed over to the snapshot was freed after it was streamed.
            while (keyspace.lazyFreeStep(1_000_000))
            {
                // freeing
            }
            assertEquals(0, keyspace.lazyFreePendingObjects());
        }
    }

    /** Add, change or remove one element (keys drawn so that about half exist). */
    private boolean changeElement(final Keyspace keyspace, final int db, final String key, final Random random)
    {
        final UnsafeBuffer keyBuffer = buffer(key);
        keyspace.writeAccess(true);
        final long address = keyspace.find(db, keyBuffer, 0, keyBuffer.capacity(), 0);
        keyspace.writeAccess(false);
        if (address == Keyspace.NOT_FOUND || !ValueEncoding.isTable(entry.wrap(address).encoding()))
        {
            return false;
        }
        final ElementTables tables = keyspace.elementTables();
        final int id = entry.buffer().getInt(entry.valueOffset());
        final byte type = entry.type();
        if (type == ValueType.LIST)
        {
            changeList(keyspace, id, random);
            return true;
        }
        if (tables.size(id) < 3)
        {
            return false;
        }
        final UnsafeBuffer element = buffer("e" + random.nextInt(6000));
        final long found = tables.find(id, element, 0, element.capacity());
        final boolean remove = found != 0 && random.nextInt(3) == 0;
        if (type == ValueType.ZSET)
        {
            if (remove)
            {
                tables.skipList().delete(id, found);
            }
            else if (found != 0)
            {
                tables.skipList().updateScore(id, found, random.nextInt(1000) / 4.0);
            }
            else
            {
                tables.skipList().insert(id, element, 0, element.capacity(), random.nextInt(1000) / 4.0);
            }
        }
        else if (remove)
        {
            tables.delete(id, found);
        }
        else if (type == ValueType.HASH)
        {
            final byte[] value = ("w" + random.nextInt(1000) + "z".repeat(random.nextInt(30)))
                .getBytes(StandardCharsets.US_ASCII);
            final long put = tables.put(id, element, 0, element.capacity(), value.length);
            UnsafeApi.copyMemory(value, org.agrona.BufferUtil.ARRAY_BASE_OFFSET, null,
                put + ElementDescriptor.valueOffset(element.capacity()), value.length);
        }
        else
        {
            tables.put(id, element, 0, element.capacity(), ElementTables.NO_VALUE);
        }
        return true;
    }

    /**
     * A node-level change of a list, as the command layer makes them: an element rewritten in place, a node removed,
     * a node inserted, a node grown (moved to a larger block); each existing node is announced before it changes.
     */
    private void changeList(final Keyspace keyspace, final int id, final Random random)
    {
        final Quicklists quicklists = keyspace.quicklists();
        long node = quicklists.head(id);
        for (int skip = random.nextInt(quicklists.nodes(id)); skip > 0; skip--)
        {
            node = Quicklists.next(node);
        }
        switch (random.nextInt(4))
        {
            case 0 ->
            {
                quicklists.beforeChange(id, node);
                // Rewrite the first element's text in place (same length).
                UnsafeApi.putByte(node + ListNodeDescriptor.LISTPACK_OFFSET + Listpack.HEADER_LENGTH + 1, (byte)'X');
            }
            case 1 ->
            {
                if (quicklists.nodes(id) > 1)
                {
                    quicklists.addCount(id, -Listpack.count(view(node), ListNodeDescriptor.LISTPACK_OFFSET));
                    quicklists.removeNode(id, node);
                }
            }
            case 2 -> addNode(quicklists, id, random.nextBoolean() ? node : 0, 1 + random.nextInt(20), random);
            default ->
            {
                quicklists.beforeChange(id, node);
                final int length = Quicklists.listpackLength(node);
                final long moved = quicklists.resizeNode(id, node, length + 8, (length + 8) * 4);
                final UnsafeBuffer lp = new UnsafeBuffer(moved, ListNodeDescriptor.LISTPACK_OFFSET + length + 8);
                final int at = ListNodeDescriptor.LISTPACK_OFFSET + length - 1;
                Listpack.writeElement(lp, at, buffer("grown!"), 0, 6, false, 0);
                lp.putByte(at + 8, (byte)Listpack.EOF);
                Listpack.header(lp, ListNodeDescriptor.LISTPACK_OFFSET, length + 8,
                    Listpack.count(lp, ListNodeDescriptor.LISTPACK_OFFSET) + 1);
                quicklists.addCount(id, 1);
            }
        }
    }

    private static UnsafeBuffer view(final long node)
    {
        return new UnsafeBuffer(node, ListNodeDescriptor.LISTPACK_OFFSET + Quicklists.listpackLength(node));
    }

    /** A node of {@code elements} 6-byte strings after {@code after} (0: first). */
    private static void addNode(final Quicklists quicklists, final int id, final long after, final int elements,
        final Random random)
    {
        final int length = Listpack.EMPTY_LENGTH + 8 * elements;
        final long node = quicklists.insertNode(id, after, length, length);
        final UnsafeBuffer lp = new UnsafeBuffer(node, ListNodeDescriptor.LISTPACK_OFFSET + length);
        int p = ListNodeDescriptor.LISTPACK_OFFSET + Listpack.HEADER_LENGTH;
        for (int i = 0; i < elements; i++)
        {
            p += Listpack.writeElement(lp, p, buffer(String.format("l%05d", random.nextInt(100_000))), 0, 6, false, 0);
        }
        lp.putByte(p, (byte)Listpack.EOF);
        Listpack.header(lp, ListNodeDescriptor.LISTPACK_OFFSET, length, elements);
        quicklists.addCount(id, elements);
    }

    private void deleteKey(final Keyspace keyspace, final int db, final String key, final boolean unlink)
    {
        final UnsafeBuffer keyBuffer = buffer(key);
        final long address = keyspace.find(db, keyBuffer, 0, keyBuffer.capacity(), 0);
        if (address != Keyspace.NOT_FOUND)
        {
            if (unlink)
            {
                keyspace.unlink(db, address);
            }
            else
            {
                keyspace.delete(db, address);
            }
        }
    }

    /** RENAME as the command does it: a new entry takes the value bytes (the table id), the old one goes. */
    private boolean rename(final Keyspace keyspace, final int db, final String from, final String to)
    {
        final UnsafeBuffer fromBuffer = buffer(from);
        final long address = keyspace.find(db, fromBuffer, 0, fromBuffer.capacity(), 0);
        if (address == Keyspace.NOT_FOUND)
        {
            return false;
        }
        final EntryFlyweight source = entry.wrap(address);
        final byte type = source.type();
        final byte encoding = source.encoding();
        final byte[] value = new byte[source.valueLength()];
        source.buffer().getBytes(source.valueOffset(), value);
        final long expireAtMs = source.expireAtMs();
        final UnsafeBuffer toBuffer = buffer(to);
        final long created = keyspace.put(db, toBuffer, 0, toBuffer.capacity(), type, encoding, value.length,
            expireAtMs);
        final EntryFlyweight target = entry.wrap(created);
        target.buffer().putBytes(target.valueOffset(), value);
        keyspace.deleteKeepingValue(db, keyspace.find(db, fromBuffer, 0, fromBuffer.capacity(), 0));
        return true;
    }

    private void collection(final Keyspace keyspace, final int db, final String key, final byte type, final int size,
        final Random random)
    {
        final ElementTables tables = keyspace.elementTables();
        if (type == ValueType.LIST)
        {
            final Quicklists quicklists = keyspace.quicklists();
            final int id = quicklists.create();
            long last = 0;
            for (int added = 0; added < size; added += 40)
            {
                addNode(quicklists, id, last, 40, random);
                last = quicklists.tail(id);
            }
            final UnsafeBuffer keyBuffer = buffer(key);
            final long address = keyspace.put(db, keyBuffer, 0, keyBuffer.capacity(), type,
                ValueEncoding.LIST_QUICKLIST, Integer.BYTES, random.nextInt(4) == 0 ? 4_100_000_000_000L : 0);
            final EntryFlyweight entry = this.entry.wrap(address);
            entry.buffer().putInt(entry.valueOffset(), id);
            return;
        }
        final int id = type == ValueType.ZSET ? tables.createSorted() : tables.create(type == ValueType.HASH);
        final byte encoding = type == ValueType.HASH ? ValueEncoding.HASH_TABLE :
            type == ValueType.SET ? ValueEncoding.SET_TABLE : ValueEncoding.ZSET_SKIPLIST;
        final UnsafeBuffer keyBuffer = buffer(key);
        final long address = keyspace.put(db, keyBuffer, 0, keyBuffer.capacity(), type, encoding, Integer.BYTES,
            random.nextInt(4) == 0 ? 4_100_000_000_000L : 0);
        final EntryFlyweight entry = this.entry.wrap(address);
        entry.buffer().putInt(entry.valueOffset(), id);
        for (int i = 0; i < size; i++)
        {
            final UnsafeBuffer element = buffer("e" + random.nextInt(size * 2));
            if (type == ValueType.ZSET)
            {
                if (tables.find(id, element, 0, element.capacity()) == 0)
                {
                    tables.skipList().insert(id, element, 0, element.capacity(), random.nextInt(1000) / 8.0);
                }
            }
            else if (type == ValueType.HASH)
            {
                final byte[] value = ("v" + i).getBytes(StandardCharsets.US_ASCII);
                final long put = tables.put(id, element, 0, element.capacity(), value.length);
                UnsafeApi.copyMemory(value, org.agrona.BufferUtil.ARRAY_BASE_OFFSET, null,
                    put + ElementDescriptor.valueOffset(element.capacity()), value.length);
            }
            else
            {
                tables.put(id, element, 0, element.capacity(), ElementTables.NO_VALUE);
            }
        }
    }

    /** The whole keyspace as the image should show it: db/key to type, expiry and sorted contents. */
    private Map<String, String> read(final Keyspace keyspace)
    {
        final Map<String, String> image = new HashMap<>();
        for (int db = 0; db < keyspace.databases(); db++)
        {
            final int d = db;
            keyspace.forEachEntry(db, address ->
            {
                final EntryFlyweight entry = this.entry.wrap(address);
                final String key = entry.buffer().getStringWithoutLengthUtf8(entry.keyOffset(), entry.keyLength());
                final String prefix = entry.type() + "@" + entry.expireAtMs() + ":";
                if (!ValueEncoding.isTable(entry.encoding()))
                {
                    image.put(d + "/" + key, prefix +
                        entry.buffer().getStringWithoutLengthUtf8(entry.valueOffset(), entry.valueLength()));
                    return;
                }
                final int id = entry.buffer().getInt(entry.valueOffset());
                final byte type = entry.type();
                if (type == ValueType.LIST)
                {
                    final List<String> elements = new ArrayList<>();
                    for (long node = keyspace.quicklists().head(id); node != 0; node = Quicklists.next(node))
                    {
                        final UnsafeBuffer lp = view(node);
                        for (int p = Listpack.first(lp, ListNodeDescriptor.LISTPACK_OFFSET); p != 0;
                            p = Listpack.next(lp, ListNodeDescriptor.LISTPACK_OFFSET, p))
                        {
                            elements.add(Image.text(lp, p));
                        }
                    }
                    image.put(d + "/" + key, prefix + elements);
                    return;
                }
                final ElementTables tables = keyspace.elementTables();
                final TreeMap<String, String> elements = new TreeMap<>();
                tables.forEach(id, element ->
                {
                    final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
                    final String name = string(element + ElementDescriptor.KEY_OFFSET, keyLength);
                    if (type == ValueType.ZSET)
                    {
                        final int length = doubleFormat.format(ZSkipList.score(element), scoreText, 0);
                        elements.put(name, scoreText.getStringWithoutLengthAscii(0, length));
                    }
                    else if (type == ValueType.HASH)
                    {
                        elements.put(name, string(element + ElementDescriptor.valueOffset(keyLength),
                            tables.valueLengthOf(id, element)));
                    }
                    else
                    {
                        elements.put(name, "");
                    }
                });
                image.put(d + "/" + key, prefix + elements);
            });
        }
        return image;
    }

    private static String string(final long address, final int length)
    {
        final byte[] bytes = new byte[length];
        UnsafeApi.copyMemory(null, address, bytes, org.agrona.BufferUtil.ARRAY_BASE_OFFSET, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void putString(final Keyspace keyspace, final int db, final String key, final String value,
        final long expireAtMs)
    {
        SnapshotTaskTest.putString(keyspace, entry, db, key, value, expireAtMs);
    }

    private static UnsafeBuffer buffer(final String text)
    {
        return SnapshotTaskTest.buffer(text);
    }

    /** What a consumer reads from the ring, checking the contract as it goes. */
    private static final class Image
    {
        final Map<String, String> entries = new HashMap<>();
        String open;
        String openPrefix;
        byte openType;
        long openCount;
        TreeMap<String, String> openElements;
        List<String> openList;
        boolean ended;
        int elementsThisStep;
        int largestPart;

        void read(final Snapshot snapshot)
        {
            snapshot.ring().read(this::onMessage, Integer.MAX_VALUE);
        }

        void onMessage(final int type, final DirectBuffer buffer, final int index, final int length)
        {
            assertFalse(ended, "a message after the end");
            if (open != null && type != MSG_PART && type != MSG_VALUE_END)
            {
                fail("message " + type + " inside the collection " + open);
            }
            switch (type)
            {
                case MSG_END -> ended = true;
                case MSG_ENTRY ->
                {
                    final int keyLength = buffer.getInt(index + KEY_LENGTH_OFFSET);
                    final String key = buffer.getShort(index + DB_OFFSET) + "/" +
                        buffer.getStringWithoutLengthUtf8(index + HEADER_LENGTH, keyLength);
                    final String value = buffer.getByte(index + TYPE_OFFSET) + "@" +
                        buffer.getLong(index + EXPIRE_AT_MS_OFFSET) + ":" + buffer.getStringWithoutLengthUtf8(
                        index + HEADER_LENGTH + keyLength, length - HEADER_LENGTH - keyLength);
                    assertNull(entries.put(key, value), "captured twice: " + key);
                }
                case MSG_BEGIN ->
                {
                    final int keyLength = buffer.getInt(index + KEY_LENGTH_OFFSET);
                    open = buffer.getShort(index + DB_OFFSET) + "/" +
                        buffer.getStringWithoutLengthUtf8(index + BEGIN_HEADER_LENGTH, keyLength);
                    openType = buffer.getByte(index + TYPE_OFFSET);
                    openPrefix = openType + "@" + buffer.getLong(index + EXPIRE_AT_MS_OFFSET) + ":";
                    openCount = buffer.getLong(index + COUNT_OFFSET);
                    openElements = new TreeMap<>();
                    openList = new ArrayList<>();
                    assertFalse(entries.containsKey(open), "captured twice: " + open);
                }
                case MSG_PART ->
                {
                    assertNotNull(open, "a part outside a collection");
                    if (openType != ValueType.LIST)
                    {
                        largestPart = Math.max(largestPart, length); // a list's parts are its nodes
                    }
                    assertEquals(Listpack.totalBytes(buffer, index), length);
                    int count = 0;
                    for (int p = Listpack.first(buffer, index); p != 0; p = Listpack.next(buffer, index, p))
                    {
                        final String name = text(buffer, p);
                        String value = "";
                        count++;
                        if (openType == ValueType.LIST)
                        {
                            openList.add(name);
                            elementsThisStep++;
                            continue;
                        }
                        if (openType != ValueType.SET)
                        {
                            p = Listpack.next(buffer, index, p);
                            value = text(buffer, p);
                            count++;
                        }
                        assertNull(openElements.put(name, value), "element twice in " + open + ": " + name);
                        elementsThisStep++;
                    }
                    assertEquals(count, Listpack.count(buffer, index));
                }
                case MSG_VALUE_END ->
                {
                    assertNotNull(open);
                    if (openType == ValueType.LIST)
                    {
                        assertEquals(openCount, openList.size(), "count of " + open);
                        entries.put(open, openPrefix + openList);
                        open = null;
                        return;
                    }
                    assertEquals(openCount, openElements.size(), "count of " + open);
                    entries.put(open, openPrefix + openElements);
                    open = null;
                }
                default -> fail("unknown message " + type);
            }
        }

        static String text(final DirectBuffer buffer, final int p)
        {
            return Listpack.isInt(buffer, p) ? Long.toString(Listpack.intValue(buffer, p)) :
                buffer.getStringWithoutLengthUtf8(Listpack.stringIndex(buffer, p), Listpack.stringLength(buffer, p));
        }
    }
}
