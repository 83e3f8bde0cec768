package io.ringkv.core.command;

import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.DumpPayloadWriter;
import io.ringkv.core.rdb.RdbStringDescriptor;
import io.ringkv.core.store.CollectionLimits;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ListNodeDescriptor;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.Quicklists;
import io.ringkv.core.store.ValueEncoding;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The value of a list in either of its encodings (docs/storage.md, "Values"): one listpack in the entry
 * ({@link ValueEncoding#LIST_LISTPACK}) while it fits one node, then a chain of listpack nodes
 * ({@link ValueEncoding#LIST_QUICKLIST}, {@link Quicklists}), Redis 7.0's quicklist. Both are seen as a sequence of
 * nodes, the in-entry listpack being the only node ({@link #IN_ENTRY}), so every operation is written once: find
 * an index by walking nodes from the nearer end, edit one node's listpack in place (growing or shrinking its block),
 * split a node that would pass {@code list-max-listpack-size}.
 * <p>
 * A value is bound with {@link #bind} before use; edits may move the entry ({@link #address}) and return
 * {@link Keyspace#OUT_OF_MEMORY} having changed nothing. Not threadsafe: the engine thread owns one per
 * {@link ListCommands}; it allocates nothing once its scratch buffers have grown.
 */
final class ListValues
{
    /** Node handle of the listpack held in the entry. */
    static final long IN_ENTRY = -1;

    /** Redis's quicklist optimization_level: node byte limits for list-max-listpack-size -1 to -5. */
    private static final int[] SIZE_LEVELS = {4096, 8192, 16384, 32768, 65536};
    /** Redis's SIZE_SAFETY_LIMIT: a count-limited node still stops growing past this many bytes. */
    private static final int SIZE_SAFETY_LIMIT = 8192;

    private final AsciiNumbers numbers = new AsciiNumbers();
    /** Wraps the node being read or edited; {@link #base} is its listpack's index. */
    private final UnsafeBuffer lp = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer nodeView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer digits = new UnsafeBuffer(new byte[AsciiNumbers.MAX_LONG_DIGITS]);
    private int base;

    private Keyspace keyspace;
    private Quicklists quicklists;
    private EntryFlyweight entry;
    private int db;
    /** The bound entry's address, from {@link #bind} and after every edit. */
    long address;
    private boolean inEntry;
    private int id;

    /** Cursor: node and element index in {@link #lp} after {@link #seek}, {@link #advance}, {@link #retreat}. */
    long node;
    int p;

    /** The element an insert writes, set by {@link #element}. */
    private DirectBuffer elementBuffer;
    private int elementOffset;
    private int elementLength;
    private boolean elementIsInt;
    private long elementAsLong;
    private int elementEncodedLength;

    /** An element copied out before its node changes ({@link #copyCurrent}). */
    final ExpandableArrayBuffer copied = new ExpandableArrayBuffer(64);
    int copiedLength;

    /**
     * Bind a list entry.
     */
    ListValues bind(final Keyspace keyspace, final int db, final long address, final EntryFlyweight entry)
    {
        this.keyspace = keyspace;
        this.quicklists = keyspace.quicklists();
        this.db = db;
        this.entry = entry;
        rebind(address);
        return this;
    }

    private void rebind(final long address)
    {
        this.address = address;
        entry.wrap(address);
        inEntry = entry.encoding() == ValueEncoding.LIST_LISTPACK;
        id = inEntry ? -1 : entry.buffer().getInt(entry.valueOffset());
    }

    /**
     * @return elements of the bound list.
     */
    long length()
    {
        if (inEntry)
        {
            entry.wrap(address);
            return Listpack.count(entry.buffer(), entry.valueOffset());
        }
        return quicklists.count(id);
    }

    // ---- nodes

    long firstNode()
    {
        return inEntry ? IN_ENTRY : quicklists.head(id);
    }

    long lastNode()
    {
        return inEntry ? IN_ENTRY : quicklists.tail(id);
    }

    long nextNode(final long node)
    {
        return node == IN_ENTRY ? 0 : Quicklists.next(node);
    }

    long prevNode(final long node)
    {
        return node == IN_ENTRY ? 0 : Quicklists.prev(node);
    }

    /**
     * Wrap {@link #lp} on a node's listpack.
     */
    void wrapNode(final long node)
    {
        if (node == IN_ENTRY)
        {
            entry.wrap(address);
            lp.wrap(entry.buffer(), 0, entry.buffer().capacity());
            base = entry.valueOffset();
        }
        else
        {
            lp.wrap(node, ListNodeDescriptor.LISTPACK_OFFSET + Quicklists.listpackLength(node));
            base = ListNodeDescriptor.LISTPACK_OFFSET;
        }
    }

    UnsafeBuffer buffer()
    {
        return lp;
    }

    int base()
    {
        return base;
    }

    private int nodeCount(final long node)
    {
        wrapNode(node);
        return Listpack.count(lp, base);
    }

    // ---- cursor

    /**
     * Place the cursor on element {@code index} (0-based from the head, within range), walking nodes from the
     * nearer end.
     */
    void seek(final long index)
    {
        final long length = length();
        if (index < length - index)
        {
            long skipped = 0;
            long n = firstNode();
            int c = nodeCount(n);
            while (skipped + c <= index)
            {
                skipped += c;
                n = nextNode(n);
                c = nodeCount(n);
            }
            node = n;
            int q = Listpack.first(lp, base);
            for (long i = skipped; i < index; i++)
            {
                q = Listpack.next(lp, base, q);
            }
            p = q;
        }
        else
        {
            long after = 0; // elements after the current node
            long n = lastNode();
            int c = nodeCount(n);
            final long fromEnd = length - 1 - index;
            while (after + c <= fromEnd)
            {
                after += c;
                n = prevNode(n);
                c = nodeCount(n);
            }
            node = n;
            int q = Listpack.last(lp, base);
            for (long i = after; i < fromEnd; i++)
            {
                q = Listpack.prev(lp, base, q);
            }
            p = q;
        }
    }

    /**
     * Move the cursor to the next element.
     *
     * @return false past the last one.
     */
    boolean advance()
    {
        final int q = Listpack.next(lp, base, p);
        if (q != 0)
        {
            p = q;
            return true;
        }
        for (long n = nextNode(node); n != 0; n = nextNode(n))
        {
            wrapNode(n);
            final int first = Listpack.first(lp, base);
            if (first != 0)
            {
                node = n;
                p = first;
                return true;
            }
        }
        return false;
    }

    /**
     * Move the cursor to the previous element.
     *
     * @return false before the first one.
     */
    boolean retreat()
    {
        final int q = Listpack.prev(lp, base, p);
        if (q != 0)
        {
            p = q;
            return true;
        }
        for (long n = prevNode(node); n != 0; n = prevNode(n))
        {
            wrapNode(n);
            final int last = Listpack.last(lp, base);
            if (last != 0)
            {
                node = n;
                p = last;
                return true;
            }
        }
        return false;
    }

    /**
     * Reply the cursor's element as a bulk string.
     */
    void replyCurrent(final Reply reply)
    {
        if (Listpack.isInt(lp, p))
        {
            // As text, as it was given: a list holds strings (JSON lines: a string, as hash values and members).
            reply.bulk(digits, 0, AsciiNumbers.putLong(digits, 0, Listpack.intValue(lp, p)));
        }
        else
        {
            reply.bulk(lp, Listpack.stringIndex(lp, p), Listpack.stringLength(lp, p));
        }
    }

    /**
     * @return true when the cursor's element equals the bytes given (Redis's lpCompare).
     */
    boolean currentEquals(final DirectBuffer s, final int offset, final int length, final boolean isInt,
        final long asLong)
    {
        return Listpack.equalTo(lp, p, s, offset, length, isInt, asLong);
    }

    /**
     * Copy the cursor's element as text into {@link #copied} ({@link #copiedLength} bytes).
     */
    void copyCurrent()
    {
        if (Listpack.isInt(lp, p))
        {
            copiedLength = AsciiNumbers.putLong(copied, 0, Listpack.intValue(lp, p));
        }
        else
        {
            copiedLength = Listpack.stringLength(lp, p);
            copied.putBytes(0, lp, Listpack.stringIndex(lp, p), copiedLength);
        }
    }

    // ---- edits

    /**
     * Set the element the next insert or replace writes.
     */
    void element(final DirectBuffer buffer, final int offset, final int length)
    {
        elementBuffer = buffer;
        elementOffset = offset;
        elementLength = length;
        elementIsInt = numbers.parseLong(buffer, offset, length);
        elementAsLong = numbers.value();
        elementEncodedLength = Listpack.elementLength(length, elementIsInt, elementAsLong);
    }

    /**
     * Push the {@link #element} at the head or the tail (LPUSH, RPUSH).
     *
     * @return the entry's address from now on, or {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    long push(final boolean head)
    {
        final long n = head ? firstNode() : lastNode();
        wrapNode(n);
        return insert(n, head ? base + Listpack.HEADER_LENGTH : base + Listpack.totalBytes(lp, base) - 1);
    }

    /**
     * Insert the {@link #element} before or after the cursor's element (LINSERT).
     */
    long insertAtCursor(final boolean after)
    {
        wrapNode(node);
        return insert(node, after ? Listpack.skip(lp, p) : p);
    }

    /**
     * Insert the {@link #element} into {@code node} at index {@code at} of {@link #lp} (an element's index or the
     * EOF byte's), splitting the node or adding one when it would pass the node limit.
     */
    private long insert(final long node, final int at)
    {
        wrapNode(node);
        final int total = Listpack.totalBytes(lp, base);
        final int count = Listpack.count(lp, base);
        if (allowsInsert(total, count))
        {
            return splice(node, at - base, 0, elementEncodedLength, 1, true);
        }
        final int relative = at - base;
        if (inEntry)
        {
            final long converted = toQuicklist();
            if (converted == Keyspace.OUT_OF_MEMORY)
            {
                return converted;
            }
            final long only = quicklists.head(id);
            wrapNode(only);
            return insert(only, base + relative);
        }
        if (relative == Listpack.HEADER_LENGTH)
        {
            // Before the node's first element: the tail of the previous node, or a new node.
            final long prev = Quicklists.prev(node);
            if (prev != 0)
            {
                wrapNode(prev);
                if (allowsInsert(Listpack.totalBytes(lp, base), Listpack.count(lp, base)))
                {
                    return splice(prev, Listpack.totalBytes(lp, base) - 1, 0, elementEncodedLength, 1, true);
                }
            }
            return newNodeWithElement(prev);
        }
        if (relative == total - 1)
        {
            // After the node's last element: the head of the next node, or a new node.
            final long next = Quicklists.next(node);
            if (next != 0)
            {
                wrapNode(next);
                if (allowsInsert(Listpack.totalBytes(lp, base), Listpack.count(lp, base)))
                {
                    return splice(next, Listpack.HEADER_LENGTH, 0, elementEncodedLength, 1, true);
                }
            }
            return newNodeWithElement(node);
        }
        // In the middle of a full node: move the elements from 'at' on into a new node after it, then append.
        final long split = split(node, relative);
        if (split == Keyspace.OUT_OF_MEMORY)
        {
            return split;
        }
        wrapNode(split);
        return insert(split, base + Listpack.totalBytes(lp, base) - 1);
    }

    /**
     * Split a node before the element at {@code relative}: the elements from there on go to a new node after it.
     *
     * @return the (possibly moved) first part's node, or {@link Keyspace#OUT_OF_MEMORY}.
     */
    private long split(final long node, final int relative)
    {
        wrapNode(node);
        final int total = Listpack.totalBytes(lp, base);
        int moving = 0;
        for (int q = base + relative; q != 0; q = Listpack.next(lp, base, q))
        {
            moving++;
        }
        final int tailBytes = total - 1 - relative;
        final long added = quicklists.insertNode(id, node, Listpack.EMPTY_LENGTH + tailBytes,
            Listpack.EMPTY_LENGTH + tailBytes);
        if (added == Keyspace.OUT_OF_MEMORY)
        {
            return added;
        }
        nodeView.wrap(added, ListNodeDescriptor.LISTPACK_OFFSET + Listpack.EMPTY_LENGTH + tailBytes);
        wrapNode(node);
        nodeView.putBytes(ListNodeDescriptor.LISTPACK_OFFSET + Listpack.HEADER_LENGTH, lp, base + relative, tailBytes);
        nodeView.putByte(ListNodeDescriptor.LISTPACK_OFFSET + Listpack.HEADER_LENGTH + tailBytes, (byte)Listpack.EOF);
        Listpack.header(nodeView, ListNodeDescriptor.LISTPACK_OFFSET, Listpack.EMPTY_LENGTH + tailBytes, moving);
        quicklists.addCount(id, moving);
        // Shrinking cannot be refused for good: on a refusal the tail is in both nodes, so undo the new one.
        final long first = splice(node, relative, tailBytes, 0, -moving, false);
        if (first == Keyspace.OUT_OF_MEMORY)
        {
            quicklists.addCount(id, -moving);
            quicklists.removeNode(id, added);
            return first;
        }
        return splicedNode;
    }

    private long newNodeWithElement(final long after)
    {
        final int length = Listpack.EMPTY_LENGTH + elementEncodedLength;
        final long added = quicklists.insertNode(id, after, length, length);
        if (added == Keyspace.OUT_OF_MEMORY)
        {
            return added;
        }
        nodeView.wrap(added, ListNodeDescriptor.LISTPACK_OFFSET + length);
        final int at = ListNodeDescriptor.LISTPACK_OFFSET + Listpack.HEADER_LENGTH;
        writeElement(nodeView, at);
        nodeView.putByte(at + elementEncodedLength, (byte)Listpack.EOF);
        Listpack.header(nodeView, ListNodeDescriptor.LISTPACK_OFFSET, length, 1);
        quicklists.addCount(id, 1);
        return address;
    }

    private void writeElement(final MutableDirectBuffer buffer, final int at)
    {
        Listpack.writeElement(buffer, at, elementBuffer, elementOffset, elementLength, elementIsInt, elementAsLong);
    }

    /**
     * Replace the cursor's element with the {@link #element} (LSET).
     */
    long replaceAtCursor()
    {
        wrapNode(node);
        final int old = Listpack.skip(lp, p) - p;
        final int total = Listpack.totalBytes(lp, base);
        final int count = Listpack.count(lp, base);
        if (fitsNode(total - old + elementEncodedLength, count) || count == 1 && !inEntry)
        {
            return splice(node, p - base, old, elementEncodedLength, 0, true);
        }
        // Too big for this node: insert the new element after the old one (splitting as needed), then delete it.
        // The old element keeps its place in the cursor's node, which the insert keeps in step if it moves.
        final int relative = p - base;
        final long moved = insertAtCursor(true);
        if (moved == Keyspace.OUT_OF_MEMORY)
        {
            return moved;
        }
        wrapNode(node);
        p = base + relative;
        return deleteAtCursor(1);
    }

    /**
     * Delete {@code n} consecutive elements from the cursor's, all in the cursor's node; an emptied chain node is
     * removed. The cursor is left on the element that followed them, in this node or the next; {@link #p} is 0
     * when none followed.
     *
     * @return the entry's address from now on, or {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    long deleteAtCursor(final int n)
    {
        wrapNode(node);
        int end = p;
        for (int i = 0; i < n; i++)
        {
            end = Listpack.skip(lp, end);
        }
        final int count = Listpack.count(lp, base);
        if (count == n && node != IN_ENTRY)
        {
            quicklists.addCount(id, -n);
            final long next = Quicklists.next(node);
            quicklists.removeNode(id, node);
            firstOf(next);
            return address;
        }
        final int relative = p - base;
        final long result = splice(node, relative, end - p, 0, -n, false);
        if (result != Keyspace.OUT_OF_MEMORY)
        {
            wrapNode(node);
            final int q = base + relative;
            if ((lp.getByte(q) & 0xFF) == Listpack.EOF)
            {
                firstOf(nextNode(node));
            }
            else
            {
                p = q;
            }
        }
        return result;
    }

    /** Place the cursor on the first element of {@code node}, or nowhere ({@link #p} 0) when it is 0. */
    private void firstOf(final long node)
    {
        this.node = node;
        if (node == 0)
        {
            p = 0;
            return;
        }
        wrapNode(node);
        p = Listpack.first(lp, base);
    }

    /**
     * Delete {@code count} elements from index {@code start} on (LTRIM, LPOP/RPOP with a count), a node's share at
     * a time.
     */
    long deleteRange(final long start, final long count)
    {
        long left = count;
        if (left <= 0)
        {
            return address;
        }
        seek(start);
        while (left > 0 && p != 0)
        {
            wrapNode(node);
            int inNode = 0;
            for (int q = p; q != 0 && inNode < left; q = Listpack.next(lp, base, q))
            {
                inNode++;
            }
            final long result = deleteAtCursor(inNode);
            if (result == Keyspace.OUT_OF_MEMORY)
            {
                return result;
            }
            left -= inNode;
        }
        return address;
    }

    /**
     * Replace {@code oldLength} bytes at {@code relative} (from the listpack's start) of a node with room for
     * {@code newLength} bytes, which the {@link #element} fills when {@code write}; the header's total and count
     * (by {@code countDelta}) follow.
     */
    private long splice(final long node, final int relative, final int oldLength, final int newLength,
        final int countDelta, final boolean write)
    {
        if (node != IN_ENTRY)
        {
            quicklists.beforeChange(id, node); // a full sync copies the node first if it still needs it
        }
        wrapNode(node);
        final int total = Listpack.totalBytes(lp, base);
        final int count = Listpack.count(lp, base);
        final int newTotal = total - oldLength + newLength;
        final int tail = total - relative - oldLength;
        long target = node;
        if (node == IN_ENTRY)
        {
            if (newLength > oldLength)
            {
                final long moved = keyspace.resizeValue(db, address, newTotal);
                if (moved == Keyspace.OUT_OF_MEMORY)
                {
                    return moved;
                }
                rebind(moved);
                wrapNode(IN_ENTRY);
                lp.putBytes(base + relative + newLength, lp, base + relative + oldLength, tail);
            }
            else if (newLength < oldLength)
            {
                if (!keyspace.canResizeValue(address, newTotal))
                {
                    return Keyspace.OUT_OF_MEMORY;
                }
                lp.putBytes(base + relative + newLength, lp, base + relative + oldLength, tail);
                rebind(keyspace.resizeValue(db, address, newTotal));
                wrapNode(IN_ENTRY);
            }
        }
        else
        {
            if (newLength > oldLength)
            {
                // Doubling up to the node limit: an end node that grows by pushes moves a few times, not per class.
                final int doubled = (int)Math.min(2L * Quicklists.capacity(node), nodeByteLimit());
                target = quicklists.resizeNode(id, node, newTotal, Math.max(newTotal, doubled));
                if (target == Keyspace.OUT_OF_MEMORY)
                {
                    return target;
                }
                wrapNodeAt(target, newTotal);
                lp.putBytes(base + relative + newLength, lp, base + relative + oldLength, tail);
            }
            else if (newLength < oldLength)
            {
                lp.putBytes(base + relative + newLength, lp, base + relative + oldLength, tail);
                target = quicklists.resizeNode(id, node, newTotal, newTotal);
                if (target == Keyspace.OUT_OF_MEMORY)
                {
                    // Undo the move: the bytes between are the old element's, still in the old block.
                    wrapNodeAt(node, total);
                    lp.putBytes(base + relative + oldLength, lp, base + relative + newLength, tail);
                    return target;
                }
                wrapNodeAt(target, newTotal);
            }
            quicklists.addCount(id, countDelta);
        }
        if (write)
        {
            writeElement(lp, base + relative);
        }
        Listpack.header(lp, base, newTotal, count + countDelta);
        if (node == this.node)
        {
            this.node = target;
        }
        splicedNode = target;
        return address;
    }

    /** The node the last {@link #splice} edited, where it is now. */
    private long splicedNode;

    private void wrapNodeAt(final long node, final int listpackLength)
    {
        lp.wrap(node, ListNodeDescriptor.LISTPACK_OFFSET + listpackLength);
        base = ListNodeDescriptor.LISTPACK_OFFSET;
    }

    /**
     * Move the in-entry listpack into the first node of a new chain.
     */
    private long toQuicklist()
    {
        final int newId = quicklists.create();
        wrapNode(IN_ENTRY);
        final int total = Listpack.totalBytes(lp, base);
        final int count = Listpack.count(lp, base);
        final long first = quicklists.insertNode(newId, 0, total, total);
        if (first == Keyspace.OUT_OF_MEMORY)
        {
            quicklists.free(newId);
            return first;
        }
        nodeView.wrap(first, ListNodeDescriptor.LISTPACK_OFFSET + total);
        nodeView.putBytes(ListNodeDescriptor.LISTPACK_OFFSET, lp, base, total);
        quicklists.addCount(newId, count);
        final long moved = keyspace.resizeValue(db, address, ValueEncoding.TABLE_ID_LENGTH);
        if (moved == Keyspace.OUT_OF_MEMORY)
        {
            quicklists.free(newId);
            return moved;
        }
        keyspace.encoding(moved, ValueEncoding.LIST_QUICKLIST);
        entry.wrap(moved);
        entry.buffer().putInt(entry.valueOffset(), newId);
        rebind(moved);
        if (node == IN_ENTRY)
        {
            node = first;
        }
        return moved;
    }

    /**
     * Whether a node of {@code total} bytes and {@code count} elements takes one more {@link #element}.
     */
    private boolean allowsInsert(final int total, final int count)
    {
        return count == 0 && !inEntry || fitsNode(total + elementEncodedLength, count + 1);
    }

    /**
     * Redis's quicklist node limit for a node of {@code bytes} and {@code count} elements (list-max-listpack-size:
     * negative, a byte limit; positive, an element count within the 8 KiB safety limit); an in-entry listpack must
     * also fit an entry.
     */
    private boolean fitsNode(final long bytes, final int count)
    {
        final CollectionLimits limits = keyspace.collectionLimits();
        if (inEntry && !limits.fitsInEntry(bytes))
        {
            return false;
        }
        final long fill = limits.listMaxListpackSize();
        return bytes <= nodeByteLimit() && (fill < 0 || count <= fill && count < Listpack.COUNT_UNKNOWN);
    }

    /**
     * @return most listpack bytes of a node: the level of a negative list-max-listpack-size, else the 8 KiB safety
     * limit; for a chain node less its header, so that a full node's block is exactly the level (4 and 8 KiB are
     * size classes).
     */
    private int nodeByteLimit()
    {
        final long fill = keyspace.collectionLimits().listMaxListpackSize();
        final int level = fill < 0 ? SIZE_LEVELS[(int)Math.min(-fill, SIZE_LEVELS.length) - 1] : SIZE_SAFETY_LIMIT;
        return inEntry ? level : level - ListNodeDescriptor.LISTPACK_OFFSET;
    }

    // ---- serialization

    /**
     * DUMP of a list: RDB_TYPE_LIST_QUICKLIST_2, one PACKED node per listpack (the in-entry one, or each chain
     * node's), each written as Redis's rdbSaveRawString writes it.
     *
     * @return the payload's length.
     */
    int dump(final DumpPayloadWriter writer, final MutableDirectBuffer dst, final int dstIndex)
    {
        final long nodes = inEntry ? 1 : quicklists.nodes(id);
        int position = writer.startCollection(DumpPayloadDescriptor.TYPE_LIST_QUICKLIST_2, nodes, dst, dstIndex);
        for (long n = firstNode(); n != 0; n = nextNode(n))
        {
            wrapNode(n);
            dst.checkLimit(position + 9);
            position += RdbStringDescriptor.putLength(dst, position, DumpPayloadDescriptor.QUICKLIST_NODE_PACKED);
            position = writer.appendString(lp, base, Listpack.totalBytes(lp, base), dst, position);
        }
        return writer.finish(dst, dstIndex, position);
    }

    /**
     * Visit every element from head to tail as text (replication's state of a key, DEBUG DIGEST).
     */
    void forEach(final ElementVisitor visitor)
    {
        for (long n = firstNode(); n != 0; n = nextNode(n))
        {
            wrapNode(n);
            for (int q = Listpack.first(lp, base); q != 0; q = Listpack.next(lp, base, q))
            {
                if (Listpack.isInt(lp, q))
                {
                    visitor.visitInt(Listpack.intValue(lp, q));
                }
                else
                {
                    visitor.visitBytes(lp, Listpack.stringIndex(lp, q), Listpack.stringLength(lp, q));
                }
                wrapNode(n);
            }
        }
    }

    /** Receives a list's elements in order. */
    interface ElementVisitor
    {
        /** An element stored as an integer. */
        void visitInt(long value);

        /** An element stored as bytes. */
        void visitBytes(DirectBuffer buffer, int offset, int length);
    }
}
