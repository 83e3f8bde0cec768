package io.ringkv.loadgen.run;

import io.ringkv.loadgen.cli.LoadOptions;
import io.ringkv.loadgen.cli.Protocol;
import io.ringkv.loadgen.cli.TargetAddress;
import io.ringkv.loadgen.protocol.JsonLineReplyParser;
import io.ringkv.loadgen.protocol.JsonLineRequestEncoder;
import io.ringkv.loadgen.protocol.ReplyParser;
import io.ringkv.loadgen.protocol.RequestEncoder;
import io.ringkv.loadgen.protocol.RespReplyParser;
import io.ringkv.loadgen.protocol.RespRequestEncoder;
import io.ringkv.loadgen.workload.CommandMix;
import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.KeyDistribution;
import io.ringkv.loadgen.workload.KeyFormat;
import io.ringkv.loadgen.workload.MovingHotSetKeyDistribution;
import io.ringkv.loadgen.workload.ScanningKeyDistribution;
import io.ringkv.loadgen.workload.RequestArguments;
import io.ringkv.loadgen.workload.SequentialKeyDistribution;
import io.ringkv.loadgen.workload.UniformKeyDistribution;
import io.ringkv.loadgen.workload.ValuePool;
import io.ringkv.loadgen.workload.ZipfianKeyDistribution;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One run of the workload against one target: connect every connection (a virtual thread each), preload if
 * asked, warm up, measure, then collect the results. The calling thread is the coordinator: once a second it
 * swaps out interval histograms, writes them to the log and prints a progress line; every 100 ms it abandons
 * connections whose replies stopped for longer than the timeout, so every run ends by itself.
 * <pre>
 *   connection threads --record--> per-connection recorders <--swap each second-- coordinator --> .hlog, progress
 * </pre>
 */
public final class LoadRun
{
    private static final long SECOND_NS = 1_000_000_000L;
    static final long WATCH_PERIOD_NS = 100_000_000L;

    private final LoadOptions options;
    private final PrintStream out;

    /**
     * @param options what to run.
     * @param out     where progress lines go.
     */
    public LoadRun(final LoadOptions options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    /**
     * Runs the workload against one target.
     *
     * @param target   where.
     * @param password AUTH password for this target, or null.
     * @param label    names the results.
     * @param round    round number from 1.
     * @param preload  whether to preload the key space first.
     * @param hlogFile where to write interval histograms, or null.
     * @return the results.
     * @throws LoadFailedException if the target cannot be connected to or set up.
     */
    public RunResult run(
        final TargetAddress target,
        final String password,
        final String label,
        final int round,
        final boolean preload,
        final Path hlogFile)
    {
        final LoadOptions o = options;
        final List<CommandTemplate> templates = new ArrayList<>();
        for (final String text : o.templates)
        {
            templates.add(CommandTemplate.parse(text));
        }
        final CommandMix mix = new CommandMix(o.mix, templates, o.mgetKeys);
        // Cache-aside's miss-SET is no part of the mix: it is command number mix.size(), sent only after a miss.
        final CommandTemplate missSet = o.cacheAside ? CommandTemplate.builtIn("set", 1) : null;
        final String[] names = new String[mix.size() + (missSet != null ? 1 : 0)];
        for (int c = 0; c < mix.size(); c++)
        {
            names[c] = mix.reportName(c);
        }
        if (missSet != null)
        {
            names[mix.size()] = "SET";
        }
        final KeyFormat keyFormat = new KeyFormat(o.keyPrefix, o.keyLength);
        final ValuePool values = new ValuePool(
            o.valueSizeMin, o.valueSizeMax, o.randomValues, o.protocol == Protocol.JSON, o.seed);
        final RequestEncoder encoder = o.protocol == Protocol.JSON ?
            new JsonLineRequestEncoder() : new RespRequestEncoder();
        int maxRequestLength = CommandTemplate.builtIn("set", 1).maxEncodedLength(o.keyLength, o.valueSizeMax, 20);
        for (int c = 0; c < mix.size(); c++)
        {
            maxRequestLength = Math.max(maxRequestLength,
                mix.command(c).maxEncodedLength(o.keyLength, o.valueSizeMax, 20));
        }

        final SplittableRandom seeds = new SplittableRandom(o.seed);
        final ConnectionState[] states = new ConnectionState[o.connections];
        final SplittableRandom[] randoms = new SplittableRandom[o.connections];
        final TargetConnection[] connections = new TargetConnection[o.connections];
        final RequestArguments[] arguments = new RequestArguments[o.connections];
        // Moving hot sets and scans follow one clock from one origin, so every connection agrees on them.
        final long keyOriginNs = System.nanoTime();
        for (int i = 0; i < o.connections; i++)
        {
            states[i] = new ConnectionState(i, names.length);
            randoms[i] = seeds.split();
            arguments[i] = new RequestArguments(
                keys(i, randoms[i], keyFormat, keyOriginNs), keyFormat, values, randoms[i], o.keySpace);
        }
        connectAll(target, password, encoder, arguments, maxRequestLength, connections);
        try
        {
            long preloadRequests = 0;
            if (preload)
            {
                preloadRequests = new Preloader(options, out).preload(
                    target, keyFormat, values, encoder, connections, maxRequestLength);
            }
            final LoadSchedule schedule = schedule();
            final Thread[] threads = new Thread[o.connections];
            for (int i = 0; i < o.connections; i++)
            {
                states[i].channel = connections[i].channel;
                final long quota = schedule.quota(o.requests, i);
                final Runnable loop = schedule.openLoop() ?
                    new OpenLoopConnection(states[i], connections[i], mix, randoms[i], schedule, quota, missSet) :
                    new ClosedLoopConnection(states[i], connections[i], mix, randoms[i], schedule, quota, missSet);
                threads[i] = Thread.ofVirtual().name("loadgen-" + label + "-" + i).unstarted(loop);
            }
            final HistogramLogWriter log = openLog(hlogFile);
            try
            {
                final LatencyCollector collector = new LatencyCollector(states, names, log);
                final HitRatioTracker hits = missSet != null ? new HitRatioTracker(states) : null;
                for (final Thread thread : threads)
                {
                    thread.start();
                }
                final long lastReplyNs = coordinate(states, threads, collector, hits, schedule, label);
                return result(target, label, round, names, states, collector, schedule, lastReplyNs, preloadRequests,
                    hits == null ? null : hits.result());
            }
            finally
            {
                if (log != null)
                {
                    log.close();
                }
            }
        }
        finally
        {
            for (final TargetConnection connection : connections)
            {
                connection.close();
            }
        }
    }

    /** Phases start 1 ms from now, so that every connection thread is running before the first send. */
    private LoadSchedule schedule()
    {
        final LoadOptions o = options;
        final long startNs = System.nanoTime() + 1_000_000;
        final long measureStartNs = startNs + o.warmupNs;
        final long endNs = o.requests > 0 ? Long.MAX_VALUE : measureStartNs + o.durationNs;
        final double intervalNs = o.openLoop() ? (double)o.connections * SECOND_NS / o.ratePerSecond : 0;
        return new LoadSchedule(startNs, measureStartNs, endNs, o.pipeline, intervalNs, o.connections);
    }

    private KeyDistribution keys(
        final int connection, final SplittableRandom random, final KeyFormat keyFormat, final long originNs)
    {
        final LoadOptions o = options;
        return switch (o.distribution)
        {
            case UNIFORM -> new UniformKeyDistribution(o.keySpace, random);
            case ZIPFIAN -> new ZipfianKeyDistribution(o.keySpace, o.zipfTheta, random);
            case ZIPFIAN_MOVING -> new MovingHotSetKeyDistribution(
                new ZipfianKeyDistribution(o.keySpace, o.zipfTheta, random), o.keySpace, o.hotSetShift(),
                o.hotSetPeriodNs, originNs, System::nanoTime);
            case ZIPFIAN_SCAN -> new ScanningKeyDistribution(
                new ZipfianKeyDistribution(o.keySpace, o.zipfTheta, random), o.keySpace, o.scanLength(),
                scanSpace(keyFormat, o.keySpace), o.scanPeriodNs, originNs, System::nanoTime, connection,
                o.connections);
            case SEQUENTIAL -> new SequentialKeyDistribution(
                o.keySpace, (long)((double)o.keySpace * connection / o.connections));
        };
    }

    /** Key numbers the key format has room for above the key space (capped far from overflow). */
    static long scanSpace(final KeyFormat keyFormat, final long keySpace)
    {
        long limit = 1;
        for (int d = 0; d < keyFormat.digits() && limit < 1L << 60; d++)
        {
            limit *= 10;
        }
        return Math.min(limit, 1L << 60) - keySpace;
    }

    private ReplyParser newParser()
    {
        return options.protocol == Protocol.JSON ? new JsonLineReplyParser() : new RespReplyParser();
    }

    private void connectAll(
        final TargetAddress target,
        final String password,
        final RequestEncoder encoder,
        final RequestArguments[] arguments,
        final int maxRequestLength,
        final TargetConnection[] connections)
    {
        final LoadOptions o = options;
        final RuntimeException[] failures = new RuntimeException[connections.length];
        final Thread[] threads = new Thread[connections.length];
        final int connectTimeoutMs = (int)Math.max(1, Math.min(Integer.MAX_VALUE, o.connectTimeoutNs / 1_000_000));
        for (int i = 0; i < connections.length; i++)
        {
            final int index = i;
            threads[i] = Thread.ofVirtual().start(() ->
            {
                try
                {
                    connections[index] = TargetConnection.open(target, connectTimeoutMs, o.replyTimeoutNs, encoder,
                        newParser(), arguments[index], maxRequestLength, o.user, password, o.db);
                }
                catch (final RuntimeException ex)
                {
                    failures[index] = ex;
                }
            });
        }
        joinAll(threads);
        for (final RuntimeException failure : failures)
        {
            if (failure != null)
            {
                for (final TargetConnection connection : connections)
                {
                    if (connection != null)
                    {
                        connection.close();
                    }
                }
                throw failure instanceof LoadFailedException ? failure :
                    new LoadFailedException("setting up a connection to " + target + " failed: " + failure);
            }
        }
    }

    private long coordinate(
        final ConnectionState[] states,
        final Thread[] threads,
        final LatencyCollector collector,
        final HitRatioTracker hits,
        final LoadSchedule schedule,
        final String label)
    {
        final LoadOptions o = options;
        final long measureStartNs = schedule.measureStartNs();
        final long hardDeadlineNs = schedule.endNs() == Long.MAX_VALUE ?
            Long.MAX_VALUE : schedule.endNs() + o.replyTimeoutNs + SECOND_NS;
        long nextTickNs = Math.min(schedule.startNs() + SECOND_NS, measureStartNs);
        long lastTickNs = schedule.startNs();
        long lastReceived = 0;
        boolean logStarted = false;
        while (true)
        {
            final long nowNs = System.nanoTime();
            final boolean allDone = !anyAlive(threads);
            if (allDone)
            {
                break;
            }
            if (nowNs >= nextTickNs)
            {
                if (nextTickNs <= measureStartNs)
                {
                    final long received = totalReceived(states);
                    if (nextTickNs < measureStartNs && o.progress)
                    {
                        out.printf(Locale.ROOT, "[%s warm-up %4.1fs] %,12.0f ops/s%n", label,
                            (nextTickNs - schedule.startNs()) / 1e9,
                            (received - lastReceived) * 1e9 / Math.max(1, nextTickNs - lastTickNs));
                    }
                    lastReceived = received;
                    if (nextTickNs == measureStartNs && !logStarted)
                    {
                        // Nothing is recorded during warm-up, so the first interval simply starts here.
                        collector.startLog(measureStartNs, "ringkv loadgen " + label + ": latency in ns");
                        logStarted = true;
                    }
                }
                else
                {
                    if (!logStarted)
                    {
                        collector.startLog(measureStartNs, "ringkv loadgen " + label + ": latency in ns");
                        logStarted = true;
                    }
                    progress(label, collector.collect(lastTickNs, nextTickNs), hits, nextTickNs - lastTickNs,
                        nextTickNs - measureStartNs, states);
                }
                lastTickNs = nextTickNs;
                nextTickNs = nextTickNs < measureStartNs ?
                    Math.min(nextTickNs + SECOND_NS, measureStartNs) : nextTickNs + SECOND_NS;
            }
            watch(states, nowNs >= hardDeadlineNs);
            final long sleepNs = Math.min(nextTickNs, System.nanoTime() + WATCH_PERIOD_NS) - System.nanoTime();
            if (sleepNs > 0)
            {
                LockSupport.parkNanos(sleepNs);
            }
        }
        joinAll(threads);
        final long endNs = System.nanoTime();
        if (!logStarted)
        {
            collector.startLog(measureStartNs, "ringkv loadgen " + label + ": latency in ns");
        }
        final Histogram last = collector.collect(Math.max(lastTickNs, measureStartNs), Math.max(endNs, measureStartNs));
        if (last.getTotalCount() > 0 && lastTickNs >= measureStartNs && endNs - lastTickNs >= SECOND_NS / 5)
        {
            progress(label, last, hits, endNs - lastTickNs, endNs - measureStartNs, states);
        }
        long lastReplyNs = measureStartNs;
        for (final ConnectionState state : states)
        {
            lastReplyNs = Math.max(lastReplyNs, state.lastMeasuredReplyNs);
        }
        return lastReplyNs;
    }

    private void progress(
        final String label,
        final Histogram interval,
        final HitRatioTracker hits,
        final long intervalNs,
        final long elapsedNs,
        final ConnectionState[] states)
    {
        final double hitRatio = hits != null ? hits.endInterval() : Double.NaN;
        if (!options.progress)
        {
            return;
        }
        long errors = 0;
        for (final ConnectionState state : states)
        {
            // Opaque-ish read of a counter another thread owns: a progress line tolerates being a moment old.
            errors += state.errors.total();
        }
        out.printf(Locale.ROOT, "[%s %6.1fs] %,12.0f ops/s  p50 %9.3f ms  p99 %9.3f ms  errors %,d%s%n",
            label, elapsedNs / 1e9, interval.getTotalCount() * 1e9 / Math.max(1, intervalNs),
            interval.getValueAtPercentile(50) / 1e6, interval.getValueAtPercentile(99) / 1e6, errors,
            hits == null ? "" : Double.isNaN(hitRatio) ? "  hit ratio -" :
                String.format(Locale.ROOT, "  hit ratio %.4f", hitRatio));
    }

    private void watch(final ConnectionState[] states, final boolean pastDeadline)
    {
        final long nowNs = System.nanoTime();
        final long timeoutNs = options.replyTimeoutNs;
        for (final ConnectionState state : states)
        {
            final java.nio.channels.SocketChannel channel = state.channel;
            if (state.abandoned || channel == null || !channel.isOpen())
            {
                continue;
            }
            final boolean waiting = state.sent.getAcquire() > state.received.getAcquire();
            if (pastDeadline || (waiting && nowNs - state.lastProgressNs.getAcquire() > timeoutNs))
            {
                state.abandoned = true;
                TargetConnection.closeQuietly(channel);
            }
        }
    }

    private RunResult result(
        final TargetAddress target,
        final String label,
        final int round,
        final String[] names,
        final ConnectionState[] states,
        final LatencyCollector collector,
        final LoadSchedule schedule,
        final long lastReplyNs,
        final long preloadRequests,
        final HitCounts hitCounts)
    {
        final long[] sent = new long[names.length];
        long warmup = 0;
        int lost = 0;
        final Map<String, Long> errors = new TreeMap<>();
        final List<String> failures = new ArrayList<>();
        for (final ConnectionState state : states)
        {
            for (int c = 0; c < names.length; c++)
            {
                sent[c] += state.sentByCommand[c];
            }
            warmup += state.warmupRequests;
            state.errors.addTo(errors);
            if (state.failureKind != null)
            {
                lost++;
                if (failures.size() < 10)
                {
                    failures.add("connection " + state.id + ": " + state.failureMessage);
                }
            }
        }
        final Histogram all = LatencyCollector.newHistogram();
        for (final Histogram histogram : collector.totals())
        {
            all.add(histogram);
        }
        return new RunResult(label, target.toString(), round, List.of(names), List.of(collector.totals()), all,
            (lastReplyNs - schedule.measureStartNs()) / 1e9, sent, warmup, preloadRequests, errors, lost,
            failures, hitCounts);
    }

    private static HistogramLogWriter openLog(final Path file)
    {
        if (file == null)
        {
            return null;
        }
        try
        {
            return new HistogramLogWriter(file.toFile());
        }
        catch (final FileNotFoundException ex)
        {
            throw new LoadFailedException("cannot write " + file + ": " + ex.getMessage());
        }
    }

    static boolean anyAlive(final Thread[] threads)
    {
        for (final Thread thread : threads)
        {
            if (thread.isAlive())
            {
                return true;
            }
        }
        return false;
    }

    private static long totalReceived(final ConnectionState[] states)
    {
        long total = 0;
        for (final ConnectionState state : states)
        {
            total += state.received.getAcquire();
        }
        return total;
    }

    static void joinAll(final Thread[] threads)
    {
        boolean interrupted = false;
        for (final Thread thread : threads)
        {
            while (true)
            {
                try
                {
                    thread.join();
                    break;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
