package io.ringkv.replication;

import com.lmax.disruptor.EventHandler;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.CoreCommands;
import io.ringkv.core.engine.CommandEvent;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.EngineConfig;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;

import java.util.List;

/**
 * An engine over a fresh keyspace with the given consumers behind it, and a client that runs commands.
 */
public final class EngineFixture implements AutoCloseable
{
    public final Keyspace keyspace;
    public final CommandTable commands;
    public final Engine engine;
    private final CommandBatchBuilder client;

    public EngineFixture(final List<EventHandler<CommandEvent>> afterEngine)
    {
        keyspace = new Keyspace(new StoreConfig().databases(16).initialBuckets(4));
        commands = CoreCommands.newTable();
        // The slow log is off: a call slowed by the OS descheduling the test thread would record (and allocate) an
        // entry, which the allocation tests would count against the per-request path.
        engine = new Engine(
            new EngineConfig().tickIntervalMs(0).slowlogSlowerThanUs(-1), keyspace, commands, afterEngine);
        engine.start();
        client = new CommandBatchBuilder(new ClientSession(1, true), new ApplyReply());
    }

    /**
     * Run one command with raw arguments; returns the error text or null.
     */
    public String run(final String... args)
    {
        return runKind(RequestBatch.VALUE_RAW, args);
    }

    public String runBytes(final byte[]... args)
    {
        client.reply().clear();
        for (final byte[] arg : args)
        {
            client.arg(arg, 0, arg.length);
        }
        client.end();
        client.execute(engine);
        return client.reply().lastError();
    }

    public String runKind(final byte valueKind, final String... args)
    {
        client.reply().clear();
        for (final String arg : args)
        {
            client.arg(arg);
        }
        client.end(valueKind);
        client.execute(engine);
        return client.reply().lastError();
    }

    @Override
    public void close()
    {
        engine.close();
        keyspace.close();
    }
}
