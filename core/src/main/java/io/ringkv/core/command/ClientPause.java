package io.ringkv.core.command;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * CLIENT PAUSE's state, as Redis 7.0's pauseClients/unpauseClients keep it: a type ({@link #WRITE} or {@link #ALL})
 * and an end time, both only ever raised by a new pause until the pause ends (its time passes, or CLIENT UNPAUSE).
 * <p>
 * The engine thread sets it (the CLIENT handlers) and reads it at each TICK (active expiry and eviction stop while
 * paused, as Redis's); connection threads read it before publishing a batch and wait in {@link #await} while their
 * batch must be held, so the engine never waits: it keeps serving the clients that are not held (reads during a
 * WRITE pause). Without a pause, the connection's cost is one volatile read per batch.
 */
public final class ClientPause
{
    /** No pause. */
    public static final int NONE = 0;
    /** Commands that write or may replicate wait. */
    public static final int WRITE = 1;
    /** Every command waits. */
    public static final int ALL = 2;

    private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicInteger held = new AtomicInteger();
    private volatile int type = NONE;
    private volatile long endMs;

    /**
     * Engine thread: CLIENT PAUSE. A pause in force keeps its stronger type and later end (Redis's pauseClients).
     *
     * @param untilMs end of the pause, epoch milliseconds.
     * @param pauseType {@link #WRITE} or {@link #ALL}.
     * @param nowMs     now, epoch milliseconds.
     */
    public void pause(final long untilMs, final int pauseType, final long nowMs)
    {
        if (type(nowMs) == NONE)
        {
            type = NONE;
            endMs = 0;
        }
        if (untilMs > endMs)
        {
            endMs = untilMs;
        }
        if (pauseType > type)
        {
            type = pauseType;
        }
    }

    /**
     * Engine thread: CLIENT UNPAUSE; the held connections go on at once.
     */
    public void unpause()
    {
        type = NONE;
        endMs = 0;
        for (final Thread waiter : waiters)
        {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Any thread.
     *
     * @param nowMs now, epoch milliseconds.
     * @return the pause in force at {@code nowMs}: {@link #NONE}, {@link #WRITE} or {@link #ALL}.
     */
    public int type(final long nowMs)
    {
        final int type = this.type;
        return type == NONE || nowMs >= endMs ? NONE : type;
    }

    /**
     * Engine thread (each TICK): whether a pause is in force at {@code nowMs}; a pause whose time has passed is ended
     * here, as Redis's checkClientPauseTimeoutAndReturnIfPaused does, so that {@link #mayBePaused()} goes back to
     * false and connections stop consulting it.
     *
     * @param nowMs now, epoch milliseconds.
     * @return true while paused.
     */
    public boolean inForce(final long nowMs)
    {
        if (type != NONE && nowMs >= endMs)
        {
            unpause();
        }
        return type != NONE;
    }

    /**
     * @return true while a pause may be in force (one volatile read: the connection's check without a pause).
     */
    public boolean mayBePaused()
    {
        return type != NONE;
    }

    /**
     * Connection thread: wait while {@code mustWait} says the caller's batch is held by the pause in force; returns
     * once it no longer is (the pause ended, timed out or was lifted). Parks; never spins.
     *
     * @param mustWait the caller's test: is the batch held under this pause type ({@link #WRITE} or {@link #ALL})?
     */
    public void await(final java.util.function.IntPredicate mustWait)
    {
        long nowMs = System.currentTimeMillis();
        int type = type(nowMs);
        if (type == NONE || !mustWait.test(type))
        {
            return; // not held: nothing registered, nothing counted
        }
        final Thread self = Thread.currentThread();
        waiters.add(self); // before the check below, so an unpause after it unparks this thread
        held.incrementAndGet();
        try
        {
            while (true)
            {
                nowMs = System.currentTimeMillis();
                type = type(nowMs);
                if (type == NONE || !mustWait.test(type))
                {
                    return;
                }
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(endMs - nowMs));
            }
        }
        finally
        {
            waiters.remove(self);
            held.decrementAndGet();
        }
    }

    /**
     * @return connections whose batch waits for the pause to end (counted in INFO's blocked_clients, as Redis counts
     * its postponed clients).
     */
    public int held()
    {
        return held.get();
    }
}
