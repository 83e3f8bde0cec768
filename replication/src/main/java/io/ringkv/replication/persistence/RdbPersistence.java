package io.ringkv.replication.persistence;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.store.Keyspace;
import io.ringkv.replication.ReplicationNode;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;
import io.ringkv.replication.snapshot.RdbSnapshotFile;
import io.ringkv.replication.snapshot.Snapshot;
import io.ringkv.replication.snapshot.SnapshotTask;
import org.agrona.BitUtil;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * RDB snapshots of the keyspace without a fork: SAVE and BGSAVE stream the full sync's point-in-time
 * {@link Snapshot} ({@link SnapshotTask}) through a {@link RdbSnapshotWriter} into a temporary file, fsync it and
 * rename it over {@code dir/dbfilename}, so a crash mid-save leaves the previous file whole. SAVE runs the snapshot
 * to its end on the engine thread (Redis's SAVE blocks too); BGSAVE starts it there and a writer thread drains the
 * ring while the engine keeps serving. One snapshot runs at a time (a full sync's, a BGSAVE's): a second user gets
 * Redis's "Background save already in progress". A cron thread starts a BGSAVE when a {@link SavePoints save
 * point} is reached (or a BGSAVE SCHEDULE waits), and retries a failed one after {@link #RETRY_DELAY_MS}.
 * <p>
 * The handlers run on the engine thread; the status getters on any thread.
 */
public final class RdbPersistence implements AutoCloseable
{
    /** Redis's CONFIG_BGSAVE_RETRY_DELAY: a failed background save is retried by a save point after this. */
    static final long RETRY_DELAY_MS = 5_000;
    /** How often the cron thread looks at the save points. */
    private static final long CRON_INTERVAL_MS = 100;

    static final String BGSAVE_IN_PROGRESS = "ERR Background save already in progress";

    private final PersistenceConfig config;
    private final RdbSnapshotFile rdbFile;
    private final AtomicLong tempFiles = new AtomicLong();
    private Engine engine;
    private Keyspace keyspace;
    private ReplicationNode replication;
    private SnapshotTask snapshotTask;
    private Thread cron;
    private volatile boolean running;

    private volatile long lastSaveMs = System.currentTimeMillis();
    private volatile long savedOffset;
    private volatile boolean lastBgsaveOk = true;
    private volatile long lastBgsaveTryMs;
    private volatile long lastBgsaveSeconds = -1;
    private volatile long bgsaveStartMs = -1;
    private volatile boolean bgsaveScheduled;
    private volatile long saves;
    private volatile Snapshot bgsaveSnapshot;
    private volatile Thread bgsaveWriter;
    private volatile boolean shutdownDecided;
    private volatile long lastLoadKeysLoaded;
    private volatile long lastLoadKeysExpired;

    public RdbPersistence(final PersistenceConfig config)
    {
        this.config = config;
        this.rdbFile = new RdbSnapshotFile(config.compression, config.checksum, config.redisVersion);
    }

    /**
     * @return how this server writes an RDB file (rdbcompression, rdbchecksum): the AOF's RDB preamble uses it too.
     */
    public RdbSnapshotFile rdbFile()
    {
        return rdbFile;
    }

    /**
     * Start-up thread, once the engine runs (and has loaded the file: what it holds counts as saved) and the
     * replication node is started (it owns the snapshot task).
     */
    public void start(final Engine engine, final Keyspace keyspace, final ReplicationNode replication)
    {
        this.engine = engine;
        this.keyspace = keyspace;
        this.replication = replication;
        this.snapshotTask = replication.snapshotTask();
        savedOffset = engine.replicationOffset();
        running = true;
        cron = Thread.ofVirtual().name("ringkv-rdb-cron").start(this::cron);
    }

    /**
     * @return the file saves go to and loads come from.
     */
    public Path file()
    {
        return Path.of(config.dir.get()).resolve(config.dbfilename.get());
    }

    /**
     * @return the save points now configured.
     */
    public SavePoints savePoints()
    {
        return SavePoints.parse(config.save.get());
    }

    // ---- commands (engine thread)

    /**
     * SAVE: the whole snapshot written now, on the engine thread.
     *
     * @return null on success, else the error reply.
     */
    public String save(final CommandContext context)
    {
        // A given-up snapshot (a failed BGSAVE) still needs its scan to the end before another can start; INFO
        // already says no save runs, and SAVE blocks anyway, so it finishes that scan here instead of refusing.
        while (snapshotTask.givenUp())
        {
            snapshotTask.doWork(System.currentTimeMillis());
        }
        if (snapshotTask.busy())
        {
            return BGSAVE_IN_PROGRESS;
        }
        final Run run = startSnapshot(context);
        final Snapshot snapshot = run.snapshot();
        final long startMs = System.currentTimeMillis();
        try
        {
            write(run, true);
        }
        catch (final IOException | RuntimeException ex)
        {
            config.warning.accept("Failed saving the DB: " + ex.getMessage());
            return "ERR " + ex.getMessage();
        }
        saved(snapshot.offset(), startMs);
        config.notice.accept("DB saved on disk");
        return null;
    }

    /**
     * BGSAVE [SCHEDULE].
     *
     * @param scheduled set to {@code [true]} when the save was scheduled rather than started.
     * @return null when started or scheduled, else the error reply.
     */
    public String bgsave(final CommandContext context, final boolean schedule, final boolean[] scheduled)
    {
        if (bgsaveSnapshot != null)
        {
            return BGSAVE_IN_PROGRESS;
        }
        if (snapshotTask.busy())
        {
            if (schedule)
            {
                bgsaveScheduled = true;
                scheduled[0] = true;
                return null;
            }
            return "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in " +
                "order to schedule a BGSAVE whenever possible.";
        }
        bgsaveScheduled = false;
        final Run run = startSnapshot(context);
        final Snapshot snapshot = run.snapshot();
        final long startMs = System.currentTimeMillis();
        bgsaveSnapshot = snapshot;
        bgsaveStartMs = startMs;
        lastBgsaveTryMs = startMs;
        config.notice.accept("Background saving started");
        bgsaveWriter = Thread.ofPlatform().name("ringkv-bgsave").daemon().start(() ->
        {
            boolean ok = false;
            try
            {
                write(run, false);
                ok = true;
            }
            catch (final IOException | RuntimeException ex)
            {
                config.warning.accept("Background saving error: " + ex.getMessage());
            }
            lastBgsaveOk = ok;
            lastBgsaveSeconds = (System.currentTimeMillis() - startMs) / 1000;
            if (ok)
            {
                saved(snapshot.offset(), startMs);
                config.notice.accept("Background saving terminated with success");
            }
            bgsaveStartMs = -1;
            bgsaveSnapshot = null;
            bgsaveWriter = null;
        });
        return null;
    }

    /**
     * Engine thread, for SHUTDOWN and a signal: stop whatever snapshot runs (Redis kills its child), then SAVE.
     *
     * @return null on success, else why it failed.
     */
    public String saveForShutdown(final CommandContext context)
    {
        final Snapshot running = bgsaveSnapshot;
        if (running != null)
        {
            running.abort("shutting down");
        }
        if (snapshotTask.busy())
        {
            snapshotTask.abortCurrent("shutting down: a final save is taken instead");
            while (snapshotTask.busy())
            {
                snapshotTask.doWork(System.currentTimeMillis());
            }
        }
        final Thread writer = bgsaveWriter;
        if (writer != null)
        {
            try
            {
                writer.join(1000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        config.notice.accept("Saving the final RDB snapshot before exiting.");
        return save(context);
    }

    /**
     * SHUTDOWN has made its save decision (saved, or NOSAVE): stopping needs no other save.
     */
    public void shutdownDecided()
    {
        shutdownDecided = true;
    }

    /**
     * @return true once {@link #shutdownDecided()} was called.
     */
    public boolean isShutdownDecided()
    {
        return shutdownDecided;
    }

    private Run startSnapshot(final CommandContext context)
    {
        final Snapshot snapshot = new Snapshot(context.changeLog().lastOffset(),
            BitUtil.findNextPositivePowerOfTwo(config.snapshotBufferBytes));
        final Run run = new Run(snapshot, RdbSnapshotFile.Header.capture(keyspace,
            config.functionLibraries.apply(context), replication.replid()).withRespOffset(replication::respOffsetAt));
        snapshotTask.start(snapshot);
        return run;
    }

    /** A save: its snapshot and what the engine thread took at its start for the file's header and RESIZEDBs. */
    private record Run(Snapshot snapshot, RdbSnapshotFile.Header header)
    {
    }

    /**
     * Stream the snapshot into a temporary file, then fsync and rename it over the target. On the engine thread
     * ({@code onEngine}) the snapshot is stepped here; otherwise the engine steps it when asked.
     */
    private void write(final Run header, final boolean onEngine) throws IOException
    {
        final Snapshot snapshot = header.snapshot();
        final Path target = file();
        final Path directory = target.toAbsolutePath().getParent();
        final Path temp = directory.resolve("temp-" + ProcessHandle.current().pid() + "-" +
            tempFiles.incrementAndGet() + ".rdb");
        boolean done = false;
        try
        {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                rdbFile.write(channel, header.header(), snapshot, onEngine ? snapshotTask : null, engine::requestTask);
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(directory);
            done = true;
        }
        finally
        {
            if (!done)
            {
                snapshot.abort("the save failed");
                Files.deleteIfExists(temp);
                if (onEngine)
                {
                    while (snapshotTask.busy())
                    {
                        snapshotTask.doWork(System.currentTimeMillis());
                    }
                }
            }
            snapshot.release();
        }
    }

    private static void syncDirectory(final Path directory)
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
        catch (final IOException ignore)
        {
            // Not every file system lets a directory be opened and synced; the rename itself is atomic.
        }
    }

    private void saved(final long offset, final long startMs)
    {
        savedOffset = offset;
        lastSaveMs = startMs;
        saves++;
    }

    // ---- status (any thread)

    /**
     * @return Unix seconds of the last successful save (or of the start/load).
     */
    public long lastSaveSeconds()
    {
        return lastSaveMs / 1000;
    }

    /**
     * @return changes made since the last successful save.
     */
    public long changesSinceLastSave()
    {
        return Math.max(0, engine.replicationOffset() - savedOffset);
    }

    /**
     * An RDB file (dump.rdb, an AOF's RDB base) was loaded: INFO's rdb_last_load_keys_*.
     *
     * @param loaded  keys created.
     * @param expired keys not created because their expiry had passed.
     */
    public void loaded(final long loaded, final long expired)
    {
        lastLoadKeysLoaded = loaded;
        lastLoadKeysExpired = expired;
    }

    /**
     * INFO persistence's fields from current_cow_peak to rdb_last_load_keys_loaded, in Redis 7.0's order (engine
     * thread). No fork, so no copy-on-write: those are 0. current_save_keys_* show the running snapshot's progress
     * (BGSAVE, AOF rewrite or full sync), as Redis shows its child's.
     */
    public void writeInfo(final BiConsumer<String, Object> field)
    {
        final long startMs = bgsaveStartMs;
        final boolean snapshotRunning = snapshotTask != null && snapshotTask.busy() && !snapshotTask.givenUp();
        field.accept("current_cow_peak", 0);
        field.accept("current_cow_size", 0);
        field.accept("current_cow_size_age", 0);
        field.accept("current_fork_perc", "0.00");
        field.accept("current_save_keys_processed", snapshotRunning ? snapshotTask.keysProcessed() : 0);
        field.accept("current_save_keys_total", snapshotRunning ? snapshotTask.keysTotal() : 0);
        field.accept("rdb_changes_since_last_save", changesSinceLastSave());
        field.accept("rdb_bgsave_in_progress", startMs >= 0 ? 1 : 0);
        field.accept("rdb_last_save_time", lastSaveSeconds());
        field.accept("rdb_last_bgsave_status", lastBgsaveOk ? "ok" : "err");
        field.accept("rdb_last_bgsave_time_sec", lastBgsaveSeconds);
        field.accept("rdb_current_bgsave_time_sec", startMs >= 0 ? (System.currentTimeMillis() - startMs) / 1000 : -1);
        field.accept("rdb_saves", saves);
        field.accept("rdb_last_cow_size", 0);
        field.accept("rdb_last_load_keys_expired", lastLoadKeysExpired);
        field.accept("rdb_last_load_keys_loaded", lastLoadKeysLoaded);
    }

    // ---- save points

    private void cron()
    {
        final CommandBatchBuilder commands = new CommandBatchBuilder(new ClientSession(-3, true), new ApplyReply());
        while (running)
        {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(CRON_INTERVAL_MS));
            if (!running || bgsaveSnapshot != null)
            {
                continue;
            }
            final long nowMs = System.currentTimeMillis();
            final boolean retryAllowed = lastBgsaveOk || nowMs - lastBgsaveTryMs > RETRY_DELAY_MS;
            boolean due = bgsaveScheduled && !snapshotTask.busy();
            if (!due && retryAllowed)
            {
                try
                {
                    due = savePoints().due(changesSinceLastSave(), (nowMs - lastSaveMs) / 1000);
                }
                catch (final IllegalArgumentException badOption)
                {
                    due = false;
                }
            }
            if (due && !snapshotTask.busy())
            {
                commands.reply().clear();
                commands.arg("BGSAVE").end();
                commands.execute(engine);
            }
        }
    }

    /**
     * Stop the cron thread and wait (briefly) for a background save to end.
     */
    @Override
    public void close()
    {
        running = false;
        final Thread cron = this.cron;
        if (cron != null)
        {
            LockSupport.unpark(cron);
        }
        final Thread writer = bgsaveWriter;
        final Snapshot snapshot = bgsaveSnapshot;
        if (writer != null && snapshot != null)
        {
            snapshot.abort("the server is stopping");
            try
            {
                writer.join(2000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
