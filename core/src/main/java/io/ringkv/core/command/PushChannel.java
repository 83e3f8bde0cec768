package io.ringkv.core.command;

import org.agrona.DirectBuffer;

/**
 * The engine's way to send a connection bytes it did not ask for (MONITOR lines; Pub/Sub messages and tracking
 * invalidations next): "write these bytes to this connection". The network layer implements it per connection
 * (see docs/architecture.md, "How replies reach the socket"); core knows no socket.
 * <p>
 * {@link #push} runs on the engine thread, never blocks and never keeps a reference to the buffer: the bytes are
 * written at once when the socket takes them, and otherwise queued, bounded by the connection's output limit. A
 * connection over its limit is disconnected, as Redis disconnects a client over client-output-buffer-limit.
 */
public interface PushChannel
{
    /**
     * Engine thread: send {@code length} bytes from {@code buffer} at {@code offset}, in order after everything
     * pushed or replied before.
     *
     * @return false when the connection is gone or was disconnected for going over its output limit: the caller
     * drops it from whatever it pushes to.
     */
    boolean push(DirectBuffer buffer, int offset, int length);

    /**
     * Engine thread, while the connection's batch is executing (e.g. from MONITOR's handler): from now on the
     * connection's replies are sent through this channel too, so that they and the pushed bytes leave in the order
     * they were produced.
     */
    void open();

    /**
     * @return true when the connection reads JSON lines, not RESP: pushed bytes must then be JSON lines too (Pub/Sub
     * formats its messages so; MONITOR refuses such a connection).
     */
    default boolean jsonLines()
    {
        return false;
    }

    /**
     * Any thread: whether the connection is gone or was disconnected (e.g. over its output limit); Pub/Sub then
     * forgets its subscriptions.
     *
     * @return true once nothing pushed reaches the connection any more.
     */
    default boolean closed()
    {
        return false;
    }
}
