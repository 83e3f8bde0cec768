package io.ringkv.replication.replica;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.RequestBatch;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Builds commands (argument byte strings) into one {@link RequestBatch} over its own argument buffer and has the
 * engine execute them: how the replica's master link applies what the master sent, as an internal client.
 * Owned by one thread.
 */
public final class CommandBatchBuilder
{
    private final ExpandableArrayBuffer args = new ExpandableArrayBuffer(4096);
    private final RequestBatch batch;
    private final ApplyReply reply;
    private int position;

    /**
     * @param session the internal client's session.
     * @param reply   collects errors.
     */
    public CommandBatchBuilder(final ClientSession session, final ApplyReply reply)
    {
        this.reply = reply;
        this.batch = new RequestBatch(session, reply);
        batch.reset(args);
    }

    public ApplyReply reply()
    {
        return reply;
    }

    /**
     * @return requests added since the last {@link #execute(Engine)}.
     */
    public int requestCount()
    {
        return batch.requestCount();
    }

    /**
     * @return bytes of arguments buffered.
     */
    public int bufferedBytes()
    {
        return position;
    }

    public CommandBatchBuilder arg(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return arg(bytes, 0, bytes.length);
    }

    public CommandBatchBuilder arg(final byte[] bytes, final int offset, final int length)
    {
        args.putBytes(position, bytes, offset, length);
        batch.addArg(position, length);
        position += length;
        return this;
    }

    public CommandBatchBuilder arg(final DirectBuffer buffer, final int offset, final int length)
    {
        args.putBytes(position, buffer, offset, length);
        batch.addArg(position, length);
        position += length;
        return this;
    }

    public CommandBatchBuilder arg(final long value)
    {
        final int length = args.putLongAscii(position, value);
        batch.addArg(position, length);
        position += length;
        return this;
    }

    /**
     * Start an argument whose bytes the caller writes to {@link #buffer()} from {@link #argStart()}.
     */
    public int argStart()
    {
        return position;
    }

    public ExpandableArrayBuffer buffer()
    {
        return args;
    }

    /**
     * Close an argument written directly into {@link #buffer()}.
     */
    public CommandBatchBuilder argWritten(final int length)
    {
        batch.addArg(position, length);
        position += length;
        return this;
    }

    /**
     * Drop the arguments of the request being built.
     */
    public void abandonRequest()
    {
        batch.abandonRequest();
    }

    /**
     * @param valueKind {@link RequestBatch#VALUE_RAW}, {@link RequestBatch#VALUE_JSON} or
     *                  {@link RequestBatch#VALUE_INTEGER}.
     */
    public CommandBatchBuilder end(final byte valueKind)
    {
        batch.endRequest(valueKind);
        return this;
    }

    public CommandBatchBuilder end()
    {
        return end(RequestBatch.VALUE_RAW);
    }

    /**
     * Execute every request built so far, wait for them, and start a new batch. Errors are in {@link #reply()}.
     */
    public void execute(final Engine engine)
    {
        if (batch.requestCount() > 0)
        {
            engine.execute(batch);
        }
        position = 0;
        batch.reset(args);
    }
}
