package io.ringkv.replication.master;

import io.ringkv.core.codec.JsonObjectCursor;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import io.ringkv.replication.log.JsonTextWriter;
import io.ringkv.replication.log.LogLineEncoder;
import io.ringkv.replication.log.ReplicaFeed;
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
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.ringkv.replication.snapshot.SnapshotEntryDescriptor.*;

/**
 * Serves one replica over the connection that asked to sync, on its own thread: writes the dump (full sync), then
 * copies the log lines from the {@link ReplicationBacklog} into the replica's {@link ReplicaOutput} as soon as
 * they are there, and writes them and reads the replica's acknowledgements without blocking (one selector). A
 * replica that reads slowly for a while therefore costs output buffer, as in Redis, not a fall out of the backlog:
 * the backlog is only what a reconnecting replica can continue from. Nothing here can slow the engine: the sender
 * only reads the backlog and the snapshot ring. A sender whose output (or, during a dump, held-back log) passes
 * its limit, or that falls out of the backlog anyway, drops the replica, which then resyncs.
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
    /** Most dump bytes queued for the socket before the dump waits for the replica to read. */
    static final int DUMP_WINDOW_BYTES = 256 * 1024;

    private static final byte[] DUMP_OPEN = ascii("{\"cmd\":\"dump\",\"data\":{");
    private static final byte[] DB = ascii(",\"db\":");
    private static final byte[] PXAT_OPEN = ascii(",\"pxat\":{");
    private static final byte[] MORE = ascii(",\"more\":true}\n");
    private static final byte[] OFFSET = ascii(",\"offset\":");
    private static final byte[] FUNCTIONS = ascii(",\"functions\":[");
    private static final byte[] PING = ascii("{\"cmd\":\"ping\"}\n");

    private final ReplicaSenderOwner node;
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
    private final ReplicaFeed feed;
    private final ReplicaOutput output = new ReplicaOutput();
    private final ExpandableDirectByteBuffer input = new ExpandableDirectByteBuffer(4096);
    private final JsonObjectCursor ackCursor = new JsonObjectCursor();
    private int inputLimit;
    private volatile Selector selector;
    private SelectionKey key;
    private long nextRecord;
    private long backlogPosition = -1;
    private int dumpDb;
    private int dumpEntries;
    private int pxatEntries;
    private boolean endSeen;
    private long dumped;
    /** Type of the big collection whose BEGIN was read and whose END was not, or 0. */
    private byte openType;
    /** True when the open collection has elements in the current dump message (the next needs a comma). */
    private boolean openHasElements;
    /** The open value is a big string (PARTs of raw bytes), and a later part is open as {"$append":...}. */
    private boolean openString;
    private boolean openAppended;
    /** The open collection's key, for the continuation in a later dump message. */
    private final org.agrona.ExpandableArrayBuffer openKey = new org.agrona.ExpandableArrayBuffer(64);
    private int openKeyLength;
    private boolean firstDumpMessageSent;
    private boolean snapshotReleased;
    private long lastWriteMs;
    private volatile boolean closed;
    private volatile Thread writer;
    private volatile String state;
    private volatile long ackOffset = -1;
    private volatile long lastAckMs;

    /**
     * @param node             the owner, told when the sender ends.
     * @param backlog          the log a partial sync continues from (records up to the feed's start).
     * @param feed             the replica's output buffer, attached to the encoder at the sync.
     * @param channel          the replica's connection (a socket channel).
     * @param ip               the replica's address, for INFO.
     * @param port             the replica's listening port, for INFO.
     * @param startOffset      the offset the replica has (partial) or the dump is taken at (full).
     * @param snapshot         the full sync's snapshot, or null.
     * @param outputLimitBytes the feed's limit (for messages).
     */
    public ReplicaSender(final ReplicaSenderOwner node, final ReplicationBacklog backlog, final ReplicaFeed feed,
        final ByteChannel channel, final String ip, final int port, final long startOffset, final Snapshot snapshot,
        final long outputLimitBytes)
    {
        this.feed = feed;
        this.node = node;
        this.channel = channel;
        this.ip = ip;
        this.port = port;
        this.startOffset = startOffset;
        this.snapshot = snapshot;
        this.outputLimitBytes = outputLimitBytes;
        this.backlog = backlog;
        this.nextRecord = startOffset + 1;
        this.state = snapshot != null ? "send_bulk" : "online";
        this.lastAckMs = System.currentTimeMillis();
    }

    /**
     * Start the sender. It is a platform thread: it encodes a whole snapshot and the log into JSON, long stretches
     * of CPU work that on a virtual thread would hold the carrier the connections and the engine share; the
     * operating system time-slices a platform thread instead.
     */
    public void start()
    {
        writer = Thread.ofPlatform().daemon().name("ringkv-repl-sender-" + ip + ":" + port).start(this::runWriter);
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
        return feed.peakBytes();
    }

    /**
     * @return the replica's output buffer (to detach from the encoder when the sender ends).
     */
    public ReplicaFeed feed()
    {
        return feed;
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
        feed.close();
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
        final Selector selector = this.selector;
        if (selector != null)
        {
            selector.wakeup();
        }
        node.removed(this);
    }

    private void runWriter()
    {
        feed.claim();
        lastWriteMs = System.currentTimeMillis();
        try
        {
            final SocketChannel socket = (SocketChannel)channel;
            socket.configureBlocking(false);
            selector = Selector.open();
            key = socket.register(selector, SelectionKey.OP_READ);
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
            if (snapshot != null && !snapshotReleased)
            {
                snapshotReleased = true;
                snapshot.abort("the replica went away");
                snapshot.release();
            }
            close();
            final Selector selector = this.selector;
            if (selector != null)
            {
                try
                {
                    selector.close();
                }
                catch (final IOException ignore)
                {
                    // Closing is all we wanted.
                }
            }
            output.free();
        }
    }

    private void sendSnapshot() throws IOException
    {
        final Snapshot snapshot = this.snapshot;
        final OneToOneRingBuffer ring = snapshot.ring();
        snapshot.reader(Thread.currentThread());
        final int half = ring.capacity() / 2;
        startDumpMessage();
        node.requestSnapshotStep();
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
                node.requestSnapshotStep();
            }
            if (feed.overflowed())
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
    }

    private void onSnapshotMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
        final int length)
    {
        if (msgTypeId == MSG_END)
        {
            endSeen = true;
            return;
        }
        final JsonTextWriter out = this.out;
        if (openString && (msgTypeId == MSG_PART || msgTypeId == MSG_VALUE_END))
        {
            stringPart(msgTypeId == MSG_PART, buffer, index, length);
            return;
        }
        if (msgTypeId == MSG_PART)
        {
            // A big collection goes on over as many dump messages as it needs: "$hash+" and the like add to it.
            // Never before its first elements: an empty first part creates no key, so its pxat would be lost.
            if (openHasElements && out.length() + pxat.length() > DUMP_MESSAGE_BYTES)
            {
                LogLineEncoder.closeCollection(out, openType);
                flushDumpMessage();
                dumpEntries++;
                out.key(openKey, 0, openKeyLength).ascii((byte)':');
                LogLineEncoder.openCollection(out, openType, true);
                openHasElements = false;
            }
            openHasElements |= LogLineEncoder.elements(out, openType, buffer, index, !openHasElements);
            return;
        }
        if (msgTypeId == MSG_VALUE_END)
        {
            LogLineEncoder.closeCollection(out, openType);
            openType = 0;
            if (out.length() + pxat.length() > DUMP_MESSAGE_BYTES)
            {
                flushDumpMessage();
            }
            return;
        }
        final boolean begin = msgTypeId == MSG_BEGIN;
        final int db = buffer.getShort(index + DB_OFFSET);
        if (db != dumpDb && dumpEntries > 0)
        {
            flushDumpMessage();
        }
        dumpDb = db;
        final int keyLength = buffer.getInt(index + KEY_LENGTH_OFFSET);
        final int keyOffset = index + (begin ? BEGIN_HEADER_LENGTH : HEADER_LENGTH);
        dumped++;
        if (dumpEntries++ > 0)
        {
            out.ascii((byte)',');
        }
        out.key(buffer, keyOffset, keyLength).ascii((byte)':');
        final byte type = buffer.getByte(index + TYPE_OFFSET);
        if (begin && (type == ValueType.STRING || type == ValueType.JSON))
        {
            // A big string: its first part is the key's value, each later one {"$append":...} in a message of its own.
            openString = true;
            openAppended = false;
            openType = type;
            openHasElements = false;
            openKey.putBytes(0, buffer, keyOffset, keyLength);
            openKeyLength = keyLength;
        }
        else if (begin)
        {
            LogLineEncoder.openCollection(out, type, false);
            openType = type;
            openHasElements = false;
            openKey.putBytes(0, buffer, keyOffset, keyLength);
            openKeyLength = keyLength;
        }
        else
        {
            final int valueOffset = keyOffset + keyLength;
            final int valueLength = length - HEADER_LENGTH - keyLength;
            LogLineEncoder.value(out, type, buffer.getByte(index + ENCODING_OFFSET), buffer, valueOffset,
                valueLength);
        }
        final long expireAtMs = buffer.getLong(index + EXPIRE_AT_MS_OFFSET);
        if (expireAtMs != 0)
        {
            if (pxatEntries++ > 0)
            {
                pxat.ascii((byte)',');
            }
            pxat.key(buffer, keyOffset, keyLength).ascii((byte)':').number(expireAtMs);
        }
        if (!begin && out.length() + pxat.length() > DUMP_MESSAGE_BYTES)
        {
            flushDumpMessage();
        }
    }

    /**
     * A part (or the end) of the open big string. A json document's text goes on in the same message (it cannot be
     * cut); a string's later parts each open a message of their own as {@code "key":{"$append":...}}, so no dump
     * message holds more than a part and no JSON object names a key twice.
     */
    private void stringPart(final boolean part, final DirectBuffer buffer, final int index, final int length)
    {
        final JsonTextWriter out = this.out;
        if (!part)
        {
            if (openAppended)
            {
                out.ascii((byte)'}');
            }
            openString = false;
            if (out.length() + pxat.length() > DUMP_MESSAGE_BYTES)
            {
                flushDumpMessage();
            }
            return;
        }
        if (openType == ValueType.JSON)
        {
            out.raw(buffer, index, length);
            return;
        }
        if (openHasElements)
        {
            if (openAppended)
            {
                out.ascii((byte)'}');
            }
            flushDumpMessage();
            dumpEntries++;
            out.key(openKey, 0, openKeyLength).ascii((byte)':');
            LogLineEncoder.openAppend(out);
            openAppended = true;
        }
        LogLineEncoder.value(out, ValueType.STRING, ValueEncoding.STRING_RAW, buffer, index, length);
        openHasElements = true;
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
        if (!firstDumpMessageSent)
        {
            firstDumpMessageSent = true;
            writeFunctionLibraries(out);
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

    /**
     * The first dump message carries the master's function libraries as of the sync point, {@code "functions":[code,
     * ...]}: the replica replaces its own with them as it replaces its data.
     */
    private void writeFunctionLibraries(final JsonTextWriter out)
    {
        final java.util.List<byte[]> codes = snapshot.functionLibraries();
        if (null == codes)
        {
            return;
        }
        out.ascii(FUNCTIONS);
        for (int i = 0; i < codes.size(); i++)
        {
            if (i > 0)
            {
                out.ascii((byte)',');
            }
            final byte[] code = codes.get(i);
            out.bytes(new org.agrona.concurrent.UnsafeBuffer(code), 0, code.length);
        }
        out.ascii((byte)']');
    }

    /**
     * The log stream: first the records the backlog holds up to the feed's start (a partial sync), then the feed,
     * which the encoder fills as it goes; acknowledgements are read in between. Blocks (in the selector) only when
     * everything taken was written and nothing new is there, or when the socket is full.
     */
    private void streamBacklog() throws IOException
    {
        final Selector selector = this.selector;
        feed.wakeWith(selector::wakeup);
        feed.producerWrites(channel);
        final ReplicationBacklog.Waiter waiter = backlog.register(selector::wakeup);
        try
        {
            while (!closed)
            {
                if (feed.overflowed())
                {
                    throw new IOException("the replica's output buffer passed " + outputLimitBytes + " bytes");
                }
                // The backlog's last record before the feed's start: until the encoder adopts the feed, every record
                // the backlog held at that moment is the backlog's to send (ReplicaFeed.startRecord).
                final long backlogLast = backlog.lastRecord();
                final long feedStart = feed.startRecord();
                final boolean catchingUp = nextRecord < feedStart;
                if (catchingUp && output.pendingBytes() < DUMP_WINDOW_BYTES)
                {
                    drainBacklog(output.sink(), Math.min(feedStart, backlogLast + 1));
                }
                boolean sentAll = flushOutput();
                if (sentAll && !catchingUp)
                {
                    sentAll = feed.writeTo(channel);
                }
                final long nowMs = System.currentTimeMillis();
                if (sentAll && nowMs - lastWriteMs >= PING_INTERVAL_MS)
                {
                    output.sink().ascii(PING);
                    flushOutput();
                    lastWriteMs = nowMs;
                }
                readAcks();
                if (!sentAll)
                {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    selector.select(100);
                }
                else if (catchingUp)
                {
                    key.interestOps(SelectionKey.OP_READ);
                    if (backlogPosition < 0 || backlog.armWait(waiter, backlogPosition))
                    {
                        selector.select(1);
                    }
                    backlog.disarm(waiter);
                }
                else
                {
                    key.interestOps(SelectionKey.OP_READ);
                    if (feed.armWait())
                    {
                        selector.select(Math.min(100, Math.max(1, PING_INTERVAL_MS - (nowMs - lastWriteMs))));
                    }
                    feed.disarm();
                }
                selector.selectedKeys().clear();
            }
        }
        finally
        {
            backlog.deregister(waiter);
        }
    }

    /**
     * @return true when the socket took everything queued.
     */
    private boolean flushOutput() throws IOException
    {
        final long before = output.pendingBytes();
        final boolean sentAll = output.flush(channel);
        if (output.pendingBytes() != before)
        {
            lastWriteMs = System.currentTimeMillis();
        }
        return sentAll;
    }

    /**
     * Copy the log lines from {@link #nextRecord} on, before {@code untilRecord}, that the backlog holds into
     * {@code sink}.
     */
    private void drainBacklog(final JsonTextWriter sink, final long untilRecord) throws IOException
    {
        if (nextRecord >= untilRecord)
        {
            return;
        }
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
        if (!backlog.copy(backlogPosition, copy, 0, ReplicationBacklog.FRAME_HEADER_LENGTH))
        {
            throw new IOException("fell out of the replication backlog at offset " + nextRecord);
        }
        final int firstFrame = ReplicationBacklog.FRAME_HEADER_LENGTH + copy.getInt(0);
        length = Math.max(length, firstFrame);
        if (!backlog.copy(backlogPosition, copy, 0, length))
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
            if (record == untilRecord)
            {
                break;
            }
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

    /**
     * Dump phase: queue {@code length} bytes and write them, waiting for the replica to read while more than
     * {@link #DUMP_WINDOW_BYTES} are queued (a dump is paced by its replica).
     */
    private void write(final DirectBuffer source, final int length) throws IOException
    {
        output.sink().raw(source, 0, length);
        while (!flushOutput() && output.pendingBytes() > DUMP_WINDOW_BYTES)
        {
            if (closed)
            {
                throw new IOException("closed");
            }
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            selector.select(100);
            selector.selectedKeys().clear();
            readAcks();
        }
        readAcks();
    }

    /**
     * Read and handle the acknowledgements that have arrived, without blocking.
     */
    private void readAcks() throws IOException
    {
        final ExpandableDirectByteBuffer input = this.input;
        while (true)
        {
            if (inputLimit == input.capacity())
            {
                if (inputLimit > 1024 * 1024)
                {
                    throw new IOException("acknowledgement too long");
                }
                input.checkLimit(inputLimit * 2);
            }
            final ByteBuffer view = input.byteBuffer().duplicate();
            view.limit(input.capacity()).position(inputLimit);
            final int read = channel.read(view);
            if (read < 0)
            {
                throw new IOException("replica closed the connection");
            }
            if (read == 0)
            {
                return;
            }
            inputLimit += read;
            int start = 0;
            while (true)
            {
                final int end = JsonObjectCursor.frameEnd(input, start, inputLimit);
                if (end == JsonObjectCursor.INCOMPLETE)
                {
                    break;
                }
                if (end == JsonObjectCursor.NOT_AN_OBJECT)
                {
                    throw new IOException("replica sent something that is not a JSON object");
                }
                onAck(ackCursor, input, start, end);
                start = end;
            }
            input.putBytes(0, input, start, inputLimit - start);
            inputLimit -= start;
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
