package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.DatasetDigest;
import io.ringkv.core.command.Reply;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * DEBUG HELP, SLEEP, DIGEST, DIGEST-VALUE and POPULATE ({@link DebugPopulate}); every other subcommand, and a known one with the wrong number of
 * arguments, gets Redis 7.0's {@code ERR unknown subcommand or wrong number of arguments for 'X'. Try DEBUG HELP.}
 * DEBUG SLEEP stops the engine thread, and so every client, for the time given, as Redis does. DEBUG is a
 * protected command: refused, as in Redis 7, unless {@code enable-debug-command} allows the client.
 * <p>
 * Only the engine thread runs the handler.
 */
public final class DebugCommands
{
    static final List<String> HELP = List.of(
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. These are not propagated to",
        "    replicas. Cluster slots are not respected so keys not belonging to the",
        "    current node can be created in cluster mode.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "HELP",
        "    Prints this help.");

    private final DatasetDigest digest = new DatasetDigest();
    private final DebugPopulate populate = new DebugPopulate();

    private DebugCommands()
    {
    }

    /**
     * @param table  to register DEBUG in.
     * @param server unused today; the same signature as every family.
     */
    public static void register(final CommandTable table, final ServerControl server)
    {
        final DebugCommands commands = new DebugCommands();
        table.register("debug", -2, Command.ADMIN | Command.PROTECTED, commands::debug);
    }

    private void debug(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final String subcommand = args.asString(1);
        final int count = args.count();
        switch (subcommand.toLowerCase(Locale.ROOT))
        {
            case "help" ->
            {
                if (count == 2)
                {
                    ConfigCommands.help(reply, HELP);
                    return;
                }
            }
            case "sleep" ->
            {
                if (count == 3)
                {
                    sleep(args.asString(2));
                    reply.ok();
                    return;
                }
            }
            case "digest" ->
            {
                if (count == 2)
                {
                    reply.simpleString(hex(digest.dataset(context.keyspace(), context.nowMs())));
                    return;
                }
            }
            case "populate" ->
            {
                if (count >= 3 && count <= 5)
                {
                    populate.populate(context, args, reply);
                    return;
                }
            }
            case "digest-value" ->
            {
                reply.arrayHeader(count - 2);
                for (int i = 2; i < count; i++)
                {
                    final long entry = context.keyspace().peek(
                        context.db(), args.buffer(), args.offset(i), args.length(i), context.nowMs());
                    reply.simpleString(hex(digest.value(context.keyspace(), entry)));
                }
                return;
            }
            default ->
            {
            }
        }
        reply.error("ERR unknown subcommand or wrong number of arguments for '" + subcommand + "'. Try DEBUG HELP.");
    }

    /** Redis reads the seconds with strtod: text that is not a number sleeps 0. */
    private static void sleep(final String seconds)
    {
        long sleepNs;
        try
        {
            sleepNs = new BigDecimal(seconds.strip()).movePointRight(9).longValue();
        }
        catch (final NumberFormatException ex)
        {
            sleepNs = 0;
        }
        if (sleepNs <= 0)
        {
            return;
        }
        try
        {
            Thread.sleep(sleepNs / 1_000_000, (int)(sleepNs % 1_000_000));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] hex(final byte[] bytes)
    {
        return ServerCommands.ascii(DatasetDigest.hex(bytes));
    }
}
