package io.ringkv.core.command;

import static io.ringkv.core.command.Command.FAST;

/**
 * PING and ECHO. Server-level connection commands (HELLO, AUTH, CLIENT...) are registered by the net module.
 * Stateless; the handlers run on the engine thread.
 */
public final class ConnectionCommands
{
    private static final byte[] PONG = {'P', 'O', 'N', 'G'};
    private static final byte[] PONG_LOWER = {'p', 'o', 'n', 'g'};
    private static final byte[] EMPTY = {};

    private ConnectionCommands()
    {
    }

    /**
     * @param table to register PING and ECHO in.
     */
    public static void register(final CommandTable table)
    {
        table.register("ping", -1, FAST, ConnectionCommands::ping);
        table.register("echo", 2, FAST, ConnectionCommands::echo);
    }

    static void ping(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() > 2)
        {
            reply.error(ErrorMessages.wrongArity("ping"));
        }
        else if (PubSub.inSubscribedMode(context.session()))
        {
            pingInSubscribedMode(args, reply);
        }
        else if (args.count() == 1)
        {
            reply.simpleString(PONG);
        }
        else
        {
            reply.bulk(args.buffer(), args.offset(1), args.length(1));
        }
    }

    /** RESP2's subscribed mode: PING answers ["pong", message or ""], as Redis's does. */
    private static void pingInSubscribedMode(final CommandArgs args, final Reply reply)
    {
        reply.arrayHeader(2);
        reply.bulk(PONG_LOWER);
        if (args.count() == 2)
        {
            reply.bulk(args.buffer(), args.offset(1), args.length(1));
        }
        else
        {
            reply.bulk(EMPTY);
        }
    }

    static void echo(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        reply.bulk(args.buffer(), args.offset(1), args.length(1));
    }
}
