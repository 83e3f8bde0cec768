package io.ringkv.replication.log;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The replication backlog ({@code repl-backlog-size}): an off-heap circular buffer of the encoded log lines, one
 * frame per change record, that replica senders read from and partial resyncs resume from.
 * <pre>
 *   frame: +-------------------+---------------------------+--------------------------------+
 *          | line length int32 | replication offset int64  | JSON log line, '\n' included   |
 *          +-------------------+---------------------------+--------------------------------+
 *   stream positions grow forever; byte i of the stream sits at i % capacity; frames may wrap.
 * </pre>
 * Single writer (the log encoder's ring consumer), any number of readers, no locks: a reader copies the bytes it
 * wants, then checks with {@link #isIntact(long)} that the writer has not overwritten them meanwhile (the writer
 * announces the region it is about to overwrite before writing it, seqlock style). A reader that finds its
 * position overwritten has fallen out of the backlog. Records are gap-free: each appended offset is the previous
 * one plus 1.
 */
public final class ReplicationBacklog implements AutoCloseable
{
    public static final int FRAME_LENGTH_OFFSET = 0;
    public static final int FRAME_RECORD_OFFSET = 4;
    public static final int FRAME_HEADER_LENGTH = 12;

    /** {@link #positionOf(long)}: the record is older than the oldest frame still held. */
    public static final long FELL_OUT = -1;
    /** {@link #positionOf(long)}: the record is not encoded yet (the engine is ahead of the encoder). */
    public static final long NOT_YET = -2;

    /** Shortest frame the encoder writes (header + the shortest log line); sizes the position index. */
    static final int MIN_FRAME_LENGTH = 48;

    private static final VarHandle TAIL;
    private static final VarHandle FIRST_RECORD;
    private static final VarHandle LAST_RECORD;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(ReplicationBacklog.class, "tailPosition", long.class);
            FIRST_RECORD = lookup.findVarHandle(ReplicationBacklog.class, "firstRecord", long.class);
            LAST_RECORD = lookup.findVarHandle(ReplicationBacklog.class, "lastRecord", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final UnsafeBuffer header = new UnsafeBuffer(new byte[FRAME_HEADER_LENGTH]);
    private volatile Storage storage;
    private volatile int requestedCapacity;

    private volatile Waiter[] waiters = new Waiter[0];

    @SuppressWarnings("unused")
    private volatile long tailPosition;
    @SuppressWarnings("unused")
    private volatile long firstRecord;
    @SuppressWarnings("unused")
    private volatile long lastRecord;
    private long firstPosition;

    /**
     * @param capacity   bytes of backlog (repl-backlog-size).
     * @param lastRecord replication offset already reached; the next record appended is {@code lastRecord + 1}.
     */
    public ReplicationBacklog(final int capacity, final long lastRecord)
    {
        if (capacity < 1024)
        {
            throw new IllegalArgumentException("backlog capacity too small: " + capacity);
        }
        this.requestedCapacity = capacity;
        this.storage = new Storage(capacity);
        this.firstRecord = lastRecord + 1;
        this.lastRecord = lastRecord;
        storage.recordPositions[(int)((lastRecord + 1) & storage.recordMask)] = 0;
    }

    /**
     * @return the configured size (repl-backlog-size): a {@link #resize(int)} shows here at once and takes effect
     * at the next append.
     */
    public int capacity()
    {
        return requestedCapacity;
    }

    /**
     * Any thread (CONFIG SET repl-backlog-size): make the backlog {@code capacity} bytes. The writer moves to new
     * memory at its next append, keeping the newest frames that fit (as Redis, a smaller backlog drops history:
     * a replica that was further behind full-syncs). Readers copying from the old memory meanwhile stay correct:
     * the writer never touches it again, and the collector frees it once no reader holds it.
     *
     * @param capacity bytes, at least 1024.
     */
    public void resize(final int capacity)
    {
        if (capacity < 1024)
        {
            throw new IllegalArgumentException("backlog capacity too small: " + capacity);
        }
        requestedCapacity = capacity;
    }

    /**
     * Writer thread: append one encoded line as the frame of record {@code recordOffset}.
     *
     * @param recordOffset the record's replication offset; must be {@link #lastRecord()} + 1.
     * @param line         buffer holding the line (with its '\n').
     * @param offset       of the line.
     * @param length       of the line.
     * @return true when stored; false when the frame is larger than the whole backlog, in which case every reader
     * behind it falls out (the record is accounted for but not held).
     */
    public boolean append(final long recordOffset, final DirectBuffer line, final int offset, final int length)
    {
        Storage storage = this.storage;
        if (requestedCapacity != storage.ring.capacity())
        {
            storage = moveTo(storage, requestedCapacity);
        }
        if (recordOffset != (long)LAST_RECORD.getOpaque(this) + 1)
        {
            restartAt(storage, recordOffset);
        }
        final int capacity = storage.ring.capacity();
        final long[] recordPositions = storage.recordPositions;
        final int recordMask = storage.recordMask;
        final long tail = (long)TAIL.getOpaque(this);
        final long frameLength = (long)FRAME_HEADER_LENGTH + length;
        final long newTail = tail + frameLength;
        storage.ring.announce(newTail);
        if (frameLength > capacity)
        {
            firstPosition = newTail;
            FIRST_RECORD.setRelease(this, recordOffset + 1);
            recordPositions[(int)((recordOffset + 1) & recordMask)] = newTail;
            LAST_RECORD.setRelease(this, recordOffset);
            TAIL.setRelease(this, newTail);
            return false;
        }
        long first = (long)FIRST_RECORD.getOpaque(this);
        long firstPos = firstPosition;
        while (firstPos < newTail - capacity)
        {
            storage.ring.read(firstPos, header, 0, FRAME_HEADER_LENGTH);
            firstPos += FRAME_HEADER_LENGTH + header.getInt(FRAME_LENGTH_OFFSET);
            first++;
        }
        firstPosition = firstPos;
        FIRST_RECORD.setRelease(this, first);

        header.putInt(FRAME_LENGTH_OFFSET, length);
        header.putLong(FRAME_RECORD_OFFSET, recordOffset);
        storage.ring.write(tail, header, 0, FRAME_HEADER_LENGTH);
        storage.ring.write(tail + FRAME_HEADER_LENGTH, line, offset, length);
        recordPositions[(int)(recordOffset & recordMask)] = tail;
        recordPositions[(int)((recordOffset + 1) & recordMask)] = newTail;
        LAST_RECORD.setRelease(this, recordOffset);
        TAIL.setRelease(this, newTail);
        return true;
    }

    /**
     * Writer thread: a record that does not follow the last one starts a new history (a replica whose offsets
     * were realigned to its master's after a full sync); what was held is dropped.
     */
    private void restartAt(final Storage storage, final long recordOffset)
    {
        final long tail = (long)TAIL.getOpaque(this);
        firstPosition = tail;
        FIRST_RECORD.setRelease(this, recordOffset);
        storage.recordPositions[(int)(recordOffset & storage.recordMask)] = tail;
        LAST_RECORD.setRelease(this, recordOffset - 1);
    }

    /**
     * Writer thread: copy the newest frames that fit into new memory of {@code capacity} bytes and use it from now
     * on. Stream positions do not change, only where they sit.
     */
    private Storage moveTo(final Storage old, final int capacity)
    {
        final Storage next = new Storage(capacity);
        final long tail = (long)TAIL.getOpaque(this);
        long position = firstPosition;
        long first = (long)FIRST_RECORD.getOpaque(this);
        while (tail - position > capacity)
        {
            old.ring.read(position, header, 0, FRAME_HEADER_LENGTH);
            position += FRAME_HEADER_LENGTH + header.getInt(FRAME_LENGTH_OFFSET);
            first++;
        }
        next.ring.copyFrom(old.ring, position, tail);
        long record = first;
        for (long at = position; at < tail; record++)
        {
            next.recordPositions[(int)(record & next.recordMask)] = at;
            next.ring.read(at, header, 0, FRAME_HEADER_LENGTH);
            at += FRAME_HEADER_LENGTH + header.getInt(FRAME_LENGTH_OFFSET);
        }
        next.recordPositions[(int)(record & next.recordMask)] = tail;
        next.ring.announce(tail);
        firstPosition = position;
        FIRST_RECORD.setRelease(this, first); // before the new memory: a reader of it never sees an older first
        this.storage = next;
        return next;
    }

    /**
     * Writer thread: wake the readers waiting (see {@link #armWait(Waiter, long)}); call once per batch of
     * appends.
     */
    public void signal()
    {
        // The tail was published with release semantics; a reader publishes 'waiting' and then reads the tail.
        // Without a full fence here both could miss each other's write (store-load reordering) and the reader
        // would sleep through new data until its timeout.
        VarHandle.fullFence();
        for (final Waiter waiter : waiters)
        {
            if (waiter.waiting)
            {
                waiter.wake.run();
            }
        }
    }

    /**
     * @return stream position after the last frame (Redis's repl_backlog_histlen grows with it).
     */
    public long tailPosition()
    {
        return (long)TAIL.getAcquire(this);
    }

    /**
     * @return offset of the oldest record whose frame is still held.
     */
    public long firstRecord()
    {
        return (long)FIRST_RECORD.getAcquire(this);
    }

    /**
     * @return offset of the last record appended (the encoder's replication offset).
     */
    public long lastRecord()
    {
        return (long)LAST_RECORD.getAcquire(this);
    }

    /**
     * @return bytes of stream held (at most the capacity).
     */
    public long historyLength()
    {
        final long tail = tailPosition();
        return Math.min(tail, storage.ring.capacity());
    }

    /**
     * Any thread: where the frame of {@code record} starts.
     *
     * @param record a replication offset.
     * @return its stream position; {@link #FELL_OUT} or {@link #NOT_YET}.
     */
    public long positionOf(final long record)
    {
        final long last = lastRecord();
        if (record > last + 1)
        {
            return NOT_YET;
        }
        if (record < firstRecord())
        {
            return FELL_OUT;
        }
        final Storage storage = this.storage;
        final long position = storage.recordPositions[(int)(record & storage.recordMask)];
        VarHandle.loadLoadFence();
        return record < firstRecord() ? FELL_OUT : position;
    }

    /**
     * Any thread: copy {@code length} stream bytes from {@code position}.
     *
     * @return true when the copy is good: the writer had not begun overwriting {@code position} while the bytes
     * were copied (else the reader has fallen out of the backlog).
     */
    public boolean copy(final long position, final MutableDirectBuffer destination, final int offset,
        final int length)
    {
        return storage.ring.copy(position, destination, offset, length);
    }

    /**
     * Any thread: true when the writer has not begun overwriting {@code position}.
     */
    public boolean isIntact(final long position)
    {
        return storage.ring.isIntact(position);
    }

    /**
     * A reader that waits for data: {@code wake} is run by the writer after appending while the reader is between
     * {@link #armWait(Waiter, long)} and {@link #disarm(Waiter)} (e.g. a selector's wakeup). Register once,
     * deregister when done.
     */
    public Waiter register(final Runnable wake)
    {
        final Waiter waiter = new Waiter(wake);
        updateWaiters(waiter, true);
        return waiter;
    }

    public void deregister(final Waiter waiter)
    {
        updateWaiters(waiter, false);
    }

    /**
     * Reader thread, before it blocks: from now on the writer wakes {@code waiter} after appending.
     *
     * @return true when there is nothing past {@code position} yet (block); false when there is (don't, but
     * {@link #disarm(Waiter)}).
     */
    public boolean armWait(final Waiter waiter, final long position)
    {
        waiter.waiting = true;
        return tailPosition() == position;
    }

    /**
     * Reader thread, after blocking: no more wake-ups needed.
     */
    public void disarm(final Waiter waiter)
    {
        waiter.waiting = false;
    }

    private void updateWaiters(final Waiter waiter, final boolean add)
    {
        // Rare (a replica connects or leaves): copy on write with a CAS loop, no lock.
        while (true)
        {
            final Waiter[] current = waiters;
            final Waiter[] next;
            if (add)
            {
                next = Arrays.copyOf(current, current.length + 1);
                next[current.length] = waiter;
            }
            else
            {
                next = Arrays.stream(current).filter(w -> w != waiter).toArray(Waiter[]::new);
            }
            if (WAITERS.compareAndSet(this, current, next))
            {
                return;
            }
        }
    }

    private static final VarHandle WAITERS;

    static
    {
        try
        {
            WAITERS = MethodHandles.lookup().findVarHandle(ReplicationBacklog.class, "waiters", Waiter[].class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @Override
    public void close()
    {
        storage.ring.free();
    }

    /**
     * The backlog's memory: the circular buffer, and where each record's frame starts.
     */
    private static final class Storage
    {
        final SeqlockByteRing ring;
        final long[] recordPositions;
        final int recordMask;

        Storage(final int capacity)
        {
            ring = new SeqlockByteRing(capacity);
            final int slots = BitUtil.findNextPositivePowerOfTwo(capacity / MIN_FRAME_LENGTH + 2);
            recordPositions = new long[slots];
            recordMask = slots - 1;
        }
    }

    /**
     * A parked reader; the writer unparks it after appending.
     */
    public static final class Waiter
    {
        final Runnable wake;
        volatile boolean waiting;

        Waiter(final Runnable wake)
        {
            this.wake = wake;
        }
    }
}
