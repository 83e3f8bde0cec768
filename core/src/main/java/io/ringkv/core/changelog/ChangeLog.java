package io.ringkv.core.changelog;

import io.ringkv.core.codec.RedisDoubleFormat;
import io.ringkv.core.store.ElementDescriptor;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Intset;
import io.ringkv.core.store.ListNodeDescriptor;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.Quicklists;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import io.ringkv.core.store.ZSkipList;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.TouchedKeys;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static io.ringkv.core.changelog.ChangeRecordDescriptor.*;

/**
 * Writes change records (see {@link ChangeRecordDescriptor}) into the {@link ChangeArea} of the ring slot
 * being executed, giving each the next replication offset. Commands call it after each change they apply,
 * in the order they apply them; the engine points it at each area before executing it.
 * <p>
 * Only the engine thread calls this. Writing a record copies its key and value; nothing else is allocated
 * unless an area has to grow.
 */
public final class ChangeLog
{
    private static final VarHandle PUBLISHED_OFFSET;

    static
    {
        try
        {
            PUBLISHED_OFFSET = MethodHandles.lookup().findVarHandle(ChangeLog.class, "publishedOffset", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Longest decimal text of a long: "-9223372036854775808". */
    private static final int MAX_LONG_DIGITS = 20;

    private static final byte[] HSET = {'h', 's', 'e', 't'};
    private static final byte[] SADD = {'s', 'a', 'd', 'd'};
    private static final byte[] RPUSH = {'r', 'p', 'u', 's', 'h'};

    private final EntryFlyweight entry = new EntryFlyweight();
    private final UnsafeBuffer elementView = new UnsafeBuffer(0, 0);
    private ChangeArea area;
    private long lastOffset;
    /** The COMMAND record being written: its index, the end of what it holds so far, its strings. */
    private int commandIndex;
    private int commandEnd;
    private int commandStrings;
    @SuppressWarnings("unused")
    private volatile long publishedOffset;

    /**
     * @param lastOffset replication offset of the last record already logged (0 for a fresh keyspace).
     */
    public ChangeLog(final long lastOffset)
    {
        this.lastOffset = lastOffset;
    }

    /**
     * Engine thread: direct the following records to a slot's change area, emptying it. The engine calls it before
     * each slot; a caller that dispatches commands without a ring (benchmarks, tools) calls it itself.
     *
     * @param area of the slot about to execute.
     */
    public void begin(final ChangeArea area)
    {
        area.clear();
        this.area = area;
    }

    /**
     * Engine thread: the offset of the last record written so far.
     *
     * @return replication offset of the last record logged (0 before the first).
     */
    public long lastOffset()
    {
        return lastOffset;
    }

    /**
     * Any thread: the replication offset as of the last slot the engine finished (Redis's master_repl_offset, in
     * records). Published with release semantics once per slot that logged something.
     *
     * @return offset of the last record of the last finished slot.
     */
    public long publishedOffset()
    {
        return (long)PUBLISHED_OFFSET.getAcquire(this);
    }

    /**
     * Engine thread: number the following records from {@code lastOffset + 1} on. A replica keeps its offsets
     * equal to its master's this way (it applies one record per record of the master's log), so that its own log
     * continues the master's history after a promotion (PSYNC2).
     *
     * @param lastOffset the offset the last record counts as.
     */
    public void continueFrom(final long lastOffset)
    {
        this.lastOffset = lastOffset;
        PUBLISHED_OFFSET.setRelease(this, lastOffset);
    }

    /**
     * Engine thread: forget the records the current slot wrote so far, and their offsets (a load at start: nothing
     * downstream has the data they change, so no consumer sees them and the offset stays the loaded file's).
     */
    public void discard()
    {
        if (area != null)
        {
            lastOffset -= area.count;
            area.clear();
        }
    }

    /**
     * Engine thread: the current slot is done; make its offset visible to {@link #publishedOffset()}.
     */
    public void end()
    {
        if (area != null && area.count != 0)
        {
            PUBLISHED_OFFSET.setRelease(this, lastOffset);
        }
    }

    /**
     * Log the full state of a string or JSON document entry after a change: type, encoding, value and expiry.
     *
     * @param db           the entry's database.
     * @param entryAddress the entry.
     */
    public void set(final int db, final long entryAddress)
    {
        final EntryFlyweight entry = this.entry.wrap(entryAddress);
        final DirectBuffer buffer = entry.buffer();
        final int index = claim(OP_SET, db, 0, buffer, entry.keyOffset(), entry.keyLength(),
            buffer, entry.valueOffset(), entry.valueLength());
        final MutableDirectBuffer changes = area.mutableBuffer();
        changes.putByte(index + TYPE_OFFSET, entry.type());
        changes.putByte(index + ENCODING_OFFSET, entry.encoding());
        changes.putLong(index + EXPIRE_AT_MS_OFFSET, entry.expireAtMs());
    }

    /**
     * @param db        database.
     * @param key       buffer holding the key.
     * @param keyOffset of the key.
     * @param keyLength of the key.
     * @param expired   true when the key is removed because it expired, not by a command.
     */
    public void delete(final int db, final DirectBuffer key, final int keyOffset, final int keyLength,
        final boolean expired)
    {
        final int index = claim(OP_DEL, db, 0, key, keyOffset, keyLength, null, 0, 0);
        if (expired)
        {
            area.mutableBuffer().putByte(index + FLAGS_OFFSET, FLAG_EXPIRED);
        }
    }

    /**
     * A key evicted for the memory budget: a DEL flagged {@link ChangeRecordDescriptor#FLAG_EVICTED}, so replicas
     * delete it too (they never evict on their own) and later consumers can tell it from a client's DEL.
     *
     * @param db        database.
     * @param key       buffer holding the key.
     * @param keyOffset of the key.
     * @param keyLength of the key.
     */
    public void evicted(final int db, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final int index = claim(OP_DEL, db, 0, key, keyOffset, keyLength, null, 0, 0);
        area.mutableBuffer().putByte(index + FLAGS_OFFSET, FLAG_EVICTED);
    }

    /**
     * @param db         database.
     * @param key        buffer holding the key.
     * @param keyOffset  of the key.
     * @param keyLength  of the key.
     * @param expireAtMs new absolute expiry, Unix ms.
     */
    public void expireAt(final int db, final DirectBuffer key, final int keyOffset, final int keyLength,
        final long expireAtMs)
    {
        final int index = claim(OP_EXPIREAT, db, 0, key, keyOffset, keyLength, null, 0, 0);
        area.mutableBuffer().putLong(index + EXPIRE_AT_MS_OFFSET, expireAtMs);
    }

    public void persist(final int db, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        claim(OP_PERSIST, db, 0, key, keyOffset, keyLength, null, 0, 0);
    }

    /**
     * @param delta added to the key's integer (a missing key counts as 0).
     */
    public void incrBy(final int db, final DirectBuffer key, final int keyOffset, final int keyLength,
        final long delta)
    {
        final int index = claim(OP_INCRBY, db, 0, key, keyOffset, keyLength, null, 0, 0);
        area.mutableBuffer().putLong(index + ARGUMENT_OFFSET, delta);
    }

    public void append(final int db, final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        claim(OP_APPEND, db, 0, key, keyOffset, keyLength, value, valueOffset, valueLength);
    }

    /**
     * @param offset where {@code value} is written in the string (zero padding up to it).
     */
    public void setRange(final int db, final DirectBuffer key, final int keyOffset, final int keyLength,
        final long offset, final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        final int index = claim(OP_SETRANGE, db, 0, key, keyOffset, keyLength, value, valueOffset, valueLength);
        area.mutableBuffer().putLong(index + ARGUMENT_OFFSET, offset);
    }

    /**
     * Rename {@code key} to {@code target} within {@code db}, replacing the target.
     */
    public void rename(final int db, final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer target, final int targetOffset, final int targetLength)
    {
        claim(OP_RENAME, db, 0, key, keyOffset, keyLength, target, targetOffset, targetLength);
    }

    /**
     * Copy {@code key} of {@code db} to {@code target} of {@code targetDb}.
     *
     * @param replace true when an existing target was replaced.
     */
    public void copy(final int db, final DirectBuffer key, final int keyOffset, final int keyLength,
        final int targetDb, final DirectBuffer target, final int targetOffset, final int targetLength,
        final boolean replace)
    {
        final int index = claim(OP_COPY, db, targetDb, key, keyOffset, keyLength, target, targetOffset, targetLength);
        if (replace)
        {
            area.mutableBuffer().putByte(index + FLAGS_OFFSET, FLAG_REPLACE);
        }
    }

    /**
     * Databases {@code db} and {@code targetDb} swapped their keys (SWAPDB).
     */
    public void swapDb(final int db, final int targetDb)
    {
        claim(OP_SWAPDB, db, targetDb, null, 0, 0, null, 0, 0);
    }

    public void flushDb(final int db)
    {
        claim(OP_FLUSHDB, db, 0, null, 0, 0, null, 0, 0);
    }

    public void flushAll()
    {
        claim(OP_FLUSHALL, 0, 0, null, 0, 0, null, 0, 0);
    }

    /**
     * Start logging a change as the command that makes it ({@link ChangeRecordDescriptor#OP_COMMAND}): the
     * replica runs it. Follow with {@link #commandArg} for each further argument, then {@link #endCommand}; nothing
     * else may be logged in between. A command logs the effect it had, not always what it was given, as Redis
     * rewrites what it propagates (e.g. HINCRBYFLOAT as HSET of the result, SPOP as SREM of the members taken).
     *
     * @param db        database.
     * @param name      the command's name, lower case.
     * @param key       buffer holding the first argument (the key).
     * @param keyOffset of the key.
     * @param keyLength of the key.
     */
    public void beginCommand(final int db, final byte[] name, final DirectBuffer key, final int keyOffset,
        final int keyLength)
    {
        commandIndex = claim(OP_COMMAND, db, 0, key, keyOffset, keyLength, null, 0, 0);
        commandEnd = commandIndex + HEADER_LENGTH + keyLength;
        commandStrings = 0;
        final int at = claimCommandString(name.length);
        area.mutableBuffer().putBytes(at, name);
    }

    /**
     * @param buffer holding the next argument.
     * @param offset of the argument.
     * @param length of the argument.
     */
    public void commandArg(final DirectBuffer buffer, final int offset, final int length)
    {
        final int at = claimCommandString(length);
        area.mutableBuffer().putBytes(at, buffer, offset, length);
    }

    /**
     * @param value the next argument, as its decimal text.
     */
    public void commandArg(final long value)
    {
        final MutableDirectBuffer changes = area.mutableBuffer();
        final int at = claimCommandString(MAX_LONG_DIGITS);
        final int written = changes.putLongAscii(at, value);
        changes.putInt(at - COMMAND_STRING_LENGTH_LENGTH, written);
        commandEnd = at + written;
    }

    /**
     * Close the record {@link #beginCommand} opened.
     */
    public void endCommand()
    {
        final ChangeArea area = this.area;
        final MutableDirectBuffer changes = area.mutableBuffer();
        final int index = commandIndex;
        final int keyLength = changes.getInt(index + KEY_LENGTH_OFFSET);
        final int valueLength = commandEnd - (index + HEADER_LENGTH + keyLength);
        final int recordLength = recordLength(keyLength, valueLength);
        final int end = index + recordLength;
        changes.setMemory(commandEnd, end - commandEnd, (byte)0);
        changes.putInt(index + RECORD_LENGTH_OFFSET, recordLength);
        changes.putInt(index + VALUE_LENGTH_OFFSET, valueLength);
        changes.putLong(index + ARGUMENT_OFFSET, commandStrings);
        area.length = end;
    }

    private int claimCommandString(final int length)
    {
        final MutableDirectBuffer changes = area.mutableBuffer();
        final int at = commandEnd;
        // Touch the end (and the record's padding) first, so that an expandable buffer grows once.
        changes.putLong(at + COMMAND_STRING_LENGTH_LENGTH + length + ALIGNMENT, 0L);
        changes.putInt(at, length);
        commandEnd = at + COMMAND_STRING_LENGTH_LENGTH + length;
        commandStrings++;
        return at + COMMAND_STRING_LENGTH_LENGTH;
    }

    /**
     * The failed-command rule: after a command failed half way (its handler threw), log the state that every key it
     * touched is in now, so that the change log holds whatever it applied and never logged. Each touched key is
     * logged as SET of its whole entry (expired or not: its expiry travels with it) or DEL when it is gone; a
     * database it flushed as FLUSHDB followed by SET of every entry left in it. Replaying the records written before
     * the failure and then these leaves a replica with the master's state. Allocates; failures only.
     *
     * @param keyspace whose {@link Keyspace#touchedKeys()} describe the failed command.
     */
    public void logTouchedKeys(final Keyspace keyspace)
    {
        final TouchedKeys touched = keyspace.touchedKeys();
        for (int db = 0, databases = keyspace.databases(); db < databases; db++)
        {
            if (touched.isFlushed(db))
            {
                final int flushedDb = db;
                flushDb(flushedDb);
                keyspace.forEachEntry(flushedDb, address -> state(keyspace, flushedDb, address));
            }
        }
        touched.forEach((db, key, keyOffset, keyLength) ->
        {
            if (!touched.isFlushed(db))
            {
                final long address = keyspace.lookup(db, key, keyOffset, keyLength);
                if (address == Keyspace.NOT_FOUND)
                {
                    delete(db, key, keyOffset, keyLength, false);
                }
                else
                {
                    state(keyspace, db, address);
                }
            }
        });
    }

    /**
     * One command argument per element of the listpack at {@code base}.
     */
    private void listpackArgs(final DirectBuffer buffer, final int base)
    {
        for (int p = Listpack.first(buffer, base); p != 0; p = Listpack.next(buffer, base, p))
        {
            if (Listpack.isInt(buffer, p))
            {
                commandArg(Listpack.intValue(buffer, p));
            }
            else
            {
                commandArg(buffer, Listpack.stringIndex(buffer, p), Listpack.stringLength(buffer, p));
            }
        }
    }

    /**
     * Log the whole state of an entry: {@link #set} for a string or JSON document; for a collection, which a SET
     * record cannot carry, DEL, then the command that rebuilds it (HSET of every field, SADD of every member, RPUSH of
     * every element in order), then
     * its expiry.
     *
     * @param keyspace holding the entry (a large collection's elements are in its element tables).
     * @param db       the entry's database.
     * @param address  the entry.
     */
    public void state(final Keyspace keyspace, final int db, final long address)
    {
        final EntryFlyweight entry = this.entry.wrap(address);
        final byte type = entry.type();
        if (type == ValueType.ZSET)
        {
            zsetState(keyspace, db, address);
            return;
        }
        if (type != ValueType.HASH && type != ValueType.SET && type != ValueType.LIST)
        {
            set(db, address);
            return;
        }
        final DirectBuffer buffer = entry.buffer();
        delete(db, buffer, entry.keyOffset(), entry.keyLength(), false);
        beginCommand(db, type == ValueType.HASH ? HSET : type == ValueType.SET ? SADD : RPUSH, buffer,
            entry.keyOffset(), entry.keyLength());
        if (entry.encoding() == ValueEncoding.SET_INTSET)
        {
            for (int i = 0, count = Intset.count(buffer, entry.valueOffset()); i < count; i++)
            {
                commandArg(Intset.get(buffer, entry.valueOffset(), i));
            }
        }
        else if (entry.encoding() == ValueEncoding.SET_TABLE)
        {
            final UnsafeBuffer view = elementView;
            keyspace.elementTables().forEach(buffer.getInt(entry.valueOffset()), element ->
            {
                final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
                view.wrap(element, ElementDescriptor.KEY_OFFSET + keyLength);
                commandArg(view, ElementDescriptor.KEY_OFFSET, keyLength);
            });
        }
        else if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            final UnsafeBuffer view = elementView;
            keyspace.elementTables().forEach(buffer.getInt(entry.valueOffset()), element ->
            {
                final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
                final int valueLength = UnsafeApi.getInt(element + ElementDescriptor.valueLengthOffset(keyLength));
                view.wrap(element, ElementDescriptor.valueOffset(keyLength) + valueLength);
                commandArg(view, ElementDescriptor.KEY_OFFSET, keyLength);
                commandArg(view, ElementDescriptor.valueOffset(keyLength), valueLength);
            });
        }
        else if (entry.encoding() == ValueEncoding.LIST_QUICKLIST)
        {
            final UnsafeBuffer view = elementView;
            final Quicklists quicklists = keyspace.quicklists();
            for (long node = quicklists.head(buffer.getInt(entry.valueOffset())); node != 0;
                node = Quicklists.next(node))
            {
                view.wrap(node, (int)ListNodeDescriptor.nodeLength(Quicklists.listpackLength(node)));
                listpackArgs(view, ListNodeDescriptor.LISTPACK_OFFSET);
            }
        }
        else
        {
            listpackArgs(buffer, entry.valueOffset());
        }
        endCommand();
        this.entry.wrap(address);
        if (this.entry.expireAtMs() != Keyspace.NO_EXPIRY)
        {
            expireAt(db, buffer, this.entry.keyOffset(), this.entry.keyLength(), this.entry.expireAtMs());
        }
    }

    private static final byte[] ZADD = {'z', 'a', 'd', 'd'};
    private final RedisDoubleFormat doubleFormat = new RedisDoubleFormat();
    private final UnsafeBuffer scoreText = new UnsafeBuffer(new byte[RedisDoubleFormat.MAX_LENGTH]);

    /**
     * A sorted set's state: DEL, then ZADD of every member with its score (as Redis prints it: exact), then its
     * expiry.
     */
    private void zsetState(final Keyspace keyspace, final int db, final long address)
    {
        final EntryFlyweight entry = this.entry.wrap(address);
        final DirectBuffer buffer = entry.buffer();
        delete(db, buffer, entry.keyOffset(), entry.keyLength(), false);
        beginCommand(db, ZADD, buffer, entry.keyOffset(), entry.keyLength());
        if (entry.encoding() == ValueEncoding.ZSET_SKIPLIST)
        {
            final ZSkipList skipList = keyspace.elementTables().skipList();
            final UnsafeBuffer view = elementView;
            for (long element = skipList.first(buffer.getInt(entry.valueOffset())); element != 0;
                element = ZSkipList.next(element))
            {
                commandArg(scoreText, 0, doubleFormat.format(ZSkipList.score(element),
                    scoreText, 0));
                final int keyLength = ZSkipList.memberLength(element);
                view.wrap(element, ElementDescriptor.KEY_OFFSET + keyLength);
                commandArg(view, ElementDescriptor.KEY_OFFSET, keyLength);
            }
        }
        else
        {
            final int base = entry.valueOffset();
            for (int p = Listpack.first(buffer, base); p != 0; )
            {
                final int q = Listpack.next(buffer, base, p);
                listpackArg(buffer, q);
                listpackArg(buffer, p);
                p = Listpack.next(buffer, base, q);
            }
        }
        endCommand();
        this.entry.wrap(address);
        if (this.entry.expireAtMs() != Keyspace.NO_EXPIRY)
        {
            expireAt(db, buffer, this.entry.keyOffset(), this.entry.keyLength(), this.entry.expireAtMs());
        }
    }

    private void listpackArg(final DirectBuffer buffer, final int p)
    {
        if (Listpack.isInt(buffer, p))
        {
            commandArg(Listpack.intValue(buffer, p));
        }
        else
        {
            commandArg(buffer, Listpack.stringIndex(buffer, p), Listpack.stringLength(buffer, p));
        }
    }

    private int claim(
        final byte op, final int db, final int targetDb,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        final ChangeArea area = this.area;
        final MutableDirectBuffer changes = area.mutableBuffer();
        final int index = area.length;
        final int recordLength = recordLength(keyLength, valueLength);
        // Writing the last long of the record first makes an expandable buffer grow once.
        changes.putLong(index + recordLength - Long.BYTES, 0L);
        changes.setMemory(index, HEADER_LENGTH, (byte)0);
        changes.putInt(index + RECORD_LENGTH_OFFSET, recordLength);
        changes.putByte(index + OP_OFFSET, op);
        changes.putShort(index + DB_OFFSET, (short)db);
        changes.putShort(index + TARGET_DB_OFFSET, (short)targetDb);
        changes.putInt(index + KEY_LENGTH_OFFSET, keyLength);
        changes.putInt(index + VALUE_LENGTH_OFFSET, valueLength);
        changes.putLong(index + REPLICATION_OFFSET_OFFSET, ++lastOffset);
        if (keyLength > 0)
        {
            changes.putBytes(index + HEADER_LENGTH, key, keyOffset, keyLength);
        }
        if (valueLength > 0)
        {
            changes.putBytes(index + HEADER_LENGTH + keyLength, value, valueOffset, valueLength);
        }
        area.length = index + recordLength;
        area.count++;
        return index;
    }
}
