package io.ringkv.replication.aof;

import io.ringkv.core.engine.CommandEvent;
import io.ringkv.replication.log.RespSlotEncoding;
import org.agrona.DirectBuffer;

/**
 * The append-only file's change-record encoding ({@link AofCommandEncoder}) serving Redis-protocol replicas: what a
 * Redis replica receives is what Redis would append to its AOF for the same changes, as Redis feeds both from one
 * propagation. Only the log encoder's thread calls it; allocates nothing once its buffer has grown.
 */
public final class RespSlotEncoder implements RespSlotEncoding
{
    private final RespCommandOut out = new RespCommandOut();
    private final AofCommandEncoder encoder = new AofCommandEncoder(out);

    @Override
    public int encode(final CommandEvent event)
    {
        out.clear();
        encoder.slot(event, 0);
        return out.length();
    }

    @Override
    public DirectBuffer buffer()
    {
        return out.buffer();
    }

    @Override
    public void forgetSelectedDb()
    {
        encoder.forgetSelectedDb();
    }
}
