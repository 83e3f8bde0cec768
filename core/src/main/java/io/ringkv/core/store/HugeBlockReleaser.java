package io.ringkv.core.store;

import org.agrona.UnsafeApi;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Gives large freed blocks back to the system on a thread of its own (Redis's lazyfree), so that deleting or
 * evicting a 100 MB value does not stall the engine: freeing a touched 100 MiB block (munmap) took 8 to 30 ms on
 * the 2-core test machine, 106 ms the first time (docs/eviction.md). The block is already gone from the store's
 * structures and accounting when it is handed over; only its pages are returned later.
 * <p>
 * A single-producer, single-consumer ring of addresses: the engine thread offers, the releaser thread frees. The
 * thread starts at the first offer. When the ring is full the engine frees the block itself. Allocates nothing.
 */
final class HugeBlockReleaser implements AutoCloseable
{
    /** Blocks at least this long are freed on the releaser thread. */
    static final long MIN_LENGTH = 4L * 1024 * 1024;

    private static final int CAPACITY = 256;
    private static final int MASK = CAPACITY - 1;
    private static final long IDLE_PARK_NS = 10_000_000;

    private final long[] addresses = new long[CAPACITY];
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong freed = new AtomicLong();
    private volatile boolean closed;
    private Thread thread;

    /**
     * Hand a block over to be freed. Engine thread only.
     *
     * @param address a block from {@link UnsafeApi#allocateMemory(long)} nobody uses any more.
     * @return false when the ring is full or the releaser closed: the caller frees the block.
     */
    boolean offer(final long address)
    {
        final long t = tail.get();
        if (closed || t - head.get() == CAPACITY)
        {
            return false;
        }
        addresses[(int)t & MASK] = address;
        tail.lazySet(t + 1);
        if (thread == null)
        {
            thread = Thread.ofPlatform().daemon().name("ringkv-lazyfree").start(this::run);
        }
        LockSupport.unpark(thread);
        return true;
    }

    /**
     * @return blocks freed by the releaser thread so far.
     */
    long freedBlocks()
    {
        return freed.get();
    }

    /**
     * Free every block handed over and stop the thread.
     */
    public void close()
    {
        closed = true;
        final Thread releaser = thread;
        if (releaser != null)
        {
            LockSupport.unpark(releaser);
            try
            {
                releaser.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run()
    {
        while (true)
        {
            final long h = head.get();
            if (h == tail.get())
            {
                if (closed)
                {
                    return;
                }
                LockSupport.parkNanos(this, IDLE_PARK_NS);
                continue;
            }
            UnsafeApi.freeMemory(addresses[(int)h & MASK]);
            head.lazySet(h + 1);
            freed.lazySet(freed.get() + 1);
        }
    }
}
