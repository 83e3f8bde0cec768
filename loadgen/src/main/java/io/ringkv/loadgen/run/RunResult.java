package io.ringkv.loadgen.run;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/**
 * What one run against one target measured. Latencies are in nanoseconds. Immutable once built (the
 * histograms are not copied: readers must not modify them); any thread.
 *
 * @param label             the target's label ("main", "compare").
 * @param target            HOST:PORT.
 * @param round             round number from 1.
 * @param commandNames      report names of the mix's commands.
 * @param latencyByCommand  measured latency per command, in mix order.
 * @param latency           all measured latencies.
 * @param measuredSeconds   from the start of measurement to the last measured reply.
 * @param sentByCommand     requests sent per command including warm-up, in mix order.
 * @param warmupRequests    requests sent during warm-up.
 * @param preloadRequests   SETs sent by the preload.
 * @param errorsByKind      error replies and lost requests by kind.
 * @param connectionsLost   connections that ended before the run did.
 * @param failures          one line per lost connection.
 * @param hitCounts         cache-aside's hits and misses, or null for other workloads.
 */
public record RunResult(
    String label,
    String target,
    int round,
    List<String> commandNames,
    List<Histogram> latencyByCommand,
    Histogram latency,
    double measuredSeconds,
    long[] sentByCommand,
    long warmupRequests,
    long preloadRequests,
    Map<String, Long> errorsByKind,
    int connectionsLost,
    List<String> failures,
    HitCounts hitCounts)
{
    /**
     * @return measured replies per second.
     */
    public double throughput()
    {
        return measuredSeconds > 0 ? latency.getTotalCount() / measuredSeconds : 0;
    }

    /**
     * @return all errors.
     */
    public long errors()
    {
        return errorsByKind.values().stream().mapToLong(Long::longValue).sum();
    }
}
