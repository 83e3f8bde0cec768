package io.ringkv.replication.snapshot;

import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.RdbFileWriter;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;

import static io.ringkv.replication.snapshot.SnapshotEntryDescriptor.*;

/**
 * Turns a {@link Snapshot}'s ring messages into an RDB file's databases and keys, each value in the encoding Redis
 * 7.0 gives it: a small value's bytes (listpack, intset) as they are; a big collection, which arrives as listpack
 * chunks of its elements with the count known up front (MSG_BEGIN, MSG_PART, MSG_VALUE_END: {@link #beginCollection},
 * {@link #collectionPart}, {@link #endCollection}), in the table encodings (RDB_TYPE_HASH, RDB_TYPE_SET,
 * RDB_TYPE_ZSET_2, RDB_TYPE_LIST_QUICKLIST_2 with nodes of {@link #LIST_NODE_ELEMENTS}). A string too big for one
 * ring message comes the same way, its raw bytes in the PARTs, and is written as an uncompressed RDB string.
 * <p>
 * Entries may come out of database order (a key is captured early when a write is about to change it), so a
 * SELECTDB is written at every change of database, and RESIZEDB, a sizing hint, once per database. Owned by the
 * thread reading the ring; I/O errors surface as {@link UncheckedIOException} from {@link #onMessage}.
 */
public final class RdbSnapshotWriter implements MessageHandler
{
    /** Elements per quicklist node written for a big list: Redis's default node (list-max-listpack-size -2). */
    static final int LIST_NODE_ELEMENTS = 128;

    private final RdbFileWriter file;
    private final long[] keys;
    private final long[] expires;
    private final boolean[] resized;
    private final ExpandableArrayBuffer node = new ExpandableArrayBuffer(8192);
    private final StringBuilder score = new StringBuilder(32);
    private int db = -1;
    private boolean endSeen;
    private long entries;

    // The big collection being written.
    private int rdbType;
    private long remaining;
    private int nodeElements;
    private int nodePosition;
    private boolean member;

    /**
     * @param file    positioned after the header and aux fields.
     * @param keys    key count per database when the snapshot began (RESIZEDB).
     * @param expires keys with an expiry per database then.
     */
    public RdbSnapshotWriter(final RdbFileWriter file, final long[] keys, final long[] expires)
    {
        this.file = file;
        this.keys = keys;
        this.expires = expires;
        this.resized = new boolean[keys.length];
    }

    /**
     * @return true once the snapshot's END message was read.
     */
    public boolean endSeen()
    {
        return endSeen;
    }

    /**
     * @return keys written.
     */
    public long entries()
    {
        return entries;
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId == MSG_END)
        {
            endSeen = true;
            return;
        }
        try
        {
            switch (msgTypeId)
            {
                case MSG_BEGIN -> begin(buffer, index);
                case MSG_PART ->
                {
                    if (rdbType == DumpPayloadDescriptor.TYPE_STRING)
                    {
                        file.raw(buffer, index, length);
                        remaining -= length;
                    }
                    else
                    {
                        collectionPart(buffer, index);
                    }
                }
                case MSG_VALUE_END -> endCollection();
                default -> entry(buffer, index, length);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void entry(final DirectBuffer buffer, final int index, final int length) throws IOException
    {
        final int db = buffer.getShort(index + DB_OFFSET);
        final byte type = buffer.getByte(index + TYPE_OFFSET);
        final byte encoding = buffer.getByte(index + ENCODING_OFFSET);
        final int keyLength = buffer.getInt(index + KEY_LENGTH_OFFSET);
        final long expireAtMs = buffer.getLong(index + EXPIRE_AT_MS_OFFSET);
        final int keyIndex = index + HEADER_LENGTH;
        final int valueIndex = keyIndex + keyLength;
        final int valueLength = length - HEADER_LENGTH - keyLength;
        select(db);
        entries++;
        if (ValueEncoding.isTable(encoding))
        {
            throw new IllegalStateException("a big collection comes as BEGIN, PARTs and VALUE_END, not as one entry");
        }
        final int rdbType = smallType(type, encoding);
        file.key(expireAtMs, rdbType, buffer, keyIndex, keyLength);
        if (encoding == ValueEncoding.STRING_INT && type == ValueType.STRING)
        {
            file.longString(buffer.getLong(valueIndex, ByteOrder.LITTLE_ENDIAN));
        }
        else if (type == ValueType.LIST)
        {
            // Redis 7.0 has no listpack list type: a small list is a quicklist of one node.
            file.length(1);
            file.length(DumpPayloadDescriptor.QUICKLIST_NODE_PACKED);
            file.string(buffer, valueIndex, valueLength);
        }
        else
        {
            file.string(buffer, valueIndex, valueLength);
        }
    }

    /**
     * A big collection streamed by the snapshot (docs/replication-protocol.md, "Big collections"): its count at the
     * sync point counts a hash's or a sorted set's pairs once, where the chunks hold two listpack elements a pair.
     */
    private void begin(final DirectBuffer buffer, final int index) throws IOException
    {
        final byte type = buffer.getByte(index + TYPE_OFFSET);
        final long count = buffer.getLong(index + COUNT_OFFSET);
        select(buffer.getShort(index + DB_OFFSET));
        entries++;
        if (type == ValueType.STRING || type == ValueType.JSON)
        {
            // A big string: its length now, its raw bytes part by part (not LZF-compressed: that needs it whole).
            file.key(buffer.getLong(index + EXPIRE_AT_MS_OFFSET), smallType(type, ValueEncoding.STRING_RAW), buffer,
                index + BEGIN_HEADER_LENGTH, buffer.getInt(index + KEY_LENGTH_OFFSET));
            file.length(count);
            rdbType = DumpPayloadDescriptor.TYPE_STRING;
            remaining = count;
            return;
        }
        beginCollection(type, buffer.getLong(index + EXPIRE_AT_MS_OFFSET), buffer, index + BEGIN_HEADER_LENGTH,
            buffer.getInt(index + KEY_LENGTH_OFFSET), type == ValueType.HASH || type == ValueType.ZSET ? 2 * count : count);
    }

    private void select(final int db)
    {
        if (db == this.db)
        {
            return;
        }
        this.db = db;
        file.selectDb(db);
        if (db < resized.length && !resized[db])
        {
            resized[db] = true;
            file.resizeDb(keys[db], expires[db]);
        }
    }

    private static int smallType(final byte type, final byte encoding)
    {
        return switch (type)
        {
            case ValueType.STRING -> DumpPayloadDescriptor.TYPE_STRING;
            case ValueType.JSON -> DumpPayloadDescriptor.TYPE_JSON;
            case ValueType.HASH -> DumpPayloadDescriptor.TYPE_HASH_LISTPACK;
            case ValueType.SET -> DumpPayloadDescriptor.TYPE_SET_INTSET;
            case ValueType.ZSET -> DumpPayloadDescriptor.TYPE_ZSET_LISTPACK;
            case ValueType.LIST -> DumpPayloadDescriptor.TYPE_LIST_QUICKLIST_2;
            default -> throw new IllegalStateException("value type " + type + " encoding " + encoding);
        };
    }

    /**
     * Begin a big collection whose elements follow as listpack chunks (a hash's fields and values, a sorted
     * set's members and scores as text, a set's members, a list's elements).
     *
     * @param elements listpack elements in all its chunks.
     */
    void beginCollection(final byte type, final long expireAtMs, final DirectBuffer key, final int keyIndex,
        final int keyLength, final long elements) throws IOException
    {
        rdbType = switch (type)
        {
            case ValueType.HASH -> DumpPayloadDescriptor.TYPE_HASH;
            case ValueType.SET -> DumpPayloadDescriptor.TYPE_SET;
            case ValueType.ZSET -> DumpPayloadDescriptor.TYPE_ZSET_2;
            case ValueType.LIST -> DumpPayloadDescriptor.TYPE_LIST_QUICKLIST_2;
            default -> throw new IllegalStateException("a big collection of type " + type);
        };
        file.key(expireAtMs, rdbType, key, keyIndex, keyLength);
        remaining = elements;
        member = true;
        switch (rdbType)
        {
            case DumpPayloadDescriptor.TYPE_HASH, DumpPayloadDescriptor.TYPE_ZSET_2 -> file.length(elements / 2);
            case DumpPayloadDescriptor.TYPE_LIST_QUICKLIST_2 ->
            {
                file.length((elements + LIST_NODE_ELEMENTS - 1) / LIST_NODE_ELEMENTS);
                startNode();
            }
            default -> file.length(elements);
        }
    }

    /**
     * The next chunk of the collection begun with {@link #beginCollection}.
     *
     * @param listpack holding the chunk.
     * @param index    of the listpack's first byte.
     */
    void collectionPart(final DirectBuffer listpack, final int index) throws IOException
    {
        for (int p = Listpack.first(listpack, index); p != 0; p = Listpack.next(listpack, index, p))
        {
            remaining--;
            if (rdbType == DumpPayloadDescriptor.TYPE_LIST_QUICKLIST_2)
            {
                final int end = Listpack.skip(listpack, p);
                node.putBytes(nodePosition, listpack, p, end - p);
                nodePosition += end - p;
                if (++nodeElements == LIST_NODE_ELEMENTS)
                {
                    finishNode();
                    startNode();
                }
            }
            else if (rdbType == DumpPayloadDescriptor.TYPE_ZSET_2 && !member)
            {
                file.binaryDouble(score(listpack, p));
            }
            else if (Listpack.isInt(listpack, p))
            {
                file.longString(Listpack.intValue(listpack, p));
            }
            else
            {
                file.string(listpack, Listpack.stringIndex(listpack, p), Listpack.stringLength(listpack, p));
            }
            member = rdbType != DumpPayloadDescriptor.TYPE_ZSET_2 || !member;
            file.maybeFlush();
        }
    }

    /**
     * End the collection: every element announced has come.
     */
    void endCollection() throws IOException
    {
        if (rdbType == DumpPayloadDescriptor.TYPE_LIST_QUICKLIST_2 && nodeElements > 0)
        {
            finishNode();
        }
        if (remaining != 0)
        {
            throw new IllegalStateException("a collection announced " + remaining + " more elements than came");
        }
    }

    private void startNode()
    {
        nodeElements = 0;
        nodePosition = Listpack.HEADER_LENGTH;
    }

    private void finishNode()
    {
        node.putByte(nodePosition, (byte)Listpack.EOF);
        final int total = nodePosition + 1;
        Listpack.header(node, 0, total, nodeElements);
        file.length(DumpPayloadDescriptor.QUICKLIST_NODE_PACKED);
        file.string(node, 0, total);
    }

    private double score(final DirectBuffer listpack, final int p)
    {
        if (Listpack.isInt(listpack, p))
        {
            return Listpack.intValue(listpack, p);
        }
        final int at = Listpack.stringIndex(listpack, p);
        final int length = Listpack.stringLength(listpack, p);
        score.setLength(0);
        for (int i = 0; i < length; i++)
        {
            score.append((char)listpack.getByte(at + i));
        }
        final String text = score.toString();
        return switch (text)
        {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}
