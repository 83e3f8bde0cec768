package io.ringkv.replication.aof;

import io.ringkv.core.changelog.ChangeRecordFlyweight;
import io.ringkv.core.engine.CommandEvent;
import io.ringkv.core.store.Intset;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;

import static io.ringkv.core.changelog.ChangeRecordDescriptor.*;
import static io.ringkv.replication.aof.RespCommandOut.ascii;

/**
 * Turns change records (the replicas' log) and snapshot entries into the RESP commands Redis would feed its AOF:
 * SELECT when the database changes, MULTI/EXEC around what one ring slot applied atomically (an EXEC, a command with
 * several effects, one TICK's expiries), absolute expiry times (SET ... PXAT, PEXPIREAT), expired and evicted keys as
 * DEL, a whole collection as DEL then RPUSH/SADD/ZADD/HMSET of at most 64 elements per command (Redis's
 * AOF_REWRITE_ITEMS_PER_CMD). A collection's elements may come as several listpack chunks ({@link #collectionStart},
 * {@link #collectionChunk}, {@link #collectionEnd}), the form big collections take in a snapshot. Not threadsafe;
 * allocates nothing once its buffers have grown.
 */
final class AofCommandEncoder
{
    /** Elements per command when a collection is rebuilt, as Redis's rewrite. */
    static final int ITEMS_PER_COMMAND = 64;

    private static final byte[] SELECT = ascii("SELECT");
    private static final byte[] MULTI = ascii("MULTI");
    private static final byte[] EXEC = ascii("EXEC");
    private static final byte[] SET = ascii("SET");
    private static final byte[] PXAT = ascii("PXAT");
    private static final byte[] DEL = ascii("DEL");
    private static final byte[] PEXPIREAT = ascii("PEXPIREAT");
    private static final byte[] PERSIST = ascii("PERSIST");
    private static final byte[] INCRBY = ascii("INCRBY");
    private static final byte[] APPEND = ascii("APPEND");
    private static final byte[] SETRANGE = ascii("SETRANGE");
    private static final byte[] RENAME = ascii("RENAME");
    private static final byte[] COPY = ascii("COPY");
    private static final byte[] DB = ascii("DB");
    private static final byte[] REPLACE = ascii("REPLACE");
    private static final byte[] FLUSHDB = ascii("FLUSHDB");
    private static final byte[] FLUSHALL = ascii("FLUSHALL");
    private static final byte[] SWAPDB = ascii("SWAPDB");
    private static final byte[] RPUSH = ascii("RPUSH");
    private static final byte[] SADD = ascii("SADD");
    private static final byte[] ZADD = ascii("ZADD");
    private static final byte[] HMSET = ascii("HMSET");

    private final RespCommandOut out;
    private final ChangeRecordFlyweight record = new ChangeRecordFlyweight();
    private final int[] positions = new int[ITEMS_PER_COMMAND * 2];
    private final org.agrona.ExpandableArrayBuffer key = new org.agrona.ExpandableArrayBuffer(256);
    private int keyLength;
    private byte collectionType;
    private int selectedDb = -1;

    AofCommandEncoder(final RespCommandOut out)
    {
        this.out = out;
    }

    /**
     * The next command needs a SELECT first (a new file starts, or a file was loaded).
     */
    void forgetSelectedDb()
    {
        selectedDb = -1;
    }

    /**
     * Append the commands of one executed slot.
     *
     * @param event       the slot.
     * @param afterOffset only its records past this replication offset (0: all).
     */
    void slot(final CommandEvent event, final long afterOffset)
    {
        final int length = event.changesLength();
        if (length == 0)
        {
            return;
        }
        final DirectBuffer changes = event.changes();
        final ChangeRecordFlyweight record = this.record;
        int first = 0;
        int count = event.changeCount();
        if (afterOffset != 0)
        {
            count = 0;
            first = -1;
            for (int index = 0; index < length; index += record.recordLength())
            {
                record.wrap(changes, index);
                if (record.replicationOffset() > afterOffset)
                {
                    first = first < 0 ? index : first;
                    count++;
                }
            }
            if (count == 0)
            {
                return;
            }
        }
        record.wrap(changes, first);
        final boolean group = count > 1 || (record.op() == OP_SET && isCollection(record.type()));
        if (group)
        {
            out.command(1).arg(MULTI);
        }
        for (int index = first; index < length; index += record.recordLength())
        {
            record.wrap(changes, index);
            record(record);
        }
        if (group)
        {
            out.command(1).arg(EXEC);
        }
    }

    private void record(final ChangeRecordFlyweight record)
    {
        final byte op = record.op();
        final DirectBuffer buffer = record.buffer();
        if (op != OP_FLUSHALL)
        {
            select(record.db());
        }
        switch (op)
        {
            case OP_SET ->
            {
                if (isCollection(record.type()))
                {
                    keyCommand(DEL, record, 2);
                    collectionStart(record.type(), buffer, record.keyOffset(), record.keyLength());
                    collectionChunk(record.encoding(), buffer, record.valueOffset(), record.valueLength());
                    collectionEnd(record.expireAtMs());
                }
                else
                {
                    string(buffer, record.keyOffset(), record.keyLength(), record.encoding(), buffer,
                        record.valueOffset(), record.valueLength(), record.expireAtMs(), true);
                }
            }
            case OP_DEL -> keyCommand(DEL, record, 2);
            case OP_EXPIREAT -> keyCommand(PEXPIREAT, record, 3).arg(record.expireAtMs());
            case OP_PERSIST -> keyCommand(PERSIST, record, 2);
            case OP_INCRBY -> keyCommand(INCRBY, record, 3).arg(record.argument());
            case OP_APPEND -> keyCommand(APPEND, record, 3).arg(buffer, record.valueOffset(), record.valueLength());
            case OP_SETRANGE -> keyCommand(SETRANGE, record, 4).arg(record.argument())
                .arg(buffer, record.valueOffset(), record.valueLength());
            case OP_RENAME -> keyCommand(RENAME, record, 3).arg(buffer, record.valueOffset(), record.valueLength());
            case OP_COPY ->
            {
                final boolean replace = (record.flags() & FLAG_REPLACE) != 0;
                keyCommand(COPY, record, replace ? 6 : 5).arg(buffer, record.valueOffset(), record.valueLength())
                    .arg(DB).arg(record.targetDb());
                if (replace)
                {
                    out.arg(REPLACE);
                }
            }
            case OP_FLUSHDB -> out.command(1).arg(FLUSHDB);
            case OP_FLUSHALL -> out.command(1).arg(FLUSHALL);
            case OP_SWAPDB -> out.command(3).arg(SWAPDB).arg(record.db()).arg(record.targetDb());
            case OP_COMMAND -> command(record);
            default -> throw new IllegalArgumentException("unknown change record op " + op);
        }
    }

    /**
     * SELECT {@code db} unless it is the database the file's reader is in.
     */
    void select(final int db)
    {
        if (db != selectedDb)
        {
            out.command(2).arg(SELECT).arg(db);
            selectedDb = db;
        }
    }

    /**
     * A string (or a json document, kept as its text: RESP has no json type): {@code SET key value [PXAT ms]}, or
     * for a base file Redis's {@code SET key value} then {@code PEXPIREAT key ms}.
     */
    void string(final DirectBuffer keyBuffer, final int keyOffset, final int keyLength, final byte encoding,
        final DirectBuffer value, final int valueOffset, final int valueLength, final long expireAtMs,
        final boolean pxat)
    {
        final boolean inline = pxat && expireAtMs != 0;
        out.command(inline ? 5 : 3).arg(SET).arg(keyBuffer, keyOffset, keyLength);
        if (encoding == ValueEncoding.STRING_INT && valueLength == Long.BYTES)
        {
            out.arg(value.getLong(valueOffset));
        }
        else
        {
            out.arg(value, valueOffset, valueLength);
        }
        if (inline)
        {
            out.arg(PXAT).arg(expireAtMs);
        }
        else if (expireAtMs != 0)
        {
            out.command(3).arg(PEXPIREAT).arg(keyBuffer, keyOffset, keyLength).arg(expireAtMs);
        }
    }

    /**
     * Start {@code SET key value} of a string whose {@code length} bytes follow in {@link #stringChunk}s (a big
     * string of a snapshot); the key is copied for {@link #stringEnd}.
     */
    void stringStart(final DirectBuffer keyBuffer, final int keyOffset, final int keyLength, final int length)
    {
        out.command(3).arg(SET).arg(keyBuffer, keyOffset, keyLength).argHeader(length);
        key.putBytes(0, keyBuffer, keyOffset, keyLength);
        this.keyLength = keyLength;
    }

    void stringChunk(final DirectBuffer buffer, final int offset, final int length)
    {
        out.bytes(buffer, offset, length);
    }

    /**
     * End the string begun with {@link #stringStart}, then {@code PEXPIREAT key ms} when it has an expiry.
     */
    void stringEnd(final long expireAtMs)
    {
        out.argEnd();
        collectionEnd(expireAtMs);
    }

    /**
     * Start a collection whose elements follow in one or more {@link #collectionChunk}s; the key is copied.
     */
    void collectionStart(final byte type, final DirectBuffer keyBuffer, final int keyOffset, final int keyLength)
    {
        collectionType = type;
        key.putBytes(0, keyBuffer, keyOffset, keyLength);
        this.keyLength = keyLength;
    }

    /**
     * Some of the collection's elements: an intset (a set), or a listpack of elements (a list, a set), of field and
     * value (a hash), or of member and score (a sorted set).
     */
    void collectionChunk(final byte encoding, final DirectBuffer buffer, final int offset, final int length)
    {
        if (collectionType == ValueType.SET && encoding == ValueEncoding.SET_INTSET)
        {
            final int count = Intset.count(buffer, offset);
            for (int i = 0; i < count; i += ITEMS_PER_COMMAND)
            {
                final int n = Math.min(ITEMS_PER_COMMAND, count - i);
                out.command(2 + n).arg(SADD).arg(key, 0, keyLength);
                for (int j = 0; j < n; j++)
                {
                    out.arg(Intset.get(buffer, offset, i + j));
                }
            }
            return;
        }
        final boolean pairs = collectionType == ValueType.HASH || collectionType == ValueType.ZSET;
        final byte[] name = switch (collectionType)
        {
            case ValueType.LIST -> RPUSH;
            case ValueType.SET -> SADD;
            case ValueType.ZSET -> ZADD;
            default -> HMSET;
        };
        final int[] positions = this.positions;
        int p = Listpack.first(buffer, offset);
        while (p != 0)
        {
            int n = 0;
            while (p != 0 && n < positions.length && (pairs || n < ITEMS_PER_COMMAND))
            {
                positions[n++] = p;
                p = Listpack.next(buffer, offset, p);
            }
            out.command(2 + n).arg(name).arg(key, 0, keyLength);
            for (int i = 0; i < n; i++)
            {
                // A sorted set's listpack holds member then score; ZADD wants score then member.
                final int at = collectionType == ValueType.ZSET ? positions[i ^ 1] : positions[i];
                element(buffer, at);
            }
        }
    }

    /**
     * The collection is complete: its expiry, if any.
     */
    void collectionEnd(final long expireAtMs)
    {
        if (expireAtMs != 0)
        {
            out.command(3).arg(PEXPIREAT).arg(key, 0, keyLength).arg(expireAtMs);
        }
    }

    private void element(final DirectBuffer listpack, final int p)
    {
        if (Listpack.isInt(listpack, p))
        {
            out.arg(Listpack.intValue(listpack, p));
        }
        else
        {
            out.arg(listpack, Listpack.stringIndex(listpack, p), Listpack.stringLength(listpack, p));
        }
    }

    private void command(final ChangeRecordFlyweight record)
    {
        final DirectBuffer buffer = record.buffer();
        int p = record.valueOffset();
        final int end = p + record.valueLength();
        out.command((int)record.argument() + 1);
        final int nameLength = buffer.getInt(p);
        p += COMMAND_STRING_LENGTH_LENGTH;
        out.arg(buffer, p, nameLength);
        p += nameLength;
        out.arg(buffer, record.keyOffset(), record.keyLength());
        while (p < end)
        {
            final int length = buffer.getInt(p);
            p += COMMAND_STRING_LENGTH_LENGTH;
            out.arg(buffer, p, length);
            p += length;
        }
    }

    private RespCommandOut keyCommand(final byte[] name, final ChangeRecordFlyweight record, final int argc)
    {
        return out.command(argc).arg(name).arg(record.buffer(), record.keyOffset(), record.keyLength());
    }

    static boolean isCollection(final byte type)
    {
        return type == ValueType.LIST || type == ValueType.SET || type == ValueType.ZSET || type == ValueType.HASH;
    }
}
