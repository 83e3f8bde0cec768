package io.ringkv.core.engine;

import io.ringkv.core.command.SlowLog;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.PhasedBackoffWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.util.concurrent.TimeUnit;

/**
 * Settings of the {@link Engine}, each with a system property ({@code *_PROP_NAME}) and a default
 * ({@code *_DEFAULT}). A plain mutable holder: fill it on one thread, then hand it to the engine.
 */
public final class EngineConfig
{
    /** Slots in the ring; a power of two. */
    public static final String RING_SIZE_PROP_NAME = "ringkv.engine.ring.size";
    public static final int RING_SIZE_DEFAULT = 4096;

    /**
     * How the engine thread waits for work: parking (spin, then park; publishers unpark), blocking, lite-blocking,
     * sleeping, yielding, busy-spin, phased-backoff (spin, then yield, then block).
     */
    public static final String WAIT_STRATEGY_PROP_NAME = "ringkv.engine.wait.strategy";
    public static final String WAIT_STRATEGY_DEFAULT = "phased-backoff";

    /**
     * What kind of thread runs the engine and the consumers behind it: "platform" (a dedicated OS thread) or
     * "virtual" (a virtual thread on the connections' carriers, so hand-offs need no cross-thread wake-up).
     */
    public static final String THREAD_KIND_PROP_NAME = "ringkv.engine.thread";
    public static final String THREAD_KIND_DEFAULT = "platform";

    /** phased-backoff: how long to spin before yielding. */
    public static final String SPIN_TIMEOUT_NS_PROP_NAME = "ringkv.engine.spin.timeout.ns";
    public static final long SPIN_TIMEOUT_NS_DEFAULT = TimeUnit.MICROSECONDS.toNanos(20);

    /** phased-backoff: how long to yield before blocking. */
    public static final String YIELD_TIMEOUT_NS_PROP_NAME = "ringkv.engine.yield.timeout.ns";
    public static final long YIELD_TIMEOUT_NS_DEFAULT = TimeUnit.MICROSECONDS.toNanos(100);

    /** Largest number of slots one claim takes; a larger batch is published in chunks of this size. */
    public static final String MAX_CLAIM_PROP_NAME = "ringkv.engine.max.claim";
    public static final int MAX_CLAIM_DEFAULT = RING_SIZE_DEFAULT / 4;

    /** Period of the TICK that runs active expiry and rehash steps (Redis's hz = 10). */
    public static final String TICK_INTERVAL_MS_PROP_NAME = "ringkv.engine.tick.interval.ms";
    public static final long TICK_INTERVAL_MS_DEFAULT = 100;

    /** Time budget of the active expire cycle per tick. */
    public static final String EXPIRE_BUDGET_NS_PROP_NAME = "ringkv.engine.expire.budget.ns";
    public static final long EXPIRE_BUDGET_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(1);

    /** Time budget of incremental rehashing per tick. */
    public static final String REHASH_BUDGET_NS_PROP_NAME = "ringkv.engine.rehash.budget.ns";
    public static final long REHASH_BUDGET_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(1);

    /** Largest string value in bytes (Redis's proto-max-bulk-len, 512 MB). */
    public static final String MAX_STRING_LENGTH_PROP_NAME = "ringkv.max.string.length";
    public static final long MAX_STRING_LENGTH_DEFAULT = 512L * 1024 * 1024;

    /** Record per-command latency histograms (Redis's latency-tracking). */
    public static final String LATENCY_TRACKING_PROP_NAME = "ringkv.latency.tracking";
    public static final boolean LATENCY_TRACKING_DEFAULT = true;

    private int ringSize = Integer.getInteger(RING_SIZE_PROP_NAME, RING_SIZE_DEFAULT);
    private String waitStrategy = System.getProperty(WAIT_STRATEGY_PROP_NAME, WAIT_STRATEGY_DEFAULT);
    private String threadKind = System.getProperty(THREAD_KIND_PROP_NAME, THREAD_KIND_DEFAULT);
    private long spinTimeoutNs = Long.getLong(SPIN_TIMEOUT_NS_PROP_NAME, SPIN_TIMEOUT_NS_DEFAULT);
    private long yieldTimeoutNs = Long.getLong(YIELD_TIMEOUT_NS_PROP_NAME, YIELD_TIMEOUT_NS_DEFAULT);
    private int maxClaim = Integer.getInteger(MAX_CLAIM_PROP_NAME, 0);
    private long tickIntervalMs = Long.getLong(TICK_INTERVAL_MS_PROP_NAME, TICK_INTERVAL_MS_DEFAULT);
    private long expireBudgetNs = Long.getLong(EXPIRE_BUDGET_NS_PROP_NAME, EXPIRE_BUDGET_NS_DEFAULT);
    private long rehashBudgetNs = Long.getLong(REHASH_BUDGET_NS_PROP_NAME, REHASH_BUDGET_NS_DEFAULT);
    private long maxStringLength = Long.getLong(MAX_STRING_LENGTH_PROP_NAME, MAX_STRING_LENGTH_DEFAULT);
    private boolean latencyTracking = Boolean.parseBoolean(
        System.getProperty(LATENCY_TRACKING_PROP_NAME, Boolean.toString(LATENCY_TRACKING_DEFAULT)));
    private EpochClock clock = SystemEpochClock.INSTANCE;

    public int ringSize()
    {
        return ringSize;
    }

    public EngineConfig ringSize(final int ringSize)
    {
        if (Integer.bitCount(ringSize) != 1 || ringSize < 2)
        {
            throw new IllegalArgumentException("ring size must be a power of two: " + ringSize);
        }
        this.ringSize = ringSize;
        return this;
    }

    public String waitStrategy()
    {
        return waitStrategy;
    }

    /**
     * @return "platform" or "virtual": the kind of thread that runs the engine and the consumers behind it.
     */
    public String threadKind()
    {
        return threadKind;
    }

    /**
     * @param threadKind "platform" or "virtual".
     * @return this for chaining.
     */
    public EngineConfig threadKind(final String threadKind)
    {
        if (!"platform".equals(threadKind) && !"virtual".equals(threadKind))
        {
            throw new IllegalArgumentException("unknown engine thread kind '" + threadKind + "': use platform or virtual");
        }
        this.threadKind = threadKind;
        return this;
    }

    /**
     * @param waitStrategy one of parking, blocking, lite-blocking, sleeping, yielding, busy-spin, phased-backoff.
     * @return this.
     */
    public EngineConfig waitStrategy(final String waitStrategy)
    {
        newWaitStrategy(waitStrategy, spinTimeoutNs, yieldTimeoutNs);
        this.waitStrategy = waitStrategy;
        return this;
    }

    public EngineConfig spinTimeoutNs(final long spinTimeoutNs)
    {
        this.spinTimeoutNs = spinTimeoutNs;
        return this;
    }

    public EngineConfig yieldTimeoutNs(final long yieldTimeoutNs)
    {
        this.yieldTimeoutNs = yieldTimeoutNs;
        return this;
    }

    /**
     * @return slots one claim takes at most: the configured value, or a quarter of the ring when unset.
     */
    public int maxClaim()
    {
        return maxClaim > 0 ? Math.min(maxClaim, ringSize) : Math.max(1, ringSize / 4);
    }

    public EngineConfig maxClaim(final int maxClaim)
    {
        this.maxClaim = maxClaim;
        return this;
    }

    public long tickIntervalMs()
    {
        return tickIntervalMs;
    }

    /**
     * @param tickIntervalMs period of the background TICK; 0 disables the timer (tests call
     *                       {@link Engine#tick()} themselves).
     * @return this.
     */
    public EngineConfig tickIntervalMs(final long tickIntervalMs)
    {
        this.tickIntervalMs = tickIntervalMs;
        return this;
    }

    public long expireBudgetNs()
    {
        return expireBudgetNs;
    }

    public EngineConfig expireBudgetNs(final long expireBudgetNs)
    {
        this.expireBudgetNs = expireBudgetNs;
        return this;
    }

    public long rehashBudgetNs()
    {
        return rehashBudgetNs;
    }

    public EngineConfig rehashBudgetNs(final long rehashBudgetNs)
    {
        this.rehashBudgetNs = rehashBudgetNs;
        return this;
    }

    public long maxStringLength()
    {
        return maxStringLength;
    }

    public EngineConfig maxStringLength(final long maxStringLength)
    {
        this.maxStringLength = maxStringLength;
        return this;
    }

    public boolean latencyTracking()
    {
        return latencyTracking;
    }

    public EngineConfig latencyTracking(final boolean latencyTracking)
    {
        this.latencyTracking = latencyTracking;
        return this;
    }

    private long slowlogSlowerThanUs = SlowLog.LOG_SLOWER_THAN_US_DEFAULT;
    private long slowlogMaxLength = SlowLog.MAX_LENGTH_DEFAULT;
    private long latencyMonitorThresholdMs;

    public long slowlogSlowerThanUs()
    {
        return slowlogSlowerThanUs;
    }

    /**
     * @param slowlogSlowerThanUs the slow log's threshold (slowlog-log-slower-than); negative: off.
     * @return this.
     */
    public EngineConfig slowlogSlowerThanUs(final long slowlogSlowerThanUs)
    {
        this.slowlogSlowerThanUs = slowlogSlowerThanUs;
        return this;
    }

    public long slowlogMaxLength()
    {
        return slowlogMaxLength;
    }

    /**
     * @param slowlogMaxLength entries the slow log keeps (slowlog-max-len).
     * @return this.
     */
    public EngineConfig slowlogMaxLength(final long slowlogMaxLength)
    {
        this.slowlogMaxLength = slowlogMaxLength;
        return this;
    }

    public long latencyMonitorThresholdMs()
    {
        return latencyMonitorThresholdMs;
    }

    /**
     * @param latencyMonitorThresholdMs the latency monitor's threshold (latency-monitor-threshold); 0: off.
     * @return this.
     */
    public EngineConfig latencyMonitorThresholdMs(final long latencyMonitorThresholdMs)
    {
        this.latencyMonitorThresholdMs = latencyMonitorThresholdMs;
        return this;
    }

    private int keyspaceEvents;

    public int keyspaceEvents()
    {
        return keyspaceEvents;
    }

    /**
     * @param keyspaceEvents the keyspace notifications enabled at start (notify-keyspace-events, parsed by
     *                       {@link io.ringkv.core.command.KeyspaceEvents#parse}); 0: none.
     * @return this.
     */
    public EngineConfig keyspaceEvents(final int keyspaceEvents)
    {
        this.keyspaceEvents = keyspaceEvents;
        return this;
    }

    public EpochClock clock()
    {
        return clock;
    }

    /**
     * @param clock wall clock in ms the engine caches per batch (tests pass a manual clock).
     * @return this.
     */
    public EngineConfig clock(final EpochClock clock)
    {
        this.clock = clock;
        return this;
    }

    /**
     * @return a new instance of the configured wait strategy.
     */
    public WaitStrategy newWaitStrategy()
    {
        return newWaitStrategy(waitStrategy, spinTimeoutNs, yieldTimeoutNs);
    }

    static WaitStrategy newWaitStrategy(final String name, final long spinTimeoutNs, final long yieldTimeoutNs)
    {
        return switch (name)
        {
            case "parking" -> new ParkingWaitStrategy();
            case "blocking" -> new BlockingWaitStrategy();
            case "lite-blocking" -> new LiteBlockingWaitStrategy();
            case "sleeping" -> new SleepingWaitStrategy();
            case "yielding" -> new YieldingWaitStrategy();
            case "busy-spin" -> new BusySpinWaitStrategy();
            case "phased-backoff" ->
                PhasedBackoffWaitStrategy.withLock(spinTimeoutNs, yieldTimeoutNs, TimeUnit.NANOSECONDS);
            default -> throw new IllegalArgumentException("unknown wait strategy '" + name +
                "': use parking, blocking, lite-blocking, sleeping, yielding, busy-spin or phased-backoff");
        };
    }
}
