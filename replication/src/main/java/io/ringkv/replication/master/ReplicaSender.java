package io.ringkv.replication.master;

import io.ringkv.core.codec.JsonObjectCursor;
import io.ringkv.replication.ReplicationNode;
import io.ringkv.replication.log.JsonTextWriter;
import io.ringkv.replication.log.LogLineEncoder;
import io.ringkv.replication.log.ReplicationBacklog;
import io.ringkv.replication.snapshot.Snapshot;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.ringkv.replication.snapshot.SnapshotEntryDescriptor.*;

/**
 * Serves one replica over the connection that asked to sync: its own virtual thread writes the dump (full sync)
 * and then the log lines read from the {@link ReplicationBacklog}; a second one reads the replica's
 * acknowledgements. Nothing here can slow the engine: the sender only reads the backlog and the snapshot ring. A
 * sender that falls out of the backlog, or whose pending log outgrows its limit during a dump, drops the replica,
 * which then resyncs.
 * <p>
 * The fields INFO and WAIT read are volatile; everything else belongs to the writer thread.
 */
public final class ReplicaSender
{
    /** Largest dump message, in bytes of its data, before it is sent and another begins. */
    static final int DUMP_MESSAGE_BYTES = 64 * 1024;
    /** Most bytes copied from the backlog at once. */
    static final int BACKLOG_CHUNK_BYTES = 256 * 1024;
    /** A line is sent to an idle replica this often, so that its acknowledgements keep lag and liveness known. */
    static final long PING_INTERVAL_MS = 1000;

    private static final byte[] DUMP_OPEN = ascii("{\"cmd\":\"dump\",\"data\":{");
    private static final byte[] DB = ascii(",\"db\":");
    private static final byte[] PXAT_OPEN = ascii(",\"pxat\":{");
    private static final byte[] MORE = ascii(",\"more\":true}\n");
    private static final byte[] OFFSET = ascii(",\"offset\":");
    private static final byte[] PING = ascii("{\"cmd\":\"ping\"}\n");

    private final ReplicationNode node;
    private final ByteChannel channel;
    private final String ip;
    private final int port;
    private final long startOffset;
    private final Snapshot snapshot;
    private final long outputLimitBytes;
    private final ReplicationBacklog backlog;
    private final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(64 * 1024);
    private final JsonTextWriter out = new JsonTextWriter(64 * 1024);
    private final JsonTextWriter pxat = new JsonTextWriter(1024);
    private final JsonTextWriter pending = new JsonTextWriter(1024);
    private ByteBuffer writeView;
    private MutableDirectBuffer writeViewBuffer;
    private ReplicationBacklog.Waiter waiter;
    private long nextRecord;
    private long backlogPosition = -1;
    private int dumpDb;
    private int dumpEntries;
    private int pxatEntries;
    private boolean endSeen;
    private long dumped;
    private boolean snapshotReleased;
    private long lastWriteMs;
    private volatile boolean closed;
    private volatile Thread writer;
    private volatile String state;
    private volatile long ackOffset = -1;
    private volatile long lastAckMs;
    private volatile long peakPendingBytes;

    public ReplicaSender(final ReplicationNode node, final ByteChannel channel, final String ip, final int port,
        final long startOffset, final Snapshot snapshot, final long outputLimitBytes)
    {
        this.node = node;
        this.channel = channel;
        this.ip = ip;
        this.port = port;
        this.startOffset = startOffset;
        this.snapshot = snapshot;
        this.outputLimitBytes = outputLimitBytes;
        this.backlog = node.backlog();
        this.nextRecord = startOffset + 1;
        this.state = snapshot != null ? "send_bulk" : "online";
        this.lastAckMs = System.currentTimeMillis();
    }

    /**
     * Start the writer and the acknowledgement reader. The writer is a platform thread: it encodes a whole
     * snapshot and the log into JSON, long stretches of CPU work that on a virtual thread would hold the carrier
     * the connections and the engine share; the operating system time-slices a platform thread instead.
     */
    public void start()
    {
        writer = Thread.ofPlatform().daemon().name("ringkv-repl-sender-" + ip + ":" + port).start(this::runWriter);
        Thread.ofVirtual().name("ringkv-repl-acks-" + ip + ":" + port).start(this::runAckReader);
    }

    public String ip()
    {
        return ip;
    }

    public int port()
    {
        return port;
    }

    /**
     * @return "send_bulk" during the dump, "online" afterwards (Redis's names).
     */
    public String state()
    {
        return state;
    }

    /**
     * @return the last offset the replica acknowledged, -1 before any.
     */
    public long ackOffset()
    {
        return ackOffset;
    }

    public long lastAckMs()
    {
        return lastAckMs;
    }

    /**
     * @return most bytes of log held back during the dump.
     */
    public long peakPendingBytes()
    {
        return peakPendingBytes;
    }

    public long snapshotPeakBytes()
    {
        return snapshot == null ? 0 : snapshot.peakBytes();
    }

    /**
     * Wait until the writer thread, the one reader of the backlog, has ended (before the backlog is freed).
     *
     * @param timeoutMs most time to wait.
     */
    public void awaitWriterEnd(final long timeoutMs) throws InterruptedException
    {
        final Thread writer = this.writer;
        if (writer != null)
        {
            writer.join(timeoutMs);
        }
    }

    /**
     * Any thread: drop the replica (it will reconnect and resync).
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (snapshot != null && !snapshot.isComplete())
        {
            snapshot.abort("the replica went away");
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // Closing is all we wanted.
        }
        node.removed(this);
    }

    private void runWriter()
    {
        waiter = backlog.register(Thread.currentThread());
        lastWriteMs = System.currentTimeMillis();
        try
        {
            if (snapshot != null)
            {
                sendSnapshot();
                state = "online";
            }
            streamBacklog();
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!closed)
            {
                node.log("Replica " + ip + ":" + port + " dropped: " + ex.getMessage());
            }
        }
        finally
        {
            backlog.deregister(waiter);
            if (snapshot != null && !snapshotReleased)
            {
                snapshotReleased = true;
                snapshot.abort("the replica went away");
                snapshot.release();
            }
            close();
        }
    }

    private void sendSnapshot() throws IOException
    {
        final Snapshot snapshot = this.snapshot;
        final OneToOneRingBuffer ring = snapshot.ring();
        snapshot.reader(Thread.currentThread());
        final int half = ring.capacity() / 2;
        startDumpMessage();
        node.engine().requestTask();
        while (!endSeen)
        {
            if (closed)
            {
                throw new IOException("closed");
            }
            if (snapshot.abortReason() != null)
            {
                throw new IOException("full sync given up: " + snapshot.abortReason());
            }
            final int read = ring.read(this::onSnapshotMessage, 4096);
            if (ring.size() < half)
            {
                node.engine().requestTask();
            }
            drainBacklog(pending);
            if (pending.length() > peakPendingBytes)
            {
                peakPendingBytes = pending.length();
            }
            if (pending.length() > outputLimitBytes)
            {
                throw new IOException("the log held back during the dump passed " + outputLimitBytes + " bytes");
            }
            if (read == 0 && !endSeen)
            {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        snapshotReleased = true;
        snapshot.release();
        finishDumpMessage(false);
        node.log("Replica " + ip + ":" + port + ": dump at offset " + startOffset + " sent, " + dumped +
            " entries (" + snapshot.entriesCaptured() + " captured of " + snapshot.keysAtStart() + " keys)");
        if (pending.length() > 0)
        {
            write(pending.buffer(), pending.length());
            pending.reset();
        }
    }

    private void onSnapshotMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
        final int length)
    {
        if (msgTypeId == MSG_END)
        {
            endSeen = true;
            return;
        }
        final int db = buffer.getShort(index + DB_OFFSET);
        if (db != dumpDb && dumpEntries > 0)
        {
            flushDumpMessage();
        }
        dumpDb = db;
        final int keyLength = buffer.getInt(index + KEY_LENGTH_OFFSET);
        final int keyOffset = index + HEADER_LENGTH;
        final int valueOffset = keyOffset + keyLength;
        final int valueLength = length - HEADER_LENGTH - keyLength;
        final JsonTextWriter out = this.out;
        dumped++;
        if (dumpEntries++ > 0)
        {
            out.ascii((byte)',');
        }
        out.key(buffer, keyOffset, keyLength).ascii((byte)':');
        LogLineEncoder.value(out, buffer.getByte(index + TYPE_OFFSET), buffer.getByte(index + ENCODING_OFFSET),
            buffer, valueOffset, valueLength);
        final long expireAtMs = buffer.getLong(index + EXPIRE_AT_MS_OFFSET);
        if (expireAtMs != 0)
        {
            if (pxatEntries++ > 0)
            {
                pxat.ascii((byte)',');
            }
            pxat.key(buffer, keyOffset, keyLength).ascii((byte)':').number(expireAtMs);
        }
        if (out.length() + pxat.length() > DUMP_MESSAGE_BYTES)
        {
            flushDumpMessage();
        }
    }

    private void flushDumpMessage()
    {
        try
        {
            finishDumpMessage(true);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        startDumpMessage();
    }

    private void startDumpMessage()
    {
        out.reset();
        pxat.reset();
        out.ascii(DUMP_OPEN);
        dumpEntries = 0;
        pxatEntries = 0;
    }

    private void finishDumpMessage(final boolean more) throws IOException
    {
        final JsonTextWriter out = this.out;
        out.ascii((byte)'}');
        if (dumpDb != 0)
        {
            out.ascii(DB).number(dumpDb);
        }
        if (pxatEntries > 0)
        {
            out.ascii(PXAT_OPEN).raw(pxat.buffer(), 0, pxat.length()).ascii((byte)'}');
        }
        if (more)
        {
            out.ascii(MORE);
        }
        else
        {
            out.ascii(OFFSET).number(startOffset).ascii((byte)'}').ascii((byte)'\n');
        }
        write(out.buffer(), out.length());
        out.reset();
    }

    private void streamBacklog() throws IOException
    {
        while (!closed)
        {
            out.reset();
            drainBacklog(out);
            if (out.length() > 0)
            {
                write(out.buffer(), out.length());
                continue;
            }
            final long nowMs = System.currentTimeMillis();
            if (nowMs - lastWriteMs >= PING_INTERVAL_MS)
            {
                out.ascii(PING);
                write(out.buffer(), out.length());
                continue;
            }
            if (backlogPosition >= 0)
            {
                backlog.awaitData(waiter, backlogPosition, TimeUnit.MILLISECONDS.toNanos(100));
            }
            else
            {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    /**
     * Copy the log lines from {@link #nextRecord} on that the backlog holds into {@code sink}.
     */
    private void drainBacklog(final JsonTextWriter sink) throws IOException
    {
        if (backlogPosition < 0)
        {
            final long position = backlog.positionOf(nextRecord);
            if (position == ReplicationBacklog.NOT_YET)
            {
                return;
            }
            if (position == ReplicationBacklog.FELL_OUT)
            {
                throw new IOException("fell out of the replication backlog at offset " + nextRecord);
            }
            backlogPosition = position;
        }
        final long tail = backlog.tailPosition();
        final long available = tail - backlogPosition;
        if (available <= 0)
        {
            return;
        }
        int length = (int)Math.min(available, BACKLOG_CHUNK_BYTES);
        backlog.copy(backlogPosition, copy, 0, ReplicationBacklog.FRAME_HEADER_LENGTH);
        if (!backlog.isIntact(backlogPosition))
        {
            throw new IOException("fell out of the replication backlog at offset " + nextRecord);
        }
        final int firstFrame = ReplicationBacklog.FRAME_HEADER_LENGTH + copy.getInt(0);
        length = Math.max(length, firstFrame);
        backlog.copy(backlogPosition, copy, 0, length);
        if (!backlog.isIntact(backlogPosition))
        {
            throw new IOException("fell out of the replication backlog at offset " + nextRecord);
        }
        int index = 0;
        while (index + ReplicationBacklog.FRAME_HEADER_LENGTH <= length)
        {
            final int lineLength = copy.getInt(index + ReplicationBacklog.FRAME_LENGTH_OFFSET);
            if (index + ReplicationBacklog.FRAME_HEADER_LENGTH + lineLength > length)
            {
                break;
            }
            final long record = copy.getLong(index + ReplicationBacklog.FRAME_RECORD_OFFSET);
            if (record != nextRecord)
            {
                throw new IOException("replication backlog out of step: expected " + nextRecord + ", read " + record);
            }
            sink.raw(copy, index + ReplicationBacklog.FRAME_HEADER_LENGTH, lineLength);
            nextRecord++;
            index += ReplicationBacklog.FRAME_HEADER_LENGTH + lineLength;
        }
        backlogPosition += index;
    }

    private void write(final DirectBuffer source, final int length) throws IOException
    {
        final ByteBuffer view = view(source);
        view.limit(length).position(0);
        while (view.hasRemaining())
        {
            if (channel.write(view) < 0)
            {
                throw new IOException("replica closed the connection");
            }
        }
        lastWriteMs = System.currentTimeMillis();
    }

    private ByteBuffer view(final DirectBuffer source)
    {
        if (source != writeViewBuffer || writeView == null || writeView.capacity() < source.capacity())
        {
            writeViewBuffer = (MutableDirectBuffer)source;
            final ByteBuffer byteBuffer = ((ExpandableDirectByteBuffer)source).byteBuffer();
            writeView = byteBuffer.duplicate();
        }
        writeView.clear();
        return writeView;
    }

    private void runAckReader()
    {
        final ExpandableDirectByteBuffer input = new ExpandableDirectByteBuffer(4096);
        final JsonObjectCursor cursor = new JsonObjectCursor();
        int limit = 0;
        try
        {
            while (!closed)
            {
                if (limit == input.capacity())
                {
                    if (limit > 1024 * 1024)
                    {
                        throw new IOException("acknowledgement too long");
                    }
                    input.checkLimit(limit * 2);
                }
                final ByteBuffer view = input.byteBuffer().duplicate();
                view.limit(input.capacity()).position(limit);
                final int read = channel.read(view);
                if (read < 0)
                {
                    throw new IOException("replica closed the connection");
                }
                limit += read;
                int start = 0;
                while (true)
                {
                    final int end = JsonObjectCursor.frameEnd(input, start, limit);
                    if (end == JsonObjectCursor.INCOMPLETE)
                    {
                        break;
                    }
                    if (end == JsonObjectCursor.NOT_AN_OBJECT)
                    {
                        throw new IOException("replica sent something that is not a JSON object");
                    }
                    onAck(cursor, input, start, end);
                    start = end;
                }
                input.putBytes(0, input, start, limit - start);
                limit -= start;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!closed)
            {
                node.log("Replica " + ip + ":" + port + " link lost: " + ex.getMessage());
            }
        }
        finally
        {
            close();
        }
    }

    private void onAck(final JsonObjectCursor cursor, final DirectBuffer input, final int start, final int end)
        throws IOException
    {
        lastAckMs = System.currentTimeMillis();
        if (!cursor.wrap(input, start, end))
        {
            throw new IOException("bad acknowledgement");
        }
        while (cursor.next())
        {
            if (cursor.nameIs("offset"))
            {
                final long offset = cursor.valueAsLong();
                if (offset > ackOffset)
                {
                    ackOffset = offset;
                    node.acknowledged();
                }
            }
            else if (cursor.nameIs("error"))
            {
                throw new IOException("replica refused a message: " +
                    input.getStringWithoutLengthUtf8(cursor.valueStart(), cursor.valueEnd() - cursor.valueStart()));
            }
        }
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
