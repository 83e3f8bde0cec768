package io.ringkv.core.engine;

import io.ringkv.core.changelog.ChangeLog;
import com.lmax.disruptor.EventHandler;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandDispatcher;
import io.ringkv.core.command.LatencyMonitor;
import io.ringkv.core.command.MonitorFeed;
import io.ringkv.core.command.Reply;
import io.ringkv.core.store.Keyspace;
import org.agrona.concurrent.EpochClock;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The engine's consumer on the ring: executes each request slot through the {@link CommandDispatcher}, runs
 * background work on TICK slots, points the {@link ChangeLog} at each slot first, and completes a batch after
 * its last request. Only the engine thread runs this.
 */
final class EngineEventHandler implements EventHandler<CommandEvent>
{
    private static final System.Logger LOGGER = System.getLogger(EngineEventHandler.class.getName());
    /** One slice of lazy freeing when the engine is idle: about what a request may wait behind it. */
    private static final long IDLE_LAZY_FREE_BUDGET_NS = 200_000;

    private final CommandDispatcher dispatcher;
    private final ChangeLog changeLog;
    private final Keyspace keyspace;
    private final EpochClock clock;
    private final AtomicBoolean tickPending;
    private final long expireBudgetNs;
    private final long rehashBudgetNs;
    private final CommandArgs args = new CommandArgs();
    private final LatencyMonitor latencyMonitor;
    private final MonitorFeed monitors;
    private final AtomicBoolean taskPending = new AtomicBoolean();
    private final ChangeAreaReclaimer changeAreaReclaimer = new ChangeAreaReclaimer();
    private volatile EngineTask task;
    private Runnable requestTask = () -> {};
    private long nowMs;

    EngineEventHandler(
        final CommandDispatcher dispatcher,
        final ChangeLog changeLog,
        final Keyspace keyspace,
        final EngineConfig config,
        final AtomicBoolean tickPending)
    {
        this.dispatcher = dispatcher;
        this.changeLog = changeLog;
        this.keyspace = keyspace;
        this.clock = config.clock();
        this.expireBudgetNs = config.expireBudgetNs();
        this.rehashBudgetNs = config.rehashBudgetNs();
        this.tickPending = tickPending;
        this.latencyMonitor = dispatcher.context().latencyMonitor();
        this.monitors = dispatcher.context().monitors();
    }

    @Override
    public void onEvent(final CommandEvent event, final long sequence, final boolean endOfBatch)
    {
        changeAreaReclaimer.reclaim();
        changeLog.begin(event.changeArea());
        if (event.type == CommandEvent.TYPE_REQUEST)
        {
            executeRequest(event);
        }
        else if (event.type == CommandEvent.TYPE_TICK)
        {
            executeTick();
            runTask();
        }
        else if (event.type == CommandEvent.TYPE_TASK)
        {
            taskPending.set(false);
            nowMs = clock.time();
            runTask();
        }
        changeLog.end();
        changeAreaReclaimer.executed(event, sequence);
        if (endOfBatch)
        {
            monitors.flush(); // MONITOR lines: one push per wake-up
            if (keyspace.lazyFreePending())
            {
                freeLazily();
            }
        }
    }

    /**
     * The engine has caught up with the ring and values deleted lazily still hold elements: free a slice now and,
     * while some remain, ask for a TASK slot to come back, so that a big UNLINKed value is freed as fast as the
     * engine's spare time allows (Redis's lazyfree thread) instead of one slice per tick, while requests still
     * interleave between slices.
     */
    private void freeLazily()
    {
        if (keyspace.lazyFreeStep(IDLE_LAZY_FREE_BUDGET_NS))
        {
            requestTask.run();
        }
    }

    /**
     * @param requestTask publishes a TASK slot (the engine's {@code requestTask}); called on the engine thread.
     */
    void requestTask(final Runnable requestTask)
    {
        this.requestTask = requestTask;
    }

    ChangeAreaReclaimer changeAreaReclaimer()
    {
        return changeAreaReclaimer;
    }

    private void executeRequest(final CommandEvent event)
    {
        final RequestBatch batch = event.batch;
        final int requestIndex = event.requestIndex;
        final boolean lastOfBatch = event.lastOfBatch;
        if (event.firstOfChunk)
        {
            nowMs = clock.time();
        }
        // The connection owns its batch again once it is complete: drop the reference before that.
        event.batch = null;
        final Reply reply = batch.reply();
        try
        {
            reply.startRequest(requestIndex);
            batch.timedCommand(
                requestIndex, dispatcher.dispatch(args.wrap(batch, requestIndex), batch.session(), nowMs, reply));
            reply.endRequest(requestIndex);
        }
        catch (final RuntimeException ex)
        {
            // A failing Reply (e.g. a closed connection's encoder) must not stop the engine or strand the waiter.
            LOGGER.log(System.Logger.Level.ERROR, "request failed outside its handler", ex);
        }
        finally
        {
            if (lastOfBatch)
            {
                batch.complete();
            }
        }
    }

    void task(final EngineTask task)
    {
        this.task = task;
    }

    AtomicBoolean taskPending()
    {
        return taskPending;
    }

    private void runTask()
    {
        final EngineTask task = this.task;
        if (task != null)
        {
            try
            {
                final long startNs = System.nanoTime();
                task.doWork(nowMs);
                latencyMonitor.addIfNeeded(LatencyMonitor.SNAPSHOT_STEP, System.nanoTime() - startNs, nowMs);
            }
            catch (final RuntimeException ex)
            {
                LOGGER.log(System.Logger.Level.ERROR, "background task failed", ex);
            }
        }
    }

    private void executeTick()
    {
        nowMs = clock.time();
        try
        {
            final LatencyMonitor latencyMonitor = this.latencyMonitor;
            final long expireStartNs = System.nanoTime();
            keyspace.activeExpireCycle(nowMs, expireBudgetNs);
            final long evictionStartNs = System.nanoTime();
            latencyMonitor.addIfNeeded(LatencyMonitor.EXPIRE_CYCLE, evictionStartNs - expireStartNs, nowMs);
            // Finish evictions a command's time limit cut short (Redis's evictionTimeProc).
            keyspace.makeRoom(nowMs);
            latencyMonitor.addIfNeeded(LatencyMonitor.EVICTION_CYCLE, System.nanoTime() - evictionStartNs, nowMs);
            latencyMonitor.drainRingFull(nowMs);
            keyspace.rehashStep(rehashBudgetNs);
            keyspace.lazyFreeStep(rehashBudgetNs);
            keyspace.sampleUsedMemoryPeak();
        }
        finally
        {
            tickPending.set(false);
        }
    }
}
