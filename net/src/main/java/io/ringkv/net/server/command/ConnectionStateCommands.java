package io.ringkv.net.server.command;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.Reply;
import io.ringkv.core.command.TransactionCommands;
import io.ringkv.net.resp.RespReply;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The commands that change a connection's own state: HELLO, AUTH, QUIT and RESET, with Redis 7's replies and error
 * texts. ringkv has one user, {@code default}, whose password is {@code requirepass} (none when it is empty).
 * <p>
 * Only the engine thread runs these handlers; they change the session of the connection that sent the request.
 */
public final class ConnectionStateCommands
{
    /** The Redis version whose behaviour ringkv follows: HELLO, INFO's redis_version and the banner report it. */
    public static final String REDIS_VERSION = "7.0.15";
    /** ringkv's own version, reported beside the Redis version whose behaviour it follows. */
    public static final String RINGKV_VERSION = "0.1.0";
    static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    static final String AUTH_WITHOUT_PASSWORD = "ERR AUTH <password> called without any password configured for " +
        "the default user. Are you sure your configuration is correct?";
    static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, " +
        "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select " +
        "the RESP protocol version at the same time";
    static final String BAD_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

    private static final byte[] AUTH = "AUTH".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SETNAME = "SETNAME".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESET = "RESET".getBytes(StandardCharsets.US_ASCII);

    private final ServerControl server;

    private ConnectionStateCommands(final ServerControl server)
    {
        this.server = server;
    }

    /**
     * @param table  to register HELLO, AUTH, QUIT and RESET in.
     * @param server whose password and connections they use.
     */
    public static void register(final CommandTable table, final ServerControl server)
    {
        final ConnectionStateCommands commands = new ConnectionStateCommands(server);
        table.register("hello", -1, Command.NO_AUTH | Command.FAST, commands::hello);
        table.register("auth", -2, Command.NO_AUTH | Command.FAST, commands::auth);
        table.register("quit", -1, Command.NO_AUTH | Command.FAST | Command.NO_QUEUE, commands::quit);
        table.register("reset", 1, Command.NO_AUTH | Command.FAST | Command.NO_QUEUE, commands::reset);
    }

    private void hello(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ClientSession session = context.session();
        int protocol = session.protocolVersion();
        if (args.count() >= 2)
        {
            final long requested = parseLong(args.asString(1));
            if (requested == Long.MIN_VALUE || requested < 0 || requested > Integer.MAX_VALUE)
            {
                reply.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (requested != ClientSession.PROTOCOL_RESP2 && requested != ClientSession.PROTOCOL_RESP3)
            {
                reply.error("NOPROTO unsupported protocol version");
                return;
            }
            protocol = (int)requested;
        }

        String user = null;
        String password = null;
        String name = null;
        for (int i = 2; i < args.count(); i++)
        {
            final int more = args.count() - i - 1;
            if (args.equalsIgnoreCase(i, AUTH) && more >= 2)
            {
                context.redactArgument(i + 1);
                context.redactArgument(i + 2);
                user = args.asString(i + 1);
                password = args.asString(i + 2);
                i += 2;
            }
            else if (args.equalsIgnoreCase(i, SETNAME) && more >= 1)
            {
                name = args.asString(i + 1);
                i += 1;
            }
            else
            {
                reply.error("ERR Syntax error in HELLO option '" + args.asString(i) + "'");
                return;
            }
        }

        if (null != user && !credentialsMatch(user, password))
        {
            reply.error(WRONGPASS);
            return;
        }
        if (null == user && !session.authenticated())
        {
            reply.error(HELLO_NOAUTH);
            return;
        }
        if (null != name && !validClientName(name))
        {
            reply.error(BAD_CLIENT_NAME);
            return;
        }
        if (null != user)
        {
            session.authenticated(true);
        }
        if (null != name)
        {
            session.name(name);
        }
        session.protocolVersion(protocol);

        reply.mapHeader(7);
        bulk(reply, "server");
        bulk(reply, "redis");
        bulk(reply, "version");
        bulk(reply, REDIS_VERSION);
        bulk(reply, "proto");
        reply.integer(protocol);
        bulk(reply, "id");
        reply.integer(session.id());
        bulk(reply, "mode");
        bulk(reply, "standalone");
        bulk(reply, "role");
        bulk(reply, "master");
        bulk(reply, "modules");
        reply.arrayHeader(0);
    }

    private void auth(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        for (int i = 1; i < args.count(); i++)
        {
            context.redactArgument(i);
        }
        if (args.count() > 3)
        {
            reply.error("ERR syntax error");
            return;
        }
        final String requirepass = server.config().requirepass.text();
        if (args.count() == 2 && requirepass.isEmpty())
        {
            reply.error(AUTH_WITHOUT_PASSWORD);
            return;
        }
        final String user = args.count() == 3 ? args.asString(1) : "default";
        final String password = args.asString(args.count() - 1);
        if (!credentialsMatch(user, password))
        {
            reply.error(WRONGPASS);
            return;
        }
        context.session().authenticated(true);
        reply.ok();
    }

    private void quit(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        reply.ok();
        final ConnectedClient connection = server.registry().get(context.session().id());
        if (null != connection)
        {
            connection.closeAfterReply();
        }
    }

    private void reset(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ClientSession session = context.session();
        session.db(0);
        session.protocolVersion(ClientSession.PROTOCOL_RESP2);
        session.name("");
        session.authenticated(server.config().requirepass.text().isEmpty());
        context.monitors().remove(session); // RESET leaves MONITOR mode
        context.pubSub().unsubscribeAll(session); // and every subscription, without replies
        TransactionCommands.discard(context, session); // and MULTI, and unwatches
        final ConnectedClient connection = server.registry().get(session.id());
        if (null != connection)
        {
            final RespReply respReply = connection.respReply();
            if (null != respReply)
            {
                respReply.clientReplyOn();
            }
        }
        reply.simpleString(RESET);
    }

    /**
     * The default user's password is requirepass; with none set, the default user takes any password (Redis's
     * "nopass"). ringkv has no other users.
     */
    private boolean credentialsMatch(final String user, final String password)
    {
        if (!"default".equals(user))
        {
            return false;
        }
        final String requirepass = server.config().requirepass.text();
        return requirepass.isEmpty() || MessageDigest.isEqual(
            requirepass.getBytes(StandardCharsets.ISO_8859_1), password.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * @param name proposed client name.
     * @return true when it has only printable ASCII without spaces, as Redis requires.
     */
    static boolean validClientName(final String name)
    {
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c < '!' || c > '~')
            {
                return false;
            }
        }
        return true;
    }

    private static void bulk(final Reply reply, final String ascii)
    {
        reply.bulk(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private static long parseLong(final String text)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            return Long.MIN_VALUE;
        }
    }
}
