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
 * Args: {@code ringkv|redis [keys] [basePort] [lagSeconds] [writesPerSecond]}.
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
        final int writesPerSecond = args.length > 4 ? Integer.parseInt(args[4]) : 20_000;
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
                    measureLag(target, master, replica, masterPort, lagSeconds, writesPerSecond);
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
        final Histogram lag = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long probe = 0;
        while (System.nanoTime() < endNs)
        {
            final String expected = Long.toString(++probe);
            master.call("SET", "lag:probe", expected);
            final long appliedNs = System.nanoTime();
            while (!expected.equals(RespConnection.text(replica.call("GET", "lag:probe"))))
            {
                Thread.onSpinWait();
            }
            lag.recordValue(System.nanoTime() - appliedNs);
            Thread.sleep(1);
        }
        stop.set(true);
        writer.join();
        System.out.printf("%s: replication lag under %,d writes/s over %d s (%,d probes): p50 %.3f ms, " +
            "p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n", target, writesPerSecond, seconds, lag.getTotalCount(),
            lag.getValueAtPercentile(50) / 1e6, lag.getValueAtPercentile(99) / 1e6,
            lag.getValueAtPercentile(99.9) / 1e6, lag.getMaxValue() / 1e6);
    }
}
