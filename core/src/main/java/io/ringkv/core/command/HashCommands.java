package io.ringkv.core.command;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.store.ElementDescriptor;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.FAST;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * Hash commands with Redis 7.0's semantics and error texts: HSET HMSET HSETNX HGET HMGET HGETALL HKEYS HVALS HLEN
 * HEXISTS HDEL HSTRLEN HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN. The value is a listpack or an element table ({@link HashValues}); an
 * empty hash never exists (HDEL of the last field deletes the key). Each write is logged as the command that has its
 * effect (HSET of the resulting values, HDEL of the fields removed), which replicas run.
 * <p>
 * One instance per command table; only the engine thread calls it. Reads allocate nothing; HINCRBYFLOAT computes in
 * BigDecimal as INCRBYFLOAT does.
 */
public final class HashCommands
{
    static final String NOT_INTEGER_HASH = "ERR hash value is not an integer";
    static final String NOT_FLOAT_HASH = "ERR hash value is not a float";
    static final String NAN_OR_INFINITE_INCREMENT = "ERR value is NaN or Infinity";

    private static final byte[] HSET = {'h', 's', 'e', 't'};
    private static final byte[] HDEL = {'h', 'd', 'e', 'l'};
    private static final long WRONG_TYPE = CommandContext.WRONG_TYPE;

    private final HashValues values = new HashValues();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer digits = new UnsafeBuffer(new byte[AsciiNumbers.MAX_LONG_DIGITS]);
    private final AsciiNumbers numbers = new AsciiNumbers();
    private final ScanArguments scan = new ScanArguments();
    private final ElementReplier elementReplier = new ElementReplier();
    private final java.util.Random random = new java.util.Random();
    /** Fields picked by HRANDFIELD or HSCAN: listpack indexes or element addresses, reused across calls. */
    private long[] picked = new long[64];
    private int pickedCount;
    private final ElementTables.ElementVisitor collector = element ->
    {
        if (pickedCount == picked.length)
        {
            picked = java.util.Arrays.copyOf(picked, pickedCount * 2);
        }
        picked[pickedCount++] = element;
    };
    private static final byte[] WITHVALUES = {'W', 'I', 'T', 'H', 'V', 'A', 'L', 'U', 'E', 'S'};

    /**
     * @param table to register the hash commands in.
     */
    public static void register(final CommandTable table)
    {
        final HashCommands hashes = new HashCommands();
        table.register("hset", -4, WRITE | DENY_OOM | FAST, hashes::hset);
        table.register("hmset", -4, WRITE | DENY_OOM | FAST, hashes::hmset);
        table.register("hsetnx", 4, WRITE | DENY_OOM | FAST, hashes::hsetnx);
        table.register("hget", 3, READONLY | FAST, hashes::hget);
        table.register("hmget", -3, READONLY | FAST, hashes::hmget);
        table.register("hgetall", 2, READONLY, (c, a, r) -> hashes.all(c, a, r, true, true));
        table.register("hkeys", 2, READONLY, (c, a, r) -> hashes.all(c, a, r, true, false));
        table.register("hvals", 2, READONLY, (c, a, r) -> hashes.all(c, a, r, false, true));
        table.register("hlen", 2, READONLY | FAST, hashes::hlen);
        table.register("hexists", 3, READONLY | FAST, hashes::hexists);
        table.register("hdel", -3, WRITE | FAST, hashes::hdel);
        table.register("hstrlen", 3, READONLY | FAST, hashes::hstrlen);
        table.register("hincrby", 4, WRITE | DENY_OOM | FAST, hashes::hincrby);
        table.register("hincrbyfloat", 4, WRITE | DENY_OOM | FAST, hashes::hincrbyfloat);
        table.register("hrandfield", -2, READONLY, hashes::hrandfield);
        table.register("hscan", -3, READONLY, hashes::hscan);
    }

    private void hset(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long created = setPairs(context, args, reply, "hset");
        if (created >= 0)
        {
            reply.integer(created);
        }
    }

    private void hmset(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (setPairs(context, args, reply, "hmset") >= 0)
        {
            reply.ok();
        }
    }

    /**
     * HSET and HMSET: every field, value pair from argument 2 on.
     *
     * @return fields created, or -1 once an error was replied.
     */
    private long setPairs(final CommandContext context, final CommandArgs args, final Reply reply,
        final String name)
    {
        if (args.count() % 2 == 1)
        {
            reply.error("ERR wrong number of arguments for '" + name + "' command");
            return -1;
        }
        long address = findOrCreate(context, args, reply, 2);
        if (address < 0)
        {
            return -1;
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final EntryFlyweight entry = context.entry();
        final DirectBuffer buffer = args.buffer();
        long created = 0;
        int applied = 2;
        for (int i = 2; i < args.count(); i += 2)
        {
            final long moved = values.set(keyspace, db, address, entry, buffer, args.offset(i), args.length(i),
                buffer, args.offset(i + 1), args.length(i + 1));
            if (moved == Keyspace.OUT_OF_MEMORY)
            {
                break;
            }
            address = moved;
            created += values.created ? 1 : 0;
            applied = i + 2;
        }
        logPairs(context, args, applied);
        if (applied < args.count())
        {
            dropIfEmpty(context, address);
            reply.error(ErrorMessages.OOM);
            return -1;
        }
        context.keyspaceEvents().notify(context, KeyspaceEvents.HASH, "hset", args, 1);
        return created;
    }

    private void hsetnx(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findOrCreate(context, args, reply, 2);
        if (address < 0)
        {
            return;
        }
        if (fieldExists(context, context.entry().wrap(address), args, 2))
        {
            reply.integer(0);
            return;
        }
        final DirectBuffer buffer = args.buffer();
        final long moved = values.set(context.keyspace(), context.db(), address, context.entry(),
            buffer, args.offset(2), args.length(2), buffer, args.offset(3), args.length(3));
        if (moved == Keyspace.OUT_OF_MEMORY)
        {
            dropIfEmpty(context, address);
            reply.error(ErrorMessages.OOM);
            return;
        }
        logPairs(context, args, 4);
        context.keyspaceEvents().notify(context, KeyspaceEvents.HASH, "hset", args, 1);
        reply.integer(1);
    }

    private void hget(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findToRead(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address == Keyspace.NOT_FOUND || !replyValue(context, context.entry().wrap(address), args, 2, reply))
        {
            reply.nil();
        }
    }

    private void hmget(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findToRead(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        reply.arrayHeader(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            if (address == Keyspace.NOT_FOUND || !replyValue(context, context.entry().wrap(address), args, i, reply))
            {
                reply.nil();
            }
        }
    }

    private void hlen(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findToRead(context, args, reply);
        if (address != WRONG_TYPE)
        {
            reply.integer(address == Keyspace.NOT_FOUND ? 0 :
                values.memberCount(context.keyspace(), context.entry().wrap(address)));
        }
    }

    private void hexists(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findToRead(context, args, reply);
        if (address != WRONG_TYPE)
        {
            reply.integer(address != Keyspace.NOT_FOUND &&
                fieldExists(context, context.entry().wrap(address), args, 2) ? 1 : 0);
        }
    }

    private void hstrlen(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findToRead(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        reply.integer(address == Keyspace.NOT_FOUND ? 0 :
            Math.max(0, valueText(context, context.entry().wrap(address), args, 2)));
    }

    private void hdel(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = find(context, args, reply);
        if (address != WRONG_TYPE)
        {
            MemberRemoval.removeMembers(context, args, reply, address, values, HDEL, KeyspaceEvents.HASH, "hdel");
        }
    }

    private void hincrby(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (!numbers.parseLong(args, 3))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long increment = numbers.value();
        final long address = findOrCreate(context, args, reply, args.count());
        if (address < 0)
        {
            return;
        }
        long current = 0;
        final int length = valueText(context, context.entry().wrap(address), args, 2);
        if (length >= 0)
        {
            if (!numbers.parseLong(view, 0, length))
            {
                dropIfEmpty(context, address);
                reply.error(NOT_INTEGER_HASH);
                return;
            }
            current = numbers.value();
        }
        if ((increment < 0 && current < 0 && increment < Long.MIN_VALUE - current) ||
            (increment > 0 && current > 0 && increment > Long.MAX_VALUE - current))
        {
            dropIfEmpty(context, address);
            reply.error(ErrorMessages.OVERFLOW);
            return;
        }
        final long result = current + increment;
        final int textLength = AsciiNumbers.putLong(digits, 0, result);
        if (setResult(context, args, address, digits, textLength, reply))
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.HASH, "hincrby", args, 1);
            reply.integer(result);
        }
    }

    private void hincrbyfloat(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final BigDecimal increment = LongDouble.parse(args.asString(3));
        if (increment == null)
        {
            reply.error(ErrorMessages.NOT_FLOAT);
            return;
        }
        if (LongDouble.isInfinite(increment))
        {
            reply.error(NAN_OR_INFINITE_INCREMENT);
            return;
        }
        final long address = findOrCreate(context, args, reply, args.count());
        if (address < 0)
        {
            return;
        }
        BigDecimal current = BigDecimal.ZERO;
        final int length = valueText(context, context.entry().wrap(address), args, 2);
        if (length >= 0)
        {
            current = length >= LongDouble.MAX_CHARS ? null : LongDouble.parse(view.getStringWithoutLengthAscii(0,
                length));
            if (current == null)
            {
                dropIfEmpty(context, address);
                reply.error(NOT_FLOAT_HASH);
                return;
            }
        }
        final BigDecimal sum = LongDouble.add(current, increment);
        final String text = LongDouble.isInfinite(sum) ? null : LongDouble.format(sum);
        if (text == null)
        {
            dropIfEmpty(context, address);
            reply.error(ErrorMessages.NAN_OR_INFINITY);
            return;
        }
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        // Logged as HSET of the result, as Redis propagates HINCRBYFLOAT.
        if (setResult(context, args, address, new UnsafeBuffer(bytes), bytes.length, reply))
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.HASH, "hincrbyfloat", args, 1);
            reply.bulk(bytes);
        }
    }

    /**
     * Store an increment's result in argument 2's field and log it as HSET.
     *
     * @return true, or false once OOM was replied.
     */
    private boolean setResult(final CommandContext context, final CommandArgs args, final long address,
        final DirectBuffer text, final int length, final Reply reply)
    {
        final DirectBuffer buffer = args.buffer();
        final long moved = values.set(context.keyspace(), context.db(), address, context.entry(),
            buffer, args.offset(2), args.length(2), text, 0, length);
        if (moved == Keyspace.OUT_OF_MEMORY)
        {
            dropIfEmpty(context, address);
            reply.error(ErrorMessages.OOM);
            return false;
        }
        final ChangeLog changeLog = context.changeLog();
        changeLog.beginCommand(context.db(), HSET, buffer, args.offset(1), args.length(1));
        changeLog.commandArg(buffer, args.offset(2), args.length(2));
        changeLog.commandArg(text, 0, length);
        changeLog.endCommand();
        return true;
    }

    /**
     * HRANDFIELD key [count [WITHVALUES]], as Redis 7.0's hrandfieldCommand: a negative count may repeat fields,
     * a positive one does not (and returns the whole hash when it holds no more than that).
     */
    private void hrandfield(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final int argCount = args.count();
        if (argCount == 2)
        {
            final long address = findToRead(context, args, reply);
            if (address == WRONG_TYPE)
            {
                return;
            }
            if (address == Keyspace.NOT_FOUND)
            {
                reply.nil();
                return;
            }
            final EntryFlyweight entry = context.entry().wrap(address);
            pick(context, entry, 1, false);
            replyPicked(entry, 0, true, false, reply);
            return;
        }
        final boolean withValues = argCount == 4 && args.equalsIgnoreCase(3, WITHVALUES);
        if (argCount > 4 || (argCount == 4 && !withValues))
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long requested = numbers.value();
        if (requested == Long.MIN_VALUE)
        {
            reply.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
            return;
        }
        if (withValues && requested < -(Long.MAX_VALUE / 2))
        {
            reply.error("ERR value is out of range");
            return;
        }
        final long address = findToRead(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address == Keyspace.NOT_FOUND || requested == 0)
        {
            reply.arrayHeader(0);
            return;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        final long size = values.memberCount(context.keyspace(), entry);
        final boolean repeat = requested < 0;
        final long count = repeat ? -requested : Math.min(requested, size);
        final boolean nested = withValues && context.session().protocolVersion() == 3;
        reply.arrayHeader((int)Math.min(Integer.MAX_VALUE, withValues && !nested ? count * 2 : count));
        for (long i = 0; i < count; i++)
        {
            final int slot;
            if (repeat)
            {
                // Each pick replied at once: a large negative count needs no memory of what was picked.
                pick(context, entry, 1, false);
                slot = 0;
            }
            else
            {
                if (i == 0)
                {
                    if (count < size)
                    {
                        pick(context, entry, (int)count, true);
                    }
                    else
                    {
                        pickAll(context, entry);
                    }
                }
                slot = (int)i;
            }
            if (nested)
            {
                reply.arrayHeader(2);
            }
            replyPicked(entry, slot, true, withValues, reply);
        }
    }

    /**
     * Pick {@code count} fields at random into {@link #picked} (listpack: element indexes; table: addresses),
     * distinct when {@code distinct}.
     */
    private void pick(final CommandContext context, final EntryFlyweight entry, final int count,
        final boolean distinct)
    {
        pickedCount = 0;
        if (distinct)
        {
            // Partial Fisher-Yates over every field: O(size), fine for what HRANDFIELD asks of it.
            pickAll(context, entry);
            for (int i = 0; i < count; i++)
            {
                final int j = i + random.nextInt(pickedCount - i);
                final long swap = picked[i];
                picked[i] = picked[j];
                picked[j] = swap;
            }
            pickedCount = count;
            return;
        }
        final boolean table = entry.encoding() == ValueEncoding.HASH_TABLE;
        final int pairs = table ? 0 : (int)values.memberCount(context.keyspace(), entry);
        for (int i = 0; i < count; i++)
        {
            final long pick = table ? context.keyspace().elementTables().randomElement(HashValues.tableId(entry)) :
                nthField(entry, random.nextInt(pairs));
            collector.visitElement(pick);
        }
    }

    private void pickAll(final CommandContext context, final EntryFlyweight entry)
    {
        pickedCount = 0;
        if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            context.keyspace().elementTables().forEach(HashValues.tableId(entry), collector);
            return;
        }
        final UnsafeBuffer buffer = entry.buffer();
        final int base = entry.valueOffset();
        for (int p = Listpack.first(buffer, base); p != 0; p = Listpack.next(buffer, base, Listpack.next(buffer, base, p)))
        {
            collector.visitElement(p);
        }
    }

    private static long nthField(final EntryFlyweight entry, final int n)
    {
        final UnsafeBuffer buffer = entry.buffer();
        final int base = entry.valueOffset();
        int p = Listpack.first(buffer, base);
        for (int i = 0; i < n; i++)
        {
            p = Listpack.next(buffer, base, Listpack.next(buffer, base, p));
        }
        return p;
    }

    /**
     * Reply the field (and value) of pick {@code i}.
     */
    private void replyPicked(final EntryFlyweight entry, final int i, final boolean field, final boolean value,
        final Reply reply)
    {
        final long pick = picked[i];
        if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            replyTableElement(pick, field, value, reply);
            return;
        }
        final UnsafeBuffer buffer = entry.buffer();
        if (field)
        {
            replyElement(buffer, (int)pick, reply);
        }
        if (value)
        {
            replyElement(buffer, Listpack.next(buffer, entry.valueOffset(), (int)pick), reply);
        }
    }

    /**
     * HSCAN key cursor [MATCH pattern] [COUNT count], as Redis 7.0's scanGenericCommand: a listpack is returned
     * whole with cursor 0; a table is walked with SCAN's cursor.
     */
    private void hscan(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = scan.keyToScan(context, args, ValueType.HASH, reply);
        if (address == Keyspace.NOT_FOUND)
        {
            return;
        }
        final long cursor = scan.cursor();
        final int patternIndex = scan.patternIndex();
        final EntryFlyweight entry = context.entry().wrap(address);
        long next = 0;
        if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            pickedCount = 0;
            next = context.keyspace().elementTables().scan(HashValues.tableId(entry), cursor,
                scan.count(), collector);
        }
        else
        {
            pickAll(context, entry);
        }
        int matched = 0;
        for (int i = 0; i < pickedCount; i++)
        {
            if (patternIndex < 0 || fieldMatches(entry, picked[i], args, patternIndex))
            {
                picked[matched++] = picked[i];
            }
        }
        reply.arrayHeader(2);
        reply.bulk(digits, 0, AsciiNumbers.putLong(digits, 0, next));
        reply.arrayHeader(matched * 2);
        for (int i = 0; i < matched; i++)
        {
            replyPicked(entry, i, true, true, reply);
        }
    }

    private boolean fieldMatches(final EntryFlyweight entry, final long pick, final CommandArgs args,
        final int patternIndex)
    {
        final DirectBuffer pattern = args.buffer();
        if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            final int keyLength = UnsafeApi.getInt(pick + ElementDescriptor.KEY_LENGTH_OFFSET);
            view.wrap(pick + ElementDescriptor.KEY_OFFSET, keyLength);
            return GlobPattern.matches(pattern, args.offset(patternIndex), args.length(patternIndex), view, 0,
                keyLength);
        }
        final UnsafeBuffer buffer = entry.buffer();
        final int p = (int)pick;
        if (Listpack.isInt(buffer, p))
        {
            final int length = AsciiNumbers.putLong(digits, 0, Listpack.intValue(buffer, p));
            return GlobPattern.matches(pattern, args.offset(patternIndex), args.length(patternIndex), digits, 0,
                length);
        }
        return GlobPattern.matches(pattern, args.offset(patternIndex), args.length(patternIndex), buffer,
            Listpack.stringIndex(buffer, p), Listpack.stringLength(buffer, p));
    }

    private void all(final CommandContext context, final CommandArgs args, final Reply reply,
        final boolean fields, final boolean vals)
    {
        final long address = findToRead(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address == Keyspace.NOT_FOUND)
        {
            if (fields && vals)
            {
                reply.mapHeader(0);
            }
            else
            {
                reply.arrayHeader(0);
            }
            return;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        final int length = (int)values.memberCount(context.keyspace(), entry);
        if (fields && vals)
        {
            reply.mapHeader(length);
        }
        else
        {
            reply.arrayHeader(length);
        }
        if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            final ElementReplier replier = elementReplier;
            replier.reply = reply;
            replier.fields = fields;
            replier.values = vals;
            context.keyspace().elementTables().forEach(HashValues.tableId(entry), replier);
            replier.reply = null;
            return;
        }
        final UnsafeBuffer buffer = entry.buffer();
        final int base = entry.valueOffset();
        for (int p = Listpack.first(buffer, base); p != 0; )
        {
            final int q = Listpack.next(buffer, base, p);
            if (fields)
            {
                replyElement(buffer, p, reply);
            }
            if (vals)
            {
                replyElement(buffer, q, reply);
            }
            p = Listpack.next(buffer, base, q);
        }
    }

    /** Replies each element of a table hash a walk visits. */
    private final class ElementReplier implements ElementTables.ElementVisitor
    {
        Reply reply;
        boolean fields;
        boolean values;

        public void visitElement(final long element)
        {
            replyTableElement(element, fields, values, reply);
        }
    }

    /**
     * Reply the field and/or value of a table hash's element.
     */
    private void replyTableElement(final long element, final boolean field, final boolean value, final Reply reply)
    {
        final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
        final int valueLength = HashValues.valueLength(element);
        view.wrap(element, ElementDescriptor.valueOffset(keyLength) + valueLength);
        if (field)
        {
            reply.bulk(view, ElementDescriptor.KEY_OFFSET, keyLength);
        }
        if (value)
        {
            reply.bulk(view, ElementDescriptor.valueOffset(keyLength), valueLength);
        }
    }

    private void replyElement(final UnsafeBuffer listpack, final int p, final Reply reply)
    {
        if (Listpack.isInt(listpack, p))
        {
            // A field or value is a string whatever its listpack encoding: JSON clients get a string too.
            reply.bulk(digits, 0, AsciiNumbers.putLong(digits, 0, Listpack.intValue(listpack, p)));
        }
        else
        {
            reply.bulk(listpack, Listpack.stringIndex(listpack, p), Listpack.stringLength(listpack, p));
        }
    }

    /**
     * Reply argument {@code i}'s field's value.
     *
     * @return false when the field is absent (nothing replied).
     */
    private boolean replyValue(final CommandContext context, final EntryFlyweight entry, final CommandArgs args,
        final int i, final Reply reply)
    {
        final int length = valueText(context, entry, args, i);
        if (length < 0)
        {
            return false;
        }
        reply.bulk(view, 0, length);
        return true;
    }

    /**
     * Make argument {@code i}'s field's value readable at {@link #view} index 0.
     *
     * @return its length, or -1 when the field is absent.
     */
    private int valueText(final CommandContext context, final EntryFlyweight entry, final CommandArgs args,
        final int i)
    {
        final DirectBuffer buffer = args.buffer();
        if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            final long element = values.tableFind(context.keyspace(), entry, buffer, args.offset(i), args.length(i));
            if (element == 0)
            {
                return -1;
            }
            final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
            final int valueLength = HashValues.valueLength(element);
            view.wrap(element + ElementDescriptor.valueOffset(keyLength), valueLength);
            return valueLength;
        }
        final int p = values.listpackFind(entry, buffer, args.offset(i), args.length(i));
        if (p == 0)
        {
            return -1;
        }
        final UnsafeBuffer listpack = entry.buffer();
        final int q = Listpack.next(listpack, entry.valueOffset(), p);
        if (Listpack.isInt(listpack, q))
        {
            final int length = AsciiNumbers.putLong(digits, 0, Listpack.intValue(listpack, q));
            view.wrap(digits, 0, length);
            return length;
        }
        final int length = Listpack.stringLength(listpack, q);
        view.wrap(listpack, Listpack.stringIndex(listpack, q), length);
        return length;
    }

    private boolean fieldExists(final CommandContext context, final EntryFlyweight entry, final CommandArgs args,
        final int i)
    {
        final DirectBuffer buffer = args.buffer();
        return entry.encoding() == ValueEncoding.HASH_TABLE ?
            values.tableFind(context.keyspace(), entry, buffer, args.offset(i), args.length(i)) != 0 :
            values.listpackFind(entry, buffer, args.offset(i), args.length(i)) != 0;
    }

    /**
     * {@link #find} for a command that reads the hash: a missing key is a "keymiss" event.
     */
    private static long findToRead(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        return context.readKeyOfType(args, 1, ValueType.HASH, reply);
    }

    /**
     * @return argument 1's hash entry, {@link Keyspace#NOT_FOUND}, or {@link #WRONG_TYPE} once replied.
     */
    private static long find(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        return context.findKeyOfType(args, 1, ValueType.HASH, reply);
    }

    /**
     * Argument 1's hash, created empty when missing, and converted to a table when an argument from {@code from} on
     * is longer than a listpack takes (Redis's hashTypeTryConversion, which HSET, HMSET and HSETNX run before they
     * look at the fields). The caller must not leave a created hash empty ({@link #dropIfEmpty}).
     *
     * @return the entry's address, or -1 once an error was replied.
     */
    private long findOrCreate(final CommandContext context, final CommandArgs args, final Reply reply,
        final int from)
    {
        long address = find(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return -1;
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        if (address == Keyspace.NOT_FOUND)
        {
            address = keyspace.put(db, args.buffer(), args.offset(1), args.length(1), ValueType.HASH,
                ValueEncoding.HASH_LISTPACK, Listpack.EMPTY_LENGTH, Keyspace.NO_EXPIRY);
            if (address == Keyspace.OUT_OF_MEMORY)
            {
                reply.error(ErrorMessages.OOM);
                return -1;
            }
            final EntryFlyweight entry = context.entry().wrap(address);
            Listpack.writeEmpty(entry.buffer(), entry.valueOffset());
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        if (entry.encoding() == ValueEncoding.HASH_LISTPACK && values.needsTable(keyspace.collectionLimits(), args, from, 1))
        {
            final long converted = values.toTable(keyspace, db, address, entry);
            if (converted == Keyspace.OUT_OF_MEMORY)
            {
                dropIfEmpty(context, address);
                reply.error(ErrorMessages.OOM);
                return -1;
            }
            address = converted;
        }
        return address;
    }

    /**
     * Delete a hash left empty (created by a command that then failed): empty collections never exist.
     */
    private void dropIfEmpty(final CommandContext context, final long address)
    {
        final Keyspace keyspace = context.keyspace();
        final EntryFlyweight entry = context.entry().wrap(address);
        if (values.memberCount(keyspace, entry) == 0)
        {
            keyspace.delete(context.db(), address);
        }
    }

    /**
     * Log the pairs from argument 2 up to {@code end} as HSET (HMSET and HSETNX have the same effect).
     */
    private static void logPairs(final CommandContext context, final CommandArgs args, final int end)
    {
        if (end <= 2)
        {
            return;
        }
        final ChangeLog changeLog = context.changeLog();
        final DirectBuffer buffer = args.buffer();
        changeLog.beginCommand(context.db(), HSET, buffer, args.offset(1), args.length(1));
        for (int i = 2; i < end; i++)
        {
            changeLog.commandArg(buffer, args.offset(i), args.length(i));
        }
        changeLog.endCommand();
    }

}
