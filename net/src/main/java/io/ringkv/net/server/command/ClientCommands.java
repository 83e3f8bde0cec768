package io.ringkv.net.server.command;

import io.ringkv.core.command.AsciiNumbers;
import io.ringkv.core.command.ClientPause;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;
import io.ringkv.net.resp.RespReply;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CLIENT ID, SETNAME, GETNAME, LIST, INFO, KILL, REPLY, SETINFO, NO-EVICT, NO-TOUCH, PAUSE, UNPAUSE and HELP, with Redis 7's
 * replies and texts. CLIENT LIST lines follow Redis 7.2's layout, with the connection's buffers as its memory
 * figures: {@code qbuf}/{@code qbuf-free} the read buffer's unconsumed bytes and free room ({@code rbs} its size),
 * {@code obl} the reply bytes not yet sent, {@code omem} the reply buffer's memory (ringkv has one growable reply
 * buffer, no list of reply blocks: {@code oll=0}), {@code tot-mem} both buffers, {@code events=rw} while replies
 * wait to be sent. Arguments are slices of the read buffer ({@code argv-mem=0}). Every ringkv client is of type
 * {@code normal}.
 * <p>
 * Only the engine thread runs these handlers; they read other connections' descriptive fields and sessions, which
 * the engine thread owns, and kill connections through {@link ConnectedClient#kill()}.
 */
public final class ClientCommands
{
    static final List<String> HELP = List.of(
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connections by client id.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "    * ID <client-id> [<client-id> ...]",
        "      Return clients of specified IDs only.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "SETINFO <LIB-NAME|LIB-VER> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)",
        "    Will not touch LRU/LFU stats when this mode is on.",
        "HELP",
        "    Prints this help.");

    private static final byte[] ON = "ON".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OFF = "OFF".getBytes(StandardCharsets.US_ASCII);
    private static final List<String> CLIENT_TYPES = List.of("normal", "master", "replica", "slave", "pubsub");

    private final ServerControl server;
    private final ConnectedClients registry;

    private ClientCommands(final ServerControl server)
    {
        this.server = server;
        this.registry = server.registry();
    }

    /**
     * @param table  to register CLIENT in.
     * @param server whose connections it lists and kills.
     */
    public static void register(final CommandTable table, final ServerControl server)
    {
        final ClientCommands commands = new ClientCommands(server);
        final TrackingCommands tracking = new TrackingCommands(server);
        table.register("client", -2, 0, new Subcommands("client")
            .add("id", 2, Command.FAST, (context, args, reply) -> reply.integer(context.session().id()))
            .add("setname", 3, Command.FAST, ClientCommands::setname)
            .add("getname", 2, Command.FAST, ClientCommands::getname)
            .add("list", -2, Command.ADMIN, commands::list)
            .add("info", 2, 0, commands::info)
            .add("kill", -3, Command.ADMIN, commands::kill)
            .add("unblock", -3, Command.ADMIN, ClientCommands::unblock)
            .add("pause", -3, Command.ADMIN, ClientCommands::pause)
            .add("unpause", 2, Command.ADMIN, ClientCommands::unpause)
            .add("reply", 3, 0, commands::clientReply)
            .add("setinfo", 4, 0, ClientCommands::setinfo)
            .add("no-evict", 3, Command.ADMIN, ClientCommands::onOff)
            .add("no-touch", 3, Command.FAST, ClientCommands::onOff)
            .add("tracking", -3, 0, tracking::tracking)
            .add("caching", 3, 0, TrackingCommands::caching)
            .add("getredir", 2, 0, TrackingCommands::getredir)
            .add("trackinginfo", 2, 0, TrackingCommands::trackinginfo)
            .add("help", 2, 0, (context, args, reply) -> ConfigCommands.help(reply, HELP)));
    }

    private static void setname(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final String name = args.asString(2);
        if (!ConnectionStateCommands.validClientName(name))
        {
            reply.error(ConnectionStateCommands.BAD_CLIENT_NAME);
            return;
        }
        context.session().name(name);
        reply.ok();
    }

    private static void getname(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final String name = context.session().name();
        if (name.isEmpty())
        {
            reply.nil();
        }
        else
        {
            reply.bulk(name.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private static void setinfo(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final String attribute = args.asString(2);
        final String value = args.asString(3);
        final boolean isName = "lib-name".equalsIgnoreCase(attribute);
        if (!isName && !"lib-ver".equalsIgnoreCase(attribute))
        {
            reply.error("ERR Unrecognized option '" + attribute + "'");
            return;
        }
        if (!ConnectionStateCommands.validClientName(value))
        {
            reply.error("ERR " + attribute + " cannot contain spaces, newlines or special characters.");
            return;
        }
        if (isName)
        {
            context.session().libraryName(value);
        }
        else
        {
            context.session().libraryVersion(value);
        }
        reply.ok();
    }

    /** NO-EVICT and NO-TOUCH: accepted for compatibility; ringkv neither evicts clients nor has LRU eviction yet. */
    private static void onOff(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.equalsIgnoreCase(2, ON) || args.equalsIgnoreCase(2, OFF))
        {
            reply.ok();
        }
        else
        {
            reply.error(ErrorMessages.SYNTAX);
        }
    }

    private void clientReply(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final String mode = args.asString(2).toUpperCase(Locale.ROOT);
        if (!"ON".equals(mode) && !"OFF".equals(mode) && !"SKIP".equals(mode))
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        final ConnectedClient connection = registry.get(context.session().id());
        final RespReply respReply = null == connection ? null : connection.respReply();
        if (null == respReply)
        {
            reply.error("ERR CLIENT REPLY is only available on RESP connections");
            return;
        }
        switch (mode)
        {
            case "ON" ->
            {
                respReply.clientReplyOn();
                reply.ok();
            }
            case "OFF" ->
            {
                respReply.clientReplyOff();
                reply.ok();
            }
            default ->
            {
                respReply.clientReplySkip();
                reply.ok();
            }
        }
    }

    private void info(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ConnectedClient self = registry.get(context.session().id());
        if (null == self)
        {
            reply.verbatimText("");
            return;
        }
        final StringBuilder text = new StringBuilder(256);
        describe(self, context, System.currentTimeMillis(), text);
        reply.verbatimText(text);
    }

    private void list(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        List<Long> ids = null;
        String type = null;
        int i = 2;
        while (i < args.count())
        {
            final String option = args.asString(i);
            if ("type".equalsIgnoreCase(option) && i + 1 < args.count() && null == ids)
            {
                type = args.asString(i + 1).toLowerCase(Locale.ROOT);
                if (!CLIENT_TYPES.contains(type))
                {
                    reply.error("ERR Unknown client type '" + args.asString(i + 1) + "'");
                    return;
                }
                i += 2;
            }
            else if ("id".equalsIgnoreCase(option) && i + 1 < args.count() && null == type)
            {
                ids = new ArrayList<>();
                for (i = i + 1; i < args.count(); i++)
                {
                    final long id = parseLong(args.asString(i));
                    if (id <= 0)
                    {
                        reply.error("ERR Invalid client ID");
                        return;
                    }
                    ids.add(id);
                }
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        final long nowMs = System.currentTimeMillis();
        final StringBuilder text = new StringBuilder(256);
        for (final ConnectedClient connection : registry.snapshot())
        {
            if ((null != type && !"normal".equals(type)) || (null != ids && !ids.contains(connection.id())))
            {
                continue;
            }
            describe(connection, context, nowMs, text);
        }
        reply.verbatimText(text);
    }

    /**
     * One CLIENT LIST line, ending with a newline.
     */
    private static void describe(
        final ConnectedClient connection, final CommandContext context, final long nowMs, final StringBuilder text)
    {
        final ClientSession session = connection.session();
        final boolean self = session == context.session();
        final Command last = session.lastCommand();
        final String command = null == last ? "NULL" : last.name();
        final long queryBytes = connection.queryBufferBytes();
        final long queryCapacity = connection.queryBufferCapacity();
        final long replyBytes = connection.replyBufferBytes();
        final long replyCapacity = connection.replyBufferCapacity();
        text.append("id=").append(connection.id())
            .append(" addr=").append(connection.remoteAddress())
            .append(" laddr=").append(connection.localAddress())
            .append(" fd=-1")
            .append(" name=").append(session.name())
            .append(" age=").append(Math.max(0, (nowMs - connection.createdMs()) / 1000))
            .append(" idle=").append(self ? 0 : Math.max(0, (nowMs - connection.lastInteractionMs()) / 1000))
            .append(" flags=").append(flags(session, context.blockedClients().blocked(connection.id())))
            .append(" db=").append(session.db())
            .append(" sub=").append(context.pubSub().channelCount(session))
            .append(" psub=").append(context.pubSub().patternCount(session))
            .append(" ssub=").append(context.pubSub().shardChannelCount(session))
            .append(" multi=")
            .append(session.inTransaction() ? session.transaction().queued().requestCount() : -1)
            .append(" qbuf=").append(queryBytes)
            .append(" qbuf-free=").append(Math.max(0, queryCapacity - queryBytes))
            .append(" argv-mem=0 multi-mem=0")
            .append(" rbs=").append(queryCapacity).append(" rbp=").append(queryCapacity)
            .append(" obl=").append(replyBytes).append(" oll=0")
            .append(" omem=").append(replyCapacity)
            .append(" tot-mem=").append(queryCapacity + replyCapacity)
            .append(" events=").append(replyBytes > 0 ? "rw" : "r")
            .append(" cmd=").append(command)
            .append(" user=default redir=").append(context.clientTracking().redirect(session))
            .append(" resp=").append(session.protocolVersion())
            .append(" lib-name=").append(session.libraryName())
            .append(" lib-ver=").append(session.libraryVersion())
            .append('\n');
    }

    private void kill(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() == 3)
        {
            final String address = args.asString(2);
            for (final ConnectedClient connection : registry.snapshot())
            {
                if (connection.remoteAddress().equals(address))
                {
                    reply.ok();
                    close(connection, context);
                    return;
                }
            }
            reply.error("ERR No such client");
            return;
        }

        long id = 0;
        String address = null;
        String localAddress = null;
        String type = null;
        boolean skipMe = true;
        for (int i = 2; i < args.count(); i += 2)
        {
            final String option = args.asString(i).toLowerCase(Locale.ROOT);
            if (i + 1 >= args.count())
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
            final String value = args.asString(i + 1);
            switch (option)
            {
                case "id" ->
                {
                    id = parseLong(value);
                    if (id <= 0)
                    {
                        reply.error("ERR client-id should be greater than 0");
                        return;
                    }
                }
                case "type" ->
                {
                    type = value.toLowerCase(Locale.ROOT);
                    if (!CLIENT_TYPES.contains(type))
                    {
                        reply.error("ERR Unknown client type '" + value + "'");
                        return;
                    }
                }
                case "addr" -> address = value;
                case "laddr" -> localAddress = value;
                case "user" ->
                {
                    if (!"default".equals(value))
                    {
                        reply.error("ERR No such user '" + value + "'");
                        return;
                    }
                }
                case "skipme" ->
                {
                    if ("yes".equalsIgnoreCase(value))
                    {
                        skipMe = true;
                    }
                    else if ("no".equalsIgnoreCase(value))
                    {
                        skipMe = false;
                    }
                    else
                    {
                        reply.error(ErrorMessages.SYNTAX);
                        return;
                    }
                }
                default ->
                {
                    reply.error(ErrorMessages.SYNTAX);
                    return;
                }
            }
        }

        final List<ConnectedClient> victims = new ArrayList<>();
        for (final ConnectedClient connection : registry.snapshot())
        {
            final boolean self = connection.id() == context.session().id();
            if ((id != 0 && connection.id() != id) ||
                (null != address && !connection.remoteAddress().equals(address)) ||
                (null != localAddress && !connection.localAddress().equals(localAddress)) ||
                (null != type && !"normal".equals(type)) ||
                (self && skipMe))
            {
                continue;
            }
            victims.add(connection);
        }
        // Replicas' connections are served by their senders, not listed as clients: TYPE replica drops them.
        final int replicas = "replica".equals(type) || "slave".equals(type) ? server.replication().dropReplicas() : 0;
        // The master's client is the replication link, not a connection of the registry (as Redis's server.master).
        final io.ringkv.replication.replica.ReplicaLink master = "master".equals(type) && id == 0 &&
            null == address && null == localAddress ? server.replication().replicaLink() : null;
        final boolean killMaster = null != master && "up".equals(master.linkStatus());
        reply.integer(victims.size() + replicas + (killMaster ? 1 : 0));
        for (final ConnectedClient victim : victims)
        {
            close(victim, context);
        }
        if (killMaster)
        {
            server.log().verbose("Killing the master link to " + master.host() + ":" + master.port());
            master.disconnect();
        }
    }

    /**
     * The calling client is closed after its reply is written, as Redis does; others at once: a blocked one is
     * forgotten now (INFO's blocked_clients drops with the kill, as Redis frees the client at once).
     */
    private void close(final ConnectedClient connection, final CommandContext context)
    {
        if (connection.id() == context.session().id())
        {
            connection.closeAfterReply();
        }
        else
        {
            server.log().verbose("Killing client id=" + connection.id() + " addr=" + connection.remoteAddress());
            connection.kill();
            context.blockedClients().release(connection.id());
        }
    }

    /**
     * CLIENT UNBLOCK id [TIMEOUT|ERROR]: answer a client blocked by BLPOP and friends as on a timeout (default) or
     * with Redis's UNBLOCKED error; 1 when it was blocked, else 0.
     */
    private static void unblock(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() > 4)
        {
            reply.error("ERR unknown subcommand or wrong number of arguments for '" + args.asString(1) +
                "'. Try CLIENT HELP.");
            return;
        }
        final long id;
        try
        {
            id = Long.parseLong(args.asString(2));
        }
        catch (final NumberFormatException ex)
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        boolean error = false;
        if (args.count() == 4)
        {
            final String reason = args.asString(3);
            if ("error".equalsIgnoreCase(reason))
            {
                error = true;
            }
            else if (!"timeout".equalsIgnoreCase(reason))
            {
                reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        reply.integer(context.blockedClients().unblock(id, error) ? 1 : 0);
    }

    /**
     * CLIENT PAUSE timeout [WRITE|ALL]: hold every client's commands (ALL, the default) or those that write or may
     * replicate (WRITE) for timeout milliseconds (Redis's pauseClients: a pause in force keeps its stronger type and
     * later end). The holding is done by the connections ({@code ClientPauseGate}), never by the engine.
     */
    private static void pause(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() > 4)
        {
            reply.error("ERR unknown subcommand or wrong number of arguments for '" + args.asString(1) +
                "'. Try CLIENT HELP.");
            return;
        }
        int type = ClientPause.ALL;
        if (args.count() == 4)
        {
            final String mode = args.asString(3);
            if ("write".equalsIgnoreCase(mode))
            {
                type = ClientPause.WRITE;
            }
            else if (!"all".equalsIgnoreCase(mode))
            {
                reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        }
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args.buffer(), args.offset(2), args.length(2)))
        {
            reply.error("ERR timeout is not an integer or out of range");
            return;
        }
        final long timeoutMs = numbers.value();
        if (timeoutMs < 0)
        {
            reply.error("ERR timeout is negative");
            return;
        }
        // Redis adds the timeout to now as it is: a sum past the largest time wraps into the past (no pause).
        context.clientPause().pause(context.nowMs() + timeoutMs, type, context.nowMs());
        reply.ok();
    }

    private static void unpause(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        context.clientPause().unpause();
        reply.ok();
    }

    private static long parseLong(final String text)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * CLIENT LIST's flags as far as transactions go: x inside MULTI, d once a watched key changed (EXEC will fail),
     * in Redis's order; N for none.
     */
    /**
     * CLIENT LIST's flags as Redis prints them for these states: P (Pub/Sub), x (in MULTI), b (blocked in BLPOP and
     * friends), d (a watched key changed), N when none.
     */
    private static String flags(final ClientSession session, final boolean blocked)
    {
        final io.ringkv.core.command.Transaction transaction = session.transaction();
        final boolean dirty = null != transaction && transaction.watchedKeyChanged();
        final String flags = (session.subscriptions() > 0 ? "P" : "") + (session.inTransaction() ? "x" : "") +
            (blocked ? "b" : "") + (dirty ? "d" : "");
        return flags.isEmpty() ? "N" : flags;
    }
}
