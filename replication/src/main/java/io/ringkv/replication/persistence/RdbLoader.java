package io.ringkv.replication.persistence;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.rdb.DumpPayloadWriter;
import io.ringkv.core.rdb.RdbFileDescriptor;
import io.ringkv.core.rdb.RdbFileReader;
import io.ringkv.core.rdb.RdbStringEncoder;
import io.ringkv.core.rdb.RdbFormatException;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;
import io.ringkv.replication.snapshot.RdbSnapshotFile;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.LongArrayList;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Loads an RDB file into the keyspace at start, as an internal client of the engine: SELECT per database and,
 * per key, RESTORE key expire-at payload ABSTTL (with IDLETIME or FREQ when the file has them), the payload being
 * the file's value record as a DUMP payload ({@link RdbFileReader}). So a file's values are checked and built
 * by exactly the code RESTORE uses, and a key that expired while the file lay on disk is not created (as Redis's
 * master skips it). Requests go to the engine in batches of about {@link #BATCH_BYTES}, two in turn (each an
 * internal client that begins with the SELECT in force), so reading the file and executing overlap.
 * <p>
 * Function libraries are restored with FUNCTION RESTORE, each as a one-library FUNCTION DUMP payload.
 * Any refusal (cut short, checksum, an unknown type, a value RESTORE refuses, a duplicate key) throws a
 * {@link RdbFormatException} naming the offset: the caller must then not start, so nothing runs half-loaded.
 * One thread (the start-up thread).
 */
public final class RdbLoader implements RdbFileReader.Handler
{
    static final int BATCH_BYTES = 4 * 1024 * 1024;
    private static final int BATCH_REQUESTS = 4096;

    private final Engine engine;
    private final int databases;
    // Two batches: the engine executes one while the file's next records are read into the other.
    private final CommandBatchBuilder[] batches = {
        new CommandBatchBuilder(new ClientSession(-4, true), new ApplyReply()),
        new CommandBatchBuilder(new ClientSession(-5, true), new ApplyReply())};
    private final LongArrayList[] requestOffsets = {new LongArrayList(), new LongArrayList()};
    private int current;
    private boolean otherInFlight;
    private long db = -1;
    private long dbOffset;
    private CommandBatchBuilder commands = batches[0];
    private long keys;
    private long expired;
    /** The clock read once per batch: a key whose expiry is before it counts as expired (Redis's rule). */
    private long batchNowMs = System.currentTimeMillis();
    private long endOffset;
    private String replid;
    private long replOffset = -1;
    private long respOffset = -1;
    private final DumpPayloadWriter functionPayload = new DumpPayloadWriter(new RdbStringEncoder(false));
    private final ExpandableArrayBuffer functionBuffer = new ExpandableArrayBuffer(1024);

    /**
     * @param engine    the running engine to load through.
     * @param databases the keyspace's database count.
     * @return a loader for a load before any client is served (nothing downstream yet): what it loads is not logged
     * ({@link ClientSession#loader()}), so the replication offset stays as it was.
     */
    public static RdbLoader atStart(final Engine engine, final int databases)
    {
        return new RdbLoader(engine, databases, true, false);
    }

    /**
     * @param engine    the running engine to load through.
     * @param databases the keyspace's database count.
     * @return a loader for a replica loading its master's full sync: the loading clients are exempt from READONLY
     * and LOADING as the master link's own client is, and what they load is logged (it reaches the AOF).
     */
    public static RdbLoader forMasterSync(final Engine engine, final int databases)
    {
        return new RdbLoader(engine, databases, false, true);
    }

    private RdbLoader(final Engine engine, final int databases, final boolean atStart, final boolean masterLink)
    {
        this.engine = engine;
        this.databases = databases;
        for (final CommandBatchBuilder batch : batches)
        {
            batch.session().loader(atStart);
            batch.session().masterLink(masterLink);
        }
    }

    /**
     * Load {@code file}, if it exists.
     *
     * @return keys in the file (some may have expired and not been created), or -1 when there is no file.
     * @throws RdbFormatException when the file is refused; the keyspace then holds part of it.
     * @throws IOException        when it cannot be read.
     */
    public long load(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            return -1;
        }
        keys = 0;
        expired = 0;
        replid = null;
        replOffset = -1;
        respOffset = -1;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final RdbFileReader reader = new RdbFileReader();
            reader.read(channel, channel.size(), this);
            endOffset = reader.endOffset();
        }
        catch (final IOException | RuntimeException ex)
        {
            if (otherInFlight)
            {
                // No batch is left in the engine's hands when this returns.
                otherInFlight = false;
                batches[1 - current].awaitPublished();
            }
            throw ex;
        }
        flush();
        awaitOther();
        // A batch completes before its slot's change records are published (Engine.replicationOffset): one more
        // round trip through the engine, changing nothing, so the caller sees every loaded change counted.
        commands.arg("PING").end();
        commands.execute(engine);
        return keys;
    }

    /**
     * @return keys of the last load whose expiry had passed, which were not created (INFO's
     * rdb_last_load_keys_expired; the others are rdb_last_load_keys_loaded).
     */
    public long keysExpired()
    {
        return expired;
    }

    /**
     * @return the offset just past the loaded file's EOF record: an AOF whose RDB preamble is followed by commands
     * (Redis's single-file AOF before 7.0) goes on there.
     */
    public long endOffset()
    {
        return endOffset;
    }

    @Override
    public void aux(final String name, final String value, final long offset)
    {
        if ("repl-id".equals(name) && value.length() == 40)
        {
            replid = value;
        }
        else if ("repl-offset".equals(name))
        {
            replOffset = offsetOrNone(value); // none: not a history to continue, as without the field
        }
        else if (RdbSnapshotFile.RESP_OFFSET_AUX.equals(name))
        {
            respOffset = offsetOrNone(value); // none: Redis replicas do not continue, as without the field
        }
    }

    private static long offsetOrNone(final String value)
    {
        try
        {
            return Math.max(-1, Long.parseLong(value));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * @return the loaded file's ringkv-resp-offset aux field (the Redis replicas' byte offset at its repl-offset),
     * or -1.
     */
    public long respOffset()
    {
        return respOffset;
    }

    /**
     * @return the loaded file's repl-id aux field (the replication id of the master that saved it), or null.
     */
    public String replid()
    {
        return replid;
    }

    /**
     * @return the loaded file's repl-offset aux field (the offset its image was taken at), or -1.
     */
    public long replOffset()
    {
        return replOffset;
    }

    @Override
    public void selectDb(final long db, final long offset) throws IOException
    {
        if (db < 0 || db >= databases)
        {
            throw new RdbFormatException(offset, "database " + db + " is out of range: the server has " +
                databases + " (databases)");
        }
        this.db = db;
        dbOffset = offset;
        request(offset);
        commands.arg("SELECT").arg(db).end();
    }

    /**
     * RESIZEDB: the engine sizes the database's table at once (in ring order after the batches before it), so the
     * keys that follow never make it rehash.
     */
    @Override
    public void resizeDb(final long keys, final long expires) throws RdbFormatException
    {
        if (db >= 0 && keys > 0)
        {
            flush();
            engine.reserve((int)db, keys);
        }
    }

    /**
     * A function library: restored with FUNCTION RESTORE of a one-library FUNCTION DUMP payload (the record with
     * a version and CRC-64), in file order, before the keys that follow. A server without the FUNCTION family, or
     * a library it refuses, stops the load like any refused record.
     */
    @Override
    public void function(final DirectBuffer code, final int index, final int length, final long offset)
    {
        final int payloadLength = functionPayload.writeBlob(
            RdbFileDescriptor.OPCODE_FUNCTION2, code, index, length, functionBuffer, 0);
        request(offset);
        commands.arg("FUNCTION").arg("RESTORE").arg(functionBuffer, 0, payloadLength).end();
    }

    @Override
    public void entry(final long expireAtMs, final long idleSeconds, final int frequency, final DirectBuffer key,
        final int keyIndex, final int keyLength, final DirectBuffer payload, final int payloadIndex,
        final int payloadLength, final long offset) throws IOException
    {
        request(offset);
        commands.arg("RESTORE").arg(key, keyIndex, keyLength).arg(expireAtMs)
            .arg(payload, payloadIndex, payloadLength).arg("ABSTTL");
        if (idleSeconds >= 0)
        {
            commands.arg("IDLETIME").arg(idleSeconds);
        }
        else if (frequency >= 0)
        {
            commands.arg("FREQ").arg(frequency);
        }
        commands.end();
        keys++;
        if (expireAtMs != 0 && expireAtMs < batchNowMs)
        {
            expired++; // RESTORE ... ABSTTL does not create it
        }
        if (commands.bufferedBytes() > BATCH_BYTES || commands.requestCount() >= BATCH_REQUESTS)
        {
            flush();
        }
    }

    private void request(final long offset)
    {
        requestOffsets[current].addLong(offset);
    }

    /**
     * Hand the current batch to the engine, after the one before it has been executed and checked; the next
     * batch begins with the SELECT in force.
     */
    private void flush() throws RdbFormatException
    {
        awaitOther();
        batchNowMs = System.currentTimeMillis();
        commands.reply().clear();
        commands.publish(engine);
        otherInFlight = true;
        current = 1 - current;
        commands = batches[current];
        if (db >= 0)
        {
            request(dbOffset);
            commands.arg("SELECT").arg(db).end();
        }
    }

    private void awaitOther() throws RdbFormatException
    {
        if (!otherInFlight)
        {
            return;
        }
        otherInFlight = false;
        final int other = 1 - current;
        final CommandBatchBuilder batch = batches[other];
        batch.awaitPublished();
        final ApplyReply reply = batch.reply();
        final LongArrayList offsets = requestOffsets[other];
        if (reply.errors() > 0)
        {
            final int failed = reply.firstErrorRequest();
            final long offset = failed >= 0 && failed < offsets.size() ? offsets.getLong(failed) : -1;
            final String error = reply.firstError();
            throw new RdbFormatException(offset, error.startsWith("BUSYKEY") ?
                "the file holds a key twice (a duplicate key)" : "the record here cannot be loaded: " + error);
        }
        offsets.clear();
    }
}
