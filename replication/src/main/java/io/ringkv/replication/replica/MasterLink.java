package io.ringkv.replication.replica;

import io.ringkv.core.codec.JsonObjectCursor;
import io.ringkv.core.codec.JsonScanner;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.memory.ExpandableOffHeapBuffer;
import io.ringkv.replication.log.JsonTextWriter;
import org.agrona.BufferUtil;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A replica's link to its master, on its own virtual thread: connects, authenticates with {@code masterauth},
 * asks to sync from the last replication id and offset it applied, then applies what the master streams
 * ({@link MasterStreamApplier}) through the engine as an internal client exempt from READONLY, answering each
 * message once what it carried has executed. Reconnects after any failure and continues from its offset.
 * <p>
 * Status fields are volatile for INFO and ROLE; {@link #stop()} may be called from any thread (REPLICAOF runs on
 * the engine thread and must not wait).
 */
public final class MasterLink extends ReconnectingLink
{
    /** Pause between connection attempts. */
    static final long RETRY_DELAY_MS = 200;
    /** Most pending requests or argument bytes applied in one engine batch. */
    static final int MAX_BATCH_REQUESTS = 4096;
    static final int MAX_BATCH_BYTES = 4 * 1024 * 1024;
    /** Largest message accepted from the master. */
    static final int MAX_MESSAGE_BYTES = 1024 * 1024 * 1024;
    private static final int READ_CHUNK_BYTES = 1024 * 1024;
    private static final int RETAINED_INPUT_BYTES = 1024 * 1024;
    private static final byte[] NOT_AN_OBJECT_ERROR =
        ascii("{\"error\":\"ERR invalid JSON: a message must be one JSON object\"}\n");

    private final int listeningPort;
    private final Supplier<String> masterauth;
    private final Engine engine;
    private final CommandContext context;
    private final ClientSession session = new ClientSession(-1, true);
    private final CommandBatchBuilder commands;
    private final MasterStreamApplier applier;
    private volatile SocketChannel channel;
    private volatile long syncs;
    private long appliedAtConnect;
    private volatile long pauseUntilMs;
    private ByteBuffer writeSource;
    private ByteBuffer writeView;

    /**
     * @param host          master host.
     * @param port          master port.
     * @param listeningPort this server's port, told to the master for its INFO.
     * @param masterauth    password to give the master (empty: none); read at each connection.
     * @param replid        replication id to resume from, or null.
     * @param offset        offset to resume from, or -1.
     * @param engine        applies what the master sends.
     * @param context       the engine's command context, told when a full sync loads (LOADING for clients).
     * @param log           where notices go.
     */
    public MasterLink(final String host, final int port, final int listeningPort, final Supplier<String> masterauth,
        final String replid, final long offset, final Engine engine, final CommandContext context,
        final Consumer<String> log)
    {
        super(host, port, "ringkv-master-link-", RETRY_DELAY_MS, log);
        this.context = context;
        this.listeningPort = listeningPort;
        this.masterauth = masterauth;
        this.engine = engine;
        session.masterLink(true);
        commands = new CommandBatchBuilder(session, new ApplyReply());
        applier = new MasterStreamApplier(commands);
        applier.position(replid, offset);
    }

    /**
     * Any thread: drop the current connection and stay away for {@code pauseMs} before reconnecting (faults in
     * tests; an operator's way to force a resync).
     */
    public void disconnect(final long pauseMs)
    {
        pauseUntilMs = System.currentTimeMillis() + pauseMs;
        closeConnection();
    }

    /**
     * @return the master's replication id this replica follows, or null before the first sync.
     */
    @Override
    public String replid()
    {
        return applier.replid();
    }

    /**
     * @return the master offset applied, -1 before the first sync.
     */
    @Override
    public long offset()
    {
        return applier.offset();
    }

    @Override
    public boolean offsetsAreRecords()
    {
        return true;
    }

    /**
     * @return connections that reached the streaming state.
     */
    public long syncs()
    {
        return syncs;
    }

    @Override
    protected void afterRetryDelay()
    {
        while (running && System.currentTimeMillis() < pauseUntilMs)
        {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    @Override
    protected void serve() throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        this.channel = channel;
        if (!running)
        {
            closeConnection();
            return;
        }
        linkStatus = "connecting";
        channel.connect(new InetSocketAddress(host(), port()));
        channel.socket().setTcpNoDelay(true);
        lastIoMs = System.currentTimeMillis();

        // A new connection is a new internal client: nothing left over from the last one, database 0, and the
        // position to resume from is what was executed, not what was parsed.
        commands.rollback(0);
        applier.acks().reset();
        applier.position(applier.replid(), applier.offset());
        if (commands.session().inTransaction())
        {
            commands.arg("DISCARD").end(); // a group the last link was cut in the middle of: none of it applies
        }
        commands.arg("SELECT").arg(0).end();
        commands.execute(engine);
        applier.resetSession();
        appliedAtConnect = applier.applied();

        final JsonTextWriter request = new JsonTextWriter(256);
        final String password = masterauth.get();
        if (password != null && !password.isEmpty())
        {
            final byte[] bytes = password.getBytes(StandardCharsets.ISO_8859_1); // held as bytes, one char each
            request.ascii(ascii("{\"cmd\":\"auth\",\"args\":["));
            request.bytes(new UnsafeBuffer(bytes), 0, bytes.length);
            request.ascii(ascii("]}\n"));
        }
        final String replid = applier.replid();
        request.ascii(ascii("{\"cmd\":\"sync\",\"args\":[\"" + (replid == null ? "?" : replid) + "\"," +
            applier.offset() + "," + listeningPort + "]}\n"));
        write(channel, request);
        linkStatus = "sync";

        // Messages are gathered in malloc'd memory, read through one small direct buffer: a large message grows
        // the input by realloc and it shrinks back once the message is applied, where a growing direct buffer
        // left each buffer it outgrew to the collector.
        final ByteBuffer chunk = ByteBuffer.allocateDirect(READ_CHUNK_BYTES);
        final UnsafeBuffer chunkView = new UnsafeBuffer(chunk);
        try (ExpandableOffHeapBuffer input = new ExpandableOffHeapBuffer(READ_CHUNK_BYTES))
        {
            readMessages(channel, input, chunk, chunkView);
        }
        finally
        {
            BufferUtil.free(chunk);
        }
    }

    private void readMessages(
        final SocketChannel channel, final ExpandableOffHeapBuffer input, final ByteBuffer chunk,
        final UnsafeBuffer chunkView) throws IOException
    {
        int limit = 0;
        final JsonTextWriter acks = applier.acks();
        while (running)
        {
            if (limit >= MAX_MESSAGE_BYTES)
            {
                throw new IOException("a message from the master is longer than " + MAX_MESSAGE_BYTES + " bytes");
            }
            chunk.clear();
            final int read = channel.read(chunk);
            if (read < 0)
            {
                throw new IOException("the master closed the connection");
            }
            lastIoMs = System.currentTimeMillis();
            input.putBytes(limit, chunkView, 0, read);
            limit += read;
            int start = 0;
            boolean broken = false;
            while (!broken)
            {
                final int end = JsonObjectCursor.frameEnd(input, start, limit);
                if (end == JsonObjectCursor.INCOMPLETE)
                {
                    break;
                }
                if (end == JsonObjectCursor.NOT_AN_OBJECT)
                {
                    // Not JSON: answer once for the line and skip it, keeping the framing.
                    start = JsonScanner.skipWhitespace(input, start, limit);
                    int newline = start;
                    while (newline < limit && input.getByte(newline) != '\n')
                    {
                        newline++;
                    }
                    if (newline == limit)
                    {
                        break;
                    }
                    acks.ascii(NOT_AN_OBJECT_ERROR);
                    start = newline + 1;
                    continue;
                }
                final int status = applier.apply(input, start, end);
                start = end;
                if (applier.loading() && !context.loading())
                {
                    // Before the dump's FLUSHALL executes: clients see LOADING, never a half-loaded data set. The
                    // load's own records are numbered past the dump's offset, so that aligning to it afterwards is
                    // a jump and this replica's log restarts there (none of them is the master's history).
                    commands.arg("REPLCONF").arg("OFFSET").arg(applier.pendingOffset() + 1).end();
                    commit(channel);
                    context.loading(true);
                }
                if (status == MasterStreamApplier.REFUSED)
                {
                    throw new IOException("the master refused: " + applier.error());
                }
                if (status == MasterStreamApplier.BROKEN)
                {
                    broken = true;
                }
                if (commands.requestCount() >= MAX_BATCH_REQUESTS || commands.bufferedBytes() >= MAX_BATCH_BYTES)
                {
                    commit(channel);
                }
            }
            commit(channel);
            if (broken)
            {
                throw new IOException(applier.error());
            }
            input.putBytes(0, input, start, limit - start);
            limit -= start;
            if (input.capacity() > RETAINED_INPUT_BYTES && limit <= RETAINED_INPUT_BYTES)
            {
                input.shrink(RETAINED_INPUT_BYTES);
            }
        }
    }

    private void commit(final SocketChannel channel) throws IOException
    {
        final ApplyReply reply = commands.reply();
        reply.clear();
        final long masterOffset = applier.pendingOffset();
        if (!applier.loading() && masterOffset >= 0 && commands.requestCount() > 0 && !applier.inGroup())
        {
            // Keep the engine's record numbering equal to the master's (one record per record applied, realigned
            // here should a change have made none): this replica's own log then continues the master's history.
            commands.arg("REPLCONF").arg("OFFSET").arg(masterOffset).end();
        }
        commands.execute(engine);
        if (reply.errors() > 0)
        {
            log.accept("Replica diverges: " + reply.errors() + " change(s) from the master failed, last: " +
                reply.lastError());
        }
        applier.committed();
        if (!applier.loading() && context.loading())
        {
            context.loading(false);
        }
        if (!applier.loading() && !"up".equals(linkStatus) && applier.applied() > appliedAtConnect)
        {
            linkStatus = "up";
            syncs++;
        }
        final JsonTextWriter acks = applier.acks();
        if (acks.length() > 0)
        {
            write(channel, acks);
            acks.reset();
        }
    }

    private void write(final SocketChannel channel, final JsonTextWriter text) throws IOException
    {
        final ByteBuffer source = ((ExpandableDirectByteBuffer)text.buffer()).byteBuffer();
        if (writeSource != source)
        {
            // Views are kept while the writer's buffer stays the same: no allocation per write.
            writeSource = source;
            writeView = source.duplicate();
        }
        final ByteBuffer view = writeView;
        view.limit(text.length()).position(0);
        while (view.hasRemaining())
        {
            channel.write(view);
        }
        lastIoMs = System.currentTimeMillis();
    }

    @Override
    protected void closeConnection()
    {
        final SocketChannel channel = this.channel;
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // Closing is all we wanted.
            }
        }
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
