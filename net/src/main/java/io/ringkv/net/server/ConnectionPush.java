package io.ringkv.net.server;

import io.ringkv.core.command.PushChannel;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection's output for bytes the engine pushes to it (MONITOR lines now; Pub/Sub and tracking next): the
 * engine appends, writes at once with a non-blocking write when nothing is queued, and leaves what the socket does
 * not take to a writer virtual thread started on demand, as {@link EngineReplyWriter} does for a batch's replies.
 * The queue is bounded by {@link #OUTPUT_LIMIT_BYTES}: a client that reads too slowly is disconnected (Redis's
 * client-output-buffer-limit), never held in the engine's memory and never waited for by the engine.
 * <p>
 * Once a connection has been pushed to, every byte it is sent goes through here (its own replies too, see
 * {@link #active()}), so pushed lines and replies leave in the order they were produced.
 * <p>
 * The lock guards the queue only for an append or a buffer swap (and the engine's non-blocking write, which never
 * waits); the writer thread writes outside it.
 */
final class ConnectionPush implements PushChannel
{
    /**
     * Most bytes queued for a connection before it is disconnected: Redis's hard limit of the pubsub class (32 MB).
     * Redis puts monitors in the normal class, unlimited by default; ringkv bounds them so that a monitor that does
     * not read cannot grow the server's memory without end.
     */
    static final int OUTPUT_LIMIT_BYTES = 32 * 1024 * 1024;
    private static final int INITIAL_CAPACITY = 16 * 1024;

    private final ClientConnection connection;
    private final SocketChannel channel;
    private final FileDescriptor fd;
    private final int limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Runnable drain = this::drain;

    private ExpandableDirectByteBuffer queue;
    private ExpandableDirectByteBuffer writing;
    private int queued;
    private int inFlight;
    private Thread writer;
    private boolean closed;
    private volatile boolean active;

    ConnectionPush(final ClientConnection connection, final SocketChannel channel, final int limit)
    {
        this.connection = connection;
        this.channel = channel;
        this.fd = NonBlockingSocketWrite.descriptor(channel);
        this.limit = limit;
    }

    @Override
    public void open()
    {
        active = true;
    }

    /**
     * @return true once the connection's output goes through this queue.
     */
    boolean active()
    {
        return active;
    }

    @Override
    public boolean push(final DirectBuffer buffer, final int offset, final int length)
    {
        active = true;
        lock.lock();
        try
        {
            if (closed)
            {
                return false;
            }
            if (queued + inFlight + (long)length > limit)
            {
                closed = true;
                connection.kill(); // over the output limit, as Redis's client-output-buffer-limit
                return false;
            }
            if (null == queue)
            {
                queue = new ExpandableDirectByteBuffer(INITIAL_CAPACITY);
                writing = new ExpandableDirectByteBuffer(INITIAL_CAPACITY);
            }
            queue.putBytes(queued, buffer, offset, length);
            queued += length;
            if (null == writer)
            {
                writeNow();
            }
            return !closed;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Under the lock with no writer running: one non-blocking write; the rest goes to a writer thread. */
    private void writeNow()
    {
        final ByteBuffer pending = queue.byteBuffer();
        pending.limit(queued).position(0);
        try
        {
            if (NonBlockingSocketWrite.write(fd, pending))
            {
                queued = 0;
                return;
            }
        }
        catch (final IOException ex)
        {
            closed = true;
            connection.stopReading();
            return;
        }
        final int written = pending.position();
        queue.putBytes(0, queue, written, queued - written);
        queued -= written;
        writer = Thread.ofVirtual().name("ringkv-push-", connection.id()).start(drain);
    }

    /** The writer thread: swaps the queue out, writes it with blocking writes, until the queue is empty. */
    private void drain()
    {
        while (true)
        {
            final ExpandableDirectByteBuffer batch;
            final int length;
            lock.lock();
            try
            {
                if (queued == 0 || closed)
                {
                    writer = null;
                    inFlight = 0;
                    return;
                }
                batch = queue;
                length = queued;
                queue = writing;
                writing = batch;
                queued = 0;
                inFlight = length;
            }
            finally
            {
                lock.unlock();
            }
            final ByteBuffer out = batch.byteBuffer();
            out.limit(length).position(0);
            try
            {
                while (out.hasRemaining())
                {
                    channel.write(out);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                lock.lock();
                try
                {
                    closed = true;
                    writer = null;
                    inFlight = 0;
                }
                finally
                {
                    lock.unlock();
                }
                connection.stopReading();
                return;
            }
            lock.lock();
            try
            {
                inFlight = 0;
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    /**
     * The connection's thread, before it closes the channel: nothing is pushed any more, and a writer still
     * blocked on a client that does not read is woken (by the shutdown) and waited for, so that nobody writes to a
     * descriptor number the next accepted connection may be given.
     */
    void close()
    {
        final Thread running;
        lock.lock();
        try
        {
            closed = true;
            running = writer;
        }
        finally
        {
            lock.unlock();
        }
        if (null != running)
        {
            connection.kill();
            try
            {
                running.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
