package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * TIME, SHUTDOWN, LASTSAVE, SAVE, BGSAVE and MONITOR. ringkv keeps no snapshot or append-only files: LASTSAVE
 * reports the start time (as Redis does before its first save), SAVE and BGSAVE answer an error that says so, and
 * SHUTDOWN SAVE fails with Redis's text for a shutdown whose save failed unless FORCE is given.
 * <p>
 * Only the engine thread runs these handlers.
 */
public final class ServerCommands
{
    static final String NO_PERSISTENCE = "ERR ringkv keeps no snapshot files: persistence is not supported";
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
        table.register("lastsave", 1, Command.ADMIN | Command.FAST,
            (context, args, reply) -> reply.integer(server.startedMs() / 1000));
        table.register("save", 1, Command.ADMIN | Command.NO_MULTI, (context, args, reply) -> reply.error(NO_PERSISTENCE));
        table.register("bgsave", -1, Command.ADMIN, ServerCommands::bgsave);
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

    private static void bgsave(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() > 2 || (args.count() == 2 && !"schedule".equalsIgnoreCase(args.asString(1))))
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        reply.error(NO_PERSISTENCE);
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
        if (save && !force)
        {
            server.log().warning("Error trying to save the DB, can't exit: ringkv keeps no snapshot files " +
                "(SHUTDOWN SAVE); use SHUTDOWN NOSAVE, or SAVE FORCE to shut down anyway.");
            reply.error(SHUTDOWN_FAILED);
            return;
        }
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
