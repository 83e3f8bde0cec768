package io.ringkv.replication.aof;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.ChangeJournal;
import io.ringkv.core.engine.CommandEvent;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.store.Keyspace;
import io.ringkv.replication.ReplicationNode;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;
import io.ringkv.replication.snapshot.RdbSnapshotFile;
import io.ringkv.replication.snapshot.Snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The append-only file (docs/persistence.md): Redis 7.0's multi-part layout (a directory with a manifest, one base
 * file, incremental files in RESP), written from the change log, the records replicas get. The engine thread feeds
 * it each slot's records ({@link #append}, encoded once into a buffer, as Redis's aof_buf) and writes the buffer
 * to the current incremental file at the end of each run of slots ({@link #flush}), before the engine lets that
 * run's replies go (as Redis's beforeSleep); with {@code appendfsync always} it fsyncs there too; with
 * {@code everysec} a background thread fsyncs once a second, and a write waits behind a slow fsync for up to two
 * seconds, as Redis's. BGREWRITEAOF needs no fork: the base is written by a thread of its own from the full sync's
 * point-in-time snapshot at offset N while the records after N go to a new incremental file.
 * <p>
 * Threads: the engine thread owns the buffer, the current file and every state change; the rewrite thread writes
 * the base and then the manifest; the fsync thread fsyncs and asks for scheduled or automatic rewrites.
 */
public final class AppendOnlyFile implements ChangeJournal, AutoCloseable
{
    public static final int FSYNC_ALWAYS = 0;
    public static final int FSYNC_EVERYSEC = 1;
    public static final int FSYNC_NO = 2;

    static final int STATE_OFF = 0;
    static final int STATE_WAIT_REWRITE = 1;
    static final int STATE_ON = 2;

    /** Redis's 2 seconds: how long a write may wait behind a background fsync under everysec. */
    private static final long MAX_POSTPONE_MS = 2000;
    /** The base's buffer is written out at this size. */
    private static final int BASE_WRITE_CHUNK = 1024 * 1024;

    private final Path directory;
    private final String fileName;
    private final ReplicationNode node;
    private final Consumer<String> log;
    private final Consumer<String> warn;
    private Engine engine;
    private BooleanSupplier rdbPreamble = () -> false;
    private RdbSnapshotFile rdbFile;
    private Keyspace keyspace;

    private volatile int fsyncPolicy = FSYNC_EVERYSEC;
    private volatile boolean loadTruncated = true;
    private volatile int autoRewritePercentage = 100;
    private volatile long autoRewriteMinSize = 64L * 1024 * 1024;

    // Engine thread.
    private final RespCommandOut out = new RespCommandOut();
    private final AofCommandEncoder encoder = new AofCommandEncoder(out);
    private FileChannel incr;
    private long skipUpTo;
    private long postponedSinceMs;

    // Read by INFO and the background threads.
    private volatile int state = STATE_OFF;
    private long[] loadedRdbKeys;
    private volatile FileChannel fsyncChannel;
    private volatile long writtenBytes;
    private volatile long syncedBytes;
    private volatile boolean fsyncInProgress;
    /** Set by the engine thread when a write waits behind the background fsync, which then wakes the engine. */
    private volatile boolean writePostponed;
    private volatile long delayedFsyncs;
    private volatile long incrBytes;
    private volatile long earlierBytes;
    private volatile long rewriteBaseSize;
    private volatile AofManifest manifest;
    private volatile boolean rewriting;
    private volatile boolean rewriteScheduled;
    private volatile long rewriteStartMs;
    private volatile long lastRewriteSeconds = -1;
    private volatile String lastRewriteStatus = "ok";
    private volatile String lastWriteStatus = "ok";
    private volatile long rewrites;
    private volatile long consecutiveFailures;
    private volatile Snapshot rewriteSnapshot;
    private volatile boolean running = true;
    private Thread background;

    /**
     * @param dir       the server's working directory ({@code dir}).
     * @param dirName   {@code appenddirname}, inside it.
     * @param fileName  {@code appendfilename}: the prefix of every file's name.
     * @param node      replication, for the snapshot BGREWRITEAOF shares with full syncs.
     * @param log       notices.
     * @param warn      warnings.
     */
    public AppendOnlyFile(final Path dir, final String dirName, final String fileName, final ReplicationNode node,
        final Consumer<String> log, final Consumer<String> warn)
    {
        this.directory = dir.resolve(dirName);
        this.fileName = fileName;
        this.node = node;
        this.log = log;
        this.warn = warn;
    }

    public void fsyncPolicy(final String policy)
    {
        fsyncPolicy = switch (policy)
        {
            case "always" -> FSYNC_ALWAYS;
            case "no" -> FSYNC_NO;
            default -> FSYNC_EVERYSEC;
        };
    }

    public void loadTruncated(final boolean yes)
    {
        loadTruncated = yes;
    }

    public void autoRewrite(final long percentage, final long minSize)
    {
        autoRewritePercentage = (int)percentage;
        autoRewriteMinSize = minSize;
    }

    /**
     * Start-up thread, before {@link #start}: write rewrite bases as RDB files ({@code <name>.<seq>.base.rdb}) while
     * {@code aof-use-rdb-preamble} is yes, and load RDB bases.
     *
     * @param use      {@code aof-use-rdb-preamble}, read at each rewrite's start.
     * @param rdbFile  the one RDB file writer (BGSAVE's).
     * @param keyspace for the file's RESIZEDB counts (engine thread) and the database count at load.
     */
    public void rdbPreamble(final BooleanSupplier use, final RdbSnapshotFile rdbFile, final Keyspace keyspace)
    {
        this.rdbPreamble = use;
        this.rdbFile = rdbFile;
        this.keyspace = keyspace;
    }

    private boolean usePreamble()
    {
        return rdbFile != null && rdbPreamble.getAsBoolean();
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * Start-up thread, after the engine started and before any client connects: load the directory's files
     * (creating an empty base, an incremental file and the manifest when there are none, as Redis does) and feed the
     * AOF from the next change on.
     *
     * @throws IOException when the files cannot be loaded: the server must not start.
     */
    public void start(final Engine engine, final boolean enabled) throws IOException
    {
        this.engine = engine;
        final Path manifestPath = directory.resolve(AofManifest.manifestName(fileName));
        if (Files.exists(manifestPath))
        {
            manifest = AofManifest.read(manifestPath);
        }
        background = Thread.ofPlatform().name("ringkv-aof-fsync").daemon().start(this::backgroundLoop);
        if (!enabled)
        {
            return;
        }
        if (manifest == null)
        {
            final Path legacy = directory.getParent().resolve(fileName);
            if (Files.exists(legacy))
            {
                throw new IOException("Found the single append only file " + legacy + " of a Redis before 7.0: " +
                    "ringkv reads only the multi-part layout (" + directory + "); start a Redis 7 on it once to " +
                    "upgrade it");
            }
            Files.createDirectories(directory);
            final boolean rdb = usePreamble();
            final String base = AofManifest.baseName(fileName, 1, rdb);
            log.accept("Creating AOF base file " + base + " on server start");
            if (rdb)
            {
                writeEmptyRdbBase(directory.resolve(base));
            }
            else
            {
                Durable.write(directory.resolve(base), new byte[0]);
            }
            log.accept("Creating AOF incr file " + AofManifest.incrName(fileName, 1) + " on server start");
            manifest = new AofManifest(base, 1, List.of(), List.of());
        }
        else
        {
            final long startNs = System.nanoTime();
            final AofLoader loader = new AofLoader(engine, keyspace == null ? 16 : keyspace.databases(),
                loadTruncated, warn);
            loader.load(directory, manifest);
            loadedRdbKeys = loader.rdbKeys();
            log.accept("DB loaded from append only file: " +
                String.format("%.3f", (System.nanoTime() - startNs) / 1e9) + " seconds (" + loader.loadedCommands() +
                " commands)");
        }
        // Nothing pending in the engine once this batch has run: the offset read next is the last loaded record.
        final CommandBatchBuilder ping = new CommandBatchBuilder(new ClientSession(-3, true), new ApplyReply());
        ping.arg("PING").end().execute(engine);
        skipUpTo = engine.replicationOffset();
        final long seq;
        final String name;
        if (manifest.incrs().isEmpty())
        {
            seq = 1;
            name = AofManifest.incrName(fileName, seq);
            manifest = manifest.withIncr(name, seq);
            openIncr(name, true);
            manifest.write(directory, fileName);
        }
        else
        {
            seq = manifest.lastIncrSeq();
            name = manifest.incrs().get(manifest.incrs().size() - 1);
            openIncr(name, false);
        }
        earlierBytes = sizeOfAllBut(name);
        rewriteBaseSize = earlierBytes + incrBytes;
        state = STATE_ON;
        engine.journal(this);
    }

    /** Redis creates the first base of an empty data set with its rewrite: an RDB file of no keys. */
    private void writeEmptyRdbBase(final Path path) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            rdbFile.write(channel, RdbSnapshotFile.Header.empty(), null, null, null);
            channel.force(true);
        }
    }

    private long sizeOfAllBut(final String current) throws IOException
    {
        long size = 0;
        final AofManifest manifest = this.manifest;
        if (manifest.base() != null)
        {
            size += Files.size(directory.resolve(manifest.base()));
        }
        for (final String incr : manifest.incrs())
        {
            if (!incr.equals(current))
            {
                size += Files.size(directory.resolve(incr));
            }
        }
        return size;
    }

    private void openIncr(final String name, final boolean create) throws IOException
    {
        final FileChannel channel = create ?
            FileChannel.open(directory.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING) :
            FileChannel.open(directory.resolve(name), StandardOpenOption.WRITE);
        channel.position(channel.size());
        incr = channel;
        incrBytes = channel.size();
        writtenBytes = 0;
        syncedBytes = 0;
        fsyncChannel = channel;
        encoder.forgetSelectedDb();
    }

    @Override
    public void append(final CommandEvent event)
    {
        if (event.changesLength() == 0 || incr == null)
        {
            return;
        }
        // The first slot with records after the file (or the rewrite) started may hold records that the snapshot or
        // the load already has: only those past that offset go in. Offsets only grow, so one slot is enough.
        final long after = skipUpTo;
        skipUpTo = 0;
        encoder.slot(event, after);
    }

    @Override
    public boolean flush()
    {
        return write(false);
    }

    /**
     * @param now true to write even while a background fsync runs (the file is being closed).
     * @return false when the write was postponed behind a background fsync: the replies wait for the next try, which
     *         the fsync thread asks for as soon as its fsync returned.
     */
    private boolean write(final boolean now)
    {
        final RespCommandOut out = this.out;
        if (out.length() == 0 || incr == null)
        {
            return true;
        }
        final int policy = fsyncPolicy;
        // Announced before fsyncInProgress is read (both volatile): either the fsync thread sees it once its fsync
        // ends and wakes the engine, or this read sees that fsync ended.
        writePostponed = policy == FSYNC_EVERYSEC && !now;
        if (policy == FSYNC_EVERYSEC && fsyncInProgress && !now)
        {
            final long nowMs = System.currentTimeMillis();
            if (postponedSinceMs == 0)
            {
                postponedSinceMs = nowMs;
            }
            if (nowMs - postponedSinceMs < MAX_POSTPONE_MS)
            {
                return false;
            }
            delayedFsyncs++;
            warn.accept("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without " +
                "waiting for fsync to complete, this may slow down Redis.");
        }
        postponedSinceMs = 0;
        writePostponed = false;
        try
        {
            out.writeTo(incr);
            final int length = out.length();
            out.clear();
            incrBytes += length;
            writtenBytes += length;
            if (policy == FSYNC_ALWAYS)
            {
                incr.force(false);
                syncedBytes = writtenBytes;
            }
            lastWriteStatus = "ok";
        }
        catch (final IOException ex)
        {
            lastWriteStatus = "err";
            if (policy == FSYNC_ALWAYS)
            {
                warn.accept("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting... (" +
                    ex.getMessage() + ")");
                Runtime.getRuntime().halt(1);
            }
            warn.accept("Error writing to the AOF file: " + ex.getMessage());
        }
        return true;
    }

    /**
     * Engine thread (CONFIG SET appendonly yes): start, with a rewrite, as Redis's startAppendOnly.
     *
     * @param offset the change log's last record now.
     * @return null, or the error to answer.
     */
    public String enable(final long offset)
    {
        if (state != STATE_OFF)
        {
            return null;
        }
        if (engine == null)
        {
            return "ERR the append-only file is not available yet";
        }
        try
        {
            Files.createDirectories(directory);
            final Path manifestPath = directory.resolve(AofManifest.manifestName(fileName));
            manifest = Files.exists(manifestPath) ? AofManifest.read(manifestPath) : null;
        }
        catch (final IOException ex)
        {
            return "ERR Can't open the append-only directory: " + ex.getMessage();
        }
        state = STATE_WAIT_REWRITE;
        if (rewriting)
        {
            rewriteScheduled = true; // a BGREWRITEAOF of the stopped AOF runs: the first base follows it
            return null;
        }
        final String result = rewrite(offset);
        if (result.startsWith("ERR"))
        {
            state = STATE_OFF;
            return result;
        }
        return null;
    }

    /**
     * Engine thread (CONFIG SET appendonly no): stop writing; a rewrite in progress is given up. The files stay.
     */
    public void disable()
    {
        if (state == STATE_OFF)
        {
            return;
        }
        closeIncr(); // writes what is buffered first: the held replies go once journal(null) releases them
        engine.journal(null);
        final Snapshot snapshot = rewriteSnapshot;
        if (snapshot != null)
        {
            snapshot.abort("appendonly was turned off");
        }
        rewriteScheduled = false;
        state = STATE_OFF;
    }

    private void closeIncr()
    {
        final FileChannel channel = incr;
        if (channel == null)
        {
            return;
        }
        write(true);
        try
        {
            channel.force(false);
            channel.close();
        }
        catch (final IOException ex)
        {
            warn.accept("Error closing the AOF file: " + ex.getMessage());
        }
        incr = null;
        fsyncChannel = null;
    }

    /**
     * Engine thread: BGREWRITEAOF.
     *
     * @param offset the change log's last record now: the base holds everything up to it, the new incremental file
     *               everything after.
     * @return the status line or error Redis answers.
     */
    public String rewrite(final long offset)
    {
        if (rewriting)
        {
            return "ERR Background append only file rewriting already in progress";
        }
        if (node.snapshotBusy())
        {
            rewriteScheduled = true;
            return "Background append only file rewriting scheduled";
        }
        final Snapshot snapshot = node.startSnapshot(offset);
        if (snapshot == null)
        {
            rewriteScheduled = true;
            return "Background append only file rewriting scheduled";
        }
        rewriteScheduled = false;
        // The RDB preamble's counts and libraries, of the snapshot's moment (engine thread); null: a RESP base.
        final RdbSnapshotFile.Header rdbHeader = usePreamble() ?
            RdbSnapshotFile.Header.capture(keyspace, snapshot.functionLibraries(), null) : null;
        final AofManifest current = manifest != null ? manifest : new AofManifest(null, 0, List.of(), List.of());
        final long incrSeq = current.lastIncrSeq() + 1;
        final long baseSeq = current.baseSeq() + 1;
        final String incrName = AofManifest.incrName(fileName, incrSeq);
        try
        {
            Files.createDirectories(directory);
            closeIncr();
            openIncr(incrName, true);
            log.accept("Creating AOF incr file " + incrName + " on background rewrite");
            if (state == STATE_ON)
            {
                // Until the base is written the old files and the new one hold the data: recoverable meanwhile.
                manifest = current.withIncr(incrName, incrSeq);
                manifest.write(directory, fileName);
                earlierBytes = sizeOfAllBut(incrName);
            }
        }
        catch (final IOException ex)
        {
            snapshot.abort("the new incremental file could not be created");
            snapshot.release();
            lastRewriteStatus = "err";
            return "ERR Can't create the AOF incr file " + incrName + ": " + ex.getMessage();
        }
        skipUpTo = offset;
        if (state == STATE_WAIT_REWRITE)
        {
            engine.journal(this);
        }
        rewriting = true;
        rewriteSnapshot = snapshot;
        rewriteStartMs = System.currentTimeMillis();
        Thread.ofPlatform().name("ringkv-aof-rewrite").daemon()
            .start(() -> writeBase(snapshot, rdbHeader, current, baseSeq, incrName, incrSeq));
        log.accept("Background append only file rewriting started at offset " + offset);
        return "Background append only file rewriting started";
    }

    private void writeBase(final Snapshot snapshot, final RdbSnapshotFile.Header rdbHeader,
        final AofManifest previous, final long baseSeq, final String incrName, final long incrSeq)
    {
        final Path temp = directory.getParent().resolve("temp-rewriteaof-bg-" + ProcessHandle.current().pid() + ".aof");
        boolean ok = false;
        try
        {
            final long baseBytes;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                if (rdbHeader != null)
                {
                    // aof-use-rdb-preamble yes: the base is an RDB file, written as BGSAVE writes one.
                    boolean written = false;
                    try
                    {
                        rdbFile.write(channel, rdbHeader, snapshot, null, node::requestSnapshotStep);
                        written = true;
                    }
                    finally
                    {
                        if (!written)
                        {
                            snapshot.abort("the AOF base could not be written"); // the engine stops filling it
                        }
                        snapshot.release();
                    }
                }
                else
                {
                    new AofBaseWriter(snapshot, node, channel, BASE_WRITE_CHUNK).write();
                }
                channel.force(true);
                baseBytes = channel.size();
            }
            log.accept("Successfully created the temporary AOF base file " + temp.getFileName());
            if (snapshot.abortReason() != null)
            {
                throw new IOException("given up: " + snapshot.abortReason());
            }
            final String baseName = AofManifest.baseName(fileName, baseSeq, rdbHeader != null);
            Files.move(temp, directory.resolve(baseName), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            log.accept("Successfully renamed the temporary AOF base file " + temp.getFileName() + " into " + baseName);
            final AofManifest next = new AofManifest(baseName, baseSeq, List.of(incrName), List.of(incrSeq));
            next.write(directory, fileName);
            manifest = next;
            earlierBytes = baseBytes;
            rewriteBaseSize = baseBytes + incrBytes;
            if (previous.base() != null && !previous.base().equals(baseName))
            {
                deleteHistory(previous.base());
            }
            for (final String old : previous.incrs())
            {
                if (!old.equals(incrName))
                {
                    deleteHistory(old);
                }
            }
            if (state == STATE_WAIT_REWRITE)
            {
                state = STATE_ON;
            }
            ok = true;
            log.accept("Background AOF rewrite finished successfully");
        }
        catch (final IOException | RuntimeException ex)
        {
            warn.accept("Background AOF rewrite failed: " + ex.getMessage());
            try
            {
                Files.deleteIfExists(temp);
            }
            catch (final IOException ignore)
            {
                // Left for the next rewrite to overwrite.
            }
        }
        finally
        {
            lastRewriteSeconds = (System.currentTimeMillis() - rewriteStartMs) / 1000;
            lastRewriteStatus = ok ? "ok" : "err";
            if (ok)
            {
                rewrites++;
                consecutiveFailures = 0;
            }
            else
            {
                consecutiveFailures++;
                if (state == STATE_WAIT_REWRITE)
                {
                    rewriteScheduled = true; // appendonly yes still waits for its first base: try again
                }
            }
            rewriteSnapshot = null;
            rewriting = false;
        }
    }

    private void deleteHistory(final String name)
    {
        log.accept("Removing the history file " + name + " in the background");
        try
        {
            Files.deleteIfExists(directory.resolve(name));
        }
        catch (final IOException ex)
        {
            warn.accept("Can't remove the history file " + name + ": " + ex.getMessage());
        }
    }

    /**
     * The fsync thread: once a second under everysec, fsync what was written; every 100 ms, start a scheduled
     * rewrite once the snapshot is free, or an automatic one when the file has grown past
     * auto-aof-rewrite-percentage (Redis's serverCron).
     */
    private void backgroundLoop()
    {
        final CommandBatchBuilder commands = new CommandBatchBuilder(new ClientSession(-4, true), new ApplyReply());
        long lastFsyncMs = System.currentTimeMillis();
        while (running)
        {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
            final long nowMs = System.currentTimeMillis();
            if (fsyncPolicy == FSYNC_EVERYSEC && nowMs - lastFsyncMs >= 1000)
            {
                lastFsyncMs = nowMs;
                final FileChannel channel = fsyncChannel;
                final long written = writtenBytes;
                if (channel != null && written != syncedBytes)
                {
                    fsyncInProgress = true;
                    try
                    {
                        channel.force(false);
                        if (fsyncChannel == channel)
                        {
                            syncedBytes = written;
                        }
                    }
                    catch (final IOException ex)
                    {
                        if (channel.isOpen())
                        {
                            warn.accept("Error syncing the AOF file: " + ex.getMessage());
                        }
                    }
                    finally
                    {
                        fsyncInProgress = false;
                    }
                    if (writePostponed)
                    {
                        engine.requestTask(); // a run's end: the postponed write and its held replies go now
                    }
                }
            }
            if (!rewriting && state != STATE_OFF && (rewriteScheduled || autoRewriteDue()) && !node.snapshotBusy())
            {
                if (!rewriteScheduled)
                {
                    log.accept("Starting automatic rewriting of AOF on " + growthPercent() + "% growth");
                }
                try
                {
                    commands.arg("BGREWRITEAOF").end().execute(engine);
                }
                catch (final RuntimeException ex)
                {
                    return; // the engine has stopped
                }
            }
        }
    }

    private boolean autoRewriteDue()
    {
        return state == STATE_ON && autoRewritePercentage > 0 && currentSize() > autoRewriteMinSize &&
            growthPercent() >= autoRewritePercentage;
    }

    private long growthPercent()
    {
        final long base = Math.max(1, rewriteBaseSize);
        return currentSize() * 100 / base - 100;
    }

    private long currentSize()
    {
        return earlierBytes + incrBytes;
    }

    /**
     * @return keys the RDB base loaded at start created and did not create (expired), or null when none was loaded.
     */
    public long[] loadedRdbKeys()
    {
        return loadedRdbKeys != null && loadedRdbKeys[0] >= 0 ? loadedRdbKeys : null;
    }

    /**
     * INFO persistence's aof_* fields, as Redis 7.0 writes them.
     */
    public void writeInfo(final BiConsumer<String, Object> field)
    {
        final int state = this.state;
        field.accept("aof_enabled", state != STATE_OFF ? 1 : 0);
        field.accept("aof_rewrite_in_progress", rewriting ? 1 : 0);
        field.accept("aof_rewrite_scheduled", rewriteScheduled ? 1 : 0);
        field.accept("aof_last_rewrite_time_sec", lastRewriteSeconds);
        field.accept("aof_current_rewrite_time_sec",
            rewriting ? (System.currentTimeMillis() - rewriteStartMs) / 1000 : -1);
        field.accept("aof_last_bgrewrite_status", lastRewriteStatus);
        field.accept("aof_rewrites", rewrites);
        field.accept("aof_rewrites_consecutive_failures", consecutiveFailures);
        field.accept("aof_last_write_status", lastWriteStatus);
        field.accept("aof_last_cow_size", 0);
        field.accept("module_fork_in_progress", 0); // Redis writes these two here, ringkv has no modules
        field.accept("module_fork_last_cow_size", 0);
        if (state != STATE_OFF)
        {
            field.accept("aof_current_size", currentSize());
            field.accept("aof_base_size", rewriteBaseSize);
            field.accept("aof_pending_rewrite", rewriteScheduled ? 1 : 0);
            field.accept("aof_buffer_length", out.length());
            field.accept("aof_pending_bio_fsync", fsyncInProgress ? 1 : 0);
            field.accept("aof_delayed_fsync", delayedFsyncs);
        }
    }

    /**
     * After the engine has stopped: write what is buffered and fsync (Redis's "Calling fsync() on the AOF file").
     */
    @Override
    public void close()
    {
        running = false;
        if (background != null)
        {
            LockSupport.unpark(background);
        }
        if (incr != null)
        {
            log.accept("Calling fsync() on the AOF file.");
            closeIncr();
        }
    }
}
