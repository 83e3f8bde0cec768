package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.Reply;
import io.ringkv.core.command.SlowLog;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SLOWLOG GET [count], LEN, RESET and HELP with Redis 7.0's replies: each entry is an array of id, unix time,
 * duration in microseconds, the (trimmed) arguments, the client's address and its name. The entries are those the
 * dispatcher records into the engine's {@link SlowLog}.
 * <p>
 * Only the engine thread runs these handlers.
 */
public final class SlowlogCommands
{
    static final List<String> HELP = List.of(
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help.");

    static final String BAD_COUNT = "ERR count should be greater than or equal to -1";
    private static final long DEFAULT_COUNT = 10;

    private SlowlogCommands()
    {
    }

    /**
     * @param table to register SLOWLOG in.
     */
    public static void register(final CommandTable table)
    {
        table.register("slowlog", -2, Command.ADMIN, new Subcommands("slowlog")
            .add("get", -2, Command.ADMIN, SlowlogCommands::get)
            .add("len", 2, Command.ADMIN, (context, args, reply) -> reply.integer(context.slowLog().length()))
            .add("reset", 2, Command.ADMIN, (context, args, reply) ->
            {
                context.slowLog().reset();
                reply.ok();
            })
            .add("help", 2, 0, (context, args, reply) -> ConfigCommands.help(reply, HELP)));
    }

    private static void get(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() > 3)
        {
            // Redis 7.0 declares SLOWLOG GET with arity -2 and refuses extra arguments in the handler.
            reply.error("ERR unknown subcommand or wrong number of arguments for '" + args.asString(1) +
                "'. Try SLOWLOG HELP.");
            return;
        }
        long count = DEFAULT_COUNT;
        if (args.count() == 3)
        {
            // As Redis's getRangeLongFromObjectOrReply with its own message: one text for "not a number" and
            // "out of range".
            if (!context.numbers().parseLong(args.buffer(), args.offset(2), args.length(2)) ||
                context.numbers().value() < -1)
            {
                reply.error(BAD_COUNT);
                return;
            }
            count = context.numbers().value() == -1 ? Long.MAX_VALUE : context.numbers().value();
        }
        writeEntries(context.slowLog().newest(count), reply);
    }

    /**
     * @param entries slow log entries, newest first.
     * @param reply   where SLOWLOG GET's array goes.
     */
    static void writeEntries(final List<SlowLog.Entry> entries, final Reply reply)
    {
        reply.arrayHeader(entries.size());
        for (final SlowLog.Entry entry : entries)
        {
            reply.arrayHeader(6);
            reply.integer(entry.id());
            reply.integer(entry.unixSeconds());
            reply.integer(entry.durationUs());
            reply.arrayHeader(entry.arguments().size());
            for (final byte[] argument : entry.arguments())
            {
                reply.bulk(argument);
            }
            reply.bulk(entry.clientAddress().getBytes(StandardCharsets.ISO_8859_1));
            reply.bulk(entry.clientName().getBytes(StandardCharsets.ISO_8859_1));
        }
    }
}
