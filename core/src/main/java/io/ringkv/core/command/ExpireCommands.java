package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;
import org.agrona.DirectBuffer;

import static io.ringkv.core.command.Command.FAST;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * Expiry commands with Redis 7 semantics: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL EXPIRETIME
 * PEXPIRETIME PERSIST. An expiry time at or before now deletes the key (logged as DEL), as Redis does.
 * Stateless; the handlers run on the engine thread.
 */
public final class ExpireCommands
{
    private static final int NX = 1;
    private static final int XX = 1 << 1;
    private static final int GT = 1 << 2;
    private static final int LT = 1 << 3;
    private static final byte[] NX_TOKEN = {'N', 'X'};
    private static final byte[] XX_TOKEN = {'X', 'X'};
    private static final byte[] GT_TOKEN = {'G', 'T'};
    private static final byte[] LT_TOKEN = {'L', 'T'};

    private ExpireCommands()
    {
    }

    /**
     * @param table to register EXPIRE, TTL... in.
     */
    public static void register(final CommandTable table)
    {
        table.register("expire", -3, WRITE | FAST, (c, a, r) -> expireGeneric(c, a, true, true, "expire", r));
        table.register("pexpire", -3, WRITE | FAST, (c, a, r) -> expireGeneric(c, a, false, true, "pexpire", r));
        table.register("expireat", -3, WRITE | FAST, (c, a, r) -> expireGeneric(c, a, true, false, "expireat", r));
        table.register("pexpireat", -3, WRITE | FAST,
            (c, a, r) -> expireGeneric(c, a, false, false, "pexpireat", r));
        table.register("ttl", 2, READONLY | FAST, (c, a, r) -> ttlGeneric(c, a, false, false, r));
        table.register("pttl", 2, READONLY | FAST, (c, a, r) -> ttlGeneric(c, a, true, false, r));
        table.register("expiretime", 2, READONLY | FAST, (c, a, r) -> ttlGeneric(c, a, false, true, r));
        table.register("pexpiretime", 2, READONLY | FAST, (c, a, r) -> ttlGeneric(c, a, true, true, r));
        table.register("persist", 2, WRITE | FAST, ExpireCommands::persist);
    }

    /**
     * Redis's expireGenericCommand: options first, then the time, then the key.
     */
    static void expireGeneric(final CommandContext context, final CommandArgs args, final boolean seconds,
        final boolean relative, final String command, final Reply reply)
    {
        int flags = 0;
        for (int j = 3, count = args.count(); j < count; j++)
        {
            if (args.equalsIgnoreCase(j, NX_TOKEN))
            {
                flags |= NX;
            }
            else if (args.equalsIgnoreCase(j, XX_TOKEN))
            {
                flags |= XX;
            }
            else if (args.equalsIgnoreCase(j, GT_TOKEN))
            {
                flags |= GT;
            }
            else if (args.equalsIgnoreCase(j, LT_TOKEN))
            {
                flags |= LT;
            }
            else
            {
                reply.error("ERR Unsupported option " + args.asString(j));
                return;
            }
        }
        if ((flags & NX) != 0 && (flags & (XX | GT | LT)) != 0)
        {
            reply.error(ErrorMessages.NX_XX_GT_LT);
            return;
        }
        if ((flags & GT) != 0 && (flags & LT) != 0)
        {
            reply.error(ErrorMessages.GT_LT);
            return;
        }
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        long when = numbers.value();
        if (seconds)
        {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000)
            {
                reply.error(ErrorMessages.invalidExpireTime(command));
                return;
            }
            when *= 1000;
        }
        if (relative)
        {
            final long nowMs = context.nowMs();
            if ((when > 0 && nowMs > Long.MAX_VALUE - when) || (when < 0 && nowMs < Long.MIN_VALUE - when))
            {
                reply.error(ErrorMessages.invalidExpireTime(command));
                return;
            }
            when += nowMs;
        }
        final long address = context.findKey(args, 1);
        if (address == Keyspace.NOT_FOUND)
        {
            reply.integer(0);
            return;
        }
        if (flags != 0)
        {
            final long current = context.entry().wrap(address).expireAtMs();
            final boolean persistent = current == Keyspace.NO_EXPIRY;
            if (((flags & NX) != 0 && !persistent) ||
                ((flags & XX) != 0 && persistent) ||
                ((flags & GT) != 0 && (persistent || when <= current)) ||
                ((flags & LT) != 0 && !persistent && when >= current))
            {
                reply.integer(0);
                return;
            }
        }
        expireAtOrDelete(context, args, address, when);
        reply.integer(1);
    }

    /**
     * Gives argument 1's live entry a new absolute expiry and logs it; a time at or before now deletes the key
     * instead (logged as DEL), as Redis's EXPIRE and GETEX do, except on a replica, which never deletes a key for
     * its expiry but keeps it hidden until the master's DEL arrives.
     *
     * @param address    the entry argument 1 names, found in the selected database.
     * @param expireAtMs the new expiry, epoch ms.
     */
    static void expireAtOrDelete(final CommandContext context, final CommandArgs args, final long address,
        final long expireAtMs)
    {
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final DirectBuffer key = args.buffer();
        final int keyOffset = args.offset(1);
        final int keyLength = args.length(1);
        if (expireAtMs <= context.nowMs() && !keyspace.replicaExpiry())
        {
            keyspace.delete(db, address);
            context.changeLog().delete(db, key, keyOffset, keyLength, false);
            context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, 1);
        }
        else
        {
            keyspace.expireAt(address, expireAtMs);
            context.changeLog().expireAt(db, key, keyOffset, keyLength, expireAtMs);
            context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "expire", args, 1);
        }
    }

    /**
     * Removes the expiry of argument 1's live entry and logs PERSIST, as PERSIST and GETEX PERSIST do.
     *
     * @param address the entry argument 1 names, found in the selected database; it has an expiry.
     */
    static void removeExpiry(final CommandContext context, final CommandArgs args, final long address)
    {
        context.keyspace().expireAt(address, Keyspace.NO_EXPIRY);
        context.changeLog().persist(context.db(), args.buffer(), args.offset(1), args.length(1));
        context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "persist", args, 1);
    }

    /**
     * TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 for one without expiry.
     */
    static void ttlGeneric(final CommandContext context, final CommandArgs args, final boolean inMs,
        final boolean absolute, final Reply reply)
    {
        final long address = context.readKey(args, 1);
        if (address == Keyspace.NOT_FOUND)
        {
            reply.integer(-2);
            return;
        }
        final long expireAtMs = context.entry().wrap(address).expireAtMs();
        if (expireAtMs == Keyspace.NO_EXPIRY)
        {
            reply.integer(-1);
            return;
        }
        // Redis rounds both the relative and the absolute time to the nearest second; unsigned, so an expiry near
        // 2^63 ms (PEXPIREAT k 9223372036854775807) rounds up as Redis's answer does instead of overflowing.
        final long ms = absolute ? expireAtMs : Math.max(0, expireAtMs - context.nowMs());
        reply.integer(inMs ? ms : Long.divideUnsigned(ms + 500, 1000));
    }

    static void persist(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = context.findKey(args, 1);
        if (address == Keyspace.NOT_FOUND || context.entry().wrap(address).expireAtMs() == Keyspace.NO_EXPIRY)
        {
            reply.integer(0);
            return;
        }
        removeExpiry(context, args, address);
        reply.integer(1);
    }
}
