package io.ringkv.core.engine;

import com.lmax.disruptor.EventHandler;
import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.command.BlockedClient;
import io.ringkv.core.command.BlockedClients;
import io.ringkv.core.command.ClientTracking;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandDispatcher;
import io.ringkv.core.command.LatencyMonitor;
import io.ringkv.core.command.MonitorFeed;
import io.ringkv.core.command.Reply;
import io.ringkv.core.command.WatchedKeys;
import io.ringkv.core.store.Keyspace;
import org.agrona.concurrent.EpochClock;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The engine's consumer on the ring: executes each request slot through the {@link CommandDispatcher}, runs
 * background work on TICK slots, points the {@link ChangeLog} at each slot first, and completes a batch after
 * its last request. A request that blocks (BLPOP on missing keys) suspends its batch: the batch's later slots are
 * passed over, and once {@link BlockedClients} has answered the request the batch's remaining requests run and it
 * completes (docs/architecture.md, "Blocking commands"). Only the engine thread runs this.
 */
final class EngineEventHandler implements EventHandler<CommandEvent>
{
    private static final System.Logger LOGGER = System.getLogger(EngineEventHandler.class.getName());
    /** One slice of lazy freeing when the engine is idle: about what a request may wait behind it. */
    private static final long LAZY_FREE_SLICE_NS = 500_000;
    /** Least time from the start of one lazy free slice to the start of the next: at most half the engine's time. */
    static final long LAZY_FREE_PACE_NS = 1_000_000;

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
    private final CommandContext context;
    private final BlockedClients blockedClients;
    private boolean continuing;
    private final WatchedKeys watchedKeys;
    private final ClientTracking tracking;
    private final AtomicBoolean taskPending = new AtomicBoolean();
    private final ChangeAreaReclaimer changeAreaReclaimer = new ChangeAreaReclaimer();
    private volatile EngineTask task;
    private volatile boolean lazyFreeBacklog;
    private long lastLazyFreeNs;
    private long nowMs;
    /**
     * The append-only file, or null: the only field the path without one reads (volatile, a plain load on x86, so
     * that the start-up thread may install it after loading the file, before any client connects).
     */
    private volatile ChangeJournal journal;
    /** Batches completed in this run of slots, answered after the journal's flush (while the AOF is on). */
    private RequestBatch[] held = new RequestBatch[64];
    private int heldCount;

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
        this.context = dispatcher.context();
        this.latencyMonitor = context.latencyMonitor();
        this.monitors = context.monitors();
        this.blockedClients = context.blockedClients();
        this.watchedKeys = context.watchedKeys();
        this.tracking = context.clientTracking();
    }

    @Override
    public void onEvent(final CommandEvent event, final long sequence, final boolean endOfBatch)
    {
        changeAreaReclaimer.reclaim();
        changeLog.begin(event.changeArea());
        if (event.type == CommandEvent.TYPE_REQUEST)
        {
            final boolean loader = event.batch.session().loader();
            executeRequest(event);
            if (loader)
            {
                changeLog.discard();
            }
        }
        else if (event.type == CommandEvent.TYPE_RESERVE)
        {
            keyspace.reserve(event.reserveDb, event.reserveKeys);
        }
        else if (event.type == CommandEvent.TYPE_TICK)
        {
            executeTick();
            changeAreaReclaimer.sweepIfQuiet(sequence);
            blockedClients.expire(nowMs);
            continueUnblocked();
            runTask();
        }
        else if (event.type == CommandEvent.TYPE_RELEASE)
        {
            final RequestBatch batch = event.batch;
            event.batch = null;
            nowMs = clock.time();
            blockedClients.release(batch.session().id());
            continueUnblocked();
        }
        else if (event.type == CommandEvent.TYPE_TASK)
        {
            taskPending.set(false);
            nowMs = clock.time();
            runTask();
        }
        if (watchedKeys.watching())
        {
            // WATCH: what this slot changed (commands, expiry, eviction) fails its watchers' EXEC.
            watchedKeys.touchChanges(event.changes(), event.changesLength());
        }
        changeLog.end();
        changeAreaReclaimer.executed(event, sequence);
        final ChangeJournal journal = this.journal;
        if (journal != null)
        {
            journal.append(event);
            if (endOfBatch && journal.flush())
            {
                releaseHeld();
            }
        }
        if (endOfBatch)
        {
            monitors.flush(); // MONITOR lines: one push per wake-up
            tracking.flush(); // tracking invalidations: likewise, after the replies of the run's batches
            if (keyspace.lazyFreePending())
            {
                freeLazily();
            }
        }
    }

    /**
     * The engine has caught up with the ring and values deleted lazily still hold elements: free a slice, at most one
     * per {@link #LAZY_FREE_PACE_NS}, so that a big UNLINKed value is freed in the engine's spare time (Redis's
     * lazyfree thread) at most half the engine's time, never starving requests. While some remain the tick timer
     * asks for a TASK slot every pace period ({@link #lazyFreeBacklog()}), so an idle engine keeps freeing; it does
     * not ask itself: the server's engine is a virtual thread on the connections' one carrier, and slice after slice
     * without parking kept the connections off that carrier (a PING sent after a 2M-field UNLINK waited 0.7 s).
     */
    private void freeLazily()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - lastLazyFreeNs >= LAZY_FREE_PACE_NS)
        {
            lastLazyFreeNs = nowNs;
            lazyFreeBacklog = keyspace.lazyFreeStep(LAZY_FREE_SLICE_NS);
        }
        else if (!lazyFreeBacklog)
        {
            lazyFreeBacklog = true; // the timer paces the slices from now on
        }
    }

    /**
     * @return true while values deleted lazily still have elements to free; read by the tick timer.
     */
    boolean lazyFreeBacklog()
    {
        return lazyFreeBacklog;
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
        if (batch.deferred(requestIndex, lastOfBatch))
        {
            return; // behind a blocked request of its batch
        }
        runBatch(batch, requestIndex);
        continueUnblocked();
    }

    /**
     * Run the batch's requests whose slots have come, from {@code from} on, and complete the batch after its last
     * one, unless one of them blocks.
     */
    private void runBatch(final RequestBatch batch, final int from)
    {
        for (int i = from, upTo = batch.arrivedUpTo(); i <= upTo; i++)
        {
            if (runRequest(batch, i))
            {
                return;
            }
        }
        if (batch.lastArrived())
        {
            complete(batch);
        }
    }

    /**
     * Hand an executed batch over, or, while the AOF is on, hold it until the journal's flush at the end of this run
     * of slots has written its changes (and fsynced them with appendfsync always): a preallocated array, nothing
     * allocated per batch.
     */
    private void complete(final RequestBatch batch)
    {
        if (journal == null)
        {
            batch.complete();
            return;
        }
        if (heldCount == held.length)
        {
            held = java.util.Arrays.copyOf(held, held.length * 2);
        }
        held[heldCount++] = batch;
    }

    private void releaseHeld()
    {
        final RequestBatch[] held = this.held;
        for (int i = 0, n = heldCount; i < n; i++)
        {
            final RequestBatch batch = held[i];
            held[i] = null;
            batch.complete();
        }
        heldCount = 0;
    }

    /**
     * Engine thread: feed {@code journal} from the next slot on (null: stop); batches held for the previous one are
     * answered first, since it flushed what they changed when it was last asked to.
     */
    void journal(final ChangeJournal journal)
    {
        final ChangeJournal previous = this.journal;
        if (previous != null)
        {
            previous.flush();
        }
        releaseHeld();
        this.journal = journal;
    }

    /**
     * @return true when the request blocked: its reply is left open and its batch suspended.
     */
    private boolean runRequest(final RequestBatch batch, final int requestIndex)
    {
        final Reply reply = batch.reply();
        try
        {
            reply.startRequest(requestIndex);
            batch.timedCommand(
                requestIndex, dispatcher.dispatch(args.wrap(batch, requestIndex), batch.session(), nowMs, reply));
            if (blockedClients.suspendPending(batch, batch, requestIndex, reply))
            {
                batch.suspend(requestIndex);
                return true;
            }
            reply.endRequest(requestIndex);
        }
        catch (final RuntimeException ex)
        {
            // A failing Reply (e.g. a closed connection's encoder) must not stop the engine or strand the waiter.
            LOGGER.log(System.Logger.Level.ERROR, "request failed outside its handler", ex);
        }
        return false;
    }

    /**
     * After a command (or a TICK, or a release): serve the clients blocked on keys made ready, then go on with the
     * batch of each client answered, until none is left; the batches continued here may make more keys ready or
     * answer more clients, which the same loop takes up, so it is never re-entered. Inside EXEC or a script
     * ({@link CommandContext#mayNotBlock()}) ready keys wait for the unit to end.
     */
    private void continueUnblocked()
    {
        if (continuing || !blockedClients.hasWork())
        {
            return;
        }
        continuing = true;
        try
        {
            while (true)
            {
                if (!context.mayNotBlock())
                {
                    blockedClients.serveReadyKeys(nowMs);
                }
                final BlockedClient client = blockedClients.pollUnblocked();
                if (null == client)
                {
                    break;
                }
                final RequestBatch batch = (RequestBatch)client.owner();
                final int requestIndex = client.requestIndex();
                try
                {
                    batch.reply().endRequest(requestIndex);
                }
                catch (final RuntimeException ex)
                {
                    LOGGER.log(System.Logger.Level.ERROR, "blocked request's reply failed", ex);
                }
                batch.unblocked(client.released());
                if (client.released())
                {
                    if (batch.lastArrived())
                    {
                        complete(batch);
                    }
                }
                else
                {
                    runBatch(batch, requestIndex + 1);
                }
            }
        }
        finally
        {
            continuing = false;
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
            // CLIENT PAUSE stops active expiry and eviction too, as Redis's: a paused dataset does not change.
            if (!context.clientPause().inForce(nowMs))
            {
                final long expireStartNs = System.nanoTime();
                keyspace.activeExpireCycle(nowMs, expireBudgetNs);
                final long evictionStartNs = System.nanoTime();
                latencyMonitor.addIfNeeded(LatencyMonitor.EXPIRE_CYCLE, evictionStartNs - expireStartNs, nowMs);
                // Finish evictions a command's time limit cut short (Redis's evictionTimeProc).
                keyspace.makeRoom(nowMs);
                latencyMonitor.addIfNeeded(LatencyMonitor.EVICTION_CYCLE, System.nanoTime() - evictionStartNs, nowMs);
            }
            context.pubSub().sweepClosed(); // subscriptions of connections that closed
            latencyMonitor.drainRingFull(nowMs);
            keyspace.rehashStep(rehashBudgetNs);
            lazyFreeBacklog = keyspace.lazyFreeStep(rehashBudgetNs);
            keyspace.sampleUsedMemoryPeak();
        }
        finally
        {
            tickPending.set(false);
        }
    }
}
