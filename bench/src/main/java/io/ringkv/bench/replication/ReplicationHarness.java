package io.ringkv.bench.replication;

import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Replication figures for docs/benchmarks.md, for ringkv and for Redis on the same machine: the time a new replica
 * takes to full-sync N keys (16-byte keys, 32-byte values), then the replication lag (master apply to replica
 * visibility) under a steady write load.
 * <pre>
 *   harness ──preload N keys (pipelined SET)──▶ master process (port P)
 *   harness ──start──▶ replica process (port P+1) ──REPLICAOF P──full sync──▶ ROLE offsets equal: "full sync ms"
 *   writer thread ──SET at R/s──▶ master              probe: SET lag:probe i on master, spin GET on replica
 *                                                             until it reads i: "lag" histogram (p50/p99/max)
 * </pre>
 * Servers run as separate processes ({@code bin/ringkv server} or {@code redis-server}), stopped at the end.
 * Args: {@code ringkv|redis [keys] [basePort] [lagSeconds] [writesPerSecond|P16]}. {@code P16} replaces the
 * paced writer by {@code redis-benchmark -t set -P 16 -c 50 -d 32 -r 1000000} running flat out for the lag
 * seconds, and adds the full syncs the master served meanwhile ({@code sync_full}), the replica's position at the
 * end, and both servers' CPU time per write.
 */
public final class ReplicationHarness
{
    private static final int KEY_LENGTH = 16;
    private static final int VALUE_LENGTH = 32;

    private ReplicationHarness()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String target = args.length > 0 ? args[0] : "ringkv";
        final long keys = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
        final int basePort = args.length > 2 ? Integer.parseInt(args[2]) : 17_000;
        final int lagSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        final boolean pipelined = args.length > 4 && "P16".equals(args[4]);
        final int writesPerSecond = args.length > 4 && !pipelined ? Integer.parseInt(args[4]) : 20_000;
        final int masterPort = basePort;
        final int replicaPort = basePort + 1;

        final List<Process> processes = new ArrayList<>();
        try
        {
            processes.add(startServer(target, masterPort, null));
            awaitPort(masterPort);
            try (RespConnection master = new RespConnection("127.0.0.1", masterPort))
            {
                final long preloadStartNs = System.nanoTime();
                preload(master, keys);
                System.out.printf("%s: preloaded %,d keys in %,d ms%n", target, keys,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - preloadStartNs));

                processes.add(startServer(target, replicaPort, null));
                awaitPort(replicaPort);
                try (RespConnection replica = new RespConnection("127.0.0.1", replicaPort))
                {
                    // Timed from REPLICAOF on a running server, so JVM start-up is not counted; the second round
                    // (after REPLICAOF NO ONE, so a new full sync) shows the warmed-up figure.
                    for (int round = 1; round <= 2; round++)
                    {
                        if (round == 2)
                        {
                            replica.call("REPLICAOF", "NO", "ONE");
                        }
                        final long syncStartNs = System.nanoTime();
                        replica.call("REPLICAOF", "127.0.0.1", Integer.toString(masterPort));
                        awaitInSync(master, replica);
                        System.out.printf("%s: full sync of %,d keys, round %d: %,d ms (REPLICAOF to in sync)%n",
                            target, keys, round, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - syncStartNs));
                    }
                    if (pipelined)
                    {
                        measurePipelined(target, master, replica, masterPort, lagSeconds,
                            processes.get(0).pid(), processes.get(1).pid());
                    }
                    else
                    {
                        measureLag(target, master, replica, masterPort, lagSeconds, writesPerSecond);
                    }
                }
            }
        }
        finally
        {
            for (final Process process : processes)
            {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Process startServer(final String target, final int port, final Integer masterPort)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        if ("redis".equals(target))
        {
            command.addAll(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--repl-diskless-sync", "yes",
                "--repl-diskless-sync-delay", "0",
                // A Redis replica writes the RDB it receives into its directory: never the working tree.
                "--dir", Files.createTempDirectory("ringkv-harness-redis").toString()));
        }
        else
        {
            command.addAll(List.of(new File("bin/ringkv").getAbsolutePath(), "server", "--port",
                Integer.toString(port)));
        }
        if (masterPort != null)
        {
            command.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)));
        }
        return new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(new File("replication-harness-" + target + "-" + port + ".log")).start();
    }

    private static void awaitPort(final int port) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 120_000;
        while (true)
        {
            try (RespConnection connection = new RespConnection("127.0.0.1", port))
            {
                if ("PONG".equals(connection.call("PING")))
                {
                    return;
                }
            }
            catch (final IOException ex)
            {
                if (System.currentTimeMillis() > deadline)
                {
                    throw new IllegalStateException("no server on port " + port);
                }
            }
            Thread.sleep(50);
        }
    }

    private static void preload(final RespConnection master, final long keys) throws IOException
    {
        final byte[] set = "SET".getBytes(StandardCharsets.US_ASCII);
        final int batch = 1000;
        for (long i = 0; i < keys; i += batch)
        {
            final long end = Math.min(keys, i + batch);
            for (long k = i; k < end; k++)
            {
                master.send(set, key(k), value(k));
            }
            master.flush();
            for (long k = i; k < end; k++)
            {
                master.read();
            }
        }
    }

    private static byte[] key(final long k)
    {
        return String.format("key:%012d", k).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(final long k)
    {
        final byte[] value = new byte[VALUE_LENGTH];
        final byte[] digits = Long.toString(k).getBytes(StandardCharsets.US_ASCII);
        java.util.Arrays.fill(value, (byte)'v');
        System.arraycopy(digits, 0, value, 0, Math.min(digits.length, VALUE_LENGTH));
        return value;
    }

    /**
     * ROLE on both sides (same shape in ringkv and Redis): the replica is connected and at the master's offset.
     */
    private static void awaitInSync(final RespConnection master, final RespConnection replica) throws Exception
    {
        while (true)
        {
            final List<?> replicaRole = (List<?>)replica.call("ROLE");
            final List<?> masterRole = (List<?>)master.call("ROLE");
            if ("connected".equals(RespConnection.text(replicaRole.get(3))) &&
                masterRole.get(1).equals(replicaRole.get(4)))
            {
                return;
            }
            Thread.sleep(2);
        }
    }

    /**
     * The lag probe under redis-benchmark -P 16 flat out, with the full syncs the master served meanwhile.
     */
    private static void measurePipelined(final String target, final RespConnection master,
        final RespConnection replica, final int masterPort, final int seconds, final long masterPid,
        final long replicaPid) throws Exception
    {
        final long syncsBefore = fullSyncs(target, master);
        final long commandsBefore = infoNumber(master, "stats", "total_commands_processed");
        final long masterCpuBefore = cpuTicks(masterPid);
        final long replicaCpuBefore = cpuTicks(replicaPid);
        final Process load = new ProcessBuilder("redis-benchmark", "-p", Integer.toString(masterPort), "-t", "set",
            "-n", "1000000000", "-r", "1000000", "-d", "32", "-c", "50", "-P", "16", "-q")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        final Histogram lag;
        final long writes;
        final long masterCpu;
        final long replicaCpu;
        try
        {
            Thread.sleep(1000); // the load reaches its pace
            lag = probeLag(master, replica, seconds);
        }
        finally
        {
            load.destroy();
            load.waitFor(10, TimeUnit.SECONDS);
        }
        writes = infoNumber(master, "stats", "total_commands_processed") - commandsBefore;
        masterCpu = cpuTicks(masterPid) - masterCpuBefore;
        replicaCpu = cpuTicks(replicaPid) - replicaCpuBefore;
        final long syncs = fullSyncs(target, master) - syncsBefore;
        final long deadline = System.currentTimeMillis() + 60_000;
        boolean caughtUp = false;
        while (!caughtUp && System.currentTimeMillis() < deadline)
        {
            final List<?> replicaRole = (List<?>)replica.call("ROLE");
            caughtUp = "connected".equals(RespConnection.text(replicaRole.get(3))) &&
                ((List<?>)master.call("ROLE")).get(1).equals(replicaRole.get(4));
            Thread.sleep(10);
        }
        final double tickUs = 1e6 / 100; // USER_HZ
        System.out.printf("%s: redis-benchmark -P 16 for %d s: %,d writes (%,.0f/s), full syncs during the load %d, " +
            "replica %s afterwards; lag p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms (%,d probes); " +
            "CPU per write: master %.2f us, replica %.2f us%n", target, seconds + 1, writes,
            writes / (seconds + 1.0), syncs, caughtUp ? "caught up" : "NOT caught up within 60 s",
            lag.getValueAtPercentile(50) / 1e6, lag.getValueAtPercentile(99) / 1e6,
            lag.getValueAtPercentile(99.9) / 1e6, lag.getMaxValue() / 1e6, lag.getTotalCount(),
            masterCpu * tickUs / Math.max(1, writes), replicaCpu * tickUs / Math.max(1, writes));
    }

    /** Full syncs the master served: Redis's sync_full, ringkv's own counter (older builds report sync_full 0). */
    private static long fullSyncs(final String target, final RespConnection master) throws IOException
    {
        return "redis".equals(target) ? infoNumber(master, "stats", "sync_full") :
            infoNumber(master, "replication", "ringkv_repl_full_syncs");
    }

    private static long infoNumber(final RespConnection server, final String section, final String field)
        throws IOException
    {
        for (final String line : RespConnection.text(server.call("INFO", section)).split("\r\n"))
        {
            if (line.startsWith(field + ":"))
            {
                return Long.parseLong(line.substring(field.length() + 1).trim());
            }
        }
        throw new IllegalStateException("no " + field + " in INFO " + section);
    }

    /** utime + stime of a process, in clock ticks (Linux /proc). */
    private static long cpuTicks(final long pid) throws IOException
    {
        final String stat = Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * SET lag:probe i on the master, then GET on the replica until it reads i, once a millisecond. A probe the
     * replica has not seen after 10 s (it is busy full-syncing again and again) counts as 10 s.
     */
    private static Histogram probeLag(final RespConnection master, final RespConnection replica, final int seconds)
        throws Exception
    {
        final Histogram lag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram getRoundTrip = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long probe = 0;
        long seenAtOnce = 0;
        while (System.nanoTime() < endNs)
        {
            final String expected = Long.toString(++probe);
            boolean first = true;
            master.call("SET", "lag:probe", expected);
            final long appliedNs = System.nanoTime();
            while (true)
            {
                final long getNs = System.nanoTime();
                final Object value = replica.call("GET", "lag:probe");
                getRoundTrip.recordValue(System.nanoTime() - getNs);
                if (expected.equals(RespConnection.text(value)))
                {
                    seenAtOnce += first ? 1 : 0;
                    break;
                }
                first = false;
                if (System.nanoTime() - appliedNs > TimeUnit.SECONDS.toNanos(10))
                {
                    break;
                }
                Thread.onSpinWait();
            }
            lag.recordValue(Math.min(System.nanoTime() - appliedNs, TimeUnit.SECONDS.toNanos(10)));
            Thread.sleep(1);
        }
        // A probe is seen at the end of a GET's round trip, so no lag is below one: say what one costs.
        System.out.printf("  replica GET round trip during the probes: p50 %.3f ms, p99 %.3f ms (%,d GETs); " +
            "probes the first GET already saw: %.0f%%%n", getRoundTrip.getValueAtPercentile(50) / 1e6,
            getRoundTrip.getValueAtPercentile(99) / 1e6, getRoundTrip.getTotalCount(), 100.0 * seenAtOnce / probe);
        return lag;
    }

    private static void measureLag(final String target, final RespConnection master, final RespConnection replica,
        final int masterPort, final int seconds, final int writesPerSecond) throws Exception
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread writer = Thread.ofPlatform().start(() ->
        {
            try (RespConnection load = new RespConnection("127.0.0.1", masterPort))
            {
                final long intervalNs = TimeUnit.SECONDS.toNanos(1) / Math.max(1, writesPerSecond / 100);
                long next = System.nanoTime();
                long k = 0;
                while (!stop.get())
                {
                    for (int i = 0; i < 100; i++)
                    {
                        load.send("SET".getBytes(StandardCharsets.US_ASCII), key(k % 100_000), value(k));
                        k++;
                    }
                    load.flush();
                    for (int i = 0; i < 100; i++)
                    {
                        load.read();
                    }
                    next += intervalNs;
                    final long sleepNs = next - System.nanoTime();
                    if (sleepNs > 0)
                    {
                        TimeUnit.NANOSECONDS.sleep(sleepNs);
                    }
                }
            }
            catch (final Exception ex)
            {
                if (!stop.get())
                {
                    ex.printStackTrace();
                }
            }
        });
        final Histogram lag = probeLag(master, replica, seconds);
        stop.set(true);
        writer.join();
        System.out.printf("%s: replication lag under %,d writes/s over %d s (%,d probes): p50 %.3f ms, " +
            "p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n", target, writesPerSecond, seconds, lag.getTotalCount(),
            lag.getValueAtPercentile(50) / 1e6, lag.getValueAtPercentile(99) / 1e6,
            lag.getValueAtPercentile(99.9) / 1e6, lag.getMaxValue() / 1e6);
    }
}
