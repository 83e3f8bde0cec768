package io.ringkv.replication.snapshot;

import org.agrona.collections.LongHashSet;

/**
 * A big collection (element table) the snapshot has taken on but not finished streaming: what its BEGIN says
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
    /** Element addresses at or past {@link #position} that the stream must pass over. */
    final LongHashSet skip = new LongHashSet();
    /** Next bucket position of the (held still) table to stream; everything before it has been read. */
    long position;
    /** True once its BEGIN is in the ring. */
    boolean begun;
    /** True once its collection dropped the table (DEL, overwrite...): the snapshot frees it when done. */
    boolean dropped;
    /** Elements written into its parts so far (equals {@link #count} at the end). */
    long written;

    PendingCollection(final int tableId, final int db, final byte type, final byte encoding, final byte[] key,
        final long expireAtMs, final long count)
    {
        this.tableId = tableId;
        this.db = db;
        this.type = type;
        this.encoding = encoding;
        this.key = key;
        this.expireAtMs = expireAtMs;
        this.count = count;
    }
}
