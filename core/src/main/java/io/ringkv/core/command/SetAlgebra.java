package io.ringkv.core.command;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.store.CollectionLimits;
import io.ringkv.core.store.ElementDescriptor;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Intset;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * Set algebra with Redis 7.0's semantics and error texts: SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
 * SDIFFSTORE. Every key is checked for WRONGTYPE first; a missing key is an empty set. The result is gathered as
 * picks (an intset value or an element address of one source), each member once: SINTER walks the smallest source
 * and keeps what all others hold; SDIFF walks the first and keeps what no other holds; SUNION walks each source and
 * keeps what no earlier one holds. A STORE builds the destination whole (an intset when every member is an integer
 * and there are at most {@code set-max-intset-entries} of them, else an element table, as Redis's setTypeAdd into a
 * fresh intset decides) before it replaces the old key, so a destination that is also a source is read intact; an
 * empty result deletes the destination. A STORE that changed something is logged as the command itself, as Redis
 * propagates it: the replica, holding the same sources, computes the same set.
 * <p>
 * Only the engine thread calls it; it allocates nothing once its scratch arrays have grown to the sets it sees.
 */
final class SetAlgebra
{
    private static final int INTER = 0;
    private static final int UNION = 1;
    private static final int DIFF = 2;
    private static final long WRONG_TYPE = -2;
    private static final byte[] LIMIT = {'L', 'I', 'M', 'I', 'T'};
    private static final byte[] SINTERSTORE = "sinterstore".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SUNIONSTORE = "sunionstore".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SDIFFSTORE = "sdiffstore".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final AsciiNumbers numbers = new AsciiNumbers();
    /** The current candidate member's text. */
    private final UnsafeBuffer candidate = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer candidateDigits = new UnsafeBuffer(new byte[AsciiNumbers.MAX_LONG_DIGITS]);
    private final ElementTables.ElementVisitor elementCollector = this::collectElement;

    /** The sources' entry addresses ({@link Keyspace#NOT_FOUND} for a missing key). */
    private long[] sources = new long[8];
    private int sourceCount;
    /** Picks: an intset value, or an element address when {@link #pickedElement}. */
    private long[] picked = new long[64];
    private boolean[] pickedElement = new boolean[64];
    private int pickedCount;
    private long[] integers = new long[64];
    /** A table source's element addresses, gathered before they are looked up elsewhere (a lookup steps a resize). */
    private long[] elements = new long[64];
    private int elementCount;

    // The walk in progress.
    private Keyspace keyspace;
    private EntryFlyweight entry;
    private int operation;
    private int walked;
    private boolean countOnly;
    private long limit;

    static void register(final CommandTable table)
    {
        final SetAlgebra algebra = new SetAlgebra();
        table.register("sinter", -2, READONLY, algebra::sinter);
        table.register("sintercard", -3, READONLY, algebra::sintercard);
        table.register("sinterstore", -3, WRITE | DENY_OOM, algebra::sinterstore);
        table.register("sunion", -2, READONLY, algebra::sunion);
        table.register("sunionstore", -3, WRITE | DENY_OOM, algebra::sunionstore);
        table.register("sdiff", -2, READONLY, algebra::sdiff);
        table.register("sdiffstore", -3, WRITE | DENY_OOM, algebra::sdiffstore);
    }

    private void sinter(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        compute(context, args, INTER, 1, args.count(), reply, false, 0);
    }

    private void sunion(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        compute(context, args, UNION, 1, args.count(), reply, false, 0);
    }

    private void sdiff(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        compute(context, args, DIFF, 1, args.count(), reply, false, 0);
    }

    private void sinterstore(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        store(context, args, INTER, SINTERSTORE, reply);
    }

    private void sunionstore(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        store(context, args, UNION, SUNIONSTORE, reply);
    }

    private void sdiffstore(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        store(context, args, DIFF, SDIFFSTORE, reply);
    }

    /**
     * SINTERCARD numkeys key [key ...] [LIMIT limit], as Redis 7.0 parses it (the last LIMIT wins; 0 is none).
     */
    private void sintercard(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (!numbers.parseLong(args, 1) || numbers.value() < 1)
        {
            reply.error("ERR numkeys should be greater than 0");
            return;
        }
        final long numKeys = numbers.value();
        if (numKeys > args.count() - 2)
        {
            reply.error("ERR Number of keys can't be greater than number of args");
            return;
        }
        long cardLimit = 0;
        for (int j = 2 + (int)numKeys; j < args.count(); j++)
        {
            if (args.equalsIgnoreCase(j, LIMIT) && j + 1 < args.count())
            {
                j++;
                if (!numbers.parseLong(args, j) || numbers.value() < 0)
                {
                    reply.error("ERR LIMIT can't be negative");
                    return;
                }
                cardLimit = numbers.value();
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        if (compute(context, args, INTER, 2, 2 + (int)numKeys, reply, true, cardLimit))
        {
            reply.integer(pickedCount);
        }
    }

    private void store(final CommandContext context, final CommandArgs args, final int operation, final byte[] name,
        final Reply reply)
    {
        if (!compute(context, args, operation, 2, args.count(), null, false, 0))
        {
            reply.error(ErrorMessages.WRONG_TYPE);
            return;
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final DirectBuffer buffer = args.buffer();
        if (pickedCount == 0)
        {
            // As Redis's dbDelete: the destination goes even when it has expired unseen ("del", not "expired").
            if (!keyspace.delete(db, buffer, args.offset(1), args.length(1)))
            {
                reply.integer(0);
                return;
            }
            context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, 1);
        }
        else if (!(isIntsetResult(keyspace.collectionLimits()) ? storeIntset(context, args) : storeTable(context, args)))
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        final ChangeLog changeLog = context.changeLog();
        changeLog.beginCommand(db, name, buffer, args.offset(1), args.length(1));
        for (int i = 2; i < args.count(); i++)
        {
            changeLog.commandArg(buffer, args.offset(i), args.length(i));
        }
        changeLog.endCommand();
        if (pickedCount > 0)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.SET,
                operation == INTER ? "sinterstore" : operation == UNION ? "sunionstore" : "sdiffstore", args, 1);
        }
        reply.integer(pickedCount);
    }

    /**
     * Gather the result of {@code operation} over the keys at {@code [first, end)} into the picks, then reply them
     * as a set when {@code reply} is not null and not {@code countOnly}.
     *
     * @return false after a WRONGTYPE (replied when {@code reply} is not null).
     */
    private boolean compute(final CommandContext context, final CommandArgs args, final int operation,
        final int first, final int end, final Reply reply, final boolean countOnly, final long limit)
    {
        pickedCount = 0;
        sourceCount = 0;
        for (int i = first; i < end; i++)
        {
            final long address = context.readKey(args, i);
            if (address != Keyspace.NOT_FOUND && context.entry().wrap(address).type() != ValueType.SET)
            {
                if (reply != null)
                {
                    reply.error(ErrorMessages.WRONG_TYPE);
                }
                return false;
            }
            if (sourceCount == sources.length)
            {
                sources = Arrays.copyOf(sources, sourceCount * 2);
            }
            sources[sourceCount++] = address;
        }
        this.keyspace = context.keyspace();
        this.entry = context.entry();
        this.operation = operation;
        this.countOnly = countOnly;
        this.limit = limit;
        switch (operation)
        {
            case INTER ->
            {
                int smallest = 0;
                boolean anyMissing = false;
                for (int i = 0; i < sourceCount; i++)
                {
                    anyMissing |= sources[i] == Keyspace.NOT_FOUND;
                    if (!anyMissing && size(sources[i]) < size(sources[smallest]))
                    {
                        smallest = i;
                    }
                }
                if (!anyMissing)
                {
                    walk(smallest);
                }
            }
            case DIFF -> walk(0);
            default ->
            {
                for (int i = 0; i < sourceCount; i++)
                {
                    walk(i);
                }
            }
        }
        this.keyspace = null;
        this.entry = null;
        if (reply != null && !countOnly)
        {
            reply.setHeader(pickedCount);
            for (int i = 0; i < pickedCount; i++)
            {
                reply.bulk(candidate, 0, pickText(i));
            }
        }
        return true;
    }

    private long size(final long address)
    {
        return SetCommands.size(keyspace, entry.wrap(address));
    }

    /**
     * Consider each member of source {@code index}.
     */
    private void walk(final int index)
    {
        final long address = sources[index];
        if (address == Keyspace.NOT_FOUND)
        {
            return;
        }
        walked = index;
        entry.wrap(address);
        if (entry.encoding() == ValueEncoding.SET_TABLE)
        {
            // Gathered first: a find in another table (or this one) moves buckets of a table being resized, which
            // a walk in progress would then miss or see twice.
            elementCount = 0;
            keyspace.elementTables().forEach(SetCommands.tableId(entry), elementCollector);
            for (int i = 0; i < elementCount; i++)
            {
                considerElement(elements[i]);
            }
            return;
        }
        for (int i = 0, count = Intset.count(entry.wrap(address).buffer(), entry.valueOffset()); i < count; i++)
        {
            final long value = Intset.get(entry.wrap(address).buffer(), entry.valueOffset(), i);
            candidate.wrap(candidateDigits, 0, AsciiNumbers.putLong(candidateDigits, 0, value));
            consider(true, value, false, value, candidate.capacity());
        }
    }

    private void collectElement(final long element)
    {
        if (elementCount == elements.length)
        {
            elements = Arrays.copyOf(elements, elementCount * 2);
        }
        elements[elementCount++] = element;
    }

    private void considerElement(final long element)
    {
        final int length = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
        candidate.wrap(element + ElementDescriptor.KEY_OFFSET, length);
        final boolean integer = numbers.parseLong(candidate, 0, length);
        consider(integer, integer ? numbers.value() : 0, true, element, length);
    }

    /**
     * Keep the candidate now in {@link #candidate} when the operation says so.
     */
    private void consider(final boolean integer, final long value, final boolean element, final long pick,
        final int length)
    {
        if (limit > 0 && pickedCount >= limit)
        {
            return;
        }
        final int operation = this.operation;
        for (int i = operation == INTER ? 0 : operation == DIFF ? 1 : 0; i < (operation == UNION ? walked :
            sourceCount); i++)
        {
            if (i == walked || sources[i] == Keyspace.NOT_FOUND)
            {
                continue;
            }
            final boolean holds = holds(sources[i], integer, value, length);
            if (holds != (operation == INTER))
            {
                return;
            }
        }
        if (!countOnly)
        {
            if (pickedCount == picked.length)
            {
                picked = Arrays.copyOf(picked, pickedCount * 2);
                pickedElement = Arrays.copyOf(pickedElement, pickedCount * 2);
            }
            picked[pickedCount] = pick;
            pickedElement[pickedCount] = element;
        }
        pickedCount++;
    }

    /**
     * @return true when the set at {@code address} holds the candidate ({@link #candidate}'s text, or
     * {@code value} when it is an integer).
     */
    private boolean holds(final long address, final boolean integer, final long value, final int length)
    {
        final EntryFlyweight set = entry.wrap(address);
        if (set.encoding() == ValueEncoding.SET_TABLE)
        {
            return keyspace.elementTables().find(SetCommands.tableId(set), candidate, 0, length) != 0;
        }
        return integer && Intset.search(set.buffer(), set.valueOffset(), value) >= 0;
    }

    /**
     * Make pick {@code i}'s member readable at {@link #candidate} index 0.
     *
     * @return its length.
     */
    private int pickText(final int i)
    {
        return SetCommands.memberText(picked[i], pickedElement[i], candidate, candidateDigits);
    }

    /**
     * @return true when Redis would keep the result an intset: every member an integer, no more than the limit; the
     * values are then in {@link #integers}.
     */
    private boolean isIntsetResult(final CollectionLimits limits)
    {
        if (pickedCount > limits.setMaxIntsetEntries() ||
            !limits.fitsInEntry(Intset.HEADER_LENGTH + (long)pickedCount * Long.BYTES))
        {
            return false;
        }
        if (integers.length < pickedCount)
        {
            integers = new long[picked.length];
        }
        for (int i = 0; i < pickedCount; i++)
        {
            if (pickedElement[i])
            {
                final int length = pickText(i);
                if (!numbers.parseLong(candidate, 0, length))
                {
                    return false;
                }
                integers[i] = numbers.value();
            }
            else
            {
                integers[i] = picked[i];
            }
        }
        return true;
    }

    private boolean storeIntset(final CommandContext context, final CommandArgs args)
    {
        Arrays.sort(integers, 0, pickedCount);
        final long address = context.keyspace().put(context.db(), args.buffer(), args.offset(1), args.length(1),
            ValueType.SET, ValueEncoding.SET_INTSET,
            Intset.HEADER_LENGTH + pickedCount * Intset.widthFor(integers, pickedCount), Keyspace.NO_EXPIRY);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            return false;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        Intset.writeSorted(entry.buffer(), entry.valueOffset(), integers, pickedCount);
        return true;
    }

    private boolean storeTable(final CommandContext context, final CommandArgs args)
    {
        final Keyspace keyspace = context.keyspace();
        final ElementTables tables = keyspace.elementTables();
        final int id = tables.create(false);
        if (id == ElementTables.NO_TABLE)
        {
            return false;
        }
        for (int i = 0; i < pickedCount; i++)
        {
            final int length = pickText(i);
            if (tables.put(id, candidate, 0, length, ElementTables.NO_VALUE) == Keyspace.OUT_OF_MEMORY)
            {
                tables.free(id);
                return false;
            }
        }
        final long address = keyspace.put(context.db(), args.buffer(), args.offset(1), args.length(1),
            ValueType.SET, ValueEncoding.SET_TABLE, ValueEncoding.TABLE_ID_LENGTH, Keyspace.NO_EXPIRY);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            tables.free(id);
            return false;
        }
        keyspace.adoptTable(address, id);
        return true;
    }
}
