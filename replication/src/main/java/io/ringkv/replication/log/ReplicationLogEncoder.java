package io.ringkv.replication.log;

import com.lmax.disruptor.EventHandler;
import io.ringkv.core.changelog.ChangeRecordFlyweight;
import io.ringkv.core.engine.CommandEvent;
import org.agrona.DirectBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The ring consumer behind the engine that encodes each applied change record once, in ring order, as a JSON log
 * line into the {@link ReplicationBacklog} and into each attached {@link ReplicaFeed} (a replica's output buffer),
 * and wakes the replica senders once per batch of slots. Only its own ring thread calls {@link #onEvent};
 * allocates nothing per change once its line buffer has grown (a feed takes a new chunk per 256 KB).
 */
public final class ReplicationLogEncoder implements EventHandler<CommandEvent>
{
    /** A line buffer that a large value grew past this is freed after its line is in the backlog. */
    static final int RETAINED_LINE_CAPACITY = 64 * 1024;

    private final ReplicationBacklog backlog;
    private final ChangeRecordFlyweight record = new ChangeRecordFlyweight();
    private final LogLineEncoder encoder = new LogLineEncoder();
    private final JsonTextWriter line = new JsonTextWriter(1024);
    private volatile ReplicaFeed[] feeds = new ReplicaFeed[0];
    private volatile ReplicaFeed[] attaching = new ReplicaFeed[0];
    private volatile RespChangeStream respStream;

    public ReplicationLogEncoder(final ReplicationBacklog backlog)
    {
        this.backlog = backlog;
    }

    /**
     * Start-up thread: also feed Redis-protocol replicas, from this thread, after each slot.
     */
    public void respStream(final RespChangeStream stream)
    {
        this.respStream = stream;
    }

    @Override
    public void onEvent(final CommandEvent event, final long sequence, final boolean endOfBatch)
    {
        if (attaching.length != 0)
        {
            adoptAttaching();
        }
        final int length = event.changesLength();
        if (length != 0)
        {
            final DirectBuffer changes = event.changes();
            final ChangeRecordFlyweight record = this.record;
            final JsonTextWriter line = this.line;
            // A slot's records are what one command (an EXEC, a TICK) did atomically: the first line says how many
            // lines the group has, so that a replica applies them all or nothing.
            int groupSize = event.changeCount();
            for (int index = 0; index < length; index += record.recordLength())
            {
                record.wrap(changes, index);
                line.reset();
                encoder.encode(record, line, groupSize);
                groupSize = 1;
                final long offset = record.replicationOffset();
                backlog.append(offset, line.buffer(), 0, line.length());
                for (final ReplicaFeed feed : feeds)
                {
                    feed.append(offset, line.buffer(), 0, line.length());
                }
            }
            line.shrink(RETAINED_LINE_CAPACITY);
        }
        if (endOfBatch)
        {
            backlog.signal();
            boolean done = false;
            for (final ReplicaFeed feed : feeds)
            {
                feed.signal();
                done |= feed.isDone();
            }
            if (done)
            {
                for (final ReplicaFeed feed : feeds)
                {
                    if (feed.isDone())
                    {
                        detach(feed);
                    }
                }
            }
        }
        final RespChangeStream resp = respStream;
        if (resp != null)
        {
            resp.onSlot(event, endOfBatch);
        }
    }

    private void adoptAttaching()
    {
        final long nextRecord = backlog.lastRecord() + 1;
        for (final ReplicaFeed feed : attaching)
        {
            feed.adopt(nextRecord);
            add(FEEDS, feed);
            remove(ATTACHING, feed);
        }
    }

    /**
     * Any thread: feed {@code feed} too. The encoder adopts it before the next slot it reads, from the next record
     * it encodes on ({@link ReplicaFeed#startRecord()}); attached on the engine thread, the feed therefore gets
     * every record the engine makes after that point.
     */
    public void attach(final ReplicaFeed feed)
    {
        add(ATTACHING, feed);
    }

    /**
     * Any thread: stop feeding {@code feed} (the encoder also lets go of a closed or overflowed feed by itself).
     */
    public void detach(final ReplicaFeed feed)
    {
        feed.close();
        remove(ATTACHING, feed);
        remove(FEEDS, feed);
    }

    private void remove(final VarHandle list, final ReplicaFeed feed)
    {
        // Rare (a replica syncs or leaves): copy on write with a CAS loop, no lock.
        while (true)
        {
            final ReplicaFeed[] current = (ReplicaFeed[])list.getVolatile(this);
            final ReplicaFeed[] next = Arrays.stream(current).filter(f -> f != feed).toArray(ReplicaFeed[]::new);
            if (next.length == current.length || list.compareAndSet(this, current, next))
            {
                return;
            }
        }
    }

    private void add(final VarHandle list, final ReplicaFeed feed)
    {
        while (true)
        {
            final ReplicaFeed[] current = (ReplicaFeed[])list.getVolatile(this);
            final ReplicaFeed[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = feed;
            if (list.compareAndSet(this, current, next))
            {
                return;
            }
        }
    }

    private static final VarHandle FEEDS;
    private static final VarHandle ATTACHING;

    static
    {
        try
        {
            FEEDS = MethodHandles.lookup().findVarHandle(ReplicationLogEncoder.class, "feeds", ReplicaFeed[].class);
            ATTACHING = MethodHandles.lookup().findVarHandle(ReplicationLogEncoder.class, "attaching",
                ReplicaFeed[].class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }
}
