package io.ringkv.replication.replica.resp;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.engine.Engine;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;
import io.ringkv.replication.replica.ReconnectingLink;
import io.ringkv.replication.replica.RespCommandReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A replica's link to a Redis master speaking Redis's own replication protocol, on its own virtual thread: the
 * handshake (PING, AUTH, REPLCONF listening-port, REPLCONF capa eof capa psync2, PSYNC), a full sync's RDB
 * ({@link RdbTransfer}, loaded once whole and valid) or a partial one (+CONTINUE), then the RESP command stream
 * applied through the engine as the master's client (exempt from READONLY), read by the one
 * {@link RespCommandReader}. The offset counts the stream's bytes as Redis does: a command counts once it has
 * executed, a MULTI ... EXEC group once its EXEC has; REPLCONF GETACK is answered, and REPLCONF ACK sent every second.
 * A cut link reconnects and asks PSYNC to continue from its offset + 1.
 * <p>
 * Status getters may be called from any thread (volatile fields); {@link #stop()} returns at once.
 */
public final class RedisMasterLink extends ReconnectingLink
{
    /** Pause between connection attempts. */
    static final long RETRY_DELAY_MS = 500;
    /** How often the replica acknowledges its offset (Redis: every second, replicationCron). */
    static final int ACK_PERIOD_MS = 1000;
    /** Redis's repl-timeout default: a master silent this long is given up. */
    static final long REPL_TIMEOUT_MS = Long.getLong("ringkv.repl.timeout.ms", 60_000);
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int MAX_BATCH_REQUESTS = 4096;
    private static final int MAX_BATCH_BYTES = 4 * 1024 * 1024;
    private static final int MAX_REPLY_LINE = 64 * 1024;

    private final int listeningPort;
    private final MasterCredentials credentials;
    private final Supplier<Path> dir;
    private final RdbFileLoader rdbLoader;
    private final Engine engine;
    private final CommandContext context;
    private final int databases;
    private final ClientSession session = new ClientSession(-6, true);
    private final CommandBatchBuilder commands = new CommandBatchBuilder(session, new ApplyReply());
    private final RespCommandReader reader = new RespCommandReader(64 * 1024);
    private volatile Socket socket;
    private volatile String replid;
    private volatile long offset;
    private volatile long fullSyncs;
    private volatile long partialSyncs;
    private InputStream in;
    private OutputStream out;
    private boolean streaming;
    private long lastAckMs;

    /**
     * @param host          master host.
     * @param port          master port.
     * @param listeningPort this server's port, told to the master for its INFO.
     * @param credentials   masteruser and masterauth, read at each connection.
     * @param dir           where the full sync's RDB is received (the server's {@code dir}).
     * @param rdbLoader     loads it.
     * @param replid        replication id to continue from, or null.
     * @param offset        offset (bytes) applied in that history, or -1.
     * @param engine        applies what the master sends.
     * @param context       the engine's command context (LOADING while a full sync loads).
     * @param log           where notices go.
     */
    public RedisMasterLink(final String host, final int port, final int listeningPort,
        final MasterCredentials credentials, final Supplier<Path> dir, final RdbFileLoader rdbLoader,
        final String replid, final long offset,
        final Engine engine, final CommandContext context, final Consumer<String> log)
    {
        super(host, port, "ringkv-redis-master-link-", RETRY_DELAY_MS, log);
        this.listeningPort = listeningPort;
        this.credentials = credentials;
        this.dir = dir;
        this.rdbLoader = rdbLoader;
        this.replid = replid;
        this.offset = replid == null ? -1 : offset;
        this.engine = engine;
        this.context = context;
        this.databases = context.keyspace().databases();
        session.masterLink(true);
    }

    @Override
    public String replid()
    {
        return replid;
    }

    @Override
    public long offset()
    {
        return offset;
    }

    @Override
    public boolean offsetsAreRecords()
    {
        return false;
    }

    /**
     * @return full syncs loaded.
     */
    public long fullSyncs()
    {
        return fullSyncs;
    }

    /**
     * @return partial syncs (+CONTINUE) accepted.
     */
    public long partialSyncs()
    {
        return partialSyncs;
    }

    @Override
    protected void serve() throws IOException
    {
        streaming = false;
        final Socket socket = new Socket();
        this.socket = socket;
        if (!running)
        {
            closeConnection();
            return;
        }
        linkStatus = "connecting";
        socket.connect(new InetSocketAddress(host(), port()), CONNECT_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(ACK_PERIOD_MS);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        lastIoMs = System.currentTimeMillis();
        reader.reset(this::readSocket, 0);
        resetSession();
        handshake();
        stream();
    }

    /**
     * A new connection is a new master client: nothing left over from the last one (a MULTI it was cut inside of
     * is discarded: none of it applies), database 0.
     */
    private void resetSession()
    {
        commands.rollback(0);
        if (session.inTransaction())
        {
            commands.arg("DISCARD").end();
        }
        commands.arg("SELECT").arg(0).end();
        commands.execute(engine);
    }

    private void handshake() throws IOException
    {
        send("PING");
        final String pong = reader.readLine(MAX_REPLY_LINE);
        // As Redis's replica: NOAUTH / NOPERM to PING are fine here, AUTH follows.
        if (pong.startsWith("-") && !pong.startsWith("-NOAUTH") && !pong.startsWith("-NOPERM") &&
            !pong.startsWith("-ERR operation not permitted"))
        {
            throw new IOException("Error reply to PING from master: '" + pong.substring(1) + "'");
        }
        final String[] authCommand = credentials.authCommand();
        if (authCommand != null)
        {
            send(authCommand);
            final String auth = reader.readLine(MAX_REPLY_LINE);
            if (auth.startsWith("-"))
            {
                throw new IOException("Unable to AUTH to MASTER: " + auth.substring(1));
            }
        }
        send("REPLCONF", "listening-port", Integer.toString(listeningPort));
        final String portReply = reader.readLine(MAX_REPLY_LINE);
        if (portReply.startsWith("-"))
        {
            log.accept("(Non critical) Master does not understand REPLCONF listening-port: " + portReply.substring(1));
        }
        send("REPLCONF", "capa", "eof", "capa", "psync2");
        final String capaReply = reader.readLine(MAX_REPLY_LINE);
        if (capaReply.startsWith("-"))
        {
            log.accept("(Non critical) Master does not understand REPLCONF capa: " + capaReply.substring(1));
        }
        final String askedReplid = replid;
        send("PSYNC", askedReplid == null ? "?" : askedReplid, Long.toString(askedReplid == null ? -1 : offset + 1));
        linkStatus = "sync";
        String answer;
        do
        {
            answer = reader.readLine(MAX_REPLY_LINE); // empty lines: keep-alives before the master answers
        }
        while (answer.isEmpty());
        if (answer.startsWith("+FULLRESYNC"))
        {
            final String[] words = answer.split(" ");
            if (words.length != 3 || words[1].length() != 40)
            {
                throw new IOException("Master replied with a wrong +FULLRESYNC syntax: '" + answer + "'");
            }
            final long startOffset;
            try
            {
                startOffset = Long.parseLong(words[2]);
            }
            catch (final NumberFormatException ex)
            {
                throw new IOException("Master replied with a wrong +FULLRESYNC offset: '" + answer + "'");
            }
            log.accept("Full resync from master: " + words[1] + ":" + startOffset);
            fullSync(words[1], startOffset);
        }
        else if (answer.startsWith("+CONTINUE"))
        {
            final String newReplid = answer.length() > "+CONTINUE ".length() ? answer.substring(10).trim() : "";
            if (newReplid.length() == 40 && !newReplid.equals(askedReplid))
            {
                log.accept("Master replication ID changed to " + newReplid);
                replid = newReplid;
            }
            log.accept("Successful partial resynchronization with master at offset " + offset);
            partialSyncs++;
        }
        else if (answer.startsWith("-NOMASTERLINK") || answer.startsWith("-LOADING"))
        {
            throw new IOException("Master is currently unable to PSYNC but should be in the future: " +
                answer.substring(1));
        }
        else
        {
            throw new IOException("Unexpected reply to PSYNC from master: '" + RdbTransfer.printable(answer) + "'");
        }
    }

    /**
     * Receive the RDB whole (into a temporary file, checked to its checksum) before anything of the old data set
     * is dropped; then flush and load it. A transfer that fails leaves the old data and position, a load that fails
     * half way leaves an empty data set and no position: either way the link goes down and tries again.
     */
    private void fullSync(final String newReplid, final long startOffset) throws IOException
    {
        final Path file = dir.get().resolve("temp-" + System.currentTimeMillis() + "." + ProcessHandle.current().pid() +
            "." + session.id() + ".rdb");
        final RdbTransfer transfer = new RdbTransfer(reader, log);
        final long startNs = System.nanoTime();
        final long receivedNs;
        final long checkedNs;
        final long keys;
        try
        {
            transfer.receive(file);
            receivedNs = System.nanoTime();
            transfer.verify(file);
            checkedNs = System.nanoTime();
            replid = null;
            offset = -1;
            context.loading(true);
            try
            {
                keys = new FullSyncLoader(engine, databases, session, rdbLoader).load(file);
            }
            finally
            {
                context.loading(false);
            }
        }
        finally
        {
            RdbTransfer.delete(file);
        }
        replid = newReplid;
        offset = startOffset;
        fullSyncs++;
        log.accept("MASTER <-> REPLICA sync: Finished with success (" + keys + " keys, " + transfer.received() +
            " bytes; received in " + (receivedNs - startNs) / 1_000_000 + " ms, checked in " +
            (checkedNs - receivedNs) / 1_000_000 + " ms, loaded in " + (System.nanoTime() - checkedNs) / 1_000_000 +
            " ms)");
        linkStatus = "up";
        sendAck(); // puts a replica of a diskless sync online (Redis's master waits for it)
    }

    /**
     * Apply the command stream until the link breaks.
     */
    private void stream() throws IOException
    {
        linkStatus = "up";
        streaming = true;
        final long base = offset - reader.position();
        long pendingOffset = offset;
        boolean inMulti = false;
        while (running)
        {
            if (reader.buffered() == 0)
            {
                commit(pendingOffset); // before waiting for more: what has arrived executes and counts
            }
            final long mark = commands.mark();
            if (reader.readCommand(commands) == RespCommandReader.END_OF_INPUT)
            {
                throw new IOException("the master closed the connection");
            }
            if (reader.nameIs(commands, "REPLCONF"))
            {
                final boolean getack = reader.firstArgIs(commands, "GETACK");
                commands.rollback(mark); // the link's, not the engine's
                if (getack)
                {
                    commit(pendingOffset);
                    sendAck();
                }
            }
            else if (reader.nameIs(commands, "MULTI"))
            {
                inMulti = true;
            }
            else if (reader.nameIs(commands, "EXEC") || reader.nameIs(commands, "DISCARD"))
            {
                inMulti = false;
            }
            if (!inMulti)
            {
                pendingOffset = base + reader.position();
            }
            if (commands.requestCount() >= MAX_BATCH_REQUESTS || commands.bufferedBytes() >= MAX_BATCH_BYTES)
            {
                commit(pendingOffset);
            }
        }
    }

    private void commit(final long appliedOffset) throws IOException
    {
        final ApplyReply reply = commands.reply();
        if (commands.requestCount() > 0)
        {
            reply.clear();
            commands.execute(engine);
            if (reply.errors() > 0)
            {
                log.accept("Replica diverges: " + reply.errors() + " command(s) from the master failed, last: " +
                    reply.lastError());
            }
        }
        offset = appliedOffset;
        if (System.currentTimeMillis() - lastAckMs >= ACK_PERIOD_MS)
        {
            sendAck();
        }
    }

    /** Source of the reader: waits for the master's bytes, acknowledging every second meanwhile. */
    private int readSocket(final ByteBuffer into) throws IOException
    {
        while (true)
        {
            try
            {
                final int read = in.read(into.array(), into.arrayOffset() + into.position(), into.remaining());
                if (read > 0)
                {
                    into.position(into.position() + read);
                    lastIoMs = System.currentTimeMillis();
                }
                return read;
            }
            catch (final SocketTimeoutException idle)
            {
                final long nowMs = System.currentTimeMillis();
                if (nowMs - lastIoMs > REPL_TIMEOUT_MS)
                {
                    throw new IOException("Timeout: no data nor PING received from the master for " +
                        (nowMs - lastIoMs) + " ms");
                }
                if (streaming && nowMs - lastAckMs >= ACK_PERIOD_MS)
                {
                    sendAck();
                }
            }
        }
    }

    private void sendAck() throws IOException
    {
        send("REPLCONF", "ACK", Long.toString(offset));
        lastAckMs = System.currentTimeMillis();
    }

    private void send(final String... words) throws IOException
    {
        send(out, words);
    }

    /**
     * Write one command as a RESP array of bulk strings (words hold one char per byte) and flush.
     */
    static void send(final OutputStream out, final String... words) throws IOException
    {
        final StringBuilder text = new StringBuilder().append('*').append(words.length).append("\r\n");
        for (final String word : words)
        {
            text.append('$').append(word.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(word)
                .append("\r\n");
        }
        out.write(text.toString().getBytes(StandardCharsets.ISO_8859_1)); // option values: one char per byte
        out.flush();
    }

    @Override
    protected void closeConnection()
    {
        final Socket socket = this.socket;
        if (socket != null)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignore)
            {
                // Closing is all we wanted.
            }
        }
    }
}
