package io.ringkv.net.server.command;

import io.ringkv.core.command.ClientSession;
import io.ringkv.net.resp.RespReply;

/**
 * One connected client as the commands see it: what CLIENT LIST prints, its session, and the two ways to end it.
 * The descriptive fields and {@link #kill()} are safe from any thread.
 */
public interface ConnectedClient
{
    long id();

    /**
     * @return the peer's address as CLIENT LIST prints it ("ip:port").
     */
    String remoteAddress();

    /**
     * @return the local end's address ("ip:port").
     */
    String localAddress();

    long createdMs();

    long lastInteractionMs();

    /**
     * @return request bytes read and not yet consumed (CLIENT LIST qbuf). Any thread; may be stale.
     */
    long queryBufferBytes();

    /**
     * @return bytes of the read buffer's memory (qbuf + qbuf-free). Any thread; may be stale.
     */
    long queryBufferCapacity();

    /**
     * @return reply bytes written and not yet sent (CLIENT LIST omem). Any thread; may be stale.
     */
    long replyBufferBytes();

    /**
     * @return bytes of the reply buffer's memory. Any thread; may be stale.
     */
    long replyBufferCapacity();

    /**
     * @return the client's session (engine thread only).
     */
    ClientSession session();

    /**
     * @return the RESP reply writer, or null for a JSON-lines client or before the protocol is known.
     */
    RespReply respReply();

    /**
     * Close the connection once the reply being written has been sent (QUIT, CLIENT KILL of oneself).
     */
    void closeAfterReply();

    /**
     * End the connection now, from any thread: its socket is shut down at once and closed by the connection's own
     * thread once no reply of it is being written.
     */
    void kill();
}
