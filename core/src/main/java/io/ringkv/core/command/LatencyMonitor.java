package io.ringkv.core.command;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Redis's latency monitor (LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR): for each event class, the latency of the
 * latest {@link #SAMPLES} seconds in which the event took at least {@code latency-monitor-threshold} milliseconds
 * (the worst of each second), and the worst ever. Nothing is recorded while the threshold is 0 (Redis's default).
 * <p>
 * Event classes shared with Redis keep Redis's names: {@link #COMMAND}, {@link #FAST_COMMAND},
 * {@link #EXPIRE_CYCLE}, {@link #EVICTION_CYCLE}. ringkv's own: {@link #RING_FULL} (a connection waited that long
 * for room in the engine's ring) and {@link #SNAPSHOT_STEP} (one step of a full sync's snapshot held the engine).
 * <p>
 * Only the engine thread uses it, except {@link #ringFullNs(long)}, which connection threads call; the engine
 * thread moves what they report into the series at its next tick ({@link #drainRingFull(long)}).
 */
public final class LatencyMonitor
{
    /** Samples kept per event (Redis's LATENCY_TS_LEN). */
    public static final int SAMPLES = 160;
    /** A command without the FAST flag ran that long (Redis's "command"). */
    public static final String COMMAND = "command";
    /** A FAST command ran that long (Redis's "fast-command"). */
    public static final String FAST_COMMAND = "fast-command";
    /** The background expiry cycle ran that long (Redis's "expire-cycle"). */
    public static final String EXPIRE_CYCLE = "expire-cycle";
    /** Evicting to get under maxmemory ran that long (Redis's "eviction-cycle"). */
    public static final String EVICTION_CYCLE = "eviction-cycle";
    /** ringkv: a connection waited that long for room in the engine's ring. */
    public static final String RING_FULL = "ring-full";
    /** ringkv: one step of a full sync's snapshot held the engine thread that long. */
    public static final String SNAPSHOT_STEP = "snapshot-step";

    /** One event class's samples, a ring of {@link #SAMPLES}, and its worst ever. */
    public static final class Series
    {
        private final long[] unixSeconds = new long[SAMPLES];
        private final long[] latencyMs = new long[SAMPLES];
        private int next;
        private long maxMs;

        void add(final long nowSeconds, final long ms)
        {
            if (ms > maxMs)
            {
                maxMs = ms;
            }
            final int previous = (next + SAMPLES - 1) % SAMPLES;
            if (unixSeconds[previous] == nowSeconds)
            {
                latencyMs[previous] = Math.max(latencyMs[previous], ms);
                return;
            }
            unixSeconds[next] = nowSeconds;
            latencyMs[next] = ms;
            next = (next + 1) % SAMPLES;
        }

        /**
         * @return {unix seconds, ms} of every sample, oldest first.
         */
        public List<long[]> samples()
        {
            final List<long[]> samples = new ArrayList<>();
            for (int i = 0; i < SAMPLES; i++)
            {
                final int index = (next + i) % SAMPLES;
                if (unixSeconds[index] != 0)
                {
                    samples.add(new long[]{unixSeconds[index], latencyMs[index]});
                }
            }
            return samples;
        }

        /**
         * @return {unix seconds, ms} of the latest sample.
         */
        public long[] latest()
        {
            final int previous = (next + SAMPLES - 1) % SAMPLES;
            return new long[]{unixSeconds[previous], latencyMs[previous]};
        }

        /**
         * @return the worst latency ever recorded, in ms.
         */
        public long maxMs()
        {
            return maxMs;
        }
    }

    private final Map<String, Series> events = new LinkedHashMap<>();
    private final AtomicLong worstRingFullNs = new AtomicLong();
    private long thresholdMs;

    /**
     * @param thresholdMs record events that take at least this many milliseconds; 0: record nothing.
     */
    public void thresholdMs(final long thresholdMs)
    {
        this.thresholdMs = thresholdMs;
    }

    public long thresholdMs()
    {
        return thresholdMs;
    }

    /**
     * @return the threshold in nanoseconds, {@link Long#MAX_VALUE} while the monitor is off.
     */
    long thresholdNs()
    {
        return thresholdMs <= 0 || thresholdMs >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE :
            thresholdMs * 1_000_000;
    }

    /**
     * @return true when events are recorded.
     */
    public boolean enabled()
    {
        return thresholdMs > 0;
    }

    /**
     * Record an event if it took at least the threshold (Redis's latencyAddSampleIfNeeded).
     *
     * @param event      event class.
     * @param durationNs how long it took.
     * @param nowMs      wall-clock time.
     */
    public void addIfNeeded(final String event, final long durationNs, final long nowMs)
    {
        final long ms = durationNs / 1_000_000;
        if (thresholdMs > 0 && ms >= thresholdMs)
        {
            events.computeIfAbsent(event, name -> new Series()).add(nowMs / 1000, ms);
        }
    }

    /**
     * Any thread: a connection waited {@code waitedNs} for room in the ring; the engine records the worst of those
     * reported since its last tick as a {@link #RING_FULL} event.
     *
     * @param waitedNs how long it waited.
     */
    public void ringFullNs(final long waitedNs)
    {
        worstRingFullNs.accumulateAndGet(waitedNs, Math::max);
    }

    /**
     * Engine thread: record the worst ring-full wait reported since the last call.
     *
     * @param nowMs wall-clock time.
     */
    public void drainRingFull(final long nowMs)
    {
        if (worstRingFullNs.get() != 0)
        {
            addIfNeeded(RING_FULL, worstRingFullNs.getAndSet(0), nowMs);
        }
    }

    /**
     * @return the event classes with samples, in the order first recorded.
     */
    public Map<String, Series> events()
    {
        return events;
    }

    /**
     * @param event an event class, exact case (Redis looks HISTORY's and GRAPH's event up case-sensitively).
     * @return its series, or null.
     */
    public Series series(final String event)
    {
        return events.get(event);
    }

    /**
     * @param event an event class to forget, any case, or null for all.
     * @return how many series were forgotten.
     */
    public int reset(final String event)
    {
        int resets = 0;
        final Iterator<String> names = events.keySet().iterator();
        while (names.hasNext())
        {
            final String name = names.next();
            if (null == event || name.equalsIgnoreCase(event))
            {
                names.remove();
                resets++;
            }
        }
        return resets;
    }
}
