package io.ringkv.net.server;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.ConnectionHandover;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.BatchBoundary;
import io.ringkv.net.codec.ReadBuffer;
import io.ringkv.net.codec.ReplyBuffer;
import io.ringkv.net.codec.RequestParser;
import io.ringkv.net.jsonline.JsonLineParser;
import io.ringkv.net.jsonline.JsonLineReply;
import io.ringkv.net.jsonline.JsonRequestTable;
import io.ringkv.net.resp.RespParser;
import io.ringkv.net.resp.RespReply;
import io.ringkv.net.server.command.ConnectedClient;
import io.ringkv.net.server.config.OutputBufferLimits;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * One client connection, served by its own virtual thread: reads with blocking NIO, parses every complete request
 * in the read buffer into one {@link RequestBatch} and publishes it; the engine executes it and writes all the
 * replies with one non-blocking write ({@link EngineReplyWriter}). After a single request the connection goes
 * straight back to reading (one park per request); after a pipeline it reads once the replies are out. The connection
 * parses its next bytes only once that batch is finished, so replies stay in order and the read buffer's requests
 * stay in place while the engine reads them. A batch that ends early on purpose (a slice of a long pipeline, QUIT,
 * a request the parser rejected) or that may take the connection over (SYNC, WAIT) is executed while the
 * connection waits, and the connection writes its replies itself. A long pipeline is executed in slices of at most
 * {@link #MAX_BATCH_REQUESTS} and written whenever {@link #REPLY_FLUSH_THRESHOLD_BYTES} of replies are pending, so
 * memory stays bounded by a slice; a batch ends at QUIT, and nothing read after it is executed. After each write
 * the connection records every written request's service time (parsed to flushed) in its command's latency
 * histograms. The protocol is chosen by the connection's first byte: {@code '{'}
 * for JSON lines, anything else for RESP (multibulk or inline).
 * <p>
 * The connection thread owns the buffers; the engine writes replies into them (and to the socket) only while the
 * connection's batch is in flight. The channel is closed only when no batch is in flight, so the engine never
 * writes to a closed descriptor. Other threads may only {@link #kill()} it and read its descriptive fields.
 */
public final class ClientConnection implements Runnable, ConnectedClient
{
    /**
     * Most requests executed as one batch. A longer pipeline is executed in slices of at most this many, so the
     * batch's arrays stay bounded whatever the read buffer holds; 1024 slices keep the per-batch cost (one publish,
     * one wake-up) far below the requests' own.
     */
    static final int MAX_BATCH_REQUESTS = 1024;
    /** Requests in a connection's first slice, before the size of its replies is known. */
    static final int INITIAL_BATCH_REQUESTS = 16;
    /**
     * Replies are written as soon as this many bytes are pending, also in the middle of a pipeline; with the
     * slices sized by {@link #nextBatchLimit(int, long)} this bounds the reply buffer of pipelined reads of
     * large values to about one slice's replies instead of every reply of the read.
     */
    static final int REPLY_FLUSH_THRESHOLD_BYTES = 256 * 1024;

    private static final long NOT_WAITING = Long.MAX_VALUE;

    private final long id;
    private final SocketChannel channel;
    private final Engine engine;
    private final ConnectionRegistry registry;
    private final ClientSession session;
    private final long protoMaxBulkLength;
    private final int jsonMaxLineLength;
    private final int queryBufferLimit;
    private final String remoteAddress;
    private final String localAddress;
    private final long createdMs;

    private volatile long lastInteractionMs;
    /** When the connection began waiting for its client's next bytes; {@link #NOT_WAITING} while it works. */
    private volatile long waitingForInputSinceMs = NOT_WAITING;
    private volatile boolean closeAfterReply;
    private volatile boolean killed;
    private volatile boolean executing;
    private boolean handedOver;
    private volatile String protocolName = "resp";
    private RespReply respReply;
    /** The connection's one batch, once the protocol is known: in flight until {@link RequestBatch#isComplete()}. */
    private volatile RequestBatch batch;
    /** The connection's buffers, published for CLIENT LIST's figures (read, stale, by the engine thread). */
    private volatile ReadBuffer inputBuffer;
    private volatile ReplyBuffer outputBuffer;
    /** The connection's outbox: bytes the engine pushes (messages, MONITOR lines); once used, its replies too. */
    private volatile ConnectionPush push;
    private volatile OutputBufferLimits outputBufferLimits;
    /** Set before the connection's thread starts. */
    private ScriptBusyGate scriptBusyGate;
    private ClientPauseGate pauseGate;

    /**
     * @param id                 client id.
     * @param channel            the accepted socket, blocking mode.
     * @param engine             executes the batches.
     * @param registry           to leave when the connection ends.
     * @param authenticated      true when the server needs no password.
     * @param protoMaxBulkLength largest bulk string in a request (also a JSON-lines argument or value).
     * @param jsonMaxLineLength  longest JSON-lines request line.
     * @param queryBufferLimit   most unparsed request bytes held.
     */
    public ClientConnection(
        final long id,
        final SocketChannel channel,
        final Engine engine,
        final ConnectionRegistry registry,
        final boolean authenticated,
        final long protoMaxBulkLength,
        final long jsonMaxLineLength,
        final long queryBufferLimit)
    {
        this.id = id;
        this.channel = channel;
        this.engine = engine;
        this.registry = registry;
        this.session = new ClientSession(id, authenticated);
        this.protoMaxBulkLength = protoMaxBulkLength;
        this.jsonMaxLineLength = (int)Math.min(jsonMaxLineLength, Integer.MAX_VALUE - 8);
        this.queryBufferLimit = (int)Math.min(queryBufferLimit, Integer.MAX_VALUE - 8);
        this.remoteAddress = describe(address(true));
        this.localAddress = describe(address(false));
        session.peerAddress(remoteAddress);
        this.createdMs = System.currentTimeMillis();
        this.lastInteractionMs = createdMs;
    }

    @Override
    public void run()
    {
        try
        {
            serve();
        }
        catch (final IOException ignore)
        {
            // The peer went away or the connection was killed: nothing to answer.
        }
        finally
        {
            close();
        }
    }

    private void serve() throws IOException
    {
        // The buffers' memory is freed here, not by a GC; a handed-over connection's reader owns the unread bytes.
        final ReadBuffer input = new ReadBuffer(ReadBuffer.INITIAL_CAPACITY_DEFAULT, queryBufferLimit);
        final ReplyBuffer output = new ReplyBuffer(ReplyBuffer.INITIAL_CAPACITY_DEFAULT);
        inputBuffer = input;
        outputBuffer = output;
        try
        {
            serve(input, output);
        }
        finally
        {
            output.close();
            if (!handedOver)
            {
                input.close();
            }
        }
    }

    private void serve(final ReadBuffer input, final ReplyBuffer output) throws IOException
    {
        if (awaitInput(input) < 0)
        {
            return;
        }
        lastInteractionMs = System.currentTimeMillis();

        final RequestParser parser;
        final RequestBatch batch;
        JsonLineReply jsonReply = null;
        if (input.buffer().getByte(0) == '{')
        {
            final JsonRequestTable requests = new JsonRequestTable();
            parser = new JsonLineParser(requests, jsonMaxLineLength, protoMaxBulkLength);
            jsonReply = new JsonLineReply(requests, output);
            batch = new RequestBatch(session, jsonReply);
            protocolName = "json";
            push = new ConnectionPush(this, channel, session, limits(), true, batch, output);
            session.pushChannel(push);
        }
        else
        {
            parser = new RespParser(protoMaxBulkLength);
            respReply = new RespReply(session, output);
            batch = new RequestBatch(session, respReply);
            push = new ConnectionPush(this, channel, session, limits(), false, batch, output);
            session.pushChannel(push);
        }

        try
        {
            this.batch = batch;
            serve(input, output, parser, batch, jsonReply);
        }
        finally
        {
            // Whatever ended the connection, the engine may still be writing this batch's replies to the socket, or
            // the batch may be blocked (BLPOP...) and wait for this release.
            if (!batch.isComplete())
            {
                engine.releaseBlocked(batch);
            }
            batch.awaitCompletion();
            WatchRelease.release(engine, batch);
            parser.close();
        }
    }

    private void serve(final ReadBuffer input, final ReplyBuffer output, final RequestParser parser,
        final RequestBatch batch, final JsonLineReply jsonReply) throws IOException
    {
        final ServiceTimeTracker serviceTimes = new ServiceTimeTracker();
        // Virtual threads only: their first read has made the socket's descriptor non-blocking for good.
        final EngineReplyWriter replyWriter = Thread.currentThread().isVirtual() ?
            new EngineReplyWriter(this, channel, output) : null;
        int batchLimit = INITIAL_BATCH_REQUESTS;
        while (true)
        {
            int start = 0;
            boolean close = false;
            boolean inFlight = false;
            int replyStart = 0;
            long parsedNs = 0;
            while (true)
            {
                parser.batchRequestLimit(batchLimit);
                final int status = parser.parse(input.buffer(), start, input.limit(), batch);
                final int requestCount = batch.requestCount();
                if (requestCount > 0)
                {
                    replyStart = output.position();
                    parsedNs = System.nanoTime();
                    executing = true;
                    if (null != pauseGate)
                    {
                        pauseGate.await(batch); // CLIENT PAUSE: this batch waits, the engine serves the others
                    }
                    // A Lua script keeping the engine busy past busy-reply-threshold: answered here (BUSY...).
                    final boolean answeredHere = null != scriptBusyGate && scriptBusyGate.answered(batch);
                    if (!answeredHere && status == RequestParser.OK && null != replyWriter &&
                        (requestCount == 1 || null != activePush() || BatchBoundary.mayBlock(batch)) &&
                        !BatchBoundary.needsConnectionThread(batch))
                    {
                        // The engine writes the reply; this thread reads on meanwhile. A single request only: with
                        // pipelined batches this path gave a pipeline-16 load a p99.99 of 100-200 ms and a max of
                        // 170-400 ms (A/B against the connection writing them, docs/benchmarks.md), for no CPU gain.
                        // Except once the engine pushes to this connection (tracking invalidations): then the
                        // engine queues the batch's replies before anything it pushes after the batch, where this
                        // thread would write them later, behind an invalidation of a key a reply just returned.
                        // A batch with a blocking command (BLPOP...) goes this way too, so that this thread reads
                        // while the command waits and sees its client leave.
                        engine.publish(batch, replyWriter);
                        inFlight = true;
                        break;
                    }
                    boolean viaOutbox = false;
                    if (answeredHere)
                    {
                        // replied to the output buffer: written below like the engine's replies
                    }
                    else if (null != replyWriter && !BatchBoundary.needsConnectionThread(batch))
                    {
                        // Should the connection's outbox be (or become) in use, the engine queues the replies, in
                        // order with what it pushes; otherwise this thread writes them, as before.
                        replyWriter.leaveToConnection(true);
                        engine.publish(batch, replyWriter);
                        batch.awaitCompletion();
                        replyWriter.leaveToConnection(false);
                        if (replyWriter.failed())
                        {
                            return;
                        }
                        viaOutbox = replyWriter.pushed();
                    }
                    else
                    {
                        engine.execute(batch);
                    }
                    executing = false;
                    if (output.broken())
                    {
                        // A reply could not be built whole: close rather than send a stream the client cannot
                        // parse, as Redis closes a client over its output buffer limit.
                        return;
                    }
                    serviceTimes.executed(batch, parsedNs);
                    batchLimit = nextBatchLimit(requestCount,
                        (viaOutbox ? replyWriter.replyEnd() : output.position()) - replyStart);
                    if (closing())
                    {
                        close = true;
                        break;
                    }
                    if (output.position() >= REPLY_FLUSH_THRESHOLD_BYTES)
                    {
                        writeReplies(output);
                        serviceTimes.flushed(System.nanoTime());
                        lastInteractionMs = System.currentTimeMillis();
                    }
                }
                if (status == RequestParser.PARSE_AGAIN)
                {
                    start = parser.consumed();
                    continue;
                }
                if (status == RequestParser.LINE_ERROR)
                {
                    if (null != jsonReply)
                    {
                        final JsonLineParser jsonParser = (JsonLineParser)parser;
                        jsonReply.lineError(parser.errorText(), jsonParser.scratch(), jsonParser.errorIdOffset(),
                            jsonParser.errorIdLength());
                    }
                    else
                    {
                        respReply.error(parser.errorText());
                    }
                    start = parser.consumed();
                    continue;
                }
                if (status == RequestParser.PROTOCOL_ERROR)
                {
                    if (null != jsonReply)
                    {
                        jsonReply.lineError(parser.errorText(), null, 0, 0);
                    }
                    else
                    {
                        respReply.error(parser.errorText());
                    }
                    close = true;
                }
                break;
            }

            boolean readAhead = false;
            if (inFlight)
            {
                // Read the client's next bytes while the engine executes and answers the request (it stays in place:
                // the read appends after it); parse them only once the batch is finished. A buffer a large request
                // grew is given back first (below, once it is empty), not held while idle.
                final boolean readFirst = input.limit() < input.capacity() && !input.grown();
                int read = readFirst ? awaitInput(input) : 0;
                // A blocking command (BLPOP...) may hold the batch for long: read on while it waits (into the room
                // the buffer has), so that a client that leaves releases it, as Redis notices a blocked client go.
                while (read >= 0 && !batch.isComplete())
                {
                    batch.awaitCompletionOrBlock();
                    if (batch.isComplete() || input.limit() == input.capacity())
                    {
                        break;
                    }
                    final int more = awaitInput(input);
                    read = more < 0 ? -1 : read + more;
                }
                if (read < 0 && !batch.isComplete())
                {
                    engine.releaseBlocked(batch); // gone while blocked: nothing else would end the wait
                }
                batch.awaitCompletion();
                if (replyWriter.failed() || output.broken())
                {
                    return;
                }
                serviceTimes.executed(batch, parsedNs);
                serviceTimes.flushed(replyWriter.flushedNs());
                batchLimit = nextBatchLimit(batch.requestCount(), replyWriter.replyEnd() - replyStart);
                if (read < 0 || closing())
                {
                    return;
                }
                readAhead = read > 0;
            }
            else
            {
                writeReplies(output);
                serviceTimes.flushed(System.nanoTime());
            }
            final ConnectionHandover handover = session.handover();
            if (handover != null && !close && !killed)
            {
                // E.g. a replica's sync: the connection becomes a replication stream, served elsewhere from now on.
                session.handover(null);
                if (handover.takeOver(channel, input.buffer(), parser.consumed(), input.limit() - parser.consumed()))
                {
                    handedOver = true;
                    return;
                }
                writeReplies(output); // what the hook answered (WAIT)
            }
            if (close || killed)
            {
                return;
            }
            input.compact(parser.consumed());
            if (input.ensureRoom(parser.requiredLength()) == ReadBuffer.QUERY_BUFFER_LIMIT_EXCEEDED)
            {
                // Redis closes a client whose query buffer passes client-query-buffer-limit, without a reply.
                return;
            }
            if (input.limit() == 0)
            {
                input.shrinkIfEmpty();
                output.shrinkIfEmpty();
                parser.shrink();
            }
            if (!readAhead && awaitInput(input) < 0)
            {
                return;
            }
            lastInteractionMs = System.currentTimeMillis();
        }
    }

    /**
     * @param gate answers requests while a script keeps the engine busy; set before the connection starts.
     */
    public void scriptBusyGate(final ScriptBusyGate gate)
    {
        scriptBusyGate = gate;
    }

    /**
     * @param gate where this connection's batches wait during CLIENT PAUSE.
     */
    public void pauseGate(final ClientPauseGate gate)
    {
        pauseGate = gate;
    }

    /**
     * Write what the connection answered itself: to the socket, or behind the engine's pushed bytes once the
     * connection has been pushed to (MONITOR), so that nothing interleaves with them.
     */
    private void writeReplies(final ReplyBuffer output) throws IOException
    {
        final ConnectionPush push = this.push;
        if (null != push && push.active())
        {
            final int flushed = push.takeFlushedReplyBytes();
            if (output.position() > flushed)
            {
                final java.nio.ByteBuffer pending = output.pending();
                pending.position(flushed);
                push.writeOwn(pending);
            }
            output.clear();
            return;
        }
        output.writeTo(channel);
    }

    private OutputBufferLimits limits()
    {
        final OutputBufferLimits limits = outputBufferLimits;
        return null == limits ? new OutputBufferLimits() : limits;
    }

    /**
     * @param limits the server's client-output-buffer-limit, read by the connection's outbox (before it runs).
     */
    public void outputBufferLimits(final OutputBufferLimits limits)
    {
        this.outputBufferLimits = limits;
    }

    /**
     * @return the queue of pushed bytes when the connection's replies must go through it, else null.
     */
    ConnectionPush activePush()
    {
        final ConnectionPush push = this.push;
        return null != push && push.active() ? push : null;
    }

    /**
     * Block for the client's next bytes, letting a graceful shutdown see how long the connection has been waiting
     * for them: only that time says the client has gone quiet (a connection busy answering, or not scheduled, for a
     * while has not).
     */
    private int awaitInput(final ReadBuffer input) throws IOException
    {
        waitingForInputSinceMs = System.currentTimeMillis();
        try
        {
            return input.readFrom(channel);
        }
        finally
        {
            waitingForInputSinceMs = NOT_WAITING;
        }
    }

    /**
     * Size the next slice of a long pipeline so that its replies come to about {@link #REPLY_FLUSH_THRESHOLD_BYTES},
     * judging by the replies of the slice just executed: small replies allow {@link #MAX_BATCH_REQUESTS}, replies of
     * large values bring it down to one request per slice.
     */
    static int nextBatchLimit(final int requestCount, final long replyBytes)
    {
        if (replyBytes <= 0)
        {
            return MAX_BATCH_REQUESTS;
        }
        final long limit = (long)REPLY_FLUSH_THRESHOLD_BYTES * requestCount / replyBytes;
        return (int)Math.max(1, Math.min(MAX_BATCH_REQUESTS, limit));
    }

    /**
     * Close once the replies of the current batch are written (QUIT, CLIENT KILL of oneself). Engine thread.
     */
    public void closeAfterReply()
    {
        closeAfterReply = true;
    }

    /**
     * Close from another thread (CLIENT KILL, idle timeout, shutdown). Shuts the socket down both ways, which wakes
     * the connection's thread out of a read or a write; the thread closes the channel once no batch of it is in
     * flight (the engine may be writing to the socket). A batch in flight still completes; its replies are lost.
     */
    public void kill()
    {
        killed = true;
        try
        {
            channel.shutdownInput();
            channel.shutdownOutput();
        }
        catch (final IOException ignore)
        {
            // Already closed: nothing left to wake.
        }
    }

    /**
     * Engine thread: the connection's batch has executed (its replies are not written yet).
     */
    void executed()
    {
        executing = false;
    }

    /**
     * Engine thread, or the writer of a slow client's replies: the batch's replies are written.
     */
    void replied()
    {
        lastInteractionMs = System.currentTimeMillis();
    }

    /**
     * @return true when the connection was killed.
     */
    boolean killed()
    {
        return killed;
    }

    /**
     * @return true when the connection ends once its replies are written (QUIT-like commands, a kill).
     */
    boolean closing()
    {
        return closeAfterReply || killed || session.closeAfterReply();
    }

    /**
     * Wake the connection's thread out of its read with end-of-stream, so that it ends (any thread).
     */
    void stopReading()
    {
        try
        {
            channel.shutdownInput();
        }
        catch (final IOException ignore)
        {
            // Already closed: the thread is not reading.
        }
    }

    /**
     * Stop reading new requests but finish and answer what was already read (graceful shutdown).
     */
    public void shutdownInput()
    {
        try
        {
            channel.shutdownInput();
        }
        catch (final IOException ex)
        {
            kill();
        }
    }

    private void close()
    {
        registry.remove(this);
        if (handedOver)
        {
            return;
        }
        final ConnectionPush push = this.push;
        if (null != push)
        {
            push.close(); // its writer may still be writing to the descriptor
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // Already closed.
        }
    }

    private SocketAddress address(final boolean remote)
    {
        try
        {
            return remote ? channel.getRemoteAddress() : channel.getLocalAddress();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static String describe(final SocketAddress address)
    {
        if (address instanceof InetSocketAddress inet)
        {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return "?";
    }

    public long id()
    {
        return id;
    }

    public ClientSession session()
    {
        return session;
    }

    /**
     * @return the RESP encoder, or null for a JSON-lines connection (CLIENT REPLY applies to RESP only).
     */
    public RespReply respReply()
    {
        return respReply;
    }

    /**
     * @return "resp" or "json".
     */
    public String protocolName()
    {
        return protocolName;
    }

    public String remoteAddress()
    {
        return remoteAddress;
    }

    public String localAddress()
    {
        return localAddress;
    }

    public long createdMs()
    {
        return createdMs;
    }

    public long lastInteractionMs()
    {
        return lastInteractionMs;
    }

    @Override
    public long queryBufferBytes()
    {
        final ReadBuffer input = inputBuffer;
        return null == input ? 0 : input.limit();
    }

    @Override
    public long queryBufferCapacity()
    {
        final ReadBuffer input = inputBuffer;
        return null == input ? 0 : input.capacity();
    }

    @Override
    public long replyBufferBytes()
    {
        final ReplyBuffer output = outputBuffer;
        return null == output ? 0 : output.position();
    }

    @Override
    public long replyBufferCapacity()
    {
        final ReplyBuffer output = outputBuffer;
        return null == output ? 0 : output.capacity();
    }

    /**
     * Graceful shutdown closes a connection's input once its client has sent nothing for a while. Measured from
     * when the connection began waiting for input, not from its last read: a connection still executing or writing
     * what it read (or whose thread a loaded machine has not run) may have more requests in flight, and closing its
     * input would make it end at the first moment its socket is empty and reset the client over the rest.
     *
     * @param nowMs   the current time, epoch ms.
     * @param quietMs how long the connection must have waited for input.
     * @return true when the connection has been waiting for its client's next bytes for at least quietMs.
     */
    public boolean waitingForInputFor(final long nowMs, final long quietMs)
    {
        final long sinceMs = waitingForInputSinceMs;
        final RequestBatch batch = this.batch;
        // A connection reads while its last batch is answered: quiet only once that batch's replies are written,
        // and counted from the later of the two.
        return sinceMs != NOT_WAITING && (null == batch || batch.isComplete() || batch.blocked()) &&
            nowMs - Math.max(sinceMs, lastInteractionMs) >= quietMs;
    }

    /**
     * @return true while a batch of this connection is in the engine (not idle, whatever its last read).
     */
    public boolean executing()
    {
        return executing;
    }
}
