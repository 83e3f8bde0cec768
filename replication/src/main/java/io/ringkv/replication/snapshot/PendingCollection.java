package io.ringkv.replication.snapshot;

import io.ringkv.core.store.EntryFlyweight;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;

/**
 * A big collection (element table or node-chain list), or a string too big for one ring message, the snapshot has taken on but not finished streaming: what its BEGIN says
 * (captured as it was at the snapshot's offset), where the stream has got to in its table, and the element blocks
 * the stream must not copy (already copied by a change, or born after the offset). One heap object per collection
 * touched or reached during a sync, none per element: {@link #skip} holds only the elements written meanwhile.
 */
final class PendingCollection
{
    final int tableId;
    final int db;
    final byte type;
    final byte encoding;
    final byte[] key;
    final long expireAtMs;
    final long count;
    /** Its PARTs waiting for the ring: old versions copied before a change, then what the stream read. */
    final MessageQueue queue = new MessageQueue();
    /** Element addresses at or past {@link #position} that the stream must pass over (tables). */
    final LongHashSet skip;
    /** A list's nodes at the snapshot's offset, in order (lists; O(nodes), not elements). */
    final long[] nodes;
    /** Index in {@link #nodes} of each of those node addresses (lists). */
    final Long2LongHashMap nodeIndex;
    /** Where a node changed before it was streamed has its old listpack copied in {@link #savedNodes}, plus one. */
    final int[] savedAt;
    /** Old listpacks of nodes changed before they were streamed (lists), off-heap. */
    ExpandableDirectByteBuffer savedNodes;
    int savedBytes;
    /**
     * Next bucket position of the (held still) table, or next index in {@link #nodes}, to stream; everything before
     * it has been read.
     */
    long position;
    /** True once its BEGIN is in the ring. */
    boolean begun;
    /** True once its collection dropped the table (DEL, overwrite...): the snapshot frees it when done. */
    boolean dropped;
    /** Elements written into its parts so far (equals {@link #count} at the end). */
    long written;
    /** A big string's value, copied when it was captured (off-heap, exactly {@link #count} bytes), else 0. */
    long stringCopy;

    /**
     * Capture a big collection's BEGIN fields as they are now.
     *
     * @param entry its entry, wrapped.
     * @param count its elements now.
     * @param nodes a list's nodes now, in order; null for an element table.
     */
    PendingCollection(final int db, final EntryFlyweight entry, final long count, final long[] nodes)
    {
        this(db, entry.buffer().getInt(entry.valueOffset()), entry, count, nodes, 0);
    }

    /**
     * Capture a big string's BEGIN fields as they are now, with its value copied at {@code copy}: the string
     * travels in PARTs of raw bytes, {@code count} being its length.
     */
    PendingCollection(final int db, final EntryFlyweight entry, final long copy)
    {
        this(db, -1, entry, entry.valueLength(), null, copy);
    }

    private PendingCollection(final int db, final int tableId, final EntryFlyweight entry, final long count,
        final long[] nodes, final long stringCopy)
    {
        this.tableId = tableId;
        this.db = db;
        this.type = entry.type();
        this.encoding = entry.encoding();
        this.key = new byte[entry.keyLength()];
        entry.buffer().getBytes(entry.keyOffset(), key);
        this.expireAtMs = entry.expireAtMs();
        this.count = count;
        this.nodes = nodes;
        this.stringCopy = stringCopy;
        skip = nodes == null && stringCopy == 0 ? new LongHashSet() : null;
        nodeIndex = nodes == null ? null : new Long2LongHashMap(-1);
        savedAt = nodes == null ? null : new int[nodes.length];
        for (int i = 0; nodes != null && i < nodes.length; i++)
        {
            nodeIndex.put(nodes[i], i);
        }
    }

    boolean isList()
    {
        return nodes != null;
    }

    boolean isString()
    {
        return tableId == -1;
    }
}
