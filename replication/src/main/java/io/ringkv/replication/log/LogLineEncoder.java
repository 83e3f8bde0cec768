package io.ringkv.replication.log;

import io.ringkv.core.changelog.ChangeRecordFlyweight;
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
    private static final byte[] REPLACE = ascii(",\"replace\":true");
    private static final byte[] EXPIRED = ascii(",\"expired\":true");
    private static final byte[] OFFSET = ascii(",\"offset\":");
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
            default -> throw new IllegalArgumentException("unknown change record op " + op);
        }
        if (op != OP_FLUSHALL && record.db() != 0)
        {
            out.ascii(DB).number(record.db());
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
        if (type == ValueType.JSON)
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

    private static void value(final JsonTextWriter out, final ChangeRecordFlyweight record)
    {
        value(out, record.type(), record.encoding(), record.buffer(), record.valueOffset(), record.valueLength());
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
