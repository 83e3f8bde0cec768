package io.ringkv.core.command;

import java.nio.charset.StandardCharsets;

import static io.ringkv.core.command.Command.*;

/**
 * MULTI EXEC DISCARD WATCH UNWATCH, with Redis 7.0's replies and errors (multi.c), and the queueing the dispatcher
 * does between MULTI and EXEC: a command admitted inside MULTI is copied into the connection's {@link Transaction}
 * and answered QUEUED; one refused while queueing (unknown, arity, no-multi, OOM...) dooms the transaction, so EXEC
 * answers EXECABORT; a refused EXEC discards it with the reason. EXEC runs the queued commands through the
 * dispatcher's call step inside its own ring slot, so nothing interleaves, with {@link CommandContext#mayNotBlock()}
 * set; their change records are therefore one slot's, which replication sends as one group. WATCH is
 * {@link WatchedKeys}.
 */
public final class TransactionCommands
{
    static final String NOT_ALLOWED_IN_MULTI = "ERR Command not allowed inside a transaction";
    static final String EXEC_ABORTED = "EXECABORT Transaction discarded because of previous errors.";
    static final String EXEC_ABORTED_BECAUSE = "EXECABORT Transaction discarded because of: ";
    static final String QUEUE_TOO_LARGE =
        "ERR transaction queue would exceed " + (Transaction.MAX_QUEUED_BYTES >> 20) + " MB";
    private static final byte[] QUEUED = "QUEUED".getBytes(StandardCharsets.US_ASCII);

    private TransactionCommands()
    {
    }

    /**
     * @param table to register into.
     */
    public static void register(final CommandTable table)
    {
        table.register("multi", 1, NO_QUEUE | FAST, TransactionCommands::multi);
        table.register("exec", 1, NO_QUEUE | EXEC, TransactionCommands::exec);
        table.register("discard", 1, NO_QUEUE | FAST, TransactionCommands::discard);
        table.register("watch", -2, NO_QUEUE | FAST, TransactionCommands::watch);
        table.register("unwatch", 1, FAST, TransactionCommands::unwatch);
    }

    /**
     * Dispatcher, inside MULTI: queue an admitted command and answer QUEUED.
     *
     * @return false when the queue would pass {@link Transaction#MAX_QUEUED_BYTES} (nothing queued or answered).
     */
    static boolean queue(final Command command, final CommandArgs args, final ClientSession session, final Reply reply)
    {
        final Transaction transaction = session.transactionState();
        if (transaction.queued().bytes() + requestBytes(args) > Transaction.MAX_QUEUED_BYTES)
        {
            return false;
        }
        transaction.queue(command, args);
        reply.simpleString(QUEUED);
        return true;
    }

    /**
     * Dispatcher, inside MULTI: a request was refused while queueing. Dooms the transaction (Redis's
     * flagTransaction); a refused EXEC discards it and answers why (Redis's execCommandAbort).
     *
     * @param context the engine's context.
     * @param command the refused command, or null when unknown.
     * @param session the connection's session.
     * @param message the refusal.
     * @return the error to answer.
     */
    static String refused(
        final CommandContext context, final Command command, final ClientSession session, final String message)
    {
        session.transactionState().abort();
        if (null != command && command.hasFlag(EXEC))
        {
            discard(context, session);
            return EXEC_ABORTED_BECAUSE + (message.startsWith("ERR ") ? message.substring(4) : message);
        }
        return message;
    }

    /**
     * @return the flags EXEC is admitted by: its own and those of every command it would run (Redis's
     * mstate.cmd_flags).
     */
    static int execFlags(final Command exec, final ClientSession session)
    {
        final Transaction transaction = session.transaction();
        return null == transaction || !session.inTransaction() ? exec.flags() :
            exec.flags() | transaction.queuedFlags();
    }

    /**
     * Forget the session's transaction and watched keys (DISCARD; RESET; a connection that closes).
     *
     * @param context the engine's context.
     * @param session the connection's session.
     */
    public static void discard(final CommandContext context, final ClientSession session)
    {
        final Transaction transaction = session.transaction();
        if (null != transaction)
        {
            transaction.reset();
            context.watchedKeys().unwatchAll(transaction);
        }
        session.inTransaction(false);
    }

    static void multi(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ClientSession session = context.session();
        if (session.inTransaction())
        {
            reply.error("ERR MULTI calls can not be nested");
            return;
        }
        session.transactionState();
        session.inTransaction(true);
        reply.ok();
    }

    static void exec(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ClientSession session = context.session();
        if (!session.inTransaction())
        {
            reply.error("ERR EXEC without MULTI");
            return;
        }
        final Transaction transaction = session.transactionState();
        final WatchedKeys watchedKeys = context.watchedKeys();
        if (transaction.watchedKeys() != 0 && watchedKeys.anyExpiredSinceWatch(transaction, context.nowMs()))
        {
            transaction.dirtyCas = true;
        }
        if (transaction.aborted())
        {
            discard(context, session);
            reply.error(EXEC_ABORTED);
            return;
        }
        if (transaction.watchedKeyChanged())
        {
            discard(context, session);
            reply.nilArray();
            return;
        }
        watchedKeys.unwatchAll(transaction);
        final QueuedCommands queued = transaction.queued();
        final int count = queued.requestCount();
        // The queued commands answer straight into the connection's reply: each counts its own errors, and EXEC
        // fails only when it is refused itself.
        final Reply out = reply.connectionReply();
        final CommandDispatcher dispatcher = context.dispatcher();
        final CommandArgs queuedArgs = transaction.args();
        final boolean mayNotBlock = context.mayNotBlock();
        final long nowMs = context.nowMs();
        context.mayNotBlock(true);
        try
        {
            out.arrayHeader(count);
            for (int i = 0; i < count; i++)
            {
                dispatcher.call(queued.command(i), queuedArgs.wrap(queued, i), session, nowMs, out);
            }
        }
        finally
        {
            context.mayNotBlock(mayNotBlock);
            context.begin(session, nowMs);
            discard(context, session);
        }
    }

    static void discard(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ClientSession session = context.session();
        if (!session.inTransaction())
        {
            reply.error("ERR DISCARD without MULTI");
            return;
        }
        discard(context, session);
        reply.ok();
    }

    static void watch(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ClientSession session = context.session();
        if (session.inTransaction())
        {
            reply.error("ERR WATCH inside MULTI is not allowed");
            return;
        }
        final Transaction transaction = session.transactionState();
        if (!transaction.watchedKeyChanged())
        {
            // No point in watching more once a watched key has changed (Redis's watchCommand).
            final WatchedKeys watchedKeys = context.watchedKeys();
            for (int i = 1; i < args.count(); i++)
            {
                watchedKeys.watch(transaction, session.db(), args.buffer(), args.offset(i), args.length(i),
                    context.nowMs());
            }
        }
        reply.ok();
    }

    static void unwatch(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Transaction transaction = context.session().transaction();
        if (null != transaction)
        {
            context.watchedKeys().unwatchAll(transaction);
            transaction.dirtyCas = false;
        }
        reply.ok();
    }

    private static long requestBytes(final CommandArgs args)
    {
        long bytes = 0;
        for (int i = 0; i < args.count(); i++)
        {
            bytes += args.length(i);
        }
        return bytes;
    }
}
