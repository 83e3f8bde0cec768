package io.ringkv.core.command;

import static io.ringkv.core.command.Command.FAST;
import static io.ringkv.core.command.Command.KEYSPACE;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * Database commands: SELECT DBSIZE FLUSHDB FLUSHALL SWAPDB. FLUSHDB/FLUSHALL accept ASYNC and SYNC and always flush
 * synchronously on the engine thread. SWAPDB trades two databases' keys with their TTLs (absolute expiry times, so
 * each key expires when it would have); clients that selected either database see the other's keys from their
 * next command, as in Redis. FLUSHDB, FLUSHALL and SWAPDB tell {@link WatchedKeys} first, which fails the EXEC of
 * watchers of affected keys (Redis's touchAllWatchedKeysInDb). Stateless; the handlers run on the engine thread.
 */
public final class DatabaseCommands
{
    private static final byte[] ASYNC = {'A', 'S', 'Y', 'N', 'C'};
    private static final byte[] SYNC = {'S', 'Y', 'N', 'C'};

    private DatabaseCommands()
    {
    }

    /**
     * @param table to register SELECT... in.
     */
    public static void register(final CommandTable table)
    {
        table.register("select", 2, FAST, DatabaseCommands::select);
        table.register("dbsize", 1, READONLY | FAST, DatabaseCommands::dbsize);
        table.register("flushdb", -1, WRITE | KEYSPACE, DatabaseCommands::flushdb);
        table.register("flushall", -1, WRITE | KEYSPACE, DatabaseCommands::flushall);
        table.register("swapdb", 3, WRITE | FAST, DatabaseCommands::swapdb);
    }

    static void select(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseIntOrReply(args, 1, reply))
        {
            return;
        }
        final long db = numbers.value();
        if (db < 0 || db >= context.keyspace().databases())
        {
            reply.error(ErrorMessages.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        context.session().db((int)db);
        reply.ok();
    }

    static void dbsize(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        reply.integer(context.keyspace().size(context.db()));
    }

    static void flushdb(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (!validFlushArgs(args))
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        context.watchedKeys().flushing(context.db(), context.nowMs());
        context.keyspace().flush(context.db());
        context.changeLog().flushDb(context.db());
        reply.ok();
    }

    static void flushall(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (!validFlushArgs(args))
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        final WatchedKeys watchedKeys = context.watchedKeys();
        for (int db = 0; db < context.keyspace().databases(); db++)
        {
            watchedKeys.flushing(db, context.nowMs());
        }
        context.keyspace().flushAll();
        context.changeLog().flushAll();
        reply.ok();
    }

    static void swapdb(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args, 1) || numbers.value() != (int)numbers.value())
        {
            reply.error("ERR invalid first DB index");
            return;
        }
        final long first = numbers.value();
        if (!numbers.parseLong(args, 2) || numbers.value() != (int)numbers.value())
        {
            reply.error("ERR invalid second DB index");
            return;
        }
        final long second = numbers.value();
        final int databases = context.keyspace().databases();
        if (first < 0 || first >= databases || second < 0 || second >= databases)
        {
            reply.error(ErrorMessages.DB_INDEX_OUT_OF_RANGE);
            return;
        }
        context.watchedKeys().swapping((int)first, (int)second, context.nowMs());
        context.keyspace().swapDatabases((int)first, (int)second);
        context.blockedClients().databasesSwapped((int)first, (int)second);
        if (first != second)
        {
            context.changeLog().swapDb((int)first, (int)second);
            context.clientTracking().databasesSwapped();
        }
        reply.ok();
    }

    private static boolean validFlushArgs(final CommandArgs args)
    {
        return args.count() == 1 ||
            (args.count() == 2 && (args.equalsIgnoreCase(1, ASYNC) || args.equalsIgnoreCase(1, SYNC)));
    }
}
