package io.ringkv.replication.log;

import io.ringkv.core.engine.CommandEvent;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The change log as Redis's replication stream, for Redis-protocol replicas: every slot's records as RESP commands
 * ({@link RespSlotEncoding}), PING every {@code repl-ping-replica-period} and REPLCONF GETACK when WAIT asks, appended
 * to the byte {@link RespBacklog} and to each attached replica's {@link ReplicaFeed} (its output buffer, here counted
 * in stream bytes: a feed's "record" numbers are byte offsets). Offsets are Redis's: bytes of this stream, not
 * change records; {@link #offsetAfterRecord} maps a record to the byte offset after the slot that logged it (WAIT).
 * <p>
 * Started lazily, as Redis creates its backlog, when the first Redis replica syncs: until then it only counts the
 * records it is shown. {@link #onSlot} is called by the {@link ReplicationLogEncoder}'s thread after each slot; the
 * other methods may be called from any thread.
 */
public final class RespChangeStream
{
    /** Slots remembered for {@link #offsetAfterRecord}. */
    static final int RECORD_MAP_SLOTS = 1 << 16;

    private static final UnsafeBuffer PING = ascii("*1\r\n$4\r\nPING\r\n");
    private static final UnsafeBuffer GETACK = ascii("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n");

    private final RespSlotEncoding encoding;
    private final ReplicationBacklog records;
    private final LongSupplier pingPeriodMs;
    private volatile RespBacklog backlog;
    private volatile Attachment[] attaching = new Attachment[0];
    private volatile ReplicaFeed[] feeds = new ReplicaFeed[0];
    private volatile boolean getAckWanted;
    private volatile long encodedRecord;
    private volatile boolean appendingRecords;
    /** The record a continued history starts at, until the JSON log has a later one ({@link #continueAt}). */
    private volatile long recordFloor;
    private long lastPingMs;

    private final long[] mapRecords = new long[RECORD_MAP_SLOTS];
    private final long[] mapOffsets = new long[RECORD_MAP_SLOTS];
    private volatile long mapCount;
    private volatile long startRecord;
    private volatile long startOffset;

    /**
     * @param encoding     the slot encoder.
     * @param records      the JSON log's backlog, whose last record is the last one encoded.
     * @param pingPeriodMs repl-ping-replica-period.
     */
    public RespChangeStream(final RespSlotEncoding encoding, final ReplicationBacklog records,
        final LongSupplier pingPeriodMs)
    {
        this.encoding = encoding;
        this.records = records;
        this.pingPeriodMs = pingPeriodMs;
        this.encodedRecord = records.lastRecord();
    }

    /**
     * Any thread (a sync, on the engine thread): make sure the stream runs, with a backlog of {@code capacity} bytes.
     *
     * @return the backlog.
     */
    public RespBacklog start(final int capacity)
    {
        RespBacklog current = backlog;
        if (current == null)
        {
            current = new RespBacklog(capacity, 0);
            startRecord = Long.MAX_VALUE; // set by the encoder at its first slot with the stream on
            backlog = current;
        }
        return current;
    }

    /**
     * Start-up thread, before any slot runs: the engine's records go on after {@code record} (a restarted master
     * continuing its history), while the JSON log's last record stays the previous life's until the next one is
     * logged; a full sync at {@code record} is fed from the next slot, not from the next write.
     */
    public void continueAt(final long record)
    {
        recordFloor = record;
        encodedRecord = lastRecord();
    }

    private long lastRecord()
    {
        return Math.max(records.lastRecord(), recordFloor);
    }

    /**
     * Start-up thread, before any slot runs (a restarted master continuing its history): start the stream at byte
     * offset {@code offset}, the offset it had at record {@code record} in the previous life (the RDB file's
     * {@code ringkv-resp-offset}), so a Redis replica that had processed exactly that much continues.
     */
    public void resume(final int capacity, final long offset, final long record)
    {
        continueAt(record);
        MAP_COUNT.setRelease(this, 0L);
        startOffset = offset;
        startRecord = record;
        encodedRecord = record;
        backlog = new RespBacklog(capacity, offset);
    }

    /**
     * Any thread (an RDB save): the stream's byte offset whose state is exactly record {@code record}: the stream's
     * end when nothing after the record is encoded yet (with the PINGs sent since), else the end of the slot that
     * logged it. Waits up to {@code timeoutMs} for the encoder to reach the record.
     *
     * @return the offset, or -1 when there is none (no stream, a stream begun after the record, a record in the
     * middle of a slot or older than the slots remembered, or the encoder not there in time).
     */
    public long offsetAtRecord(final long record, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final RespBacklog backlog = this.backlog;
            if (backlog == null || startRecord == Long.MAX_VALUE)
            {
                return -1;
            }
            final long encoded = encodedRecord;
            if (encoded == record && !appendingRecords)
            {
                final long end = backlog.endOffset();
                if (!appendingRecords && encodedRecord == record && this.backlog == backlog)
                {
                    return end; // no slot after the record has begun appending: its bytes are not in end
                }
            }
            else if (encoded > record)
            {
                return record == startRecord ? startOffset : mapped(backlog, record, true);
            }
            else if (System.nanoTime() - deadlineNs > 0)
            {
                return -1;
            }
            else
            {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    /**
     * Any thread (this server becomes a replica): end the stream; a later replica starts a new one. Attached feeds
     * are closed by their senders.
     */
    public void stop()
    {
        backlog = null;
        recordFloor = 0; // a replica's records count as its master's
        for (final Attachment attachment : attaching)
        {
            attachment.feed.close();
        }
        for (final ReplicaFeed feed : feeds)
        {
            feed.close();
        }
        attaching = new Attachment[0];
        feeds = new ReplicaFeed[0];
    }

    /**
     * @return the running stream's backlog, or null.
     */
    public RespBacklog backlog()
    {
        return backlog;
    }

    /**
     * Engine thread (a sync): feed {@code feed} with the stream from the first slot after record {@code syncRecord}
     * on (a full sync: its snapshot's offset; the stream then SELECTs the database again), or from the next slot
     * (a partial sync: {@code syncRecord} -1). The feed's {@link ReplicaFeed#startRecord()} becomes the byte offset
     * it starts at.
     */
    public void attach(final ReplicaFeed feed, final long syncRecord)
    {
        add(ATTACHING, new Attachment(feed, syncRecord));
    }

    /**
     * Any thread: stop feeding {@code feed}.
     */
    public void detach(final ReplicaFeed feed)
    {
        feed.close();
        while (true)
        {
            final Attachment[] current = attaching;
            final Attachment[] next = Arrays.stream(current).filter(a -> a.feed != feed).toArray(Attachment[]::new);
            if (next.length == current.length || ATTACHING.compareAndSet(this, current, next))
            {
                break;
            }
        }
        remove(feed);
    }

    /**
     * Any thread (WAIT): ask the replicas for their offsets (REPLCONF GETACK *) at the next slot.
     */
    public void requestAcks()
    {
        getAckWanted = true;
    }

    /**
     * Encoder thread: slot {@code event} was executed and its records encoded into the JSON backlog.
     */
    public void onSlot(final CommandEvent event, final boolean endOfBatch)
    {
        final RespBacklog backlog = this.backlog;
        if (backlog == null)
        {
            encodedRecord = lastRecord();
            return;
        }
        if (startRecord == Long.MAX_VALUE)
        {
            MAP_COUNT.setRelease(this, 0L); // a new stream: the last one's slots map to its own offsets
            startOffset = backlog.endOffset();
            startRecord = encodedRecord;
        }
        if (attaching.length != 0)
        {
            adopt(backlog);
        }
        if (getAckWanted)
        {
            getAckWanted = false;
            append(backlog, GETACK, GETACK.capacity());
        }
        final int length = encoding.encode(event);
        if (length > 0)
        {
            appendingRecords = true; // offsetAtRecord: the end is past the last record encoded until it is set
            append(backlog, encoding.buffer(), length);
            final long last = lastRecord();
            final long count = mapCount;
            final int slot = (int)(count & (RECORD_MAP_SLOTS - 1));
            mapRecords[slot] = last;
            mapOffsets[slot] = backlog.endOffset();
            MAP_COUNT.setRelease(this, count + 1);
        }
        encodedRecord = lastRecord();
        appendingRecords = false;
        if (endOfBatch)
        {
            final ReplicaFeed[] feeds = this.feeds;
            if (feeds.length != 0)
            {
                final long nowMs = System.currentTimeMillis();
                if (nowMs - lastPingMs >= pingPeriodMs.getAsLong())
                {
                    lastPingMs = nowMs;
                    append(backlog, PING, PING.capacity());
                }
            }
            for (final ReplicaFeed feed : this.feeds)
            {
                feed.signal();
                if (feed.isDone())
                {
                    remove(feed);
                }
            }
        }
    }

    private void append(final RespBacklog backlog, final org.agrona.DirectBuffer bytes, final int length)
    {
        final long at = backlog.endOffset();
        backlog.append(bytes, 0, length);
        for (final ReplicaFeed feed : feeds)
        {
            feed.append(at, bytes, 0, length);
        }
    }

    private void adopt(final RespBacklog backlog)
    {
        final long encoded = encodedRecord;
        for (final Attachment attachment : attaching)
        {
            if (attachment.syncRecord <= encoded)
            {
                if (attachment.syncRecord >= 0)
                {
                    encoding.forgetSelectedDb();
                }
                attachment.feed.adopt(backlog.endOffset());
                add(FEEDS, attachment.feed);
                while (true)
                {
                    final Attachment[] current = attaching;
                    final Attachment[] next = Arrays.stream(current).filter(a -> a != attachment)
                        .toArray(Attachment[]::new);
                    if (ATTACHING.compareAndSet(this, current, next))
                    {
                        break;
                    }
                }
            }
        }
    }

    /**
     * Any thread: the byte offset after the slot that logged record {@code record} (a replica that acknowledged it
     * has applied the record), or -1 when the record is not encoded yet.
     */
    public long offsetAfterRecord(final long record)
    {
        final RespBacklog backlog = this.backlog;
        if (backlog == null || record > encodedRecord)
        {
            return -1;
        }
        if (record <= startRecord)
        {
            return startOffset;
        }
        return mapped(backlog, record, false);
    }

    /**
     * The byte offset after the first remembered slot whose last record is at least {@code record} (the stream's end
     * when none), or with {@code exact} after the slot whose last record is {@code record} (-1 when none).
     */
    private long mapped(final RespBacklog backlog, final long record, final boolean exact)
    {
        final long count = (long)MAP_COUNT.getAcquire(this);
        long answer = exact ? -1 : backlog.endOffset();
        for (long i = count - 1; i >= Math.max(0, count - RECORD_MAP_SLOTS); i--)
        {
            final int slot = (int)(i & (RECORD_MAP_SLOTS - 1));
            final long mapped = mapRecords[slot];
            final long offset = mapOffsets[slot];
            VarHandle.loadLoadFence();
            final long countNow = (long)MAP_COUNT.getAcquire(this);
            if (countNow - RECORD_MAP_SLOTS > i || countNow < count)
            {
                return exact ? -1 : answer; // overwritten while read (or a new stream): a later slot's end, sound
            }
            if (mapped < record)
            {
                break;
            }
            if (!exact || mapped == record)
            {
                answer = offset;
            }
        }
        return answer;
    }

    private void remove(final ReplicaFeed feed)
    {
        while (true)
        {
            final ReplicaFeed[] current = feeds;
            final ReplicaFeed[] next = Arrays.stream(current).filter(f -> f != feed).toArray(ReplicaFeed[]::new);
            if (next.length == current.length || FEEDS.compareAndSet(this, current, next))
            {
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <T> void add(final VarHandle list, final T item)
    {
        while (true)
        {
            final T[] current = (T[])list.getVolatile(this);
            final T[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = item;
            if (list.compareAndSet(this, current, next))
            {
                return;
            }
        }
    }

    private static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    private record Attachment(ReplicaFeed feed, long syncRecord)
    {
    }

    private static final VarHandle FEEDS;
    private static final VarHandle ATTACHING;
    private static final VarHandle MAP_COUNT;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            FEEDS = lookup.findVarHandle(RespChangeStream.class, "feeds", ReplicaFeed[].class);
            ATTACHING = lookup.findVarHandle(RespChangeStream.class, "attaching", Attachment[].class);
            MAP_COUNT = lookup.findVarHandle(RespChangeStream.class, "mapCount", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }
}
