package io.ringkv.net.server;

import io.ringkv.core.engine.BatchCompletion;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.ReplyBuffer;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Writes a connection's replies to its socket from the engine thread, the moment the engine has executed the batch,
 * so that the connection's virtual thread can go straight back to {@code read} after publishing (one park per
 * request instead of two: it is not woken to write). Redis does the same: it writes replies from its event loop
 * before it sleeps, and installs a write handler only when the socket is full.
 * <p>
 * The write never blocks the engine ({@link NonBlockingSocketWrite}). What the socket does not take (a client that
 * reads slowly) is written by a virtual thread started for that write only, with an ordinary blocking write; the
 * connection parses nothing new until its batch is finished, so later replies queue behind the pending bytes, in
 * order, and the pending bytes are bounded as before by one batch's replies. The batch is finished
 * ({@link RequestBatch#finish()}) once every byte is written or the write failed; until then the batch, the reply
 * buffer and the socket's descriptor belong to this writer, and the connection must not close its channel (a
 * closed descriptor's number can be reused by the next accepted client).
 * <p>
 * When the batch asks for the connection to end (QUIT-like commands, a kill, a reply too large to send), the writer
 * shuts the socket's input down after the write, which wakes the connection out of its {@code read}; the connection
 * then sees {@link #failed()} or its own flags and closes.
 * <p>
 * One per connection. {@link #executed(RequestBatch)} runs on the engine thread; the rest on the connection's thread
 * once the batch is complete.
 */
final class EngineReplyWriter implements BatchCompletion
{
    private static final System.Logger LOGGER = System.getLogger(EngineReplyWriter.class.getName());

    private final ClientConnection connection;
    private final SocketChannel channel;
    private final FileDescriptor fd;
    private final ReplyBuffer output;
    private final Runnable writeRest = this::writeRest;

    private RequestBatch batch;
    private ByteBuffer rest;
    private int replyEnd;
    private long flushedNs;
    private boolean failed;
    private boolean pushed;
    private boolean leaveToConnection;

    EngineReplyWriter(final ClientConnection connection, final SocketChannel channel, final ReplyBuffer output)
    {
        this.connection = connection;
        this.channel = channel;
        this.fd = NonBlockingSocketWrite.descriptor(channel);
        this.output = output;
    }

    @Override
    public void executed(final RequestBatch batch)
    {
        connection.executed();
        replyEnd = output.position();
        failed = false;
        pushed = false;
        try
        {
            if (output.broken() || connection.killed())
            {
                // Nothing the client could parse is left to send: end the connection.
                fail(batch);
                return;
            }
            if (null != batch.session().handover())
            {
                // A command that takes the connection over must be published by a waiting connection
                // (BatchBoundary.needsConnectionThread); one that is not would find its connection in read.
                LOGGER.log(System.Logger.Level.ERROR, "a connection hand-over was asked for by a batch the " +
                    "engine replied to itself; closing client id=" + connection.id());
                batch.session().handover(null);
                fail(batch);
                return;
            }
            final ConnectionPush push = connection.activePush();
            if (null != push)
            {
                // Pushed bytes (messages, MONITOR lines) may be queued for this socket: the replies go behind them.
                pushed = true;
                if (push.pushReplies())
                {
                    written(batch);
                }
                else
                {
                    fail(batch);
                }
                return;
            }
            if (leaveToConnection)
            {
                batch.finish(); // the connection writes the replies itself
                return;
            }
            final ByteBuffer pending = output.pending();
            if (NonBlockingSocketWrite.write(fd, pending))
            {
                written(batch);
                return;
            }
            // The socket is full: a virtual thread waits for it, the engine goes on.
            this.batch = batch;
            this.rest = pending;
            Thread.ofVirtual().start(writeRest);
        }
        catch (final IOException ex)
        {
            fail(batch); // the peer is gone or the socket was shut down by a kill
        }
        catch (final RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.ERROR, "writing replies failed", ex);
            fail(batch);
        }
    }

    private void writeRest()
    {
        final RequestBatch batch = this.batch;
        final ByteBuffer rest = this.rest;
        this.batch = null;
        this.rest = null;
        try
        {
            while (rest.hasRemaining())
            {
                channel.write(rest);
            }
            written(batch);
        }
        catch (final IOException | RuntimeException ex)
        {
            fail(batch);
        }
    }

    private void written(final RequestBatch batch)
    {
        output.clear();
        output.shrinkIfEmpty(); // a large reply's buffer goes back now, not when the client next sends something
        flushedNs = System.nanoTime();
        connection.replied();
        if (connection.closing())
        {
            connection.stopReading();
        }
        batch.finish();
    }

    private void fail(final RequestBatch batch)
    {
        failed = true;
        connection.stopReading();
        batch.finish();
    }

    /**
     * Connection thread, before publishing: true to have the engine queue the batch's replies only when the
     * connection's outbox is in use (in order with what it pushes) and otherwise leave them to the connection.
     */
    void leaveToConnection(final boolean leave)
    {
        this.leaveToConnection = leave;
    }

    /**
     * @return true when the last batch's replies went to the connection's outbox.
     */
    boolean pushed()
    {
        return pushed;
    }

    /**
     * @return true when the last batch's replies could not be written (or must not be): the connection must close.
     */
    boolean failed()
    {
        return failed;
    }

    /**
     * @return the reply buffer's position when the last batch had executed, before the write cleared it.
     */
    int replyEnd()
    {
        return replyEnd;
    }

    /**
     * @return {@link System#nanoTime()} when the last batch's replies were written.
     */
    long flushedNs()
    {
        return flushedNs;
    }
}
