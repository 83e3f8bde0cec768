package io.ringkv.replication;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What replication needs from the server's configuration, without knowing the server: sizes fixed at start and
 * suppliers for the options CONFIG SET may change. A plain holder filled on the start-up thread.
 */
public final class ReplicationConfig
{
    /** Bytes of the snapshot ring between the engine and a full sync's sender. */
    public static final String SNAPSHOT_BUFFER_BYTES_PROP_NAME = "ringkv.repl.snapshot.buffer.bytes";
    public static final int SNAPSHOT_BUFFER_BYTES_DEFAULT = 32 * 1024 * 1024;

    /** Most log bytes a replica's sender holds back while it sends the dump (Redis's replica output buffer). */
    public static final String REPLICA_OUTPUT_LIMIT_BYTES_PROP_NAME = "ringkv.repl.replica.output.limit.bytes";
    public static final long REPLICA_OUTPUT_LIMIT_BYTES_DEFAULT = 256L * 1024 * 1024;

    int backlogBytes = 1024 * 1024;
    int snapshotBufferBytes = Integer.getInteger(SNAPSHOT_BUFFER_BYTES_PROP_NAME, SNAPSHOT_BUFFER_BYTES_DEFAULT);
    long replicaOutputLimitBytes =
        Long.getLong(REPLICA_OUTPUT_LIMIT_BYTES_PROP_NAME, REPLICA_OUTPUT_LIMIT_BYTES_DEFAULT);
    Supplier<String> masterauth = () -> "";
    BooleanSupplier replicaReadOnly = () -> true;
    String replicaof = "";
    Supplier<String> replicaProtocol = () -> "auto";
    Supplier<String> masteruser = () -> "";
    Supplier<java.nio.file.Path> dir = () -> java.nio.file.Path.of(".");
    io.ringkv.replication.replica.resp.RdbFileLoader rdbLoader = (engine, databases, file) ->
    {
        throw new java.io.IOException("this server cannot load a Redis master's RDB (no RDB loader configured)");
    };
    Consumer<String> log = message -> System.getLogger(ReplicationNode.class.getName())
        .log(System.Logger.Level.INFO, message);
    BooleanSupplier replDisklessSync = () -> true;
    LongSupplier replPingReplicaPeriodSeconds = () -> 10;
    LongSupplier replTimeoutSeconds = () -> 60;
    LongSupplier replicaOutputLimit = () -> REPLICA_OUTPUT_LIMIT_BYTES_DEFAULT;

    /**
     * Redis replicas' options (docs/replication-protocol.md, "ringkv as a master of Redis replicas"), each read when
     * it applies: repl-diskless-sync, repl-ping-replica-period, repl-timeout, the replica class's hard limit of
     * client-output-buffer-limit (0: none); a disk-based sync's temporary file goes in {@link #dir}.
     */
    public ReplicationConfig redisReplicas(final BooleanSupplier disklessSync, final LongSupplier pingPeriodSeconds,
        final LongSupplier timeoutSeconds, final LongSupplier outputLimitBytes)
    {
        this.replDisklessSync = disklessSync;
        this.replPingReplicaPeriodSeconds = pingPeriodSeconds;
        this.replTimeoutSeconds = timeoutSeconds;
        this.replicaOutputLimit = outputLimitBytes;
        return this;
    }

    /**
     * @param bytes repl-backlog-size.
     */
    public ReplicationConfig backlogBytes(final long bytes)
    {
        backlogBytes = backlogCapacity(bytes);
        return this;
    }

    /**
     * @return repl-backlog-size as the backlog's capacity: at least 16 KB, at most what one buffer holds.
     */
    static int backlogCapacity(final long bytes)
    {
        return (int)Math.min(Math.max(bytes, 16 * 1024), Integer.MAX_VALUE - 64);
    }

    /**
     * @param bytes snapshot ring size; rounded up to a power of two.
     */
    public ReplicationConfig snapshotBufferBytes(final int bytes)
    {
        snapshotBufferBytes = bytes;
        return this;
    }

    public ReplicationConfig replicaOutputLimitBytes(final long bytes)
    {
        replicaOutputLimitBytes = bytes;
        return this;
    }

    public ReplicationConfig masterauth(final Supplier<String> masterauth)
    {
        this.masterauth = masterauth;
        return this;
    }

    public ReplicationConfig replicaReadOnly(final BooleanSupplier replicaReadOnly)
    {
        this.replicaReadOnly = replicaReadOnly;
        return this;
    }

    /**
     * @param replicaof "HOST PORT" to replicate at start, or empty.
     */
    public ReplicationConfig replicaof(final String replicaof)
    {
        this.replicaof = replicaof == null ? "" : replicaof.trim();
        return this;
    }

    /**
     * @param replicaProtocol replica-protocol: auto (ask the master), json (a ringkv master) or resp (Redis's).
     */
    public ReplicationConfig replicaProtocol(final Supplier<String> replicaProtocol)
    {
        this.replicaProtocol = replicaProtocol;
        return this;
    }

    /**
     * @param masteruser the user a Redis-protocol link authenticates as (empty: AUTH with the password alone).
     */
    public ReplicationConfig masteruser(final Supplier<String> masteruser)
    {
        this.masteruser = masteruser;
        return this;
    }

    /**
     * @param dir the server's dir: where a Redis master's full sync RDB is received and a disk-based sync to a Redis
     *            replica writes its temporary file.
     */
    public ReplicationConfig dir(final Supplier<java.nio.file.Path> dir)
    {
        this.dir = dir;
        return this;
    }

    /**
     * @param rdbLoader loads a Redis master's full sync RDB as the master link's client.
     */
    public ReplicationConfig rdbLoader(final io.ringkv.replication.replica.resp.RdbFileLoader rdbLoader)
    {
        this.rdbLoader = rdbLoader;
        return this;
    }

    public ReplicationConfig log(final Consumer<String> log)
    {
        this.log = log;
        return this;
    }
}
