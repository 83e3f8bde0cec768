package io.ringkv.core.command;

/**
 * Executes one command: reads its arguments, works on the keyspace through the context, writes exactly one
 * reply. Only the engine thread calls a handler, so handlers must keep no per-call state outside the context
 * and must not block or allocate on their common paths.
 */
@FunctionalInterface
public interface CommandHandler
{
    /**
     * @param context what the command may touch: keyspace, session, cached time, change log, scratch space.
     * @param args    the request's arguments; argument 0 is the command name. Arity is already checked.
     * @param reply   where the one reply goes.
     */
    void execute(CommandContext context, CommandArgs args, Reply reply);

    /**
     * A container command (FUNCTION, CLIENT...) answers which of its subcommands a request names, so that admission
     * judges the request by that subcommand's flags, as Redis does (FUNCTION LOAD is a write, FUNCTION LIST is not).
     *
     * @param args the request; argument 1 names the subcommand.
     * @return the subcommand, or null (not a container, or no such subcommand: the handler answers that).
     */
    default Command subcommand(final CommandArgs args)
    {
        return null;
    }
}
