package io.ringkv.replication.log;

import io.ringkv.core.changelog.ChangeRecordFlyweight;
import io.ringkv.core.store.Intset;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

import static io.ringkv.core.changelog.ChangeRecordDescriptor.*;

/**
 * Encodes one change record as the seed-format JSON log line (docs/replication-protocol.md):
 * <pre>
 *   {"cmd":"log","operation":"set","key":"k","value":[1,5,9],"offset":17}
 *   {"cmd":"log","operation":"incr","key":"n","by":5,"db":2,"offset":18}
 *   {"cmd":"log","operation":"hset","key":"h","args":["f","v"],"offset":19}
 * </pre>
 * Not threadsafe; allocates nothing once its writer has grown to the largest line.
 */
public final class LogLineEncoder
{
    private static final byte[] LOG_OPEN = ascii("{\"cmd\":\"log\",\"operation\":\"");
    private static final byte[] KEY = ascii("\",\"key\":");
    private static final byte[] VALUE = ascii(",\"value\":");
    private static final byte[] BY = ascii(",\"by\":");
    private static final byte[] DB = ascii(",\"db\":");
    private static final byte[] PXAT = ascii(",\"pxat\":");
    private static final byte[] INDEX = ascii(",\"index\":");
    private static final byte[] NEWKEY = ascii(",\"newkey\":");
    private static final byte[] TARGETDB = ascii(",\"targetdb\":");
    private static final byte[] ARGS = ascii(",\"args\":[");
    private static final byte[] HASH_OPEN = ascii("{\"$hash\":{");
    private static final byte[] SET_OPEN = ascii("{\"$set\":[");
    private static final byte[] LIST_OPEN = ascii("{\"$list\":[");
    private static final byte[] ZSET_OPEN = ascii("{\"$zset\":{");
    private static final byte[] HASH_MORE = ascii("{\"$hash+\":{");
    private static final byte[] SET_MORE = ascii("{\"$set+\":[");
    private static final byte[] LIST_MORE = ascii("{\"$list+\":[");
    private static final byte[] APPEND_OPEN = ascii("{\"$append\":");
    private static final byte[] ZSET_MORE = ascii("{\"$zset+\":{");
    private static final byte[] REPLACE = ascii(",\"replace\":true");
    private static final byte[] EXPIRED = ascii(",\"expired\":true");
    private static final byte[] OFFSET = ascii(",\"offset\":");
    private static final byte[] MULTI = ascii(",\"multi\":");
    private static final byte[] OFFSET_ONLY = ascii("\",\"offset\":");
    private static final byte[] CLOSE = ascii("}\n");

    private static final byte[] SET = ascii("set");
    private static final byte[] DEL = ascii("del");
    private static final byte[] EXPIRE = ascii("expire");
    private static final byte[] PERSIST = ascii("persist");
    private static final byte[] INCR = ascii("incr");
    private static final byte[] DECR = ascii("decr");
    private static final byte[] APPEND = ascii("append");
    private static final byte[] SETRANGE = ascii("setrange");
    private static final byte[] RENAME = ascii("rename");
    private static final byte[] COPY = ascii("copy");
    private static final byte[] FLUSHDB = ascii("flushdb");
    private static final byte[] SWAPDB = ascii("swapdb");
    private static final byte[] FLUSHALL = ascii("flushall");

    /**
     * Write the line of {@code record} (with its trailing '\n') to {@code out}, after what it holds.
     *
     * @param record a change record.
     * @param out    where the line goes.
     */
    public void encode(final ChangeRecordFlyweight record, final JsonTextWriter out)
    {
        encode(record, out, 1);
    }

    /**
     * Write the line of {@code record}; the first record of a ring slot that logged several (an EXEC, a command
     * with several effects, one TICK's expiries) carries {@code "multi":groupSize}, which makes the slot's lines one
     * group that a replica applies all or nothing (docs/replication-protocol.md).
     *
     * @param record    a change record.
     * @param out       where the line goes.
     * @param groupSize the number of lines of the group this line opens, or 1 (not the first of a group, or alone).
     */
    public void encode(final ChangeRecordFlyweight record, final JsonTextWriter out, final int groupSize)
    {
        final byte op = record.op();
        final DirectBuffer buffer = record.buffer();
        out.ascii(LOG_OPEN);
        switch (op)
        {
            case OP_SET ->
            {
                key(out, SET, record);
                out.ascii(VALUE);
                value(out, record);
                pxat(out, record.expireAtMs());
            }
            case OP_DEL ->
            {
                key(out, DEL, record);
                if ((record.flags() & FLAG_EXPIRED) != 0)
                {
                    out.ascii(EXPIRED);
                }
            }
            case OP_EXPIREAT ->
            {
                key(out, EXPIRE, record);
                out.ascii(PXAT).number(record.expireAtMs());
            }
            case OP_PERSIST -> key(out, PERSIST, record);
            case OP_INCRBY ->
            {
                final long delta = record.argument();
                final boolean decr = delta < 0 && delta != Long.MIN_VALUE;
                key(out, decr ? DECR : INCR, record);
                final long by = decr ? -delta : delta;
                if (by != 1)
                {
                    out.ascii(BY).number(by);
                }
            }
            case OP_APPEND ->
            {
                key(out, APPEND, record);
                out.ascii(VALUE).bytes(buffer, record.valueOffset(), record.valueLength());
            }
            case OP_SETRANGE ->
            {
                key(out, SETRANGE, record);
                out.ascii(INDEX).number(record.argument());
                out.ascii(VALUE).bytes(buffer, record.valueOffset(), record.valueLength());
            }
            case OP_RENAME ->
            {
                key(out, RENAME, record);
                out.ascii(NEWKEY).bytes(buffer, record.valueOffset(), record.valueLength());
            }
            case OP_COPY ->
            {
                key(out, COPY, record);
                out.ascii(NEWKEY).bytes(buffer, record.valueOffset(), record.valueLength());
                out.ascii(TARGETDB).number(record.targetDb());
                if ((record.flags() & FLAG_REPLACE) != 0)
                {
                    out.ascii(REPLACE);
                }
            }
            case OP_FLUSHDB -> out.ascii(FLUSHDB).ascii((byte)'"');
            case OP_FLUSHALL -> out.ascii(FLUSHALL).ascii((byte)'"');
            case OP_SWAPDB -> out.ascii(SWAPDB).ascii((byte)'"').ascii(TARGETDB).number(record.targetDb());
            case OP_COMMAND -> command(out, record);
            default -> throw new IllegalArgumentException("unknown change record op " + op);
        }
        if (op != OP_FLUSHALL && record.db() != 0)
        {
            out.ascii(DB).number(record.db());
        }
        if (groupSize > 1)
        {
            out.ascii(MULTI).number(groupSize);
        }
        out.ascii(OFFSET).number(record.replicationOffset());
        out.ascii(CLOSE);
    }

    /**
     * Write a stored value in the JSON form of the data model: a raw string as a JSON string (or
     * {@code {"$base64":...}}), an integer-encoded string as a JSON integer, a json document as itself.
     */
    public static void value(final JsonTextWriter out, final byte type, final byte encoding,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == ValueType.HASH)
        {
            hash(out, buffer, offset, HASH_OPEN);
        }
        else if (type == ValueType.ZSET)
        {
            hash(out, buffer, offset, ZSET_OPEN);
        }
        else if (type == ValueType.SET)
        {
            set(out, encoding, buffer, offset);
        }
        else if (type == ValueType.LIST)
        {
            list(out, buffer, offset);
        }
        else if (type == ValueType.JSON)
        {
            out.raw(buffer, offset, length);
        }
        else if (encoding == ValueEncoding.STRING_INT)
        {
            out.number(buffer.getLong(offset));
        }
        else
        {
            out.bytes(buffer, offset, length);
        }
    }

    /**
     * A hash, held as a listpack of fields and values: {@code {"$hash":{"field":"value",...}}}; or a sorted set, held
     * as a listpack of members and scores (an integer or Redis's text of the score): {@code {"$zset":{"member":"1.5",
     * ...}}} (docs/replication-protocol.md).
     */
    private static void hash(final JsonTextWriter out, final DirectBuffer listpack, final int offset,
        final byte[] open)
    {
        out.ascii(open);
        elements(out, ValueType.HASH, listpack, offset, true);
        out.ascii((byte)'}').ascii((byte)'}');
    }

    /**
     * A set: {@code {"$set":["member",...]}}, from an intset, or from a listpack of members.
     */
    private static void set(final JsonTextWriter out, final byte encoding, final DirectBuffer buffer,
        final int offset)
    {
        out.ascii(SET_OPEN);
        if (encoding == ValueEncoding.SET_INTSET)
        {
            for (int i = 0, count = Intset.count(buffer, offset); i < count; i++)
            {
                if (i > 0)
                {
                    out.ascii((byte)',');
                }
                out.ascii((byte)'"').number(Intset.get(buffer, offset, i)).ascii((byte)'"');
            }
        }
        else
        {
            elements(out, ValueType.SET, buffer, offset, true);
        }
        out.ascii((byte)']').ascii((byte)'}');
    }

    /**
     * A list, held as a listpack of its elements in order: {@code {"$list":["element",...]}}.
     */
    private static void list(final JsonTextWriter out, final DirectBuffer listpack, final int offset)
    {
        out.ascii(LIST_OPEN);
        elements(out, ValueType.LIST, listpack, offset, true);
        out.ascii((byte)']').ascii((byte)'}');
    }

    /**
     * Open the dump form of a collection of {@code type} that comes in pieces (a snapshot's BEGIN): {@code
     * {"$hash":{}, or, for a continuation in a later dump message, {@code {"$hash+":{} (likewise {@code $set},
     * {@code $zset}, {@code $list}); then {@link #elements}, then {@link #closeCollection}.
     */
    public static void openCollection(final JsonTextWriter out, final byte type, final boolean continuation)
    {
        if (continuation)
        {
            out.ascii(type == ValueType.HASH ? HASH_MORE : type == ValueType.ZSET ? ZSET_MORE :
                type == ValueType.SET ? SET_MORE : LIST_MORE);
        }
        else
        {
            out.ascii(type == ValueType.HASH ? HASH_OPEN : type == ValueType.ZSET ? ZSET_OPEN :
                type == ValueType.SET ? SET_OPEN : LIST_OPEN);
        }
    }

    /**
     * Open the continuation of a big string in a later dump message, {@code {"$append":<string or $base64>}}: the
     * replica APPENDs it to the key an earlier message set. Close it with a '}'.
     */
    public static void openAppend(final JsonTextWriter out)
    {
        out.ascii(APPEND_OPEN);
    }

    /**
     * Close what {@link #openCollection} opened.
     */
    public static void closeCollection(final JsonTextWriter out, final byte type)
    {
        out.ascii(type == ValueType.HASH || type == ValueType.ZSET ? (byte)'}' : (byte)']').ascii((byte)'}');
    }

    /**
     * Write the elements of a listpack inside an open collection: {@code "field":"value"} pairs for a hash or a
     * sorted set, strings for a set or a list, separated by commas.
     *
     * @param first true when nothing was written in the collection yet (no leading comma).
     * @return true when anything was written (the next elements need a comma).
     */
    public static boolean elements(final JsonTextWriter out, final byte type, final DirectBuffer listpack,
        final int offset, final boolean first)
    {
        final boolean pairs = type == ValueType.HASH || type == ValueType.ZSET;
        boolean none = first;
        for (int p = Listpack.first(listpack, offset); p != 0; )
        {
            if (!none)
            {
                out.ascii((byte)',');
            }
            none = false;
            element(out, listpack, p, pairs);
            p = Listpack.next(listpack, offset, p);
            if (pairs)
            {
                out.ascii((byte)':');
                element(out, listpack, p, false);
                p = Listpack.next(listpack, offset, p);
            }
        }
        return !none;
    }

    private static void element(final JsonTextWriter out, final DirectBuffer listpack, final int p,
        final boolean key)
    {
        if (Listpack.isInt(listpack, p))
        {
            out.ascii((byte)'"').number(Listpack.intValue(listpack, p)).ascii((byte)'"');
        }
        else if (key)
        {
            out.key(listpack, Listpack.stringIndex(listpack, p), Listpack.stringLength(listpack, p));
        }
        else
        {
            out.bytes(listpack, Listpack.stringIndex(listpack, p), Listpack.stringLength(listpack, p));
        }
    }

    private static void value(final JsonTextWriter out, final ChangeRecordFlyweight record)
    {
        value(out, record.type(), record.encoding(), record.buffer(), record.valueOffset(), record.valueLength());
    }

    /**
     * A command record: {@code "operation"} is the command's name, {@code "key"} its first argument and
     * {@code "args"} the others, each a JSON string or {@code {"$base64":...}}.
     */
    private static void command(final JsonTextWriter out, final ChangeRecordFlyweight record)
    {
        final DirectBuffer buffer = record.buffer();
        int p = record.valueOffset();
        final int end = p + record.valueLength();
        final int nameLength = buffer.getInt(p);
        p += COMMAND_STRING_LENGTH_LENGTH;
        out.raw(buffer, p, nameLength);
        p += nameLength;
        out.ascii(KEY).bytes(buffer, record.keyOffset(), record.keyLength());
        out.ascii(ARGS);
        for (boolean first = true; p < end; first = false)
        {
            final int length = buffer.getInt(p);
            p += COMMAND_STRING_LENGTH_LENGTH;
            if (!first)
            {
                out.ascii((byte)',');
            }
            out.bytes(buffer, p, length);
            p += length;
        }
        out.ascii((byte)']');
    }

    private static void key(final JsonTextWriter out, final byte[] operation, final ChangeRecordFlyweight record)
    {
        out.ascii(operation).ascii(KEY).bytes(record.buffer(), record.keyOffset(), record.keyLength());
    }

    private static void pxat(final JsonTextWriter out, final long expireAtMs)
    {
        if (expireAtMs != 0)
        {
            out.ascii(PXAT).number(expireAtMs);
        }
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
