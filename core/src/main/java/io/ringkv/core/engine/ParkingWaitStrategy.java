package io.ringkv.core.engine;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for the ring's cursor by spinning briefly, then parking, and is woken by publishers with
 * {@link LockSupport#unpark(Thread)}: no lock, no condition variable, and no unpark at all while the consumers are
 * busy. Publishers pay one volatile read per publish when nobody sleeps.
 * <p>
 * Made for an engine that runs as a virtual thread on the same carrier as the connections: then a publish wakes
 * the engine with a queue push on that carrier instead of a futex wake-up across threads (docs/benchmarks.md).
 * It serves platform threads too.
 * <p>
 * Several consumers may share it (the engine and the consumers gated behind it). A consumer waiting for another
 * consumer's sequence rather than the cursor is never signalled by anyone (Disruptor has no hook after a consumer
 * advances), so it spins briefly and then parks for a short, growing time ({@value #MIN_DEPENDENT_PARK_NS} ns up to
 * {@value #MAX_DEPENDENT_PARK_NS} ns): it never spins on a carrier that the thread it waits for may need.
 * <p>
 * Threadsafe. Lost wake-ups are impossible: a waiter announces itself, then re-reads the cursor before parking; a
 * publisher advances the cursor, then reads the announcements (both through volatile accesses).
 */
public final class ParkingWaitStrategy implements WaitStrategy
{
    /** Most threads that may wait at once: the engine plus the consumers behind it. */
    public static final int MAX_WAITERS = 64;

    /** Shortest park of a consumer waiting for the consumer ahead of it. */
    public static final long MIN_DEPENDENT_PARK_NS = 10_000;
    /** Longest park of a consumer waiting for the consumer ahead of it: bounds the extra lag it can see. */
    public static final long MAX_DEPENDENT_PARK_NS = 1_000_000;

    private static final int SPINS_BEFORE_PARK = 100;

    private final AtomicReferenceArray<Thread> sleepers = new AtomicReferenceArray<>(MAX_WAITERS);
    private final AtomicInteger sleeperCount = new AtomicInteger();

    @Override
    public long waitFor(
        final long sequence, final Sequence cursor, final Sequence dependentSequence, final SequenceBarrier barrier)
        throws AlertException
    {
        if (cursor.get() < sequence)
        {
            int spins = SPINS_BEFORE_PARK;
            while (cursor.get() < sequence)
            {
                barrier.checkAlert();
                if (spins > 0)
                {
                    spins--;
                    Thread.onSpinWait();
                    continue;
                }
                final int slot = announce(Thread.currentThread());
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
                    withdraw(slot);
                }
            }
        }

        long available;
        int spins = SPINS_BEFORE_PARK;
        long parkNs = MIN_DEPENDENT_PARK_NS;
        while ((available = dependentSequence.get()) < sequence)
        {
            barrier.checkAlert();
            if (spins > 0)
            {
                spins--;
                Thread.onSpinWait();
                continue;
            }
            LockSupport.parkNanos(this, parkNs);
            parkNs = Math.min(parkNs * 2, MAX_DEPENDENT_PARK_NS);
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking()
    {
        if (sleeperCount.get() == 0)
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

    private int announce(final Thread thread)
    {
        for (int i = 0; i < MAX_WAITERS; i++)
        {
            if (sleepers.compareAndSet(i, null, thread))
            {
                sleeperCount.incrementAndGet();
                return i;
            }
        }
        throw new IllegalStateException("more than " + MAX_WAITERS + " threads wait on one ring");
    }

    private void withdraw(final int slot)
    {
        sleepers.set(slot, null);
        sleeperCount.decrementAndGet();
    }
}
