package io.ringkv.replication.snapshot;

import io.ringkv.core.engine.EngineTask;
import io.ringkv.core.store.ElementDescriptor;
import io.ringkv.core.codec.RedisDoubleFormat;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.ValueType;
import io.ringkv.core.store.ZSkipList;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.ListNodeDescriptor;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.Quicklists;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.SnapshotListener;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.ringkv.replication.snapshot.SnapshotEntryDescriptor.*;

/**
 * The engine side of full syncs: runs one {@link Snapshot} at a time on the engine thread, with no stop-the-world
 * copy. Starting it at offset N ({@link #start}) flips the keyspace's snapshot phase; then each engine TASK (asked
 * for by the sender when its ring has room) scans a bounded number of buckets, and the keyspace hands over, before
 * any change, each entry not yet captured ({@link SnapshotListener#capture}). Either way every entry alive at N is
 * written exactly once, as it was at N (docs/replication-protocol.md has the argument).
 * <p>
 * A snapshot given up (its replica left, its ring overflowed, a FLUSHALL) is still scanned to the end without
 * writing ("draining"), since the keyspace's phase bits are consistent only after a complete pass; no new snapshot
 * starts until then. Only the engine thread calls this, except {@link #busy()} and {@link #draining()}.
 */
public final class SnapshotTask implements EngineTask, SnapshotListener
{
    /** Buckets scanned between two clock reads. */
    private static final int SCAN_STEP_BUCKETS = 256;
    /** Time one task step may take while streaming; the engine's other work waits meanwhile. */
    private static final long STEP_BUDGET_NS = 200_000;
    /** Time one step may take while draining a given-up snapshot. */
    private static final long DRAIN_BUDGET_NS = 1_000_000;

    private final Keyspace keyspace;
    private final EntryFlyweight entry = new EntryFlyweight();
    private final UnsafeBuffer source = new UnsafeBuffer(0, 0);
    private Snapshot snapshot;
    private int db;
    private long cursor;
    private volatile boolean busy;
    private long keysAtStart;
    private long captured;
    private volatile boolean draining;

    public SnapshotTask(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
    }

    /**
     * @return true while a snapshot runs or drains: a new one cannot start.
     */
    public boolean busy()
    {
        return busy;
    }

    /**
     * @return true while a given-up snapshot is being scanned through.
     */
    public boolean draining()
    {
        return draining;
    }

    /**
     * Engine thread: begin {@code snapshot}; the keyspace's state now is what it captures.
     */
    public void start(final Snapshot snapshot)
    {
        if (busy)
        {
            throw new IllegalStateException("a snapshot is running");
        }
        this.snapshot = snapshot;
        db = 0;
        cursor = 0;
        busy = true;
        draining = false;
        captured = 0;
        keysAtStart = 0;
        for (int i = 0; i < keyspace.databases(); i++)
        {
            keysAtStart += keyspace.size(i);
        }
        keyspace.startSnapshot(this);
    }

    @Override
    public void doWork(final long nowMs)
    {
        final Snapshot snapshot = this.snapshot;
        if (snapshot == null)
        {
            return;
        }
        if (!draining && snapshot.abortReason() != null)
        {
            draining = true;
        }
        final OneToOneRingBuffer ring = snapshot.ring();
        final int half = ring.capacity() / 2;
        final long deadlineNs = System.nanoTime() + (draining ? DRAIN_BUDGET_NS : STEP_BUDGET_NS);
        final int databases = keyspace.databases();
        while (db < databases)
        {
            if (!draining && ring.size() > half)
            {
                break;
            }
            cursor = keyspace.snapshotScan(db, cursor, SCAN_STEP_BUCKETS);
            if (cursor == 0)
            {
                db++;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                break;
            }
        }
        if (!draining)
        {
            snapshot.notePeak();
        }
        if (db == databases)
        {
            if (!draining && !ring.write(MSG_END, source, 0, 0))
            {
                snapshot.wakeReader();
                return; // the end marker goes in at the next step, once the reader has made room
            }
            snapshot.counts(keysAtStart, captured);
            keyspace.endSnapshot();
            this.snapshot = null;
            busy = false;
            draining = false;
            snapshot.complete();
            snapshot.release();
            return;
        }
        if (!draining)
        {
            snapshot.wakeReader();
        }
    }

    @Override
    public void capture(final int db, final long entryAddress)
    {
        final Snapshot snapshot = this.snapshot;
        if (draining || snapshot.abortReason() != null)
        {
            draining = true;
            return;
        }
        final EntryFlyweight entry = this.entry.wrap(entryAddress);
        final int keyLength = entry.keyLength();
        final boolean table = Keyspace.hasTableValue(entryAddress);
        // A large collection travels as a listpack of its elements (each as a string), built here: the table
        // itself may change once the engine goes on.
        final boolean quicklist = ValueEncoding.isQuicklist(entry.encoding());
        final int valueLength = quicklist ? quicklistAsListpackLength(entry) :
            table ? tableAsListpackLength(entry) : entry.valueLength();
        final RingBuffer ring = snapshot.ring();
        final long length = (long)HEADER_LENGTH + keyLength + valueLength;
        if (length > ring.maxMsgLength())
        {
            giveUp(snapshot, "an entry of " + length + " bytes is larger than the snapshot buffer allows (" +
                ring.maxMsgLength() + "); raise repl-snapshot-buffer-size");
            return;
        }
        final int index = ring.tryClaim(MSG_ENTRY, (int)length);
        if (index <= 0)
        {
            giveUp(snapshot, "snapshot buffer full: the replica reads the dump slower than writes change it");
            return;
        }
        final UnsafeBuffer buffer = (UnsafeBuffer)ring.buffer();
        buffer.putShort(index + DB_OFFSET, (short)db);
        buffer.putByte(index + TYPE_OFFSET, entry.type());
        buffer.putByte(index + ENCODING_OFFSET, entry.encoding());
        buffer.putInt(index + KEY_LENGTH_OFFSET, keyLength);
        buffer.putLong(index + EXPIRE_AT_MS_OFFSET, entry.expireAtMs());
        if (quicklist)
        {
            buffer.putBytes(index + HEADER_LENGTH, entry.buffer(), entry.keyOffset(), keyLength);
            writeQuicklistAsListpack(entry, buffer, index + HEADER_LENGTH + keyLength, valueLength);
        }
        else if (table)
        {
            buffer.putBytes(index + HEADER_LENGTH, entry.buffer(), entry.keyOffset(), keyLength);
            writeTableAsListpack(entry, buffer, index + HEADER_LENGTH + keyLength, valueLength);
        }
        else
        {
            buffer.putBytes(index + HEADER_LENGTH, entry.buffer(), entry.keyOffset(), keyLength + valueLength);
        }
        ring.commit(index);
        captured++;
    }

    /**
     * A large list travels as one listpack of all its elements: the nodes' element bytes, concatenated (a listpack
     * element is self-contained), under one header.
     */
    private int quicklistAsListpackLength(final EntryFlyweight entry)
    {
        long length = Listpack.EMPTY_LENGTH;
        for (long node = keyspace.quicklists().head(entry.buffer().getInt(entry.valueOffset())); node != 0;
            node = Quicklists.next(node))
        {
            length += Quicklists.listpackLength(node) - Listpack.EMPTY_LENGTH;
        }
        return (int)Math.min(length, Integer.MAX_VALUE - HEADER_LENGTH);
    }

    private void writeQuicklistAsListpack(final EntryFlyweight entry, final UnsafeBuffer buffer, final int at,
        final int length)
    {
        final Quicklists quicklists = keyspace.quicklists();
        final int id = entry.buffer().getInt(entry.valueOffset());
        int p = at + Listpack.HEADER_LENGTH;
        for (long node = quicklists.head(id); node != 0; node = Quicklists.next(node))
        {
            final int body = Quicklists.listpackLength(node) - Listpack.EMPTY_LENGTH;
            source.wrap(node, ListNodeDescriptor.LISTPACK_OFFSET + Listpack.HEADER_LENGTH + body);
            buffer.putBytes(p, source, ListNodeDescriptor.LISTPACK_OFFSET + Listpack.HEADER_LENGTH, body);
            p += body;
        }
        buffer.putByte(p, (byte)Listpack.EOF);
        Listpack.header(buffer, at, length, (int)Math.min(quicklists.count(id), Listpack.COUNT_UNKNOWN));
    }

    private int tableAsListpackLength(final EntryFlyweight entry)
    {
        final ElementTables tables = keyspace.elementTables();
        final int id = entry.buffer().getInt(entry.valueOffset());
        final long[] length = {Listpack.EMPTY_LENGTH};
        if (entry.type() == ValueType.ZSET)
        {
            // A sorted set: member, then its score as Redis prints it.
            tables.forEach(id, element ->
            {
                length[0] += Listpack.elementLength(ZSkipList.memberLength(element), false, 0) +
                    Listpack.elementLength(doubleFormat.format(ZSkipList.score(element), scoreText, 0), false, 0);
            });
            return (int)Math.min(length[0], Integer.MAX_VALUE - HEADER_LENGTH);
        }
        tables.forEach(id, element ->
        {
            final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
            length[0] += Listpack.elementLength(keyLength, false, 0);
            final int valueLength = tables.valueLengthOf(id, element);
            if (valueLength != ElementTables.NO_VALUE)
            {
                length[0] += Listpack.elementLength(valueLength, false, 0);
            }
        });
        // Larger than any ring takes: the caller gives the snapshot up for its size.
        return (int)Math.min(length[0], Integer.MAX_VALUE - HEADER_LENGTH);
    }

    private void writeTableAsListpack(final EntryFlyweight entry, final UnsafeBuffer buffer, final int at,
        final int length)
    {
        final ElementTables tables = keyspace.elementTables();
        final int id = entry.buffer().getInt(entry.valueOffset());
        final UnsafeBuffer view = source;
        final int[] p = {at + Listpack.HEADER_LENGTH};
        final long[] count = {0};
        if (entry.type() == ValueType.ZSET)
        {
            tables.forEach(id, element ->
            {
                final int keyLength = ZSkipList.memberLength(element);
                view.wrap(element, ElementDescriptor.KEY_OFFSET + keyLength);
                p[0] += Listpack.writeElement(buffer, p[0], view, ElementDescriptor.KEY_OFFSET, keyLength, false, 0);
                final int scoreLength = doubleFormat.format(ZSkipList.score(element), scoreText, 0);
                p[0] += Listpack.writeElement(buffer, p[0], scoreText, 0, scoreLength, false, 0);
                count[0] += 2;
            });
            buffer.putByte(p[0], (byte)Listpack.EOF);
            Listpack.header(buffer, at, length, (int)Math.min(count[0], Listpack.COUNT_UNKNOWN));
            return;
        }
        tables.forEach(id, element ->
        {
            final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
            final int valueLength = tables.valueLengthOf(id, element);
            view.wrap(element, ElementDescriptor.valueOffset(keyLength) + Math.max(0, valueLength));
            p[0] += Listpack.writeElement(buffer, p[0], view, ElementDescriptor.KEY_OFFSET, keyLength, false, 0);
            count[0]++;
            if (valueLength != ElementTables.NO_VALUE)
            {
                p[0] += Listpack.writeElement(buffer, p[0], view, ElementDescriptor.valueOffset(keyLength),
                    valueLength, false, 0);
                count[0]++;
            }
        });
        buffer.putByte(p[0], (byte)Listpack.EOF);
        Listpack.header(buffer, at, length, (int)Math.min(count[0], Listpack.COUNT_UNKNOWN));
    }

    private final RedisDoubleFormat doubleFormat = new RedisDoubleFormat();
    private final UnsafeBuffer scoreText = new UnsafeBuffer(new byte[RedisDoubleFormat.MAX_LENGTH]);

    /**
     * Engine thread: give up the running snapshot, whoever reads it (a final save at shutdown takes its place).
     *
     * @param reason why, for its reader.
     */
    public void abortCurrent(final String reason)
    {
        final Snapshot snapshot = this.snapshot;
        if (snapshot != null && !draining)
        {
            giveUp(snapshot, reason);
        }
    }

    @Override
    public void flushed()
    {
        final Snapshot snapshot = this.snapshot;
        if (snapshot != null && !draining)
        {
            giveUp(snapshot, "the data was flushed during the full sync");
        }
    }

    private void giveUp(final Snapshot snapshot, final String reason)
    {
        snapshot.abort(reason);
        draining = true;
    }
}
