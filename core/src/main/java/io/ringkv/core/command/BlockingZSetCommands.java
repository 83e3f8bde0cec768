package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueType;

import static io.ringkv.core.command.Command.FAST;
import static io.ringkv.core.command.Command.WRITE;

/**
 * BZPOPMIN, BZPOPMAX and BZMPOP with Redis 7.0's replies and errors (t_zset.c's blockingGenericZpopCommand): when a
 * key holds members they are ZPOPMIN/ZPOPMAX/ZMPOP, built on {@link ZSetCommands#pop} (replicas get the ZREM of
 * what was popped, never the blocking command); when every key is missing the request blocks
 * ({@link BlockedClients#block}) and runs again, on the key made ready only, when it is served. Inside EXEC (or a
 * script) a request that would block answers as on a timeout, as Redis does for CLIENT_DENY_BLOCKING.
 * <p>
 * Engine thread only; allocates nothing unless the request blocks.
 */
public final class BlockingZSetCommands
{
    private final ZSetCommands zsets;
    private final ZSetCommands.MpopArguments mpop = new ZSetCommands.MpopArguments();

    private BlockingZSetCommands(final ZSetCommands zsets)
    {
        this.zsets = zsets;
    }

    /**
     * @param table to register the blocking sorted-set commands in.
     * @param zsets the sorted-set commands whose primitives they use.
     */
    public static void register(final CommandTable table, final ZSetCommands zsets)
    {
        final BlockingZSetCommands commands = new BlockingZSetCommands(zsets);
        table.register("bzpopmin", -3, WRITE | FAST, (c, a, r) -> commands.bzpop(c, a, r, false));
        table.register("bzpopmax", -3, WRITE | FAST, (c, a, r) -> commands.bzpop(c, a, r, true));
        table.register("bzmpop", -5, WRITE, commands::bzmpop);
    }

    /**
     * BZPOPMIN/BZPOPMAX key [key ...] timeout: [key, member, score].
     */
    private void bzpop(final CommandContext context, final CommandArgs args, final Reply reply, final boolean max)
    {
        final int timeoutIndex = args.count() - 1;
        final long timeoutMs = BlockingTimeout.parseMs(args, timeoutIndex, reply);
        if (timeoutMs == BlockingTimeout.INVALID)
        {
            return;
        }
        if (popFirst(context, args, 1, timeoutIndex - 1, max, 1, ZSetCommands.PopReply.KEY_MEMBER_SCORE, reply))
        {
            return;
        }
        context.blockedClients().blockOrTimeOut(args, 1, timeoutIndex - 1, timeoutMs, ValueType.ZSET, reply);
    }

    /**
     * BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: ZMPOP's checks first, then the timeout's, as in
     * Redis; [key, [[member, score], ...]].
     */
    private void bzmpop(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ZSetCommands.MpopArguments mpop = this.mpop;
        if (!zsets.parseMpop(args, 2, mpop, reply))
        {
            return;
        }
        final long timeoutMs = BlockingTimeout.parseMs(args, 1, reply);
        if (timeoutMs == BlockingTimeout.INVALID)
        {
            return;
        }
        if (popFirst(context, args, mpop.firstKey, mpop.keys, mpop.max, mpop.count,
            ZSetCommands.PopReply.KEY_AND_PAIRS, reply))
        {
            return;
        }
        context.blockedClients().blockOrTimeOut(args, mpop.firstKey, mpop.keys, timeoutMs, ValueType.ZSET, reply);
    }

    /**
     * Pop from the first of {@code keys} keys from {@code firstKey} that holds members (only the key being served,
     * when serving).
     *
     * @return true when answered (popped, WRONGTYPE or OOM).
     */
    private boolean popFirst(final CommandContext context, final CommandArgs args, final int firstKey,
        final int keys, final boolean max, final long count, final ZSetCommands.PopReply shape, final Reply reply)
    {
        final BlockedClients blocked = context.blockedClients();
        for (int k = firstKey; k < firstKey + keys; k++)
        {
            if (blocked.skipsKey(args, k))
            {
                continue;
            }
            final long address = context.findKeyOfType(args, k, ValueType.ZSET, reply);
            if (address == CommandContext.WRONG_TYPE)
            {
                return true;
            }
            if (address != Keyspace.NOT_FOUND)
            {
                zsets.pop(context, args.buffer(), args.offset(k), args.length(k), address, max, count, shape, reply);
                return true;
            }
        }
        return false;
    }
}
