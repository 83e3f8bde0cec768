package io.ringkv.core.command;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.DumpPayloadWriter;
import io.ringkv.core.store.CollectionLimits;
import io.ringkv.core.store.ElementDescriptor;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Intset;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.FAST;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * Set commands with Redis 7.0's semantics and error texts: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD
 * SRANDMEMBER SPOP SMOVE SSCAN, and with {@link SetAlgebra} SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
 * SDIFFSTORE. A set is
 * an intset in the entry while every member is a canonical 64-bit integer and it holds at most
 * {@code set-max-intset-entries} ({@link CollectionLimits}) of them, else an element table of members, as Redis 7.0's t_set.c (which
 * has no listpack sets); it never converts back. An empty set never exists. Writes are logged as SADD and SREM of
 * the members they added or removed.
 * <p>
 * One instance per command table; only the engine thread calls it; it allocates nothing.
 */
public final class SetCommands implements MemberRemoval.Members
{
    private static final byte[] SADD = {'s', 'a', 'd', 'd'};
    private static final byte[] SREM = {'s', 'r', 'e', 'm'};
    private static final long WRONG_TYPE = CommandContext.WRONG_TYPE;

    /** Counts up to this are drawn from a table one member at a time (repeats are checked by a linear scan). */
    private static final int DRAWN_ONE_BY_ONE_MAX = 64;
    /** ... when the set holds at least this many times the count, so few draws repeat (Redis's SPOP_MOVE_STRATEGY_MUL). */
    private static final int DRAWN_ONE_BY_ONE_SIZE_FACTOR = 5;
    private final AsciiNumbers numbers = new AsciiNumbers();
    private final ScanArguments scan = new ScanArguments();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer digits = new UnsafeBuffer(new byte[AsciiNumbers.MAX_LONG_DIGITS]);
    private final MemberReplier memberReplier = new MemberReplier();
    private final java.util.Random random = new java.util.Random();
    /** Members picked by SRANDMEMBER, SPOP or SSCAN: intset values or element addresses, reused across calls. */
    private long[] picked = new long[64];
    private int pickedCount;
    private final ElementTables.ElementVisitor collector = this::collect;
    /**
     * @param table to register the set commands in.
     */
    public static void register(final CommandTable table)
    {
        final SetCommands sets = new SetCommands();
        table.register("sadd", -3, WRITE | DENY_OOM | FAST, sets::sadd);
        table.register("srem", -3, WRITE | FAST, sets::srem);
        table.register("smembers", 2, READONLY, sets::smembers);
        table.register("sismember", 3, READONLY | FAST, sets::sismember);
        table.register("smismember", -3, READONLY | FAST, sets::smismember);
        table.register("scard", 2, READONLY | FAST, sets::scard);
        table.register("srandmember", -2, READONLY, sets::srandmember);
        table.register("spop", -2, WRITE | FAST, sets::spop);
        table.register("smove", 4, WRITE | FAST, sets::smove);
        table.register("sscan", -3, READONLY, sets::sscan);
        SetAlgebra.register(table);
    }

    private void sadd(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        long address = find(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final DirectBuffer buffer = args.buffer();
        if (address == Keyspace.NOT_FOUND)
        {
            // As Redis's setTypeCreate: an intset when the first member is an integer, else a table.
            address = numbers.parseLong(args, 2) ? createIntset(context, args, 1) : createTable(context, args, 1);
            if (address == Keyspace.OUT_OF_MEMORY)
            {
                reply.error(ErrorMessages.OOM);
                return;
            }
        }
        final ChangeLog changeLog = context.changeLog();
        long added = 0;
        for (int i = 2; i < args.count(); i++)
        {
            final long result = add(keyspace, db, address, context.entry(), buffer, args.offset(i), args.length(i));
            if (result == Keyspace.OUT_OF_MEMORY)
            {
                if (added > 0)
                {
                    changeLog.endCommand();
                }
                if (size(keyspace, context.entry().wrap(address)) == 0)
                {
                    keyspace.delete(db, address);
                }
                reply.error(ErrorMessages.OOM);
                return;
            }
            if (result != 0)
            {
                address = result;
                if (added++ == 0)
                {
                    changeLog.beginCommand(db, SADD, buffer, args.offset(1), args.length(1));
                }
                changeLog.commandArg(buffer, args.offset(i), args.length(i));
            }
        }
        if (added > 0)
        {
            changeLog.endCommand();
            context.keyspaceEvents().notify(context, KeyspaceEvents.SET, "sadd", args, 1);
        }
        reply.integer(added);
    }

    private void srem(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = find(context, args, reply);
        if (address != WRONG_TYPE)
        {
            MemberRemoval.removeMembers(context, args, reply, address, this, SREM, KeyspaceEvents.SET, "srem");
        }
    }

    private void smembers(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findToRead(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address == Keyspace.NOT_FOUND)
        {
            reply.setHeader(0);
            return;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        final Keyspace keyspace = context.keyspace();
        reply.setHeader((int)size(keyspace, entry));
        if (entry.encoding() == ValueEncoding.SET_TABLE)
        {
            final MemberReplier replier = memberReplier;
            replier.reply = reply;
            keyspace.elementTables().forEach(tableId(entry), replier);
            replier.reply = null;
            return;
        }
        final UnsafeBuffer intset = entry.buffer();
        final int base = entry.valueOffset();
        for (int i = 0, count = Intset.count(intset, base); i < count; i++)
        {
            reply.bulk(digits, 0, AsciiNumbers.putLong(digits, 0, Intset.get(intset, base, i)));
        }
    }

    private void sismember(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findToRead(context, args, reply);
        if (address != WRONG_TYPE)
        {
            reply.integer(address != Keyspace.NOT_FOUND && contains(context, context.entry().wrap(address), args, 2) ?
                1 : 0);
        }
    }

    private void smismember(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findToRead(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        reply.arrayHeader(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            reply.integer(address != Keyspace.NOT_FOUND && contains(context, context.entry().wrap(address), args, i) ?
                1 : 0);
        }
    }

    private void scard(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findToRead(context, args, reply);
        if (address != WRONG_TYPE)
        {
            reply.integer(address == Keyspace.NOT_FOUND ? 0 : size(context.keyspace(), context.entry().wrap(address)));
        }
    }

    /**
     * SRANDMEMBER key [count], as Redis 7.0: a negative count may repeat members, a positive one does not (the whole
     * set when it holds no more).
     */
    private void srandmember(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() > 3)
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        long requested = 1;
        if (args.count() == 3)
        {
            if (!numbers.parseLong(args, 2))
            {
                reply.error(ErrorMessages.NOT_INTEGER);
                return;
            }
            requested = numbers.value();
            if (requested == Long.MIN_VALUE)
            {
                reply.error("ERR value is out of range, value must between -9223372036854775807 and " +
                    "9223372036854775807");
                return;
            }
        }
        final long address = findToRead(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address == Keyspace.NOT_FOUND)
        {
            if (args.count() == 2)
            {
                reply.nil();
            }
            else
            {
                reply.arrayHeader(0);
            }
            return;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        if (args.count() == 2)
        {
            pickRandom(context.keyspace(), entry, 1);
            replyPicked(entry, 0, reply);
            return;
        }
        final long size = size(context.keyspace(), entry);
        final long count = requested < 0 ? -requested : Math.min(requested, size);
        reply.arrayHeader((int)Math.min(count, Integer.MAX_VALUE));
        if (requested < 0)
        {
            for (long i = 0; i < count; i++)
            {
                pickRandom(context.keyspace(), entry, 1);
                replyPicked(entry, 0, reply);
            }
            return;
        }
        pickDistinct(context.keyspace(), entry, (int)count);
        for (int i = 0; i < count; i++)
        {
            replyPicked(entry, i, reply);
        }
    }

    /**
     * SPOP key [count], as Redis 7.0; logged as SREM of the members taken.
     */
    private void spop(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() > 3)
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        long requested = 1;
        if (args.count() == 3)
        {
            if (!numbers.parseLong(args, 2) || numbers.value() < 0)
            {
                reply.error("ERR value is out of range, must be positive");
                return;
            }
            requested = numbers.value();
        }
        long address = find(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address == Keyspace.NOT_FOUND || requested == 0)
        {
            if (args.count() == 2)
            {
                reply.nil();
            }
            else
            {
                reply.setHeader(0);
            }
            return;
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final EntryFlyweight entry = context.entry().wrap(address);
        final long size = size(keyspace, entry);
        final int count = (int)Math.min(requested, size);
        if (entry.encoding() == ValueEncoding.SET_INTSET && count < size && !keyspace.canResizeValue(address,
            (int)(Intset.HEADER_LENGTH + (size - count) * Intset.width(entry.buffer(), entry.valueOffset()))))
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        pickDistinct(keyspace, entry, count);
        if (args.count() == 3)
        {
            reply.setHeader(count);
        }
        final ChangeLog changeLog = context.changeLog();
        final DirectBuffer buffer = args.buffer();
        changeLog.beginCommand(db, SREM, buffer, args.offset(1), args.length(1));
        final boolean table = entry.encoding() == ValueEncoding.SET_TABLE;
        for (int i = 0; i < count; i++)
        {
            // The member's text is replied and logged before it is removed (a table element's memory goes with it).
            final int length = memberText(entry, i);
            reply.bulk(view, 0, length);
            changeLog.commandArg(view, 0, length);
            if (table)
            {
                keyspace.elementTables().delete(tableId(entry), picked[i]);
            }
        }
        changeLog.endCommand();
        context.keyspaceEvents().notify(context, KeyspaceEvents.SET, "spop", args, 1);
        if (!table)
        {
            // Rebuild the intset without the popped members: they are its values, so remove them one by one.
            for (int i = 0; i < count; i++)
            {
                entry.wrap(address);
                final int position = Intset.search(entry.buffer(), entry.valueOffset(), picked[i]);
                Intset.remove(entry.buffer(), entry.valueOffset(), position);
            }
            entry.wrap(address);
            if (Intset.count(entry.buffer(), entry.valueOffset()) > 0)
            {
                // Checked before anything was popped: this resize is not refused.
                address = keyspace.resizeValue(db, address, Intset.length(entry.buffer(), entry.valueOffset()));
            }
        }
        if (size(keyspace, entry.wrap(address)) == 0)
        {
            keyspace.delete(db, address);
            context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, 1);
        }
    }

    /**
     * SMOVE source destination member, as Redis 7.0; logged as SREM and SADD.
     */
    private void smove(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final long source = context.findKey(args, 1);
        final long destination = context.findKey(args, 2);
        if (source == Keyspace.NOT_FOUND)
        {
            reply.integer(0);
            return;
        }
        if (context.entry().wrap(source).type() != ValueType.SET ||
            (destination != Keyspace.NOT_FOUND && context.entry().wrap(destination).type() != ValueType.SET))
        {
            reply.error(ErrorMessages.WRONG_TYPE);
            return;
        }
        final EntryFlyweight entry = context.entry();
        if (source == destination)
        {
            reply.integer(contains(context, entry.wrap(source), args, 3) ? 1 : 0);
            return;
        }
        if (!contains(context, entry.wrap(source), args, 3))
        {
            reply.integer(0);
            return;
        }
        final DirectBuffer buffer = args.buffer();
        long target = destination;
        final KeyspaceEvents events = context.keyspaceEvents();
        if (target == Keyspace.NOT_FOUND)
        {
            // Redis creates the destination after taking the member out of the source: its "new" event comes later.
            final int mask = events.mask();
            events.mask(mask & ~KeyspaceEvents.NEW);
            target = numbers.parseLong(args, 3) ? createIntset(context, args, 2) : createTable(context, args, 2);
            events.mask(mask);
            if (target == Keyspace.OUT_OF_MEMORY)
            {
                reply.error(ErrorMessages.OOM);
                return;
            }
        }
        final long added = add(keyspace, db, target, entry, buffer, args.offset(3), args.length(3));
        if (added == Keyspace.OUT_OF_MEMORY)
        {
            if (size(keyspace, entry.wrap(target)) == 0)
            {
                keyspace.delete(db, target);
            }
            reply.error(ErrorMessages.OOM);
            return;
        }
        final long sourceNow = keyspace.lookup(db, buffer, args.offset(1), args.length(1));
        final long removed = removeMember(keyspace, db, sourceNow, entry, buffer, args.offset(3), args.length(3));
        events.notify(context, KeyspaceEvents.SET, "srem", args, 1);
        if (removed != 0 && removed != Keyspace.OUT_OF_MEMORY && size(keyspace, entry.wrap(removed)) == 0)
        {
            keyspace.delete(db, removed);
            events.notify(context, KeyspaceEvents.GENERIC, "del", args, 1);
        }
        if (destination == Keyspace.NOT_FOUND)
        {
            events.notify(context, KeyspaceEvents.NEW, "new", args, 2);
        }
        if (added != 0)
        {
            events.notify(context, KeyspaceEvents.SET, "sadd", args, 2);
        }
        final ChangeLog changeLog = context.changeLog();
        changeLog.beginCommand(db, SREM, buffer, args.offset(1), args.length(1));
        changeLog.commandArg(buffer, args.offset(3), args.length(3));
        changeLog.endCommand();
        changeLog.beginCommand(db, SADD, buffer, args.offset(2), args.length(2));
        changeLog.commandArg(buffer, args.offset(3), args.length(3));
        changeLog.endCommand();
        reply.integer(1);
    }

    /**
     * SSCAN key cursor [MATCH pattern] [COUNT count]: an intset is returned whole with cursor 0, a table is walked
     * with SCAN's cursor.
     */
    private void sscan(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = scan.keyToScan(context, args, ValueType.SET, reply);
        if (address == Keyspace.NOT_FOUND)
        {
            return;
        }
        final long cursor = scan.cursor();
        final int patternIndex = scan.patternIndex();
        final EntryFlyweight entry = context.entry().wrap(address);
        long next = 0;
        pickedCount = 0;
        if (entry.encoding() == ValueEncoding.SET_TABLE)
        {
            next = context.keyspace().elementTables().scan(tableId(entry), cursor, scan.count(),
                collector);
        }
        else
        {
            pickAll(context.keyspace(), entry);
        }
        int matched = 0;
        for (int i = 0; i < pickedCount; i++)
        {
            final int length = memberText(entry, i);
            if (patternIndex < 0 || GlobPattern.matches(args.buffer(), args.offset(patternIndex),
                args.length(patternIndex), view, 0, length))
            {
                picked[matched++] = picked[i];
            }
        }
        reply.arrayHeader(2);
        reply.bulk(digits, 0, AsciiNumbers.putLong(digits, 0, next));
        reply.arrayHeader(matched);
        for (int i = 0; i < matched; i++)
        {
            replyPicked(entry, i, reply);
        }
    }

    private void collect(final long value)
    {
        if (pickedCount == picked.length)
        {
            picked = java.util.Arrays.copyOf(picked, pickedCount * 2);
        }
        picked[pickedCount++] = value;
    }

    private void pickAll(final Keyspace keyspace, final EntryFlyweight entry)
    {
        pickedCount = 0;
        if (entry.encoding() == ValueEncoding.SET_TABLE)
        {
            keyspace.elementTables().forEach(tableId(entry), collector);
            return;
        }
        for (int i = 0, count = Intset.count(entry.buffer(), entry.valueOffset()); i < count; i++)
        {
            collect(Intset.get(entry.buffer(), entry.valueOffset(), i));
        }
    }

    private void pickRandom(final Keyspace keyspace, final EntryFlyweight entry, final int count)
    {
        pickedCount = 0;
        for (int i = 0; i < count; i++)
        {
            collect(entry.encoding() == ValueEncoding.SET_TABLE ?
                keyspace.elementTables().randomElement(tableId(entry)) :
                Intset.get(entry.buffer(), entry.valueOffset(),
                    random.nextInt(Intset.count(entry.buffer(), entry.valueOffset()))));
        }
    }

    /**
     * {@code count} distinct members at random. From a table, a few members of many are drawn one by one, skipping
     * repeats (as Redis's SPOP and SRANDMEMBER do for a count small against the set), so SPOP costs the same whatever
     * the set's size; otherwise a partial Fisher-Yates over all of them; all of them, in the set's order, when it
     * holds no more (as Redis returns the whole set).
     */
    private void pickDistinct(final Keyspace keyspace, final EntryFlyweight entry, final int count)
    {
        if (entry.encoding() == ValueEncoding.SET_TABLE && count <= DRAWN_ONE_BY_ONE_MAX &&
            (long)count * DRAWN_ONE_BY_ONE_SIZE_FACTOR <= size(keyspace, entry))
        {
            pickedCount = 0;
            while (pickedCount < count)
            {
                final long element = keyspace.elementTables().randomElement(tableId(entry));
                if (!picked(element))
                {
                    collect(element);
                }
            }
            return;
        }
        pickAll(keyspace, entry);
        if (count >= pickedCount)
        {
            return;
        }
        for (int i = 0; i < count; i++)
        {
            final int j = i + random.nextInt(pickedCount - i);
            final long swap = picked[i];
            picked[i] = picked[j];
            picked[j] = swap;
        }
        pickedCount = count;
    }

    private boolean picked(final long element)
    {
        for (int i = 0; i < pickedCount; i++)
        {
            if (picked[i] == element)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Make pick {@code i}'s member readable at {@link #view} index 0.
     *
     * @return its length.
     */
    private int memberText(final EntryFlyweight entry, final int i)
    {
        return memberText(picked[i], entry.encoding() == ValueEncoding.SET_TABLE, view, digits);
    }

    /**
     * Make a member readable at {@code view} index 0.
     *
     * @param member  an element's address, or an intset's value.
     * @param element whether {@code member} is an element's address.
     * @param view    to wrap the member's text.
     * @param digits  room for a value's decimal text.
     * @return its length.
     */
    static int memberText(final long member, final boolean element, final UnsafeBuffer view,
        final UnsafeBuffer digits)
    {
        if (element)
        {
            final int length = UnsafeApi.getInt(member + ElementDescriptor.KEY_LENGTH_OFFSET);
            view.wrap(member + ElementDescriptor.KEY_OFFSET, length);
            return length;
        }
        final int length = AsciiNumbers.putLong(digits, 0, member);
        view.wrap(digits, 0, length);
        return length;
    }

    private void replyPicked(final EntryFlyweight entry, final int i, final Reply reply)
    {
        reply.bulk(view, 0, memberText(entry, i));
    }

    /** Replies each member of a table set a walk visits. */
    private final class MemberReplier implements ElementTables.ElementVisitor
    {
        Reply reply;

        public void visitElement(final long element)
        {
            final int length = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
            view.wrap(element + ElementDescriptor.KEY_OFFSET, length);
            reply.bulk(view, 0, length);
        }
    }

    /**
     * Add a member.
     *
     * @return the entry's address from now on when it was added, 0 when it was there, or
     * {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    private long add(final Keyspace keyspace, final int db, final long address, final EntryFlyweight entry,
        final DirectBuffer member, final int offset, final int length)
    {
        entry.wrap(address);
        if (entry.encoding() == ValueEncoding.SET_INTSET)
        {
            if (numbers.parseLong(member, offset, length))
            {
                final long value = numbers.value();
                final int position = Intset.search(entry.buffer(), entry.valueOffset(), value);
                if (position >= 0)
                {
                    return 0;
                }
                final int newLength = Intset.lengthWith(entry.buffer(), entry.valueOffset(), value);
                final CollectionLimits limits = keyspace.collectionLimits();
                if (Intset.count(entry.buffer(), entry.valueOffset()) < limits.setMaxIntsetEntries() &&
                    limits.fitsInEntry(newLength))
                {
                    final long moved = keyspace.resizeValue(db, address, newLength);
                    if (moved == Keyspace.OUT_OF_MEMORY)
                    {
                        return moved;
                    }
                    entry.wrap(moved);
                    Intset.add(entry.buffer(), entry.valueOffset(), value, -position - 1);
                    return moved;
                }
            }
            final long converted = toTable(keyspace, db, address, entry);
            if (converted == Keyspace.OUT_OF_MEMORY)
            {
                return converted;
            }
            return add(keyspace, db, converted, entry, member, offset, length);
        }
        final ElementTables tables = keyspace.elementTables();
        final int id = tableId(entry);
        if (tables.find(id, member, offset, length) != 0)
        {
            return 0;
        }
        return tables.put(id, member, offset, length, ElementTables.NO_VALUE) == Keyspace.OUT_OF_MEMORY ?
            Keyspace.OUT_OF_MEMORY : address;
    }

    @Override
    public long memberCount(final Keyspace keyspace, final EntryFlyweight entry)
    {
        return size(keyspace, entry);
    }

    /**
     * Remove a member.
     *
     * @return the entry's address from now on when it was removed, 0 when it was not there, or
     * {@link Keyspace#OUT_OF_MEMORY} when the smaller intset's size class has no room (nothing changed).
     */
    @Override
    public long removeMember(final Keyspace keyspace, final int db, final long address, final EntryFlyweight entry,
        final DirectBuffer member, final int offset, final int length)
    {
        entry.wrap(address);
        if (entry.encoding() == ValueEncoding.SET_TABLE)
        {
            return keyspace.elementTables().delete(tableId(entry), member, offset, length) ? address : 0;
        }
        if (!numbers.parseLong(member, offset, length))
        {
            return 0;
        }
        final UnsafeBuffer intset = entry.buffer();
        final int position = Intset.search(intset, entry.valueOffset(), numbers.value());
        if (position < 0)
        {
            return 0;
        }
        final int newLength = entry.valueLength() - Intset.width(intset, entry.valueOffset());
        if (!keyspace.canResizeValue(address, newLength))
        {
            return Keyspace.OUT_OF_MEMORY;
        }
        Intset.remove(intset, entry.valueOffset(), position);
        final long moved = keyspace.resizeValue(db, address, newLength);
        entry.wrap(moved);
        return moved;
    }

    private boolean contains(final CommandContext context, final EntryFlyweight entry, final CommandArgs args,
        final int i)
    {
        final DirectBuffer buffer = args.buffer();
        if (entry.encoding() == ValueEncoding.SET_TABLE)
        {
            return context.keyspace().elementTables().find(tableId(entry), buffer, args.offset(i), args.length(i)) !=
                0;
        }
        return numbers.parseLong(args, i) && Intset.search(entry.buffer(), entry.valueOffset(), numbers.value()) >= 0;
    }

    private long createIntset(final CommandContext context, final CommandArgs args, final int keyIndex)
    {
        // An empty intset of the narrowest width: the first add() widens it as its member needs.
        final long address = context.keyspace().put(context.db(), args.buffer(), args.offset(keyIndex),
            args.length(keyIndex),
            ValueType.SET, ValueEncoding.SET_INTSET, Intset.HEADER_LENGTH, Keyspace.NO_EXPIRY);
        if (address != Keyspace.OUT_OF_MEMORY)
        {
            final EntryFlyweight entry = context.entry().wrap(address);
            entry.buffer().putInt(entry.valueOffset() + Intset.WIDTH_OFFSET, Short.BYTES);
            entry.buffer().putInt(entry.valueOffset() + Intset.COUNT_OFFSET, 0);
        }
        return address;
    }

    private long createTable(final CommandContext context, final CommandArgs args, final int keyIndex)
    {
        final Keyspace keyspace = context.keyspace();
        final int id = keyspace.elementTables().create(false);
        if (id == ElementTables.NO_TABLE)
        {
            return Keyspace.OUT_OF_MEMORY;
        }
        final long address = keyspace.put(context.db(), args.buffer(), args.offset(keyIndex), args.length(keyIndex),
            ValueType.SET, ValueEncoding.SET_TABLE, ValueEncoding.TABLE_ID_LENGTH, Keyspace.NO_EXPIRY);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            keyspace.elementTables().free(id);
            return address;
        }
        keyspace.adoptTable(address, id);
        return address;
    }

    /**
     * Convert an intset to a table of its members' decimal texts.
     *
     * @return the entry's address from now on, or {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    private long toTable(final Keyspace keyspace, final int db, final long address, final EntryFlyweight entry)
    {
        final ElementTables tables = keyspace.elementTables();
        final int id = tables.create(false);
        if (id == ElementTables.NO_TABLE)
        {
            return Keyspace.OUT_OF_MEMORY;
        }
        entry.wrap(address);
        final UnsafeBuffer intset = entry.buffer();
        final int base = entry.valueOffset();
        for (int i = 0, count = Intset.count(intset, base); i < count; i++)
        {
            final int length = AsciiNumbers.putLong(digits, 0, Intset.get(intset, base, i));
            if (tables.put(id, digits, 0, length, ElementTables.NO_VALUE) == Keyspace.OUT_OF_MEMORY)
            {
                tables.free(id);
                return Keyspace.OUT_OF_MEMORY;
            }
        }
        final long moved = keyspace.resizeValue(db, address, ValueEncoding.TABLE_ID_LENGTH);
        if (moved == Keyspace.OUT_OF_MEMORY)
        {
            tables.free(id);
            return moved;
        }
        keyspace.encoding(moved, ValueEncoding.SET_TABLE);
        keyspace.adoptTable(moved, id);
        entry.wrap(moved);
        return moved;
    }

    /**
     * DUMP of a set: an intset as RDB_TYPE_SET_INTSET (Redis's bytes), a table as RDB_TYPE_SET.
     *
     * @return the payload's length.
     */
    static int dump(final DumpPayloadWriter writer, final Keyspace keyspace, final EntryFlyweight entry,
        final MutableDirectBuffer dst, final int dstIndex)
    {
        if (entry.encoding() != ValueEncoding.SET_TABLE)
        {
            return writer.writeBlob(DumpPayloadDescriptor.TYPE_SET_INTSET, entry.buffer(), entry.valueOffset(),
                entry.valueLength(), dst, dstIndex);
        }
        final ElementTables tables = keyspace.elementTables();
        final int id = tableId(entry);
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        final int[] position = {writer.startCollection(DumpPayloadDescriptor.TYPE_SET, tables.size(id), dst,
            dstIndex)};
        tables.forEach(id, element ->
        {
            final int length = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
            view.wrap(element + ElementDescriptor.KEY_OFFSET, length);
            position[0] = writer.appendString(view, 0, length, dst, position[0]);
        });
        return writer.finish(dst, dstIndex, position[0]);
    }

    /**
     * @return the member count of a set entry.
     */
    static long size(final Keyspace keyspace, final EntryFlyweight entry)
    {
        return entry.encoding() == ValueEncoding.SET_TABLE ? keyspace.elementTables().size(tableId(entry)) :
            Intset.count(entry.buffer(), entry.valueOffset());
    }

    static int tableId(final EntryFlyweight entry)
    {
        return entry.buffer().getInt(entry.valueOffset());
    }

    private static long findToRead(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        return context.readKeyOfType(args, 1, ValueType.SET, reply);
    }

    private static long find(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        return context.findKeyOfType(args, 1, ValueType.SET, reply);
    }
}
