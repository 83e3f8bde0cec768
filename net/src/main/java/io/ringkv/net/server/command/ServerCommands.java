package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;
import io.ringkv.replication.persistence.RdbPersistence;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * TIME, SHUTDOWN and MONITOR. SHUTDOWN saves the RDB file as Redis 7.0 does (with SAVE, or with save points
 * configured unless NOSAVE), and a failed save stops the shutdown with Redis's text unless FORCE is given. SAVE,
 * BGSAVE and LASTSAVE are {@code io.ringkv.replication.persistence.PersistenceCommands}.
 * <p>
 * Only the engine thread runs these handlers.
 */
public final class ServerCommands
{
    static final String MONITOR_UNSUPPORTED = "ERR MONITOR needs a RESP connection";
    static final String SHUTDOWN_FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";

    private final ServerControl server;

    private ServerCommands(final ServerControl server)
    {
        this.server = server;
    }

    /**
     * @param table  to register the commands in.
     * @param server to shut down and whose start time LASTSAVE reports.
     */
    public static void register(final CommandTable table, final ServerControl server)
    {
        final ServerCommands commands = new ServerCommands(server);
        table.register("time", 1, Command.FAST, ServerCommands::time);
        table.register("shutdown", -1, Command.ADMIN | Command.NO_MULTI, commands::shutdown);
        table.register("monitor", 1, Command.ADMIN, ServerCommands::monitor);
    }

    private static void time(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Instant now = Instant.now();
        reply.arrayHeader(2);
        reply.bulkInteger(now.getEpochSecond());
        reply.bulkInteger(now.getNano() / 1000);
    }

    /**
     * Redis 7.0's monitorCommand: +OK, then every executed command's line; a second MONITOR answers nothing. A
     * connection that cannot carry pushed lines (JSON lines) is refused, and so is the replication stream from a
     * master (nothing would read the lines).
     */
    private static void monitor(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ClientSession session = context.session();
        if (session.monitor())
        {
            return; // already a monitor: Redis answers nothing

        }
        if (session.masterLink() || !context.monitors().add(session))
        {
            reply.error(MONITOR_UNSUPPORTED);
            return;
        }
        reply.ok();
    }

    /**
     * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], after Redis 7's shutdownCommand. On success nothing is
     * replied: the server stops and the connection closes.
     */
    private void shutdown(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        boolean save = false;
        boolean noSave = false;
        boolean force = false;
        boolean abort = false;
        for (int i = 1; i < args.count(); i++)
        {
            switch (args.asString(i).toLowerCase(Locale.ROOT))
            {
                case "nosave" -> noSave = true;
                case "save" -> save = true;
                case "now" ->
                {
                    // Nothing to wait for: ringkv has no replicas to let catch up yet.
                }
                case "force" -> force = true;
                case "abort" -> abort = true;
                default ->
                {
                    reply.error(ErrorMessages.SYNTAX);
                    return;
                }
            }
        }
        if ((abort && args.count() != 2) || (save && noSave))
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        if (abort)
        {
            reply.error("ERR No shutdown in progress.");
            return;
        }
        final RdbPersistence persistence = server.persistence();
        if (!noSave && (save || persistence.savePoints().any()))
        {
            final String error = persistence.saveForShutdown(context);
            if (error != null)
            {
                server.log().warning("Error trying to save the DB, can't exit: " + error);
                if (!force)
                {
                    reply.error(SHUTDOWN_FAILED);
                    return;
                }
            }
        }
        persistence.shutdownDecided();
        server.log().warning("User requested shutdown...");
        final ConnectedClient connection = server.registry().get(context.session().id());
        if (null != connection)
        {
            connection.closeAfterReply();
        }
        server.requestShutdown();
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
