package io.ringkv.replication.log;

import com.lmax.disruptor.EventHandler;
import io.ringkv.core.engine.ChangeRecordFlyweight;
import io.ringkv.core.engine.CommandEvent;
import org.agrona.DirectBuffer;

/**
 * The ring consumer behind the engine that encodes each applied change record once, in ring order, as a JSON log
 * line into the {@link ReplicationBacklog}, and wakes the replica senders once per batch of slots. Only its own
 * ring thread calls {@link #onEvent}; allocates nothing per change once its line buffer has grown.
 */
public final class ReplicationLogEncoder implements EventHandler<CommandEvent>
{
    /** A line buffer that a large value grew past this is freed after its line is in the backlog. */
    static final int RETAINED_LINE_CAPACITY = 64 * 1024;

    private final ReplicationBacklog backlog;
    private final ChangeRecordFlyweight record = new ChangeRecordFlyweight();
    private final LogLineEncoder encoder = new LogLineEncoder();
    private final JsonTextWriter line = new JsonTextWriter(1024);

    public ReplicationLogEncoder(final ReplicationBacklog backlog)
    {
        this.backlog = backlog;
    }

    @Override
    public void onEvent(final CommandEvent event, final long sequence, final boolean endOfBatch)
    {
        final int length = event.changesLength();
        if (length != 0)
        {
            final DirectBuffer changes = event.changes();
            final ChangeRecordFlyweight record = this.record;
            final JsonTextWriter line = this.line;
            for (int index = 0; index < length; index += record.recordLength())
            {
                record.wrap(changes, index);
                line.reset();
                encoder.encode(record, line);
                backlog.append(record.replicationOffset(), line.buffer(), 0, line.length());
            }
            line.shrink(RETAINED_LINE_CAPACITY);
        }
        if (endOfBatch)
        {
            backlog.signal();
        }
    }
}
