package io.ringkv.core.command;

import org.agrona.DirectBuffer;

import java.nio.channels.ByteChannel;

/**
 * Runs on a client's connection thread after the batch that set it has been answered, and may take the
 * connection over (a replica's sync request turns its connection into a replication stream). A command sets it on
 * the {@link ClientSession} on the engine thread; the connection's own thread clears it and calls it once, after
 * writing the batch's replies; when it returns true the connection stops serving the channel without closing it.
 */
@FunctionalInterface
public interface ConnectionHandover
{
    /**
     * Connection thread: the batch's replies are written; the channel is in blocking mode.
     *
     * @param channel the connection's channel.
     * @param unread  buffer holding bytes already read but not parsed.
     * @param offset  of those bytes.
     * @param length  of those bytes.
     * @return true when the callee now owns the channel; false to let the connection go on serving it.
     */
    boolean takeOver(ByteChannel channel, DirectBuffer unread, int offset, int length);
}
