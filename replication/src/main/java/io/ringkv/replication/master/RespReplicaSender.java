package io.ringkv.replication.master;

import io.ringkv.replication.log.RandomId;
import io.ringkv.replication.log.ReplicaFeed;
import io.ringkv.replication.log.RespBacklog;
import io.ringkv.replication.snapshot.RdbSnapshotFile;
import io.ringkv.replication.snapshot.Snapshot;
import org.agrona.ExpandableArrayBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Serves one Redis-protocol replica (a redis-server with {@code replicaof} pointing here) over the connection that
 * sent PSYNC or SYNC, on its own platform thread, as a Redis master does: for a full sync, {@code +FULLRESYNC replid
 * offset}, then the snapshot as an RDB payload, diskless ({@code $EOF:<mark>}, the file streamed to the socket, the
 * mark) or disk-based ({@code $<length>} and a temporary file's bytes); for a partial sync {@code +CONTINUE replid};
 * then (after a diskless payload, once the replica's first acknowledgement says it found the end mark) the RESP
 * command stream: the bytes the {@link RespBacklog} holds from the replica's offset up to where its
 * {@link ReplicaFeed} (its output buffer) starts, then the feed. It reads the replica's {@code REPLCONF ACK offset}
 * (Redis's byte offsets) without blocking, in one selector.
 * <p>
 * A replica that stops reading is dropped, never waited for: while the payload is sent, after {@code repl-timeout}
 * without progress; while streaming, when its feed passes the replica output limit or it has acknowledged nothing
 * for {@code repl-timeout}. A replica whose full sync finds the snapshot busy (a BGSAVE, a rewrite, another sync)
 * waits for it, receiving a newline each second, as Redis's replicas waiting for a BGSAVE do. Anything but REPLCONF,
 * PING and newlines from the replica, or an acknowledgement past the stream's end, is a protocol error: the replica
 * is dropped with a log line saying why. The fields INFO and WAIT read are volatile; the rest is the thread's own.
 */
public final class RespReplicaSender
{
    /** Most stream bytes copied from the backlog at once. */
    static final int BACKLOG_CHUNK_BYTES = 256 * 1024;
    /** A replica waiting for its snapshot gets a newline this often (Redis: each replicationCron second). */
    static final long KEEPALIVE_INTERVAL_MS = 1000;

    private static final String[] STATE_NAMES = {"wait_bgsave", "send_bulk", "online"};
    private static final int WAIT_BGSAVE = 0;
    private static final int SEND_BULK = 1;
    private static final int ONLINE = 2;

    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int ABANDONED = 2;

    private final RespReplicaOwner owner;
    private final java.util.concurrent.atomic.AtomicInteger lifecycle = new java.util.concurrent.atomic.AtomicInteger();
    private final long createdMs = System.currentTimeMillis();
    private SocketChannel channel;
    private volatile String ip = "?";
    private final int port;
    private final String replid;
    private final RespBacklog backlog;
    private final ReplicaFeed feed;
    private final long continueOffset;
    private final boolean fullResyncLine;
    private final boolean diskless;
    private final Path tempDirectory;
    private final RdbSnapshotFile rdbFile;
    private final long outputLimitBytes;
    private final LongSupplier timeoutMs;
    private final ReplicaOutput output = new ReplicaOutput();
    private final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(64 * 1024);
    private final ReplicaRequestReader requests = new ReplicaRequestReader();
    private final ReplicaRequests replicaRequests = new ReplicaRequests();
    private final TimedWrites timedWrites = new TimedWrites();
    private Selector selector;
    private SelectionKey key;
    private Thread thread;
    private long nextOffset;
    private final java.util.concurrent.atomic.AtomicBoolean snapshotReleased =
        new java.util.concurrent.atomic.AtomicBoolean();

    private volatile Snapshot snapshot;
    private volatile RdbSnapshotFile.Header header;
    private volatile boolean closed;
    private volatile int state;
    private volatile long ackOffset = -1;
    private volatile long lastAckMs = System.currentTimeMillis();

    /**
"     * @param owner            the node.
     * @param port             its listening port (REPLCONF listening-port), for INFO.
     * @param replid           the replication id answered.
     * @param backlog          the stream's backlog.
     * @param feed             the replica's output buffer, attached to the stream.
     * @param continueOffset   the offset a partial sync continues from; -1 for a full sync.
     * @param fullResyncLine   false for the old SYNC, which gets the payload without {@code +FULLRESYNC}.
     * @param diskless         send the payload EOF-marked, straight from the snapshot.
     * @param tempDirectory    where a disk-based payload's temporary file goes.
     * @param rdbFile          writes the payload.
     * @param outputLimitBytes the feed's limit, for the message when it is passed.
     * @param timeoutMs        repl-timeout.
     */
    public RespReplicaSender(final RespReplicaOwner owner, final int port, final String replid,
        final RespBacklog backlog, final ReplicaFeed feed,
        final long continueOffset, final boolean fullResyncLine, final boolean diskless, final Path tempDirectory,
        final RdbSnapshotFile rdbFile, final long outputLimitBytes, final LongSupplier timeoutMs)
    {
        this.owner = owner;
        this.port = port;
        this.replid = replid;
        this.backlog = backlog;
        this.feed = feed;
        this.continueOffset = continueOffset;
        this.fullResyncLine = fullResyncLine;
        this.diskless = diskless;
        this.tempDirectory = tempDirectory;
        this.rdbFile = rdbFile;
        this.outputLimitBytes = outputLimitBytes;
        this.timeoutMs = timeoutMs;
        this.state = continueOffset >= 0 ? ONLINE : WAIT_BGSAVE;
    }

    /**
     * Engine thread: the snapshot of this replica's full sync has started (its feed is attached at its offset).
     */
    public void assign(final Snapshot snapshot, final RdbSnapshotFile.Header header)
    {
        this.header = header;
        this.snapshot = snapshot;
        if (closed)
        {
            releaseSnapshot("the replica went away before its sync began"); // its thread may have ended already
        }
    }

    /**
     * Give the snapshot back, once, whoever comes first: the thread as it ends, {@link #assign} for a sender that
     * ended meanwhile, {@link #abandonIfNotStarted}.
     */
    private void releaseSnapshot(final String abortReason)
    {
        final Snapshot snapshot = this.snapshot;
        if (snapshot != null && snapshotReleased.compareAndSet(false, true))
        {
            if (abortReason != null)
            {
                snapshot.abort(abortReason);
            }
            snapshot.release();
        }
    }

    /**
     * @return true while a full sync waits for the snapshot task.
     */
    public boolean waitingForSnapshot()
    {
        return continueOffset < 0 && snapshot == null && !closed;
    }

    /**
     * @return true once the connection was handed over to the sender.
     */
    public boolean started()
    {
        return lifecycle.get() == STARTED;
    }

    /**
     * Connection thread (the hand-over): serve the replica on {@code channel} from now on.
     *
     * @param channel the replica's connection (blocking mode, as handed over).
     * @param ip      its address, for INFO.
     */
    public void start(final SocketChannel channel, final String ip)
    {
        this.channel = channel;
        this.ip = ip;
        if (!lifecycle.compareAndSet(NEW, STARTED))
        {
            try
            {
                channel.close(); // given up before the hand-over came
            }
            catch (final IOException ignore)
            {
                // Closing anyway.
            }
            return;
        }
        feed.claim();
        thread = Thread.ofPlatform().name("ringkv-resp-replica-" + ip + ":" + port).daemon().start(this::run);
    }

    /**
     * Engine thread: give the sync up if its connection was never handed over within {@code timeoutMs} (it closed
     * between PSYNC and the hand-over): its snapshot is released.
     *
     * @return true when given up (the caller forgets the sender).
     */
    public boolean abandonIfNotStarted(final long nowMs, final long timeoutMs)
    {
        if (nowMs - createdMs < timeoutMs || !lifecycle.compareAndSet(NEW, ABANDONED))
        {
            return false;
        }
        closed = true;
        releaseSnapshot("the replica went away before its sync began");
        return true;
    }

    /**
     * Any thread: drop the replica.
     */
    public void close()
    {
        closed = true;
        final Selector selector = this.selector;
        if (selector != null)
        {
            selector.wakeup();
        }
    }

    /**
     * Wait (bounded) for the sender's thread to end.
     */
    public void awaitEnd(final long timeoutMs) throws InterruptedException
    {
        final Thread thread = this.thread;
        if (thread != null)
        {
            thread.join(timeoutMs);
        }
    }

    public String ip()
    {
        return ip;
    }

    public int port()
    {
        return port;
    }

    public String state()
    {
        return STATE_NAMES[state];
    }

    /**
     * @return the byte offset the replica acknowledged last (-1 before its first acknowledgement).
     */
    public long ackOffset()
    {
        return ackOffset;
    }

    public long lastAckMs()
    {
        return lastAckMs;
    }

    public ReplicaFeed feed()
    {
        return feed;
    }

    /**
     * @return the snapshot this sender holds (engine thread: given back when the sender ends), or null.
     */
    public Snapshot snapshot()
    {
        return snapshot;
    }

    private void run()
    {
        try
        {
            selector = Selector.open();
            channel.configureBlocking(false);
            key = channel.register(selector, SelectionKey.OP_READ);
            if (continueOffset >= 0)
            {
                owner.requestSnapshotStep(); // a slot soon, where the stream adopts the feed
                writeAll("+CONTINUE " + replid + "\r\n");
                nextOffset = continueOffset;
            }
            else
            {
                fullSync();
            }
            state = ONLINE;
            lastAckMs = System.currentTimeMillis();
            stream();
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!closed)
            {
                owner.log("Replica " + ip + ":" + port + " dropped: " + ex.getMessage());
            }
        }
        finally
        {
            closed = true;
            releaseSnapshot("the replica went away");
            output.free();
            try
            {
                channel.close();
                if (selector != null)
                {
                    selector.close();
                }
            }
            catch (final IOException ignore)
            {
                // Closing anyway.
            }
            owner.removed(this);
        }
    }

    private void fullSync() throws IOException
    {
        long lastNewlineMs = System.currentTimeMillis();
        long assignedMs = 0;
        while (snapshot == null || feed.startRecord() == Long.MAX_VALUE)
        {
            ensureOpen();
            if (snapshot != null && assignedMs == 0)
            {
                assignedMs = System.currentTimeMillis();
            }
            if (assignedMs != 0 && System.currentTimeMillis() - assignedMs > 10_000)
            {
                throw new IOException("the change stream did not take the replica on at the snapshot's offset");
            }
            final long nowMs = System.currentTimeMillis();
            if (nowMs - lastNewlineMs >= KEEPALIVE_INTERVAL_MS)
            {
                writeAll("\n"); // keeps the replica's repl-timeout from firing while it waits, as Redis does
                lastNewlineMs = nowMs;
            }
            readInput();
            owner.requestSnapshotStep();
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(snapshot == null ? 10 : 1));
        }
        final Snapshot snapshot = this.snapshot;
        final long offset = feed.startRecord();
        if (fullResyncLine)
        {
            writeAll("+FULLRESYNC " + replid + " " + offset + "\r\n");
        }
        state = SEND_BULK;
        final long startMs = System.currentTimeMillis();
        final long bytes;
        if (diskless)
        {
            final String mark = RandomId.next();
            writeAll("$EOF:" + mark + "\r\n");
            bytes = rdbFile.write(timedWrites, header, snapshot, null, owner::requestSnapshotStep);
            writeAll(mark);
        }
        else
        {
            bytes = sendThroughFile(snapshot);
        }
        releaseSnapshot(null);
        nextOffset = offset;
        owner.log("Synchronization with replica " + ip + ":" + port + " succeeded: " + bytes + " bytes of RDB " +
            (diskless ? "streamed (diskless)" : "sent from disk") + " in " + (System.currentTimeMillis() - startMs) +
            " ms, offset " + offset);
    }

    /**
     * Disk-based: write the payload to a temporary file (newlines keep the replica waiting meanwhile), then send
     * {@code $<length>} and the file.
     */
    private long sendThroughFile(final Snapshot snapshot) throws IOException
    {
        final Path file = Files.createTempFile(tempDirectory, "temp-repl-", ".rdb");
        try
        {
            final Thread keepalive = Thread.ofVirtual().start(() ->
            {
                while (!Thread.currentThread().isInterrupted() && !closed)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(KEEPALIVE_INTERVAL_MS));
                    if (Thread.currentThread().isInterrupted())
                    {
                        return;
                    }
                    try
                    {
                        writeAll("\n");
                    }
                    catch (final IOException ex)
                    {
                        close();
                        return;
                    }
                }
            });
            final long length;
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                length = rdbFile.write(out, header, snapshot, null, owner::requestSnapshotStep);
            }
            finally
            {
                keepalive.interrupt();
                try
                {
                    keepalive.join();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            ensureOpen();
            writeAll("$" + length + "\r\n");
            final ByteBuffer chunk = ByteBuffer.allocateDirect(BACKLOG_CHUNK_BYTES);
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ))
            {
                while (in.read(chunk) >= 0 && (chunk.position() > 0 || in.position() < length))
                {
                    chunk.flip();
                    timedWrites.write(chunk);
                    chunk.clear();
                }
            }
            return length;
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The command stream: the backlog's bytes up to the feed's start (a partial sync), then the feed, which the
     * encoder fills as it goes; acknowledgements are read in between.
     */
    private void stream() throws IOException
    {
        final Selector selector = this.selector;
        if (diskless && continueOffset < 0)
        {
            // As Redis 7.0: after an EOF-marked payload, nothing until the replica's first REPLCONF ACK. The replica
            // reads the payload in chunks and looks for the mark at a chunk's end, so stream bytes right behind the
            // mark would hide it (the replica would wait for the rest of the payload until its repl-timeout).
            while (ackOffset < 0)
            {
                ensureOpen();
                if (feed.overflowed())
                {
                    throw new IOException("its output buffer passed the replica limit of " + outputLimitBytes +
                        " bytes (client-output-buffer-limit replica) while it loaded the payload");
                }
                readInput();
                final long waitedMs = System.currentTimeMillis() - lastAckMs;
                if (waitedMs > timeoutMs.getAsLong())
                {
                    throw new IOException("timeout: no acknowledgement of the payload for " + waitedMs +
                        " ms (repl-timeout)");
                }
                key.interestOps(SelectionKey.OP_READ);
                selector.select(100);
                selector.selectedKeys().clear();
            }
        }
        feed.wakeWith(selector::wakeup);
        feed.producerWrites(channel);
        while (!closed)
        {
            if (feed.overflowed())
            {
                throw new IOException("its output buffer passed the replica limit of " + outputLimitBytes +
                    " bytes (client-output-buffer-limit replica)");
            }
            final long backlogEnd = backlog.endOffset();
            final long feedStart = feed.startRecord(); // read after the backlog's end: see RespChangeStream.adopt
            final boolean catchingUp = nextOffset < feedStart;
            if (catchingUp && output.pendingBytes() < BACKLOG_CHUNK_BYTES)
            {
                copyBacklog(Math.min(feedStart, backlogEnd));
            }
            boolean sentAll = flushOutput();
            if (sentAll && !catchingUp)
            {
                sentAll = feed.writeTo(channel);
            }
            readInput();
            final long nowMs = System.currentTimeMillis();
            final long timeout = timeoutMs.getAsLong();
            if (nowMs - lastAckMs > timeout)
            {
                throw new IOException("timeout: no acknowledgement for " + (nowMs - lastAckMs) + " ms (repl-timeout)");
            }
            if (!sentAll)
            {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                selector.select(100);
            }
            else if (catchingUp)
            {
                key.interestOps(SelectionKey.OP_READ);
                selector.select(1);
            }
            else
            {
                key.interestOps(SelectionKey.OP_READ);
                if (feed.armWait())
                {
                    selector.select(100);
                }
                feed.disarm();
            }
            selector.selectedKeys().clear();
        }
    }

    private void copyBacklog(final long until) throws IOException
    {
        if (nextOffset >= until)
        {
            return;
        }
        final int length = (int)Math.min(until - nextOffset, BACKLOG_CHUNK_BYTES);
        if (!backlog.copy(nextOffset, copy, 0, length))
        {
            throw new IOException("fell out of the replication backlog at offset " + nextOffset);
        }
        output.sink().raw(copy, 0, length);
        nextOffset += length;
    }

    private boolean flushOutput() throws IOException
    {
        return output.flush(channel);
    }

    /**
     * Read what the replica sent, without blocking, and handle each complete request.
     */
    private void readInput() throws IOException
    {
        requests.read(channel, replicaRequests);
    }

    private void ensureOpen() throws IOException
    {
        if (closed)
        {
            throw new IOException("closed");
        }
    }

    private void writeAll(final String text) throws IOException
    {
        timedWrites.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * What the replica may send: REPLCONF ACK (its offset), other REPLCONFs, PING and newlines (liveness).
     */
    private final class ReplicaRequests implements ReplicaRequestReader.Handler
    {
        @Override
        public void newline()
        {
            lastAckMs = System.currentTimeMillis(); // a replica loading the payload sends newlines, as a ping
        }

        @Override
        public void request(final byte[][] args, final int argc) throws IOException
        {
            final String name = new String(args[0], StandardCharsets.US_ASCII);
            if (name.equalsIgnoreCase("REPLCONF") && argc >= 3 &&
                new String(args[1], StandardCharsets.US_ASCII).equalsIgnoreCase("ACK"))
            {
                final long offset = ReplicaRequestReader.number(args[2], 0, args[2].length);
                if (offset < 0)
                {
                    throw new IOException("protocol error: bad REPLCONF ACK offset '" +
                        new String(args[2], StandardCharsets.US_ASCII) + "'");
                }
                final long end = backlog.endOffset();
                if (offset > end)
                {
                    throw new IOException("acknowledged offset " + offset + " is past the stream's end " + end);
                }
                lastAckMs = System.currentTimeMillis();
                if (offset > ackOffset)
                {
                    ackOffset = offset;
                    owner.acknowledged();
                }
                return;
            }
            if (name.equalsIgnoreCase("REPLCONF") || name.equalsIgnoreCase("PING"))
            {
                lastAckMs = System.currentTimeMillis();
                return;
            }
            throw new IOException("protocol error: unexpected command '" +
                (name.length() > 32 ? name.substring(0, 32) + "..." : name) + "' from the replica");
        }
    }

    /**
     * Writes to the non-blocking socket, waiting (in the selector) while it is full, and failing once it has taken
     * nothing for {@code repl-timeout}: the payload's writes, which must not hold the snapshot for a replica that
     * stopped reading. Writes are serialized (a lock, not a monitor: the disk-based payload's keepalive is a
     * virtual thread writing through it too).
     */
    private final class TimedWrites implements WritableByteChannel
    {
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();

        @Override
        public int write(final ByteBuffer source) throws IOException
        {
            lock.lock();
            try
            {
                return writeLocked(source);
            }
            finally
            {
                lock.unlock();
            }
        }

        private int writeLocked(final ByteBuffer source) throws IOException
        {
            int total = 0;
            long lastProgressMs = System.currentTimeMillis();
            while (source.hasRemaining())
            {
                ensureOpen();
                final int written = channel.write(source);
                final long nowMs = System.currentTimeMillis();
                if (written > 0)
                {
                    total += written;
                    lastProgressMs = nowMs;
                    continue;
                }
                if (nowMs - lastProgressMs > timeoutMs.getAsLong())
                {
                    throw new IOException("timeout: the replica read nothing for " + (nowMs - lastProgressMs) +
                        " ms (repl-timeout)");
                }
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                selector.select(100);
                selector.selectedKeys().clear();
            }
            return total;
        }

        @Override
        public boolean isOpen()
        {
            return channel.isOpen();
        }

        @Override
        public void close()
        {
        }
    }
}
