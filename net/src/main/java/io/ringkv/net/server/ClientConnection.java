package io.ringkv.net.server;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.ConnectionHandover;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.ReadBuffer;
import io.ringkv.net.codec.ReplyBuffer;
import io.ringkv.net.codec.RequestParser;
import io.ringkv.net.jsonline.JsonLineParser;
import io.ringkv.net.jsonline.JsonLineReply;
import io.ringkv.net.jsonline.JsonRequestTable;
import io.ringkv.net.resp.RespParser;
import io.ringkv.net.resp.RespReply;
import io.ringkv.net.server.command.ConnectedClient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * One client connection, served by its own virtual thread: reads with blocking NIO, parses every complete request
 * in the read buffer into one {@link RequestBatch}, has the engine execute the batch (one wake-up when it is done),
 * and writes all the replies with one flush. A long pipeline is executed in slices of at most
 * {@link #MAX_BATCH_REQUESTS} and written whenever {@link #REPLY_FLUSH_THRESHOLD_BYTES} of replies are pending, so
 * memory stays bounded by a slice; a batch ends at QUIT, and nothing read after it is executed. After each write
 * the connection records every written request's service time (parsed to flushed) in its command's latency
 * histograms. The protocol is chosen by the connection's first byte: {@code '{'}
 * for JSON lines, anything else for RESP (multibulk or inline).
 * <p>
 * The connection thread owns the buffers; the engine writes replies into them only while the connection waits for
 * its batch. Other threads may only {@link #kill()} it and read its descriptive fields.
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
    /** The connection's buffers, published for CLIENT LIST's figures (read, stale, by the engine thread). */
    private volatile ReadBuffer inputBuffer;
    private volatile ReplyBuffer outputBuffer;

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
        }
        else
        {
            parser = new RespParser(protoMaxBulkLength);
            respReply = new RespReply(session, output);
            batch = new RequestBatch(session, respReply);
        }

        try
        {
            serve(input, output, parser, batch, jsonReply);
        }
        finally
        {
            parser.close();
        }
    }

    private void serve(final ReadBuffer input, final ReplyBuffer output, final RequestParser parser,
        final RequestBatch batch, final JsonLineReply jsonReply) throws IOException
    {
        final ServiceTimeTracker serviceTimes = new ServiceTimeTracker();
        int batchLimit = INITIAL_BATCH_REQUESTS;
        while (true)
        {
            int start = 0;
            boolean close = false;
            while (true)
            {
                parser.batchRequestLimit(batchLimit);
                final int status = parser.parse(input.buffer(), start, input.limit(), batch);
                final int requestCount = batch.requestCount();
                if (requestCount > 0)
                {
                    final int replyStart = output.position();
                    final long parsedNs = System.nanoTime();
                    executing = true;
                    engine.execute(batch);
                    executing = false;
                    if (output.broken())
                    {
                        // A reply could not be built whole: close rather than send a stream the client cannot
                        // parse, as Redis closes a client over its output buffer limit.
                        return;
                    }
                    serviceTimes.executed(batch, parsedNs);
                    batchLimit = nextBatchLimit(requestCount, output.position() - replyStart);
                    if (closeAfterReply || killed)
                    {
                        close = true;
                        break;
                    }
                    if (output.position() >= REPLY_FLUSH_THRESHOLD_BYTES)
                    {
                        output.writeTo(channel);
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

            output.writeTo(channel);
            serviceTimes.flushed(System.nanoTime());
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
                output.writeTo(channel); // what the hook answered (WAIT)
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
            if (awaitInput(input) < 0)
            {
                return;
            }
            lastInteractionMs = System.currentTimeMillis();
        }
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
     * Close from another thread (CLIENT KILL, idle timeout, shutdown). A batch in flight still completes; its
     * replies are lost with the socket.
     */
    public void kill()
    {
        killed = true;
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // Closing is all we wanted.
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
        return sinceMs != NOT_WAITING && nowMs - sinceMs >= quietMs;
    }

    /**
     * @return true while a batch of this connection is in the engine (not idle, whatever its last read).
     */
    public boolean executing()
    {
        return executing;
    }
}
