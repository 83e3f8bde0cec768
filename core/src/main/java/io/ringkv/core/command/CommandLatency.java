package io.ringkv.core.command;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One command's latency histograms (LATENCY HISTOGRAM, INFO latencystats, the metrics endpoint): its execution time
 * on the engine thread, and its service time from the parsed request to the flushed reply, which the connection
 * threads measure. Both cover 1 ns to 1 hour with 2 significant digits (Redis's precision, so the buckets and
 * percentiles match Redis's) in fixed, preallocated arrays: recording never resizes and never allocates.
 * <pre>
 *   engine thread:      recordExecutionNs(ns)   plain Histogram, single writer
 *   connection threads: recordServiceNs(ns)     HdrHistogram Recorder: wait-free, many writers, no lock
 *   engine thread:      serviceHistogram()      swaps the Recorder's interval out and adds it to the running total
 * </pre>
 * Created by the engine thread on a command's first timed call (as Redis allocates its histogram on the first
 * call), so commands never called cost no memory; about 150 KB per command once used.
 * <p>
 * {@link #recordServiceNs(long)} may be called from any thread; every other method only from the engine thread.
 * {@link #serviceHistogram()} takes the Recorder's (uncontended, engine-only) reader monitor; the writers it waits
 * for never block inside their critical section, so it does not spin.
 */
public final class CommandLatency
{
    /** Smallest value told apart, in nanoseconds (Redis: LATENCY_HISTOGRAM_MIN_VALUE). */
    public static final long LOWEST_NS = 1;
    /** Largest value tracked, in nanoseconds; longer calls are counted as this (Redis clamps at 1 s). */
    public static final long HIGHEST_NS = 3_600_000_000_000L;
    /** Significant decimal digits kept (Redis: LATENCY_HISTOGRAM_PRECISION). */
    public static final int SIGNIFICANT_DIGITS = 2;

    private final Histogram execution = newHistogram();
    private final Histogram service = newHistogram();
    private final Recorder serviceRecorder = new Recorder(LOWEST_NS, HIGHEST_NS, SIGNIFICANT_DIGITS);
    private Histogram serviceInterval;

    /**
     * @return an empty histogram with the range and precision of this class.
     */
    public static Histogram newHistogram()
    {
        return new Histogram(LOWEST_NS, HIGHEST_NS, SIGNIFICANT_DIGITS);
    }

    /**
     * Engine thread: count one execution. Allocates nothing.
     *
     * @param elapsedNs time the command took on the engine thread.
     */
    public void recordExecutionNs(final long elapsedNs)
    {
        execution.recordValue(clamp(elapsedNs));
    }

    /**
     * Any thread: count one request's service time. Wait-free, allocates nothing.
     *
     * @param elapsedNs from the parsed request to the flushed reply.
     */
    public void recordServiceNs(final long elapsedNs)
    {
        serviceRecorder.recordValue(clamp(elapsedNs));
    }

    /**
     * Any thread: count {@code count} requests that had the same service time (a run of one pipeline's requests)
     * with one update. Wait-free, allocates nothing.
     *
     * @param elapsedNs from the parsed requests to the flushed replies.
     * @param count     number of requests.
     */
    public void recordServiceNs(final long elapsedNs, final long count)
    {
        serviceRecorder.recordValueWithCount(clamp(elapsedNs), count);
    }

    /**
     * @return execution times since start or the last {@link #reset()}. Engine thread; do not keep it.
     */
    public Histogram executionHistogram()
    {
        return execution;
    }

    /**
     * @return service times since start or the last {@link #reset()}, including what connections recorded until
     * now. Engine thread; do not keep it.
     */
    public Histogram serviceHistogram()
    {
        serviceInterval = serviceRecorder.getIntervalHistogram(serviceInterval);
        service.add(serviceInterval);
        return service;
    }

    /**
     * Engine thread: forget every sample (LATENCY RESET, CONFIG RESETSTAT). Samples that connections record while
     * this runs may survive it.
     */
    public void reset()
    {
        execution.reset();
        serviceRecorder.reset();
        service.reset();
    }

    private static long clamp(final long elapsedNs)
    {
        return elapsedNs < LOWEST_NS ? LOWEST_NS : Math.min(elapsedNs, HIGHEST_NS);
    }
}
