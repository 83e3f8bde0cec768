package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What COMMAND reports beyond a command's name, arity and flags (which come from ringkv's own command table): the
 * legacy key positions (first key, last key, step), ACL categories and the documentation fields of COMMAND DOCS,
 * read from {@code command-catalog.txt}, Redis 7.0.15's metadata for the commands ringkv has. A command missing
 * from the catalog gets no key positions and categories derived from its flags.
 * <p>
 * Immutable after construction; any thread may read it.
 */
public final class CommandCatalog
{
    private static final String RESOURCE = "command-catalog.txt";

    /**
     * One command's metadata.
     *
     * @param name          lower-case name, "parent|sub" for subcommands.
     * @param firstKey      index of the first key argument, 0 for none.
     * @param lastKey       index of the last key argument; negative counts from the end.
     * @param step          distance between key arguments.
     * @param aclCategories e.g. "@read", "@string", "@fast".
     * @param group         documentation group, e.g. "string".
     * @param since         Redis version that added it.
     * @param complexity    time complexity text.
     * @param summary       one-line summary.
     */
    public record Entry(
        String name, int firstKey, int lastKey, int step, List<String> aclCategories, String group, String since,
        String complexity, String summary)
    {
    }

    private final Map<String, Entry> entries;

    private CommandCatalog(final Map<String, Entry> entries)
    {
        this.entries = entries;
    }

    /**
     * @return the catalog read from the class path.
     * @throws UncheckedIOException when the resource is missing or malformed (a packaging bug).
     */
    public static CommandCatalog load()
    {
        final Map<String, Entry> entries = new HashMap<>();
        try
        {
            for (final String line : ResourceLines.read(CommandCatalog.class, RESOURCE))
            {
                final String[] fields = line.split("\t", -1);
                if (fields.length != 7)
                {
                    throw new IOException("malformed catalog line: " + line);
                }
                final String[] keys = fields[1].split(" ");
                entries.put(fields[0], new Entry(fields[0], Integer.parseInt(keys[0]), Integer.parseInt(keys[1]),
                    Integer.parseInt(keys[2]), List.of(fields[2].split(" ")), fields[3], fields[4], fields[5],
                    fields[6]));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return new CommandCatalog(Collections.unmodifiableMap(entries));
    }

    /**
     * @param name lower-case command name ("parent|sub" for a subcommand).
     * @return its entry, or null when the catalog does not know it.
     */
    public Entry find(final String name)
    {
        return entries.get(name);
    }

    /**
     * @param command a registered command.
     * @return its ACL categories: the catalog's, else derived from its flags as Redis derives them.
     */
    public List<String> aclCategories(final Command command)
    {
        final Entry entry = entries.get(command.name());
        if (null != entry)
        {
            return entry.aclCategories();
        }
        final List<String> categories = new ArrayList<>();
        if (command.hasFlag(Command.WRITE))
        {
            categories.add("@write");
        }
        if (command.hasFlag(Command.READONLY))
        {
            categories.add("@read");
        }
        if (command.hasFlag(Command.ADMIN))
        {
            categories.add("@admin");
            categories.add("@dangerous");
        }
        categories.add(command.hasFlag(Command.FAST) ? "@fast" : "@slow");
        return categories;
    }

    /**
     * @param command a registered command.
     * @return Redis's flag names for its flags (write, readonly, denyoom, admin, fast, no_auth).
     */
    public static List<String> flagNames(final Command command)
    {
        final List<String> names = new ArrayList<>();
        if (command.hasFlag(Command.WRITE))
        {
            names.add("write");
        }
        if (command.hasFlag(Command.READONLY))
        {
            names.add("readonly");
        }
        if (command.hasFlag(Command.DENY_OOM))
        {
            names.add("denyoom");
        }
        if (command.hasFlag(Command.ADMIN))
        {
            names.add("admin");
        }
        if (command.hasFlag(Command.FAST))
        {
            names.add("fast");
        }
        if (command.hasFlag(Command.NO_AUTH))
        {
            names.add("no_auth");
        }
        if (command.hasFlag(Command.NO_MULTI))
        {
            names.add("no_multi");
        }
        return names;
    }
}
