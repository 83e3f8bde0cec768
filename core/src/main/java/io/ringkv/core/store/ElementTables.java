package io.ringkv.core.store;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.util.Arrays;

import static io.ringkv.core.store.ElementDescriptor.HASH_OFFSET;
import static io.ringkv.core.store.ElementDescriptor.KEY_LENGTH_OFFSET;
import static io.ringkv.core.store.ElementDescriptor.KEY_OFFSET;
import static io.ringkv.core.store.ElementDescriptor.NEXT_OFFSET;
import static io.ringkv.core.store.ElementDescriptor.elementLength;
import static io.ringkv.core.store.ElementDescriptor.valueLengthOffset;

/**
 * The element tables of large collections (a hash or set past its small encoding's limits): each one an
 * {@link OffHeapTable} of elements laid out as {@link ElementDescriptor} says, allocated from the keyspace's
 * {@link SlabAllocator} and counted against its memory budget like entries. A collection's entry holds only the
 * table's id ({@link ValueEncoding#isTable}); the heap holds one table object per large collection (its two
 * segment arrays), never one per element.
 * <p>
 * Tables grow and shrink with the main table's incremental resize: every find, put and delete moves one bucket. A
 * dropped table is freed either at once ({@link #free}, DEL as Redis's {@code lazyfree-lazy-user-del no}) or a
 * bounded number of elements per call of {@link #freeStep} ({@link #freeLater}: UNLINK, FLUSHALL ASYNC, expiry,
 * eviction), so that dropping a collection of millions of elements never stalls the engine.
 * <p>
 * Expected outcomes are return codes ({@link Keyspace#OUT_OF_MEMORY}, {@link #NO_TABLE}). Not threadsafe: only the
 * engine thread calls this, through {@link Keyspace#elementTables()}.
 */
public final class ElementTables
{
    /** Returned by {@link #create} when the budget has no room; never a table id. */
    public static final int NO_TABLE = -1;

    /** Value length argument and result meaning "an element without value" (a set member). */
    public static final int NO_VALUE = -1;

    /** Elements a dropped table frees per {@link #freeStep} unit of work, as Redis's lazyfree works by batches. */
    static final int FREE_ELEMENTS_PER_STEP = 1024;

    private static final int INITIAL_BUCKETS = 4;

    /** Visits each element a scan step or walk reaches. */
    @FunctionalInterface
    public interface ElementVisitor
    {
        /**
         * @param elementAddress a live element; read it, do not change its table.
         */
        void visitElement(long elementAddress);
    }

    /**
     * Told, on the engine thread, of every change to a table that a point-in-time snapshot has not finished copying
     * ({@link #guard}): the snapshot copies what it still needs before the change, so that no whole table is ever
     * copied at once (docs/replication-protocol.md, "Big collections").
     */
    public interface Guard
    {
        /**
         * An element of guarded table {@code id} is about to be changed in place, replaced or deleted; it is still
         * as it was. Must not change the table.
         */
        void elementChanging(int id, long element);

        /**
         * A new element block (a new key, or a replacement of a changed one) was just linked into guarded table
         * {@code id}.
         */
        void elementBorn(int id, long element);

        /**
         * Guarded table {@code id} was dropped by its collection (DEL, UNLINK, overwrite, expiry, eviction...): it is
         * not freed; the guard owns it now and frees it ({@link #unguard} then {@link #freeLater}) when done.
         */
        void tableDropped(int id);
    }

    private final Keyspace keyspace;
    private final SlabAllocator allocator;
    private final MemoryAccount account;
    private final KeyHashFunction hashFunction;
    private OffHeapTable[] tables = new OffHeapTable[16];
    private long[] elementBytes = new long[16];
    private boolean[] withValues = new boolean[16];
    /** Head block of each sorted table's skip list ({@link ZSkipList}), 0 for hash and set tables. */
    private long[] sortedHeads = new long[16];
    /** Tables a snapshot guards ({@link #guard}): their layout is held still and their changes reported. */
    private boolean[] guarded = new boolean[16];
    private Guard guard;
    private final ZSkipList skipList = new ZSkipList(this);
    private int[] freeIds = new int[16];
    private int freeIdCount;
    private int nextId;
    private long liveElementBytes;

    private int[] dropped = new int[16];
    private int droppedCount;
    private long lazilyFreedTables;
    private long dropCursor;
    private int dropBudget;
    /** The table whose elements {@link #freeVisitor} frees. */
    private int freeingId;
    private final OffHeapTable.BucketVisitor freeVisitor = this::freeElement;
    private final ElementCopy elementCopy = new ElementCopy();
    private final ScanCounter scanCounter = new ScanCounter();
    private final ForEachAdapter forEachAdapter = new ForEachAdapter();

    ElementTables(
        final Keyspace keyspace, final SlabAllocator allocator, final MemoryAccount account,
        final KeyHashFunction hashFunction)
    {
        this.keyspace = keyspace;
        this.allocator = allocator;
        this.account = account;
        this.hashFunction = hashFunction;
    }

    /**
     * Create an empty table.
     *
     * @param values true for hash elements (field and value), false for set members.
     * @return its id, or {@link #NO_TABLE} when the budget has no room for its buckets.
     */
    public int create(final boolean values)
    {
        if (!keyspace.fits(INITIAL_BUCKETS * OffHeapTable.BUCKET_LENGTH))
        {
            keyspace.refusedForMemory();
            return NO_TABLE;
        }
        final int id = freeIdCount > 0 ? freeIds[--freeIdCount] : nextId++;
        if (id == tables.length)
        {
            final int length = tables.length * 2;
            tables = Arrays.copyOf(tables, length);
            elementBytes = Arrays.copyOf(elementBytes, length);
            withValues = Arrays.copyOf(withValues, length);
            sortedHeads = Arrays.copyOf(sortedHeads, length);
            guarded = Arrays.copyOf(guarded, length);
        }
        tables[id] = new OffHeapTable(INITIAL_BUCKETS, hashFunction, account, HASH_OFFSET, KEY_LENGTH_OFFSET,
            KEY_OFFSET);
        elementBytes[id] = 0;
        withValues[id] = values;
        sortedHeads[id] = 0;
        guarded[id] = false;
        return id;
    }

    /**
     * Create an empty sorted table: elements are members whose value is their {@link ZSkipList} node.
     *
     * @return its id, or {@link #NO_TABLE} when the budget has no room.
     */
    public int createSorted()
    {
        final long headLength = ElementDescriptor.elementLength(0, ZSkipList.HEAD_VALUE_LENGTH);
        if (!keyspace.fits(allocator.reservationFor(headLength) + INITIAL_BUCKETS * OffHeapTable.BUCKET_LENGTH))
        {
            keyspace.refusedForMemory();
            return NO_TABLE;
        }
        final int id = create(true);
        final long head = allocator.allocate(headLength);
        ZSkipList.initHead(head);
        account(id, SlabAllocator.blockLength(headLength));
        sortedHeads[id] = head;
        return id;
    }

    /**
     * @return the skip list operations of sorted tables.
     */
    public ZSkipList skipList()
    {
        return skipList;
    }

    long sortedHead(final int id)
    {
        return sortedHeads[id];
    }

    /**
     * @return elements in table {@code id}.
     */
    public long size(final int id)
    {
        return tables[id].size();
    }

    /**
     * @return bytes table {@code id} holds: its element blocks and its bucket arrays (MEMORY USAGE's share).
     */
    public long memoryBytes(final int id)
    {
        return elementBytes[id] + tables[id].bucketBytes();
    }

    /**
     * @return block bytes of every live table's elements (dropped tables not yet freed included).
     */
    public long elementBytes()
    {
        return liveElementBytes;
    }

    /**
     * @return the element with this key, or 0.
     */
    public long find(final int id, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final OffHeapTable table = tables[id];
        final Object base = key.byteArray();
        final long address = key.addressOffset() + keyOffset;
        return table.find(table.hash(base, address, keyLength), base, address, keyLength);
    }

    /**
     * Insert an element, or replace the one with the same key, with room for exactly {@code valueLength} value
     * bytes that the caller then writes at {@link ElementDescriptor#valueOffset} (undefined until then).
     *
     * @param valueLength bytes of value for a hash table; {@link #NO_VALUE} for a set table.
     * @return the element's address (it moves when the value changes size class), or
     * {@link Keyspace#OUT_OF_MEMORY} leaving the table unchanged.
     */
    public long put(
        final int id, final DirectBuffer key, final int keyOffset, final int keyLength, final int valueLength)
    {
        return put(id, key.byteArray(), key.addressOffset() + keyOffset, keyLength, valueLength);
    }

    /**
     * {@link #put} of a key held in off-heap memory.
     */
    long putRaw(final int id, final long keyAddress, final int keyLength, final int valueLength)
    {
        return put(id, null, keyAddress, keyLength, valueLength);
    }

    private long put(final int id, final Object base, final long address, final int keyLength, final int valueLength)
    {
        final OffHeapTable table = tables[id];
        final long hash = table.hash(base, address, keyLength);
        final long existing = table.find(hash, base, address, keyLength);
        final long newLength = elementLength(keyLength, valueLength);
        if (existing != 0)
        {
            if (guarded[id])
            {
                guard.elementChanging(id, existing);
            }
            final long oldLength = elementLength(keyLength, valueLengthOf(id, existing));
            if (SlabAllocator.blockLength(oldLength) == SlabAllocator.blockLength(newLength))
            {
                allocator.resized(oldLength, newLength);
                writeValueLength(existing, keyLength, valueLength);
                return existing;
            }
        }
        if (!keyspace.fits(allocator.reservationFor(newLength)))
        {
            return keyspace.refusedForMemory();
        }
        final long element = allocator.allocate(newLength);
        UnsafeApi.putLong(element + NEXT_OFFSET, 0);
        UnsafeApi.putInt(element + HASH_OFFSET, (int)hash);
        UnsafeApi.putInt(element + KEY_LENGTH_OFFSET, keyLength);
        UnsafeApi.copyMemory(base, address, null, element + KEY_OFFSET, keyLength);
        writeValueLength(element, keyLength, valueLength);
        account(id, SlabAllocator.blockLength(newLength));
        if (existing != 0)
        {
            table.replace(existing, element);
            release(id, existing);
        }
        else
        {
            growIfNeeded(id);
            table.insert(element);
        }
        if (guarded[id])
        {
            guard.elementBorn(id, element);
        }
        return element;
    }

    /**
     * Delete the element with this key.
     *
     * @return true if it was there.
     */
    public boolean delete(final int id, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final long element = find(id, key, keyOffset, keyLength);
        if (element == 0)
        {
            return false;
        }
        delete(id, element);
        return true;
    }

    /**
     * Delete an element found in table {@code id}; its address is invalid afterwards.
     */
    public void delete(final int id, final long element)
    {
        final OffHeapTable table = tables[id];
        if (guarded[id])
        {
            guard.elementChanging(id, element);
        }
        table.remove(element);
        release(id, element);
        final long target = guarded[id] ? 0 : table.shrinkTarget();
        if (target != 0 && keyspace.fits(target * OffHeapTable.BUCKET_LENGTH))
        {
            table.startResize(target);
        }
    }

    /**
     * One step of Redis's SCAN cursor over table {@code id} (HSCAN, SSCAN): every element present for a whole scan
     * is visited at least once, across resizes.
     *
     * @param count hint of elements wanted.
     * @return the next cursor, 0 when complete.
     */
    public long scan(final int id, final long cursor, final int count, final ElementVisitor visitor)
    {
        final OffHeapTable table = tables[id];
        final ScanCounter counter = scanCounter;
        counter.visitor = visitor;
        counter.visited = 0;
        long next = cursor;
        long maxBuckets = Math.max(1, count) * 10L;
        do
        {
            next = table.scan(next, counter);
        }
        while (next != 0 && counter.visited < count && --maxBuckets > 0);
        counter.visitor = null;
        return next;
    }

    /** Counts what a scan step passes on. */
    private static final class ScanCounter implements OffHeapTable.BucketVisitor
    {
        ElementVisitor visitor;
        int visited;

        public void visitEntry(final long entryAddress)
        {
            visited++;
            visitor.visitElement(entryAddress);
        }
    }

    /**
     * Guard table {@code id} for a point-in-time snapshot until {@link #unguard}: its bucket layout is held still (no
     * resize starts, none in progress moves on), so each element keeps one {@link #positionOf position} while it
     * lives and {@link #visitPosition} walks every position once; and {@code guard} hears of every change before it
     * happens and of every new element after. One guard serves every guarded table.
     */
    public void guard(final int id, final Guard guard)
    {
        this.guard = guard;
        if (!guarded[id])
        {
            guarded[id] = true;
            tables[id].pauseRehash();
        }
    }

    /**
     * Release a {@link #guard}ed table: it resizes and changes silently again.
     */
    public void unguard(final int id)
    {
        if (guarded[id])
        {
            guarded[id] = false;
            tables[id].resumeRehash();
        }
    }

    /**
     * @return true while table {@code id} is {@link #guard}ed.
     */
    public boolean guarded(final int id)
    {
        return guarded[id];
    }

    /**
     * @return bucket positions of guarded table {@code id}, 0 .. this - 1.
     */
    public long positions(final int id)
    {
        return tables[id].positions();
    }

    /**
     * @return the position of a live element of guarded table {@code id}; fixed while it lives.
     */
    public long positionOf(final int id, final long element)
    {
        return tables[id].positionOf(element);
    }

    /**
     * Visit the elements at one position of guarded table {@code id}.
     *
     * @return how many were visited.
     */
    public int visitPosition(final int id, final long position, final ElementVisitor visitor)
    {
        final ScanCounter counter = scanCounter;
        counter.visitor = visitor;
        counter.visited = 0;
        tables[id].visitPosition(position, counter);
        counter.visitor = null;
        return counter.visited;
    }

    /**
     * @return elements at one position of guarded table {@code id}, without visiting them.
     */
    public int elementsAt(final int id, final long position)
    {
        return tables[id].chainLength(position);
    }

    /**
     * A sorted table's element is about to change its score in place ({@link ZSkipList#updateScore}).
     */
    void beforeChange(final int id, final long element)
    {
        if (guarded[id])
        {
            guard.elementChanging(id, element);
        }
    }

    /**
     * @return a random element of a non-empty table (Redis's dictGetFairRandomKey is close enough: a random
     * non-empty bucket, then a random element of its chain).
     */
    public long randomElement(final int id)
    {
        return tables[id].randomEntry();
    }

    /**
     * Visit every element of table {@code id}, in no useful order. The visitor must not change the table.
     */
    public void forEach(final int id, final ElementVisitor visitor)
    {
        final ForEachAdapter adapter = forEachAdapter;
        adapter.visitor = visitor;
        tables[id].forEach(adapter);
        adapter.visitor = null;
    }

    /**
     * Copy table {@code id} element by element (COPY of a large collection).
     *
     * @return the copy's id, or {@link #NO_TABLE} when the budget has no room (nothing is left allocated).
     */
    public int copy(final int id)
    {
        if (sortedHeads[id] != 0)
        {
            return copySorted(id);
        }
        final int copy = create(withValues[id]);
        if (copy == NO_TABLE)
        {
            return NO_TABLE;
        }
        final ElementCopy elementCopy = this.elementCopy;
        elementCopy.target = copy;
        elementCopy.failed = false;
        tables[id].forEach(elementCopy);
        if (elementCopy.failed)
        {
            free(copy);
            return NO_TABLE;
        }
        return copy;
    }

    private int copySorted(final int id)
    {
        final int copy = createSorted();
        if (copy == NO_TABLE)
        {
            return NO_TABLE;
        }
        for (long element = skipList.first(id); element != 0; element = ZSkipList.next(element))
        {
            if (skipList.copyInsert(copy, element) == Keyspace.OUT_OF_MEMORY)
            {
                free(copy);
                return NO_TABLE;
            }
        }
        return copy;
    }

    /**
     * Free table {@code id} and all its elements now (DEL). O(elements).
     */
    public void free(final int id)
    {
        if (guarded[id])
        {
            guard.tableDropped(id);
            return;
        }
        freeingId = id;
        tables[id].forEach(freeVisitor);
        retire(id);
    }

    /**
     * Drop table {@code id}: its id and memory are given back by later {@link #freeStep} calls, a bounded number
     * of elements each (UNLINK, FLUSHALL ASYNC, expiry, eviction). The table must not be used any more.
     */
    public void freeLater(final int id)
    {
        if (guarded[id])
        {
            guard.tableDropped(id);
            return;
        }
        if (tables[id].size() <= FREE_ELEMENTS_PER_STEP / 16)
        {
            free(id);    // as Redis's LAZYFREE_THRESHOLD: small values are cheaper to free at once
            return;
        }
        if (droppedCount == dropped.length)
        {
            dropped = Arrays.copyOf(dropped, droppedCount * 2);
        }
        dropped[droppedCount++] = id;
    }

    /**
     * Free up to {@code steps * }{@value #FREE_ELEMENTS_PER_STEP} elements of dropped tables, oldest first.
     *
     * @return true while dropped tables remain.
     */
    public boolean freeStep(final int steps)
    {
        dropBudget = steps * FREE_ELEMENTS_PER_STEP;
        while (droppedCount > 0 && dropBudget > 0)
        {
            final int id = dropped[0];
            final OffHeapTable table = tables[id];
            freeingId = id;
            // Walk the table with SCAN's cursor, freeing each element met; the chains are never walked again.
            do
            {
                dropCursor = table.scan(dropCursor, freeVisitor);
            }
            while (dropCursor != 0 && dropBudget > 0);
            if (dropCursor == 0)
            {
                retire(id);
                lazilyFreedTables++;
                System.arraycopy(dropped, 1, dropped, 0, --droppedCount);
            }
        }
        return droppedCount > 0;
    }

    /**
     * @return tables dropped and not yet freed.
     */
    public int droppedTables()
    {
        return droppedCount;
    }

    /**
     * @return tables the lazy free has finished freeing (INFO's lazyfreed_objects).
     */
    public long lazilyFreedTables()
    {
        return lazilyFreedTables;
    }

    /**
     * Forget every table: their elements' memory was released with the allocator's pages (FLUSHALL); only the
     * bucket arrays are freed here.
     */
    void clearAll()
    {
        for (int id = 0; id < nextId; id++)
        {
            if (tables[id] != null)
            {
                tables[id].close();
                tables[id] = null;
            }
        }
        Arrays.fill(sortedHeads, 0);
        Arrays.fill(guarded, false);
        nextId = 0;
        freeIdCount = 0;
        droppedCount = 0;
        dropCursor = 0;
        liveElementBytes = 0;
    }

    /**
     * @return the value length of an element of table {@code id}, or {@link #NO_VALUE} for a set member.
     */
    public int valueLengthOf(final int id, final long element)
    {
        return withValues[id] ?
            UnsafeApi.getInt(element + valueLengthOffset(UnsafeApi.getInt(element + KEY_LENGTH_OFFSET))) : NO_VALUE;
    }

    /** Free an element of a table being freed whole: its chain is never walked again. */
    private void freeElement(final long element)
    {
        final int id = freeingId;
        final long length = elementLength(UnsafeApi.getInt(element + KEY_LENGTH_OFFSET), valueLengthOf(id, element));
        allocator.free(element, length);
        account(id, -SlabAllocator.blockLength(length));
        dropBudget--;
    }

    private void release(final int id, final long element)
    {
        final long length = elementLength(UnsafeApi.getInt(element + KEY_LENGTH_OFFSET), valueLengthOf(id, element));
        allocator.free(element, length);
        account(id, -SlabAllocator.blockLength(length));
        keyspace.memoryFreed();
    }

    private void retire(final int id)
    {
        final long head = sortedHeads[id];
        if (head != 0)
        {
            final long headLength = ElementDescriptor.elementLength(0, ZSkipList.HEAD_VALUE_LENGTH);
            allocator.free(head, headLength);
            account(id, -SlabAllocator.blockLength(headLength));
            sortedHeads[id] = 0;
        }
        tables[id].close();
        tables[id] = null;
        guarded[id] = false;
        if (freeIdCount == freeIds.length)
        {
            freeIds = Arrays.copyOf(freeIds, freeIdCount * 2);
        }
        freeIds[freeIdCount++] = id;
        keyspace.memoryFreed();
    }

    private void account(final int id, final long blockBytes)
    {
        elementBytes[id] += blockBytes;
        liveElementBytes += blockBytes;
    }

    private void growIfNeeded(final int id)
    {
        if (guarded[id])
        {
            return; // the layout is held still while a snapshot streams the table; it grows once released
        }
        final OffHeapTable table = tables[id];
        final long target = table.expandTarget();
        if (target != 0 && keyspace.fits(target * OffHeapTable.BUCKET_LENGTH))
        {
            table.startResize(target);
        }
    }

    private void writeValueLength(final long element, final int keyLength, final int valueLength)
    {
        if (valueLength != NO_VALUE)
        {
            UnsafeApi.putInt(element + valueLengthOffset(keyLength), valueLength);
        }
    }

    /** Copies each element it visits into the target table. */
    private final class ElementCopy implements OffHeapTable.BucketVisitor
    {
        int target;
        boolean failed;

        public void visitEntry(final long element)
        {
            if (failed)
            {
                return;
            }
            final int keyLength = UnsafeApi.getInt(element + KEY_LENGTH_OFFSET);
            final int valueLength = valueLengthOf(target, element);
            final long length = elementLength(keyLength, valueLength);
            if (!keyspace.fits(allocator.reservationFor(length)))
            {
                keyspace.refusedForMemory();
                failed = true;
                return;
            }
            final OffHeapTable table = tables[target];
            final long copy = allocator.allocate(length);
            UnsafeApi.copyMemory(element, copy, length);
            UnsafeApi.putLong(copy + NEXT_OFFSET, 0);
            account(target, SlabAllocator.blockLength(length));
            growIfNeeded(target);
            table.insert(copy);
        }
    }

    /** Passes a table walk on to a public visitor. */
    private static final class ForEachAdapter implements OffHeapTable.BucketVisitor
    {
        ElementVisitor visitor;

        public void visitEntry(final long entryAddress)
        {
            visitor.visitElement(entryAddress);
        }
    }
}
