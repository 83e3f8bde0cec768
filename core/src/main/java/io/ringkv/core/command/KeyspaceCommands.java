package io.ringkv.core.command;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.FAST;
import static io.ringkv.core.command.Command.KEYSPACE;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * Generic key commands with Redis 7 semantics: DEL UNLINK EXISTS TYPE TOUCH RENAME RENAMENX COPY KEYS SCAN
 * RANDOMKEY. Stateless; the handlers run on the engine thread.
 */
public final class KeyspaceCommands
{
    private static final byte[] REPLACE = {'R', 'E', 'P', 'L', 'A', 'C', 'E'};
    private static final byte[] DB = {'D', 'B'};
    private static final byte[] MATCH = {'M', 'A', 'T', 'C', 'H'};
    private static final byte[] COUNT = {'C', 'O', 'U', 'N', 'T'};
    private static final byte[] TYPE = {'T', 'Y', 'P', 'E'};
    private static final byte[] NONE = "none".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] TYPE_NAMES = new byte[256][];

    static
    {
        TYPE_NAMES[ValueType.STRING] = "string".getBytes(StandardCharsets.US_ASCII);
        TYPE_NAMES[ValueType.LIST] = "list".getBytes(StandardCharsets.US_ASCII);
        TYPE_NAMES[ValueType.SET] = "set".getBytes(StandardCharsets.US_ASCII);
        TYPE_NAMES[ValueType.ZSET] = "zset".getBytes(StandardCharsets.US_ASCII);
        TYPE_NAMES[ValueType.HASH] = "hash".getBytes(StandardCharsets.US_ASCII);
        TYPE_NAMES[ValueType.JSON] = "json".getBytes(StandardCharsets.US_ASCII);
    }

    private static final int SCAN_DEFAULT_COUNT = 10;

    private KeyspaceCommands()
    {
    }

    /**
     * @param table to register DEL, EXISTS... in.
     */
    public static void register(final CommandTable table)
    {
        table.register("del", -2, WRITE, KeyspaceCommands::del);
        table.register("unlink", -2, WRITE | FAST, KeyspaceCommands::unlink);
        table.register("exists", -2, READONLY | FAST, KeyspaceCommands::exists);
        table.register("touch", -2, READONLY | FAST, KeyspaceCommands::exists);
        table.register("type", 2, READONLY | FAST, KeyspaceCommands::type);
        table.register("rename", 3, WRITE, KeyspaceCommands::rename);
        table.register("renamenx", 3, WRITE | FAST, KeyspaceCommands::renamenx);
        table.register("copy", -3, WRITE | DENY_OOM, KeyspaceCommands::copy);
        table.register("move", 3, WRITE | FAST, KeyspaceCommands::move);
        table.register("keys", 2, READONLY | KEYSPACE, KeyspaceCommands::keys);
        table.register("scan", -2, READONLY, KeyspaceCommands::scan);
        table.register("randomkey", 1, READONLY, KeyspaceCommands::randomkey);
    }

    /**
     * @param type a ValueType id.
     * @return its name as TYPE prints it.
     */
    public static byte[] typeName(final byte type)
    {
        final byte[] name = TYPE_NAMES[type & 0xFF];
        return name != null ? name : NONE;
    }

    static void del(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        delete(context, args, false, reply);
    }

    /**
     * UNLINK: as DEL, but a large value's elements are freed later, a bounded number per engine tick.
     */
    static void unlink(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        delete(context, args, true, reply);
    }

    private static void delete(final CommandContext context, final CommandArgs args, final boolean lazily,
        final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final ChangeLog changeLog = context.changeLog();
        final int db = context.db();
        final long nowMs = context.nowMs();
        final DirectBuffer buffer = args.buffer();
        long deleted = 0;
        for (int i = 1, count = args.count(); i < count; i++)
        {
            // find first: an expired key is reclaimed (and logged) as expired, not counted as deleted.
            final long address = keyspace.find(db, buffer, args.offset(i), args.length(i), nowMs);
            if (address != Keyspace.NOT_FOUND)
            {
                if (lazily)
                {
                    keyspace.unlink(db, address);
                }
                else
                {
                    keyspace.delete(db, address);
                }
                changeLog.delete(db, buffer, args.offset(i), args.length(i), false);
                context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, i);
                deleted++;
            }
        }
        reply.integer(deleted);
    }

    static void exists(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final long nowMs = context.nowMs();
        long found = 0;
        for (int i = 1, count = args.count(); i < count; i++)
        {
            if (context.readKey(args, i) != Keyspace.NOT_FOUND)
            {
                found++;
            }
        }
        reply.integer(found);
    }

    static void type(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = context.readKey(args, 1);
        reply.simpleString(address == Keyspace.NOT_FOUND ? NONE : typeName(context.entry().wrap(address).type()));
    }

    static void rename(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        renameGeneric(context, args, false, reply);
    }

    static void renamenx(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        renameGeneric(context, args, true, reply);
    }

    private static void renameGeneric(final CommandContext context, final CommandArgs args, final boolean nx,
        final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final long nowMs = context.nowMs();
        final DirectBuffer buffer = args.buffer();
        final long source = keyspace.find(db, buffer, args.offset(1), args.length(1), nowMs);
        if (source == Keyspace.NOT_FOUND)
        {
            reply.error(ErrorMessages.NO_SUCH_KEY);
            return;
        }
        if (sameBytes(buffer, args.offset(1), args.length(1), buffer, args.offset(2), args.length(2)))
        {
            if (nx)
            {
                reply.integer(0);
            }
            else
            {
                reply.ok();
            }
            return;
        }
        // Redis deletes an existing target and adds the key anew: a "new" event even when the target existed.
        final boolean targetExists =
            keyspace.find(db, buffer, args.offset(2), args.length(2), nowMs) != Keyspace.NOT_FOUND;
        if (nx && targetExists)
        {
            reply.integer(0);
            return;
        }
        if (copyEntry(context, db, source, db, buffer, args.offset(2), args.length(2)) != Keyspace.OUT_OF_MEMORY)
        {
            // The target holds the value now (a large value's table moved with its id).
            keyspace.deleteKeepingValue(db, keyspace.find(db, buffer, args.offset(1), args.length(1), nowMs));
        }
        else if (!moveThroughScratch(context, db, source, db, buffer, args.offset(2), args.length(2)))
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        context.changeLog().rename(db, buffer, args.offset(1), args.length(1), buffer, args.offset(2), args.length(2));
        if (targetExists)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.NEW, "new", args, 2);
        }
        context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "rename_from", args, 1);
        context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "rename_to", args, 2);
        if (nx)
        {
            reply.integer(1);
        }
        else
        {
            reply.ok();
        }
    }

    /**
     * RENAME (and MOVE) at the memory limit: Redis moves the value without allocating, so they must not fail for want of
     * room for a second copy. Park the source in scratch space, free it, then create the target; if even that
     * does not fit, put the source back (its freed block is reused) and report OOM with nothing changed.
     *
     * @return true when the key was moved.
     */
    private static boolean moveThroughScratch(final CommandContext context, final int db, final long source,
        final int targetDb, final DirectBuffer target, final int targetOffset, final int targetLength)
    {
        final Keyspace keyspace = context.keyspace();
        final EntryFlyweight from = context.otherEntry().wrap(source);
        final int keyLength = from.keyLength();
        final int valueLength = from.valueLength();
        final byte type = from.type();
        final byte encoding = from.encoding();
        final long expireAtMs = from.expireAtMs();
        final MutableDirectBuffer scratch = context.scratch(keyLength + valueLength);
        scratch.putBytes(0, from.buffer(), from.keyOffset(), keyLength);
        scratch.putBytes(keyLength, from.buffer(), from.valueOffset(), valueLength);
        keyspace.deleteKeepingValue(db, source);
        long address =
            keyspace.put(targetDb, target, targetOffset, targetLength, type, encoding, valueLength, expireAtMs);
        final boolean moved = address != Keyspace.OUT_OF_MEMORY;
        if (!moved)
        {
            address = keyspace.put(db, scratch, 0, keyLength, type, encoding, valueLength, expireAtMs);
        }
        final EntryFlyweight to = context.entry().wrap(address);
        if (valueLength > 0)
        {
            to.buffer().putBytes(to.valueOffset(), scratch, keyLength, valueLength);
        }
        return moved;
    }

    /**
     * Put a copy of the source entry (type, encoding, value, expiry) under the target key, replacing it.
     *
     * @return the new entry's address or {@link Keyspace#OUT_OF_MEMORY}.
     */
    private static long copyEntry(final CommandContext context, final int sourceDb, final long source,
        final int targetDb, final DirectBuffer target, final int targetOffset, final int targetLength)
    {
        final Keyspace keyspace = context.keyspace();
        final EntryFlyweight from = context.otherEntry().wrap(source);
        final int valueLength = from.valueLength();
        final long address = keyspace.put(targetDb, target, targetOffset, targetLength, from.type(), from.encoding(),
            valueLength, from.expireAtMs());
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            return address;
        }
        final EntryFlyweight to = context.entry().wrap(address);
        if (valueLength > 0)
        {
            to.buffer().putBytes(to.valueOffset(), from.buffer(), from.valueOffset(), valueLength);
        }
        return address;
    }

    /**
     * MOVE key db: the key, its value and its TTL go to another database, unless the key is there already.
     * Replicated as a COPY to the target database followed by a DEL in the source.
     */
    static void move(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final int sourceDb = context.db();
        if (!context.numbers().parseIntOrReply(args, 2, reply))
        {
            return;
        }
        final long targetDb = context.numbers().value();
        if (targetDb < 0 || targetDb >= keyspace.databases())
        {
            reply.error(ErrorMessages.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        if (targetDb == sourceDb)
        {
            reply.error(ErrorMessages.SAME_OBJECT);
            return;
        }
        final DirectBuffer buffer = args.buffer();
        final long nowMs = context.nowMs();
        if (keyspace.find(sourceDb, buffer, args.offset(1), args.length(1), nowMs) == Keyspace.NOT_FOUND ||
            keyspace.find((int)targetDb, buffer, args.offset(1), args.length(1), nowMs) != Keyspace.NOT_FOUND)
        {
            reply.integer(0);
            return;
        }
        // find() of the target may have reclaimed an expired entry; look the source up again to be safe.
        final long source = keyspace.find(sourceDb, buffer, args.offset(1), args.length(1), nowMs);
        if (copyEntry(context, sourceDb, source, (int)targetDb, buffer, args.offset(1), args.length(1)) !=
            Keyspace.OUT_OF_MEMORY)
        {
            // The target holds the value now (a large value's table moved with its id).
            keyspace.deleteKeepingValue(sourceDb,
                keyspace.find(sourceDb, buffer, args.offset(1), args.length(1), nowMs));
        }
        else if (!moveThroughScratch(context, sourceDb, source, (int)targetDb, buffer, args.offset(1),
            args.length(1)))
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        context.changeLog().copy(sourceDb, buffer, args.offset(1), args.length(1),
            (int)targetDb, buffer, args.offset(1), args.length(1), false);
        context.changeLog().delete(sourceDb, buffer, args.offset(1), args.length(1), false);
        context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "move_from", args, 1);
        context.keyspaceEvents().notify(
            KeyspaceEvents.GENERIC, "move_to", (int)targetDb, buffer, args.offset(1), args.length(1));
        reply.integer(1);
    }

    static void copy(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final int sourceDb = context.db();
        int targetDb = sourceDb;
        boolean replace = false;
        final int count = args.count();
        for (int j = 3; j < count; j++)
        {
            if (args.equalsIgnoreCase(j, REPLACE))
            {
                replace = true;
            }
            else if (args.equalsIgnoreCase(j, DB) && j + 1 < count)
            {
                if (!context.numbers().parseIntOrReply(args, j + 1, reply))
                {
                    return;
                }
                targetDb = (int)context.numbers().value();
                if (targetDb < 0 || targetDb >= keyspace.databases())
                {
                    reply.error(ErrorMessages.DB_INDEX_OUT_OF_RANGE);
                    return;
                }
                j++;
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        final DirectBuffer buffer = args.buffer();
        if (sourceDb == targetDb &&
            sameBytes(buffer, args.offset(1), args.length(1), buffer, args.offset(2), args.length(2)))
        {
            reply.error(ErrorMessages.SAME_OBJECT);
            return;
        }
        final long nowMs = context.nowMs();
        final long source = context.readKey(args, 1);
        if (source == Keyspace.NOT_FOUND)
        {
            reply.integer(0);
            return;
        }
        final boolean targetExists =
            keyspace.find(targetDb, buffer, args.offset(2), args.length(2), nowMs) != Keyspace.NOT_FOUND;
        if (targetExists && !replace)
        {
            reply.integer(0);
            return;
        }
        // find() of the target may have reclaimed an expired entry; look the source up again to be safe.
        final long sourceAgain = keyspace.find(sourceDb, buffer, args.offset(1), args.length(1), nowMs);
        // A large value's elements are copied first, so that running out of room changes nothing.
        final boolean table = Keyspace.hasTableValue(sourceAgain);
        final int tableCopy = table ? keyspace.copyTable(sourceAgain) : ElementTables.NO_TABLE;
        if (table && tableCopy == ElementTables.NO_TABLE)
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        final long copied = copyEntry(context, sourceDb, sourceAgain, targetDb, buffer, args.offset(2),
            args.length(2));
        if (copied == Keyspace.OUT_OF_MEMORY)
        {
            if (table)
            {
                keyspace.elementTables().free(tableCopy);
            }
            reply.error(ErrorMessages.OOM);
            return;
        }
        if (table)
        {
            keyspace.adoptTable(copied, tableCopy);
        }
        context.changeLog().copy(sourceDb, buffer, args.offset(1), args.length(1),
            targetDb, buffer, args.offset(2), args.length(2), targetExists);
        if (targetExists)
        {
            context.keyspaceEvents().notify(
                KeyspaceEvents.NEW, "new", targetDb, buffer, args.offset(2), args.length(2));
        }
        context.keyspaceEvents().notify(
            KeyspaceEvents.GENERIC, "copy_to", targetDb, buffer, args.offset(2), args.length(2));
        reply.integer(1);
    }

    static void keys(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final KeyCollector collector = context.keyCollector();
        collector.reset(args.buffer(), args.offset(1), args.length(1), KeyCollector.anyType());
        final long nowMs = context.nowMs();
        final EntryFlyweight entry = context.otherEntry();
        // As Redis's KEYS: an expired key is skipped, not reclaimed (SCAN reclaims it, with its "expired" event).
        context.keyspace().forEachEntry(context.db(), address ->
        {
            final long expireAtMs = entry.wrap(address).expireAtMs();
            if (expireAtMs == Keyspace.NO_EXPIRY || nowMs <= expireAtMs)
            {
                collector.visit(address);
            }
        });
        replyKeys(collector, reply);
    }

    static void scan(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        // Redis's parseScanCursorOrReply: any 64-bit cursor is valid (the store masks the bits it uses).
        if (!context.numbers().parseStrtoul(args, 1))
        {
            reply.error(ErrorMessages.INVALID_CURSOR);
            return;
        }
        final long cursor = context.numbers().value();
        long count = SCAN_DEFAULT_COUNT;
        int patternIndex = -1;
        int type = KeyCollector.anyType();
        final int argCount = args.count();
        for (int j = 2; j < argCount; j += 2)
        {
            if (j + 1 >= argCount)
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
            if (args.equalsIgnoreCase(j, COUNT))
            {
                if (!context.numbers().parseLong(args, j + 1))
                {
                    reply.error(ErrorMessages.NOT_INTEGER);
                    return;
                }
                count = context.numbers().value();
                if (count < 1)
                {
                    reply.error(ErrorMessages.SYNTAX);
                    return;
                }
            }
            else if (args.equalsIgnoreCase(j, MATCH))
            {
                patternIndex = j + 1;
            }
            else if (args.equalsIgnoreCase(j, TYPE))
            {
                type = KeyCollector.typeByName(args.asString(j + 1));
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        final KeyCollector collector = context.keyCollector();
        if (patternIndex < 0)
        {
            collector.reset(null, 0, 0, type);
        }
        else
        {
            collector.reset(args.buffer(), args.offset(patternIndex), args.length(patternIndex), type);
        }
        final long next = context.keyspace().scan(
            context.db(), cursor, (int)Math.min(count, Integer.MAX_VALUE), collector, context.nowMs());
        reply.arrayHeader(2);
        if (next >= 0)
        {
            final MutableDirectBuffer scratch = context.scratch(AsciiNumbers.MAX_LONG_DIGITS);
            reply.bulk(scratch, 0, AsciiNumbers.putLong(scratch, 0, next));
        }
        else
        {
            reply.bulk(Long.toUnsignedString(next).getBytes(StandardCharsets.US_ASCII));
        }
        replyKeys(collector, reply);
    }

    static void randomkey(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = context.keyspace().randomEntry(context.db(), context.nowMs());
        if (address == Keyspace.NOT_FOUND)
        {
            reply.nil();
            return;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        reply.bulk(entry.buffer(), entry.keyOffset(), entry.keyLength());
    }

    private static void replyKeys(final KeyCollector collector, final Reply reply)
    {
        final int count = collector.count();
        reply.arrayHeader(count);
        final DirectBuffer keys = collector.keys();
        for (int i = 0; i < count; i++)
        {
            reply.bulk(keys, collector.offset(i), collector.length(i));
        }
    }

    static boolean sameBytes(final DirectBuffer a, final int aOffset, final int aLength,
        final DirectBuffer b, final int bOffset, final int bLength)
    {
        if (aLength != bLength)
        {
            return false;
        }
        for (int i = 0; i < aLength; i++)
        {
            if (a.getByte(aOffset + i) != b.getByte(bOffset + i))
            {
                return false;
            }
        }
        return true;
    }
}
