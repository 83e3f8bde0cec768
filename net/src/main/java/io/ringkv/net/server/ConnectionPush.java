package io.ringkv.net.server;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.PushChannel;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.ReplyBuffer;
import io.ringkv.net.server.config.OutputBufferLimits;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A connection's outbox: the bytes the engine sends it without being asked (Pub/Sub messages, MONITOR lines,
 * tracking invalidations) and, once it has been pushed to, its replies too, so that both leave in the order the
 * engine produced them. The engine appends to a {@link OneToOneByteQueue} (no lock, nothing allocated per message)
 * and wakes the connection's writer thread only when that thread is parked; the writer, a virtual thread the
 * connection starts when its outbox is first used, writes the queued bytes straight out of the queue with
 * blocking writes, as many as the socket takes per write, and parks when the queue is empty. A slow reader
 * therefore never holds the engine.
 * <p>
 * Bounded: before each append the engine compares the bytes queued with the connection's class of
 * {@code client-output-buffer-limit} (pubsub for a subscriber or a monitor, normal otherwise; a hard limit, and a
 * soft limit that may be exceeded for its seconds), and a connection over it is disconnected, as Redis's
 * checkClientOutputBufferLimits does, instead of the server's memory growing.
 * <p>
 * The connection's own thread writes only what it answered itself (a parse error, a batch that had to be executed
 * on it): it hands those bytes to the writer ({@link #writeOwn(ByteBuffer)}), which writes them once it has
 * written what the engine queued before.
 * <p>
 * Threads: {@link #push}, {@link #open()} on the engine thread; {@link #writeOwn} and {@link #close()} on the
 * connection's thread; the rest on the writer.
 */
final class ConnectionPush implements PushChannel
{
    /** How long a closing connection lets its writer send what is queued before cutting it off. */
    private static final long CLOSE_DRAIN_MS = 500;

    private final ClientConnection connection;
    private final SocketChannel channel;
    private final ClientSession session;
    private final OutputBufferLimits limits;
    private final boolean jsonLines;
    private final RequestBatch batch;
    private final ReplyBuffer output;

    private OneToOneByteQueue queue;
    /** Bytes at the start of the reply buffer already queued: replies flushed ahead of a message (engine thread). */
    private int flushedReplyBytes;
    private long softLimitSinceMs;
    private volatile Thread writer;
    private volatile boolean active;
    private volatile boolean waiting;
    private volatile boolean closing;
    private volatile boolean closed;
    private volatile ByteBuffer own;
    private volatile Thread ownWriter;

    ConnectionPush(
        final ClientConnection connection, final SocketChannel channel, final ClientSession session,
        final OutputBufferLimits limits, final boolean jsonLines, final RequestBatch batch, final ReplyBuffer output)
    {
        this.batch = batch;
        this.output = output;
        this.connection = connection;
        this.channel = channel;
        this.session = session;
        this.limits = limits;
        this.jsonLines = jsonLines;
    }

    @Override
    public boolean jsonLines()
    {
        return jsonLines;
    }

    @Override
    public boolean closed()
    {
        return closed || closing;
    }

    @Override
    public void open()
    {
        if (active || closing || closed)
        {
            return;
        }
        queue = new OneToOneByteQueue();
        writer = Thread.ofVirtual().name("ringkv-outbox-", connection.id()).start(this::drain);
        active = true;
    }

    /**
     * @return true once the connection's output goes through this outbox.
     */
    boolean active()
    {
        return active;
    }

    @Override
    public boolean push(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closing || closed)
        {
            return false;
        }
        open();
        // While its batch is in flight the engine owns the connection's reply buffer: the replies completed so far
        // were made before this message and go first, as Redis appends both to one client buffer.
        return (batch.isComplete() || flushReplies()) && append(buffer, offset, length);
    }

    private boolean flushReplies()
    {
        final int boundary = output.completedPosition();
        final int from = flushedReplyBytes;
        if (boundary <= from)
        {
            return true;
        }
        flushedReplyBytes = boundary;
        return append(output.buffer(), from, boundary - from);
    }

    /**
     * Engine thread, at the end of the connection's batch: queue its replies (those not flushed ahead of a
     * message yet).
     *
     * @return false when the connection is gone or over its output limit.
     */
    boolean pushReplies()
    {
        final int end = output.position();
        final int from = flushedReplyBytes;
        flushedReplyBytes = 0;
        if (closing || closed)
        {
            return false;
        }
        return end <= from || append(output.buffer(), from, end - from);
    }

    /**
     * The connection's thread, once its batch is complete: how many bytes at the start of its reply buffer were
     * already queued (they must not be sent again).
     */
    int takeFlushedReplyBytes()
    {
        final int flushed = flushedReplyBytes;
        flushedReplyBytes = 0;
        return flushed;
    }

    private boolean append(final DirectBuffer buffer, final int offset, final int length)
    {
        final OneToOneByteQueue queue = this.queue;
        if (overLimit(queue.pending() + length))
        {
            closed = true;
            connection.kill(); // Redis's client-output-buffer-limit: the client is closed, its output dropped
            LockSupport.unpark(writer);
            return false;
        }
        queue.offer(buffer, offset, length);
        if (waiting)
        {
            LockSupport.unpark(writer);
        }
        return true;
    }

    /**
     * Redis's checkClientOutputBufferLimits: over the hard limit at once; over the soft limit once it has been so
     * for longer than its seconds. Subscribers and monitors are in the pubsub class (Redis puts monitors in the
     * normal one, which is unlimited by default; ringkv bounds them).
     */
    private boolean overLimit(final long pendingBytes)
    {
        final int limitClass = session.subscriptions() > 0 || session.monitor() ?
            OutputBufferLimits.PUBSUB : OutputBufferLimits.NORMAL;
        final long hard = limits.hardBytes(limitClass);
        if (hard > 0 && pendingBytes >= hard)
        {
            return true;
        }
        final long soft = limits.softBytes(limitClass);
        if (soft > 0 && pendingBytes >= soft)
        {
            final long nowMs = System.currentTimeMillis();
            if (softLimitSinceMs == 0)
            {
                softLimitSinceMs = nowMs;
                return false;
            }
            return (nowMs - softLimitSinceMs) / 1000 > limits.softSeconds(limitClass);
        }
        softLimitSinceMs = 0;
        return false;
    }

    /** The writer thread: write what is queued, then the connection's own bytes, park when there is nothing. */
    private void drain()
    {
        final OneToOneByteQueue queue = this.queue;
        try
        {
            while (true)
            {
                final ByteBuffer chunk = queue.readable();
                if (null != chunk)
                {
                    final int start = chunk.position();
                    channel.write(chunk);
                    queue.consumed(chunk.position() - start);
                    continue;
                }
                final ByteBuffer own = this.own;
                if (null != own)
                {
                    while (own.hasRemaining())
                    {
                        channel.write(own);
                    }
                    this.own = null;
                    LockSupport.unpark(ownWriter);
                    continue;
                }
                if (closing || closed)
                {
                    return;
                }
                waiting = true;
                if (queue.isEmpty() && null == this.own && !closing && !closed)
                {
                    LockSupport.park(this);
                }
                waiting = false;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            closed = true;
            connection.stopReading();
        }
        finally
        {
            final Thread waiter = ownWriter;
            if (null != waiter)
            {
                LockSupport.unpark(waiter);
            }
        }
    }

    /**
     * The connection's thread: send bytes it answered itself, after everything the engine queued before, and wait
     * until they are written.
     *
     * @throws IOException when the connection failed or closed first.
     */
    void writeOwn(final ByteBuffer bytes) throws IOException
    {
        final Thread writer = this.writer;
        ownWriter = Thread.currentThread();
        own = bytes;
        LockSupport.unpark(writer);
        while (null != own && writer.isAlive())
        {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (null != own)
        {
            own = null;
            throw new IOException("connection closed");
        }
    }

    /**
     * The connection's thread, before it closes the channel: nothing more is accepted; the writer sends what is
     * queued (a QUIT's reply) and ends, or is cut off by a shutdown of the socket when the client does not read.
     */
    void close()
    {
        closing = true;
        final Thread running = writer;
        if (null == running)
        {
            return;
        }
        LockSupport.unpark(running);
        try
        {
            if (!running.join(java.time.Duration.ofMillis(CLOSE_DRAIN_MS)))
            {
                connection.kill();
                running.join();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
