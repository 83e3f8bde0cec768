package io.ringkv.core.command;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.Arrays;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.FAST;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * List commands with Redis 7.0's semantics, replies and error texts: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE
 * LINDEX LSET LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP. The value is a listpack or a chain of listpack nodes
 * ({@link ListValues}); an empty list never exists (the pop of the last element deletes the key, with Redis's "del"
 * event). Each write is logged as a command with the same effect (LMPOP as LPOP/RPOP of the key it popped), which
 * replicas run, and notified with Redis's event names (t_list.c).
 * <p>
 * The blocking commands are built on three primitives that do a whole effect (change, log, events) on any
 * database: {@link #length}, {@link #pop} and {@link #move}; their signatures are stable.
 * <p>
 * One instance per command table; only the engine thread calls it. Allocates nothing per request once its scratch
 * arrays have grown.
 */
public final class ListCommands
{
    /** {@link #length} of a key holding another type. */
    public static final long WRONG_TYPE = CommandContext.WRONG_TYPE;

    private static final String INDEX_OUT_OF_RANGE = "ERR index out of range";
    private static final String MUST_BE_POSITIVE = "ERR value is out of range, must be positive";
    private static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from " +
        "the second ... or use negative to start from the end of the list";
    private static final String COUNT_NEGATIVE = "ERR COUNT can't be negative";
    private static final String MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
    private static final String NUMKEYS = "ERR numkeys should be greater than 0";
    private static final String COUNT_POSITIVE = "ERR count should be greater than 0";

    private static final byte[] LPUSH = {'l', 'p', 'u', 's', 'h'};
    private static final byte[] RPUSH = {'r', 'p', 'u', 's', 'h'};
    private static final byte[] LPOP = {'l', 'p', 'o', 'p'};
    private static final byte[] RPOP = {'r', 'p', 'o', 'p'};
    private static final byte[] LSET = {'l', 's', 'e', 't'};
    private static final byte[] LINSERT = {'l', 'i', 'n', 's', 'e', 'r', 't'};
    private static final byte[] LREM = {'l', 'r', 'e', 'm'};
    private static final byte[] LTRIM = {'l', 't', 'r', 'i', 'm'};
    private static final byte[] LMOVE = {'l', 'm', 'o', 'v', 'e'};
    private static final byte[] LEFT = {'L', 'E', 'F', 'T'};
    private static final byte[] RIGHT = {'R', 'I', 'G', 'H', 'T'};
    private static final byte[] BEFORE = {'B', 'E', 'F', 'O', 'R', 'E'};
    private static final byte[] AFTER = {'A', 'F', 'T', 'E', 'R'};
    private static final byte[] RANK = {'R', 'A', 'N', 'K'};
    private static final byte[] COUNT = {'C', 'O', 'U', 'N', 'T'};
    private static final byte[] MAXLEN = {'M', 'A', 'X', 'L', 'E', 'N'};

    private final ListValues values = new ListValues();
    private final AsciiNumbers numbers = new AsciiNumbers();
    private final ExpandableArrayBuffer element = new ExpandableArrayBuffer(64);
    private long[] indexes = new long[16];
    private long rangeStart;
    private long rangeEnd;

    /**
     * @param table to register the list commands in.
     * @return the instance whose primitives the blocking commands call.
     */
    public static ListCommands register(final CommandTable table)
    {
        final ListCommands lists = new ListCommands();
        table.register("lpush", -3, WRITE | DENY_OOM | FAST, (c, a, r) -> lists.push(c, a, r, true, false));
        table.register("rpush", -3, WRITE | DENY_OOM | FAST, (c, a, r) -> lists.push(c, a, r, false, false));
        table.register("lpushx", -3, WRITE | DENY_OOM | FAST, (c, a, r) -> lists.push(c, a, r, true, true));
        table.register("rpushx", -3, WRITE | DENY_OOM | FAST, (c, a, r) -> lists.push(c, a, r, false, true));
        table.register("lpop", -2, WRITE | FAST, (c, a, r) -> lists.popCommand(c, a, r, true));
        table.register("rpop", -2, WRITE | FAST, (c, a, r) -> lists.popCommand(c, a, r, false));
        table.register("llen", 2, READONLY | FAST, lists::llen);
        table.register("lrange", 4, READONLY, lists::lrange);
        table.register("lindex", 3, READONLY, lists::lindex);
        table.register("lset", 4, WRITE | DENY_OOM, lists::lset);
        table.register("linsert", 5, WRITE | DENY_OOM, lists::linsert);
        table.register("lrem", 4, WRITE, lists::lrem);
        table.register("ltrim", 4, WRITE, lists::ltrim);
        table.register("lpos", -3, READONLY, lists::lpos);
        table.register("lmove", 5, WRITE | DENY_OOM, lists::lmove);
        table.register("rpoplpush", 3, WRITE | DENY_OOM, lists::rpoplpush);
        table.register("lmpop", -4, WRITE, lists::lmpop);
        return lists;
    }

    // ---- primitives for the blocking commands

    /**
     * @return elements of the list at the key in database {@code db}, 0 when missing, or {@link #WRONG_TYPE} when
     * the key holds another type (nothing replied).
     */
    public long length(final CommandContext context, final int db, final DirectBuffer key, final int keyOffset,
        final int keyLength)
    {
        final long address = context.keyspace().find(db, key, keyOffset, keyLength, context.nowMs());
        if (address == Keyspace.NOT_FOUND)
        {
            return 0;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        if (entry.type() != ValueType.LIST)
        {
            return WRONG_TYPE;
        }
        return values.bind(context.keyspace(), db, address, entry).length();
    }

    /**
     * Pop up to {@code count} elements from the head ({@code left}) or tail of the list at the key in database
     * {@code db}, replying each as a bulk string (the caller writes any array header first: {@link #length} tells
     * how many there will be), logging LPOP/RPOP of the key with the count popped, notifying "lpop"/"rpop" and
     * "del" when the list is emptied (the key is then deleted).
     *
     * @return elements popped: 0 when the key is missing or holds another type (nothing replied, nothing changed).
     */
    public long pop(final CommandContext context, final int db, final DirectBuffer key, final int keyOffset,
        final int keyLength, final boolean left, final long count, final Reply reply)
    {
        final long length = length(context, db, key, keyOffset, keyLength);
        if (length <= 0 || count <= 0)
        {
            return 0;
        }
        final Keyspace keyspace = context.keyspace();
        final long n = Math.min(count, length);
        final ListValues values = this.values;
        if (left)
        {
            values.seek(0);
            for (long i = 0; i < n; i++)
            {
                values.replyCurrent(reply);
                values.advance();
            }
        }
        else
        {
            values.seek(length - 1);
            for (long i = 0; i < n; i++)
            {
                values.replyCurrent(reply);
                values.retreat();
            }
        }
        // Deleting never needs memory in a chain node it empties; an in-entry shrink that is refused for memory
        // leaves the elements in place, which only a budget below the current use can cause: then delete the key.
        final long deleted = values.deleteRange(left ? 0 : length - n, n);
        final ChangeLog changeLog = context.changeLog();
        changeLog.beginCommand(db, left ? LPOP : RPOP, key, keyOffset, keyLength);
        changeLog.commandArg(n);
        changeLog.endCommand();
        final KeyspaceEvents events = context.keyspaceEvents();
        events.notify(KeyspaceEvents.LIST, left ? "lpop" : "rpop", db, key, keyOffset, keyLength);
        if (deleted == Keyspace.OUT_OF_MEMORY || values.length() == 0)
        {
            keyspace.delete(db, values.address);
            if (deleted == Keyspace.OUT_OF_MEMORY && n < length)
            {
                changeLog.delete(db, key, keyOffset, keyLength, false);
            }
            events.notify(KeyspaceEvents.GENERIC, "del", db, key, keyOffset, keyLength);
        }
        return n;
    }

    /**
     * LMOVE's effect: pop one element from one end of the source list and push it onto one end of the destination
     * (created when missing; the same key rotates), replying the element as a bulk string; logged as LMOVE,
     * notified as Redis does ("lpop"/"rpop" on the source, "lpush"/"rpush" on the destination, "del" when the
     * source is emptied).
     *
     * @return 1 when an element moved; 0 when the source is missing (nothing replied); {@link #WRONG_TYPE} when the
     * source or destination holds another type (WRONGTYPE replied); {@link Keyspace#OUT_OF_MEMORY} (OOM replied,
     * nothing changed).
     */
    public long move(final CommandContext context, final int db, final DirectBuffer source, final int sourceOffset,
        final int sourceLength, final DirectBuffer destination, final int destinationOffset,
        final int destinationLength, final boolean fromLeft, final boolean toLeft, final Reply reply)
    {
        final long sourceElements = length(context, db, source, sourceOffset, sourceLength);
        if (sourceElements == WRONG_TYPE)
        {
            reply.error(ErrorMessages.WRONG_TYPE);
            return WRONG_TYPE;
        }
        if (sourceElements == 0)
        {
            return 0;
        }
        if (length(context, db, destination, destinationOffset, destinationLength) == WRONG_TYPE)
        {
            reply.error(ErrorMessages.WRONG_TYPE);
            return WRONG_TYPE;
        }
        length(context, db, source, sourceOffset, sourceLength);
        final ListValues values = this.values;
        values.seek(fromLeft ? 0 : sourceElements - 1);
        values.copyCurrent();
        final int length = values.copiedLength;
        element.putBytes(0, values.copied, 0, length);
        final boolean sameKey = KeyspaceCommands.sameBytes(source, sourceOffset, sourceLength, destination, destinationOffset,
            destinationLength);
        if (sameKey && sourceElements == 1)
        {
            reply.bulk(element, 0, length);  // rotating a one-element list changes nothing
            logMove(context, db, source, sourceOffset, sourceLength, destination, destinationOffset,
                destinationLength, fromLeft, toLeft);
            notifyMove(context, db, source, sourceOffset, sourceLength, destination, destinationOffset,
                destinationLength, fromLeft, toLeft);
            return 1;
        }
        long address = values.deleteAtCursor(1);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            reply.error(ErrorMessages.OOM);
            return Keyspace.OUT_OF_MEMORY;
        }
        final boolean emptied = values.length() == 0;
        if (emptied)
        {
            context.keyspace().delete(db, address);
        }
        address = findOrCreate(context, db, destination, destinationOffset, destinationLength);
        if (address != Keyspace.OUT_OF_MEMORY)
        {
            values.bind(context.keyspace(), db, address, context.entry()).element(element, 0, length);
            address = values.push(toLeft) == Keyspace.OUT_OF_MEMORY ? Keyspace.OUT_OF_MEMORY : values.address;
        }
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            // Put the element back where it was: the same size fits the block it came from.
            final long destinationAddress = context.keyspace().find(db, destination, destinationOffset,
                destinationLength, context.nowMs());
            if (destinationAddress != Keyspace.NOT_FOUND)
            {
                dropIfEmpty(context, db, destinationAddress);
            }
            restore(context, db, source, sourceOffset, sourceLength, fromLeft, length);
            reply.error(ErrorMessages.OOM);
            return Keyspace.OUT_OF_MEMORY;
        }
        reply.bulk(element, 0, length);
        logMove(context, db, source, sourceOffset, sourceLength, destination, destinationOffset, destinationLength,
            fromLeft, toLeft);
        notifyMove(context, db, source, sourceOffset, sourceLength, destination, destinationOffset,
            destinationLength, fromLeft, toLeft);
        if (emptied)
        {
            context.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", db, source, sourceOffset, sourceLength);
        }
        return 1;
    }

    private void restore(final CommandContext context, final int db, final DirectBuffer key, final int keyOffset,
        final int keyLength, final boolean left, final int length)
    {
        final long address = findOrCreate(context, db, key, keyOffset, keyLength);
        if (address != Keyspace.OUT_OF_MEMORY)
        {
            values.bind(context.keyspace(), db, address, context.entry()).element(element, 0, length);
            if (values.push(left) == Keyspace.OUT_OF_MEMORY)
            {
                dropIfEmpty(context, db, values.address);
            }
        }
    }

    private static void logMove(final CommandContext context, final int db, final DirectBuffer source,
        final int sourceOffset, final int sourceLength, final DirectBuffer destination, final int destinationOffset,
        final int destinationLength, final boolean fromLeft, final boolean toLeft)
    {
        final ChangeLog changeLog = context.changeLog();
        changeLog.beginCommand(db, LMOVE, source, sourceOffset, sourceLength);
        changeLog.commandArg(destination, destinationOffset, destinationLength);
        changeLog.commandArg(side(fromLeft), 0, side(fromLeft).capacity());
        changeLog.commandArg(side(toLeft), 0, side(toLeft).capacity());
        changeLog.endCommand();
    }

    private static final DirectBuffer LEFT_TEXT = new org.agrona.concurrent.UnsafeBuffer(LEFT);
    private static final DirectBuffer RIGHT_TEXT = new org.agrona.concurrent.UnsafeBuffer(RIGHT);

    private static DirectBuffer side(final boolean left)
    {
        return left ? LEFT_TEXT : RIGHT_TEXT;
    }

    private static void notifyMove(final CommandContext context, final int db, final DirectBuffer source,
        final int sourceOffset, final int sourceLength, final DirectBuffer destination, final int destinationOffset,
        final int destinationLength, final boolean fromLeft, final boolean toLeft)
    {
        // Redis's order: the push on the destination, then the pop on the source.
        final KeyspaceEvents events = context.keyspaceEvents();
        events.notify(KeyspaceEvents.LIST, toLeft ? "lpush" : "rpush", db, destination, destinationOffset,
            destinationLength);
        events.notify(KeyspaceEvents.LIST, fromLeft ? "lpop" : "rpop", db, source, sourceOffset, sourceLength);
    }

    // ---- commands

    private void push(final CommandContext context, final CommandArgs args, final Reply reply, final boolean left,
        final boolean onlyIfExists)
    {
        final long found = context.findKeyOfType(args, 1, ValueType.LIST, reply);
        if (found == CommandContext.WRONG_TYPE)
        {
            return;
        }
        if (found == Keyspace.NOT_FOUND && onlyIfExists)
        {
            reply.integer(0);
            return;
        }
        final int db = context.db();
        final DirectBuffer buffer = args.buffer();
        final long address = found != Keyspace.NOT_FOUND ? found :
            findOrCreate(context, db, buffer, args.offset(1), args.length(1));
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        final ListValues values = this.values.bind(context.keyspace(), db, address, context.entry());
        int applied = 2;
        for (int i = 2; i < args.count(); i++)
        {
            values.element(buffer, args.offset(i), args.length(i));
            if (values.push(left) == Keyspace.OUT_OF_MEMORY)
            {
                break;
            }
            applied = i + 1;
        }
        if (applied > 2)
        {
            final ChangeLog changeLog = context.changeLog();
            changeLog.beginCommand(db, left ? LPUSH : RPUSH, buffer, args.offset(1), args.length(1));
            for (int i = 2; i < applied; i++)
            {
                changeLog.commandArg(buffer, args.offset(i), args.length(i));
            }
            changeLog.endCommand();
            context.keyspaceEvents().notify(context, KeyspaceEvents.LIST, left ? "lpush" : "rpush", args, 1);
        }
        if (applied < args.count())
        {
            dropIfEmpty(context, db, values.address);
            reply.error(ErrorMessages.OOM);
            return;
        }
        reply.integer(values.length());
    }

    private void popCommand(final CommandContext context, final CommandArgs args, final Reply reply,
        final boolean left)
    {
        if (args.count() > 3)
        {
            reply.error("ERR wrong number of arguments for '" + (left ? "lpop" : "rpop") + "' command");
            return;
        }
        long count = 1;
        if (args.count() == 3)
        {
            if (!numbers.parseLong(args, 2) || numbers.value() < 0)
            {
                reply.error(MUST_BE_POSITIVE);
                return;
            }
            count = numbers.value();
        }
        final int db = context.db();
        final DirectBuffer key = args.buffer();
        final long length = length(context, db, key, args.offset(1), args.length(1));
        if (length == WRONG_TYPE)
        {
            reply.error(ErrorMessages.WRONG_TYPE);
            return;
        }
        if (length == 0)
        {
            if (args.count() == 3)
            {
                reply.nilArray();
            }
            else
            {
                reply.nil();
            }
            return;
        }
        if (args.count() == 3)
        {
            reply.arrayHeader((int)Math.min(count, length));
        }
        pop(context, db, key, args.offset(1), args.length(1), left, count, reply);
    }

    private void llen(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long length = readLengthOf(context, args, reply);
        if (length == WRONG_TYPE)
        {
            return;
        }
        reply.integer(length);
    }

    private void lrange(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (!parseRange(args, reply))
        {
            return;
        }
        long start = rangeStart;
        long end = rangeEnd;
        final long length = readLengthOf(context, args, reply);
        if (length == WRONG_TYPE)
        {
            return;
        }
        start = start < 0 ? Math.max(0, length + start) : start;
        end = end < 0 ? length + end : end;
        if (start > end || start >= length)
        {
            reply.arrayHeader(0);
            return;
        }
        end = Math.min(end, length - 1);
        final int n = (int)(end - start + 1);
        reply.arrayHeader(n);
        final ListValues values = this.values;
        values.seek(start);
        for (int i = 0; i < n; i++)
        {
            values.replyCurrent(reply);
            values.advance();
        }
    }

    private void lindex(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long length = readLengthOf(context, args, reply);
        if (length == WRONG_TYPE)
        {
            return;
        }
        if (length == 0)
        {
            reply.nil();
            return;
        }
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long index = numbers.value() < 0 ? length + numbers.value() : numbers.value();
        if (index < 0 || index >= length)
        {
            reply.nil();
            return;
        }
        values.seek(index);
        values.replyCurrent(reply);
    }

    private void lset(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final int db = context.db();
        final long length = lengthOf(context, args, reply);
        if (length == WRONG_TYPE)
        {
            return;
        }
        if (length == 0)
        {
            reply.error(ErrorMessages.NO_SUCH_KEY);
            return;
        }
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long index = numbers.value() < 0 ? length + numbers.value() : numbers.value();
        if (index < 0 || index >= length)
        {
            reply.error(INDEX_OUT_OF_RANGE);
            return;
        }
        final ListValues values = this.values;
        values.seek(index);
        values.element(args.buffer(), args.offset(3), args.length(3));
        if (values.replaceAtCursor() == Keyspace.OUT_OF_MEMORY)
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        logArgs(context, LSET, args);
        context.keyspaceEvents().notify(context, KeyspaceEvents.LIST, "lset", args, 1);
        reply.ok();
    }

    private void linsert(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final boolean after;
        if (args.equalsIgnoreCase(2, AFTER))
        {
            after = true;
        }
        else if (args.equalsIgnoreCase(2, BEFORE))
        {
            after = false;
        }
        else
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        final long length = lengthOf(context, args, reply);
        if (length == WRONG_TYPE)
        {
            return;
        }
        if (length == 0)
        {
            reply.integer(0);
            return;
        }
        final ListValues values = this.values;
        final DirectBuffer buffer = args.buffer();
        final boolean pivotIsInt = numbers.parseLong(args, 3);
        final long pivotAsLong = numbers.value();
        values.seek(0);
        boolean found = false;
        do
        {
            if (values.currentEquals(buffer, args.offset(3), args.length(3), pivotIsInt, pivotAsLong))
            {
                found = true;
                break;
            }
        }
        while (values.advance());
        if (!found)
        {
            reply.integer(-1);
            return;
        }
        values.element(buffer, args.offset(4), args.length(4));
        if (values.insertAtCursor(after) == Keyspace.OUT_OF_MEMORY)
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        logArgs(context, LINSERT, args);
        context.keyspaceEvents().notify(context, KeyspaceEvents.LIST, "linsert", args, 1);
        reply.integer(values.length());
    }

    private void lrem(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long count = numbers.value();
        final int db = context.db();
        final long length = lengthOf(context, args, reply);
        if (length == WRONG_TYPE)
        {
            return;
        }
        if (length == 0)
        {
            reply.integer(0);
            return;
        }
        final ListValues values = this.values;
        final DirectBuffer buffer = args.buffer();
        final boolean isInt = numbers.parseLong(args, 3);
        final long asLong = numbers.value();
        long removed = 0;
        boolean refused = false;
        if (count >= 0)
        {
            values.seek(0);
            while (values.p != 0)
            {
                if (values.currentEquals(buffer, args.offset(3), args.length(3), isInt, asLong))
                {
                    if (values.deleteAtCursor(1) == Keyspace.OUT_OF_MEMORY)
                    {
                        refused = true;
                        break;
                    }
                    if (++removed == count)
                    {
                        break;
                    }
                }
                else if (!values.advance())
                {
                    break;
                }
            }
        }
        else
        {
            // From the tail: find the matches' indexes (descending), then delete them in that order.
            int found = 0;
            long index = length - 1;
            values.seek(index);
            do
            {
                if (values.currentEquals(buffer, args.offset(3), args.length(3), isInt, asLong))
                {
                    if (found == indexes.length)
                    {
                        indexes = Arrays.copyOf(indexes, found * 2);
                    }
                    indexes[found++] = index;
                    if (found == -count)
                    {
                        break;
                    }
                }
                index--;
            }
            while (values.retreat());
            for (int i = 0; i < found; i++)
            {
                values.seek(indexes[i]);
                if (values.deleteAtCursor(1) == Keyspace.OUT_OF_MEMORY)
                {
                    refused = true;
                    break;
                }
                removed++;
            }
        }
        if (removed > 0)
        {
            final ChangeLog changeLog = context.changeLog();
            changeLog.beginCommand(db, LREM, buffer, args.offset(1), args.length(1));
            changeLog.commandArg(count < 0 ? -removed : refused || count > 0 ? removed : 0);
            changeLog.commandArg(buffer, args.offset(3), args.length(3));
            changeLog.endCommand();
            context.keyspaceEvents().notify(context, KeyspaceEvents.LIST, "lrem", args, 1);
            deleteIfEmpty(context, args);
        }
        if (refused)
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        reply.integer(removed);
    }

    private void ltrim(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (!parseRange(args, reply))
        {
            return;
        }
        long start = rangeStart;
        long end = rangeEnd;
        final int db = context.db();
        final long length = lengthOf(context, args, reply);
        if (length == WRONG_TYPE)
        {
            return;
        }
        if (length == 0)
        {
            reply.ok();
            return;
        }
        start = start < 0 ? Math.max(0, length + start) : start;
        end = end < 0 ? length + end : end;
        final long fromHead;
        final long fromTail;
        if (start > end || start >= length)
        {
            fromHead = length;
            fromTail = 0;
        }
        else
        {
            fromHead = start;
            fromTail = length - Math.min(end, length - 1) - 1;
        }
        final ListValues values = this.values;
        if (fromTail > 0 && values.deleteRange(length - fromTail, fromTail) == Keyspace.OUT_OF_MEMORY ||
            fromHead > 0 && values.deleteRange(0, fromHead) == Keyspace.OUT_OF_MEMORY)
        {
            // Only a budget already exceeded refuses a shrink: the key is then dropped whole, never left half-made.
            context.keyspace().delete(db, values.address);
            context.changeLog().delete(db, args.buffer(), args.offset(1), args.length(1), false);
            reply.error(ErrorMessages.OOM);
            return;
        }
        if (fromHead + fromTail > 0)
        {
            logArgs(context, LTRIM, args);
        }
        context.keyspaceEvents().notify(context, KeyspaceEvents.LIST, "ltrim", args, 1);
        deleteIfEmpty(context, args);
        reply.ok();
    }

    private void lpos(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int i = 3; i < args.count(); i += 2)
        {
            final boolean more = i + 1 < args.count();
            if (more && args.equalsIgnoreCase(i, RANK))
            {
                if (!numbers.parseLong(args, i + 1))
                {
                    reply.error(ErrorMessages.NOT_INTEGER);
                    return;
                }
                rank = numbers.value();
                if (rank == 0)
                {
                    reply.error(RANK_ZERO);
                    return;
                }
            }
            else if (more && args.equalsIgnoreCase(i, COUNT))
            {
                if ((count = nonNegative(args, i + 1)) < 0)
                {
                    reply.error(COUNT_NEGATIVE);
                    return;
                }
            }
            else if (more && args.equalsIgnoreCase(i, MAXLEN))
            {
                if ((maxlen = nonNegative(args, i + 1)) < 0)
                {
                    reply.error(MAXLEN_NEGATIVE);
                    return;
                }
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        final long length = readLengthOf(context, args, reply);
        if (length == WRONG_TYPE)
        {
            return;
        }
        if (length == 0)
        {
            if (count >= 0)
            {
                reply.arrayHeader(0);
            }
            else
            {
                reply.nil();
            }
            return;
        }
        final boolean fromTail = rank < 0;
        if (fromTail)
        {
            rank = -rank;   // as Redis: LONG_MIN stays negative, so every match qualifies
        }
        final DirectBuffer buffer = args.buffer();
        final boolean isInt = numbers.parseLong(args, 2);
        final long asLong = numbers.value();
        final ListValues values = this.values;
        values.seek(fromTail ? length - 1 : 0);
        long index = 0;
        long matches = 0;
        int found = 0;
        do
        {
            if (maxlen != 0 && index >= maxlen)
            {
                break;
            }
            if (values.currentEquals(buffer, args.offset(2), args.length(2), isInt, asLong))
            {
                matches++;
                if (matches >= rank)
                {
                    if (found == indexes.length)
                    {
                        indexes = Arrays.copyOf(indexes, found * 2);
                    }
                    indexes[found++] = fromTail ? length - index - 1 : index;
                    if (count < 0 || count != 0 && matches - rank + 1 >= count)
                    {
                        break;
                    }
                }
            }
            index++;
        }
        while (fromTail ? values.retreat() : values.advance());
        if (count < 0)
        {
            if (found == 0)
            {
                reply.nil();
            }
            else
            {
                reply.integer(indexes[0]);
            }
            return;
        }
        reply.arrayHeader(found);
        for (int i = 0; i < found; i++)
        {
            reply.integer(indexes[i]);
        }
    }

    private void lmove(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final int from = side(args, 3);
        final int to = side(args, 4);
        if (from < 0 || to < 0)
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        moveCommand(context, args, reply, from == 1, to == 1);
    }

    private void rpoplpush(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        moveCommand(context, args, reply, false, true);
    }

    private void moveCommand(final CommandContext context, final CommandArgs args, final Reply reply,
        final boolean fromLeft, final boolean toLeft)
    {
        final DirectBuffer buffer = args.buffer();
        if (move(context, context.db(), buffer, args.offset(1), args.length(1), buffer, args.offset(2),
            args.length(2), fromLeft, toLeft, reply) == 0)
        {
            reply.nil();
        }
    }

    /**
     * LMPOP's and BLMPOP's {@code numkeys key... LEFT|RIGHT [COUNT count]}, parsed as Redis 7.0's lmpopGenericCommand
     * does from argument {@code numkeysIndex}.
     */
    public static final class MpopArguments
    {
        /** Index of the first key. */
        public int firstKey;
        /** Keys. */
        public int keys;
        /** LEFT rather than RIGHT. */
        public boolean left;
        /** Elements wanted (1 without COUNT). */
        public long count;
    }

    /**
     * Parse {@code numkeys key... LEFT|RIGHT [COUNT count]} from argument {@code numkeysIndex}, replying Redis's error
     * when it fails (shared by LMPOP and BLMPOP).
     *
     * @return true when parsed into {@code out}.
     */
    public boolean parseMpop(final CommandArgs args, final int numkeysIndex, final MpopArguments out,
        final Reply reply)
    {
        if (!numbers.parseLong(args, numkeysIndex) || numbers.value() < 1)
        {
            reply.error(NUMKEYS);
            return false;
        }
        final long numkeys = numbers.value();
        if (numkeys >= args.count() - numkeysIndex - 1)
        {
            reply.error(ErrorMessages.SYNTAX);
            return false;
        }
        final int whereIndex = (int)numkeys + numkeysIndex + 1;
        final int where = side(args, whereIndex);
        if (where < 0)
        {
            reply.error(ErrorMessages.SYNTAX);
            return false;
        }
        long count = -1;
        for (int i = whereIndex + 1; i < args.count(); i++)
        {
            if (count == -1 && args.equalsIgnoreCase(i, COUNT) && i + 1 < args.count())
            {
                i++;
                if (!numbers.parseLong(args, i) || numbers.value() < 1)
                {
                    reply.error(COUNT_POSITIVE);
                    return false;
                }
                count = numbers.value();
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return false;
            }
        }
        out.firstKey = numkeysIndex + 1;
        out.keys = (int)numkeys;
        out.left = where == 1;
        out.count = count == -1 ? 1 : count;
        return true;
    }

    private final MpopArguments mpop = new MpopArguments();

    private void lmpop(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final MpopArguments mpop = this.mpop;
        if (!parseMpop(args, 1, mpop, reply))
        {
            return;
        }
        final long count = mpop.count;
        final int whereIndex = mpop.firstKey + mpop.keys;
        final int where = mpop.left ? 1 : 0;
        final int db = context.db();
        final DirectBuffer buffer = args.buffer();
        for (int k = 2; k < whereIndex; k++)
        {
            final long length = length(context, db, buffer, args.offset(k), args.length(k));
            if (length == WRONG_TYPE)
            {
                reply.error(ErrorMessages.WRONG_TYPE);
                return;
            }
            if (length > 0)
            {
                reply.arrayHeader(2);
                reply.bulk(buffer, args.offset(k), args.length(k));
                reply.arrayHeader((int)Math.min(count, length));
                pop(context, db, buffer, args.offset(k), args.length(k), where == 1, count, reply);
                return;
            }
        }
        reply.nilArray();
    }

    // ---- helpers

    /**
     * @return {@link #length} of argument 1's list in the session's database, or {@link #WRONG_TYPE} once WRONGTYPE
     * was replied.
     */
    /**
     * {@link #lengthOf} for a command that reads the list (LLEN, LRANGE, LINDEX, LPOS: Redis's lookupKeyRead): a
     * missing key is a "keymiss" event.
     */
    private long readLengthOf(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long length = lengthOf(context, args, reply);
        if (length == 0)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.KEY_MISS, "keymiss", args, 1);
        }
        return length;
    }

    private long lengthOf(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long length = length(context, context.db(), args.buffer(), args.offset(1), args.length(1));
        if (length == WRONG_TYPE)
        {
            reply.error(ErrorMessages.WRONG_TYPE);
        }
        return length;
    }

    /**
     * @return argument {@code index} as a non-negative long, or -1 when it is not one (Redis's
     * getPositiveLongFromObjectOrReply, whose one message covers both).
     */
    private long nonNegative(final CommandArgs args, final int index)
    {
        return numbers.parseLong(args, index) && numbers.value() >= 0 ? numbers.value() : -1;
    }

    /**
     * Parse LRANGE's and LTRIM's start and stop (arguments 2 and 3) into {@link #rangeStart}, {@link #rangeEnd}.
     *
     * @return false once the error was replied.
     */
    private boolean parseRange(final CommandArgs args, final Reply reply)
    {
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return false;
        }
        rangeStart = numbers.value();
        if (!numbers.parseLong(args, 3))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return false;
        }
        rangeEnd = numbers.value();
        return true;
    }

    /**
     * @return 1 for LEFT, 0 for RIGHT, -1 for anything else.
     */
    private static int side(final CommandArgs args, final int index)
    {
        return args.equalsIgnoreCase(index, LEFT) ? 1 : args.equalsIgnoreCase(index, RIGHT) ? 0 : -1;
    }

    /**
     * The list at the key, created empty when missing; the caller must not leave it empty ({@link #dropIfEmpty}).
     *
     * @return its address, or {@link Keyspace#OUT_OF_MEMORY}.
     */
    private static long findOrCreate(final CommandContext context, final int db, final DirectBuffer key,
        final int keyOffset, final int keyLength)
    {
        final Keyspace keyspace = context.keyspace();
        final long found = keyspace.find(db, key, keyOffset, keyLength, context.nowMs());
        if (found != Keyspace.NOT_FOUND)
        {
            return found;
        }
        final long address = keyspace.put(db, key, keyOffset, keyLength, ValueType.LIST, ValueEncoding.LIST_LISTPACK,
            Listpack.EMPTY_LENGTH, Keyspace.NO_EXPIRY);
        if (address != Keyspace.OUT_OF_MEMORY)
        {
            final EntryFlyweight entry = context.entry().wrap(address);
            Listpack.writeEmpty(entry.buffer(), entry.valueOffset());
        }
        return address;
    }

    private void dropIfEmpty(final CommandContext context, final int db, final long address)
    {
        if (values.bind(context.keyspace(), db, address, context.entry()).length() == 0)
        {
            context.keyspace().delete(db, address);
        }
    }

    /**
     * Delete argument 1's list when a command emptied it, with Redis's "del" event.
     */
    private void deleteIfEmpty(final CommandContext context, final CommandArgs args)
    {
        if (values.length() == 0)
        {
            context.keyspace().delete(context.db(), values.address);
            context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, 1);
        }
    }

    private static void logArgs(final CommandContext context, final byte[] name, final CommandArgs args)
    {
        final ChangeLog changeLog = context.changeLog();
        final DirectBuffer buffer = args.buffer();
        changeLog.beginCommand(context.db(), name, buffer, args.offset(1), args.length(1));
        for (int i = 2; i < args.count(); i++)
        {
            changeLog.commandArg(buffer, args.offset(i), args.length(i));
        }
        changeLog.endCommand();
    }
}
