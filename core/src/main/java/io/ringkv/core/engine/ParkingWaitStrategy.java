package io.ringkv.core.engine;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for the ring's cursor by parking (after a brief spin on a platform thread only), and is woken by publishers with
 * {@link LockSupport#unpark(Thread)}: no lock, no condition variable, and no unpark at all while the consumers are
 * busy. Publishers pay one volatile read per publish when nobody sleeps.
 * <p>
 * Made for an engine that runs as a virtual thread on the same carrier as the connections: then a publish wakes
 * the engine with a queue push on that carrier instead of a futex wake-up across threads (docs/benchmarks.md).
 * A virtual thread never spins here: while it spins, the publishers it waits for cannot run on its carrier.
 * It serves platform threads too, which spin {@value #SPINS_BEFORE_PARK} times first.
 * <p>
 * Several consumers may share it (the engine and the consumers gated behind it). A consumer waiting for another
 * consumer's sequence rather than the cursor (the replication log encoder behind the engine) announces itself and
 * parks; Disruptor has no hook after a consumer advances, but every consumer calls {@link #waitFor} right after
 * publishing its sequence for the batch it finished, so that call wakes the announced dependents. They park for
 * at most {@value #MAX_DEPENDENT_PARK_NS} ns, a bound should a wake-up be missed. Before, a dependent consumer
 * polled with a growing park (10 µs up to 1 ms): on the engine's carrier a timed park of a virtual thread wakes
 * late, and that was most of a replica's lag at light load (docs/benchmarks.md).
 * <p>
 * Threadsafe. Lost wake-ups are impossible: a waiter announces itself, then re-reads the cursor before parking; a
 * publisher advances the cursor, then reads the announcements (both through volatile accesses).
 */
public final class ParkingWaitStrategy implements WaitStrategy
{
    /** Most threads that may wait at once: the engine plus the consumers behind it. */
    public static final int MAX_WAITERS = 64;

    /** Longest park of a consumer waiting for the consumer ahead of it, should its wake-up be missed. */
    public static final long MAX_DEPENDENT_PARK_NS = 1_000_000;

    /** Spins of a platform thread before it parks. */
    public static final int SPINS_BEFORE_PARK = 100;

    private final AtomicReferenceArray<Thread> sleepers = new AtomicReferenceArray<>(MAX_WAITERS);
    private final AtomicInteger sleeperCount = new AtomicInteger();
    private final AtomicReferenceArray<Thread> dependentSleepers = new AtomicReferenceArray<>(MAX_WAITERS);
    private final AtomicInteger dependentSleeperCount = new AtomicInteger();

    @Override
    public long waitFor(
        final long sequence, final Sequence cursor, final Sequence dependentSequence, final SequenceBarrier barrier)
        throws AlertException
    {
        // The caller is a consumer that has just published its sequence for the batch it finished: wake the
        // consumers waiting for it.
        wake(dependentSleepers, dependentSleeperCount);
        // A virtual thread never spins: the publishers it waits for may need this very carrier.
        final int spinLimit = Thread.currentThread().isVirtual() ? 0 : SPINS_BEFORE_PARK;
        if (cursor.get() < sequence)
        {
            int spins = spinLimit;
            while (cursor.get() < sequence)
            {
                barrier.checkAlert();
                if (spins > 0)
                {
                    spins--;
                    Thread.onSpinWait();
                    continue;
                }
                final int slot = announce(sleepers, sleeperCount);
                try
                {
                    if (cursor.get() < sequence)
                    {
                        barrier.checkAlert();
                        LockSupport.park(this);
                    }
                }
                finally
                {
                    withdraw(sleepers, sleeperCount, slot);
                }
            }
        }

        long available;
        int spins = spinLimit;
        while ((available = dependentSequence.get()) < sequence)
        {
            barrier.checkAlert();
            if (spins > 0)
            {
                spins--;
                Thread.onSpinWait();
                continue;
            }
            final int slot = announce(dependentSleepers, dependentSleeperCount);
            try
            {
                if (dependentSequence.get() < sequence)
                {
                    LockSupport.parkNanos(this, MAX_DEPENDENT_PARK_NS);
                }
            }
            finally
            {
                withdraw(dependentSleepers, dependentSleeperCount, slot);
            }
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking()
    {
        wake(sleepers, sleeperCount);
    }

    private static void wake(final AtomicReferenceArray<Thread> sleepers, final AtomicInteger count)
    {
        // A sequence is published with a release store; the full fence keeps the read of the announcements after
        // it (a waiter announces, then re-reads the sequence: one of the two sees the other).
        VarHandle.fullFence();
        if (count.get() == 0)
        {
            return;
        }
        for (int i = 0; i < MAX_WAITERS; i++)
        {
            final Thread sleeper = sleepers.get(i);
            if (null != sleeper)
            {
                LockSupport.unpark(sleeper);
            }
        }
    }

    private static int announce(final AtomicReferenceArray<Thread> sleepers, final AtomicInteger count)
    {
        final Thread thread = Thread.currentThread();
        for (int i = 0; i < MAX_WAITERS; i++)
        {
            if (sleepers.compareAndSet(i, null, thread))
            {
                count.incrementAndGet();
                return i;
            }
        }
        throw new IllegalStateException("more than " + MAX_WAITERS + " threads wait on one ring");
    }

    private static void withdraw(final AtomicReferenceArray<Thread> sleepers, final AtomicInteger count,
        final int slot)
    {
        sleepers.set(slot, null);
        count.decrementAndGet();
    }
}
