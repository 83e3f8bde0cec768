package io.ringkv.replication.log;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Redis's replication backlog for Redis-protocol replicas: the newest {@code repl-backlog-size} bytes of the RESP
 * command stream, addressed by Redis's byte offsets. Offset {@code o} is the number of stream bytes before a byte, so
 * a replica that has processed everything up to offset {@code o} (its {@code master_repl_offset}) continues from
 * position {@code o} ({@code PSYNC replid o+1}). Held in a {@link SeqlockByteRing}: one writer (the log encoder's
 * thread), readers on any thread copy and check.
 */
public final class RespBacklog
{
    private volatile SeqlockByteRing ring;
    private volatile int requestedCapacity;
    private volatile long tail;
    private volatile long first;

    /**
     * @param capacity    bytes (repl-backlog-size).
     * @param startOffset the offset of the stream's first byte.
     */
    public RespBacklog(final int capacity, final long startOffset)
    {
        ring = new SeqlockByteRing(capacity);
        requestedCapacity = capacity;
        tail = startOffset;
        first = startOffset;
    }

    /**
     * Any thread: hold {@code capacity} bytes from the next append on (CONFIG SET repl-backlog-size).
     */
    public void resize(final int capacity)
    {
        requestedCapacity = capacity;
    }

    /**
     * @return the offset after the last byte appended (Redis's master_repl_offset for these replicas).
     */
    public long endOffset()
    {
        return tail;
    }

    /**
     * @return the offset of the oldest byte still held (repl_backlog_first_byte_offset is this + 1).
     */
    public long firstOffset()
    {
        return first;
    }

    /**
     * Writer: append {@code length} bytes; the oldest bytes past the capacity are dropped.
     */
    public void append(final DirectBuffer source, final int offset, final int length)
    {
        SeqlockByteRing ring = this.ring;
        final long tail = this.tail;
        if (requestedCapacity != ring.capacity())
        {
            final SeqlockByteRing next = new SeqlockByteRing(requestedCapacity);
            final long from = Math.max(first, tail - next.capacity());
            next.announce(tail);
            next.copyFrom(ring, from, tail);
            first = from; // before the new memory: a reader of it never sees an older first
            this.ring = next;
            ring = next; // the old memory is left to the collector: a reader may still be copying from it
        }
        final long newTail = tail + length;
        final int kept = Math.min(length, ring.capacity());
        ring.announce(newTail);
        ring.write(newTail - kept, source, offset + length - kept, kept);
        if (newTail - first > ring.capacity())
        {
            first = newTail - ring.capacity();
        }
        this.tail = newTail;
    }

    /**
     * Any thread: copy {@code length} bytes from stream offset {@code from}.
     *
     * @return true when the copy is good (the bytes were held and not overwritten meanwhile).
     */
    public boolean copy(final long from, final MutableDirectBuffer destination, final int offset, final int length)
    {
        if (from < first || from + length > tail)
        {
            return false;
        }
        return ring.copy(from, destination, offset, length);
    }

    /**
     * Any thread: true when a replica at {@code offset} can continue from here (Redis's partial resync test).
     */
    public boolean holds(final long offset)
    {
        return offset >= first && offset <= tail;
    }
}
