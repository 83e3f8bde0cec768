package io.ringkv.core.command;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.json.JsonDocuments;
import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.DumpPayloadReader;
import io.ringkv.core.rdb.DumpPayloadWriter;
import io.ringkv.core.store.CollectionLimits;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.EntryDescriptor;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ListNodeDescriptor;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.Quicklists;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * DUMP and RESTORE with Redis 7's semantics and error texts, over the byte-compatible payloads of
 * {@code io.ringkv.core.rdb} (see docs/dump-format.md). RESTORE parses its options, checks BUSYKEY, the TTL and the
 * whole payload (and, for a json document, the JSON) before it touches the keyspace, so every error changes
 * nothing. The restored key is logged as a SET with its expiry (a hash or set as its state), so replicas see it.
 * <p>
 * Also the pieces MIGRATE (in net) needs: {@link #dumpKey} and {@link #deleteKey}.
 * <p>
 * Stateless; only the engine thread calls it. The context's {@link DumpPayloadWriter}, {@link DumpPayloadReader}
 * and scratch are reused, so the string paths allocate nothing once warm.
 */
public final class DumpCommands
{
    /** {@link #dumpKey} result: the key does not exist (or has expired). */
    public static final int NO_KEY = -1;

    static final String BUSY_KEY = "BUSYKEY Target key name already exists.";
    static final String INVALID_TTL = "ERR Invalid TTL value, must be >= 0";
    static final String INVALID_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0";
    static final String INVALID_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255";

    private static final byte[] REPLACE = {'R', 'E', 'P', 'L', 'A', 'C', 'E'};
    private static final byte[] ABSTTL = {'A', 'B', 'S', 'T', 'T', 'L'};
    private static final byte[] IDLETIME = {'I', 'D', 'L', 'E', 'T', 'I', 'M', 'E'};
    private static final byte[] FREQ = {'F', 'R', 'E', 'Q'};
    private static final int MAX_FREQ = 255;
    private static final int INTEGER_DIGITS = 20;

    private DumpCommands()
    {
    }

    /**
     * @param table to register DUMP and RESTORE in.
     */
    public static void register(final CommandTable table)
    {
        table.register("dump", 2, READONLY, DumpCommands::dump);
        table.register("restore", -4, WRITE | DENY_OOM, DumpCommands::restore);
    }

    /**
     * Serialize a key's value as DUMP does. On success the context's {@link CommandContext#entry()} is left wrapped
     * at the key's entry (MIGRATE reads the expiry from it).
     *
     * @param context   the command's context (database, time).
     * @param key       buffer holding the key.
     * @param keyOffset of the key.
     * @param keyLength of the key.
     * @param dst       to write the payload to; needs room (an expandable buffer grows).
     * @param dstIndex  of the payload's first byte.
     * @return the payload's length, or {@link #NO_KEY}.
     */
    public static int dumpKey(
        final CommandContext context, final DirectBuffer key, final int keyOffset, final int keyLength,
        final MutableDirectBuffer dst, final int dstIndex)
    {
        final long address = context.keyspace().find(context.db(), key, keyOffset, keyLength, context.nowMs());
        if (address == Keyspace.NOT_FOUND)
        {
            context.keyspaceEvents().notify(
                KeyspaceEvents.KEY_MISS, "keymiss", context.db(), key, keyOffset, keyLength);
            return NO_KEY;
        }
        return writeEntry(context.dumpWriter(), context.keyspace(), context.entry().wrap(address), dst, dstIndex);
    }

    /**
     * The one place a value is serialized for DUMP (and MIGRATE), per type and encoding.
     */
    private static int writeEntry(final DumpPayloadWriter writer, final Keyspace keyspace,
        final EntryFlyweight entry, final MutableDirectBuffer dst, final int dstIndex)
    {
        if (entry.type() == ValueType.HASH)
        {
            return HashValues.dump(writer, keyspace, entry, dst, dstIndex);
        }
        if (entry.type() == ValueType.SET)
        {
            return SetCommands.dump(writer, keyspace, entry, dst, dstIndex);
        }
        if (entry.type() == ValueType.LIST)
        {
            return new ListValues().bind(keyspace, entry.database(), entry.address(), entry).dump(writer, dst, dstIndex);
        }
        if (entry.type() == ValueType.ZSET)
        {
            return ZSetPayloads.dump(writer, keyspace, entry, dst, dstIndex);
        }
        if (entry.type() == ValueType.JSON)
        {
            return writer.writeJson(entry.buffer(), entry.valueOffset(), entry.valueLength(), dst, dstIndex);
        }
        if (StringValues.isInt(entry))
        {
            return writer.writeLong(StringValues.intValue(entry), dst, dstIndex);
        }
        return writer.writeString(entry.buffer(), entry.valueOffset(), entry.valueLength(), dst, dstIndex);
    }

    /**
     * Delete a key and log the deletion (MIGRATE, once the target acknowledged it).
     *
     * @param context   the command's context.
     * @param key       buffer holding the key.
     * @param keyOffset of the key.
     * @param keyLength of the key.
     * @return true when a live key was deleted.
     */
    public static boolean deleteKey(
        final CommandContext context, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final long address = keyspace.find(db, key, keyOffset, keyLength, context.nowMs());
        if (address == Keyspace.NOT_FOUND)
        {
            return false;
        }
        keyspace.delete(db, address);
        context.changeLog().delete(db, key, keyOffset, keyLength, false);
        context.keyspaceEvents().notify(KeyspaceEvents.GENERIC, "del", db, key, keyOffset, keyLength);
        return true;
    }

    static void dump(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = context.readKey(args, 1);
        if (address == Keyspace.NOT_FOUND)
        {
            reply.nil();
            return;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        final MutableDirectBuffer scratch =
            context.payloadScratch(DumpPayloadWriter.maxPayloadLength(Math.max(entry.valueLength(), INTEGER_DIGITS)));
        final int length = writeEntry(context.dumpWriter(), context.keyspace(), entry, scratch, 0);
        reply.bulk(scratch, 0, length);
    }

    /**
     * RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], checked in Redis 7's order:
     * options, BUSYKEY, TTL, payload.
     */
    static void restore(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final AsciiNumbers numbers = context.numbers();
        boolean replace = false;
        boolean absTtl = false;
        long idleSeconds = -1;
        long frequency = -1;
        for (int j = 4, count = args.count(); j < count; j++)
        {
            final int additional = count - j - 1;
            if (args.equalsIgnoreCase(j, REPLACE))
            {
                replace = true;
            }
            else if (args.equalsIgnoreCase(j, ABSTTL))
            {
                absTtl = true;
            }
            else if (args.equalsIgnoreCase(j, IDLETIME) && additional >= 1 && frequency == -1)
            {
                if (!numbers.parseLong(args, ++j))
                {
                    reply.error(ErrorMessages.NOT_INTEGER);
                    return;
                }
                idleSeconds = numbers.value();
                if (idleSeconds < 0)
                {
                    reply.error(INVALID_IDLETIME);
                    return;
                }
            }
            else if (args.equalsIgnoreCase(j, FREQ) && additional >= 1 && idleSeconds == -1)
            {
                if (!numbers.parseLong(args, ++j))
                {
                    reply.error(ErrorMessages.NOT_INTEGER);
                    return;
                }
                frequency = numbers.value();
                if (frequency < 0 || frequency > MAX_FREQ)
                {
                    reply.error(INVALID_FREQ);
                    return;
                }
            }
            else
            {
                // Redis's parser takes IDLETIME or FREQ, not both: the second one is a syntax error.
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }

        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final long nowMs = context.nowMs();
        final DirectBuffer buffer = args.buffer();
        final int keyOffset = args.offset(1);
        final int keyLength = args.length(1);
        final long existing = keyspace.find(db, buffer, keyOffset, keyLength, nowMs);
        if (!replace && existing != Keyspace.NOT_FOUND)
        {
            reply.error(BUSY_KEY);
            return;
        }
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long ttl = numbers.value();
        if (ttl < 0)
        {
            reply.error(INVALID_TTL);
            return;
        }

        final int type = args.length(3) > DumpPayloadDescriptor.FRAMING_LENGTH ?
            buffer.getByte(args.offset(3)) & 0xff : -1;
        if (ListPayloads.isListType(type))
        {
            restoreList(context, args, ttl, absTtl, existing, idleSeconds, frequency, reply);
            return;
        }
        if (ZSetPayloads.isZsetType(type))
        {
            restoreZset(context, args, type, ttl, absTtl, existing, idleSeconds, frequency, reply);
            return;
        }
        if (HashPayloads.isHashType(type) || SetPayloads.isSetType(type))
        {
            // A collection: its whole body is read and checked before anything is made.
            final int index = args.offset(3);
            final int length = args.length(3);
            if (DumpPayloadReader.verifyFooter(buffer, index, length) != 0)
            {
                reply.error(DumpPayloadReader.VERSION_OR_CHECKSUM_WRONG_MESSAGE);
                return;
            }
            final boolean hash = HashPayloads.isHashType(type);
            final int bodyIndex = index + DumpPayloadDescriptor.BODY_OFFSET;
            final int bodyEnd = DumpPayloadDescriptor.footerIndex(index, length);
            final int read = hash ? context.hashPayloads().read(type, buffer, bodyIndex, bodyEnd) :
                context.setPayloads().read(type, buffer, bodyIndex, bodyEnd,
                    context.keyspace().collectionLimits());
            if (read < 0)
            {
                reply.error(DumpPayloadReader.BAD_DATA_FORMAT_MESSAGE);
                return;
            }
            final long expireAtMs = expireAt(ttl, absTtl, nowMs);
            if (bornExpired(context, args, existing, expireAtMs))
            {
                reply.ok();
                return;
            }
            if (hash ? restoreHash(context, args, read, expireAtMs, idleSeconds, frequency) :
                restoreSet(context, args, read, expireAtMs, idleSeconds, frequency))
            {
                restored(context, args, existing, reply);
            }
            else
            {
                reply.error(ErrorMessages.OOM);
            }
            return;
        }
        final DumpPayloadReader reader = context.dumpReader();
        final int decodedLength = reader.wrap(buffer, args.offset(3), args.length(3));
        if (decodedLength < 0)
        {
            reply.error(DumpPayloadReader.errorMessage(decodedLength));
            return;
        }
        final boolean json = reader.type() == DumpPayloadDescriptor.TYPE_JSON;
        DirectBuffer jsonText = null;
        int valueLength = decodedLength;
        if (json)
        {
            final MutableDirectBuffer scratch = context.scratch(decodedLength);
            reader.decodeTo(scratch, 0);
            final JsonDocuments documents = context.jsonDocuments();
            valueLength = documents.compact(scratch, 0, decodedLength);
            if (valueLength == JsonDocuments.INVALID)
            {
                reply.error(DumpPayloadReader.BAD_DATA_FORMAT_MESSAGE);
                return;
            }
            jsonText = documents.compacted();
        }
        final boolean integer = !json && reader.isInteger();
        if (integer)
        {
            valueLength = StringValues.INT_LENGTH;
        }
        else if (valueLength > context.maxStringLength())
        {
            reply.error(ErrorMessages.STRING_TOO_LONG);
            return;
        }

        final long expireAtMs = expireAt(ttl, absTtl, nowMs);
        final ChangeLog changeLog = context.changeLog();
        if (bornExpired(context, args, existing, expireAtMs))
        {
            reply.ok();
            return;
        }

        final long address = keyspace.put(db, buffer, keyOffset, keyLength,
            json ? ValueType.JSON : ValueType.STRING,
            json ? ValueEncoding.JSON_TEXT : integer ? ValueEncoding.STRING_INT : ValueEncoding.STRING_RAW,
            valueLength, expireAtMs);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        if (json)
        {
            StringValues.putValueBytes(entry, 0, jsonText, 0, valueLength);
        }
        else if (integer)
        {
            entry.buffer().putLong(entry.valueOffset(), reader.integerValue(), StringValues.INT_ORDER);
        }
        else if (valueLength > 0)
        {
            reader.decodeTo(entry.buffer(), entry.valueOffset());
        }
        setAccess(entry, idleSeconds, frequency, nowMs);
        changeLog.set(db, address);
        restored(context, args, existing, reply);
    }

    /**
     * The key is restored: Redis deletes a replaced key and adds the restored one, so a "new" event comes even
     * for a replaced key, then "restore".
     */
    private static void restored(final CommandContext context, final CommandArgs args, final long existing,
        final Reply reply)
    {
        if (existing != Keyspace.NOT_FOUND)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.NEW, "new", args, 1);
        }
        context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "restore", args, 1);
        reply.ok();
    }

    /**
     * RESTORE of a sorted set (RDB_TYPE_ZSET_LISTPACK or RDB_TYPE_ZSET_2): the whole body is read and checked first
     * ({@link ZSetPayloads}), then the key is made in the encoding Redis gives it on load (a listpack payload stays
     * one unless it has more than zset-max-listpack-entries members; a ZSET_2 payload becomes a listpack when small
     * enough), and logged as its state (DEL, ZADD, expiry). A refused payload or a full budget leaves nothing.
     */
    private static void restoreZset(final CommandContext context, final CommandArgs args, final int type,
        final long ttl, final boolean absTtl, final long existing, final long idleSeconds, final long frequency,
        final Reply reply)
    {
        final DirectBuffer buffer = args.buffer();
        final int index = args.offset(3);
        final int length = args.length(3);
        if (DumpPayloadReader.verifyFooter(buffer, index, length) != 0)
        {
            reply.error(DumpPayloadReader.VERSION_OR_CHECKSUM_WRONG_MESSAGE);
            return;
        }
        final ZSetPayloads payloads = context.zsetPayloads();
        final int read = payloads.read(type, buffer, index + DumpPayloadDescriptor.BODY_OFFSET,
            DumpPayloadDescriptor.footerIndex(index, length), payloads.members);
        if (read < 0)
        {
            reply.error(DumpPayloadReader.BAD_DATA_FORMAT_MESSAGE);
            return;
        }
        final long nowMs = context.nowMs();
        final long expireAtMs = expireAt(ttl, absTtl, nowMs);
        if (bornExpired(context, args, existing, expireAtMs))
        {
            reply.ok();
            return;
        }
        payloads.members.sort();
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        if (!payloads.value.build(keyspace, db, buffer, args.offset(1), args.length(1), payloads.members,
            expireAtMs, payloads.fromListpack))
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        final long address = payloads.value.address();
        setAccess(context.entry().wrap(address), idleSeconds, frequency, nowMs);
        context.changeLog().state(keyspace, db, address);
        reply.ok();
    }

    /**
     * RESTORE of a hash (RDB_TYPE_HASH_LISTPACK or RDB_TYPE_HASH): the whole body is read and checked into a
     * listpack first ({@link HashPayloads}), then the key is made a listpack hash, converted to a table past the
     * listpack limits as Redis converts on load, and logged as its state (DEL, HSET, expiry).
     *
     * @return false when memory ran out, with nothing left.
     */
    private static boolean restoreHash(final CommandContext context, final CommandArgs args, final int listpackLength,
        final long expireAtMs, final long idleSeconds, final long frequency)
    {
        final DirectBuffer buffer = args.buffer();
        final HashPayloads payloads = context.hashPayloads();
        final long nowMs = context.nowMs();
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        long address = keyspace.put(db, buffer, args.offset(1), args.length(1), ValueType.HASH,
            ValueEncoding.HASH_LISTPACK, listpackLength, expireAtMs);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            return false;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        entry.buffer().putBytes(entry.valueOffset(), payloads.listpack, 0, listpackLength);
        final HashValues values = new HashValues();
        final CollectionLimits limits = keyspace.collectionLimits();
        if (Listpack.count(entry.buffer(), entry.valueOffset()) / 2 > limits.hashMaxListpackEntries() ||
            payloads.longestElement > limits.hashMaxListpackValue())
        {
            address = values.toTable(keyspace, db, address, entry);
            if (address == Keyspace.OUT_OF_MEMORY)
            {
                keyspace.delete(db, keyspace.lookup(db, buffer, args.offset(1), args.length(1)));
                context.changeLog().delete(db, buffer, args.offset(1), args.length(1), false);
                return false;
            }
        }
        setAccess(context.entry().wrap(address), idleSeconds, frequency, nowMs);
        context.changeLog().state(keyspace, db, address);
        return true;
    }

    /**
     * RESTORE of a set (RDB_TYPE_SET_INTSET or RDB_TYPE_SET): the whole body is read and checked first
     * ({@link SetPayloads}), a table filled before the key is made, so a refused payload or a full budget leaves
     * nothing; logged as its state (DEL, SADD, expiry).
     *
     * @return false when memory ran out, with nothing changed.
     */
    private static boolean restoreSet(final CommandContext context, final CommandArgs args, final int count,
        final long expireAtMs, final long idleSeconds, final long frequency)
    {
        final DirectBuffer buffer = args.buffer();
        final SetPayloads payloads = context.setPayloads();
        final long nowMs = context.nowMs();
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final ElementTables tables = keyspace.elementTables();
        int id = ElementTables.NO_TABLE;
        if (!payloads.isIntset)
        {
            id = tables.create(false);
            for (int i = 0; id != ElementTables.NO_TABLE && i < count; i++)
            {
                if (tables.put(id, payloads.members, payloads.offsets[i], payloads.lengths[i],
                    ElementTables.NO_VALUE) == Keyspace.OUT_OF_MEMORY)
                {
                    tables.free(id);
                    id = ElementTables.NO_TABLE;
                }
            }
            if (id == ElementTables.NO_TABLE)
            {
                return false;
            }
        }
        final long address = keyspace.put(db, buffer, args.offset(1), args.length(1), ValueType.SET,
            payloads.isIntset ? ValueEncoding.SET_INTSET : ValueEncoding.SET_TABLE,
            payloads.isIntset ? payloads.intsetLength : ValueEncoding.TABLE_ID_LENGTH, expireAtMs);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            if (id != ElementTables.NO_TABLE)
            {
                tables.free(id);
            }
            return false;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        if (payloads.isIntset)
        {
            entry.buffer().putBytes(entry.valueOffset(), payloads.intset, 0, payloads.intsetLength);
        }
        else
        {
            keyspace.adoptTable(address, id);
        }
        setAccess(entry, idleSeconds, frequency, nowMs);
        context.changeLog().state(keyspace, db, address);
        return true;
    }

    /**
     * RESTORE of a list (RDB_TYPE_LIST_QUICKLIST_2): the whole body is read and checked first ({@link ListPayloads});
     * one node that fits an entry becomes an in-entry listpack, more become a node chain filled before the key is
     * made, so a refused payload or a full budget leaves nothing; logged as its state (DEL, RPUSH, expiry).
     */
    private static void restoreList(final CommandContext context, final CommandArgs args, final long ttl,
        final boolean absTtl, final long existing, final long idleSeconds, final long frequency, final Reply reply)
    {
        final DirectBuffer buffer = args.buffer();
        final int index = args.offset(3);
        final int length = args.length(3);
        if (DumpPayloadReader.verifyFooter(buffer, index, length) != 0)
        {
            reply.error(DumpPayloadReader.VERSION_OR_CHECKSUM_WRONG_MESSAGE);
            return;
        }
        final ListPayloads payloads = context.listPayloads();
        final int nodes = payloads.read(buffer, index + DumpPayloadDescriptor.BODY_OFFSET,
            DumpPayloadDescriptor.footerIndex(index, length));
        if (nodes < 0)
        {
            reply.error(DumpPayloadReader.BAD_DATA_FORMAT_MESSAGE);
            return;
        }
        final long nowMs = context.nowMs();
        final long expireAtMs = expireAt(ttl, absTtl, nowMs);
        if (bornExpired(context, args, existing, expireAtMs))
        {
            reply.ok();
            return;
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final boolean inEntry = nodes == 1 && keyspace.collectionLimits().fitsInEntry(payloads.length(0));
        final Quicklists quicklists = keyspace.quicklists();
        int id = Quicklists.NO_LIST;
        if (!inEntry)
        {
            id = quicklists.create();
            long after = 0;
            for (int i = 0; i < nodes; i++)
            {
                final int listpackLength = payloads.length(i);
                final long node = quicklists.insertNode(id, after, listpackLength, listpackLength);
                if (node == Keyspace.OUT_OF_MEMORY)
                {
                    quicklists.free(id);
                    reply.error(ErrorMessages.OOM);
                    return;
                }
                UnsafeApi.copyMemory(payloads.listpacks.byteArray(),
                    BufferUtil.ARRAY_BASE_OFFSET + payloads.offsets[i], null,
                    node + ListNodeDescriptor.LISTPACK_OFFSET, listpackLength);
                quicklists.addCount(id, payloads.counts[i]);
                after = node;
            }
        }
        final long address = keyspace.put(db, buffer, args.offset(1), args.length(1), ValueType.LIST,
            inEntry ? ValueEncoding.LIST_LISTPACK : ValueEncoding.LIST_QUICKLIST,
            inEntry ? payloads.length(0) : ValueEncoding.TABLE_ID_LENGTH, expireAtMs);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            if (id != Quicklists.NO_LIST)
            {
                quicklists.free(id);
            }
            reply.error(ErrorMessages.OOM);
            return;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        if (inEntry)
        {
            entry.buffer().putBytes(entry.valueOffset(), payloads.listpacks, payloads.offsets[0], payloads.length(0));
        }
        else
        {
            keyspace.adoptTable(address, id);
        }
        setAccess(entry, idleSeconds, frequency, nowMs);
        context.changeLog().state(keyspace, db, address);
        reply.ok();
    }

    /**
     * Redis adds a relative TTL to now without an overflow check: one past 2^63 - 1 ms wraps into the past, so the
     * key is born expired. Do the same, explicitly.
     */
    private static long expireAt(final long ttl, final boolean absTtl, final long nowMs)
    {
        return ttl == 0 ? Keyspace.NO_EXPIRY : absTtl ? ttl : (ttl > Long.MAX_VALUE - nowMs ? Long.MIN_VALUE : nowMs + ttl);
    }

    /**
     * Redis: an already-expired TTL creates nothing, deletes the key it would have replaced, and says OK.
     *
     * @return true when that is the case (done, nothing left to do but reply).
     */
    private static boolean bornExpired(final CommandContext context, final CommandArgs args, final long existing,
        final long expireAtMs)
    {
        final Keyspace keyspace = context.keyspace();
        if (expireAtMs == Keyspace.NO_EXPIRY || expireAtMs > context.nowMs() || keyspace.replicaExpiry())
        {
            return false;
        }
        if (existing != Keyspace.NOT_FOUND)
        {
            keyspace.delete(context.db(), existing);
            context.changeLog().delete(context.db(), args.buffer(), args.offset(1), args.length(1), false);
            context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, 1);
        }
        return true;
    }

    private static void setAccess(final EntryFlyweight entry, final long idleSeconds, final long frequency,
        final long nowMs)
    {
        if (idleSeconds >= 0 || frequency >= 0)
        {
            final long idleMs = Math.min(idleSeconds, nowMs / 1000) * 1000;
            final int lruClock = idleSeconds >= 0 ? EntryDescriptor.lruClock(nowMs - idleMs) : entry.lruClock();
            final int lfuCounter = frequency >= 0 ? (int)frequency : entry.lfuCounter();
            entry.buffer().putInt(EntryDescriptor.ACCESS_OFFSET, EntryDescriptor.access(lruClock, lfuCounter));
        }
    }
}
