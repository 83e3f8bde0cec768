package io.ringkv.replication;

import com.lmax.disruptor.EventHandler;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.Reply;
import io.ringkv.core.engine.CommandEvent;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.store.Keyspace;
import io.ringkv.replication.log.RandomId;
import io.ringkv.replication.log.ReplicaFeed;
import io.ringkv.replication.log.ReplicationBacklog;
import io.ringkv.replication.log.ReplicationLogEncoder;
import io.ringkv.replication.master.ReplicaSender;
import io.ringkv.replication.master.ReplicaSenderOwner;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;
import io.ringkv.replication.replica.MasterLink;
import io.ringkv.replication.replica.ReplicaLink;
import io.ringkv.replication.replica.resp.MasterCredentials;
import io.ringkv.replication.replica.resp.ProtocolChoosingLink;
import io.ringkv.replication.replica.resp.RedisMasterLink;
import io.ringkv.replication.snapshot.Snapshot;
import io.ringkv.replication.snapshot.SnapshotTask;
import org.agrona.BitUtil;

import java.net.InetSocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * This server's place in replication: the master of the replicas that sync from it (log encoder and backlog
 * behind the engine, one {@link ReplicaSender} per replica, full syncs from a {@link SnapshotTask}) and, after
 * REPLICAOF, a replica following a master through a {@link MasterLink}. The server builds it, passes
 * {@link #logEncoder()} to the engine as an afterEngine consumer, then calls {@link #start}.
 * <p>
 * Role changes and sync requests run on the engine thread (they are commands); the status getters may be called
 * from any thread.
 */
public final class ReplicationNode implements AutoCloseable, ReplicaSenderOwner
{
    private static final String NO_REPLID = "0000000000000000000000000000000000000000";

    private final ReplicationConfig config;
    private final ReplicationBacklog backlog;
    private final ReplicationLogEncoder encoder;
    private final List<ReplicaSender> replicas = new CopyOnWriteArrayList<>();
    private Engine engine;
    private Keyspace keyspace;
    private SnapshotTask snapshotTask;
    private int listeningPort;
    private Thread drainer;
    private volatile boolean running;
    private volatile String replid = RandomId.next();
    private volatile String replid2 = NO_REPLID;
    private volatile long secondReplOffset = -1;
    private volatile ReplicaLink link;
    private CommandContext engineContext;
    private java.util.function.Supplier<java.util.List<byte[]>> functionLibraries;
    private volatile long fullSyncs;
    private volatile long partialSyncs;
    private volatile long partialSyncsRefused;
    private volatile long snapshotPeakBytes;
    private final java.util.Set<Thread> ackWaiters = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private RespReplication resp;

    public ReplicationNode(final ReplicationConfig config)
    {
        this.config = config;
        this.backlog = new ReplicationBacklog(config.backlogBytes, 0);
        this.encoder = new ReplicationLogEncoder(backlog);
    }

    /**
     * @return the consumer to run behind the engine.
     */
    public EventHandler<CommandEvent> logEncoder()
    {
        return encoder;
    }

    /**
     * Start-up thread, before {@link #start}: where a full sync finds the function libraries to carry (engine thread,
     * at the sync point: an immutable list of their codes). Without it a dump carries no libraries field.
     *
     * @param codes gives the libraries' codes.
     */
    public void functionLibraries(final java.util.function.Supplier<java.util.List<byte[]>> codes)
    {
        this.functionLibraries = codes;
    }

    /**
     * Start-up thread, before {@link #start}: serve Redis-protocol replicas too (PSYNC, SYNC), their stream encoded
     * by {@code encoding} and their full syncs written by {@code rdbFile}.
     */
    public void redisReplicas(final io.ringkv.replication.log.RespSlotEncoding encoding,
        final io.ringkv.replication.snapshot.RdbSnapshotFile rdbFile)
    {
        resp = new RespReplication(this, config, encoding, rdbFile, backlog);
        encoder.respStream(resp.stream());
    }

    /**
     * @return the Redis-protocol replicas' side, or null when not set up.
     */
    RespReplication redisReplicas()
    {
        return resp;
    }

    Keyspace keyspace()
    {
        return keyspace;
    }

    /**
     * A sync was served: counts for INFO stats (sync_full, sync_partial_ok, sync_partial_err).
     */
    void countSync(final boolean partial, final boolean partialRefused)
    {
        if (partial)
        {
            partialSyncs++;
        }
        else
        {
            fullSyncs++;
        }
        if (partialRefused)
        {
            partialSyncsRefused++;
        }
    }

    /**
     * Start-up thread, after the engine has started: install the snapshot task and, with {@code replicaof}
     * configured, begin replicating.
     *
     * @param engine        the running engine.
     * @param keyspace      its keyspace (only the engine thread touches it).
     * @param listeningPort this server's port, announced to masters.
     */
    public void start(final Engine engine, final Keyspace keyspace, final int listeningPort)
    {
        this.engine = engine;
        this.keyspace = keyspace;
        this.listeningPort = listeningPort;
        this.snapshotTask = new SnapshotTask(keyspace);
        engine.backgroundTask(nowMs ->
        {
            snapshotTask.doWork(nowMs);
            final RespReplication resp = this.resp;
            if (resp != null)
            {
                resp.afterSnapshotStep(nowMs); // a Redis replica's queued full sync starts once the task is free
            }
        });
        running = true;
        drainer = Thread.ofVirtual().name("ringkv-repl-drainer").start(this::drainGivenUpSnapshots);
        if (!config.replicaof.isEmpty())
        {
            final String[] words = config.replicaof.split(" ");
            final CommandBatchBuilder commands = new CommandBatchBuilder(new ClientSession(-2, true), new ApplyReply());
            commands.arg("REPLICAOF").arg(words[0]).arg(words.length > 1 ? words[1] : "6379").end();
            commands.execute(engine);
            if (commands.reply().errors() > 0)
            {
                throw new IllegalArgumentException("replicaof " + config.replicaof + ": " +
                    commands.reply().lastError());
            }
        }
    }

    public Engine engine()
    {
        return engine;
    }

    /**
     * Start-up thread, after an RDB file was loaded and before replicas can connect: a master continues the history
     * the file was saved in (its repl-id and repl-offset aux fields, Redis 7.0's rule for a master loading its RDB),
     * so a replica that had applied up to that offset continues with a partial sync after the master's restart. The
     * load logged nothing (a loader at start), so the engine numbers the next record {@code offset + 1}. The Redis
     * replicas' byte stream resumes at the file's {@code ringkv-resp-offset}, or, without one, takes an id of its
     * own ({@link RespReplication#continueHistory}).
     *
     * @param engine     the running engine.
     * @param replid     the file's repl-id.
     * @param offset     the file's repl-offset.
     * @param respOffset the file's ringkv-resp-offset, or -1.
     */
    public void continueHistory(final Engine engine, final String replid, final long offset, final long respOffset)
    {
        if (!config.replicaof.isEmpty() || replid == null || offset < 0)
        {
            return; // a replica takes its history from its master; a file without one starts a new history
        }
        final ClientSession session = new ClientSession(-2, true);
        session.masterLink(true); // REPLCONF OFFSET is the link's way to renumber the engine's records
        final CommandBatchBuilder commands = new CommandBatchBuilder(session, new ApplyReply());
        commands.arg("REPLCONF").arg("OFFSET").arg(offset).end();
        commands.execute(engine);
        if (commands.reply().errors() == 0)
        {
            this.replid = replid;
            resp.continueHistory(offset, respOffset);
            log("Continuing the replication history of the RDB file: replication id " + replid + ", offset " +
                offset + (respOffset >= 0 ? ", Redis replicas' byte offset " + respOffset :
                "; Redis replicas sync with replication id " + resp.replid() + " (the file has no byte offset)"));
        }
    }

    /**
     * Any thread (an RDB save of a snapshot at record {@code record}): the Redis replicas' byte offset of that
     * moment, written as the file's {@code ringkv-resp-offset}; -1 when there is none to write.
     */
    public long respOffsetAt(final long record)
    {
        return resp == null ? -1 : resp.offsetToSave(record);
    }

    /**
     * @return the one snapshot task, shared by full syncs and RDB saves (set by {@link #start}).
     */
    public SnapshotTask snapshotTask()
    {
        return snapshotTask;
    }

    public ReplicationBacklog backlog()
    {
        return backlog;
    }

    /**
     * @return this server's replication id (a new one at each start and each promotion).
     */
    public String replid()
    {
        return replid;
    }

    /**
     * @return true while this server replicates a master.
     */
    public boolean isReplica()
    {
        return link != null;
    }

    /**
     * @return the JSON link to a ringkv master, or null (a master, or a replica of a Redis master).
     */
    public MasterLink link()
    {
        final ReplicaLink link = this.link;
        return link instanceof MasterLink json ? json : link instanceof ProtocolChoosingLink choosing ?
            choosing.jsonLink() : null;
    }

    /**
     * @return the link to the master whatever its protocol, or null on a master.
     */
    public ReplicaLink replicaLink()
    {
        return link;
    }

    public List<ReplicaSender> replicas()
    {
        return replicas;
    }

    @Override
    public void log(final String message)
    {
        config.log.accept(message);
    }

    /**
     * Engine thread (REPLICAOF host port): follow a new master, refusing writes from clients when
     * replica-read-only.
     */
    public void replicaOf(final CommandContext context, final String host, final int port)
    {
        engineContext = context;
        final ReplicaLink previous = link;
        if (previous != null)
        {
            if (previous.host().equals(host) && previous.port() == port)
            {
                return;
            }
            previous.stop();
        }
        for (final ReplicaSender replica : replicas)
        {
            replica.close();
        }
        if (resp != null)
        {
            resp.stopAll();
        }
        context.blockedClients().disconnectAll(); // Redis: clients blocked on a master, now a replica
        context.readOnlyReplica(config.replicaReadOnly.getAsBoolean());
        context.keyspace().replicaExpiry(true);
        // Ask the new master to continue from the history this server holds (PSYNC2): the last master's, or, for
        // a master that has changed anything, its own. A half-loaded dump holds none (the link knows no replid).
        final long ownOffset = context.changeLog().lastOffset();
        final String resumeReplid = previous != null ? previous.replid() : ownOffset > 0 ? replid : null;
        final long resumeOffset = resumeReplid == null ? -1 : previous != null ? previous.offset() : ownOffset;
        final MasterCredentials credentials = new MasterCredentials(config.masteruser, config.masterauth);
        final ReplicaLink newLink = ProtocolChoosingLink.forProtocol(config.replicaProtocol.get(), host, port,
            new MasterLink(host, port, listeningPort, config.masterauth, resumeReplid, resumeOffset, engine, context,
                config.log),
            // Redis counts bytes: only a history followed from a Redis master can be continued (PSYNC) there.
            () -> new RedisMasterLink(host, port, listeningPort, credentials, config.dir, config.rdbLoader,
                previous != null && !previous.offsetsAreRecords() ? previous.replid() : null,
                previous != null ? previous.offset() : -1, engine, context, config.log), credentials, config.log);
        link = newLink;
        log("Connecting to MASTER " + host + ":" + port);
        newLink.start();
    }

    /**
     * Engine thread (REPLICAOF NO ONE): stop replicating and become a master with a new replication id, keeping
     * the data.
     */
    public void promote(final CommandContext context)
    {
        engineContext = context;
        final ReplicaLink previous = link;
        context.readOnlyReplica(false);
        context.keyspace().replicaExpiry(false);
        context.loading(false);
        if (previous == null)
        {
            return;
        }
        previous.stop();
        link = null;
        // PSYNC2: the master's history this replica applied stays valid under the master's id up to where it
        // stopped, so the old master's other replicas can continue from it. The engine numbers records as the
        // master did (REPLCONF OFFSET), so the backlog already holds that history in the master's offsets.
        final String masterReplid = previous.replid();
        if (masterReplid != null && previous.offset() >= 0 && previous.offsetsAreRecords())
        {
            replid2 = masterReplid;
            secondReplOffset = context.changeLog().lastOffset() + 1;
        }
        else
        {
            replid2 = NO_REPLID;
            secondReplOffset = -1;
        }
        replid = RandomId.next();
        log("MASTER MODE enabled (previous replication id " + replid2 + ", offset " + (secondReplOffset - 1) + ")");
    }

    /**
     * Any thread (CONFIG SET repl-backlog-size): resize the backlog; INFO shows the new size at once.
     *
     * @param bytes the new repl-backlog-size.
     */
    public void backlogSize(final long bytes)
    {
        config.backlogBytes(bytes);
        backlog.resize(config.backlogBytes);
        final io.ringkv.replication.log.RespBacklog respBacklog = resp == null ? null : resp.stream().backlog();
        if (respBacklog != null)
        {
            respBacklog.resize(config.backlogBytes);
        }
    }

    /**
     * Engine thread (CONFIG SET replica-read-only): apply the new setting to a running replica.
     */
    public void replicaReadOnlyChanged()
    {
        final CommandContext context = engineContext;
        if (context != null)
        {
            context.readOnlyReplica(link != null && config.replicaReadOnly.getAsBoolean());
        }
    }

    /**
     * Engine thread: a replica's {@code sync} request on {@code session}'s connection. Answers with the sync mode
     * and hands the connection over to a new {@link ReplicaSender} once the answer is written.
     *
     * @param context       the command context.
     * @param replicaReplid the replication id the replica last followed ("?" for none).
     * @param replicaOffset the offset it applied (-1 for none).
     * @param replicaPort   its listening port (0 when unknown).
     * @param reply         where the answer goes.
     */
    public void sync(final CommandContext context, final String replicaReplid, final long replicaOffset,
        final int replicaPort, final Reply reply)
    {
        final String refusal = syncRefusal(context.session());
        if (refusal != null)
        {
            reply.error(refusal);
            return;
        }
        final ClientSession session = context.session();
        final long offset = context.changeLog().lastOffset();
        // As Redis's PSYNC2: this server's history, or the history it took over as a promoted replica up to where
        // that master's stream stopped reaching it.
        final boolean knownHistory = replid.equals(replicaReplid) ||
            (replid2.equals(replicaReplid) && replicaOffset + 1 <= secondReplOffset);
        final boolean partial = knownHistory && replicaOffset >= 0 && replicaOffset <= offset &&
            replicaOffset + 1 >= backlog.firstRecord();
        final Snapshot snapshot;
        final long startOffset;
        if (partial)
        {
            snapshot = null;
            startOffset = replicaOffset;
        }
        else
        {
            snapshot = startSnapshot(offset);
            if (snapshot == null)
            {
                reply.error("ERR a full sync is in progress; retry shortly");
                return;
            }
            startOffset = offset;
        }
        final String mode = partial ? "continue" : "full";
        // The replica's output buffer takes the log from here on: on the engine thread, so it misses no record.
        final ReplicaFeed feed = new ReplicaFeed(startOffset + 1, config.replicaOutputLimitBytes);
        encoder.attach(feed);
        session.handover((channel, unread, unreadOffset, unreadLength) ->
        {
            handOver(channel, replicaPort, startOffset, snapshot, feed);
            return true;
        });
        reply.mapHeader(3);
        reply.bulk(ascii("sync"));
        reply.bulk(ascii(mode));
        reply.bulk(ascii("replid"));
        reply.bulk(ascii(replid));
        reply.bulk(ascii("offset"));
        reply.integer(startOffset);
        if (partial)
        {
            partialSyncs++;
        }
        else
        {
            fullSyncs++;
            if (replicaOffset >= 0 && !"?".equals(replicaReplid))
            {
                partialSyncsRefused++;
            }
        }
    }

    /**
     * @return why {@code session} may not sync from this server (JSON sync, PSYNC, SYNC), or null when it may.
     */
    String syncRefusal(final ClientSession session)
    {
        if (link != null)
        {
            return "ERR this server is a replica: chained replication is not supported, sync from its master";
        }
        return session.masterLink() ? "ERR the master link cannot sync" : null;
    }

    private void handOver(final ByteChannel channel, final int replicaPort, final long startOffset,
        final Snapshot snapshot, final ReplicaFeed feed)
    {
        String ip = "?";
        if (channel instanceof SocketChannel socket)
        {
            try
            {
                ip = ((InetSocketAddress)socket.getRemoteAddress()).getAddress().getHostAddress();
            }
            catch (final java.io.IOException | RuntimeException ignore)
            {
                // Unknown address: INFO shows '?'.
            }
        }
        final ReplicaSender sender = new ReplicaSender(this, backlog, feed, channel, ip, replicaPort, startOffset,
            snapshot, config.replicaOutputLimitBytes);
        replicas.add(sender);
        log("Replica " + ip + ":" + replicaPort + " asks for synchronization: " +
            (snapshot == null ? "continuing from offset " + startOffset : "full sync at offset " + startOffset));
        sender.start();
    }

    /**
     * Engine thread: start a point-in-time snapshot of the data as of {@code offset} (the change log's last record),
     * the one way every reader starts one (a JSON or Redis replica's full sync, BGREWRITEAOF); null when one is
     * running or draining (one at a time). The reader asks for steps with {@link #requestSnapshotStep()} and
     * releases the snapshot when done.
     */
    public Snapshot startSnapshot(final long offset)
    {
        final SnapshotTask task = snapshotTask;
        if (task == null || task.busy())
        {
            return null;
        }
        final Snapshot snapshot = new Snapshot(offset, BitUtil.findNextPositivePowerOfTwo(config.snapshotBufferBytes));
        // An AOF base, like a full sync, carries the libraries as of the snapshot's offset.
        snapshot.functionLibraries(null == functionLibraries ? null : functionLibraries.get());
        task.start(snapshot);
        return snapshot;
    }

    /**
     * @return true while a snapshot runs or drains (a full sync, a rewrite): another must wait.
     */
    public boolean snapshotBusy()
    {
        final SnapshotTask task = snapshotTask;
        return task != null && task.busy();
    }

    @Override
    public void requestSnapshotStep()
    {
        engine.requestTask();
    }

    /**
     * Engine thread (CLIENT KILL TYPE replica): drop every replica's connection; each will reconnect and resync.
     *
     * @return replicas dropped.
     */
    public int dropReplicas()
    {
        int dropped = 0;
        for (final ReplicaSender replica : replicas)
        {
            replica.close();
            dropped++;
        }
        if (resp != null)
        {
            for (final io.ringkv.replication.master.RespReplicaSender replica : resp.senders())
            {
                replica.close();
                dropped++;
            }
        }
        return dropped;
    }

    /**
     * A sender ended.
     */
    @Override
    public void removed(final ReplicaSender sender)
    {
        encoder.detach(sender.feed());
        replicas.remove(sender);
        if (sender.snapshotPeakBytes() > snapshotPeakBytes)
        {
            snapshotPeakBytes = sender.snapshotPeakBytes();
        }
    }

    /**
     * A replica acknowledged a new offset: wake WAIT.
     */
    @Override
    public void acknowledged()
    {
        if (!ackWaiters.isEmpty())
        {
            for (final Thread waiter : ackWaiters)
            {
                LockSupport.unpark(waiter);
            }
        }
    }

    /**
     * Any thread but the engine's: wait until {@code numReplicas} replicas have acknowledged {@code offset}, or
     * until the timeout.
     *
     * @param offset      replication offset to reach.
     * @param numReplicas replicas wanted.
     * @param timeoutMs   0 for no limit.
     * @return replicas that have acknowledged it.
     */
    public int awaitAcks(final long offset, final int numReplicas, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final Thread self = Thread.currentThread();
        ackWaiters.add(self);
        if (resp != null)
        {
            resp.requestAcks();
        }
        try
        {
            while (true)
            {
                final int acked = ackedReplicas(offset);
                if (acked >= numReplicas)
                {
                    return acked;
                }
                final long leftNs = timeoutMs == 0 ? TimeUnit.MILLISECONDS.toNanos(100) :
                    deadlineNs - System.nanoTime();
                if (leftNs <= 0)
                {
                    return acked;
                }
                LockSupport.parkNanos(this, Math.min(leftNs, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
        finally
        {
            ackWaiters.remove(self);
        }
    }

    /**
     * @return replicas whose acknowledged offset is at least {@code offset}.
     */
    public int ackedReplicas(final long offset)
    {
        int acked = 0;
        for (final ReplicaSender replica : replicas)
        {
            if (replica.ackOffset() >= offset)
            {
                acked++;
            }
        }
        return resp == null ? acked : acked + resp.ackedReplicas(offset);
    }

    /**
     * Write the INFO replication fields (without the section header), Redis's names and order, one
     * {@code name:value} line at a time (without line end): a self-contained writer INFO calls.
     *
     * @param lines receives each line.
     */
    public void writeInfo(final java.util.function.Consumer<String> lines)
    {
        final StringBuilder out = new StringBuilder();
        writeInfo(out);
        for (final String line : out.toString().split("\r\n"))
        {
            if (!line.isEmpty())
            {
                lines.accept(line);
            }
        }
    }

    /**
     * As {@link #writeInfo(java.util.function.Consumer)}, into {@code out} with CRLF line ends.
     *
     * @param out where the lines go.
     */
    public void writeInfo(final StringBuilder out)
    {
        final ReplicaLink link = this.link;
        final long nowMs = System.currentTimeMillis();
        final long masterOffset = engine == null ? 0 : engine.replicationOffset();
        if (link == null)
        {
            line(out, "role", "master");
        }
        else
        {
            line(out, "role", "slave");
            line(out, "master_host", link.host());
            line(out, "master_port", link.port());
            line(out, "master_link_status", "up".equals(link.linkStatus()) ? "up" : "down");
            line(out, "master_last_io_seconds_ago", link.lastIoMs() == 0 ? -1 : (nowMs - link.lastIoMs()) / 1000);
            line(out, "master_sync_in_progress", link.syncInProgress() ? 1 : 0);
            line(out, "slave_read_repl_offset", link.offset());
            line(out, "slave_repl_offset", link.offset());
            line(out, "slave_priority", 100);
            line(out, "slave_read_only", config.replicaReadOnly.getAsBoolean() ? 1 : 0);
            line(out, "replica_announced", 1);
        }
        final List<ReplicaSender> senders = replicas;
        final List<io.ringkv.replication.master.RespReplicaSender> redisReplicas =
            resp == null ? List.of() : resp.senders();
        line(out, "connected_slaves", senders.size() + redisReplicas.size());
        int index = 0;
        for (final ReplicaSender replica : senders)
        {
            out.append("slave").append(index++).append(":ip=").append(replica.ip()).append(",port=")
                .append(replica.port()).append(",state=").append(replica.state()).append(",offset=")
                .append(Math.max(0, replica.ackOffset())).append(",lag=")
                .append((nowMs - replica.lastAckMs()) / 1000).append("\r\n");
        }
        for (final io.ringkv.replication.master.RespReplicaSender replica : redisReplicas)
        {
            // A Redis replica's offset is in bytes of the RESP stream (ringkv_resp_repl_offset), not records.
            out.append("slave").append(index++).append(":ip=").append(replica.ip()).append(",port=")
                .append(replica.port()).append(",state=").append(replica.state()).append(",offset=")
                .append(Math.max(0, replica.ackOffset())).append(",lag=")
                .append((nowMs - replica.lastAckMs()) / 1000).append("\r\n");
        }
        line(out, "master_failover_state", "no-failover");
        line(out, "master_replid", link == null ? replid : (link.replid() == null ? replid : link.replid()));
        line(out, "master_replid2", replid2);
        line(out, "master_repl_offset", link == null ? masterOffset : Math.max(0, link.offset()));
        line(out, "second_repl_offset", secondReplOffset);
        line(out, "repl_backlog_active", 1);
        line(out, "repl_backlog_size", backlog.capacity());
        line(out, "repl_backlog_first_byte_offset", backlog.firstRecord());
        line(out, "repl_backlog_histlen", backlog.historyLength());
        line(out, "ringkv_repl_full_syncs", fullSyncs);
        line(out, "ringkv_repl_partial_syncs", partialSyncs);
        line(out, "ringkv_repl_snapshot_buffer_bytes", config.snapshotBufferBytes);
        long peak = snapshotPeakBytes;
        long pendingPeak = 0;
        for (final ReplicaSender replica : senders)
        {
            peak = Math.max(peak, replica.snapshotPeakBytes());
            pendingPeak = Math.max(pendingPeak, replica.peakPendingBytes());
        }
        line(out, "ringkv_repl_snapshot_peak_bytes", peak);
        line(out, "ringkv_repl_pending_log_peak_bytes", pendingPeak);
        final io.ringkv.replication.log.RespBacklog respBacklog = resp == null ? null : resp.stream().backlog();
        if (resp != null && !resp.replid().equals(replid))
        {
            line(out, "ringkv_resp_replid", resp.replid()); // the id Redis replicas sync with, when not the node's
        }
        line(out, "ringkv_resp_repl_offset", respBacklog == null ? 0 : respBacklog.endOffset());
        line(out, "ringkv_resp_repl_backlog_first_byte_offset", respBacklog == null ? 0 :
            respBacklog.firstOffset() + 1);
    }

    /**
     * Write ROLE's reply.
     */
    public void writeRole(final Reply reply)
    {
        final ReplicaLink link = this.link;
        if (link == null)
        {
            final List<ReplicaSender> senders = replicas;
            final List<io.ringkv.replication.master.RespReplicaSender> redisReplicas =
                resp == null ? List.of() : resp.senders();
            reply.arrayHeader(3);
            reply.bulk(ascii("master"));
            reply.integer(engine.replicationOffset());
            reply.arrayHeader(senders.size() + redisReplicas.size());
            for (final ReplicaSender replica : senders)
            {
                reply.arrayHeader(3);
                reply.bulk(ascii(replica.ip()));
                reply.bulk(ascii(Integer.toString(replica.port())));
                reply.bulk(ascii(Long.toString(Math.max(0, replica.ackOffset()))));
            }
            for (final io.ringkv.replication.master.RespReplicaSender replica : redisReplicas)
            {
                reply.arrayHeader(3);
                reply.bulk(ascii(replica.ip()));
                reply.bulk(ascii(Integer.toString(replica.port())));
                reply.bulk(ascii(Long.toString(Math.max(0, replica.ackOffset()))));
            }
            return;
        }
        reply.arrayHeader(5);
        reply.bulk(ascii("slave"));
        reply.bulk(ascii(link.host()));
        reply.integer(link.port());
        final String status = link.linkStatus();
        reply.bulk(ascii("up".equals(status) ? "connected" : "sync".equals(status) ? "sync" :
            "connecting".equals(status) ? "connecting" : "connect"));
        reply.integer(link.offset());
    }

    private static void line(final StringBuilder out, final String name, final Object value)
    {
        out.append(name).append(':').append(value).append("\r\n");
    }

    private void drainGivenUpSnapshots()
    {
        while (running)
        {
            final SnapshotTask task = snapshotTask;
            if (task.draining())
            {
                engine.requestTask();
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(2));
            }
            else
            {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    /**
     * Stop the link and the senders (before the engine stops); frees nothing the engine's consumers still use.
     */
    @Override
    public void close()
    {
        running = false;
        final ReplicaLink link = this.link;
        if (link != null)
        {
            link.stop();
            try
            {
                link.join(2000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        final List<ReplicaSender> senders = List.copyOf(replicas);
        for (final ReplicaSender replica : senders)
        {
            replica.close();
        }
        if (resp != null)
        {
            resp.stopAll();
            resp.awaitSenders(1000);
        }
        for (final ReplicaSender replica : senders)
        {
            try
            {
                replica.awaitWriterEnd(1000); // the backlog is freed after this
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (drainer != null)
        {
            LockSupport.unpark(drainer);
        }
    }

    /**
     * After the engine (and so the encoder) has stopped: free the backlog.
     */
    public void free()
    {
        backlog.close();
    }

    /**
     * @return full syncs served (INFO stats sync_full).
     */
    public long fullSyncs()
    {
        return fullSyncs;
    }

    /**
     * @return partial syncs served (INFO stats sync_partial_ok).
     */
    public long partialSyncs()
    {
        return partialSyncs;
    }

    /**
     * @return replicas that asked to continue a history and had to full-sync (INFO stats sync_partial_err).
     */
    public long partialSyncsRefused()
    {
        return partialSyncsRefused;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

}
