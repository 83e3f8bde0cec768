package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.script.function.FunctionCommands;

/**
 * Registers FUNCTION (LOAD, DELETE, FLUSH, DUMP, RESTORE, LIST, STATS, KILL, HELP) and FCALL/FCALL_RO, whose
 * handlers are core's {@link FunctionCommands}, with Redis 7.0's arities and the flags admission reads: LOAD, DELETE,
 * FLUSH and RESTORE write (refused on a read-only replica, LOAD and RESTORE also under OOM), the others do not.
 * <p>
 * FUNCTION KILL reaches the engine only when no script runs (a running one keeps the engine busy, and the connection
 * side answers KILL then, through {@link io.ringkv.core.script.ScriptRunState}): the engine's answer is Redis's
 * NOTBUSY.
 */
public final class FunctionContainerCommands
{
    private FunctionContainerCommands()
    {
    }

    /**
     * @param table     to register into.
     * @param functions the engine's FUNCTION handlers.
     */
    public static void register(final CommandTable table, final FunctionCommands functions)
    {
        table.register("function", -2, 0, new Subcommands("function")
            .add("load", -3, Command.WRITE | Command.DENY_OOM, functions::load)
            .add("delete", 3, Command.WRITE, functions::delete)
            .add("flush", -2, Command.WRITE, functions::flush)
            .add("dump", 2, 0, functions::dump)
            .add("restore", -3, Command.WRITE | Command.DENY_OOM, functions::restore)
            .add("list", -2, 0, functions::list)
            .add("stats", 2, 0, functions::stats)
            .add("kill", 2, 0, (context, args, reply) -> reply.error("NOTBUSY No scripts in execution right now."))
            .add("help", 2, 0, (context, args, reply) -> ConfigCommands.help(reply, FunctionCommands.HELP)));
        table.register("fcall", -3, 0, (context, args, reply) -> functions.fcall(context, args, reply, false));
        table.register("fcall_ro", -3, Command.READONLY,
            (context, args, reply) -> functions.fcall(context, args, reply, true));
    }
}
