package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.GlobPattern;
import io.ringkv.core.command.Reply;
import io.ringkv.core.store.CollectionLimits;
import io.ringkv.core.store.EvictionPolicy;
import io.ringkv.core.store.Keyspace;
import io.ringkv.net.server.config.ConfigOption;
import io.ringkv.net.server.config.ServerConfig;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CONFIG GET, SET, RESETSTAT, REWRITE and HELP over the server's {@link ServerConfig}, with Redis 7's replies and
 * texts. CONFIG SET applies what the engine holds itself (maxmemory reaches the keyspace's budget, the eviction
 * options its policy, proto-max-bulk-len the largest string value, latency-tracking the dispatcher's recording) right away; the
 * connection-level options (requirepass, timeout, maxclients, client-query-buffer-limit, proto-max-bulk-len for
 * parsing) are read by the server where they apply; loglevel reaches the log through a listener.
 * <p>
 * Only the engine thread runs these handlers.
 */
public final class ConfigCommands
{
    static final List<String> HELP = List.of(
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.");

    private final ServerControl server;
    private final ServerConfig config;

    private ConfigCommands(final ServerControl server)
    {
        this.server = server;
        this.config = server.config();
    }

    /**
     * @param table  to register CONFIG in.
     * @param server whose configuration it reads and changes.
     */
    public static void register(final CommandTable table, final ServerControl server)
    {
        final ConfigCommands commands = new ConfigCommands(server);
        final ServerConfig config = server.config();
        config.onChange(config.loglevel, option -> server.log().level((int)option.number()));
        table.register("config", -2, Command.ADMIN, new Subcommands("config")
            .add("get", -3, Command.ADMIN, commands::get)
            .add("set", -4, Command.ADMIN, commands::set)
            .add("resetstat", 2, Command.ADMIN, commands::resetstat)
            .add("rewrite", 2, Command.ADMIN, commands::rewrite)
            .add("help", 2, 0, (context, args, reply) -> help(reply, HELP)));
    }

    private void get(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Map<String, String> matches = new LinkedHashMap<>();
        for (int i = 2; i < args.count(); i++)
        {
            final String pattern = args.asString(i).toLowerCase(Locale.ROOT);
            if (!hasGlob(pattern))
            {
                final ConfigOption option = config.option(pattern);
                if (null != option)
                {
                    matches.put(pattern, option.text());
                }
                continue;
            }
            final UnsafeBuffer patternBytes = ascii(pattern);
            for (final ConfigOption option : config.options())
            {
                if (matches(patternBytes, option.name()))
                {
                    matches.putIfAbsent(option.name(), option.text());
                }
            }
            for (final Map.Entry<String, String> alias : config.aliases().entrySet())
            {
                if (matches(patternBytes, alias.getKey()))
                {
                    matches.putIfAbsent(alias.getKey(), config.option(alias.getValue()).text());
                }
            }
        }
        reply.mapHeader(matches.size());
        for (final Map.Entry<String, String> match : matches.entrySet())
        {
            reply.bulk(match.getKey().getBytes(StandardCharsets.UTF_8));
            reply.bulk(match.getValue().getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private void set(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final List<String> pairs = new ArrayList<>(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            pairs.add(args.asString(i));
            if ((i & 1) == 1 && sensitive(config.option(args.asString(i - 1))))
            {
                // As Redis 7's SENSITIVE_CONFIG: the slow log shows a password as "(redacted)".
                context.redactArgument(i);
            }
        }
        final String error = config.setAll(pairs, true);
        if (null != error)
        {
            reply.error("ERR " + error);
            return;
        }
        applyToEngine(context);
        reply.ok();
    }

    private boolean sensitive(final ConfigOption option)
    {
        return option == config.requirepass || option == config.masterauth || option == config.metricsPassword;
    }

    /**
     * Hand the engine-side options to the keyspace and the command context; safe here because CONFIG SET runs on
     * the engine thread, the only thread that touches them.
     */
    private void applyToEngine(final CommandContext context)
    {
        final Keyspace keyspace = context.keyspace();
        if (keyspace.maxMemoryBytes() != config.maxmemory.number())
        {
            keyspace.maxMemoryBytes(config.maxmemory.number());
        }
        applyEviction(config, keyspace);
        applyCollectionLimits(config, keyspace);
        context.maxStringLength(config.protoMaxBulkLen.number());
        context.latencyTracking(config.latencyTracking.isYes());
        context.slowlogSlowerThanUs(config.slowlogLogSlowerThan.number());
        context.slowLog().maxLength(config.slowlogMaxLen.number());
        context.latencyMonitorThresholdMs(config.latencyMonitorThreshold.number());
        context.clientTracking().maxKeys(config.trackingTableMaxKeys.number());
        context.keyspaceEvents().mask((int)config.notifyKeyspaceEvents.number());
    }

    /**
     * Hand the eviction options (maxmemory-policy, maxmemory-samples, maxmemory-eviction-tenacity, lfu-log-factor,
     * lfu-decay-time) to the keyspace: at start-up, and on the engine thread after CONFIG SET.
     *
     * @param config   the options.
     * @param keyspace the store they govern.
     */
    public static void applyEviction(final ServerConfig config, final Keyspace keyspace)
    {
        keyspace.evictionPolicy(EvictionPolicy.byName(config.maxmemoryPolicy.text()));
        keyspace.evictionSamples((int)config.maxmemorySamples.number());
        keyspace.evictionTenacity((int)config.maxmemoryEvictionTenacity.number());
        keyspace.lfuLogFactor((int)config.lfuLogFactor.number());
        keyspace.lfuDecayTime((int)config.lfuDecayTime.number());
    }

    /**
     * Hand the collection encoding options (hash-max-listpack-*, set-max-intset-entries, list-*) to the keyspace: at
     * start-up, and on the engine thread after CONFIG SET. Existing values keep their encoding until they next grow,
     * as in Redis.
     *
     * @param config   the options.
     * @param keyspace the store they govern.
     */
    public static void applyCollectionLimits(final ServerConfig config, final Keyspace keyspace)
    {
        final CollectionLimits limits = keyspace.collectionLimits();
        limits.hashMaxListpackEntries(config.hashMaxListpackEntries.number());
        limits.hashMaxListpackValue(config.hashMaxListpackValue.number());
        limits.setMaxIntsetEntries(config.setMaxIntsetEntries.number());
        limits.zsetMaxListpackEntries(config.zsetMaxListpackEntries.number());
        limits.zsetMaxListpackValue(config.zsetMaxListpackValue.number());
        limits.listMaxListpackSize(config.listMaxListpackSize.number());
        limits.listCompressDepth(config.listCompressDepth.number());
    }

    private void resetstat(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        for (final Command command : context.commands().commands())
        {
            command.resetStats();
            if (command.handler() instanceof Subcommands container)
            {
                for (final Command subcommand : container.subcommands())
                {
                    subcommand.resetStats();
                }
            }
        }
        context.keyspace().resetStats();
        context.errorStats().reset();
        reply.ok();
    }

    private void rewrite(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (config.configFile().isEmpty())
        {
            reply.error("ERR The server is running without a config file");
            return;
        }
        final String error = ConfigFileRewriter.rewrite(config);
        if (null != error)
        {
            server.log().warning("CONFIG REWRITE failed: " + error);
            reply.error("ERR Rewriting config file: " + error);
            return;
        }
        server.log().notice("CONFIG REWRITE executed with success.");
        reply.ok();
    }

    /**
     * Reply with a HELP text as Redis does: an array of status lines.
     *
     * @param reply sink.
     * @param lines the help lines.
     */
    static void help(final Reply reply, final List<String> lines)
    {
        reply.arrayHeader(lines.size());
        for (final String line : lines)
        {
            reply.simpleString(line.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static boolean hasGlob(final String pattern)
    {
        for (int i = 0; i < pattern.length(); i++)
        {
            final char c = pattern.charAt(i);
            if (c == '*' || c == '?' || c == '[')
            {
                return true;
            }
        }
        return false;
    }

    private static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean matches(final UnsafeBuffer pattern, final String name)
    {
        final UnsafeBuffer nameBytes = ascii(name);
        return GlobPattern.matches(pattern, 0, pattern.capacity(), nameBytes, 0, nameBytes.capacity());
    }
}
