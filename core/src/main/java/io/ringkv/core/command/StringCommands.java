package io.ringkv.core.command;

import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.FAST;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * String commands with Redis 7 semantics and error texts: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET
 * MSET MSETNX APPEND STRLEN GETRANGE SETRANGE. A json document reads as its text through the whole-value
 * commands (GET, GETSET, GETDEL, GETEX, MGET, SET ... GET) and is WRONGTYPE for the commands that address or
 * edit bytes (STRLEN, GETRANGE, SETRANGE, APPEND), see docs/data-model.md.
 * Stateless; the handlers run on the engine thread.
 */
public final class StringCommands
{
    /** SET's replies: +OK when set, nil when NX/XX prevented it. */
    private static final int REPLY_OK_OR_NIL = 0;
    /** SETNX's replies: 1 when set, 0 when not. */
    private static final int REPLY_ONE_OR_ZERO = 1;
    /** {@link #findString}: the key holds another type and WRONGTYPE has been replied. */
    static final long WRONG_TYPE = CommandContext.WRONG_TYPE;

    private StringCommands()
    {
    }

    /**
     * @param table to register GET, SET... in.
     */
    public static void register(final CommandTable table)
    {
        table.register("get", 2, READONLY | FAST, StringCommands::get);
        table.register("set", -3, WRITE | DENY_OOM, StringCommands::set);
        table.register("setnx", 3, WRITE | DENY_OOM | FAST, StringCommands::setnx);
        table.register("setex", 4, WRITE | DENY_OOM, StringCommands::setex);
        table.register("psetex", 4, WRITE | DENY_OOM, StringCommands::psetex);
        table.register("getset", 3, WRITE | DENY_OOM | FAST, StringCommands::getset);
        table.register("getdel", 2, WRITE | FAST, StringCommands::getdel);
        table.register("getex", -2, WRITE | FAST, StringCommands::getex);
        table.register("mget", -2, READONLY | FAST, StringCommands::mget);
        table.register("mset", -3, WRITE | DENY_OOM, StringCommands::mset);
        table.register("msetnx", -3, WRITE | DENY_OOM, StringCommands::msetnx);
        table.register("append", 3, WRITE | DENY_OOM | FAST, StringCommands::append);
        table.register("strlen", 2, READONLY | FAST, StringCommands::strlen);
        table.register("getrange", 4, READONLY, StringCommands::getrange);
        table.register("setrange", 4, WRITE | DENY_OOM, StringCommands::setrange);
    }

    static void get(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (findReadableAsString(context, args, reply) != Keyspace.NOT_FOUND)
        {
            StringValues.reply(context.entry(), reply);
        }
    }

    /**
     * The lookup GET, GETDEL and GETEX share: argument 1's entry when its whole value reads as a string. A missing
     * key replies nil and a value of another type replies WRONGTYPE; both return {@link Keyspace#NOT_FOUND}.
     *
     * @return the entry's address, with {@link CommandContext#entry()} wrapped on it, or
     * {@link Keyspace#NOT_FOUND} when the reply has been sent.
     */
    private static long findReadableAsString(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = context.readKey(args, 1);
        if (address == Keyspace.NOT_FOUND)
        {
            reply.nil();
            return Keyspace.NOT_FOUND;
        }
        if (!StringValues.isReadableAsString(context.entry().wrap(address).type()))
        {
            reply.error(ErrorMessages.WRONG_TYPE);
            return Keyspace.NOT_FOUND;
        }
        return address;
    }

    /**
     * The lookup the commands that read or edit a string's bytes share (APPEND, SETRANGE, STRLEN, GETRANGE, INCR
     * and its family): argument 1's entry, which must be a string. A json document is WRONGTYPE here.
     *
     * @return the entry's address, with {@link CommandContext#entry()} wrapped on it; {@link Keyspace#NOT_FOUND}
     * for a missing key (nothing replied); or {@link #WRONG_TYPE} once WRONGTYPE has been replied.
     */
    static long findString(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        return context.findKeyOfType(args, 1, ValueType.STRING, reply);
    }

    static void set(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long parsed = ExpireArguments.parse(args, 3, true);
        if (parsed == ExpireArguments.SYNTAX_ERROR)
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        final long expireAtMs = ExpireArguments.expireAtMs(context, args, parsed, "set", reply);
        if (expireAtMs == ExpireArguments.ERROR)
        {
            return;
        }
        setGeneric(context, args, ExpireArguments.flags(parsed), expireAtMs, reply, REPLY_OK_OR_NIL);
    }

    static void setnx(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        setGeneric(context, args, ExpireArguments.NX, Keyspace.NO_EXPIRY, reply, REPLY_ONE_OR_ZERO);
    }

    static void setex(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        setWithExpire(context, args, true, "setex", reply);
    }

    static void psetex(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        setWithExpire(context, args, false, "psetex", reply);
    }

    private static void setWithExpire(final CommandContext context, final CommandArgs args, final boolean seconds,
        final String command, final Reply reply)
    {
        final long expireAtMs = ExpireArguments.toExpireAtMs(context, args, 2, seconds, true, command, reply);
        if (expireAtMs == ExpireArguments.ERROR)
        {
            return;
        }
        // SETEX key seconds value: the value is argument 3, so move it through a SET-shaped call.
        setGenericAt(context, args, 1, 3, seconds ? ExpireArguments.EX : ExpireArguments.PX, expireAtMs, reply,
            REPLY_OK_OR_NIL);
    }

    static void getset(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        setGeneric(context, args, ExpireArguments.GET, Keyspace.NO_EXPIRY, reply, REPLY_OK_OR_NIL);
    }

    private static void setGeneric(final CommandContext context, final CommandArgs args, final int flags,
        final long expireAtMs, final Reply reply, final int replyStyle)
    {
        setGenericAt(context, args, 1, 2, flags, expireAtMs, reply, replyStyle);
    }

    /**
     * Redis's setGenericCommand; {@code replyStyle} is {@link #REPLY_OK_OR_NIL} (SET) or {@link #REPLY_ONE_OR_ZERO}
     * (SETNX).
     */
    private static void setGenericAt(
        final CommandContext context, final CommandArgs args, final int keyIndex, final int valueIndex,
        final int flags, final long expireAtMs, final Reply reply, final int replyStyle)
    {
        final PendingValue value = context.pendingValue();
        if (value.prepare(context, args, valueIndex, reply) == PendingValue.INVALID)
        {
            return;
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final DirectBuffer key = args.buffer();
        final int keyOffset = args.offset(keyIndex);
        final int keyLength = args.length(keyIndex);
        final long nowMs = context.nowMs();
        final boolean get = (flags & ExpireArguments.GET) != 0;

        final long oldAddress = keyspace.find(db, key, keyOffset, keyLength, nowMs);
        final boolean found = oldAddress != Keyspace.NOT_FOUND;
        if (get && !found)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.KEY_MISS, "keymiss", args, keyIndex);
        }
        long oldExpireAtMs = Keyspace.NO_EXPIRY;
        MutableDirectBuffer oldValue = null;
        int oldLength = 0;
        byte oldType = ValueType.STRING;
        boolean oldInt = false;
        long oldIntValue = 0;
        if (found)
        {
            final EntryFlyweight old = context.entry().wrap(oldAddress);
            oldExpireAtMs = old.expireAtMs();
            if (get)
            {
                if (!StringValues.isReadableAsString(old.type()))
                {
                    reply.error(ErrorMessages.WRONG_TYPE);
                    return;
                }
                // The old value must survive the put that replaces it: keep a copy for the reply.
                oldType = old.type();
                oldInt = StringValues.isInt(old);
                if (oldInt)
                {
                    oldIntValue = StringValues.intValue(old);
                }
                else
                {
                    oldLength = old.valueLength();
                    oldValue = context.scratch(oldLength);
                    oldValue.putBytes(0, old.buffer(), old.valueOffset(), oldLength);
                }
            }
        }
        if (((flags & ExpireArguments.NX) != 0 && found) || ((flags & ExpireArguments.XX) != 0 && !found))
        {
            if (get)
            {
                replyOld(found, oldType, oldInt, oldIntValue, oldValue, oldLength, reply);
            }
            else if (replyStyle == REPLY_ONE_OR_ZERO)
            {
                reply.integer(0);
            }
            else
            {
                reply.nil();
            }
            return;
        }

        final long newExpireAtMs = (flags & ExpireArguments.ANY_EXPIRE) != 0 ? expireAtMs :
            (flags & ExpireArguments.KEEPTTL) != 0 ? oldExpireAtMs : Keyspace.NO_EXPIRY;
        // An expiry already in the past (e.g. EXAT 1) is stored as given, as Redis 7 does: the key is invisible
        // from now on and is reclaimed (and logged as DEL) by the next lookup or active expiry cycle.
        final long address = value.store(context, db, key, keyOffset, keyLength, newExpireAtMs);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        context.changeLog().set(db, address);
        context.keyspaceEvents().notify(context, KeyspaceEvents.STRING, "set", args, keyIndex);
        if ((flags & ExpireArguments.ANY_EXPIRE) != 0)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "expire", args, keyIndex);
        }
        if (get)
        {
            replyOld(found, oldType, oldInt, oldIntValue, oldValue, oldLength, reply);
        }
        else if (replyStyle == REPLY_ONE_OR_ZERO)
        {
            reply.integer(1);
        }
        else
        {
            reply.ok();
        }
    }

    private static void replyOld(final boolean found, final byte type, final boolean isInt, final long intValue,
        final DirectBuffer value, final int length, final Reply reply)
    {
        if (!found)
        {
            reply.nil();
        }
        else if (isInt)
        {
            reply.bulkInteger(intValue);
        }
        else if (type == ValueType.JSON)
        {
            reply.json(value, 0, length);
        }
        else
        {
            reply.bulk(value, 0, length);
        }
    }

    static void getdel(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findReadableAsString(context, args, reply);
        if (address == Keyspace.NOT_FOUND)
        {
            return;
        }
        final int db = context.db();
        StringValues.reply(context.entry(), reply);
        context.keyspace().delete(db, address);
        context.changeLog().delete(db, args.buffer(), args.offset(1), args.length(1), false);
        context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, 1);
    }

    static void getex(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long parsed = ExpireArguments.parse(args, 2, false);
        if (parsed == ExpireArguments.SYNTAX_ERROR)
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        final int flags = ExpireArguments.flags(parsed);
        final long address = findReadableAsString(context, args, reply);
        if (address == Keyspace.NOT_FOUND)
        {
            return;
        }
        final EntryFlyweight entry = context.entry();
        final long expireAtMs = ExpireArguments.expireAtMs(context, args, parsed, "getex", reply);
        if (expireAtMs == ExpireArguments.ERROR)
        {
            return;
        }
        StringValues.reply(entry, reply);
        if ((flags & ExpireArguments.ANY_EXPIRE) != 0)
        {
            ExpireCommands.expireAtOrDelete(context, args, address, expireAtMs);
        }
        else if ((flags & ExpireArguments.PERSIST) != 0 && entry.expireAtMs() != Keyspace.NO_EXPIRY)
        {
            ExpireCommands.removeExpiry(context, args, address);
        }
    }

    static void mget(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final long nowMs = context.nowMs();
        final int count = args.count();
        reply.arrayHeader(count - 1);
        for (int i = 1; i < count; i++)
        {
            final long address = keyspace.find(db, args.buffer(), args.offset(i), args.length(i), nowMs);
            if (address == Keyspace.NOT_FOUND)
            {
                context.keyspaceEvents().notify(context, KeyspaceEvents.KEY_MISS, "keymiss", args, i);
                reply.nil();
                continue;
            }
            final EntryFlyweight entry = context.entry().wrap(address);
            if (StringValues.isReadableAsString(entry.type()))
            {
                StringValues.reply(entry, reply);
            }
            else
            {
                reply.nil();
            }
        }
    }

    static void mset(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (msetGeneric(context, args, "mset", false, reply))
        {
            reply.ok();
        }
    }

    static void msetnx(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (msetGeneric(context, args, "msetnx", true, reply))
        {
            reply.integer(1);
        }
    }

    /**
     * @return true when every pair was set and the caller should reply success.
     */
    private static boolean msetGeneric(final CommandContext context, final CommandArgs args, final String command,
        final boolean nx, final Reply reply)
    {
        final int count = args.count();
        if ((count & 1) == 0)
        {
            reply.error(ErrorMessages.wrongArity(command));
            return false;
        }
        final PendingValue value = context.pendingValue();
        // Validate every value first so that bad JSON (or an overlong value) in the last pair changes nothing.
        for (int i = 2; i < count; i += 2)
        {
            if (value.prepare(context, args, i, reply) == PendingValue.INVALID)
            {
                return false;
            }
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final long nowMs = context.nowMs();
        final DirectBuffer buffer = args.buffer();
        if (nx)
        {
            for (int i = 1; i < count; i += 2)
            {
                if (keyspace.find(db, buffer, args.offset(i), args.length(i), nowMs) != Keyspace.NOT_FOUND)
                {
                    reply.integer(0);
                    return false;
                }
            }
        }
        for (int i = 1; i < count; i += 2)
        {
            value.prepare(context, args, i + 1, reply);
            final long address = value.store(context, db, buffer, args.offset(i), args.length(i), Keyspace.NO_EXPIRY);
            if (address == Keyspace.OUT_OF_MEMORY)
            {
                // Pairs before this one stay set (and logged), as when Redis crosses maxmemory mid-command.
                reply.error(ErrorMessages.OOM);
                return false;
            }
            context.changeLog().set(db, address);
            context.keyspaceEvents().notify(context, KeyspaceEvents.STRING, "set", args, i);
        }
        return true;
    }

    static void append(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final DirectBuffer buffer = args.buffer();
        final int keyOffset = args.offset(1);
        final int keyLength = args.length(1);
        final int appendOffset = args.offset(2);
        final int appendLength = args.length(2);
        long address = findString(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        final EntryFlyweight entry = context.entry();
        long newLength;
        if (address == Keyspace.NOT_FOUND)
        {
            if (exceedsMaxStringLength(context, 0, appendLength, reply))
            {
                return;
            }
            address = keyspace.put(db, buffer, keyOffset, keyLength, ValueType.STRING, ValueEncoding.STRING_RAW,
                appendLength, Keyspace.NO_EXPIRY);
            if (address == Keyspace.OUT_OF_MEMORY)
            {
                reply.error(ErrorMessages.OOM);
                return;
            }
            StringValues.putValueBytes(entry.wrap(address), 0, buffer, appendOffset, appendLength);
            newLength = appendLength;
        }
        else
        {
            final int oldLength = StringValues.textLength(entry);
            if (exceedsMaxStringLength(context, oldLength, appendLength, reply))
            {
                return;
            }
            newLength = (long)oldLength + appendLength;
            address = editAsRawText(context, db, address, (int)newLength);
            if (address == Keyspace.OUT_OF_MEMORY)
            {
                reply.error(ErrorMessages.OOM);
                return;
            }
            StringValues.putValueBytes(entry.wrap(address), oldLength, buffer, appendOffset, appendLength);
        }
        context.changeLog().append(db, buffer, keyOffset, keyLength, buffer, appendOffset, appendLength);
        context.keyspaceEvents().notify(context, KeyspaceEvents.STRING, "append", args, 1);
        reply.integer(newLength);
    }

    /**
     * Make a string entry a raw string of {@code newLength} bytes whose first bytes are its current text (an
     * integer is turned into its digits); bytes past the old text are unspecified.
     *
     * @return the entry's (possibly new) address, or {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    private static long editAsRawText(final CommandContext context, final int db, final long address,
        final int newLength)
    {
        final Keyspace keyspace = context.keyspace();
        final EntryFlyweight entry = context.entry().wrap(address);
        if (StringValues.isInt(entry))
        {
            final long intValue = StringValues.intValue(entry);
            // newLength is at least the number of digits: read the integer, resize, then write its digits.
            final long finalAddress = keyspace.resizeValue(db, address, newLength);
            if (finalAddress == Keyspace.OUT_OF_MEMORY)
            {
                return finalAddress;
            }
            entry.wrap(finalAddress);
            AsciiNumbers.putLong(entry.buffer(), entry.valueOffset(), intValue);
            keyspace.encoding(finalAddress, ValueEncoding.STRING_RAW);
            return finalAddress;
        }
        if (entry.valueLength() == newLength)
        {
            return address;
        }
        return keyspace.resizeValue(db, address, newLength);
    }

    static void strlen(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = findString(context, args, reply);
        if (address == Keyspace.NOT_FOUND)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.KEY_MISS, "keymiss", args, 1);
            reply.integer(0);
        }
        else if (address != WRONG_TYPE)
        {
            reply.integer(StringValues.textLength(context.entry()));
        }
    }

    static void getrange(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        long start = numbers.value();
        if (!numbers.parseLong(args, 3))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        long end = numbers.value();
        final long address = findString(context, args, reply);
        if (address == Keyspace.NOT_FOUND)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.KEY_MISS, "keymiss", args, 1);
            reply.bulk(EMPTY);
            return;
        }
        if (address == WRONG_TYPE)
        {
            return;
        }
        final EntryFlyweight entry = context.entry();
        final DirectBuffer text;
        final int textOffset;
        final int length;
        if (StringValues.isInt(entry))
        {
            final MutableDirectBuffer scratch = context.scratch(AsciiNumbers.MAX_LONG_DIGITS);
            length = StringValues.copyText(entry, scratch, 0);
            text = scratch;
            textOffset = 0;
        }
        else
        {
            text = entry.buffer();
            textOffset = entry.valueOffset();
            length = entry.valueLength();
        }
        if (start < 0 && end < 0 && start > end)
        {
            reply.bulk(EMPTY);
            return;
        }
        if (start < 0)
        {
            start += length;
        }
        if (end < 0)
        {
            end += length;
        }
        if (start < 0)
        {
            start = 0;
        }
        if (end < 0)
        {
            end = 0;
        }
        if (end >= length)
        {
            end = length - 1;
        }
        if (start > end || length == 0)
        {
            reply.bulk(EMPTY);
            return;
        }
        reply.bulk(text, textOffset + (int)start, (int)(end - start + 1));
    }

    static void setrange(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long offset = numbers.value();
        if (offset < 0)
        {
            reply.error(ErrorMessages.OFFSET_OUT_OF_RANGE);
            return;
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final DirectBuffer buffer = args.buffer();
        final int keyOffset = args.offset(1);
        final int keyLength = args.length(1);
        final int valueOffset = args.offset(3);
        final int valueLength = args.length(3);
        long address = findString(context, args, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        final EntryFlyweight entry = context.entry();
        final int oldLength;
        if (address == Keyspace.NOT_FOUND)
        {
            if (valueLength == 0)
            {
                reply.integer(0);
                return;
            }
            if (exceedsMaxStringLength(context, offset, valueLength, reply))
            {
                return;
            }
            address = keyspace.put(db, buffer, keyOffset, keyLength, ValueType.STRING, ValueEncoding.STRING_RAW,
                (int)(offset + valueLength), Keyspace.NO_EXPIRY);
            if (address == Keyspace.OUT_OF_MEMORY)
            {
                reply.error(ErrorMessages.OOM);
                return;
            }
            oldLength = 0;
        }
        else
        {
            oldLength = StringValues.textLength(entry);
            if (valueLength == 0)
            {
                reply.integer(oldLength);
                return;
            }
            if (exceedsMaxStringLength(context, offset, valueLength, reply))
            {
                return;
            }
            final int newLength = (int)Math.max(oldLength, offset + valueLength);
            address = editAsRawText(context, db, address, newLength);
            if (address == Keyspace.OUT_OF_MEMORY)
            {
                reply.error(ErrorMessages.OOM);
                return;
            }
        }
        entry.wrap(address);
        if (offset > oldLength)
        {
            entry.buffer().setMemory(entry.valueOffset() + oldLength, (int)(offset - oldLength), (byte)0);
        }
        StringValues.putValueBytes(entry, (int)offset, buffer, valueOffset, valueLength);
        context.changeLog().setRange(db, buffer, keyOffset, keyLength, offset, buffer, valueOffset, valueLength);
        context.keyspaceEvents().notify(context, KeyspaceEvents.STRING, "setrange", args, 1);
        reply.integer(entry.valueLength());
    }

    /**
     * Redis's checkStringLength: would a string of {@code offset + length} bytes exceed proto-max-bulk-len? Written
     * so that no sum can overflow (SETRANGE's offset may be up to 2^63 - 1); replies the error when it would.
     *
     * @param offset where the bytes go (a string's current length for APPEND), at least 0.
     * @param length bytes written there, at least 0.
     * @return true when the error has been replied.
     */
    private static boolean exceedsMaxStringLength(final CommandContext context, final long offset, final long length,
        final Reply reply)
    {
        if (offset > context.maxStringLength() - length)
        {
            reply.error(ErrorMessages.STRING_TOO_LONG);
            return true;
        }
        return false;
    }

    private static final byte[] EMPTY = new byte[0];
}
