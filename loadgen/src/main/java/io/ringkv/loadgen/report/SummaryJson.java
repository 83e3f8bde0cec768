package io.ringkv.loadgen.report;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.PrettifyOutputStream;
import com.dslplatform.json.runtime.Settings;
import io.ringkv.loadgen.cli.DistributionKind;
import io.ringkv.loadgen.cli.LoadOptions;
import io.ringkv.loadgen.run.HitCounts;
import io.ringkv.loadgen.run.LoadFailedException;
import io.ringkv.loadgen.run.RunResult;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The machine-readable summary ({@code summary.json}), written and read back with DSL-JSON. Latencies are in
 * microseconds. Its shape:
 * <pre>
 * {
 *   "tool": "ringkv-loadgen", "formatVersion": 1, "createdAt": "...", "workload": { ...options... },
 *   "runs": [ { "label", "target", "round", "measuredSeconds", "requests", "throughputOpsPerSec",
 *               "errors": {"total", "byKind": {"ERR": 1}}, "connectionsLost", "failures", "warmupRequests",
 *               "preloadRequests", "sentByCommand": {"GET": 1}, "latencyUs": {"ALL": {...}, "GET": {...}},
 *               "cacheAside": {"gets", "hits", "misses", "hitRatio", "hitRatioByInterval": [0.91, ...]} } ],
 *   "targets": { "main": { "label", "target", "rounds", "throughputOpsPerSec" (median),
 *                          "latencyUs": {"ALL": {"count", "p50" ... "max"} (medians)},
 *                          "curve": {"ALL": [[percentile, us], ...], "GET": ...},
 *                          "hitRatio" (median), "hitRatioByInterval": [[round 1's], ...] } },
 *   "compare": { "main", "compare", "ratios": {"ALL": {"throughput", "hitRatio", "p50", ... "max"}, ...} }
 * }
 * </pre>
 * The cache-aside members are there only for {@code --cache-aside} runs; an interval without GETs has a null
 * hit ratio.
 * <pre>
 * }
 * </pre>
 * Stateless; any thread.
 */
public final class SummaryJson
{
    private static final DslJson<Object> JSON = new DslJson<>(Settings.withRuntime().includeServiceLoader());

    private SummaryJson()
    {
    }

    /**
     * Builds the summary document.
     *
     * @param options    the run's options.
     * @param targets    each target's results (main first).
     * @param comparison main/compare ratios, or null.
     * @return the document as maps and lists.
     */
    public static Map<String, Object> build(
        final LoadOptions options, final List<TargetSummary> targets, final Map<String, Object> comparison)
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "ringkv-loadgen");
        root.put("formatVersion", 1);
        root.put("createdAt", Instant.now().toString());
        root.put("workload", workload(options));
        final List<Object> runs = new ArrayList<>();
        final Map<String, Object> byLabel = new LinkedHashMap<>();
        for (final TargetSummary target : targets)
        {
            for (final RunResult run : target.rounds())
            {
                runs.add(run(run));
            }
            byLabel.put(target.label(), target(target));
        }
        root.put("runs", runs);
        root.put("targets", byLabel);
        if (comparison != null)
        {
            root.put("compare", comparison);
        }
        return root;
    }

    /**
     * Writes a document, pretty-printed.
     *
     * @param document maps, lists, strings, numbers.
     * @param file     where.
     */
    public static void write(final Map<String, Object> document, final Path file)
    {
        try (OutputStream stream = Files.newOutputStream(file))
        {
            final PrettifyOutputStream pretty = new PrettifyOutputStream(stream);
            JSON.serialize(document, pretty);
            pretty.flush();
            stream.write('\n');
        }
        catch (final IOException ex)
        {
            throw new LoadFailedException("cannot write " + file + ": " + ex.getMessage());
        }
    }

    /**
     * Reads a summary back.
     *
     * @param file a {@code summary.json}.
     * @return the document as maps and lists.
     * @throws LoadFailedException if it cannot be read or is not a loadgen summary.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(final Path file)
    {
        try (InputStream stream = Files.newInputStream(file))
        {
            final Object document = JSON.deserialize(Map.class, stream);
            if (!(document instanceof Map) || !"ringkv-loadgen".equals(((Map<String, Object>)document).get("tool")))
            {
                throw new LoadFailedException(file + " is not a ringkv loadgen summary.json");
            }
            return (Map<String, Object>)document;
        }
        catch (final IOException ex)
        {
            throw new LoadFailedException("cannot read " + file + ": " + ex.getMessage());
        }
    }

    private static Map<String, Object> workload(final LoadOptions o)
    {
        final Map<String, Object> w = new LinkedHashMap<>();
        w.put("target", o.target.toString());
        if (o.compareTarget != null)
        {
            w.put("compareTarget", o.compareTarget.toString());
            w.put("rounds", o.rounds);
        }
        w.put("protocol", o.protocol.name().toLowerCase(Locale.ROOT));
        w.put("mode", o.openLoop() ? "open" : "closed");
        if (o.openLoop())
        {
            w.put("ratePerSecond", o.ratePerSecond);
        }
        w.put("connections", o.connections);
        w.put("pipeline", o.pipeline);
        if (o.requests > 0)
        {
            w.put("requests", o.requests);
        }
        else
        {
            w.put("durationSeconds", o.durationNs / 1e9);
        }
        w.put("warmupSeconds", o.warmupNs / 1e9);
        w.put("keySpace", o.keySpace);
        w.put("distribution", o.distribution.optionName());
        if (o.distribution.zipfian())
        {
            w.put("zipfTheta", o.zipfTheta);
        }
        if (o.distribution == DistributionKind.ZIPFIAN_MOVING)
        {
            w.put("hotSetShift", o.hotSetShift());
            w.put("hotSetPeriodSeconds", o.hotSetPeriodNs / 1e9);
        }
        if (o.distribution == DistributionKind.ZIPFIAN_SCAN)
        {
            w.put("scanLength", o.scanLength());
            w.put("scanPeriodSeconds", o.scanPeriodNs / 1e9);
        }
        w.put("cacheAside", o.cacheAside);
        w.put("keyPrefix", o.keyPrefix);
        w.put("keyLength", o.keyLength);
        w.put("valueSizeMin", o.valueSizeMin);
        w.put("valueSizeMax", o.valueSizeMax);
        w.put("valuePattern", o.randomValues ? "random" : "compressible");
        w.put("mix", new LinkedHashMap<>(o.mix));
        w.put("mgetKeys", o.mgetKeys);
        w.put("templates", new ArrayList<>(o.templates));
        w.put("preload", o.preload);
        w.put("db", o.db);
        w.put("seed", o.seed);
        return w;
    }

    private static Map<String, Object> run(final RunResult run)
    {
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("label", run.label());
        r.put("target", run.target());
        r.put("round", run.round());
        r.put("measuredSeconds", LatencyStats.round(run.measuredSeconds()));
        r.put("requests", run.latency().getTotalCount());
        r.put("throughputOpsPerSec", LatencyStats.round(run.throughput()));
        final Map<String, Object> errors = new LinkedHashMap<>();
        errors.put("total", run.errors());
        errors.put("byKind", new LinkedHashMap<>(run.errorsByKind()));
        r.put("errors", errors);
        r.put("connectionsLost", run.connectionsLost());
        r.put("failures", run.failures());
        r.put("warmupRequests", run.warmupRequests());
        r.put("preloadRequests", run.preloadRequests());
        final Map<String, Object> sent = new LinkedHashMap<>();
        for (int c = 0; c < run.commandNames().size(); c++)
        {
            sent.put(run.commandNames().get(c), run.sentByCommand()[c]);
        }
        r.put("sentByCommand", sent);
        final Map<String, Object> latency = new LinkedHashMap<>();
        latency.put(TargetSummary.ALL, LatencyStats.micros(run.latency()));
        for (int c = 0; c < run.commandNames().size(); c++)
        {
            latency.put(run.commandNames().get(c), LatencyStats.micros(run.latencyByCommand().get(c)));
        }
        r.put("latencyUs", latency);
        final HitCounts hits = run.hitCounts();
        if (hits != null)
        {
            final Map<String, Object> cache = new LinkedHashMap<>();
            cache.put("gets", hits.gets());
            cache.put("hits", hits.hits());
            cache.put("misses", hits.misses());
            cache.put("hitRatio", ratioOrNull(hits.ratio()));
            cache.put("hitRatioByInterval", ratios(hits.byInterval()));
            r.put("cacheAside", cache);
        }
        return r;
    }

    private static Map<String, Object> target(final TargetSummary target)
    {
        final Map<String, Object> t = new LinkedHashMap<>();
        t.put("label", target.label());
        t.put("target", target.target());
        t.put("rounds", target.rounds().size());
        t.put("throughputOpsPerSec", LatencyStats.round(target.medianThroughput()));
        final Map<String, Object> latency = new LinkedHashMap<>();
        final Map<String, Object> curves = new LinkedHashMap<>();
        for (final String row : target.rows())
        {
            final Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("count", target.merged(row).getTotalCount());
            final double[] medians = target.medianRow(row);
            for (int s = 0; s < medians.length; s++)
            {
                stats.put(LatencyStats.STAT_NAMES.get(s), LatencyStats.round(medians[s]));
            }
            latency.put(row, stats);
            curves.put(row, LatencyStats.curve(target.merged(row)));
        }
        t.put("latencyUs", latency);
        t.put("curve", curves);
        if (target.rounds().get(0).hitCounts() != null)
        {
            t.put("hitRatio", ratioOrNull(target.medianHitRatio()));
            final List<Object> byRound = new ArrayList<>();
            for (final RunResult round : target.rounds())
            {
                byRound.add(ratios(round.hitCounts().byInterval()));
            }
            t.put("hitRatioByInterval", byRound);
        }
        return t;
    }

    /** JSON has no NaN: a ratio of nothing is null. Six decimals: hit ratios are compared to a tenth of a point. */
    private static Object ratioOrNull(final double ratio)
    {
        return Double.isNaN(ratio) ? null : Math.round(ratio * 1e6) / 1e6;
    }

    private static List<Object> ratios(final double[] values)
    {
        final List<Object> list = new ArrayList<>(values.length);
        for (final double value : values)
        {
            list.add(ratioOrNull(value));
        }
        return list;
    }
}
