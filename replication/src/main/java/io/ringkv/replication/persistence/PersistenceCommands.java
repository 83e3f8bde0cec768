package io.ringkv.replication.persistence;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;

import java.nio.charset.StandardCharsets;

/**
 * SAVE, BGSAVE [SCHEDULE] and LASTSAVE over {@link RdbPersistence}, with Redis 7.0's replies. Engine thread.
 */
public final class PersistenceCommands
{
    private static final byte[] STARTED = "Background saving started".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SCHEDULED = "Background saving scheduled".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SCHEDULE = "SCHEDULE".getBytes(StandardCharsets.US_ASCII);

    private PersistenceCommands()
    {
    }

    /**
     * @param table       to register in.
     * @param persistence the server's RDB persistence.
     */
    public static void register(final CommandTable table, final RdbPersistence persistence)
    {
        table.register("save", 1, Command.ADMIN | Command.NO_MULTI, (context, args, reply) ->
        {
            final String error = persistence.save(context);
            if (error == null)
            {
                reply.ok();
            }
            else
            {
                reply.error(error);
            }
        });
        table.register("bgsave", -1, Command.ADMIN, (context, args, reply) -> bgsave(persistence, context, args, reply));
        table.register("lastsave", 1, Command.ADMIN | Command.FAST,
            (context, args, reply) -> reply.integer(persistence.lastSaveSeconds()));
    }

    private static void bgsave(final RdbPersistence persistence, final CommandContext context, final CommandArgs args,
        final Reply reply)
    {
        final boolean schedule = args.count() == 2 && args.equalsIgnoreCase(1, SCHEDULE);
        if (args.count() > 2 || (args.count() == 2 && !schedule))
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        final boolean[] scheduled = {false};
        final String error = persistence.bgsave(context, schedule, scheduled);
        if (error != null)
        {
            reply.error(error);
        }
        else
        {
            reply.simpleString(scheduled[0] ? SCHEDULED : STARTED);
        }
    }
}
