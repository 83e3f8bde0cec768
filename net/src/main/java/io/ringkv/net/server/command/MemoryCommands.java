package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;
import io.ringkv.core.memory.ProcessMemory;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.MemoryStats;
import io.ringkv.net.codec.ConnectionBuffers;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE and HELP with Redis 7.0's reply shapes. The figures are the
 * store's own ({@link Keyspace#memoryUsage(long)} for one key, {@link MemoryStats} for the whole), laid out under
 * Redis's names; what has no counterpart in ringkv (AOF buffer, Lua and function caches, cluster links, startup
 * allocations) is 0. MALLOC-STATS reports ringkv's slab allocator instead of jemalloc.
 * <p>
 * Only the engine thread runs these handlers.
 */
public final class MemoryCommands
{
    static final List<String> HELP = List.of(
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.");

    static final String DOCTOR_EMPTY = "Hi Sam, this instance is empty or is using very little memory, my issues " +
        "detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some " +
        "data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
    static final String DOCTOR_FINE = "Hi Sam, I can't find any memory issue in your instance. I can only account " +
        "for what occurs on this base.\n";

    private static final byte[] SAMPLES = "SAMPLES".getBytes(StandardCharsets.US_ASCII);
    private static final long MB = 1024 * 1024;

    private final ServerControl server;

    private MemoryCommands(final ServerControl server)
    {
        this.server = server;
    }

    /**
     * @param table  to register MEMORY in.
     * @param server whose clients' buffers MEMORY STATS counts.
     */
    public static void register(final CommandTable table, final ServerControl server)
    {
        final MemoryCommands memory = new MemoryCommands(server);
        table.register("memory", -2, 0, new Subcommands("memory")
            .add("usage", -3, Command.READONLY, MemoryCommands::usage)
            .add("stats", 2, 0, memory::stats)
            .add("doctor", 2, 0, memory::doctor)
            .add("malloc-stats", 2, 0, (context, args, reply) ->
                reply.verbatimText(context.keyspace().allocatorReport()))
            // ringkv's allocator gives pages back as they empty (and huge blocks when freed): nothing to purge.
            .add("purge", 2, 0, (context, args, reply) -> reply.ok())
            .add("help", 2, 0, (context, args, reply) -> ConfigCommands.help(reply, HELP)));
    }

    /**
     * MEMORY USAGE key [SAMPLES count]: the key's bytes, or nil. SAMPLES is checked as Redis checks it (an
     * integer, not negative); strings and JSON documents are measured whole, so it changes nothing yet.
     */
    private static void usage(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        for (int i = 3; i < args.count(); i++)
        {
            if (args.equalsIgnoreCase(i, SAMPLES) && i + 1 < args.count())
            {
                if (!context.numbers().parseLong(args, i + 1))
                {
                    reply.error(ErrorMessages.NOT_INTEGER);
                    return;
                }
                if (context.numbers().value() < 0)
                {
                    reply.error(ErrorMessages.SYNTAX);
                    return;
                }
                i++;
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        final Keyspace keyspace = context.keyspace();
        final long entry = keyspace.peek(context.db(), args.buffer(), args.offset(2), args.length(2), context.nowMs());
        if (entry == Keyspace.NOT_FOUND)
        {
            reply.nil();
            return;
        }
        reply.integer(keyspace.memoryUsage(entry));
    }

    private void stats(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final MemoryStats memory = keyspace.memoryStats();
        final long used = memory.usedMemoryBytes();
        final long peak = Math.max(used, keyspace.sampleUsedMemoryPeak());
        final long clients = ConnectionBuffers.allocatedBytes();
        final long rss = ProcessMemory.residentBytes();
        final long allocated = memory.allocatorUsedBytes();
        final long reserved = memory.allocatorReservedBytes();
        int populated = 0;
        for (int db = 0; db < keyspace.databases(); db++)
        {
            populated += keyspace.size(db) > 0 || keyspace.expiresSize(db) > 0 ? 1 : 0;
        }
        final long overhead = memory.tableBytes() + memory.expiryIndexBytes() + clients;
        final long keys = memory.keys();
        final long dataset = Math.max(0, used - memory.tableBytes() - memory.expiryIndexBytes());
        reply.mapHeader(27 + populated);
        field(reply, "peak.allocated", peak);
        field(reply, "total.allocated", used);
        field(reply, "startup.allocated", 0);
        field(reply, "replication.backlog", 0);
        field(reply, "clients.slaves", 0);
        field(reply, "clients.normal", clients);
        field(reply, "cluster.links", 0);
        field(reply, "aof.buffer", 0);
        field(reply, "lua.caches", 0);
        field(reply, "functions.caches", 0);
        for (int db = 0; db < keyspace.databases(); db++)
        {
            if (keyspace.size(db) > 0 || keyspace.expiresSize(db) > 0)
            {
                name(reply, "db." + db);
                reply.mapHeader(3);
                field(reply, "overhead.hashtable.main", keyspace.tableBytes(db));
                field(reply, "overhead.hashtable.expires", keyspace.expiryIndexBytes(db));
                field(reply, "overhead.hashtable.slot-to-keys", 0);
            }
        }
        field(reply, "overhead.total", overhead);
        field(reply, "keys.count", keys);
        field(reply, "keys.bytes-per-key", keys == 0 ? 0 : used / keys);
        field(reply, "dataset.bytes", dataset);
        ratio(reply, "dataset.percentage", used == 0 ? 0 : 100.0 * dataset / used);
        ratio(reply, "peak.percentage", peak == 0 ? 0 : 100.0 * used / peak);
        field(reply, "allocator.allocated", allocated);
        field(reply, "allocator.active", reserved);
        field(reply, "allocator.resident", reserved);
        ratio(reply, "allocator-fragmentation.ratio", ratio(reserved, allocated));
        field(reply, "allocator-fragmentation.bytes", reserved - allocated);
        ratio(reply, "allocator-rss.ratio", 1.0);
        field(reply, "allocator-rss.bytes", 0);
        ratio(reply, "rss-overhead.ratio", ratio(rss, reserved));
        field(reply, "rss-overhead.bytes", rss - reserved);
        ratio(reply, "fragmentation", ratio(rss, used));
        field(reply, "fragmentation.bytes", rss - used);
    }

    /**
     * Redis's memory doctor, with its thresholds: under 5 MB of data it declines; otherwise it reports a past peak
     * over 150% of what is used, slab fragmentation (reserved over used by 1.1 and 10 MB), a process much larger
     * than its data (RSS over 1.4 times used and 10 MB more: in ringkv mostly the JVM's heap and code), and client
     * buffers over 200 KB each on average. The texts of the findings are ringkv's.
     */
    private void doctor(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final MemoryStats memory = keyspace.memoryStats();
        final long used = memory.usedMemoryBytes();
        if (used < 5 * MB)
        {
            reply.verbatimText(DOCTOR_EMPTY);
            return;
        }
        final long peak = keyspace.sampleUsedMemoryPeak();
        final long rss = ProcessMemory.residentBytes();
        final long allocated = memory.allocatorUsedBytes();
        final long reserved = memory.allocatorReservedBytes();
        final int clients = Math.max(1, server.registry().size());
        final StringBuilder findings = new StringBuilder();
        if ((double)peak / used > 1.5)
        {
            findings.append(" * Peak memory: In the past this instance used more than 150% the memory that is " +
                "currently using. ringkv's slab allocator gives a page back to the system as soon as it is empty, " +
                "so resident memory follows the data down, page by page.\n\n");
        }
        if (ratio(reserved, allocated) > 1.1 && reserved - allocated > 10 * MB)
        {
            findings.append(" * High allocator fragmentation: the slab allocator holds ").append(reserved - allocated)
                .append(" bytes more than its live blocks use (ratio ")
                .append(String.format(java.util.Locale.ROOT, "%.2f", ratio(reserved, allocated)))
                .append("): many keys of one size were deleted. See MEMORY MALLOC-STATS for the size classes.\n\n");
        }
        if (ratio(rss, used) > 1.4 && rss - used > 10 * MB)
        {
            findings.append(" * High process RSS overhead: the process holds ").append(rss - used)
                .append(" bytes beyond its data (ratio ").append(String.format(java.util.Locale.ROOT, "%.2f",
                    ratio(rss, used)))
                .append("). In ringkv this is mostly the JVM (heap, code, threads); with little data it dominates " +
                    "and is harmless. See INFO memory's ringkv_jvm_* fields.\n\n");
        }
        if (ConnectionBuffers.allocatedBytes() / clients > 200 * 1024)
        {
            findings.append(" * Big client buffers: The clients output buffers are using a lot of memory (over " +
                "200 KB each on average): large replies or requests, or pipelines of them. See CLIENT LIST's " +
                "qbuf, omem and tot-mem fields.\n\n");
        }
        if (findings.length() == 0)
        {
            reply.verbatimText(DOCTOR_FINE);
            return;
        }
        reply.verbatimText("Sam, I detected a few issues in this Redis instance memory implants:\n\n" + findings +
            "I'm here to keep you safe, Sam. I want to help you.\n");
    }

    private static double ratio(final long numerator, final long denominator)
    {
        return denominator == 0 ? 1.0 : (double)numerator / denominator;
    }

    private static void name(final Reply reply, final String name)
    {
        reply.bulk(name.getBytes(StandardCharsets.US_ASCII));
    }

    private static void field(final Reply reply, final String name, final long value)
    {
        name(reply, name);
        reply.integer(value);
    }

    private static void ratio(final Reply reply, final String name, final double value)
    {
        name(reply, name);
        reply.doubleValue(value);
    }
}
