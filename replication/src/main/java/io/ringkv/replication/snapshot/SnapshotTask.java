package io.ringkv.replication.snapshot;

import io.ringkv.core.codec.RedisDoubleFormat;
import io.ringkv.core.engine.EngineTask;
import io.ringkv.core.store.ElementDescriptor;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ListNodeDescriptor;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.Quicklists;
import io.ringkv.core.store.SnapshotListener;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import io.ringkv.core.store.ZSkipList;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.ArrayDeque;

import static io.ringkv.replication.snapshot.SnapshotEntryDescriptor.*;

/**
 * The engine side of full syncs: runs one {@link Snapshot} at a time on the engine thread, with no stop-the-world
 * copy. Starting it at offset N ({@link #start}) flips the keyspace's snapshot phase; then each engine TASK (asked
 * for by the sender when its ring has room) scans a bounded number of buckets, and the keyspace hands over, before
 * any change, each entry not yet captured ({@link SnapshotListener#capture}). Either way every entry alive at N is
 * written exactly once, as it was at N (docs/replication-protocol.md has the argument).
 * <p>
 * A big collection (element table) is never copied at once: capturing it only takes it on ({@link
 * PendingCollection}) and {@link ElementTables#guard guards} its table; TASK steps then stream it, at most {@link
 * #elementsPerStep} elements per step, between a BEGIN and an END that nothing else interleaves; a change to one of
 * its elements not streamed yet first copies that element's old version ({@link #elementChanging}), and a
 * collection dropped meanwhile is handed over whole ({@link #tableDropped}). What cannot enter the ring yet (parts,
 * entries captured while a collection's BEGIN is open) waits in off-heap {@link MessageQueue}s, bounded together
 * by the ring's size. A node-chain list is taken on the same way with its node addresses at N (O(nodes)), streamed a
 * node per PART, and a node about to change is copied first ({@link #nodeChanging}).
 * <p>
 * A snapshot given up (its replica left, its buffers overflowed, a FLUSHALL) is still scanned to the end without
 * writing ("draining"), since the keyspace's phase bits are consistent only after a complete pass; no new snapshot
 * starts until then. Only the engine thread calls this, except {@link #busy()} and {@link #draining()}.
 */
public final class SnapshotTask implements EngineTask, SnapshotListener, ElementTables.Guard, Quicklists.Guard
{
    /** Elements of one big collection one TASK step reads from its table, by default. */
    public static final int DEFAULT_ELEMENTS_PER_STEP = 1024;
    /** Bytes of elements a PART holds at most (an element larger than this gets a part of its own), by default. */
    public static final int DEFAULT_PART_BYTES = 32 * 1024;
    /**
     * Bytes of a big string one PART holds at most (less when the ring is small, a message being at most an eighth
     * of it: 4 MiB of the default 32 MiB). Large, because a replica rebuilds the string with one APPEND per part.
     */
    static final int STRING_PART_BYTES = 4 * 1024 * 1024;
    /** Bytes of a big string one task step writes into the ring at most. */
    private static final long STRING_BYTES_PER_STEP = 8L * 1024 * 1024;
    /** Buckets scanned between two clock reads. */
    private static final int SCAN_STEP_BUCKETS = 256;
    /** Empty bucket positions a stream step may pass per element it may read. */
    private static final int POSITIONS_PER_ELEMENT = 4;
    /** Time one task step may take while streaming; the engine's other work waits meanwhile. */
    private static final long STEP_BUDGET_NS = 200_000;
    /** Time one step may take while draining a given-up snapshot. */
    private static final long DRAIN_BUDGET_NS = 1_000_000;

    private final Keyspace keyspace;
    private final int elementsPerStep;
    private final int partBytes;
    /** {@link #partBytes}, within what the running snapshot's ring takes in one message. */
    private int ringPartBytes;
    /** {@link #STRING_PART_BYTES}, within what the running snapshot's ring takes in one message. */
    private int stringPartBytes;
    private final EntryFlyweight entry = new EntryFlyweight();
    private final UnsafeBuffer source = new UnsafeBuffer(0, 0);
    private final RedisDoubleFormat doubleFormat = new RedisDoubleFormat();
    private final UnsafeBuffer scoreText = new UnsafeBuffer(new byte[RedisDoubleFormat.MAX_LENGTH]);
    private final ElementTables.ElementVisitor streamVisitor = this::streamElement;
    private final ArrayDeque<PendingCollection> pending = new ArrayDeque<>();
    private final Int2ObjectHashMap<PendingCollection> pendingByTable = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<PendingCollection> pendingByList = new Int2ObjectHashMap<>();
    /** Ring messages captured while a collection's BEGIN..END is open or the ring was full, in order. */
    private final MessageQueue held = new MessageQueue();
    private Snapshot snapshot;
    /** The collection whose BEGIN is in the ring and whose END is not, or null. */
    private PendingCollection streaming;
    private int db;
    private long cursor;
    private volatile boolean busy;
    private long keysAtStart;
    private long captured;
    private long queuedBytes;
    private long queuedPeakBytes;
    private int streamBudget;
    private volatile boolean draining;

    public SnapshotTask(final Keyspace keyspace)
    {
        this(keyspace, DEFAULT_ELEMENTS_PER_STEP, DEFAULT_PART_BYTES);
    }

    /**
     * @param elementsPerStep elements of a big collection one step reads from its table.
     * @param partBytes       element bytes per PART.
     */
    public SnapshotTask(final Keyspace keyspace, final int elementsPerStep, final int partBytes)
    {
        this.keyspace = keyspace;
        this.elementsPerStep = elementsPerStep;
        this.partBytes = partBytes;
    }

    /**
     * @return true while a snapshot runs or drains: a new one cannot start.
     */
    public boolean busy()
    {
        return busy;
    }

    /**
     * Engine thread: the running snapshot was given up (its user left, its ring overflowed) and only the scan that
     * keeps the phase bits consistent remains, whether or not it has started.
     */
    public boolean givenUp()
    {
        final Snapshot snapshot = this.snapshot;
        return busy && (draining || (snapshot != null && snapshot.abortReason() != null));
    }

    /**
     * Engine thread: keys of the running snapshot captured so far (INFO's current_save_keys_processed).
     */
    public long keysProcessed()
    {
        return captured;
    }

    /**
     * Engine thread: keys when the running snapshot began (INFO's current_save_keys_total).
     */
    public long keysTotal()
    {
        return keysAtStart;
    }

    /**
     * @return true while a given-up snapshot is being scanned through.
     */
    public boolean draining()
    {
        return draining;
    }

    /**
     * @return most bytes the off-heap queues (parts waiting for the ring, entries held behind an open collection)
     * held at once during the last snapshots.
     */
    public long queuedPeakBytes()
    {
        return queuedPeakBytes;
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
        queuedBytes = 0;
        ringPartBytes = Math.min(partBytes, snapshot.ring().maxMsgLength() - Listpack.EMPTY_LENGTH);
        stringPartBytes = Math.min(STRING_PART_BYTES, snapshot.ring().maxMsgLength());
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
            stopWriting();
        }
        final OneToOneRingBuffer ring = snapshot.ring();
        final int half = ring.capacity() / 2;
        final long deadlineNs = System.nanoTime() + (draining ? DRAIN_BUDGET_NS : STEP_BUDGET_NS);
        final int databases = keyspace.databases();
        streamBudget = elementsPerStep;
        while (true)
        {
            if (!draining && !writePending(ring))
            {
                break; // a collection is open or the ring is full: the next step goes on
            }
            if (db == databases)
            {
                break;
            }
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
        if (db == databases && (draining || idle()))
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

    private boolean idle()
    {
        return streaming == null && pending.isEmpty() && held.isEmpty();
    }

    /**
     * Move what waits into the ring, in order: the open collection (one bounded piece per step), the messages held
     * behind it, then the next collection taken on.
     *
     * @return true when nothing waits any more (the scan may go on).
     */
    private boolean writePending(final RingBuffer ring)
    {
        while (true)
        {
            final PendingCollection streaming = this.streaming;
            if (streaming != null && !streamPiece(streaming, ring))
            {
                return false;
            }
            if (!held.isEmpty() && !drain(held, ring))
            {
                return false;
            }
            final PendingCollection next = pending.peek();
            if (next == null)
            {
                return true;
            }
            if (streamBudget <= 0 || !writeBegin(next, ring))
            {
                return false;
            }
            pending.poll();
            this.streaming = next;
        }
    }

    private boolean writeBegin(final PendingCollection collection, final RingBuffer ring)
    {
        final int length = BEGIN_HEADER_LENGTH + collection.key.length;
        final int index = ring.tryClaim(MSG_BEGIN, length);
        if (index <= 0)
        {
            return false;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        header(buffer, index, collection.db, collection.type, collection.encoding, collection.key.length,
            collection.expireAtMs);
        buffer.putLong(index + COUNT_OFFSET, collection.count);
        buffer.putLong(index + PART_COUNT_OFFSET, collection.isList() ? collection.nodes.length :
            collection.isString() ? (collection.count + stringPartBytes - 1) / stringPartBytes : -1);
        buffer.putBytes(index + BEGIN_HEADER_LENGTH, collection.key);
        ring.commit(index);
        collection.begun = true;
        return true;
    }

    /**
     * One bounded piece of the open collection: what its queue holds, then at most the step's element budget read
     * from its table; its END once both are through.
     *
     * @return true when the collection is complete (END written).
     */
    private boolean streamPiece(final PendingCollection collection, final RingBuffer ring)
    {
        if (!drain(collection.queue, ring))
        {
            return false;
        }
        if (collection.isList())
        {
            return streamNodes(collection, ring);
        }
        if (collection.isString())
        {
            return streamString(collection, ring);
        }
        final ElementTables tables = keyspace.elementTables();
        final long positions = tables.positions(collection.tableId);
        long positionBudget = (long)streamBudget * POSITIONS_PER_ELEMENT;
        while (collection.position < positions && streamBudget > 0 && positionBudget-- > 0)
        {
            final int chain = tables.elementsAt(collection.tableId, collection.position);
            if (chain > streamBudget && streamBudget < elementsPerStep)
            {
                break; // a bucket is streamed whole: this one waits for the next step's budget
            }
            streamBudget -= chain;
            tables.visitPosition(collection.tableId, collection.position, streamVisitor);
            collection.position++;
        }
        if (draining)
        {
            return false; // given up meanwhile (an element too large for the ring)
        }
        if (!drain(collection.queue, ring) || collection.position < positions)
        {
            return false;
        }
        return end(collection, ring);
    }

    private boolean end(final PendingCollection collection, final RingBuffer ring)
    {
        if (!ring.write(MSG_VALUE_END, source, 0, 0))
        {
            return false;
        }
        finish(collection);
        return true;
    }

    /**
     * A list's piece: its nodes at N in order, one PART each (the old copy of a node changed since), while the
     * step's element budget lasts.
     */
    private boolean streamNodes(final PendingCollection collection, final RingBuffer ring)
    {
        final long[] nodes = collection.nodes;
        while (collection.position < nodes.length && streamBudget > 0)
        {
            final int index = (int)collection.position;
            final int saved = collection.savedAt[index];
            final MutableDirectBuffer from;
            final int at;
            if (saved != 0)
            {
                from = collection.savedNodes;
                at = saved - 1;
            }
            else
            {
                final long node = nodes[index];
                source.wrap(node, ListNodeDescriptor.LISTPACK_OFFSET + Quicklists.listpackLength(node));
                from = source;
                at = ListNodeDescriptor.LISTPACK_OFFSET;
            }
            final int length = Listpack.totalBytes(from, at);
            final int count = Listpack.count(from, at);
            if (count > streamBudget && streamBudget < elementsPerStep)
            {
                break; // a node is streamed whole: this one waits for the next step's budget
            }
            if (tooLarge(length - Listpack.EMPTY_LENGTH))
            {
                return false;
            }
            final int before = collection.queue.bytes();
            final int part = collection.queue.claim(MSG_PART, length);
            collection.queue.buffer().putBytes(part, from, at, length);
            queuedBytes += collection.queue.bytes() - before;
            streamBudget -= count;
            collection.written += count;
            collection.position++;
        }
        if (!drain(collection.queue, ring) || collection.position < nodes.length)
        {
            return false;
        }
        return end(collection, ring);
    }

    /**
     * A big string's piece: its copied bytes from where the last piece ended, in PARTs of {@link #stringPartBytes}
     * while the ring has room, at most {@link #STRING_BYTES_PER_STEP} a step.
     */
    private boolean streamString(final PendingCollection collection, final RingBuffer ring)
    {
        long budget = STRING_BYTES_PER_STEP;
        while (collection.position < collection.count && budget > 0)
        {
            final int length = (int)Math.min(stringPartBytes, collection.count - collection.position);
            final int index = ring.tryClaim(MSG_PART, length);
            if (index <= 0)
            {
                return false;
            }
            source.wrap(collection.stringCopy + collection.position, length);
            ring.buffer().putBytes(index, source, 0, length);
            ring.commit(index);
            collection.position += length;
            budget -= length;
        }
        if (collection.position < collection.count)
        {
            return false;
        }
        collection.written = collection.count;
        return end(collection, ring);
    }

    private void streamElement(final long element)
    {
        final PendingCollection collection = streaming;
        if (collection != null && !collection.skip.contains(element))
        {
            append(collection, element);
        }
    }

    private void finish(final PendingCollection collection)
    {
        assert collection.written == collection.count : collection.written + " of " + collection.count;
        streaming = null;
        if (!collection.isString())
        {
            (collection.isList() ? pendingByList : pendingByTable).remove(collection.tableId);
        }
        release(collection);
        captured++;
    }

    private void release(final PendingCollection collection)
    {
        if (collection.isString())
        {
            UnsafeApi.freeMemory(collection.stringCopy);
            collection.stringCopy = 0;
        }
        else if (collection.isList())
        {
            final Quicklists quicklists = keyspace.quicklists();
            quicklists.unguard(collection.tableId);
            if (collection.dropped)
            {
                quicklists.freeLater(collection.tableId);
            }
            queuedBytes -= collection.savedBytes;
            if (collection.savedNodes != null)
            {
                org.agrona.BufferUtil.free(collection.savedNodes.byteBuffer());
                collection.savedNodes = null;
            }
        }
        else
        {
            final ElementTables tables = keyspace.elementTables();
            tables.unguard(collection.tableId);
            if (collection.dropped)
            {
                tables.freeLater(collection.tableId);
            }
        }
        queuedBytes -= collection.queue.bytes();
        collection.queue.free();
    }

    private boolean drain(final MessageQueue queue, final RingBuffer ring)
    {
        final int before = queue.bytes();
        final boolean empty = queue.drainTo(ring);
        queuedBytes -= before - queue.bytes();
        return empty;
    }

    @Override
    public void capture(final int db, final long entryAddress)
    {
        final Snapshot snapshot = this.snapshot;
        if (draining || snapshot.abortReason() != null)
        {
            stopWriting();
            return;
        }
        final EntryFlyweight entry = this.entry.wrap(entryAddress);
        final byte encoding = entry.encoding();
        if (ValueEncoding.isTable(encoding) && !ValueEncoding.isQuicklist(encoding))
        {
            takeOn(db, entry);
            return;
        }
        if (ValueEncoding.isQuicklist(encoding))
        {
            takeOnList(db, entry);
            return;
        }
        final int keyLength = entry.keyLength();
        final int valueLength = entry.valueLength();
        final RingBuffer ring = snapshot.ring();
        final long length = (long)HEADER_LENGTH + keyLength + valueLength;
        if (length > ring.maxMsgLength() && (entry.type() == ValueType.STRING || entry.type() == ValueType.JSON) &&
            BEGIN_HEADER_LENGTH + keyLength <= ring.maxMsgLength())
        {
            takeOnString(db, entry);
            return;
        }
        if (length > ring.maxMsgLength())
        {
            giveUp(snapshot, "an entry of " + length + " bytes is larger than the snapshot buffer allows (" +
                ring.maxMsgLength() + "); raise repl-snapshot-buffer-size");
            return;
        }
        // Straight into the ring unless something must go before it (an open collection, messages held).
        final int heldBefore = held.bytes();
        int index = streaming == null && held.isEmpty() ? ring.tryClaim(MSG_ENTRY, (int)length) : -1;
        final MutableDirectBuffer buffer;
        if (index > 0)
        {
            buffer = ring.buffer();
        }
        else
        {
            index = held.claim(MSG_ENTRY, (int)length);
            buffer = held.buffer();
        }
        header(buffer, index, db, entry.type(), encoding, keyLength, entry.expireAtMs());
        buffer.putBytes(index + HEADER_LENGTH, entry.buffer(), entry.keyOffset(), keyLength + valueLength);
        if (buffer == held.buffer())
        {
            queuedBytes += held.bytes() - heldBefore;
            afterQueued();
        }
        else
        {
            ring.commit(index);
        }
        captured++;
    }

    private static void header(final MutableDirectBuffer buffer, final int index, final int db, final byte type,
        final byte encoding, final int keyLength, final long expireAtMs)
    {
        buffer.putShort(index + DB_OFFSET, (short)db);
        buffer.putByte(index + TYPE_OFFSET, type);
        buffer.putByte(index + ENCODING_OFFSET, encoding);
        buffer.putInt(index + KEY_LENGTH_OFFSET, keyLength);
        buffer.putLong(index + EXPIRE_AT_MS_OFFSET, expireAtMs);
    }

    /**
     * A string too big for one ring message is captured: its value is copied now (the entry may change before the
     * steps reach it; a memcpy, about 10 ms per 100 MB on the engine thread), and the steps stream the copy in
     * PARTs of raw bytes between its BEGIN and its END.
     */
    private void takeOnString(final int db, final EntryFlyweight entry)
    {
        final int valueLength = entry.valueLength();
        final long copy = UnsafeApi.allocateMemory(valueLength);
        UnsafeApi.copyMemory(entry.address() + entry.valueOffset(), copy, valueLength);
        pending.add(new PendingCollection(db, entry, copy));
    }

    /**
     * A big collection is captured: remember its BEGIN as it is now and guard its table; the steps stream it.
     */
    private void takeOn(final int db, final EntryFlyweight entry)
    {
        final ElementTables tables = keyspace.elementTables();
        final int id = entry.buffer().getInt(entry.valueOffset());
        final PendingCollection collection = new PendingCollection(db, entry, tables.size(id), null);
        pendingByTable.put(id, collection);
        pending.add(collection);
        tables.guard(id, this);
    }

    @Override
    public void elementChanging(final int id, final long element)
    {
        final PendingCollection collection = pendingByTable.get(id);
        if (collection == null ||
            keyspace.elementTables().positionOf(id, element) < collection.position ||
            !collection.skip.add(element))
        {
            return; // already streamed, already copied, or born after the snapshot's offset
        }
        final int before = collection.queue.bytes();
        append(collection, element);
        if (!draining)
        {
            queuedBytes += collection.queue.bytes() - before;
            afterQueued();
        }
    }

    @Override
    public void elementBorn(final int id, final long element)
    {
        final PendingCollection collection = pendingByTable.get(id);
        if (collection != null && keyspace.elementTables().positionOf(id, element) >= collection.position)
        {
            collection.skip.add(element);
        }
    }

    @Override
    public void tableDropped(final int id)
    {
        final PendingCollection collection = pendingByTable.get(id);
        if (collection != null)
        {
            collection.dropped = true;
        }
    }

    /**
     * Copy one element, as it is, onto the end of its collection's parts: a hash's field and value, a sorted set's
     * member and score text, a set's member.
     */
    private void append(final PendingCollection collection, final long element)
    {
        if (draining)
        {
            return;
        }
        final MessageQueue queue = collection.queue;
        final UnsafeBuffer view = source;
        final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
        if (collection.type == ValueType.ZSET)
        {
            final int memberLength = ZSkipList.memberLength(element);
            final int scoreLength = doubleFormat.format(ZSkipList.score(element), scoreText, 0);
            final int bytes = Listpack.elementLength(memberLength, false, 0) +
                Listpack.elementLength(scoreLength, false, 0);
            if (tooLarge(bytes))
            {
                return;
            }
            int p = queue.openPart(bytes, ringPartBytes);
            view.wrap(element, ElementDescriptor.KEY_OFFSET + memberLength);
            final MutableDirectBuffer buffer = queue.buffer();
            p += Listpack.writeElement(buffer, p, view, ElementDescriptor.KEY_OFFSET, memberLength, false, 0);
            Listpack.writeElement(buffer, p, scoreText, 0, scoreLength, false, 0);
            queue.closePart(bytes, 2);
        }
        else
        {
            final int valueLength = keyspace.elementTables().valueLengthOf(collection.tableId, element);
            final int bytes = Listpack.elementLength(keyLength, false, 0) +
                (valueLength == ElementTables.NO_VALUE ? 0 : Listpack.elementLength(valueLength, false, 0));
            if (tooLarge(bytes))
            {
                return;
            }
            int p = queue.openPart(bytes, ringPartBytes);
            view.wrap(element, ElementDescriptor.valueOffset(keyLength) + Math.max(0, valueLength));
            final MutableDirectBuffer buffer = queue.buffer();
            p += Listpack.writeElement(buffer, p, view, ElementDescriptor.KEY_OFFSET, keyLength, false, 0);
            if (valueLength != ElementTables.NO_VALUE)
            {
                Listpack.writeElement(buffer, p, view, ElementDescriptor.valueOffset(keyLength), valueLength,
                    false, 0);
            }
            queue.closePart(bytes, valueLength == ElementTables.NO_VALUE ? 1 : 2);
        }
        collection.written++;
    }

    /**
     * @return true, having given the snapshot up, when a PART of {@code elementBytes} would not fit one ring message.
     */
    private boolean tooLarge(final long elementBytes)
    {
        final int max = snapshot.ring().maxMsgLength();
        if (elementBytes + Listpack.EMPTY_LENGTH > max)
        {
            giveUp(snapshot, "an element of " + elementBytes + " bytes is larger than the snapshot buffer allows (" +
                max + "); raise repl-snapshot-buffer-size");
            return true;
        }
        return false;
    }

    /**
     * A big list is captured: remember its BEGIN and its node addresses as they are now (O(nodes): a node holds up to
     * 8 KiB of elements by default) and guard its chain; the steps stream it node by node.
     */
    private void takeOnList(final int db, final EntryFlyweight entry)
    {
        final Quicklists quicklists = keyspace.quicklists();
        final int id = entry.buffer().getInt(entry.valueOffset());
        final long[] nodes = new long[quicklists.nodes(id)];
        int i = 0;
        for (long node = quicklists.head(id); node != 0; node = Quicklists.next(node))
        {
            nodes[i++] = node;
        }
        final PendingCollection collection = new PendingCollection(db, entry, quicklists.count(id), nodes);
        pendingByList.put(id, collection);
        pending.add(collection);
        quicklists.guard(id, this);
    }

    @Override
    public void nodeChanging(final int id, final long node)
    {
        final PendingCollection collection = pendingByList.get(id);
        if (collection == null)
        {
            return;
        }
        final long index = collection.nodeIndex.get(node);
        if (index < collection.position || collection.savedAt[(int)index] != 0)
        {
            return; // born after the snapshot's offset (-1), already streamed, or already copied
        }
        final int length = Quicklists.listpackLength(node);
        if (collection.savedNodes == null)
        {
            collection.savedNodes = new org.agrona.ExpandableDirectByteBuffer(Math.max(length, 4096));
        }
        final int at = collection.savedBytes;
        collection.savedNodes.checkLimit(at + length);
        source.wrap(node, ListNodeDescriptor.LISTPACK_OFFSET + length);
        collection.savedNodes.putBytes(at, source, ListNodeDescriptor.LISTPACK_OFFSET, length);
        collection.savedAt[(int)index] = at + 1;
        collection.savedBytes = at + length;
        queuedBytes += length;
        afterQueued();
    }

    @Override
    public void listDropped(final int id)
    {
        final PendingCollection collection = pendingByList.get(id);
        if (collection != null)
        {
            collection.dropped = true;
        }
    }

    /**
     * Everything the queues hold counts against one bound, the ring's size: past it the replica reads the dump
     * slower than writes force copies, and the snapshot is given up.
     */
    private void afterQueued()
    {
        final Snapshot snapshot = this.snapshot;
        if (queuedBytes > queuedPeakBytes)
        {
            queuedPeakBytes = queuedBytes;
        }
        if (queuedBytes > snapshot.ring().capacity())
        {
            giveUp(snapshot, "snapshot buffer full: the replica reads the dump slower than writes change it");
        }
    }

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
        stopWriting();
    }

    /**
     * The snapshot is given up: let every guarded table go (freeing those dropped meanwhile) and forget what
     * waits; the scan goes on without writing.
     */
    private void stopWriting()
    {
        if (draining)
        {
            return;
        }
        draining = true;
        if (streaming != null)
        {
            release(streaming);
            streaming = null;
        }
        for (PendingCollection collection; (collection = pending.poll()) != null; )
        {
            release(collection);
        }
        pendingByTable.clear();
        pendingByList.clear();
        held.clear();
        queuedBytes = 0;
    }
}
