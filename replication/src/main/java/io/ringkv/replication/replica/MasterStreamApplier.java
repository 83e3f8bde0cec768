package io.ringkv.replication.replica;

import io.ringkv.core.codec.Base64;
import io.ringkv.core.codec.JsonBytes;
import io.ringkv.core.codec.JsonObjectCursor;
import io.ringkv.core.codec.JsonScanner;
import io.ringkv.core.codec.JsonString;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.replication.log.JsonTextWriter;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Turns the messages a master sends (docs/replication-protocol.md: the answer to {@code sync}, {@code dump},
 * {@code log}, {@code ping}) into commands for the replica's engine and the acknowledgement each one gets. A
 * message is either wholly turned into commands or, when invalid, answered with an error and not applied at all.
 * <p>
 * Only the link thread calls it; the applied position ({@link #replid()}, {@link #offset()}) is published for
 * INFO and ROLE.
 */
public final class MasterStreamApplier
{
    /** The message became commands; its acknowledgement is written after they execute. */
    public static final int APPLIED = 0;
    /** The message was invalid: answered with an error, nothing applied. */
    public static final int REJECTED = 1;
    /** The stream is out of order (an offset gap): answered with an error; the link must resync. */
    public static final int BROKEN = 2;
    /** The master answered our AUTH or sync with an error ({@link #error()}): the link must retry later. */
    public static final int REFUSED = 3;

    private static final byte[] ACK_EMPTY = ascii("{}\n");
    private static final byte[] ACK_OFFSET = ascii("{\"offset\":");
    private static final byte[] ERROR_OPEN = ascii("{\"error\":");

    private static final int F_CMD = 0;
    private static final int F_OPERATION = 1;
    private static final int F_KEY = 2;
    private static final int F_VALUE = 3;
    private static final int F_DATA = 4;
    private static final int F_DB = 5;
    private static final int F_PXAT = 6;
    private static final int F_BY = 7;
    private static final int F_INDEX = 8;
    private static final int F_NEWKEY = 9;
    private static final int F_TARGETDB = 10;
    private static final int F_REPLACE = 11;
    private static final int F_EXPIRED = 12;
    private static final int F_OFFSET = 13;
    private static final int F_MORE = 14;
    private static final int F_ERROR = 15;
    private static final int F_ARGS = 16;
    private static final int F_MULTI = 17;
    private static final int F_FUNCTIONS = 18;
    private static final String[] FIELDS = {
        "cmd", "operation", "key", "value", "data", "db", "pxat", "by", "index", "newkey", "targetdb", "replace",
        "expired", "offset", "more", "error", "args", "multi", "functions"};

    // Values of "cmd" and "operation", compared as bytes: no String per message on the apply path.
    private static final byte[] CMD_LOG = ascii("log");
    private static final byte[] CMD_DUMP = ascii("dump");
    private static final byte[] CMD_PING = ascii("ping");
    private static final byte[] OP_SET = ascii("set");
    private static final byte[] OP_INCR = ascii("incr");
    private static final byte[] OP_DECR = ascii("decr");
    private static final byte[] OP_DEL = ascii("del");
    private static final byte[] OP_PERSIST = ascii("persist");
    private static final byte[] OP_EXPIRE = ascii("expire");
    private static final byte[] OP_APPEND = ascii("append");
    private static final byte[] OP_SETRANGE = ascii("setrange");
    private static final byte[] OP_RENAME = ascii("rename");
    private static final byte[] OP_COPY = ascii("copy");
    private static final byte[] OP_FLUSHDB = ascii("flushdb");
    private static final byte[] OP_FLUSHALL = ascii("flushall");
    private static final byte[] OP_SWAPDB = ascii("swapdb");
    private static final byte[] OP_SELECT = ascii("select");

    private final CommandBatchBuilder commands;
    private final JsonTextWriter acks = new JsonTextWriter(1024);
    /**
     * A dump holds a document one level deeper ({@code data}'s members) than a JSON-lines request holds the value
     * it stores, so the message may nest one level more: every document a client could store can be replicated.
     */
    private final JsonObjectCursor cursor = new JsonObjectCursor(JsonScanner.MAX_DEPTH + 1);
    private final JsonObjectCursor inner = new JsonObjectCursor();
    /** True while the dumped collection being read is a continuation ("$hash+"...): no DEL before it. */
    private boolean appending;
    /** Reads a dumped collection's members ({"$hash":{...}}). */
    private final JsonObjectCursor collection = new JsonObjectCursor();
    private int collectionStart;
    private int collectionEnd;
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
    private final int[] fieldType = new int[FIELDS.length];
    private final int[] fieldStart = new int[FIELDS.length];
    private final int[] fieldEnd = new int[FIELDS.length];
    private DirectBuffer message;
    private int sessionDb;
    private int streamDb;
    private boolean inDump;
    private boolean loading;
    private long applied;
    private long pendingOffset = -1;
    private String pendingReplid;
    private String error;
    /** Log entries still to come in the open group (0: none open); its entries are queued between MULTI and EXEC. */
    private int groupRemaining;
    /** The offset applied before the open group: what this replica holds until the group's EXEC has executed. */
    private long groupBaseOffset = -1;
    /** The open group's acknowledgements, sent once its EXEC is built. */
    private final JsonTextWriter groupAcks = new JsonTextWriter(256);
    private volatile String replid;
    private volatile long offset = -1;

    /**
     * @param commands where the commands go.
     */
    public MasterStreamApplier(final CommandBatchBuilder commands)
    {
        this.commands = commands;
    }

    /**
     * Resume from a known position (a reconnect continues where the last link stopped).
     *
     * @param replid the master's replication id, or null when none is known.
     * @param offset the offset applied, or -1.
     */
    public void position(final String replid, final long offset)
    {
        this.replid = replid;
        this.pendingReplid = replid;
        this.offset = offset;
        this.pendingOffset = offset;
        this.inDump = false;
        this.loading = false;
        this.groupRemaining = 0;
        this.groupAcks.reset();
    }

    /**
     * @return true while a group's entries are being queued (its EXEC not built yet): the link adds nothing of its
     * own to the batch then, since it would be queued inside the group.
     */
    public boolean inGroup()
    {
        return groupRemaining > 0;
    }

    /**
     * @return the master's replication id as applied, or null.
     */
    public String replid()
    {
        return replid;
    }

    /**
     * @return the replication offset applied (the master's record count), or -1 when unknown.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * Link thread: the master offset the commands built so far bring the replica to (while a dump loads: the
     * offset the dump is taken at), -1 before the first sync.
     */
    public long pendingOffset()
    {
        return pendingOffset;
    }

    /**
     * @return true between the first and the last part of a dump.
     */
    public boolean inDump()
    {
        return inDump;
    }

    /**
     * @return the text of the last error.
     */
    public String error()
    {
        return error;
    }

    /**
     * @return acknowledgements to send once the pending commands have executed.
     */
    public JsonTextWriter acks()
    {
        return acks;
    }

    /**
     * The session database is back to 0 (a new link's internal client).
     */
    public void resetSession()
    {
        sessionDb = 0;
        streamDb = 0;
    }

    /**
     * Link thread: the pending commands have executed; what they applied becomes the published position.
     */
    public void committed()
    {
        if (loading)
        {
            // Half a dump is no position to resume from: claim nothing until the last part is applied.
            replid = null;
            offset = -1;
            return;
        }
        replid = pendingReplid;
        offset = committableOffset();
    }

    /**
     * @return the offset this replica has applied once the pending commands execute: an open group's entries are
     * only queued, so they count once its EXEC has executed.
     */
    private long committableOffset()
    {
        return groupRemaining > 0 ? groupBaseOffset : pendingOffset;
    }

    /**
     * @return messages applied since this applier was made.
     */
    public long applied()
    {
        return applied;
    }

    /**
     * @return true from a full sync's answer until its dump's last part.
     */
    public boolean loading()
    {
        return loading || inDump;
    }

    /**
     * Turn one message into commands (added to the builder) and an acknowledgement (added to {@link #acks()}).
     *
     * @return {@link #APPLIED}, {@link #REJECTED}, {@link #BROKEN} or {@link #REFUSED}.
     */
    public int apply(final DirectBuffer buffer, final int start, final int end)
    {
        message = buffer;
        error = null;
        final long mark = commands.mark();
        final int savedDb = sessionDb;
        final int status = applyMessage(buffer, start, end);
        if (status == APPLIED)
        {
            applied++;
        }
        else
        {
            commands.rollback(mark);
            sessionDb = savedDb;
            if (status != REFUSED)
            {
                final byte[] text = error.getBytes(StandardCharsets.UTF_8);
                acks.ascii(ERROR_OPEN).bytes(new org.agrona.concurrent.UnsafeBuffer(text), 0, text.length);
                acks.ascii((byte)'}').ascii((byte)'\n');
            }
        }
        return status;
    }

    private int applyMessage(final DirectBuffer buffer, final int start, final int end)
    {
        java.util.Arrays.fill(fieldType, 0);
        final JsonObjectCursor cursor = this.cursor;
        // Error offsets count from the message's first byte, not from the line break before it.
        if (!cursor.wrap(buffer, JsonScanner.skipWhitespace(buffer, start, end), end))
        {
            return reject("ERR invalid JSON: " + cursor.error());
        }
        while (cursor.next())
        {
            for (int f = 0; f < FIELDS.length; f++)
            {
                if (cursor.nameIs(FIELDS[f]))
                {
                    if (fieldType[f] != 0)
                    {
                        return reject("ERR invalid replication message: duplicate field '" + FIELDS[f] + "'");
                    }
                    fieldType[f] = cursor.valueType();
                    fieldStart[f] = cursor.valueStart();
                    fieldEnd[f] = cursor.valueEnd();
                    break;
                }
            }
        }
        if (cursor.error() != null)
        {
            return reject("ERR invalid JSON: " + cursor.error());
        }
        if (fieldType[F_CMD] == 0)
        {
            return applyReply();
        }
        if (fieldType[F_CMD] != JsonObjectCursor.STRING)
        {
            return reject("ERR invalid replication message: field 'cmd' must be a string");
        }
        final int cmdLength = unescapeText(F_CMD);
        if (scratchIs(cmdLength, CMD_LOG))
        {
            return applyLog();
        }
        if (scratchIs(cmdLength, CMD_DUMP))
        {
            return applyDump();
        }
        if (scratchIs(cmdLength, CMD_PING))
        {
            return ackPosition();
        }
        return reject("ERR invalid replication message: unknown cmd '" + scratchString(cmdLength) + "'");
    }

    private int applyReply()
    {
        if (fieldType[F_ERROR] == JsonObjectCursor.STRING)
        {
            error = text(F_ERROR);
            return REFUSED;
        }
        if (fieldType[F_VALUE] != JsonObjectCursor.OBJECT)
        {
            return APPLIED_NO_ACK; // "OK" to AUTH
        }
        final JsonObjectCursor inner = this.inner;
        inner.wrap(message, fieldStart[F_VALUE], fieldEnd[F_VALUE]);
        String mode = null;
        String masterReplid = null;
        long masterOffset = -1;
        while (inner.next())
        {
            if (inner.nameIs("sync") && inner.valueType() == JsonObjectCursor.STRING)
            {
                mode = string(inner.valueStart() + 1, inner.valueEnd() - 1);
            }
            else if (inner.nameIs("replid") && inner.valueType() == JsonObjectCursor.STRING)
            {
                masterReplid = string(inner.valueStart() + 1, inner.valueEnd() - 1);
            }
            else if (inner.nameIs("offset"))
            {
                masterOffset = inner.valueAsLong();
            }
        }
        if (inner.error() != null || mode == null || masterReplid == null || masterOffset < 0)
        {
            return reject("ERR invalid sync answer");
        }
        if ("continue".equals(mode))
        {
            if (masterOffset != pendingOffset)
            {
                return broken("ERR the master continues from " + masterReplid + " " + masterOffset +
                    " but this replica is at " + pendingReplid + " " + pendingOffset);
            }
            // PSYNC2: a promoted replica continues our history under its own new id; follow it from now on.
            pendingReplid = masterReplid;
            return APPLIED_NO_ACK;
        }
        // A full sync: the dump that follows replaces everything; the log resumes after masterOffset.
        pendingReplid = masterReplid;
        pendingOffset = masterOffset;
        inDump = false;
        loading = true;
        return APPLIED_NO_ACK;
    }

    /** Internal: applied, and the message wants no acknowledgement (answers to our own requests). */
    private static final int APPLIED_NO_ACK = APPLIED;

    private int ackPosition()
    {
        final long position = committableOffset();
        if (position >= 0)
        {
            acks.ascii(ACK_OFFSET).number(position).ascii((byte)'}').ascii((byte)'\n');
        }
        else
        {
            acks.ascii(ACK_EMPTY);
        }
        return APPLIED;
    }

    private int applyDump()
    {
        if (fieldType[F_DATA] != JsonObjectCursor.OBJECT)
        {
            return reject("ERR invalid dump: 'data' must be an object");
        }
        final int db = optionalInt(F_DB, 0);
        if (db < 0)
        {
            return reject("ERR invalid dump: 'db' must be a database index");
        }
        final long dumpOffset = optionalLong(F_OFFSET);
        if (dumpOffset == Long.MIN_VALUE)
        {
            return reject("ERR invalid dump: 'offset' must be a non-negative integer");
        }
        if (fieldType[F_PXAT] != 0 && fieldType[F_PXAT] != JsonObjectCursor.OBJECT)
        {
            return reject("ERR invalid dump: 'pxat' must be an object");
        }
        if (fieldType[F_MORE] != 0 && fieldType[F_MORE] != JsonObjectCursor.TRUE &&
            fieldType[F_MORE] != JsonObjectCursor.FALSE)
        {
            return reject("ERR invalid dump: 'more' must be true or false");
        }
        if (fieldType[F_FUNCTIONS] != 0 && (fieldType[F_FUNCTIONS] != JsonObjectCursor.ARRAY || inDump))
        {
            return reject("ERR invalid dump: 'functions' must be an array of strings, on a dump's first part");
        }
        if (!inDump)
        {
            commands.arg("FLUSHALL").end();
            if (fieldType[F_FUNCTIONS] == JsonObjectCursor.ARRAY && !functionLibraries())
            {
                return reject("ERR invalid dump: 'functions' must be an array of strings, on a dump's first part");
            }
        }
        select(db);
        final JsonObjectCursor inner = this.inner;
        inner.wrap(message, fieldStart[F_DATA], fieldEnd[F_DATA]);
        while (inner.next())
        {
            appending = false;
            if (inner.valueType() == JsonObjectCursor.OBJECT &&
                (isCollection(inner.valueStart(), inner.valueEnd(), "$hash", JsonObjectCursor.OBJECT) ||
                (appending = isCollection(inner.valueStart(), inner.valueEnd(), "$hash+", JsonObjectCursor.OBJECT))))
            {
                if (!pairArgs(inner, "HSET", false))
                {
                    return reject("ERR invalid dump: bad hash");
                }
                continue;
            }
            if (inner.valueType() == JsonObjectCursor.OBJECT &&
                (isCollection(inner.valueStart(), inner.valueEnd(), "$zset", JsonObjectCursor.OBJECT) ||
                (appending = isCollection(inner.valueStart(), inner.valueEnd(), "$zset+", JsonObjectCursor.OBJECT))))
            {
                if (!pairArgs(inner, "ZADD", true))
                {
                    return reject("ERR invalid dump: bad sorted set");
                }
                continue;
            }
            if (inner.valueType() == JsonObjectCursor.OBJECT &&
                (isCollection(inner.valueStart(), inner.valueEnd(), "$set", JsonObjectCursor.ARRAY) ||
                (appending = isCollection(inner.valueStart(), inner.valueEnd(), "$set+", JsonObjectCursor.ARRAY))))
            {
                if (!membersArgs(inner, "SADD"))
                {
                    return reject("ERR invalid dump: bad set");
                }
                continue;
            }
            if (inner.valueType() == JsonObjectCursor.OBJECT &&
                (isCollection(inner.valueStart(), inner.valueEnd(), "$list", JsonObjectCursor.ARRAY) ||
                (appending = isCollection(inner.valueStart(), inner.valueEnd(), "$list+", JsonObjectCursor.ARRAY))))
            {
                if (!membersArgs(inner, "RPUSH"))
                {
                    return reject("ERR invalid dump: bad list");
                }
                continue;
            }
            final int appendType = inner.valueType() == JsonObjectCursor.OBJECT ? appendType(inner) : 0;
            commands.arg(appendType != 0 ? "APPEND" : "SET");
            if (!nameArg(inner))
            {
                return reject("ERR invalid dump: bad key");
            }
            final int kind = appendType != 0 ? valueArg(appendType, collectionStart, collectionEnd) :
                valueArg(inner.valueType(), inner.valueStart(), inner.valueEnd());
            if (kind < 0 || (appendType != 0 && kind != RequestBatch.VALUE_RAW))
            {
                return reject("ERR invalid dump: bad value");
            }
            commands.end((byte)kind);
        }
        if (inner.error() != null)
        {
            return reject("ERR invalid JSON: " + inner.error());
        }
        if (fieldType[F_PXAT] == JsonObjectCursor.OBJECT)
        {
            inner.wrap(message, fieldStart[F_PXAT], fieldEnd[F_PXAT]);
            while (inner.next())
            {
                commands.arg("PEXPIREAT");
                if (!nameArg(inner))
                {
                    return reject("ERR invalid dump: bad key");
                }
                final long atMs = inner.valueAsLong();
                if (atMs <= 0)
                {
                    return reject("ERR invalid dump: 'pxat' values must be positive integers");
                }
                commands.arg(atMs).end();
            }
            if (inner.error() != null)
            {
                return reject("ERR invalid JSON: " + inner.error());
            }
        }
        inDump = fieldType[F_MORE] == JsonObjectCursor.TRUE;
        loading = inDump;
        if (dumpOffset >= 0)
        {
            pendingOffset = dumpOffset;
        }
        return ack(dumpOffset);
    }

    private int applyLog()
    {
        if (fieldType[F_OPERATION] != JsonObjectCursor.STRING)
        {
            return reject("ERR invalid log: 'operation' must be a string");
        }
        final long logOffset = optionalLong(F_OFFSET);
        if (logOffset == Long.MIN_VALUE)
        {
            return reject("ERR invalid log: 'offset' must be a non-negative integer");
        }
        if (inDump)
        {
            return broken("ERR log entry inside a dump");
        }
        if (logOffset >= 0 && pendingOffset >= 0 && logOffset != pendingOffset + 1)
        {
            return broken("ERR replication offset gap: expected " + (pendingOffset + 1) + ", got " + logOffset);
        }
        final int db = optionalInt(F_DB, streamDb);
        if (db < 0)
        {
            return reject("ERR invalid log: 'db' must be a database index");
        }
        final long groupSize = optionalLong(F_MULTI);
        if (groupSize == Long.MIN_VALUE || groupSize == 0)
        {
            return reject("ERR invalid log: 'multi' must be a positive integer");
        }
        final boolean opensGroup = groupSize > 1;
        if (opensGroup && groupRemaining > 0)
        {
            return broken("ERR invalid log: a group opened inside a group");
        }
        if (opensGroup)
        {
            // The group's entries are queued in the link's own transaction and run by one EXEC: the replica's
            // clients never see half of it, and a link cut before its EXEC applies none of it.
            commands.arg("MULTI").end();
        }
        final int status = applyOperation(db, unescapeText(F_OPERATION));
        if (status != APPLIED)
        {
            // A group that cannot be applied whole is not applied at all: resync from before it.
            return opensGroup || groupRemaining > 0 ? BROKEN : status;
        }
        if (opensGroup)
        {
            groupBaseOffset = pendingOffset;
            groupRemaining = (int)Math.min(groupSize, Integer.MAX_VALUE);
        }
        if (logOffset >= 0)
        {
            pendingOffset = logOffset;
        }
        if (groupRemaining == 0)
        {
            return ack(acks, logOffset);
        }
        ack(groupAcks, logOffset);
        if (--groupRemaining == 0)
        {
            commands.arg("EXEC").end();
            acks.raw(groupAcks.buffer(), 0, groupAcks.length());
            groupAcks.reset();
        }
        return APPLIED;
    }

    /**
     * @param opLength length of the operation's name, unescaped into {@link #scratch}.
     */
    private int applyOperation(final int db, final int opLength)
    {
        if (fieldType[F_ARGS] != 0)
        {
            return logCommand(db, opLength);
        }
        if (scratchIs(opLength, OP_SET))
        {
            return logSet(db);
        }
        if (scratchIs(opLength, OP_INCR) || scratchIs(opLength, OP_DECR))
        {
            return logCounter(db, scratchIs(opLength, OP_INCR));
        }
        if (scratchIs(opLength, OP_DEL))
        {
            return keyCommand(db, "DEL");
        }
        if (scratchIs(opLength, OP_PERSIST))
        {
            return keyCommand(db, "PERSIST");
        }
        if (scratchIs(opLength, OP_EXPIRE))
        {
            return logExpire(db);
        }
        if (scratchIs(opLength, OP_APPEND))
        {
            return logAppend(db);
        }
        if (scratchIs(opLength, OP_SETRANGE))
        {
            return logSetRange(db);
        }
        if (scratchIs(opLength, OP_RENAME))
        {
            return logRename(db);
        }
        if (scratchIs(opLength, OP_COPY))
        {
            return logCopy(db);
        }
        if (scratchIs(opLength, OP_FLUSHDB))
        {
            select(db);
            commands.arg("FLUSHDB").end();
            return APPLIED;
        }
        if (scratchIs(opLength, OP_SWAPDB))
        {
            final int targetDb = optionalInt(F_TARGETDB, -1);
            if (targetDb < 0)
            {
                return reject("ERR invalid log: 'swapdb' needs 'targetdb'");
            }
            commands.arg("SWAPDB").arg(db).arg(targetDb).end();
            return APPLIED;
        }
        if (scratchIs(opLength, OP_FLUSHALL))
        {
            commands.arg("FLUSHALL").end();
            return APPLIED;
        }
        if (scratchIs(opLength, OP_SELECT))
        {
            // Entries without a "db" apply to the database last selected in the stream.
            streamDb = db;
            return APPLIED;
        }
        return reject("ERR invalid log: unknown operation '" + scratchString(opLength) + "'");
    }

    /**
     * The generic form: run the command named by "operation" with "key" and the strings of "args" as its
     * arguments, as a Redis replica runs the commands its master propagates.
     */
    private int logCommand(final int db, final int opLength)
    {
        if (fieldType[F_ARGS] != JsonObjectCursor.ARRAY)
        {
            return reject("ERR invalid log: 'args' must be an array");
        }
        select(db);
        commands.arg(scratch, 0, opLength);
        if (!keyArg())
        {
            return reject("ERR invalid log: bad 'key'");
        }
        final int end = fieldEnd[F_ARGS] - 1;
        int p = JsonScanner.skipWhitespace(message, fieldStart[F_ARGS] + 1, end);
        while (p < end)
        {
            p = elementArg(p, end);
            if (p < 0)
            {
                return reject("ERR invalid log: 'args' must hold strings");
            }
        }
        commands.end();
        return APPLIED;
    }

    /**
     * Append one element of a JSON array of byte strings (a string or {"$base64":...}) as an argument.
     *
     * @param p   index of the element.
     * @param end index of the array's closing bracket.
     * @return index of the next element (or {@code end}), or -1 when the element is not a byte string.
     */
    private int elementArg(final int p, final int end)
    {
        final DirectBuffer message = this.message;
        final byte c = message.getByte(p);
        final int valueEnd = c == '"' || c == '{' ? cursor.scanner().skipValue(p, end, 1) : JsonScanner.FAILED;
        if (valueEnd < 0 || !(c == '"' ? stringArg(p, valueEnd) : base64Arg(p, valueEnd)))
        {
            return -1;
        }
        final int next = JsonScanner.skipWhitespace(message, valueEnd, end);
        if (next < end)
        {
            return message.getByte(next) != ',' ? -1 : JsonScanner.skipWhitespace(message, next + 1, end);
        }
        return next;
    }

    /**
     * A dump's function libraries: FUNCTION FLUSH, then FUNCTION LOAD of each code, so the replica holds exactly the
     * master's libraries (none for an empty array).
     */
    private boolean functionLibraries()
    {
        commands.arg("FUNCTION").arg("FLUSH").end();
        final int end = fieldEnd[F_FUNCTIONS] - 1;
        int p = JsonScanner.skipWhitespace(message, fieldStart[F_FUNCTIONS] + 1, end);
        while (p < end)
        {
            commands.arg("FUNCTION").arg("LOAD");
            p = elementArg(p, end);
            if (p < 0)
            {
                return false;
            }
            commands.end();
        }
        return true;
    }

    /**
     * @return true when the object value is exactly {@code {"<name>":<inner>}}, the dump form of a list
     * ({@code $list}, an array), a hash ({@code $hash}, an object), a set ({@code $set}, an array) or a sorted set
     * ({@code $zset}, an object); its inner value is then in {@link #collectionStart}, {@link #collectionEnd}.
     */
    private boolean isCollection(final int valueStart, final int valueEnd, final String name, final int innerType)
    {
        final JsonObjectCursor collection = this.collection;
        if (!collection.wrap(message, valueStart, valueEnd) || !collection.next() || !collection.nameIs(name) ||
            collection.valueType() != innerType)
        {
            return false;
        }
        collectionStart = collection.valueStart();
        collectionEnd = collection.valueEnd();
        return !collection.next() && collection.error() == null;
    }

    /**
     * @return the type of the inner value (STRING, or OBJECT for $base64) when the value is {@code {"$append":...}},
     * a later part of a big string (its inner value is then in {@link #collectionStart}, {@link #collectionEnd}),
     * else 0.
     */
    private int appendType(final JsonObjectCursor inner)
    {
        return isCollection(inner.valueStart(), inner.valueEnd(), "$append", JsonObjectCursor.STRING) ?
            JsonObjectCursor.STRING :
            isCollection(inner.valueStart(), inner.valueEnd(), "$append", JsonObjectCursor.OBJECT) ?
            JsonObjectCursor.OBJECT : 0;
    }

    /**
     * DEL of the dumped key, before the command that makes its collection (not for a continuation, "$hash+" and the
     * like, which adds to the part of a big collection an earlier dump message made).
     */
    private boolean deleteKey(final JsonObjectCursor inner)
    {
        commands.arg("DEL");
        if (!nameArg(inner))
        {
            return false;
        }
        commands.end();
        return true;
    }

    /**
     * A dumped set or list: DEL of the key, then {@code command} (SADD, RPUSH) of its members in order (none for an
     * empty array).
     */
    private boolean membersArgs(final JsonObjectCursor inner, final String command)
    {
        if (!appending && !deleteKey(inner))
        {
            return false;
        }
        final long mark = commands.mark();
        commands.arg(command);
        if (!nameArg(inner))
        {
            return false;
        }
        final DirectBuffer message = this.message;
        final JsonScanner scanner = cursor.scanner();
        final int end = collectionEnd - 1;
        int members = 0;
        int p = JsonScanner.skipWhitespace(message, collectionStart + 1, end);
        while (p < end)
        {
            final byte c = message.getByte(p);
            final int valueEnd = c == '"' || c == '{' ? scanner.skipValue(p, end, 1) : JsonScanner.FAILED;
            if (valueEnd < 0 || !(c == '"' ? stringArg(p, valueEnd) : base64Arg(p, valueEnd)))
            {
                return false;
            }
            members++;
            p = JsonScanner.skipWhitespace(message, valueEnd, end);
            if (p < end)
            {
                if (message.getByte(p) != ',')
                {
                    return false;
                }
                p = JsonScanner.skipWhitespace(message, p + 1, end);
            }
        }
        if (members == 0)
        {
            commands.rollback(mark);
        }
        else
        {
            commands.end();
        }
        return true;
    }

    private int logSet(final int db)
    {
        if (fieldType[F_VALUE] == 0)
        {
            return reject("ERR invalid log: 'set' needs 'value'");
        }
        select(db);
        commands.arg("SET");
        if (!keyArg())
        {
            return reject("ERR invalid log: bad 'key'");
        }
        final int kind = valueArg(fieldType[F_VALUE], fieldStart[F_VALUE], fieldEnd[F_VALUE]);
        if (kind < 0)
        {
            return reject("ERR invalid log: bad 'value'");
        }
        if (fieldType[F_PXAT] != 0)
        {
            final long atMs = optionalLong(F_PXAT);
            if (atMs <= 0)
            {
                return reject("ERR invalid log: 'pxat' must be a positive integer");
            }
            commands.arg("PXAT").arg(atMs);
        }
        commands.end((byte)kind);
        return APPLIED;
    }

    private int logCounter(final int db, final boolean incr)
    {
        long by = 1;
        if (fieldType[F_BY] != 0)
        {
            if (fieldType[F_BY] != JsonObjectCursor.NUMBER || !isLong(F_BY))
            {
                return reject("ERR invalid log: 'by' must be an integer");
            }
            by = parseLong(F_BY);
        }
        select(db);
        commands.arg(incr ? "INCRBY" : "DECRBY");
        if (!keyArg())
        {
            return reject("ERR invalid log: bad 'key'");
        }
        commands.arg(by).end();
        return APPLIED;
    }

    private int keyCommand(final int db, final String name)
    {
        select(db);
        commands.arg(name);
        if (!keyArg())
        {
            return reject("ERR invalid log: bad 'key'");
        }
        commands.end();
        return APPLIED;
    }

    private int logExpire(final int db)
    {
        final long atMs = optionalLong(F_PXAT);
        if (atMs <= 0)
        {
            return reject("ERR invalid log: 'expire' needs a positive integer 'pxat'");
        }
        select(db);
        commands.arg("PEXPIREAT");
        if (!keyArg())
        {
            return reject("ERR invalid log: bad 'key'");
        }
        commands.arg(atMs).end();
        return APPLIED;
    }

    private int logAppend(final int db)
    {
        select(db);
        commands.arg("APPEND");
        if (!keyArg() || !bytesArg(F_VALUE))
        {
            return reject("ERR invalid log: 'append' needs 'key' and a string 'value'");
        }
        commands.end();
        return APPLIED;
    }

    private int logSetRange(final int db)
    {
        final long index = optionalLong(F_INDEX);
        if (index < 0)
        {
            return reject("ERR invalid log: 'setrange' needs a non-negative integer 'index'");
        }
        select(db);
        commands.arg("SETRANGE");
        if (!keyArg())
        {
            return reject("ERR invalid log: bad 'key'");
        }
        commands.arg(index);
        if (!bytesArg(F_VALUE))
        {
            return reject("ERR invalid log: 'setrange' needs a string 'value'");
        }
        commands.end();
        return APPLIED;
    }

    private int logRename(final int db)
    {
        select(db);
        commands.arg("RENAME");
        if (!keyArg() || !bytesArg(F_NEWKEY))
        {
            return reject("ERR invalid log: 'rename' needs 'key' and 'newkey'");
        }
        commands.end();
        return APPLIED;
    }

    private int logCopy(final int db)
    {
        final int targetDb = optionalInt(F_TARGETDB, db);
        if (targetDb < 0)
        {
            return reject("ERR invalid log: 'targetdb' must be a database index");
        }
        select(db);
        commands.arg("COPY");
        if (!keyArg() || !bytesArg(F_NEWKEY))
        {
            return reject("ERR invalid log: 'copy' needs 'key' and 'newkey'");
        }
        commands.arg("DB").arg(targetDb);
        if (fieldType[F_REPLACE] == JsonObjectCursor.TRUE)
        {
            commands.arg("REPLACE");
        }
        commands.end();
        return APPLIED;
    }

    private int ack(final long messageOffset)
    {
        return ack(acks, messageOffset);
    }

    private static int ack(final JsonTextWriter acks, final long messageOffset)
    {
        if (messageOffset >= 0)
        {
            acks.ascii(ACK_OFFSET).number(messageOffset).ascii((byte)'}').ascii((byte)'\n');
        }
        else
        {
            acks.ascii(ACK_EMPTY);
        }
        return APPLIED;
    }

    /**
     * A dumped hash or sorted set: DEL of the key, then HSET of its fields and values ({@code valueFirst} false) or
     * ZADD of its scores and members ({@code valueFirst} true: the object's values are the scores); nothing more for
     * an empty object.
     */
    private boolean pairArgs(final JsonObjectCursor inner, final String verb, final boolean valueFirst)
    {
        if (!appending && !deleteKey(inner))
        {
            return false;
        }
        final long mark = commands.mark();
        commands.arg(verb);
        if (!nameArg(inner))
        {
            return false;
        }
        final JsonObjectCursor collection = this.collection;
        collection.wrap(message, collectionStart, collectionEnd);
        int pairs = 0;
        while (collection.next())
        {
            final int type = collection.valueType();
            final boolean ok = valueFirst ?
                type == JsonObjectCursor.STRING && stringArg(collection.valueStart(), collection.valueEnd()) &&
                    nameArg(collection) :
                nameArg(collection) && (type == JsonObjectCursor.STRING ?
                    stringArg(collection.valueStart(), collection.valueEnd()) :
                    type == JsonObjectCursor.OBJECT && base64Arg(collection.valueStart(), collection.valueEnd()));
            if (!ok)
            {
                return false;
            }
            pairs++;
        }
        if (collection.error() != null)
        {
            return false;
        }
        if (pairs == 0)
        {
            commands.rollback(mark);
        }
        else
        {
            commands.end();
        }
        return true;
    }

    private void select(final int db)
    {
        if (db != sessionDb)
        {
            commands.arg("SELECT").arg(db).end();
            sessionDb = db;
        }
    }

    private boolean keyArg()
    {
        return bytesArg(F_KEY);
    }

    /**
     * A byte-string argument: a JSON string or {"$base64":...}.
     */
    private boolean bytesArg(final int field)
    {
        final int type = fieldType[field];
        if (type == JsonObjectCursor.STRING)
        {
            return stringArg(fieldStart[field], fieldEnd[field]);
        }
        return type == JsonObjectCursor.OBJECT && base64Arg(fieldStart[field], fieldEnd[field]);
    }

    /**
     * A dump's member name as a key: the string, or the bytes after "$base64:".
     */
    private boolean nameArg(final JsonObjectCursor inner)
    {
        final int start = inner.nameStart();
        final int at = commands.argStart();
        final MutableDirectBuffer out = commands.buffer();
        final int length = JsonString.unescape(message, start, inner.nameEnd(), out, at);
        if (JsonBytes.startsWithBase64Prefix(out, at, length))
        {
            final int prefix = JsonBytes.BASE64_KEY_PREFIX.length;
            scratch.putBytes(0, out, at + prefix, length - prefix);
            final int decoded = Base64.decode(scratch, 0, length - prefix, out, at);
            if (decoded < 0)
            {
                return false;
            }
            commands.argWritten(decoded);
            return true;
        }
        commands.argWritten(length);
        return true;
    }

    private boolean stringArg(final int valueStart, final int valueEnd)
    {
        final int length = JsonString.unescape(message, valueStart + 1, valueEnd - 1, commands.buffer(),
            commands.argStart());
        commands.argWritten(length);
        return true;
    }

    private boolean base64Arg(final int valueStart, final int valueEnd)
    {
        final int quote = cursor.scanner().base64Content(valueStart, valueEnd);
        if (quote < 0)
        {
            return false;
        }
        final int textStart = quote + 1;
        final int textEnd = cursor.scanner().scanString(quote, valueEnd) - 1;
        final int length = Base64.decode(message, textStart, textEnd - textStart, commands.buffer(),
            commands.argStart());
        if (length < 0)
        {
            return false;
        }
        commands.argWritten(length);
        return true;
    }

    /**
     * A stored value in the JSON form of the data model.
     *
     * @return the request's value kind, or -1.
     */
    private int valueArg(final int type, final int valueStart, final int valueEnd)
    {
        switch (type)
        {
            case JsonObjectCursor.STRING:
                return stringArg(valueStart, valueEnd) ? RequestBatch.VALUE_RAW : -1;
            case JsonObjectCursor.OBJECT:
                if (cursor.scanner().base64Content(valueStart, valueEnd) >= 0)
                {
                    return base64Arg(valueStart, valueEnd) ? RequestBatch.VALUE_RAW : -1;
                }
                commands.arg(message, valueStart, valueEnd - valueStart);
                return RequestBatch.VALUE_JSON;
            case JsonObjectCursor.NUMBER:
                commands.arg(message, valueStart, valueEnd - valueStart);
                return isInteger(valueStart, valueEnd) ? RequestBatch.VALUE_INTEGER : RequestBatch.VALUE_JSON;
            case JsonObjectCursor.ARRAY, JsonObjectCursor.TRUE, JsonObjectCursor.FALSE, JsonObjectCursor.NULL:
                commands.arg(message, valueStart, valueEnd - valueStart);
                return RequestBatch.VALUE_JSON;
            default:
                return -1;
        }
    }

    private boolean isInteger(final int start, final int end)
    {
        final JsonScanner scanner = cursor.scanner();
        return scanner.scanNumber(start, end) == end && scanner.numberIsInteger();
    }

    private boolean isLong(final int field)
    {
        return cursor.scanner().parseLong(fieldStart[field], fieldEnd[field]);
    }

    private long parseLong(final int field)
    {
        final JsonScanner scanner = cursor.scanner();
        scanner.parseLong(fieldStart[field], fieldEnd[field]);
        return scanner.longValue();
    }

    /**
     * @return the field as a non-negative long, -1 when absent, {@link Long#MIN_VALUE} when invalid.
     */
    private long optionalLong(final int field)
    {
        if (fieldType[field] == 0)
        {
            return -1;
        }
        if (fieldType[field] != JsonObjectCursor.NUMBER || !isLong(field))
        {
            return Long.MIN_VALUE;
        }
        final long value = parseLong(field);
        return value < 0 ? Long.MIN_VALUE : value;
    }

    private int optionalInt(final int field, final int absent)
    {
        if (fieldType[field] == 0)
        {
            return absent;
        }
        final long value = optionalLong(field);
        return value < 0 || value > Short.MAX_VALUE ? -1 : (int)value;
    }

    private String text(final int field)
    {
        return string(fieldStart[field] + 1, fieldEnd[field] - 1);
    }

    /**
     * Unescape a string field's content into {@link #scratch}.
     *
     * @return its length in bytes.
     */
    private int unescapeText(final int field)
    {
        return JsonString.unescape(message, fieldStart[field] + 1, fieldEnd[field] - 1, scratch, 0);
    }

    private boolean scratchIs(final int length, final byte[] word)
    {
        if (length != word.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (scratch.getByte(i) != word[i])
            {
                return false;
            }
        }
        return true;
    }

    private String scratchString(final int length)
    {
        return scratch.getStringWithoutLengthUtf8(0, length);
    }

    private String string(final int contentStart, final int contentEnd)
    {
        final int length = JsonString.unescape(message, contentStart, contentEnd, scratch, 0);
        return scratch.getStringWithoutLengthUtf8(0, length);
    }

    private int reject(final String reason)
    {
        error = reason;
        return REJECTED;
    }

    private int broken(final String reason)
    {
        error = reason;
        return BROKEN;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
