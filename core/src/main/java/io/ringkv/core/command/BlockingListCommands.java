package io.ringkv.core.command;

import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.WRITE;

/**
 * BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP with Redis 7.0's replies and errors (t_list.c): when a key holds
 * elements they are the non-blocking commands, built on {@link ListCommands}'s primitives (so replicas get the
 * pop or move that happened, never the blocking command); when every key is missing the request blocks
 * ({@link BlockedClients#block}) and runs again, on the key made ready only, when it is served. Inside EXEC (or a
 * script) a request that would block answers as on a timeout instead, as Redis does for CLIENT_DENY_BLOCKING.
 * <p>
 * Stateless apart from the number parser; engine thread only; allocates nothing unless the request blocks.
 */
public final class BlockingListCommands
{
    private static final byte[] LEFT = {'L', 'E', 'F', 'T'};
    private static final byte[] RIGHT = {'R', 'I', 'G', 'H', 'T'};

    private final ListCommands lists;
    private final ListCommands.MpopArguments mpop = new ListCommands.MpopArguments();

    private BlockingListCommands(final ListCommands lists)
    {
        this.lists = lists;
    }

    /**
     * @param table to register the blocking list commands in.
     * @param lists the list commands whose primitives they use.
     */
    public static void register(final CommandTable table, final ListCommands lists)
    {
        final BlockingListCommands commands = new BlockingListCommands(lists);
        table.register("blpop", -3, WRITE, (c, a, r) -> commands.bpop(c, a, r, true));
        table.register("brpop", -3, WRITE, (c, a, r) -> commands.bpop(c, a, r, false));
        table.register("blmove", 6, WRITE | DENY_OOM, commands::blmove);
        table.register("brpoplpush", 4, WRITE | DENY_OOM, (c, a, r) -> commands.move(c, a, r, false, true, 3));
        table.register("blmpop", -5, WRITE, commands::blmpop);
    }

    /**
     * BLPOP/BRPOP key [key ...] timeout.
     */
    private void bpop(final CommandContext context, final CommandArgs args, final Reply reply, final boolean left)
    {
        final int timeoutIndex = args.count() - 1;
        final long timeoutMs = BlockingTimeout.parseMs(args, timeoutIndex, reply);
        if (timeoutMs == BlockingTimeout.INVALID)
        {
            return;
        }
        if (popFirst(context, args, 1, timeoutIndex, left, -1, reply))
        {
            return;
        }
        context.blockedClients().blockOrTimeOut(args, 1, timeoutIndex - 1, timeoutMs, ValueType.LIST, reply);
    }

    /**
     * BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: LMPOP's checks, then the timeout's (Redis
     * parses it last).
     */
    private void blmpop(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ListCommands.MpopArguments mpop = this.mpop;
        if (!lists.parseMpop(args, 2, mpop, reply))
        {
            return;
        }
        final long timeoutMs = BlockingTimeout.parseMs(args, 1, reply);
        if (timeoutMs == BlockingTimeout.INVALID)
        {
            return;
        }
        final int end = mpop.firstKey + mpop.keys;
        if (popFirst(context, args, mpop.firstKey, end, mpop.left, mpop.count, reply))
        {
            return;
        }
        context.blockedClients().blockOrTimeOut(args, mpop.firstKey, mpop.keys, timeoutMs, ValueType.LIST, reply);
    }

    /**
     * Pop from the first of keys {@code [from, to)} that holds elements (only the key being served, when serving).
     *
     * @param count -1 for BLPOP's reply ([key, element]), else BLMPOP's count ([key, [elements]]).
     * @return true when answered (popped, or WRONGTYPE).
     */
    private boolean popFirst(final CommandContext context, final CommandArgs args, final int from, final int to,
        final boolean left, final long count, final Reply reply)
    {
        final BlockedClients blocked = context.blockedClients();
        final int db = context.db();
        final DirectBuffer buffer = args.buffer();
        for (int k = from; k < to; k++)
        {
            if (blocked.skipsKey(args, k))
            {
                continue;
            }
            final long length = lists.length(context, db, buffer, args.offset(k), args.length(k));
            if (length == ListCommands.WRONG_TYPE)
            {
                reply.error(ErrorMessages.WRONG_TYPE);
                return true;
            }
            if (length > 0)
            {
                reply.arrayHeader(2);
                reply.bulk(buffer, args.offset(k), args.length(k));
                if (count > 0)
                {
                    reply.arrayHeader((int)Math.min(count, length));
                }
                lists.pop(context, db, buffer, args.offset(k), args.length(k), left, Math.max(count, 1), reply);
                return true;
            }
        }
        return false;
    }

    /**
     * BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.
     */
    private void blmove(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final boolean fromLeft = args.equalsIgnoreCase(3, LEFT);
        final boolean toLeft = args.equalsIgnoreCase(4, LEFT);
        if ((!fromLeft && !args.equalsIgnoreCase(3, RIGHT)) || (!toLeft && !args.equalsIgnoreCase(4, RIGHT)))
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        move(context, args, reply, fromLeft, toLeft, 5);
    }

    /**
     * BLMOVE and BRPOPLPUSH: LMOVE when the source holds elements, else block on the source alone.
     */
    private void move(final CommandContext context, final CommandArgs args, final Reply reply,
        final boolean fromLeft, final boolean toLeft, final int timeoutIndex)
    {
        final long timeoutMs = BlockingTimeout.parseMs(args, timeoutIndex, reply);
        if (timeoutMs == BlockingTimeout.INVALID)
        {
            return;
        }
        final DirectBuffer buffer = args.buffer();
        final long moved = lists.move(context, context.db(), buffer, args.offset(1), args.length(1), buffer,
            args.offset(2), args.length(2), fromLeft, toLeft, reply);
        if (moved != 0)
        {
            return; // moved, WRONGTYPE or OOM: answered
        }
        if (context.mayNotBlock())
        {
            reply.nil(); // Redis answers a BLMOVE that may not block with a null bulk, not the timeout's null array
            return;
        }
        context.blockedClients().block(args, 1, 1, BlockingTimeout.deadlineMs(context.nowMs(), timeoutMs),
            ValueType.LIST);
    }
}
