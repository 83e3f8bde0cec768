package io.ringkv.replication;

import io.ringkv.core.command.AsciiNumbers;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.store.Keyspace;
import io.ringkv.replication.log.ReplicaFeed;
import io.ringkv.replication.log.ReplicationBacklog;
import io.ringkv.replication.log.RespBacklog;
import io.ringkv.replication.log.RespChangeStream;
import io.ringkv.replication.log.RespSlotEncoding;
import io.ringkv.replication.master.RespReplicaOwner;
import io.ringkv.replication.master.RespReplicaSender;
import io.ringkv.replication.snapshot.RdbSnapshotFile;
import io.ringkv.replication.snapshot.Snapshot;
import io.ringkv.replication.snapshot.SnapshotTask;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This server as the master of Redis-protocol replicas (a redis-server with {@code replicaof} pointing here): the
 * handshake's REPLCONF options, PSYNC and SYNC, one {@link RespReplicaSender} per replica, full syncs queued on the
 * one {@link SnapshotTask} (a replica whose sync finds it busy waits for it, as Redis's wait for a BGSAVE), and the
 * {@link RespChangeStream} they are fed from. Offsets here are Redis's (bytes of the RESP stream); the replication id
 * is the node's. docs/replication-protocol.md, "ringkv as a master of Redis replicas".
 * <p>
 * Commands and the queued syncs' starts run on the engine thread; the status getters on any thread.
 */
final class RespReplication implements RespReplicaOwner
{
    private static final byte[] LISTENING_PORT = ascii("LISTENING-PORT");
    private static final byte[] IP_ADDRESS = ascii("IP-ADDRESS");
    private static final byte[] CAPA = ascii("CAPA");
    private static final byte[] EOF = ascii("EOF");
    private static final byte[] ACK = ascii("ACK");
    private static final byte[] GETACK = ascii("GETACK");
    private static final byte[] RDB_ONLY = ascii("RDB-ONLY");
    /** Redis's NET_HOST_STR_LEN. */
    private static final int NET_HOST_STR_LEN = 256;
    /** A sync whose connection never came to be served (closed before the hand-over) is given up after this. */
    private static final long UNCLAIMED_SYNC_MS = 10_000;
    /** How long a save waits for the stream's encoder to reach the snapshot's record (it is normally there). */
    private static final long SAVE_OFFSET_WAIT_MS = 1_000;

    private final ReplicationNode node;
    private final ReplicationConfig config;
    private final RespChangeStream stream;
    private final RdbSnapshotFile rdbFile;
    private final List<RespReplicaSender> senders = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Pending> queued = new ArrayDeque<>();
    private final Map<ClientSession, Handshake> handshakes = new WeakHashMap<>();
    /** This side's own replication id, or null for the node's: see {@link #continueHistory}. */
    private volatile String ownReplid;

    /**
     * @param node     the replication node.
     * @param config   its configuration (diskless sync, timeouts, limits).
     * @param encoding the change-record to RESP encoding.
     * @param rdbFile  writes full syncs' payloads.
     * @param records  the JSON log's backlog (the last record encoded).
     */
    RespReplication(final ReplicationNode node, final ReplicationConfig config, final RespSlotEncoding encoding,
        final RdbSnapshotFile rdbFile, final ReplicationBacklog records)
    {
        this.node = node;
        this.config = config;
        this.rdbFile = rdbFile;
        this.stream = new RespChangeStream(encoding, records,
            () -> config.replPingReplicaPeriodSeconds.getAsLong() * 1000);
    }

    /**
     * @return the replication id Redis replicas sync with: the node's, unless the history was continued without
     * the stream's offset.
     */
    String replid()
    {
        final String own = ownReplid;
        return own != null ? own : node.replid();
    }

    /**
     * Start-up thread: the node continues the history of an RDB file saved at record {@code record}. With the
     * stream's byte offset of that moment ({@code ringkv-resp-offset}) the stream resumes there, so a Redis replica
     * of the previous life at that offset continues; without it (a file from Redis, an older ringkv, or a life with
     * no Redis replica) this side takes an id of its own, so no byte offset of the previous life is ever continued
     * with this life's different bytes.
     */
    void continueHistory(final long record, final long respOffset)
    {
        if (respOffset >= 0)
        {
            stream.resume(config.backlogBytes, respOffset, record);
        }
        else
        {
            stream.continueAt(record);
            ownReplid = io.ringkv.replication.log.RandomId.next();
        }
    }

    /**
     * Any thread (an RDB save whose snapshot is at record {@code record}): the stream's byte offset to save with
     * it, or -1 when it has none exact, or when this side syncs with an id other than the file's.
     */
    long offsetToSave(final long record)
    {
        return ownReplid != null ? -1 : stream.offsetAtRecord(record, SAVE_OFFSET_WAIT_MS);
    }

    RespChangeStream stream()
    {
        return stream;
    }

    List<RespReplicaSender> senders()
    {
        return senders;
    }

    /**
     * Engine thread: REPLCONF with the options a Redis replica sends before PSYNC, answered as Redis 7.0 does.
     *
     * @return false when the options are none of these (the caller answers).
     */
    boolean replconf(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if ((args.count() & 1) == 0)
        {
            reply.error(ErrorMessages.SYNTAX);
            return true;
        }
        Handshake handshake = null;
        for (int i = 1; i < args.count(); i += 2)
        {
            if (args.equalsIgnoreCase(i, LISTENING_PORT))
            {
                final AsciiNumbers numbers = context.numbers();
                if (!numbers.parseLong(args, i + 1))
                {
                    reply.error(ErrorMessages.NOT_INTEGER);
                    return true;
                }
                handshake = handshake == null ? handshake(context.session()) : handshake;
                handshake.port = (int)numbers.value();
            }
            else if (args.equalsIgnoreCase(i, IP_ADDRESS))
            {
                if (args.length(i + 1) >= NET_HOST_STR_LEN)
                {
                    reply.error("ERR REPLCONF ip-address provided by replica instance is too long: " +
                        args.length(i + 1) + " bytes");
                    return true;
                }
                handshake = handshake == null ? handshake(context.session()) : handshake;
                handshake.ip = args.asString(i + 1);
            }
            else if (args.equalsIgnoreCase(i, CAPA))
            {
                handshake = handshake == null ? handshake(context.session()) : handshake;
                handshake.eof |= args.equalsIgnoreCase(i + 1, EOF); // psync2 and unknown capabilities: ignored
            }
            else if (args.equalsIgnoreCase(i, ACK) || args.equalsIgnoreCase(i, GETACK))
            {
                return true; // Redis: no reply; an ACK from a client that is not (yet) a replica is ignored
            }
            else if (args.equalsIgnoreCase(i, RDB_ONLY))
            {
                handshake = handshake == null ? handshake(context.session()) : handshake;
            }
            else
            {
                return false;
            }
        }
        reply.ok();
        return true;
    }

    private Handshake handshake(final ClientSession session)
    {
        return handshakes.computeIfAbsent(session, s -> new Handshake());
    }

    /**
     * Engine thread: PSYNC replid offset, or SYNC ({@code psync} false): answer {@code +CONTINUE} or
     * {@code +FULLRESYNC} (written by the sender once the connection is handed over) and serve the replica.
     *
     * @param replicaReplid  the id the replica asks to continue ("?" for none).
     * @param psyncOffset    the first byte it wants (its offset + 1), or -1.
     */
    void psync(final CommandContext context, final String replicaReplid, final long psyncOffset,
        final boolean psync, final Reply reply)
    {
        final ClientSession session = context.session();
        final String refusal = node.syncRefusal(session);
        if (refusal != null)
        {
            reply.error(refusal);
            return;
        }
        if (session.pushChannel() != null && session.pushChannel().jsonLines())
        {
            reply.error("ERR " + (psync ? "PSYNC" : "SYNC") + " needs a RESP connection"); // its stream is RESP
            return;
        }
        final Handshake handshake = handshakes.remove(session);
        final RespBacklog backlog = stream.start(config.backlogBytes);
        final String replid = replid();
        final boolean partial = psync && replid.equals(replicaReplid) && psyncOffset > 0 &&
            backlog.holds(psyncOffset - 1);
        final long outputLimit = config.replicaOutputLimit.getAsLong();
        final ReplicaFeed feed = new ReplicaFeed(0, outputLimit <= 0 ? Long.MAX_VALUE : outputLimit);
        final boolean diskless = config.replDisklessSync.getAsBoolean() && handshake != null && handshake.eof;
        final int port = handshake == null ? 0 : handshake.port;
        final RespReplicaSender sender = new RespReplicaSender(this, port, replid, backlog, feed,
            partial ? psyncOffset - 1 : -1, psync, diskless, config.dir.get(), rdbFile, outputLimit,
            () -> config.replTimeoutSeconds.getAsLong() * 1000);
        senders.add(sender);
        node.countSync(partial, !partial && psync && !"?".equals(replicaReplid));
        if (partial)
        {
            stream.attach(feed, -1);
            log("Partial resynchronization request from replica " + describe(session, port) + " accepted, " +
                "sending " + (backlog.endOffset() - (psyncOffset - 1)) + " bytes of backlog starting from offset " +
                psyncOffset);
        }
        else
        {
            log("Replica " + describe(session, port) + " asks for synchronization" +
                (psync ? ", full resync (" + (replid.equals(replicaReplid) ? "offset " + psyncOffset +
                " not in the backlog" : "replication id mismatch") + ")" : " (SYNC)") +
                (diskless ? ", diskless" : ", disk-based"));
            final Pending pending = new Pending(sender, feed);
            if (node.snapshotTask().busy() || !queued.isEmpty())
            {
                queued.add(pending);
                log("Replica " + describe(session, port) + " waits for the snapshot in progress to end");
            }
            else
            {
                startFullSync(node.engine(), pending);
            }
        }
        reply.deferred(); // the sender writes +FULLRESYNC / +CONTINUE once it owns the connection
        session.handover((channel, unread, unreadOffset, unreadLength) ->
        {
            if (!(channel instanceof SocketChannel socket))
            {
                return false;
            }
            String ip = handshake != null && handshake.ip != null ? handshake.ip : "?";
            if (handshake == null || handshake.ip == null)
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
            sender.start(socket, ip);
            return true;
        });
    }

    /**
     * Engine thread: begin {@code pending}'s snapshot at the last record made so far, and attach its feed there.
     */
    private void startFullSync(final Engine engine, final Pending pending)
    {
        final long offset = engine.lastRecordOffset();
        final Snapshot snapshot = node.startSnapshot(offset); // the caller checked that the snapshot task is free
        final RdbSnapshotFile.Header header =
            RdbSnapshotFile.Header.capture(node.keyspace(), snapshot.functionLibraries(), replid());
        stream.attach(pending.feed, offset);
        pending.sender.assign(snapshot, header);
    }

    /**
     * Engine thread, after each snapshot step: start the next queued full sync once the snapshot task is free (as
     * Redis starts a BGSAVE for replicas waiting when the last one ends); give up syncs never handed over.
     */
    void afterSnapshotStep(final long nowMs)
    {
        for (final RespReplicaSender sender : senders)
        {
            if (!sender.started() && sender.abandonIfNotStarted(nowMs, UNCLAIMED_SYNC_MS))
            {
                removed(sender);
            }
        }
        while (!queued.isEmpty() && !node.snapshotTask().busy())
        {
            final Pending next = queued.poll();
            if (next.sender.waitingForSnapshot())
            {
                startFullSync(node.engine(), next);
            }
        }
        queued.removeIf(pending -> !pending.sender.waitingForSnapshot());
    }

    /**
     * Any thread: replicas whose acknowledged byte offset covers change record {@code record} (WAIT).
     */
    int ackedReplicas(final long record)
    {
        if (senders.isEmpty())
        {
            return 0;
        }
        final long target = stream.offsetAfterRecord(record);
        if (target < 0)
        {
            return 0;
        }
        int acked = 0;
        for (final RespReplicaSender sender : senders)
        {
            if (sender.ackOffset() >= target)
            {
                acked++;
            }
        }
        return acked;
    }

    /**
     * Any thread (WAIT is waiting): ask the replicas for their offsets now, as Redis sends REPLCONF GETACK.
     */
    void requestAcks()
    {
        if (!senders.isEmpty())
        {
            stream.requestAcks();
            requestSnapshotStep();
        }
    }

    /**
     * Engine thread (this server becomes a replica) or shutdown: drop every Redis replica and end the stream.
     */
    void stopAll()
    {
        for (final RespReplicaSender sender : senders)
        {
            sender.close();
        }
        stream.stop();
        ownReplid = null; // the next stream starts afresh, with the node's id
    }

    /**
     * Shutdown: wait (bounded) for the senders to end.
     */
    void awaitSenders(final long timeoutMs)
    {
        for (final RespReplicaSender sender : List.copyOf(senders))
        {
            try
            {
                sender.awaitEnd(timeoutMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void requestSnapshotStep()
    {
        final Engine engine = node.engine();
        if (engine != null)
        {
            engine.requestTask();
        }
    }

    @Override
    public void acknowledged()
    {
        node.acknowledged();
    }

    @Override
    public void removed(final RespReplicaSender sender)
    {
        stream.detach(sender.feed());
        senders.remove(sender);
    }

    @Override
    public void log(final String message)
    {
        node.log(message);
    }

    private static String describe(final ClientSession session, final int port)
    {
        final String peer = session.peerAddress();
        final int colon = peer == null ? -1 : peer.lastIndexOf(':');
        return (colon < 0 ? "?" : peer.substring(0, colon)) + ":" + port;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** What a replica's REPLCONF said before its PSYNC. */
    private static final class Handshake
    {
        int port;
        String ip;
        boolean eof;
    }

    /** A full sync waiting for the snapshot task. */
    private record Pending(RespReplicaSender sender, ReplicaFeed feed)
    {
    }
}
