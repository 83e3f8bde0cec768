package io.ringkv.loadgen.run;

import io.ringkv.loadgen.FakeRespServer;
import io.ringkv.loadgen.cli.LoadOptions;
import io.ringkv.loadgen.cli.OptionParser;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load loops' arithmetic against a fake server with known, injected delays: what latency is measured from,
 * how many requests an open-loop schedule sends, and that runs end by themselves when the server misbehaves.
 */
class LoadRunTest
{
    private static final long MS = 1_000_000L;

    @Test
    void closedLoopMeasuresTheInjectedDelay() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(2 * MS))
        {
            final RunResult result = run(server, "-c", "2", "-d", "500ms", "--mix", "set=1,get=1");
            assertTrue(result.latency().getTotalCount() > 50, "count " + result.latency().getTotalCount());
            assertTrue(result.latency().getMinValue() >= 2 * MS, "min " + result.latency().getMinValue());
            assertTrue(result.latency().getValueAtPercentile(50) >= 2 * MS);
            assertEquals(0, result.errors());
            assertEquals(0, result.connectionsLost());
            assertEquals(server.requests(), Arrays.stream(result.sentByCommand()).sum());
        }
    }

    @Test
    void openLoopSendsExactlyTheScheduleAndExcludesWarmUp() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            final RunResult result = run(server, "-c", "4", "--rate", "2000", "--warmup", "200ms", "-d", "1s");
            // 2000/s over 4 connections: 400 intended sends in the 200 ms warm-up, 2000 in the measured second.
            assertEquals(400, result.warmupRequests());
            assertEquals(2000, result.latency().getTotalCount());
            assertEquals(2400, Arrays.stream(result.sentByCommand()).sum());
            assertEquals(2400, server.requests());
            // Measured from the start of measurement to the last reply: a second, plus a loaded machine's lag.
            assertTrue(result.throughput() > 1500 && result.throughput() < 2100, "throughput " + result.throughput());
        }
    }

    @Test
    void openLoopChargesAStallToEveryRequestScheduledDuringIt() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(MS))
        {
            server.stall(System.nanoTime() + 400 * MS, 200 * MS);
            final RunResult open = run(server, "-c", "2", "--rate", "1000", "-d", "1.2s");
            final Histogram latency = open.latency();
            // About 200 requests were scheduled during the stall; each waits for its end.
            final long delayed = latency.getCountBetweenValues(100 * MS, Long.MAX_VALUE);
            assertTrue(delayed >= 60, "requests delayed over 100 ms: " + delayed);
            assertTrue(latency.getValueAtPercentile(99) >= 150 * MS, "p99 " + latency.getValueAtPercentile(99));
            // The stall reaches the histogram whole: no request waited in the server longer than the generator
            // measured (its arrival may lag the stall's start on a loaded machine, so the hold is the bound).
            assertTrue(server.longestHoldNs() >= 50 * MS, "longest hold " + server.longestHoldNs());
            assertTrue(latency.getMaxValue() >= server.longestHoldNs() * 0.99,
                "max " + latency.getMaxValue() + " < longest hold " + server.longestHoldNs());
        }
    }

    @Test
    void closedLoopShowsAStallOnlyInTheRequestsInFlight() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(MS))
        {
            server.stall(System.nanoTime() + 400 * MS, 200 * MS);
            final RunResult closed = run(server, "-c", "1", "-d", "1.2s");
            final Histogram latency = closed.latency();
            // Coordinated omission: the one request in flight waited, the generator sent nothing meanwhile
            // (a loaded machine may add a hiccup or two of its own).
            final long delayed = latency.getCountBetweenValues(100 * MS, Long.MAX_VALUE);
            assertTrue(delayed >= 1 && delayed <= 3, "requests delayed over 100 ms: " + delayed);
            // The stall reaches the histogram whole: no request waited in the server longer than the generator
            // measured (its arrival may lag the stall's start on a loaded machine, so the hold is the bound).
            assertTrue(server.longestHoldNs() >= 50 * MS, "longest hold " + server.longestHoldNs());
            assertTrue(latency.getMaxValue() >= server.longestHoldNs() * 0.99,
                "max " + latency.getMaxValue() + " < longest hold " + server.longestHoldNs());
            assertTrue(latency.getValueAtPercentile(99) < 50 * MS, "p99 " + latency.getValueAtPercentile(99));
        }
    }

    @Test
    void countModeSendsExactlyTheRequestsAsked() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            final RunResult result = run(server, "-c", "3", "-P", "7", "-n", "1000", "--mix", "get=1,set=1,incr=1");
            assertEquals(1000, result.latency().getTotalCount());
            assertEquals(1000, Arrays.stream(result.sentByCommand()).sum());
            assertEquals(1000, server.requests());
            long perCommand = 0;
            for (final Histogram histogram : result.latencyByCommand())
            {
                perCommand += histogram.getTotalCount();
            }
            assertEquals(1000, perCommand);
        }
    }

    @Test
    void aServerThatClosesConnectionsEndsTheRunWithErrorsCounted() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            server.closeAfter(100);
            final RunResult result = assertTimeoutPreemptively(Duration.ofSeconds(15),
                () -> run(server, "-c", "3", "-P", "4", "-d", "30s"));
            assertEquals(3, result.connectionsLost());
            final long lost = result.errorsByKind().getOrDefault("CONNECTION", 0L);
            assertTrue(lost >= 3, "lost " + result.errorsByKind());
            assertEquals(Arrays.stream(result.sentByCommand()).sum(), result.latency().getTotalCount() + lost);
        }
    }

    @Test
    void openLoopAgainstAClosingServerEndsToo() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            server.closeAfter(50);
            final RunResult result = assertTimeoutPreemptively(Duration.ofSeconds(15),
                () -> run(server, "-c", "2", "--rate", "1000", "-d", "30s"));
            assertEquals(2, result.connectionsLost());
            assertTrue(result.errorsByKind().getOrDefault("CONNECTION", 0L) >= 2, result.errorsByKind().toString());
        }
    }

    @Test
    void aServerThatStopsAnsweringTimesOut() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            server.silent();
            final RunResult result = assertTimeoutPreemptively(Duration.ofSeconds(15),
                () -> run(server, "-c", "2", "-P", "3", "--timeout", "300ms", "-d", "30s"));
            assertEquals(2, result.connectionsLost());
            assertEquals(Long.valueOf(6), result.errorsByKind().get("TIMEOUT"));
            assertEquals(0, result.latency().getTotalCount());
        }
    }

    @Test
    void jsonLinesProtocolCountsRepliesAndErrors() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            server.json();
            final RunResult result = run(server, "--protocol", "json", "-c", "2", "-P", "5", "-n", "3000",
                "--mix", "get=1,set=1,incr=1,mget=1", "--key-prefix", "a\"b:");
            assertEquals(3000, result.latency().getTotalCount());
            assertEquals(3000, server.requests());
            final int incr = result.commandNames().indexOf("INCR");
            assertEquals(Long.valueOf(result.sentByCommand()[incr]), result.errorsByKind().get("ERR"));
            assertEquals(0, result.connectionsLost());
        }
    }

    @Test
    void setUpAndPreloadAgainstASilentServerFailWithinTheTimeout() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            server.silent();
            final LoadFailedException auth = assertThrows(LoadFailedException.class, () -> assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> run(server, "-c", "2", "-a", "pw", "--timeout", "300ms", "-n", "10")));
            assertTrue(auth.getMessage().startsWith("no reply to AUTH or SELECT from 127.0.0.1:"), auth.getMessage());
            final LoadFailedException preload = assertThrows(LoadFailedException.class,
                () -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> runWithPreload(server)));
            final String expected = "preloading 127.0.0.1:" + server.port() + " failed: no reply within 300 ms";
            assertEquals(expected, preload.getMessage());
        }
    }

    private static RunResult runWithPreload(final FakeRespServer server)
    {
        final LoadOptions options = OptionParser.parse("-p", Integer.toString(server.port()), "-c", "2",
            "--timeout", "300ms", "--keyspace", "100", "--no-progress");
        return new LoadRun(options, System.out).run(options.target, null, "main", 1, true, null);
    }

    @Test
    void aClosedPortFailsWithAClearMessage() throws Exception
    {
        final int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
        final LoadOptions options = OptionParser.parse("-p", Integer.toString(port), "-c", "2", "--no-progress");
        final LoadFailedException ex = assertThrows(LoadFailedException.class,
            () -> new LoadRun(options, System.out).run(options.target, null, "main", 1, false, null));
        assertTrue(ex.getMessage().startsWith("cannot connect to 127.0.0.1:" + port), ex.getMessage());
    }

    @Test
    void cacheAsideClosedLoopCountsAKnownHitPatternAndSetsEveryMissedKey() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            // Every 4th GET of each connection misses: with 2 x 2000 GETs, exactly 1000 misses.
            server.missEvery(4);
            final RunResult result = runCacheAside(server, "-c", "2", "-P", "8", "-n", "4000");
            final HitCounts hits = result.hitCounts();
            assertEquals(4000, hits.gets());
            assertEquals(3000, hits.hits());
            assertEquals(1000, hits.misses());
            assertEquals(0.75, hits.ratio());
            assertEquals(List.of("GET", "SET"), result.commandNames());
            assertEquals(4000, result.sentByCommand()[0]);
            assertEquals(1000, result.sentByCommand()[1]);
            assertEquals(1000, result.latencyByCommand().get(1).getTotalCount());
            assertEquals(1000, server.getMisses());
            assertEquals(1000, server.setsOfMissedKeys(), "each miss is followed by a SET of its key");
            assertEquals(0, server.otherSets());
            assertEquals(0, result.errors());
        }
    }

    @Test
    void cacheAsideOpenLoopCountsHitsPerIntervalAndSetsEveryMissedKey() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            server.missEvery(5);
            final RunResult result = runCacheAside(server, "-c", "2", "-P", "4", "--rate", "2000", "-d", "2s");
            final HitCounts hits = result.hitCounts();
            // The schedule sends exactly 4000 GETs; every 5th of each connection misses.
            assertEquals(4000, hits.gets());
            assertEquals(800, hits.misses());
            assertEquals(0.8, hits.ratio());
            assertEquals(800, result.sentByCommand()[1]);
            assertEquals(800, server.setsOfMissedKeys(), "each miss is followed by a SET of its key");
            assertEquals(0, server.otherSets());
            assertTrue(hits.byInterval().length >= 2, Arrays.toString(hits.byInterval()));
            for (int i = 0; i < 2; i++)
            {
                final double ratio = hits.byInterval()[i];
                assertTrue(ratio > 0.75 && ratio < 0.85, "interval " + i + ": " + Arrays.toString(hits.byInterval()));
            }
        }
    }

    @Test
    void cacheAsideOverJsonLinesSeesNullValuesAsMisses() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            server.json();
            final RunResult result = runCacheAside(server, "--protocol", "json", "-c", "2", "-P", "4", "-n", "400");
            assertEquals(400, result.hitCounts().gets());
            assertEquals(400, result.hitCounts().misses());
            assertEquals(0.0, result.hitCounts().ratio());
            assertEquals(400, result.sentByCommand()[1]);
            assertEquals(800, server.requests());
        }
    }

    static RunResult runCacheAside(final FakeRespServer server, final String... args)
    {
        final String[] all = java.util.Arrays.copyOf(args, args.length + 7);
        System.arraycopy(new String[] {"-p", Integer.toString(server.port()), "--warmup", "0", "--seed", "7",
            "--cache-aside"}, 0, all, args.length, 7);
        final LoadOptions options = OptionParser.parse(all);
        return new LoadRun(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
            .run(options.target, options.password, "main", 1, false, null);
    }

    static RunResult run(final FakeRespServer server, final String... args)
    {
        final String[] all = new String[args.length + 6];
        all[0] = "-p";
        all[1] = Integer.toString(server.port());
        all[2] = "--warmup";
        all[3] = "0";
        all[4] = "--seed";
        all[5] = "7";
        System.arraycopy(args, 0, all, 6, args.length);
        final LoadOptions options = OptionParser.parse(dedupe(all));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        return new LoadRun(options, new PrintStream(out, true, StandardCharsets.UTF_8))
            .run(options.target, options.password, "main", 1, false, null);
    }

    /** Later options win over the defaults prepended above (the parser rejects repeats). */
    private static String[] dedupe(final String[] args)
    {
        final java.util.LinkedHashMap<String, String> byName = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2)
        {
            byName.put(args[i], args[i + 1]);
        }
        return byName.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
            .toArray(String[]::new);
    }
}
