package io.ringkv.core.store;

import org.agrona.UnsafeApi;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The node chains of large lists (Redis's quicklist idea): a list past one node's limit ({@code
 * list-max-listpack-size}) is a doubly linked chain of nodes, each one {@link SlabAllocator} block holding a Redis
 * 7.0 listpack of consecutive elements ({@link ListNodeDescriptor}). Its entry holds only the chain's id
 * ({@link ValueEncoding#LIST_QUICKLIST}); the chain's head, tail, element count and node bytes live in arrays
 * indexed by id, so the heap holds no object per list or per node.
 * <p>
 * This class owns the chain's shape (nodes allocated, resized, linked, freed, copied, counted against the budget);
 * the command layer edits the listpacks inside the nodes and keeps {@link #count} in step. A dropped chain is freed
 * at once ({@link #free}, DEL) or {@value #FREE_NODES_PER_STEP} nodes per {@link #freeStep} ({@link #freeLater}:
 * UNLINK, FLUSHALL ASYNC, expiry, eviction), as {@link ElementTables} frees tables.
 * <p>
 * Expected outcomes are return codes ({@link Keyspace#OUT_OF_MEMORY}, {@link #NO_LIST}). Not threadsafe: only the
 * engine thread calls this, through {@link Keyspace#quicklists()}.
 */
public final class Quicklists
{
    /** Returned by {@link #create} or {@link #copy} when the budget has no room; never an id. */
    public static final int NO_LIST = -1;

    /** Nodes a dropped chain frees per {@link #freeStep} unit (up to 8 KiB each: about 1024 short elements). */
    static final int FREE_NODES_PER_STEP = 64;

    /**
     * Told, on the engine thread, of every change to a chain that a point-in-time snapshot has not finished copying
     * ({@link #guard}): the snapshot copies a node it still needs before the node changes, never the whole chain.
     */
    public interface Guard
    {
        /**
         * A node of guarded chain {@code id} is about to be edited, moved or removed; it is still as it was. Must not
         * change the chain.
         */
        void nodeChanging(int id, long node);

        /**
         * Guarded chain {@code id} was dropped by its list: it is not freed; the guard owns it now and frees it
         * ({@link #unguard} then {@link #freeLater}) when done.
         */
        void listDropped(int id);
    }

    private final Keyspace keyspace;
    private final SlabAllocator allocator;
    private boolean[] guarded = new boolean[16];
    private Guard guard;
    private long[] heads = new long[16];
    private long[] tails = new long[16];
    private long[] counts = new long[16];
    private int[] nodeCounts = new int[16];
    private long[] blockBytes = new long[16];
    private int[] freeIds = new int[16];
    private int freeIdCount;
    private int nextId;

    private int[] dropped = new int[16];
    private int droppedCount;
    private long lazilyFreedLists;

    Quicklists(final Keyspace keyspace, final SlabAllocator allocator)
    {
        this.keyspace = keyspace;
        this.allocator = allocator;
    }

    /**
     * Create an empty chain (no node); the caller adds nodes with {@link #insertNode}.
     *
     * @return its id.
     */
    public int create()
    {
        final int id = freeIdCount > 0 ? freeIds[--freeIdCount] : nextId++;
        if (id == heads.length)
        {
            final int length = heads.length * 2;
            heads = Arrays.copyOf(heads, length);
            tails = Arrays.copyOf(tails, length);
            counts = Arrays.copyOf(counts, length);
            nodeCounts = Arrays.copyOf(nodeCounts, length);
            blockBytes = Arrays.copyOf(blockBytes, length);
            guarded = Arrays.copyOf(guarded, length);
        }
        guarded[id] = false;
        heads[id] = 0;
        tails[id] = 0;
        counts[id] = 0;
        nodeCounts[id] = 0;
        blockBytes[id] = 0;
        return id;
    }

    /**
     * @return the first node of chain {@code id}, or 0 when it has none.
     */
    public long head(final int id)
    {
        return heads[id];
    }

    /**
     * @return the last node of chain {@code id}, or 0.
     */
    public long tail(final int id)
    {
        return tails[id];
    }

    /**
     * @return elements in chain {@code id}, as the command layer keeps it ({@link #addCount}).
     */
    public long count(final int id)
    {
        return counts[id];
    }

    /**
     * @param delta elements added (negative: removed) by an edit of a node's listpack.
     */
    public void addCount(final int id, final long delta)
    {
        counts[id] += delta;
    }

    /**
     * @return nodes in chain {@code id}.
     */
    public int nodes(final int id)
    {
        return nodeCounts[id];
    }

    /**
     * @return bytes chain {@code id} holds outside its entry: its node blocks (MEMORY USAGE's share).
     */
    public long memoryBytes(final int id)
    {
        return blockBytes[id];
    }

    /**
     * @return the node after {@code node}, or 0.
     */
    public static long next(final long node)
    {
        return UnsafeApi.getLong(node + ListNodeDescriptor.NEXT_OFFSET);
    }

    /**
     * @return the node before {@code node}, or 0.
     */
    public static long prev(final long node)
    {
        return UnsafeApi.getLong(node + ListNodeDescriptor.PREV_OFFSET);
    }

    /**
     * @return bytes of a node's listpack, from its header.
     */
    public static int listpackLength(final long node)
    {
        return UnsafeApi.getInt(node + ListNodeDescriptor.LISTPACK_OFFSET + Listpack.TOTAL_BYTES_OFFSET);
    }

    /**
     * @return listpack bytes the node's block has room for.
     */
    public static int capacity(final long node)
    {
        return UnsafeApi.getInt(node + ListNodeDescriptor.CAPACITY_OFFSET);
    }

    /**
     * Allocate a node with room for a listpack of at least {@code capacity} bytes (rounded up to its size class),
     * holding one of {@code listpackLength} bytes (undefined until the caller writes it, header first), and link it
     * after {@code after}, or first when {@code after} is 0.
     *
     * @return the node's address, or {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    public long insertNode(final int id, final long after, final int listpackLength, final int capacity)
    {
        final int roomy = ListNodeDescriptor.capacityFor(Math.max(listpackLength, capacity));
        final long length = ListNodeDescriptor.nodeLength(roomy);
        if (!keyspace.fits(allocator.reservationFor(length)))
        {
            return keyspace.refusedForMemory();
        }
        final long node = allocator.allocate(length);
        UnsafeApi.putInt(node + ListNodeDescriptor.CAPACITY_OFFSET, roomy);
        UnsafeApi.putInt(node + ListNodeDescriptor.LISTPACK_OFFSET + Listpack.TOTAL_BYTES_OFFSET, listpackLength);
        final long next = after == 0 ? heads[id] : next(after);
        UnsafeApi.putLong(node + ListNodeDescriptor.PREV_OFFSET, after);
        UnsafeApi.putLong(node + ListNodeDescriptor.NEXT_OFFSET, next);
        link(id, after, node, next);
        nodeCounts[id]++;
        blockBytes[id] += SlabAllocator.blockLength(length);
        return node;
    }

    /**
     * Give a node room for a listpack of {@code newLength} bytes, keeping the first {@code min(old, new)} bytes of
     * its listpack (the old length is read from the listpack's header, which the caller updates afterwards: grow,
     * then move bytes up; or move bytes down, then shrink). The block stays while it has the room and is at least a
     * quarter used; else it moves to one of at least {@code capacity} bytes.
     *
     * @return the node's address from now on, or {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    public long resizeNode(final int id, final long node, final int newLength, final int capacity)
    {
        beforeChange(id, node);
        final int oldCapacity = capacity(node);
        if (newLength <= oldCapacity && (newLength >= oldCapacity / 4 || oldCapacity <= 256))
        {
            return node;
        }
        final int oldLength = listpackLength(node);
        final long oldBlock = ListNodeDescriptor.nodeLength(oldCapacity);
        final int roomy = ListNodeDescriptor.capacityFor(Math.max(newLength, capacity));
        final long newBlock = ListNodeDescriptor.nodeLength(roomy);
        if (!keyspace.fits(allocator.reservationFor(newBlock)))
        {
            return keyspace.refusedForMemory();
        }
        final long moved = allocator.allocate(newBlock);
        UnsafeApi.copyMemory(node, moved, ListNodeDescriptor.LISTPACK_OFFSET + (long)Math.min(oldLength, newLength));
        UnsafeApi.putInt(moved + ListNodeDescriptor.CAPACITY_OFFSET, roomy);
        final long prev = prev(node);
        final long next = next(node);
        link(id, prev, moved, next);
        allocator.free(node, oldBlock);
        blockBytes[id] += SlabAllocator.blockLength(newBlock) - SlabAllocator.blockLength(oldBlock);
        keyspace.memoryFreed();
        return moved;
    }

    /**
     * Guard chain {@code id} for a point-in-time snapshot until {@link #unguard}: {@code guard} hears of every node
     * about to change ({@link #beforeChange}, which the command layer calls before editing a node's listpack) and
     * of the chain being dropped. One guard serves every guarded chain.
     */
    public void guard(final int id, final Guard guard)
    {
        this.guard = guard;
        guarded[id] = true;
    }

    /**
     * Release a {@link #guard}ed chain.
     */
    public void unguard(final int id)
    {
        guarded[id] = false;
    }

    /**
     * A node of chain {@code id} is about to be edited in place, moved or removed: a guard copies it first.
     */
    public void beforeChange(final int id, final long node)
    {
        if (guarded[id])
        {
            guard.nodeChanging(id, node);
        }
    }

    /**
     * Unlink and free a node (its elements must already be uncounted).
     */
    public void removeNode(final int id, final long node)
    {
        beforeChange(id, node);
        final long prev = prev(node);
        final long next = next(node);
        if (prev == 0)
        {
            heads[id] = next;
        }
        else
        {
            UnsafeApi.putLong(prev + ListNodeDescriptor.NEXT_OFFSET, next);
        }
        if (next == 0)
        {
            tails[id] = prev;
        }
        else
        {
            UnsafeApi.putLong(next + ListNodeDescriptor.PREV_OFFSET, prev);
        }
        nodeCounts[id]--;
        releaseNode(id, node);
        keyspace.memoryFreed();
    }

    /**
     * Copy chain {@code id} node by node (COPY of a large list).
     *
     * @return the copy's id, or {@link #NO_LIST} when the budget has no room (nothing is left allocated).
     */
    public int copy(final int id)
    {
        final int copy = create();
        long after = 0;
        for (long node = heads[id]; node != 0; node = next(node))
        {
            final int length = listpackLength(node);
            final long added = insertNode(copy, after, length, length);
            if (added == Keyspace.OUT_OF_MEMORY)
            {
                free(copy);
                return NO_LIST;
            }
            UnsafeApi.copyMemory(node + ListNodeDescriptor.LISTPACK_OFFSET,
                added + ListNodeDescriptor.LISTPACK_OFFSET, length);
            after = added;
        }
        counts[copy] = counts[id];
        return copy;
    }

    /**
     * Free chain {@code id} and all its nodes now (DEL). O(nodes).
     */
    public void free(final int id)
    {
        if (guarded[id])
        {
            guard.listDropped(id);
            return;
        }
        for (long node = heads[id]; node != 0; )
        {
            final long next = next(node);
            releaseNode(id, node);
            node = next;
        }
        retire(id);
    }

    /**
     * Drop chain {@code id}: its nodes are freed by later {@link #freeStep} calls, a bounded number each.
     */
    public void freeLater(final int id)
    {
        if (guarded[id])
        {
            guard.listDropped(id);
            return;
        }
        if (nodeCounts[id] <= 1)
        {
            free(id);
            return;
        }
        if (droppedCount == dropped.length)
        {
            dropped = Arrays.copyOf(dropped, droppedCount * 2);
        }
        dropped[droppedCount++] = id;
    }

    /**
     * Free up to {@code steps * }{@value #FREE_NODES_PER_STEP} nodes of dropped chains, oldest first.
     *
     * @return true while dropped chains remain.
     */
    public boolean freeStep(final int steps)
    {
        int budget = steps * FREE_NODES_PER_STEP;
        while (droppedCount > 0 && budget > 0)
        {
            final int id = dropped[0];
            long node = heads[id];
            while (node != 0 && budget-- > 0)
            {
                final long next = next(node);
                releaseNode(id, node);
                node = next;
            }
            heads[id] = node;
            if (node == 0)
            {
                retire(id);
                lazilyFreedLists++;
                System.arraycopy(dropped, 1, dropped, 0, --droppedCount);
            }
        }
        keyspace.memoryFreed();
        return droppedCount > 0;
    }

    /**
     * @return chains dropped and not yet freed.
     */
    public int droppedLists()
    {
        return droppedCount;
    }

    /**
     * @return chains the lazy free has finished freeing.
     */
    public long lazilyFreedLists()
    {
        return lazilyFreedLists;
    }

    /**
     * Forget every chain: their nodes' memory was released with the allocator's pages (FLUSHALL).
     */
    void clearAll()
    {
        Arrays.fill(guarded, false);
        nextId = 0;
        freeIdCount = 0;
        droppedCount = 0;
    }

    private void link(final int id, final long prev, final long node, final long next)
    {
        if (prev == 0)
        {
            heads[id] = node;
        }
        else
        {
            UnsafeApi.putLong(prev + ListNodeDescriptor.NEXT_OFFSET, node);
        }
        if (next == 0)
        {
            tails[id] = node;
        }
        else
        {
            UnsafeApi.putLong(next + ListNodeDescriptor.PREV_OFFSET, node);
        }
    }

    private void releaseNode(final int id, final long node)
    {
        final long length = ListNodeDescriptor.nodeLength(capacity(node));
        allocator.free(node, length);
        blockBytes[id] -= SlabAllocator.blockLength(length);
    }

    private void retire(final int id)
    {
        guarded[id] = false;
        heads[id] = 0;
        tails[id] = 0;
        if (freeIdCount == freeIds.length)
        {
            freeIds = Arrays.copyOf(freeIds, freeIdCount * 2);
        }
        freeIds[freeIdCount++] = id;
        keyspace.memoryFreed();
    }

    static
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new IllegalStateException("listpack headers are read in native order: little-endian only");
        }
    }
}
