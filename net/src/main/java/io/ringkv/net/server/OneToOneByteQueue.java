package io.ringkv.net.server;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A lock-free single-producer, single-consumer byte queue that grows: the producer copies bytes into a
 * power-of-two ring of direct memory and publishes its tail with one volatile store; the consumer reads the
 * contiguous bytes between its head and that tail straight out of the ring (a socket write takes them from there)
 * and publishes its head. Nothing is allocated per offer.
 * <p>
 * When the ring has no room the producer links a ring twice as large (or large enough) behind it and writes there
 * from then on; the consumer moves to the next ring once it has emptied the one it reads. A ring that went empty
 * while larger than the initial size is replaced the same way by a small one, so a burst's memory is given back.
 * Bytes are never copied twice and the producer never waits.
 * <pre>
 *   producer: offer(bytes) ... pending() (bytes offered and not yet consumed)
 *   consumer: ByteBuffer chunk = readable(); socket.write(chunk); consumed(chunk.position() - start)
 * </pre>
 * One thread offers (the engine), one thread consumes (the connection's writer).
 */
final class OneToOneByteQueue
{
    static final int INITIAL_CAPACITY = 16 * 1024;

    /** One ring. tail is written by the producer only, head by the consumer only. */
    private static final class Ring
    {
        final UnsafeBuffer buffer;
        final ByteBuffer readView;
        final int capacity;
        final int mask;
        volatile long tail;
        volatile long head;
        volatile Ring next;

        Ring(final int capacity)
        {
            final ByteBuffer memory = ByteBuffer.allocateDirect(capacity);
            this.buffer = new UnsafeBuffer(memory);
            this.readView = memory.duplicate();
            this.capacity = capacity;
            this.mask = capacity - 1;
        }
    }

    private Ring producerRing = new Ring(INITIAL_CAPACITY);
    private Ring consumerRing = producerRing;
    private long offered;
    private volatile long consumedTotal;

    /**
     * Producer: append the bytes (growing the queue when needed).
     */
    void offer(final DirectBuffer source, final int offset, final int length)
    {
        Ring ring = producerRing;
        final long tail = ring.tail;
        final long used = tail - ring.head;
        if (used == 0 && ring.capacity > INITIAL_CAPACITY && length <= INITIAL_CAPACITY)
        {
            ring = link(ring, INITIAL_CAPACITY); // give a burst's memory back
        }
        else if (ring.capacity - used < length)
        {
            ring = link(ring, capacityFor(Math.max((long)ring.capacity * 2, length)));
        }
        final long at = ring.tail;
        final int index = (int)(at & ring.mask);
        final int first = Math.min(length, ring.capacity - index);
        ring.buffer.putBytes(index, source, offset, first);
        if (first < length)
        {
            ring.buffer.putBytes(0, source, offset + first, length - first);
        }
        offered += length;
        ring.tail = at + length; // volatile: publishes the bytes, and orders before the consumer's wake-up check
    }

    private Ring link(final Ring current, final int capacity)
    {
        final Ring next = new Ring(capacity);
        current.next = next; // after every byte of current was published: the consumer finishes current first
        producerRing = next;
        return next;
    }

    private static int capacityFor(final long bytes)
    {
        if (bytes > (1 << 30))
        {
            throw new IllegalArgumentException("too many bytes queued: " + bytes);
        }
        return Integer.highestOneBit((int)Math.max(INITIAL_CAPACITY, bytes) - 1) << 1;
    }

    /**
     * Producer: bytes offered and not yet consumed.
     */
    long pending()
    {
        return offered - consumedTotal;
    }

    /**
     * Consumer: the next contiguous readable bytes, as a buffer positioned on them, or null when there are none.
     * Valid until {@link #consumed(int)}.
     */
    ByteBuffer readable()
    {
        while (true)
        {
            final Ring ring = consumerRing;
            final long head = ring.head;
            final long tail = ring.tail;
            if (tail != head)
            {
                final int index = (int)(head & ring.mask);
                final int length = (int)Math.min(tail - head, ring.capacity - index);
                final ByteBuffer view = ring.readView;
                view.limit(index + length).position(index);
                return view;
            }
            final Ring next = ring.next;
            if (null == next)
            {
                return null;
            }
            if (ring.tail != head)
            {
                continue; // published just before the producer linked next
            }
            consumerRing = next; // the producer writes no more to ring once it linked next
        }
    }

    /**
     * Consumer: the first {@code length} bytes {@link #readable()} returned were written out.
     */
    void consumed(final int length)
    {
        final Ring ring = consumerRing;
        ring.head = ring.head + length;
        consumedTotal = consumedTotal + length;
    }

    /**
     * Consumer: whether {@link #readable()} would return bytes.
     */
    boolean isEmpty()
    {
        final Ring ring = consumerRing;
        return ring.tail == ring.head && null == ring.next;
    }
}
