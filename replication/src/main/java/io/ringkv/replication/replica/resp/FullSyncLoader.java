package io.ringkv.replication.replica.resp;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.Engine;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Replaces the data set with a master's RDB, as a Redis replica's full sync does: FLUSHALL and FUNCTION FLUSH, then
 * the file through the server's RDB loader (persistence's RdbLoader: RESTORE per key, FUNCTION RESTORE per library). Everything goes through the
 * engine as the master's client, so the AOF sees the flush and every key as change records, as after the JSON link's
 * dump. A load refused half way is undone by flushing again: the caller then holds an empty data set and no
 * replication position, never a part of the master's. One thread (the link's).
 */
final class FullSyncLoader
{
    private final Engine engine;
    private final int databases;
    private final CommandBatchBuilder commands;
    private final RdbFileLoader rdbLoader;

    /**
     * @param session   the link's master client (exempt from READONLY).
     * @param rdbLoader loads the file as the master link's client.
     */
    FullSyncLoader(final Engine engine, final int databases, final ClientSession session,
        final RdbFileLoader rdbLoader)
    {
        this.engine = engine;
        this.rdbLoader = rdbLoader;
        this.databases = databases;
        this.commands = new CommandBatchBuilder(session, new ApplyReply());
    }

    /**
     * @return keys in the file.
     */
    long load(final Path file) throws IOException
    {
        flush();
        try
        {
            return rdbLoader.load(engine, databases, file);
        }
        catch (final IOException | RuntimeException ex)
        {
            flush();
            throw new IOException("Failed trying to load the MASTER synchronization DB: " + ex.getMessage() +
                " (the data set is emptied)", ex);
        }
    }

    private void flush() throws IOException
    {
        commands.reply().clear();
        commands.arg("FLUSHALL").end();
        commands.arg("FUNCTION").arg("FLUSH").end();
        commands.execute(engine);
        if (commands.reply().errors() > 0)
        {
            throw new IOException("cannot empty the data set for the full sync: " + commands.reply().lastError());
        }
    }
}
