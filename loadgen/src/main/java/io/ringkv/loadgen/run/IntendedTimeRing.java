package io.ringkv.loadgen.run;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Single-producer single-consumer ring of open-loop request entries (intended send time and command index,
 * packed in a long) from a connection's sending thread to its receiving thread, which matches them to replies
 * in order; each entry may carry a payload (cache-aside: the GET's key, or a miss's key). Entries are written with plain stores and published with a release store of the tail; the reader
 * acquires the tail and releases the head. Exactly one sending and one receiving thread.
 */
public final class IntendedTimeRing
{
    /** Returned by {@link #poll()} when no entry is published. */
    public static final long EMPTY = Long.MIN_VALUE;

    private final long[] entries;
    private final long[] payloads;
    private final int mask;
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong head = new AtomicLong();
    private long producerTail;
    private long producerHeadCache;
    private long consumerHead;
    private long consumerTailCache;
    private long polledPayload;

    /**
     * @param capacity a power of two: the most requests outstanding on the connection.
     */
    public IntendedTimeRing(final int capacity)
    {
        if (Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.entries = new long[capacity];
        this.payloads = new long[capacity];
        this.mask = capacity - 1;
    }

    /**
     * Sending thread: publishes an entry.
     *
     * @param entry the entry, not {@link #EMPTY}.
     * @return false if the ring is full.
     */
    public boolean offer(final long entry)
    {
        return offer(entry, 0);
    }

    /**
     * Sending thread: publishes an entry with a payload.
     *
     * @param entry   the entry, not {@link #EMPTY}.
     * @param payload handed to the receiver with it, see {@link #polledPayload()}.
     * @return false if the ring is full.
     */
    public boolean offer(final long entry, final long payload)
    {
        final long t = producerTail;
        if (t - producerHeadCache >= entries.length)
        {
            producerHeadCache = head.getAcquire();
            if (t - producerHeadCache >= entries.length)
            {
                return false;
            }
        }
        entries[(int)(t & mask)] = entry;
        payloads[(int)(t & mask)] = payload;
        producerTail = t + 1;
        tail.setRelease(t + 1);
        return true;
    }

    /**
     * Receiving thread: takes the oldest entry.
     *
     * @return the entry or {@link #EMPTY}.
     */
    public long poll()
    {
        final long h = consumerHead;
        if (h == consumerTailCache)
        {
            consumerTailCache = tail.getAcquire();
            if (h == consumerTailCache)
            {
                return EMPTY;
            }
        }
        final long entry = entries[(int)(h & mask)];
        polledPayload = payloads[(int)(h & mask)];
        consumerHead = h + 1;
        head.setRelease(h + 1);
        return entry;
    }

    /**
     * Receiving thread.
     *
     * @return the payload of the entry {@link #poll()} last returned.
     */
    public long polledPayload()
    {
        return polledPayload;
    }
}
