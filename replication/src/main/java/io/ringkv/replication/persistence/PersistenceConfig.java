package io.ringkv.replication.persistence;

import io.ringkv.core.command.CommandContext;
import io.ringkv.replication.ReplicationConfig;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What {@link RdbPersistence} reads of the server's configuration, as suppliers so CONFIG SET takes effect at
 * the next save. Filled once by the server before start; read by any thread afterwards.
 */
public final class PersistenceConfig
{
    Supplier<String> dir = () -> ".";
    Supplier<String> dbfilename = () -> "dump.rdb";
    Supplier<String> save = () -> "";
    BooleanSupplier compression = () -> true;
    BooleanSupplier checksum = () -> true;
    String redisVersion = "7.0.15";
    int snapshotBufferBytes = Integer.getInteger(ReplicationConfig.SNAPSHOT_BUFFER_BYTES_PROP_NAME,
        ReplicationConfig.SNAPSHOT_BUFFER_BYTES_DEFAULT);
    Consumer<String> notice = message -> { };
    Consumer<String> warning = message -> { };
    /**
     * HOOK (luafunc): the function libraries' code, asked for on the engine thread when a save begins (so they
     * are of the same moment as the keys) and written as RDB_OPCODE_FUNCTION2 records after the aux fields. Once
     * the FUNCTION family is merged the server passes {@code context -> context.functions().codes()}
     * (/work/wt/FUNCTIONS-API.md); until then there are none. Loading needs no hook: {@link RdbLoader} restores
     * each library with FUNCTION RESTORE.
     */
    Function<CommandContext, List<byte[]>> functionLibraries = context -> List.of();

    public PersistenceConfig dir(final Supplier<String> dir)
    {
        this.dir = dir;
        return this;
    }

    public PersistenceConfig dbfilename(final Supplier<String> dbfilename)
    {
        this.dbfilename = dbfilename;
        return this;
    }

    /**
     * @param save the {@code save} option's text ({@link SavePoints}).
     */
    public PersistenceConfig save(final Supplier<String> save)
    {
        this.save = save;
        return this;
    }

    public PersistenceConfig compression(final BooleanSupplier compression)
    {
        this.compression = compression;
        return this;
    }

    public PersistenceConfig checksum(final BooleanSupplier checksum)
    {
        this.checksum = checksum;
        return this;
    }

    /**
     * @param redisVersion the redis-ver aux field: the Redis version ringkv answers as.
     */
    public PersistenceConfig redisVersion(final String redisVersion)
    {
        this.redisVersion = redisVersion;
        return this;
    }

    /**
     * @param bytes of the snapshot ring a save streams through.
     */
    public PersistenceConfig snapshotBufferBytes(final int bytes)
    {
        this.snapshotBufferBytes = bytes;
        return this;
    }

    public PersistenceConfig log(final Consumer<String> notice, final Consumer<String> warning)
    {
        this.notice = notice;
        this.warning = warning;
        return this;
    }

    /**
     * @param functionLibraries see {@link #functionLibraries}.
     */
    public PersistenceConfig functionLibraries(final Function<CommandContext, List<byte[]>> functionLibraries)
    {
        this.functionLibraries = functionLibraries;
        return this;
    }
}
