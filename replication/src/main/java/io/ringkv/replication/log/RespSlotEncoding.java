package io.ringkv.replication.log;

import io.ringkv.core.engine.CommandEvent;
import org.agrona.DirectBuffer;

/**
 * How a {@link RespChangeStream} turns one executed slot's change records into RESP commands: the append-only
 * file's encoding (SELECT on a database change, MULTI/EXEC around a slot's group, absolute expiry times, expiries as
 * DEL), implemented next to it in the {@code aof} package so that there is one change-record to RESP encoder. Only the
 * log encoder's thread calls it.
 */
public interface RespSlotEncoding
{
    /**
     * Encode the slot's records into {@link #buffer()} from its start.
     *
     * @return the bytes written (0 for a slot without records).
     */
    int encode(CommandEvent event);

    /**
     * @return the bytes of the last {@link #encode}.
     */
    DirectBuffer buffer();

    /**
     * The next command must be preceded by SELECT (a replica joins the stream with no database selected).
     */
    void forgetSelectedDb();
}
