package io.ringkv.replication.aof;

import io.ringkv.replication.ReplicationNode;
import io.ringkv.replication.snapshot.Snapshot;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.ringkv.replication.aof.AofCommandEncoder.isCollection;
import static io.ringkv.replication.aof.RespCommandOut.ascii;
import static io.ringkv.replication.snapshot.SnapshotEntryDescriptor.*;

/**
 * Writes a base file from a point-in-time {@link Snapshot} (the one full syncs use): each captured entry as the RESP
 * commands that rebuild it, as Redis's rewriteAppendOnlyFileRio (SELECT per database, SET/RPUSH/SADD/ZADD/HMSET of
 * at most 64 elements, PEXPIREAT). A collection's elements go through {@link AofCommandEncoder#collectionChunk}, so
 * a snapshot that sends a big collection as a sequence of listpack chunks needs only its BEGIN/PART/END cases here;
 * a big string's PARTs are its bytes, written as one SET whose value's length its BEGIN gave.
 * Runs on the rewrite thread.
 */
final class AofBaseWriter
{
    private static final byte[] FUNCTION = ascii("FUNCTION");
    private static final byte[] LOAD = ascii("LOAD");

    private final Snapshot snapshot;
    private final ReplicationNode node;
    private final FileChannel channel;
    private final int chunkBytes;
    private final RespCommandOut out = new RespCommandOut();
    private final AofCommandEncoder encoder = new AofCommandEncoder(out);
    private boolean endSeen;
    private IOException failure;
    /** Encoding and expiry of the big collection whose BEGIN was read and whose VALUE_END was not. */
    private byte openEncoding;
    private long openExpireAtMs;
    /** True when the open value is a big string (its PARTs are raw bytes). */
    private boolean openString;

    AofBaseWriter(final Snapshot snapshot, final ReplicationNode node, final FileChannel channel, final int chunkBytes)
    {
        this.snapshot = snapshot;
        this.node = node;
        this.channel = channel;
        this.chunkBytes = chunkBytes;
    }

    /**
     * Read the snapshot to its end, writing the base; releases the snapshot either way.
     *
     * @throws IOException when the file cannot be written or the snapshot was given up.
     */
    void write() throws IOException
    {
        final OneToOneRingBuffer ring = snapshot.ring();
        snapshot.reader(Thread.currentThread());
        final int half = ring.capacity() / 2;
        try
        {
            functionLibraries();
            node.requestSnapshotStep();
            while (!endSeen)
            {
                if (snapshot.abortReason() != null)
                {
                    throw new IOException("snapshot given up: " + snapshot.abortReason());
                }
                final int read = ring.read(this::onMessage, 4096);
                if (failure != null)
                {
                    snapshot.abort("the AOF base could not be written");
                    throw failure;
                }
                if (ring.size() < half)
                {
                    node.requestSnapshotStep();
                }
                if (read == 0 && !endSeen)
                {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            out.writeTo(channel);
            out.clear();
        }
        finally
        {
            snapshot.release();
        }
    }

    /**
     * The libraries first, one FUNCTION LOAD each, as Redis's rewriteFunctions: the keys' commands may not need them,
     * but FCALLs in the incremental file that follows do.
     */
    private void functionLibraries()
    {
        final java.util.List<byte[]> codes = snapshot.functionLibraries();
        if (codes == null)
        {
            return;
        }
        for (final byte[] code : codes)
        {
            out.command(3).arg(FUNCTION).arg(LOAD).arg(new UnsafeBuffer(code), 0, code.length);
        }
    }

    private void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId == MSG_END)
        {
            endSeen = true;
            return;
        }
        if (failure != null)
        {
            return;
        }
        switch (msgTypeId)
        {
            case MSG_PART ->
            {
                if (openString)
                {
                    encoder.stringChunk(buffer, index, length);
                }
                else
                {
                    encoder.collectionChunk(openEncoding, buffer, index, length);
                }
            }
            case MSG_VALUE_END ->
            {
                if (openString)
                {
                    encoder.stringEnd(openExpireAtMs);
                }
                else
                {
                    encoder.collectionEnd(openExpireAtMs);
                }
            }
            default -> entry(msgTypeId == MSG_BEGIN, buffer, index, length);
        }
        if (out.length() >= chunkBytes)
        {
            try
            {
                out.writeTo(channel);
            }
            catch (final IOException ex)
            {
                failure = ex;
            }
            out.clear();
        }
    }

    /**
     * A whole entry, or the BEGIN of a big collection whose elements follow in PARTs (docs/replication-protocol.md,
     * "Big collections").
     */
    private void entry(final boolean begin, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final byte type = buffer.getByte(index + TYPE_OFFSET);
        final byte encoding = buffer.getByte(index + ENCODING_OFFSET);
        final int keyLength = buffer.getInt(index + KEY_LENGTH_OFFSET);
        final long expireAtMs = buffer.getLong(index + EXPIRE_AT_MS_OFFSET);
        final int keyOffset = index + (begin ? BEGIN_HEADER_LENGTH : HEADER_LENGTH);
        encoder.select(buffer.getShort(index + DB_OFFSET));
        if (begin)
        {
            openString = !isCollection(type);
            if (openString)
            {
                encoder.stringStart(buffer, keyOffset, keyLength, (int)buffer.getLong(index + COUNT_OFFSET));
            }
            else
            {
                encoder.collectionStart(type, buffer, keyOffset, keyLength);
            }
            openEncoding = encoding;
            openExpireAtMs = expireAtMs;
            return;
        }
        final int valueOffset = keyOffset + keyLength;
        final int valueLength = length - HEADER_LENGTH - keyLength;
        if (isCollection(type))
        {
            encoder.collectionStart(type, buffer, keyOffset, keyLength);
            encoder.collectionChunk(encoding, buffer, valueOffset, valueLength);
            encoder.collectionEnd(expireAtMs);
        }
        else
        {
            encoder.string(buffer, keyOffset, keyLength, encoding, buffer, valueOffset, valueLength, expireAtMs,
                false);
        }
    }
}
