package io.ringkv.core.engine;

import io.ringkv.core.changelog.ChangeLog;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.EventHandlerGroup;
import com.lmax.disruptor.dsl.ProducerType;
import io.ringkv.core.command.ClientTracking;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandDispatcher;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.KeyspaceEvents;
import io.ringkv.core.command.LatencyMonitor;
import io.ringkv.core.store.Keyspace;

import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The single writer: a multi-producer LMAX Disruptor ring whose one engine thread executes every command
 * against the {@link Keyspace}, in ring order, so that commands are atomic and the store needs no locks.
 * <pre>
 *  connection threads ──execute(batch)──▶ ring (one slot per request) ──▶ engine thread ──▶ Keyspace
 *  tick timer (100 ms) ──TICK──────────▶   │                                │ change records
 *                                          └──────── afterEngine consumers ◀┘ (replication), gated
 * </pre>
 * A connection publishes its whole pipelined batch with one claim and one publish (in chunks of
 * {@link EngineConfig#maxClaim()} when larger). After the batch's last request the engine either hands the batch to
 * the {@link BatchCompletion} it was published with (the network layer writes the replies from the engine thread,
 * so the connection need not be woken) or finishes it and wakes the connection waiting in
 * {@link RequestBatch#awaitCompletion()}.
 * Consumers passed as {@code afterEngine} see each slot only after the engine has executed it and read its
 * change records; they must not touch the slot's batch.
 * <p>
 * {@link #execute(RequestBatch)}, {@link #publish(RequestBatch)} and {@link #tick()} may be called from any
 * thread (connection virtual threads); {@link #start()} and {@link #close()} from the owning thread.
 */
public final class Engine implements AutoCloseable
{
    /** How long a publisher parks between claim attempts once the ring has stayed full for a while. */
    private static final long CLAIM_BACKOFF_NS = 20_000;
    /** {@link #claim(int, boolean)} without waiting found the ring full. */
    private static final long NO_ROOM = -1;

    /** The longest {@link #close()} waits for the consumers behind the engine to finish the published slots. */
    private static final int CLOSE_DRAIN_SECONDS = 30;

    private final Disruptor<CommandEvent> disruptor;
    private final RingBuffer<CommandEvent> ring;
    private final int maxClaim;
    private final long tickIntervalMs;
    private final AtomicBoolean tickPending = new AtomicBoolean();
    private final ChangeLog changeLog;
    private final EngineEventHandler engineHandler;
    private final CommandContext context;
    private final LatencyMonitor latencyMonitor;
    private volatile boolean running;
    private Thread tickThread;

    /**
     * @param config      ring size, wait strategy, tick period and budgets, clock.
     * @param keyspace    the data; from now on only the engine thread may touch it.
     * @param commands    the command table.
     * @param afterEngine consumers run behind the engine (replication), each on its own thread; may be empty.
     */
    public Engine(
        final EngineConfig config,
        final Keyspace keyspace,
        final CommandTable commands,
        final List<EventHandler<CommandEvent>> afterEngine)
    {
        this.maxClaim = config.maxClaim();
        this.tickIntervalMs = config.tickIntervalMs();
        this.changeLog = new ChangeLog(0);
        this.context = new CommandContext(keyspace, changeLog, commands, config.maxStringLength());
        context.latencyTracking(config.latencyTracking());
        context.slowlogSlowerThanUs(config.slowlogSlowerThanUs());
        context.slowLog().maxLength(config.slowlogMaxLength());
        context.latencyMonitorThresholdMs(config.latencyMonitorThresholdMs());
        this.latencyMonitor = context.latencyMonitor();
        final CommandDispatcher dispatcher = new CommandDispatcher(commands, context);
        final ClientTracking tracking = context.clientTracking();
        final KeyspaceEvents events = context.keyspaceEvents();
        events.mask(config.keyspaceEvents());
        keyspace.expiredKeyListener((db, key, keyOffset, keyLength) ->
        {
            changeLog.delete(db, key, keyOffset, keyLength, true);
            tracking.keyRemoved(key, keyOffset, keyLength);
            events.notify(KeyspaceEvents.EXPIRED, "expired", db, key, keyOffset, keyLength);
        });
        keyspace.evictedKeyListener((db, key, keyOffset, keyLength) ->
        {
            changeLog.evicted(db, key, keyOffset, keyLength);
            tracking.keyRemoved(key, keyOffset, keyLength);
            events.notify(KeyspaceEvents.EVICTED, "evicted", db, key, keyOffset, keyLength);
        });
        keyspace.createdKeyListener(
            (db, key, keyOffset, keyLength) -> events.notify(KeyspaceEvents.NEW, "new", db, key, keyOffset, keyLength));

        disruptor = new Disruptor<>(
            CommandEvent::new, config.ringSize(), threadFactory(config.threadKind()), ProducerType.MULTI, config.newWaitStrategy());
        disruptor.setDefaultExceptionHandler(new LoggingExceptionHandler());
        engineHandler = new EngineEventHandler(dispatcher, changeLog, keyspace, config, tickPending);
        final EventHandlerGroup<CommandEvent> engineGroup = disruptor.handleEventsWith(engineHandler);
        for (final EventHandler<CommandEvent> consumer : afterEngine)
        {
            engineGroup.then(consumer);
        }
        ring = disruptor.getRingBuffer();
        engineHandler.changeAreaReclaimer().consumedSequence(ring::getMinimumGatingSequence);
        engineHandler.changeAreaReclaimer().ring(ring);
    }

    /**
     * @return keyspace notifications: set the mask before {@link #start()} or on the engine thread, and the sink that
     * publishes the events (Pub/Sub).
     */
    public KeyspaceEvents keyspaceEvents()
    {
        return context.keyspaceEvents();
    }

    /**
     * @return CLIENT PAUSE's state, which connections consult before publishing (any thread).
     */
    public io.ringkv.core.command.ClientPause clientPause()
    {
        return context.clientPause();
    }

    /**
     * Start the engine thread, the consumers behind it and the tick timer.
     */
    public void start()
    {
        disruptor.start();
        running = true;
        if (tickIntervalMs > 0)
        {
            tickThread = Thread.ofPlatform().daemon().name("ringkv-tick").start(this::runTicks);
        }
    }

    /**
     * Publish every request of the batch to the ring and return without waiting; the caller then waits with
     * {@link RequestBatch#awaitCompletion()}. Allocates nothing. An empty batch completes at once.
     *
     * @param batch the connection's filled batch.
     * @throws IllegalStateException when the engine is not running (nothing would ever complete the batch).
     */
    public void publish(final RequestBatch batch)
    {
        publish(batch, null);
    }

    /**
     * Publish every request of the batch and return without waiting; once the engine has executed the batch's last
     * request it hands the batch to {@code onExecuted} on the engine thread (e.g. to write the replies to the
     * socket), which finishes it. Allocates nothing. An empty batch is handed over at once, on the caller's thread.
     *
     * @param batch      the connection's filled batch.
     * @param onExecuted what happens once the batch executed; null to finish the batch at once (then wait with
     *                   {@link RequestBatch#awaitCompletion()}).
     * @throws IllegalStateException when the engine is not running (nothing would ever complete the batch).
     */
    public void publish(final RequestBatch batch, final BatchCompletion onExecuted)
    {
        if (!running)
        {
            throw new IllegalStateException("engine is not running");
        }
        final int requestCount = batch.requestCount();
        batch.markPublished(onExecuted);
        if (requestCount == 0)
        {
            batch.complete();
            return;
        }
        final RingBuffer<CommandEvent> ring = this.ring;
        final int maxClaim = this.maxClaim;
        int requestIndex = 0;
        while (requestIndex < requestCount)
        {
            final int claim = Math.min(requestCount - requestIndex, maxClaim);
            final long hi = claim(claim, true);
            final long lo = hi - claim + 1;
            for (long sequence = lo; sequence <= hi; sequence++)
            {
                ring.get(sequence).request(batch, requestIndex, sequence == lo, requestIndex == requestCount - 1);
                requestIndex++;
            }
            ring.publish(lo, hi);
        }
    }

    /**
     * The ring's one claim idiom, used for every slot this class publishes (the caller fills the claimed slots and
     * publishes them at once): claim {@code n} slots only once the ring has room for them. Disruptor's
     * {@code next(n)} advances the cursor first and waits for room afterwards; consumers then see a cursor ahead of
     * anything published and spin on it, which on a virtual-thread engine starves the very threads that would
     * publish (a livelock when the ring is full). {@code tryNext} claims atomically with the capacity check, so the
     * cursor never runs ahead of a publisher, and a publisher that waits yields, then parks, instead of spinning.
     *
     * @param n           slots wanted, at most the ring size.
     * @param waitForRoom true to wait until there is room (requests); false to give up at once when the ring is
     *                    full (TICK and TASK slots, which only ask for work that a busy engine runs soon anyway).
     * @return the highest claimed sequence, or {@link #NO_ROOM} when not waiting and the ring is full.
     */
    private long claim(final int n, final boolean waitForRoom)
    {
        final RingBuffer<CommandEvent> ring = this.ring;
        int attempts = 0;
        long fullSinceNs = 0;
        while (true)
        {
            try
            {
                final long sequence = ring.tryNext(n);
                if (fullSinceNs != 0)
                {
                    latencyMonitor.ringFullNs(System.nanoTime() - fullSinceNs);
                }
                return sequence;
            }
            catch (final InsufficientCapacityException ex)
            {
                if (!waitForRoom)
                {
                    return NO_ROOM;
                }
                if (fullSinceNs == 0)
                {
                    fullSinceNs = System.nanoTime();
                }
                // The ring is full: let the engine and the consumers behind it drain it.
                if (++attempts < 16)
                {
                    Thread.yield();
                }
                else
                {
                    LockSupport.parkNanos(CLAIM_BACKOFF_NS);
                }
            }
        }
    }

    /**
     * Publish one TICK or TASK slot if the ring has room now.
     *
     * @param tick true for a TICK, false for a TASK.
     * @return true when published.
     */
    private boolean publishControl(final boolean tick)
    {
        final long sequence = claim(1, false);
        if (sequence == NO_ROOM)
        {
            return false;
        }
        final CommandEvent event = ring.get(sequence);
        if (tick)
        {
            event.tick();
        }
        else
        {
            event.task();
        }
        ring.publish(sequence);
        return true;
    }

    /**
     * Publish the batch and wait until the engine has executed every request of it and written their replies.
     *
     * @param batch the connection's filled batch.
     */
    public void execute(final RequestBatch batch)
    {
        publish(batch);
        batch.awaitCompletion();
    }

    /**
     * Connection thread: its connection has gone away (or been killed) while its batch is in flight. If a request of
     * the batch is blocked (BLPOP...), the engine forgets it and completes the batch without running the requests
     * after it; otherwise the slot does nothing. Waits for room in the ring like a request.
     *
     * @param batch the connection's batch, published and not complete.
     */
    public void releaseBlocked(final RequestBatch batch)
    {
        if (!running)
        {
            return;
        }
        final long sequence = claim(1, true);
        ring.get(sequence).release(batch);
        ring.publish(sequence);
    }

    /**
     * Any thread (a loader, between its batches): have the engine size database {@code db}'s table for {@code keys}
     * keys at once (an RDB file's RESIZEDB), so loading them never rehashes. In ring order with the caller's batches;
     * waits for room in the ring like a request.
     */
    public void reserve(final int db, final long keys)
    {
        if (!running)
        {
            return;
        }
        final long sequence = claim(1, true);
        ring.get(sequence).reserve(db, keys);
        ring.publish(sequence);
    }

    /**
     * Publish a TICK (active expiry and rehash steps on the engine thread) unless one is already waiting in the
     * ring. The timer calls this every tick interval; tests may call it directly.
     *
     * @return true when a TICK was published.
     */
    public boolean tick()
    {
        if (!tickPending.compareAndSet(false, true))
        {
            return false;
        }
        if (!publishControl(true))
        {
            tickPending.set(false); // a full ring means the engine is busy; the next tick will try again
            return false;
        }
        return true;
    }

    /**
     * Install the one background task the engine thread runs on each {@link #requestTask()} and on each TICK
     * (replication's snapshot steps). Any thread.
     *
     * @param task the task, or null for none.
     */
    public void backgroundTask(final EngineTask task)
    {
        engineHandler.task(task);
    }

    /**
     * Engine thread (a command, or before {@link #start()}): feed {@code journal} every slot's change records from
     * the next slot on, or stop with null (docs/persistence.md).
     *
     * @param journal the append-only file, or null.
     */
    public void journal(final ChangeJournal journal)
    {
        engineHandler.journal(journal);
    }

    /**
     * Any thread: publish a TASK slot, unless one is already waiting, so that the engine thread runs the background
     * task between the requests around it. Never waits: when the ring is full the engine is busy, the call returns
     * false and the caller asks again later (each TICK runs the task too).
     *
     * @return true when a TASK was published.
     */
    public boolean requestTask()
    {
        final AtomicBoolean pending = engineHandler.taskPending();
        if (!running || !pending.compareAndSet(false, true))
        {
            return false;
        }
        if (!publishControl(false))
        {
            pending.set(false);
            return false;
        }
        return true;
    }

    /**
     * Engine thread: the offset of the last change record made so far, the running slot's included.
     */
    public long lastRecordOffset()
    {
        return changeLog.lastOffset();
    }

    /**
     * Any thread: replication offset (number of change records) as of the last slot the engine finished.
     *
     * @return the offset; 0 before the first change.
     */
    public long replicationOffset()
    {
        return changeLog.publishedOffset();
    }

    /**
     * Tests, once the engine is quiet: bytes the ring's change areas hold.
     */
    long changeAreaBytes()
    {
        long bytes = 0;
        for (int i = 0; i < ring.getBufferSize(); i++)
        {
            bytes += ring.get(i).changesCapacity();
        }
        return bytes;
    }

    /**
     * @return slots in the ring.
     */
    public int ringSize()
    {
        return ring.getBufferSize();
    }

    /**
     * Stop the tick timer, let the engine and the consumers behind it finish every published slot, and stop
     * their threads.
     */
    @Override
    public void close()
    {
        if (!running)
        {
            return;
        }
        running = false;
        final Thread tickThread = this.tickThread;
        if (tickThread != null)
        {
            LockSupport.unpark(tickThread);
            try
            {
                tickThread.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        awaitConsumers();
        disruptor.shutdown();
    }

    /**
     * Disruptor's shutdown waits only for consumers whose thread is already running: one still starting (a loaded
     * machine, a virtual thread without a carrier yet) would be halted before it saw a slot, and a replica or the AOF
     * would miss the tail. Wait for every consumer at the end of the chain to reach the cursor first, bounded so that
     * a wedged consumer cannot hold a shutdown forever.
     */
    private void awaitConsumers()
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_DRAIN_SECONDS);
        while (ring.getMinimumGatingSequence() < ring.getCursor())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                System.getLogger(Engine.class.getName()).log(System.Logger.Level.WARNING,
                    "ring consumers did not drain within " + CLOSE_DRAIN_SECONDS + " s; closing anyway");
                return;
            }
            LockSupport.parkNanos(100_000);
        }
    }

    private void runTicks()
    {
        final long intervalNs = TimeUnit.MILLISECONDS.toNanos(tickIntervalMs);
        long deadlineNs = System.nanoTime() + intervalNs;
        while (running)
        {
            final long waitNs = deadlineNs - System.nanoTime();
            if (waitNs > 0)
            {
                if (engineHandler.lazyFreeBacklog())
                {
                    // Values deleted lazily are waiting: wake an idle engine every pace period to free a slice.
                    LockSupport.parkNanos(this, Math.min(waitNs, EngineEventHandler.LAZY_FREE_PACE_NS));
                    requestTask();
                }
                else
                {
                    LockSupport.parkNanos(this, waitNs);
                }
                continue;
            }
            tick();
            deadlineNs += intervalNs;
            if (deadlineNs < System.nanoTime())
            {
                deadlineNs = System.nanoTime() + intervalNs; // fell behind (e.g. a paused JVM): don't burst
            }
        }
    }

    private static ThreadFactory threadFactory(final String threadKind)
    {
        final AtomicInteger count = new AtomicInteger();
        final boolean virtual = "virtual".equals(threadKind);
        return runnable ->
        {
            final int n = count.getAndIncrement();
            final String name = n == 0 ? "ringkv-engine" : "ringkv-after-engine-" + n;
            return virtual ? Thread.ofVirtual().name(name).unstarted(runnable) :
                Thread.ofPlatform().name(name).daemon().unstarted(runnable);
        };
    }

    /**
     * Logs and carries on: a consumer's failure on one slot must not stop the ring.
     */
    private static final class LoggingExceptionHandler implements ExceptionHandler<CommandEvent>
    {
        private static final System.Logger LOGGER = System.getLogger(Engine.class.getName());

        @Override
        public void handleEventException(final Throwable ex, final long sequence, final CommandEvent event)
        {
            LOGGER.log(System.Logger.Level.ERROR, "ring consumer failed at sequence " + sequence, ex);
        }

        @Override
        public void handleOnStartException(final Throwable ex)
        {
            LOGGER.log(System.Logger.Level.ERROR, "ring consumer failed to start", ex);
        }

        @Override
        public void handleOnShutdownException(final Throwable ex)
        {
            LOGGER.log(System.Logger.Level.ERROR, "ring consumer failed to stop", ex);
        }
    }
}
