package io.ringkv.replication.snapshot;

import io.ringkv.core.rdb.RdbFileWriter;
import io.ringkv.core.store.Keyspace;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongUnaryOperator;

/**
 * A whole RDB file written from a point-in-time {@link Snapshot}: the header and Redis 7.0's aux fields, the function
 * libraries, the snapshot's keys through {@link RdbSnapshotWriter}, EOF and the CRC-64. The one way ringkv writes an
 * RDB file, shared by SAVE/BGSAVE ({@code dump.rdb}) and BGREWRITEAOF's RDB preamble ({@code aof-use-rdb-preamble
 * yes}: the base file {@code <name>.<seq>.base.rdb}) and the payload of a Redis replica's full sync (a socket,
 * diskless).
 */
public final class RdbSnapshotFile
{
    /**
     * The aux field holding the Redis replicas' byte offset at the file's repl-offset, so a restarted master resumes
     * their stream there (docs/persistence.md).
     */
    public static final String RESP_OFFSET_AUX = "ringkv-resp-offset";

    private final BooleanSupplier compression;
    private final BooleanSupplier checksum;
    private final String redisVersion;

    /**
     * @param compression {@code rdbcompression}, read at each file's start.
     * @param checksum    {@code rdbchecksum}, read at each file's start.
     * @param redisVersion the redis-ver aux field.
     */
    public RdbSnapshotFile(final BooleanSupplier compression, final BooleanSupplier checksum,
        final String redisVersion)
    {
        this.compression = compression;
        this.checksum = checksum;
        this.redisVersion = redisVersion;
    }

    /**
     * What the engine thread takes at a snapshot's start for the file's aux fields and RESIZEDBs.
     *
     * @param keys       key count per database.
     * @param expires    keys with an expiry per database.
     * @param usedMemory the used-mem aux field.
     * @param functions  the function libraries' code, of the same moment as the keys.
     * @param replid     the repl-id aux field, with repl-stream-db and repl-offset; null for an AOF base, which
     *                   Redis writes without them (and with aof-base 1).
     * @param respOffset maps the snapshot's record offset to the Redis replicas' byte offset of that moment, the
     *                   ringkv-resp-offset aux field (left out when null or -1).
     */
    public record Header(long[] keys, long[] expires, long usedMemory, List<byte[]> functions, String replid,
        LongUnaryOperator respOffset)
    {
        /**
         * Engine thread: the keyspace's counts now.
         */
        public static Header capture(final Keyspace keyspace, final List<byte[]> functions, final String replid)
        {
            final int databases = keyspace.databases();
            final long[] keys = new long[databases];
            final long[] expires = new long[databases];
            for (int db = 0; db < databases; db++)
            {
                keys[db] = keyspace.size(db);
                expires[db] = keyspace.expiresSize(db);
            }
            return new Header(keys, expires, keyspace.usedMemoryBytes(), functions == null ? List.of() : functions,
                replid, null);
        }

        /**
         * @return this header with the ringkv-resp-offset aux field taken from {@code respOffset}.
         */
        public Header withRespOffset(final LongUnaryOperator respOffset)
        {
            return new Header(keys, expires, usedMemory, functions, replid, respOffset);
        }

        /**
         * A header of no keys (an AOF base created for an empty data set).
         */
        public static Header empty()
        {
            return new Header(new long[0], new long[0], 0, List.of(), null, null);
        }
    }

    /**
     * Write the file, draining {@code snapshot} to its end (or, with a null snapshot, a file of no keys). The
     * caller opens, fsyncs and closes the channel, and releases the snapshot.
     *
     * @param onEngine    the snapshot's task when the caller is the engine thread (SAVE): stepped here; null
     *                    otherwise, and {@code requestStep} asks the engine for steps.
     * @param requestStep asks the engine for the next snapshot step (a reader off the engine thread).
     * @return the file's length.
     * @throws IOException when the file cannot be written or the snapshot was given up.
     */
    public long write(final WritableByteChannel channel, final Header header, final Snapshot snapshot,
        final SnapshotTask onEngine, final Runnable requestStep) throws IOException
    {
        final RdbFileWriter file = new RdbFileWriter(compression.getAsBoolean(), checksum.getAsBoolean());
        try
        {
            file.start(channel);
            file.aux("redis-ver", redisVersion);
            file.aux("redis-bits", 64);
            file.aux("ctime", System.currentTimeMillis() / 1000);
            file.aux("used-mem", header.usedMemory());
            if (header.replid() != null)
            {
                file.aux("repl-stream-db", 0);
                file.aux("repl-id", header.replid());
                file.aux("repl-offset", snapshot.offset());
                final long respOffset = header.respOffset() == null ? -1 :
                    header.respOffset().applyAsLong(snapshot.offset());
                if (respOffset >= 0)
                {
                    file.aux(RESP_OFFSET_AUX, respOffset); // unknown to Redis, which skips it
                }
            }
            file.aux("aof-base", header.replid() == null ? 1 : 0);
            for (final byte[] library : header.functions())
            {
                file.function(new UnsafeBuffer(library), 0, library.length);
            }
            if (snapshot != null)
            {
                drain(snapshot, new RdbSnapshotWriter(file, header.keys(), header.expires()), onEngine, requestStep);
            }
            return file.finish();
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
    }

    private static void drain(final Snapshot snapshot, final RdbSnapshotWriter writer, final SnapshotTask onEngine,
        final Runnable requestStep) throws IOException
    {
        final OneToOneRingBuffer ring = snapshot.ring();
        final int half = ring.capacity() / 2;
        if (onEngine == null)
        {
            snapshot.reader(Thread.currentThread());
            requestStep.run();
        }
        while (!writer.endSeen())
        {
            if (snapshot.abortReason() != null)
            {
                throw new IOException("snapshot given up: " + snapshot.abortReason());
            }
            if (onEngine != null)
            {
                onEngine.doWork(System.currentTimeMillis());
            }
            final int read = ring.read(writer, 4096);
            if (onEngine == null)
            {
                if (ring.size() < half)
                {
                    requestStep.run();
                }
                if (read == 0 && !writer.endSeen())
                {
                    LockSupport.parkNanos(writer, TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        }
    }
}
