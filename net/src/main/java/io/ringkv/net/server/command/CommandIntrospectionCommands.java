package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.GlobPattern;
import io.ringkv.core.command.Reply;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * COMMAND, COMMAND COUNT, INFO, DOCS, LIST [FILTERBY ...], GETKEYS and HELP, generated from the live
 * {@link CommandTable} (name, arity, flags, subcommands) and the {@link CommandCatalog} (key positions, ACL
 * categories, documentation), in Redis 7.0's reply shapes, so that redis-cli's completion and client libraries'
 * command discovery work.
 * <p>
 * Only the engine thread runs these handlers.
 */
public final class CommandIntrospectionCommands
{
    static final List<String> HELP = List.of(
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "HELP",
        "    Prints this help.");

    private final CommandCatalog catalog = CommandCatalog.load();
    private final CommandArguments arguments = CommandArguments.load();
    private final Subcommands subcommands;

    private CommandIntrospectionCommands()
    {
        subcommands = new Subcommands("command")
            .add("count", 2, 0, (context, args, reply) -> reply.integer(context.commands().commands().size()))
            .add("info", -2, 0, this::info)
            .add("docs", -2, 0, this::docs)
            .add("list", -2, 0, this::list)
            .add("getkeys", -4, 0, this::getkeys)
            .add("help", 2, 0, (context, args, reply) -> ConfigCommands.help(reply, HELP))
            .withoutSubcommand((context, args, reply) -> describeAll(context, reply));
    }

    /**
     * @param table  to register COMMAND in.
     * @param server unused today; the same signature as every family.
     */
    public static void register(final CommandTable table, final ServerControl server)
    {
        final CommandIntrospectionCommands commands = new CommandIntrospectionCommands();
        table.register("command", -1, 0, commands.subcommands);
    }

    private void describeAll(final CommandContext context, final Reply reply)
    {
        final List<Command> commands = sorted(context.commands().commands());
        reply.arrayHeader(commands.size());
        for (final Command command : commands)
        {
            describe(command, reply);
        }
    }

    private void info(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() == 2)
        {
            describeAll(context, reply);
            return;
        }
        reply.arrayHeader(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            final Command command = find(context, args.asString(i));
            if (null == command)
            {
                reply.nilArray();
            }
            else
            {
                describe(command, reply);
            }
        }
    }

    private void docs(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final List<Command> commands = new ArrayList<>();
        if (args.count() == 2)
        {
            commands.addAll(sorted(context.commands().commands()));
        }
        else
        {
            for (int i = 2; i < args.count(); i++)
            {
                final Command command = find(context, args.asString(i));
                if (null != command)
                {
                    commands.add(command);
                }
            }
        }
        reply.mapHeader(commands.size());
        for (final Command command : commands)
        {
            bulk(reply, command.name());
            docsOf(command, reply);
        }
    }

    private void docsOf(final Command command, final Reply reply)
    {
        final CommandCatalog.Entry entry = catalog.find(command.name());
        final List<Command> children = children(command);
        final boolean hasArguments = arguments.has(command.name());
        final int fields = (null == entry ? 0 : 4) + (hasArguments ? 1 : 0) + (children.isEmpty() ? 0 : 1);
        reply.mapHeader(fields);
        if (null != entry)
        {
            bulk(reply, "summary");
            bulk(reply, entry.summary());
            bulk(reply, "since");
            bulk(reply, entry.since());
            bulk(reply, "group");
            bulk(reply, entry.group());
            bulk(reply, "complexity");
            bulk(reply, entry.complexity());
        }
        if (hasArguments)
        {
            bulk(reply, "arguments");
            arguments.write(command.name(), reply);
        }
        if (!children.isEmpty())
        {
            bulk(reply, "subcommands");
            reply.mapHeader(children.size());
            for (final Command child : children)
            {
                bulk(reply, child.name());
                docsOf(child, reply);
            }
        }
    }

    private void list(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        String filter = null;
        String value = null;
        if (args.count() != 2)
        {
            if (args.count() != 5 || !"filterby".equalsIgnoreCase(args.asString(2)))
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
            filter = args.asString(3).toLowerCase(Locale.ROOT);
            value = args.asString(4);
            if (!"module".equals(filter) && !"aclcat".equals(filter) && !"pattern".equals(filter))
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        final List<String> names = new ArrayList<>();
        for (final Command command : sorted(context.commands().commands()))
        {
            addIfListed(command, filter, value, names);
            for (final Command child : children(command))
            {
                addIfListed(child, filter, value, names);
            }
        }
        reply.arrayHeader(names.size());
        for (final String name : names)
        {
            bulk(reply, name);
        }
    }

    private void addIfListed(final Command command, final String filter, final String value, final List<String> names)
    {
        if (null == filter)
        {
            names.add(command.name());
        }
        else if ("aclcat".equals(filter))
        {
            if (catalog.aclCategories(command).contains("@" + value.toLowerCase(Locale.ROOT)))
            {
                names.add(command.name());
            }
        }
        else if ("pattern".equals(filter))
        {
            final UnsafeBuffer pattern =
                new UnsafeBuffer(value.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            final UnsafeBuffer name = new UnsafeBuffer(command.name().getBytes(StandardCharsets.UTF_8));
            if (GlobPattern.matches(pattern, 0, pattern.capacity(), name, 0, name.capacity()))
            {
                names.add(command.name());
            }
        }
        // FILTERBY MODULE: ringkv has no modules, so nothing matches.
    }

    private void getkeys(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Command command = context.commands().lookup(args.asString(2));
        if (null == command)
        {
            reply.error("ERR Invalid command specified");
            return;
        }
        final int argCount = args.count() - 2;
        if (!command.arityAccepts(argCount))
        {
            reply.error("ERR Invalid number of arguments specified for command");
            return;
        }
        final CommandCatalog.Entry entry = catalog.find(command.name());
        if (null == entry || entry.firstKey() == 0)
        {
            reply.error("ERR The command has no key arguments");
            return;
        }
        final int last = entry.lastKey() < 0 ? argCount + entry.lastKey() : entry.lastKey();
        final List<Integer> keys = new ArrayList<>();
        for (int i = entry.firstKey(); i <= last && i < argCount; i += entry.step())
        {
            keys.add(i);
        }
        reply.arrayHeader(keys.size());
        for (final int i : keys)
        {
            reply.bulk(args.buffer(), args.offset(2 + i), args.length(2 + i));
        }
    }

    /**
     * Redis 7.0's ten-element description: name, arity, flags, first key, last key, step, ACL categories, tips,
     * key specifications, subcommands.
     */
    private void describe(final Command command, final Reply reply)
    {
        final CommandCatalog.Entry entry = catalog.find(command.name());
        final int first = null == entry ? 0 : entry.firstKey();
        final int last = null == entry ? 0 : entry.lastKey();
        final int step = null == entry ? 0 : entry.step();
        reply.arrayHeader(10);
        bulk(reply, command.name());
        reply.integer(command.arity());
        statusSet(reply, CommandCatalog.flagNames(command));
        reply.integer(first);
        reply.integer(last);
        reply.integer(step);
        statusSet(reply, catalog.aclCategories(command));
        reply.arrayHeader(0);
        if (first > 0)
        {
            keySpec(reply, first, last, step);
        }
        else
        {
            reply.arrayHeader(0);
        }
        final List<Command> children = children(command);
        reply.arrayHeader(children.size());
        for (final Command child : children)
        {
            describe(child, reply);
        }
    }

    /** The one range key specification equivalent to the legacy (first, last, step) triple. */
    private static void keySpec(final Reply reply, final int first, final int last, final int step)
    {
        reply.arrayHeader(1);
        reply.mapHeader(3);
        bulk(reply, "flags");
        reply.setHeader(0);
        bulk(reply, "begin_search");
        reply.mapHeader(2);
        bulk(reply, "type");
        bulk(reply, "index");
        bulk(reply, "spec");
        reply.mapHeader(1);
        bulk(reply, "index");
        reply.integer(first);
        bulk(reply, "find_keys");
        reply.mapHeader(2);
        bulk(reply, "type");
        bulk(reply, "range");
        bulk(reply, "spec");
        reply.mapHeader(3);
        bulk(reply, "lastkey");
        reply.integer(last < 0 ? last : last - first);
        bulk(reply, "keystep");
        reply.integer(step);
        bulk(reply, "limit");
        reply.integer(0);
    }

    private Command find(final CommandContext context, final String name)
    {
        final int bar = name.indexOf('|');
        if (bar < 0)
        {
            return context.commands().lookup(name);
        }
        final Command parent = context.commands().lookup(name.substring(0, bar));
        for (final Command child : null == parent ? List.<Command>of() : children(parent))
        {
            if (child.name().equalsIgnoreCase(name))
            {
                return child;
            }
        }
        return null;
    }

    private List<Command> children(final Command command)
    {
        return command.handler() instanceof Subcommands container ? container.subcommands() : List.of();
    }

    private static List<Command> sorted(final List<Command> commands)
    {
        commands.sort((a, b) -> a.name().compareTo(b.name()));
        return commands;
    }

    private static void statusSet(final Reply reply, final List<String> values)
    {
        reply.setHeader(values.size());
        for (final String value : values)
        {
            reply.simpleString(value.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void bulk(final Reply reply, final String text)
    {
        reply.bulk(text.getBytes(StandardCharsets.UTF_8));
    }
}
