package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;

/**
 * Runs one request: finds its command in the {@link CommandTable} and applies Redis's checks in Redis's order
 * (unknown command, arity, authentication, memory budget) before calling the handler. Every request gets
 * exactly one reply, even when a handler fails unexpectedly.
 * <p>
 * Only the engine thread calls this. Allocates only to build error texts for unknown commands.
 */
public final class CommandDispatcher
{
    private static final System.Logger LOGGER = System.getLogger(CommandDispatcher.class.getName());

    private final CommandTable commands;
    private final CommandContext context;
    private final Keyspace keyspace;

    /**
     * @param commands the table to look names up in.
     * @param context  handed to every handler.
     */
    public CommandDispatcher(final CommandTable commands, final CommandContext context)
    {
        this.commands = commands;
        this.context = context;
        this.keyspace = context.keyspace();
    }

    public CommandContext context()
    {
        return context;
    }

    /**
     * Execute one request and write its one reply.
     *
     * @param args    the request (argument 0 is the name).
     * @param session the connection's session.
     * @param nowMs   the time cached for the batch.
     * @param reply   the connection's reply sink.
     */
    public void dispatch(final CommandArgs args, final ClientSession session, final long nowMs, final Reply reply)
    {
        final int argCount = args.count();
        if (argCount == 0)
        {
            reply.error("ERR empty command");
            return;
        }
        final Command command = commands.lookup(args.buffer(), args.offset(0), args.length(0));
        if (command == null)
        {
            reply.error(ErrorMessages.unknownCommand(args));
            return;
        }
        if (!command.arityAccepts(argCount))
        {
            reply.error(command.arityError());
            return;
        }
        if (!session.authenticated() && !command.hasFlag(Command.NO_AUTH))
        {
            reply.error(ErrorMessages.NOAUTH);
            return;
        }
        if (command.hasFlag(Command.DENY_OOM) && keyspace.overMemoryBudget())
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        final CommandContext context = this.context;
        if (context.readOnlyReplica() && command.hasFlag(Command.WRITE) && !session.masterLink())
        {
            reply.error(ErrorMessages.READONLY);
            return;
        }
        context.begin(session, nowMs);
        keyspace.writeAccess(command.hasFlag(Command.WRITE));
        keyspace.expiryExempt(session.masterLink());
        try
        {
            command.handler().execute(context, args, reply);
        }
        catch (final RuntimeException ex)
        {
            // A bug must not take the engine thread down or leave the client without a reply.
            LOGGER.log(System.Logger.Level.ERROR, "command " + command.name() + " failed", ex);
            reply.error("ERR internal error in '" + command.name() + "': " + ex);
        }
        finally
        {
            keyspace.writeAccess(false);
            context.end();
        }
    }
}
