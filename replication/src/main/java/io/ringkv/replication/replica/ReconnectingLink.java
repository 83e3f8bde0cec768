package io.ringkv.replication.replica;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * What every link to a master does whatever its protocol: one virtual thread that connects and serves
 * ({@link #serve()}) until the connection fails, logs why, and tries again after a pause, until {@link #stop()}.
 * Subclasses speak the protocol; status fields are volatile for INFO and ROLE, {@link #stop()} may be called from
 * any thread and returns at once (REPLICAOF runs on the engine thread and must not wait).
 */
public abstract class ReconnectingLink implements ReplicaLink
{
    private final String host;
    private final int port;
    private final String threadName;
    private final long retryDelayMs;
    /** Where notices go. */
    protected final Consumer<String> log;
    /** False once stopped. */
    protected volatile boolean running = true;
    /** "down", "connecting", "sync" or "up". */
    protected volatile String linkStatus = "down";
    /** When the master last sent anything (Unix ms). */
    protected volatile long lastIoMs;
    private volatile String lastError;
    private Thread thread;

    /**
     * @param threadName   the link thread's name, before "host:port".
     * @param retryDelayMs pause after a failed connection.
     */
    protected ReconnectingLink(final String host, final int port, final String threadName, final long retryDelayMs,
        final Consumer<String> log)
    {
        this.host = host;
        this.port = port;
        this.threadName = threadName;
        this.retryDelayMs = retryDelayMs;
        this.log = log;
    }

    /**
     * Connect to the master and serve the connection until it fails (throws) or the link is stopped (returns).
     */
    protected abstract void serve() throws IOException;

    /**
     * Any thread: close the current connection, if any, so that {@link #serve()} ends.
     */
    protected abstract void closeConnection();

    /**
     * Link thread, after a failed connection's pause: wait longer if asked to (tests' faults).
     */
    protected void afterRetryDelay()
    {
    }

    @Override
    public void start()
    {
        thread = Thread.ofVirtual().name(threadName + host + ":" + port).start(this::run);
    }

    @Override
    public void stop()
    {
        running = false;
        closeConnection();
        final Thread thread = this.thread;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void disconnect()
    {
        closeConnection();
    }

    @Override
    public void join(final long timeoutMs) throws InterruptedException
    {
        final Thread thread = this.thread;
        if (thread != null)
        {
            thread.join(timeoutMs);
        }
    }

    @Override
    public String host()
    {
        return host;
    }

    @Override
    public int port()
    {
        return port;
    }

    @Override
    public String linkStatus()
    {
        return linkStatus;
    }

    @Override
    public boolean syncInProgress()
    {
        return "sync".equals(linkStatus);
    }

    @Override
    public long lastIoMs()
    {
        return lastIoMs;
    }

    @Override
    public String lastError()
    {
        return lastError;
    }

    private void run()
    {
        while (running)
        {
            try
            {
                serve();
            }
            catch (final IOException | RuntimeException ex)
            {
                if (running)
                {
                    lastError = ex.getMessage();
                    log.accept("MASTER <-> REPLICA link to " + host + ":" + port + " lost: " + ex.getMessage());
                }
            }
            finally
            {
                linkStatus = "down";
                closeConnection();
            }
            if (running)
            {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(retryDelayMs));
            }
            afterRetryDelay();
        }
    }
}
