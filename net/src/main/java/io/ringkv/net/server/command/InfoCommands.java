package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.ErrorStats;
import io.ringkv.core.command.Reply;
import io.ringkv.core.memory.ProcessMemory;
import io.ringkv.core.script.function.ScriptMemory;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.MemoryStats;
import io.ringkv.net.codec.ConnectionBuffers;
import io.ringkv.net.server.config.ServerConfig;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * INFO [section ...]: the server's sections (server, clients, memory, persistence, stats, replication, cpu,
 * commandstats, errorstats, cluster, keyspace) in Redis 7.0's layout and field names, registered in the server's
 * {@link InfoSections} so that other modules can add or extend sections. Figures only the engine knows (commands,
 * hits and misses, expired keys, memory) are read on the engine thread, where INFO runs.
 * <p>
 * Only the engine thread runs the handler and the section writers.
 */
public final class InfoCommands
{
    private static final String ZERO_ID = "0000000000000000000000000000000000000000";
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final ServerControl server;
    private final ServerConfig config;
    private final String runId = randomHexId();
    private final String replicationId = randomHexId();
    private long sampleTimeMs;
    private long sampleCommands;
    private long opsPerSecond;

    private InfoCommands(final ServerControl server)
    {
        this.server = server;
        this.config = server.config();
    }

    /**
     * @param table  to register INFO in.
     * @param server whose sections it prints; the default sections are added to {@link ServerControl#infoSections()}.
     */
    public static void register(final CommandTable table, final ServerControl server)
    {
        final InfoCommands info = new InfoCommands(server);
        final InfoSections sections = server.infoSections();
        sections.add("server", "Server", true, info::serverSection);
        sections.add("clients", "Clients", true, info::clientsSection);
        sections.add("memory", "Memory", true, info::memorySection);
        sections.add("persistence", "Persistence", true, info::persistenceSection);
        sections.add("stats", "Stats", true, info::statsSection);
        sections.add("replication", "Replication", true, info::replicationSection);
        sections.add("cpu", "CPU", true, info::cpuSection);
        sections.add("commandstats", "Commandstats", false, InfoCommands::commandstatsSection);
        sections.add("errorstats", "Errorstats", true, InfoCommands::errorstatsSection);
        sections.add("cluster", "Cluster", true, (context, out) -> out.field("cluster_enabled", 0));
        sections.add("keyspace", "Keyspace", true, InfoCommands::keyspaceSection);
        table.register("info", -1, 0, info::info);
    }

    private void info(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final List<String> requested = new ArrayList<>(args.count() - 1);
        for (int i = 1; i < args.count(); i++)
        {
            requested.add(args.asString(i));
        }
        reply.verbatimText(server.infoSections().render(requested, context));
    }

    private void serverSection(final CommandContext context, final InfoWriter out)
    {
        final long nowMs = System.currentTimeMillis();
        final long uptimeSeconds = (nowMs - server.startedMs()) / 1000;
        out.field("redis_version", ConnectionStateCommands.REDIS_VERSION)
            .field("ringkv_version", ConnectionStateCommands.RINGKV_VERSION)
            .field("redis_git_sha1", "00000000")
            .field("redis_git_dirty", 0)
            .field("redis_mode", "standalone")
            .field("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
                System.getProperty("os.arch"))
            .field("arch_bits", archBits())
            .field("multiplexing_api", "java-nio")
            .field("java_version", Runtime.version().toString())
            .field("process_id", ProcessHandle.current().pid())
            .field("process_supervised", "no")
            .field("run_id", runId)
            .field("tcp_port", server.port())
            .field("server_time_usec", nowMs * 1000)
            .field("uptime_in_seconds", uptimeSeconds)
            .field("uptime_in_days", uptimeSeconds / 86400)
            .field("hz", config.hz.number())
            .field("configured_hz", config.hz.number())
            .field("executable", ProcessHandle.current().info().command().orElse(""))
            .field("config_file", config.configFile())
            .field("io_threads_active", 0);
    }

    private void clientsSection(final CommandContext context, final InfoWriter out)
    {
        out.field("connected_clients", server.registry().size())
            .field("cluster_connections", 0)
            .field("maxclients", config.maxclients.number())
            .field("blocked_clients", context.blockedClients().blockedClients() + context.clientPause().held())
            .field("tracking_clients", context.clientTracking().clients())
            .field("watching_clients", context.watchedKeys().watchingClients())
            .field("clients_in_timeout_table", context.blockedClients().clientsWithTimeout())
            .field("total_watched_keys", context.watchedKeys().count());
    }

    private void memorySection(final CommandContext context, final InfoWriter out)
    {
        final MemoryStats memory = context.keyspace().memoryStats();
        final long used = memory.usedMemoryBytes();
        final long overhead = memory.tableBytes() + memory.expiryIndexBytes();
        final long maxMemory = context.keyspace().maxMemoryBytes();
        final long peak = context.keyspace().sampleUsedMemoryPeak();
        final long rss = ProcessMemory.residentBytes();
        final long allocatorResident = memory.allocatorReservedBytes();
        final ScriptMemory lua = server.scriptMemory();
        final long vmTotal = lua.evalVmBytes() + lua.functionsVmBytes();
        final long scriptsTotal = lua.scriptsEvalBytes() + lua.functionsBytes();
        out.field("used_memory", used)
            .field("used_memory_human", InfoWriter.human(used))
            .field("used_memory_rss", rss)
            .field("used_memory_rss_human", InfoWriter.human(rss))
            .field("used_memory_peak", peak)
            .field("used_memory_peak_human", InfoWriter.human(peak))
            .field("used_memory_peak_perc",
                String.format(Locale.ROOT, "%.2f%%", peak == 0 ? 0.0 : 100.0 * used / peak))
            .field("used_memory_overhead", overhead)
            .field("used_memory_dataset", used - overhead)
            .field("used_memory_dataset_perc",
                String.format(Locale.ROOT, "%.2f%%", used == 0 ? 0.0 : 100.0 * (used - overhead) / used))
            .field("allocator_allocated", memory.allocatorUsedBytes())
            .field("allocator_active", memory.allocatorReservedBytes())
            .field("allocator_resident", memory.allocatorReservedBytes())
            .field("allocator_frag_ratio", ratio(memory.allocatorReservedBytes(), memory.allocatorUsedBytes()))
            .field("allocator_frag_bytes", memory.allocatorReservedBytes() - memory.allocatorUsedBytes())
            .field("total_system_memory", totalSystemMemory())
            .field("total_system_memory_human", InfoWriter.human(totalSystemMemory()))
            .field("used_memory_lua", lua.evalVmBytes())
            .field("used_memory_vm_eval", lua.evalVmBytes())
            .field("used_memory_lua_human", InfoWriter.human(lua.evalVmBytes()))
            .field("used_memory_scripts_eval", lua.scriptsEvalBytes())
            .field("number_of_cached_scripts", lua.cachedScripts())
            .field("number_of_functions", lua.functionCount())
            .field("number_of_libraries", lua.libraryCount())
            .field("used_memory_vm_functions", lua.functionsVmBytes())
            .field("used_memory_vm_total", vmTotal)
            .field("used_memory_vm_total_human", InfoWriter.human(vmTotal))
            .field("used_memory_functions", lua.functionsBytes())
            .field("used_memory_scripts", scriptsTotal)
            .field("used_memory_scripts_human", InfoWriter.human(scriptsTotal))
            .field("maxmemory", maxMemory)
            .field("maxmemory_human", InfoWriter.human(maxMemory))
            .field("maxmemory_policy", config.maxmemoryPolicy.text())
            .field("allocator_rss_ratio", 1.0)
            .field("allocator_rss_bytes", 0)
            // As Redis: what the process holds beyond the allocator (here: the JVM, buffers), and beyond used_memory.
            .field("rss_overhead_ratio", ratio(rss, allocatorResident))
            .field("rss_overhead_bytes", rss - allocatorResident)
            .field("mem_fragmentation_ratio", ratio(rss, used))
            .field("mem_fragmentation_bytes", rss - used)
            .field("mem_allocator", "ringkv-slab")
            .field("active_defrag_running", 0)
            .field("lazyfree_pending_objects", context.keyspace().lazyFreePendingObjects())
            .field("lazyfreed_objects", context.keyspace().lazyFreedObjects())
            .field("ringkv_keys", memory.keys())
            .field("ringkv_key_value_bytes", memory.keyValueBytes())
            .field("ringkv_metadata_bytes", memory.metadataBytes())
            .field("ringkv_table_bytes", memory.tableBytes())
            .field("ringkv_expiry_index_bytes", memory.expiryIndexBytes())
            .field("ringkv_allocator_requested_bytes", memory.allocatorRequestedBytes())
            .field("ringkv_huge_block_bytes", memory.hugeBytes())
            .field("ringkv_eviction_used_bytes", context.keyspace().evictableUsedBytes())
            .field("ringkv_overhead_bytes_per_key", memory.overheadBytesPerKey())
            .field("ringkv_slab_fragmentation_ratio", memory.fragmentationRatio())
            .field("ringkv_jvm_heap_used", ProcessMemory.heapUsedBytes())
            .field("ringkv_jvm_heap_committed", ProcessMemory.heapCommittedBytes())
            .field("ringkv_jvm_heap_max", Runtime.getRuntime().maxMemory())
            .field("ringkv_jvm_non_heap_committed", ProcessMemory.nonHeapCommittedBytes())
            .field("ringkv_jvm_direct_bytes", ProcessMemory.directBufferBytes())
            .field("ringkv_connection_buffer_bytes", ConnectionBuffers.allocatedBytes())
            .field("ringkv_engine_buffer_bytes", ProcessMemory.engineBufferBytes());
    }

    private void persistenceSection(final CommandContext context, final InfoWriter out)
    {
        // The file is loaded before clients are served, so no client sees loading:1 at start; a replica's full sync
        // does (its clients are told LOADING meanwhile). No loading_* fields: a JSON dump's size is not known ahead.
        out.field("loading", context.loading() ? 1 : 0)
            .field("async_loading", 0);
        server.persistence().writeInfo((name, value) ->
        {
            if (value instanceof Number number)
            {
                out.field(name, number.longValue());
            }
            else
            {
                out.field(name, String.valueOf(value));
            }
        });
        server.aof().writeInfo((name, value) ->
        {
            if (value instanceof String text)
            {
                out.field(name, text);
            }
            else
            {
                out.field(name, ((Number)value).longValue());
            }
        });
    }

    private void statsSection(final CommandContext context, final InfoWriter out)
    {
        final Keyspace keyspace = context.keyspace();
        long commands = 0;
        for (final Command command : context.commands().commands())
        {
            commands += command.calls();
        }
        out.field("total_connections_received", server.registry().totalConnections())
            .field("total_commands_processed", commands)
            .field("instantaneous_ops_per_sec", opsPerSecond(commands))
            .field("rejected_connections", server.registry().rejectedConnections())
            .field("sync_full", server.replication().fullSyncs())
            .field("sync_partial_ok", server.replication().partialSyncs())
            .field("sync_partial_err", server.replication().partialSyncsRefused())
            .field("expired_keys", keyspace.expiredKeys())
            .field("evicted_keys", keyspace.evictedKeys())
            .field("evicted_clients", 0)
            .field("keyspace_hits", keyspace.keyspaceHits())
            .field("keyspace_misses", keyspace.keyspaceMisses())
            .field("tracking_total_keys", context.clientTracking().keys())
            .field("tracking_total_items", context.clientTracking().items())
            .field("tracking_total_prefixes", context.clientTracking().prefixes())
            .field("pubsub_channels", context.pubSub().channelCount())
            .field("pubsub_patterns", context.pubSub().patternCount())
            .field("pubsubshard_channels", context.pubSub().shardChannelCount())
            .field("latest_fork_usec", 0)
            .field("total_forks", 0)
            .field("total_error_replies", context.errorStats().total());
    }

    /**
     * Redis samples the command count every 100 ms in its cron; ringkv has no cron outside the engine, so it samples
     * when INFO runs: the rate since the previous sample, once that is at least a second old.
     */
    private long opsPerSecond(final long commands)
    {
        final long nowMs = System.currentTimeMillis();
        if (sampleTimeMs == 0)
        {
            sampleTimeMs = server.startedMs();
        }
        final long elapsedMs = nowMs - sampleTimeMs;
        if (elapsedMs >= 1000)
        {
            opsPerSecond = (commands - sampleCommands) * 1000 / elapsedMs;
            sampleTimeMs = nowMs;
            sampleCommands = commands;
        }
        return opsPerSecond;
    }

    private void replicationSection(final CommandContext context, final InfoWriter out)
    {
        out.field("role", "master")
            .field("connected_slaves", 0)
            .field("master_failover_state", "no-failover")
            .field("master_replid", replicationId)
            .field("master_replid2", ZERO_ID)
            .field("master_repl_offset", server.engine().replicationOffset())
            .field("second_repl_offset", -1)
            .field("repl_backlog_active", 0)
            .field("repl_backlog_size", config.replBacklogSize.number())
            .field("repl_backlog_first_byte_offset", 0)
            .field("repl_backlog_histlen", 0);
    }

    private void cpuSection(final CommandContext context, final InfoWriter out)
    {
        final long[] ticks = processCpuTicks();
        out.seconds("used_cpu_sys", (double)ticks[1] / CLOCK_TICKS_PER_SECOND)
            .seconds("used_cpu_user", (double)ticks[0] / CLOCK_TICKS_PER_SECOND)
            .seconds("used_cpu_sys_children", 0)
            .seconds("used_cpu_user_children", 0);
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long totalNs = threads.getCurrentThreadCpuTime();
        final long userNs = threads.getCurrentThreadUserTime();
        if (totalNs >= 0 && userNs >= 0)
        {
            // INFO runs on the engine thread: Redis's "main thread" is ringkv's engine thread.
            out.seconds("used_cpu_sys_main_thread", (totalNs - userNs) / 1e9)
                .seconds("used_cpu_user_main_thread", userNs / 1e9);
        }
    }

    /**
     * One line per command that was called, rejected or failed; a container command (CONFIG, CLIENT...) shows its
     * subcommands instead of itself, as Redis 7 does ({@code cmdstat_config|get}).
     */
    private static void commandstatsSection(final CommandContext context, final InfoWriter out)
    {
        final List<Command> commands = new ArrayList<>();
        for (final Command command : context.commands().commands())
        {
            if (command.handler() instanceof Subcommands container)
            {
                commands.addAll(container.subcommands());
            }
            else
            {
                commands.add(command);
            }
        }
        commands.sort((a, b) -> a.name().compareTo(b.name()));
        for (final Command command : commands)
        {
            final long calls = command.calls();
            if (calls == 0 && command.failedCalls() == 0 && command.rejectedCalls() == 0)
            {
                continue;
            }
            final double usecPerCall = calls == 0 ? 0.0 : command.durationNs() / 1000.0 / calls;
            out.line("cmdstat_" + command.name() + ":calls=" + calls + ",usec=" + command.durationNs() / 1000 +
                ",usec_per_call=" + String.format(Locale.ROOT, "%.2f", usecPerCall) + ",rejected_calls=" +
                command.rejectedCalls() + ",failed_calls=" + command.failedCalls());
        }
    }

    private static void errorstatsSection(final CommandContext context, final InfoWriter out)
    {
        final ErrorStats errors = context.errorStats();
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < errors.size(); i++)
        {
            lines.add("errorstat_" + errors.code(i) + ":count=" + errors.count(i));
        }
        lines.sort(null);
        for (final String line : lines)
        {
            out.line(line);
        }
    }

    private static void keyspaceSection(final CommandContext context, final InfoWriter out)
    {
        final Keyspace keyspace = context.keyspace();
        for (int db = 0; db < keyspace.databases(); db++)
        {
            final long keys = keyspace.size(db);
            if (keys > 0)
            {
                out.line("db" + db + ":keys=" + keys + ",expires=" + keyspace.expiresSize(db) + ",avg_ttl=" +
                    keyspace.averageTtlMs(db, context.nowMs()));
            }
        }
    }

    /**
     * @return a new random 40-character hex id, as Redis's run_id and replication id.
     */
    public static String randomHexId()
    {
        final byte[] bytes = new byte[20];
        new SecureRandom().nextBytes(bytes);
        final StringBuilder hex = new StringBuilder(40);
        for (final byte b : bytes)
        {
            hex.append(Character.forDigit((b >>> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return hex.toString();
    }

    private static double ratio(final long numerator, final long denominator)
    {
        return denominator == 0 ? 1.0 : (double)numerator / denominator;
    }

    private static String archBits()
    {
        final String model = System.getProperty("sun.arch.data.model");
        return null == model ? "64" : model;
    }

    private static long totalSystemMemory()
    {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
        {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    /**
     * @return {utime, stime} of this process in clock ticks from /proc/self/stat; zeros where it cannot be read.
     */
    private static long[] processCpuTicks()
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[]{Long.parseLong(fields[11]), Long.parseLong(fields[12])};
        }
        catch (final IOException | RuntimeException ex)
        {
            return new long[2];
        }
    }
}
