package io.ringkv.replication.aof;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.rdb.RdbFormatException;
import io.ringkv.replication.persistence.RdbLoader;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;
import io.ringkv.replication.replica.RespCommandReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Loads an append-only directory at start, as Redis's loadAppendOnlyFiles: the base file, then each incremental
 * file, every command executed by the engine as an internal client (nothing else runs yet). A file that ends in the
 * middle of a command, or inside a MULTI without its EXEC, is the torn tail of a crash: with {@code
 * aof-load-truncated yes} the last file is truncated to its last complete command (before the MULTI) and loading
 * goes on, otherwise the start is refused, with Redis's messages. Bytes that are not RESP are refused naming the file
 * and the offset, before anything of that file's bad command runs.
 */
final class AofLoader
{
    /** Commands per engine batch while loading. */
    private static final int BATCH_COMMANDS = 1024;
    /** Argument bytes per engine batch while loading. */
    private static final int BATCH_BYTES = 4 * 1024 * 1024;

    private final Engine engine;
    private final int databases;
    private final boolean loadTruncated;
    private final Consumer<String> log;
    private final ApplyReply reply = new ApplyReply();
    private final CommandBatchBuilder commands = new CommandBatchBuilder(new ClientSession(-3, true), reply);
    private long loadedCommands;
    private final long[] rdbKeys = {-1, -1};
    private long ignoredErrors;
    private String lastIgnoredError;

    private final RespCommandReader reader = new RespCommandReader(64 * 1024);

    /**
     * @param databases the keyspace's database count, for an RDB base's SELECTDBs.
     */
    AofLoader(final Engine engine, final int databases, final boolean loadTruncated, final Consumer<String> log)
    {
        this.engine = engine;
        this.databases = databases;
        this.loadTruncated = loadTruncated;
        this.log = log;
        commands.session().loader(true); // loaded at start, before anything downstream: not logged
    }

    /** Thrown when a file cannot be loaded: the server must not start. */
    static final class AofLoadException extends IOException
    {
        AofLoadException(final String message)
        {
            super(message);
        }
    }

    long loadedCommands()
    {
        return loadedCommands;
    }

    /**
     * @return keys of the RDB base created and not created (expired), {-1, -1} without an RDB base.
     */
    long[] rdbKeys()
    {
        return rdbKeys;
    }

    /**
     * Load every file of {@code manifest} from {@code directory}, in order.
     */
    void load(final Path directory, final AofManifest manifest) throws IOException
    {
        final int files = (manifest.base() == null ? 0 : 1) + manifest.incrs().size();
        int index = 0;
        if (manifest.base() != null)
        {
            loadFile(directory.resolve(manifest.base()), ++index == files, true);
        }
        for (final String incr : manifest.incrs())
        {
            loadFile(directory.resolve(incr), ++index == files, false);
        }
        if (ignoredErrors > 0)
        {
            log.accept("AOF loading: " + ignoredErrors + " commands answered an error and were skipped (last: " +
                lastIgnoredError + ")");
        }
    }

    private void loadFile(final Path path, final boolean last, final boolean base) throws IOException
    {
        final String name = path.getFileName().toString();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            if (channel.size() == 0)
            {
                return;
            }
            if (base && startsWithRdbPreamble(channel))
            {
                // aof-use-rdb-preamble: an RDB base (<name>.<seq>.base.rdb), loaded as dump.rdb is (RdbLoader).
                // Commands may follow it (a pre-7.0 single file), read from its end on, as Redis does.
                final long rdbEnd = loadRdb(path, name);
                if (rdbEnd >= channel.size())
                {
                    return;
                }
                channel.position(rdbEnd);
            }
            reader.reset(channel::read, channel.position());
            // Each file starts in database 0, as each of Redis's fake clients does.
            commands.arg("SELECT").arg(0).end();
            long validUpTo = reader.position();
            long multiStart = -1;
            long multiMark = 0;
            long commandMark = commands.mark();
            try
            {
                while (true)
                {
                    final long commandStart = reader.position();
                    commandMark = commands.mark();
                    if (reader.readCommand(commands) == RespCommandReader.END_OF_INPUT)
                    {
                        break;
                    }
                    loadedCommands++;
                    if (reader.nameIs(commands, "MULTI"))
                    {
                        multiStart = commandStart;
                        multiMark = commandMark;
                    }
                    else if (reader.nameIs(commands, "EXEC"))
                    {
                        multiStart = -1;
                    }
                    if (multiStart < 0)
                    {
                        validUpTo = reader.position();
                        if (commands.requestCount() >= BATCH_COMMANDS || commands.bufferedBytes() >= BATCH_BYTES)
                        {
                            execute(name);
                        }
                    }
                }
                if (multiStart >= 0)
                {
                    // "Revert incomplete MULTI/EXEC transaction in AOF file": the MULTI's commands never run.
                    commands.rollback(multiMark);
                    throw RespCommandReader.TRUNCATED; // handled as a command cut short
                }
                execute(name);
            }
            catch (final RespCommandReader.BadFormat bad)
            {
                throw badFormat(name, bad.offset());
            }
            catch (final RespCommandReader.Truncated torn)
            {
                final long truncateAt = multiStart >= 0 ? multiStart : validUpTo;
                commands.rollback(multiStart >= 0 ? multiMark : commandMark);
                if (!last)
                {
                    throw new AofLoadException("Fatal error: the truncated file " + name + " is not the last file");
                }
                if (!loadTruncated)
                {
                    throw new AofLoadException("Unexpected end of file reading the append only file " + name +
                        " (at offset " + truncateAt + "). You can: 1) Make a backup of your AOF file, then use " +
                        "./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the " +
                        "'aof-load-truncated' configuration option to yes and restart the server.");
                }
                execute(name);
                log.accept("!!! Warning: short read while loading the AOF file " + name + "!!!");
                log.accept("!!! Truncating the AOF " + name + " at offset " + truncateAt + " !!!");
                try (FileChannel writable = FileChannel.open(path, StandardOpenOption.WRITE))
                {
                    writable.truncate(truncateAt);
                    writable.force(true);
                }
                log.accept("AOF " + name + " loaded anyway because aof-load-truncated is enabled");
            }
        }
    }

    private long loadRdb(final Path path, final String name) throws IOException
    {
        final RdbLoader rdb = RdbLoader.atStart(engine, databases);
        try
        {
            final long keys = rdb.load(path);
            loadedCommands += keys;
            rdbKeys[0] = keys - rdb.keysExpired();
            rdbKeys[1] = rdb.keysExpired();
        }
        catch (final RdbFormatException ex)
        {
            throw new AofLoadException("Error reading the RDB base file " + name + ", AOF loading aborted: " +
                ex.getMessage());
        }
        return rdb.endOffset();
    }

    private static boolean startsWithRdbPreamble(final FileChannel channel) throws IOException
    {
        final ByteBuffer head = ByteBuffer.allocate(5);
        channel.read(head, 0);
        return head.position() == 5 && "REDIS".equals(new String(head.array(), java.nio.charset.StandardCharsets.US_ASCII));
    }

    private void execute(final String name) throws AofLoadException
    {
        if (commands.requestCount() == 0)
        {
            return;
        }
        reply.clear();
        commands.execute(engine);
        if (reply.errors() > 0)
        {
            final String error = reply.lastError();
            if (error != null && error.startsWith("ERR unknown command"))
            {
                throw new AofLoadException("Unknown command reading the append only file " + name + ": " + error);
            }
            ignoredErrors += reply.errors();
            lastIgnoredError = error;
        }
    }

    private static AofLoadException badFormat(final String name, final long offset)
    {
        return new AofLoadException("Bad file format reading the append only file " + name + " at offset " + offset +
            ": make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>");
    }
}
