package io.ringkv.net.server.config;

import io.ringkv.core.command.ClientTracking;
import io.ringkv.core.store.CollectionLimits;
import io.ringkv.net.jsonline.JsonLineParser;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Every option ringkv has, with its default, in one table: what {@code CONFIG GET *} lists, what a config file
 * and the command line may set, and what {@code CONFIG SET} may change at run time. The names and meanings are
 * Redis's where Redis has the option; ringkv's own options start with {@code ringkv-}.
 * <p>
 * Built and filled on the start-up thread; afterwards changed only by CONFIG SET on the engine thread.
 */
public final class ServerConfig
{
    /** Largest value Redis accepts for an unsigned 32-bit option. */
    private static final long UINT_MAX = 4294967295L;
    private static final long INT_MAX = Integer.MAX_VALUE;

    private final Map<String, ConfigOption> options = new LinkedHashMap<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private final Map<String, List<Consumer<ConfigOption>>> listeners = new LinkedHashMap<>();
    private final Map<String, Function<ConfigOption, String>> validators = new LinkedHashMap<>();

    public final ConfigOption port = add(ConfigOption.integer(
        "port", 6379, 0, 65535, false, "TCP port to listen on (0: an ephemeral port)."));
    public final ConfigOption bind = add(ConfigOption.words(
        "bind", "127.0.0.1", false, "Addresses to listen on, space separated; * for every IPv4 address."));
    public final ConfigOption protectedMode = add(ConfigOption.bool(
        "protected-mode", true, true, "Refuse to listen beyond loopback without requirepass."));
    public final ConfigOption enableDebugCommand = add(ConfigOption.choice(
        "enable-debug-command", "no", false, "Who may run DEBUG: nobody, everybody, or loopback clients.",
        "no", "yes", "local"));
    public final ConfigOption requirepass = add(ConfigOption.string(
        "requirepass", "", true, "Password clients must give with AUTH; empty: none."));
    public final ConfigOption maxclients = add(ConfigOption.integer(
        "maxclients", 10000, 1, UINT_MAX, true, "Most connected clients; more are refused with an error."));
    public final ConfigOption timeout = add(ConfigOption.integer(
        "timeout", 0, 0, INT_MAX, true, "Close a client idle this many seconds; 0: never."));
    public final ConfigOption databases = add(ConfigOption.integer(
        "databases", 16, 1, INT_MAX, false, "Number of logical databases."));
    public final ConfigOption maxmemory = add(ConfigOption.memory(
        "maxmemory", "0", 0, Long.MAX_VALUE, true, "Memory budget for data; writes fail with OOM above it. 0: none."));
    public final ConfigOption maxmemoryPolicy = add(ConfigOption.choice(
        "maxmemory-policy", "noeviction", true, "What happens at maxmemory: writes fail, or keys are evicted.",
        "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu",
        "allkeys-random", "noeviction", "allkeys-tinylfu"));
    public final ConfigOption maxmemorySamples = add(ConfigOption.integer(
        "maxmemory-samples", 5, 1, INT_MAX, true, "Keys sampled per database for each eviction."));
    public final ConfigOption maxmemoryEvictionTenacity = add(ConfigOption.integer(
        "maxmemory-eviction-tenacity", 10, 0, 100, true, "How long one command may evict (10: 500 us; 100: no limit)."));
    public final ConfigOption lfuLogFactor = add(ConfigOption.integer(
        "lfu-log-factor", 10, 0, INT_MAX, true, "How many more accesses each LFU counter increment takes."));
    public final ConfigOption trackingTableMaxKeys = add(ConfigOption.integer(
        "tracking-table-max-keys", ClientTracking.DEFAULT_MAX_KEYS, 0, Long.MAX_VALUE, true,
        "Most keys remembered for client-side caching; more evict tracked keys, invalidating them. 0: no limit."));
    public final ConfigOption lfuDecayTime = add(ConfigOption.integer(
        "lfu-decay-time", 1, 0, INT_MAX, true, "Minutes of idleness per LFU counter decrement; 0: no decay."));
    public final ConfigOption hashMaxListpackEntries = add(ConfigOption.integer(
        "hash-max-listpack-entries", CollectionLimits.HASH_MAX_LISTPACK_ENTRIES_DEFAULT, 0, Long.MAX_VALUE, true,
        "Most fields of a hash kept as a listpack; one more converts it to a table."), "hash-max-ziplist-entries");
    public final ConfigOption hashMaxListpackValue = add(ConfigOption.memory(
        "hash-max-listpack-value", Long.toString(CollectionLimits.HASH_MAX_LISTPACK_VALUE_DEFAULT), 0, Long.MAX_VALUE,
        true,
        "Longest field or value of a hash kept as a listpack, in bytes."), "hash-max-ziplist-value");
    public final ConfigOption setMaxIntsetEntries = add(ConfigOption.integer(
        "set-max-intset-entries", CollectionLimits.SET_MAX_INTSET_ENTRIES_DEFAULT, 0, Long.MAX_VALUE, true,
        "Most members of a set of integers kept as an intset; one more converts it to a table."));
    public final ConfigOption zsetMaxListpackEntries = add(ConfigOption.integer(
        "zset-max-listpack-entries", CollectionLimits.ZSET_MAX_LISTPACK_ENTRIES_DEFAULT, 0, Long.MAX_VALUE, true,
        "Most members of a sorted set kept as a listpack; one more converts it to a skip list."),
        "zset-max-ziplist-entries");
    public final ConfigOption zsetMaxListpackValue = add(ConfigOption.memory(
        "zset-max-listpack-value", Long.toString(CollectionLimits.ZSET_MAX_LISTPACK_VALUE_DEFAULT), 0, Long.MAX_VALUE,
        true, "Longest member of a sorted set kept as a listpack, in bytes."), "zset-max-ziplist-value");
    public final ConfigOption listMaxListpackSize = add(ConfigOption.integer(
        "list-max-listpack-size", CollectionLimits.LIST_MAX_LISTPACK_SIZE_DEFAULT, Integer.MIN_VALUE, INT_MAX, true,
        "A list node's limit: -1 to -5 bytes (4 to 64 KiB), positive a number of elements."), "list-max-ziplist-size");
    public final ConfigOption listCompressDepth = add(ConfigOption.integer(
        "list-compress-depth", CollectionLimits.LIST_COMPRESS_DEPTH_DEFAULT, 0, INT_MAX, true,
        "Accepted for Redis compatibility; list nodes are not compressed."));
    public final ConfigOption protoMaxBulkLen = add(ConfigOption.memory(
        "proto-max-bulk-len", "512mb", 1024 * 1024, Long.MAX_VALUE, true, "Largest bulk string in a request."));
    public final ConfigOption jsonMaxLineLength = add(ConfigOption.memory(
        "json-max-line-length", Long.toString(JsonLineParser.JSON_MAX_LINE_LENGTH_DEFAULT), 64 * 1024,
        Integer.MAX_VALUE - 8, true, "Longest JSON-lines request line."));
    public final ConfigOption clientQueryBufferLimit = add(ConfigOption.memory(
        "client-query-buffer-limit", "1gb", 1024 * 1024, Long.MAX_VALUE, true,
        "Largest unparsed request data one client may hold."));
    /** The live limits client-output-buffer-limit sets (read by every connection's outbox). */
    public final OutputBufferLimits outputBufferLimits = new OutputBufferLimits();
    public final ConfigOption clientOutputBufferLimit = add(ConfigOption.outputBufferLimits(
        "client-output-buffer-limit", outputBufferLimits, true,
        "Per client class (normal, replica, pubsub): hard limit, soft limit, soft seconds of output queued for a " +
        "client that receives pushed output; over it the client is closed. 0: no limit."));
    public final ConfigOption hz = add(ConfigOption.integer(
        "hz", 10, 1, 500, true, "Background ticks per second (active expiry, incremental rehash)."));
    public final ConfigOption notifyKeyspaceEvents = add(ConfigOption.keyspaceEvents(
        "notify-keyspace-events", "Keyspace notification classes published over Pub/Sub (Redis's letters); empty: off."));
    public final ConfigOption replBacklogSize = add(ConfigOption.memory(
        "repl-backlog-size", "1mb", 16 * 1024, Long.MAX_VALUE, true, "Replication backlog for partial resyncs."));
    public final ConfigOption replicaof = add(ConfigOption.words(
        "replicaof", "", false, "HOST PORT of the master to replicate; empty: this is a master."), "slaveof");
    public final ConfigOption masterauth = add(ConfigOption.string(
        "masterauth", "", true, "Password to give the master when replicating."));
    public final ConfigOption masteruser = add(ConfigOption.string(
        "masteruser", "", true, "User to AUTH as with a Redis master (empty: AUTH with masterauth alone)."));
    public final ConfigOption replicaProtocol = add(ConfigOption.choice(
        "replica-protocol", "auto", true,
        "Protocol of REPLICAOF: auto (ask the master's INFO), json (ringkv's), resp (Redis's PSYNC).",
        "auto", "json", "resp"));
    public final ConfigOption replicaReadOnly = add(ConfigOption.bool(
        "replica-read-only", true, true, "A replica refuses writes from clients."), "slave-read-only");
    public final ConfigOption replDisklessSync = add(ConfigOption.bool(
        "repl-diskless-sync", true, true, "Full syncs of Redis replicas stream the RDB to the socket (capa eof)."));
    public final ConfigOption replDisklessSyncDelay = add(ConfigOption.integer(
        "repl-diskless-sync-delay", 5, 0, Integer.MAX_VALUE, true,
        "Accepted for Redis compatibility: each replica's full sync has its own snapshot, so none waits."));
    public final ConfigOption replPingReplicaPeriod = add(ConfigOption.integer(
        "repl-ping-replica-period", 10, 1, Integer.MAX_VALUE, true,
        "Seconds between PINGs in the stream to Redis replicas."), "repl-ping-slave-period");
    public final ConfigOption replTimeout = add(ConfigOption.integer(
        "repl-timeout", 60, 1, Integer.MAX_VALUE, true,
        "Seconds a Redis replica may acknowledge nothing (or read nothing of its payload) before it is dropped."));
    public final ConfigOption latencyTracking = add(ConfigOption.bool(
        "latency-tracking", true, true, "Keep per-command latency histograms."));
    public final ConfigOption latencyTrackingInfoPercentiles = add(ConfigOption.percentiles(
        "latency-tracking-info-percentiles", "50 99 99.9", true, "Percentiles INFO latencystats reports."));
    public final ConfigOption slowlogLogSlowerThan = add(ConfigOption.integer(
        "slowlog-log-slower-than", 10000, -1, Long.MAX_VALUE, true,
        "Calls taking at least this many microseconds go to SLOWLOG; -1: none, 0: all."));
    public final ConfigOption slowlogMaxLen = add(ConfigOption.integer(
        "slowlog-max-len", 128, 0, Long.MAX_VALUE, true, "Entries SLOWLOG keeps (the oldest go first)."));
    public final ConfigOption latencyMonitorThreshold = add(ConfigOption.integer(
        "latency-monitor-threshold", 0, 0, Long.MAX_VALUE, true,
        "Events taking at least this many milliseconds are recorded for LATENCY LATEST...; 0: none."));
    public final ConfigOption loglevel = add(ConfigOption.choice(
        "loglevel", "notice", true, "Least severe log level written.", "debug", "verbose", "notice", "warning"));
    public final ConfigOption save = add(ConfigOption.words(
        "save", "", true, "RDB save points: pairs of 'seconds changes'; empty: no automatic saves."));
    public final ConfigOption dir = add(ConfigOption.string(
        "dir", ".", true,
        "Working directory: the RDB file and the append-only directory are in it (the latter as it was at start)."));
    public final ConfigOption dbfilename = add(ConfigOption.string(
        "dbfilename", "dump.rdb", true, "Name of the RDB file."));
    public final ConfigOption rdbcompression = add(ConfigOption.bool(
        "rdbcompression", true, true, "LZF-compress strings in the RDB file."));
    public final ConfigOption rdbchecksum = add(ConfigOption.bool(
        "rdbchecksum", true, true, "End the RDB file with a CRC-64 (else 0: not checked at load)."));
    public final ConfigOption appendonly = add(ConfigOption.bool(
        "appendonly", false, true,
        "Keep an append-only file (Redis 7.0's multi-part layout in appenddirname); turned on live, it starts with a " +
        "rewrite."));
    public final ConfigOption appendfsync = add(ConfigOption.choice(
        "appendfsync", "everysec", true,
        "When the append-only file is fsynced: always (before the replies of a write), everysec (a background " +
        "thread, once a second), no (left to the OS).", "always", "everysec", "no"));
    public final ConfigOption appenddirname = add(ConfigOption.string(
        "appenddirname", "appendonlydir", false, "Directory (in dir) of the append-only files and their manifest."));
    public final ConfigOption appendfilename = add(ConfigOption.string(
        "appendfilename", "appendonly.aof", false, "Prefix of the append-only files' names."));
    public final ConfigOption aofUseRdbPreamble = add(ConfigOption.bool(
        "aof-use-rdb-preamble", true, true,
        "Write the rewrite's base file as RDB (<name>.<seq>.base.rdb, Redis's default), else as RESP commands."));
    public final ConfigOption aofLoadTruncated = add(ConfigOption.bool(
        "aof-load-truncated", true, true,
        "Load an append-only file whose last command is torn (truncating it there) instead of refusing to start."));
    public final ConfigOption autoAofRewritePercentage = add(ConfigOption.integer(
        "auto-aof-rewrite-percentage", 100, 0, INT_MAX, true,
        "Rewrite the append-only file when it has grown by this percentage since the last rewrite; 0: never."));
    public final ConfigOption autoAofRewriteMinSize = add(ConfigOption.memory(
        "auto-aof-rewrite-min-size", "64mb", 0, Long.MAX_VALUE, true,
        "Smallest append-only file an automatic rewrite is started for."));
    public final ConfigOption metricsPort = add(ConfigOption.integer(
        "ringkv-metrics-port", 0, 0, 65535, false, "Port of the Prometheus metrics endpoint; 0: off."));
    public final ConfigOption metricsBind = add(ConfigOption.string(
        "ringkv-metrics-bind", "127.0.0.1", false, "Address of the metrics endpoint."));
    public final ConfigOption metricsPassword = add(ConfigOption.string(
        "ringkv-metrics-password", "", true,
        "Password a metrics scrape must give (basic auth or bearer); empty: requirepass, if set."));
    public final ConfigOption engineWaitStrategy = add(ConfigOption.choice(
        "ringkv-engine-wait-strategy", "parking", false, "How the engine thread waits for requests.",
        "parking", "blocking", "lite-blocking", "sleeping", "yielding", "busy-spin", "phased-backoff"));
    public final ConfigOption engineThread = add(ConfigOption.choice(
        "ringkv-engine-thread", "virtual", false,
        "Run the engine as a virtual thread on the connections' carrier, or on its own platform thread.",
        "virtual", "platform"));
    public final ConfigOption engineRingSize = add(ConfigOption.integer(
        "ringkv-engine-ring-size", 65536, 1024, 1 << 24, false, "Slots in the engine's ring (a power of two)."));
    public final ConfigOption ioThreads = add(ConfigOption.integer(
        "ringkv-io-threads", 1, 1, 1024, false,
        "Carrier threads for the connections' virtual threads (and a virtual engine thread)."));
    public final ConfigOption shutdownWatchdog = add(ConfigOption.integer(
        "ringkv-shutdown-watchdog", 10, 1, INT_MAX, true,
        "Seconds a shutdown may take before the process exits anyway (status 1), e.g. while DEBUG SLEEP holds the " +
        "engine."));
    public final ConfigOption allowUnprotected = add(ConfigOption.bool(
        "ringkv-allow-unprotected", false, false,
        "Start listening beyond loopback without a password in protected mode (as Redis does); such clients are " +
        "then refused per connection with Redis's DENIED error."));
    public final ConfigOption busyReplyThreshold = add(ConfigOption.integer(
        "busy-reply-threshold", 5000, 0, Long.MAX_VALUE, true,
        "Milliseconds a Lua script or function may run before other clients get BUSY and it can be killed " +
        "(SCRIPT KILL, FUNCTION KILL)."), "lua-time-limit");

    private volatile String configFile = "";

    /**
     * @return absolute path of the config file the server started with (INFO config_file, CONFIG REWRITE), or ""
     * when it started without one.
     */
    public String configFile()
    {
        return configFile;
    }

    /**
     * @param path absolute path of the config file being loaded.
     */
    public void configFile(final String path)
    {
        configFile = path;
    }

    private ConfigOption add(final ConfigOption option, final String... optionAliases)
    {
        options.put(option.name(), option);
        for (final String alias : optionAliases)
        {
            aliases.put(alias, option.name());
        }
        return option;
    }

    /**
     * Find an option by name or alias, case-insensitively.
     *
     * @param name option name.
     * @return the option, or null when ringkv has no such option.
     */
    public ConfigOption option(final String name)
    {
        final String lower = name.toLowerCase(Locale.ROOT);
        final ConfigOption option = options.get(lower);
        if (null != option)
        {
            return option;
        }
        final String target = aliases.get(lower);
        return null == target ? null : options.get(target);
    }

    /**
     * @return every option in table order.
     */
    public List<ConfigOption> options()
    {
        return Collections.unmodifiableList(new ArrayList<>(options.values()));
    }

    /**
     * @return alias name to canonical name.
     */
    public Map<String, String> aliases()
    {
        return Collections.unmodifiableMap(aliases);
    }

    /**
     * Be told after an option changes through {@link #setAll(List, boolean)}.
     *
     * @param option   the option to watch.
     * @param listener called with the option after its value changed.
     */
    public void onChange(final ConfigOption option, final Consumer<ConfigOption> listener)
    {
        listeners.computeIfAbsent(option.name(), k -> new ArrayList<>()).add(listener);
    }

    /**
     * Have CONFIG SET refuse a value the server cannot apply (e.g. more clients than it may open files for).
     *
     * @param option    the option to check.
     * @param validator given the option holding its new value; returns null to accept, else the reason in Redis's
     *                  words, and the whole CONFIG SET is then undone.
     */
    public void validate(final ConfigOption option, final Function<ConfigOption, String> validator)
    {
        validators.put(option.name(), validator);
    }

    /**
     * Set several options at once, all or nothing, as CONFIG SET does. Names must be unique.
     *
     * @param nameValuePairs name, value, name, value...
     * @param atRuntime      true for CONFIG SET (immutable options refused), false at start-up.
     * @return null on success, else Redis's error text (without the "ERR " prefix).
     */
    public String setAll(final List<String> nameValuePairs, final boolean atRuntime)
    {
        if (nameValuePairs.isEmpty() || (nameValuePairs.size() & 1) != 0)
        {
            return "wrong number of arguments for 'config|set' command";
        }
        final List<ConfigOption> targets = new ArrayList<>();
        for (int i = 0; i < nameValuePairs.size(); i += 2)
        {
            final ConfigOption option = option(nameValuePairs.get(i));
            if (null == option)
            {
                return "Unknown option or number of arguments for CONFIG SET - '" + nameValuePairs.get(i) + "'";
            }
            if (targets.contains(option))
            {
                return failure(option, "duplicate parameter");
            }
            if (atRuntime && !option.mutable())
            {
                return failure(option, "can't set immutable config");
            }
            targets.add(option);
        }

        final String[] previous = new String[targets.size()];
        for (int i = 0; i < targets.size(); i++)
        {
            previous[i] = targets.get(i).text();
            final String error = targets.get(i).set(nameValuePairs.get(2 * i + 1));
            if (null != error)
            {
                for (int j = 0; j < i; j++)
                {
                    targets.get(j).set(previous[j]);
                }
                return failure(targets.get(i), error);
            }
        }
        for (final ConfigOption option : targets)
        {
            final Function<ConfigOption, String> validator = validators.get(option.name());
            final String error = null == validator ? null : validator.apply(option);
            if (null != error)
            {
                for (int j = 0; j < targets.size(); j++)
                {
                    targets.get(j).set(previous[j]);
                }
                return failure(option, error);
            }
        }
        for (final ConfigOption option : targets)
        {
            final List<Consumer<ConfigOption>> watchers = listeners.get(option.name());
            if (null != watchers)
            {
                for (final Consumer<ConfigOption> watcher : watchers)
                {
                    watcher.accept(option);
                }
            }
        }
        return null;
    }

    private static String failure(final ConfigOption option, final String reason)
    {
        return "CONFIG SET failed (possibly related to argument '" + option.name() + "') - " + reason;
    }
}
