package io.ringkv.core.script;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT LOAD EXISTS FLUSH KILL HELP, with Redis 7.0's replies and errors
 * (eval.c). The scripts run in {@link ScriptEngine}. SCRIPT KILL reaches the engine only when no script runs (a running
 * script keeps the engine busy; the connection answers it then), so here it answers NOTBUSY.
 */
public final class ScriptCommands
{
    private static final String NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
    private static final String[] HELP = {
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help."};

    private final ScriptEngine engine;

    private ScriptCommands(final ScriptEngine engine)
    {
        this.engine = engine;
    }

    /**
     * Register the scripting commands.
     *
     * @param table  to register into.
     * @param engine runs the scripts.
     */
    public static void register(final CommandTable table, final ScriptEngine engine)
    {
        final ScriptCommands commands = new ScriptCommands(engine);
        table.register("eval", -3, Command.SKIP_MONITOR, (c, a, r) -> commands.eval(c, a, r, false, false));
        table.register("evalsha", -3, Command.SKIP_MONITOR, (c, a, r) -> commands.eval(c, a, r, true, false));
        table.register("eval_ro", -3, Command.SKIP_MONITOR, (c, a, r) -> commands.eval(c, a, r, false, true));
        table.register("evalsha_ro", -3, Command.SKIP_MONITOR, (c, a, r) -> commands.eval(c, a, r, true, true));
        table.register("script", -2, 0, commands::script);
    }

    private void eval(
        final CommandContext context, final CommandArgs args, final Reply reply, final boolean bySha,
        final boolean readOnly)
    {
        if (context.monitors().active())
        {
            // Redis shows EVAL to monitors before the commands its script calls.
            context.monitors().feed(args, 0, context.session(), reply);
        }
        if (!context.numbers().parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long numKeys = context.numbers().value();
        final String numKeysError = ScriptEngine.numKeysError(numKeys, args.count());
        if (null != numKeysError)
        {
            reply.error(numKeysError);
            return;
        }
        final ScriptCache.Script script;
        if (bySha)
        {
            script = args.length(1) == 40 ? engine.cache().find(args.asString(1).toLowerCase(Locale.ROOT)) : null;
            if (null == script)
            {
                reply.error(NOSCRIPT);
                return;
            }
        }
        else
        {
            script = engine.load(bytes(args, 1), reply);
            if (null == script)
            {
                return;
            }
        }
        engine.run(context, script, args, (int)numKeys, readOnly, reply);
    }

    private void script(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final String sub = args.asString(1).toLowerCase(Locale.ROOT);
        final int count = args.count();
        switch (sub)
        {
            case "load" ->
            {
                if (count != 3)
                {
                    break;
                }
                final ScriptCache.Script script = engine.load(bytes(args, 2), reply);
                if (null != script)
                {
                    reply.bulk(script.sha().getBytes(StandardCharsets.US_ASCII));
                }
                return;
            }
            case "exists" ->
            {
                if (count < 3)
                {
                    break;
                }
                reply.arrayHeader(count - 2);
                for (int i = 2; i < count; i++)
                {
                    reply.integer(engine.cache().find(args.asString(i).toLowerCase(Locale.ROOT)) != null ? 1 : 0);
                }
                return;
            }
            case "flush" ->
            {
                if (count > 3)
                {
                    break;
                }
                if (count == 3 && !args.asString(2).equalsIgnoreCase("sync") &&
                    !args.asString(2).equalsIgnoreCase("async"))
                {
                    reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
                    return;
                }
                engine.flush();
                reply.ok();
                return;
            }
            case "kill" ->
            {
                if (count != 2)
                {
                    break;
                }
                reply.error("NOTBUSY No scripts in execution right now.");
                return;
            }
            case "help" ->
            {
                if (count != 2)
                {
                    break;
                }
                reply.arrayHeader(HELP.length);
                for (final String line : HELP)
                {
                    reply.simpleString(line.getBytes(StandardCharsets.US_ASCII));
                }
                return;
            }
            default ->
            {
                reply.error("ERR unknown subcommand '" + args.asString(1) + "'. Try SCRIPT HELP.");
                return;
            }
        }
        reply.error(ErrorMessages.wrongArity("script|" + sub));
    }

    private static byte[] bytes(final CommandArgs args, final int index)
    {
        final byte[] bytes = new byte[args.length(index)];
        args.buffer().getBytes(args.offset(index), bytes);
        return bytes;
    }
}
