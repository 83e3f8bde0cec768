package io.ringkv.replication.replica;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.memory.ExpandableOffHeapBuffer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Builds commands (argument byte strings) in its own buffer and has the engine execute them as one
 * {@link RequestBatch}: how the replica's master link applies what the master sent, as an internal client. The
 * requests of a message that turns out to be invalid half way are taken back with {@link #rollback(long)}, so a
 * bad message never touches data. Owned by one thread.
 */
public final class CommandBatchBuilder
{
    /** Argument space kept between batches (a batch is cut at about 4 MB); beyond it is freed after the batch. */
    static final int RETAINED_CAPACITY = 8 * 1024 * 1024;

    /** malloc'd: a large value from the master grows it off the heap, and the growth is freed after the batch. */
    private final ExpandableOffHeapBuffer args = new ExpandableOffHeapBuffer(4096);
    private final RequestBatch batch;
    private final ApplyReply reply;
    private int position;
    private boolean published;

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

    /**
     * @return the link's internal client, whose requests this builds (inside a group it is in MULTI).
     */
    public io.ringkv.core.command.ClientSession session()
    {
        return batch.session();
    }

    public ApplyReply reply()
    {
        return reply;
    }

    public int requestCount()
    {
        return batch.requestCount();
    }

    public int bufferedBytes()
    {
        return position;
    }

    /**
     * @return a mark to {@link #rollback(long)} to: the requests and arguments built so far.
     */
    public long mark()
    {
        return batch.mark();
    }

    /**
     * Forget every request and argument added after {@code mark}.
     */
    public void rollback(final long mark)
    {
        batch.rollback(mark);
        final int argCount = RequestBatch.argCount(mark);
        position = argCount == 0 ? 0 : batch.argOffset(argCount - 1) + batch.argLength(argCount - 1);
    }

    /**
     * An argument given as text, in UTF-8. Command names and keywords are ASCII and are written without
     * allocating: the replica's apply path adds several per change.
     */
    public CommandBatchBuilder arg(final String text)
    {
        final int length = text.length();
        for (int i = 0; i < length; i++)
        {
            if (text.charAt(i) >= 0x80)
            {
                final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                return arg(bytes, 0, bytes.length);
            }
        }
        return argWritten(args.putStringWithoutLengthAscii(position, text));
    }

    public CommandBatchBuilder arg(final byte[] bytes, final int offset, final int length)
    {
        args.putBytes(position, bytes, offset, length);
        return argWritten(length);
    }

    public CommandBatchBuilder arg(final DirectBuffer buffer, final int offset, final int length)
    {
        args.putBytes(position, buffer, offset, length);
        return argWritten(length);
    }

    public CommandBatchBuilder arg(final long value)
    {
        return argWritten(args.putLongAscii(position, value));
    }

    /**
     * @return where the caller may write the next argument's bytes in {@link #buffer()}.
     */
    public int argStart()
    {
        return position;
    }

    public MutableDirectBuffer buffer()
    {
        return args;
    }

    /**
     * Close an argument of {@code length} bytes written directly into {@link #buffer()} at {@link #argStart()}.
     */
    public CommandBatchBuilder argWritten(final int length)
    {
        batch.addArg(position, length);
        position += length;
        return this;
    }

    /**
     * Close the request made of the arguments added since the previous one.
     *
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
     * Execute every request built so far, wait for them, and start again. Errors are in {@link #reply()}.
     */
    public void execute(final Engine engine)
    {
        publish(engine);
        awaitPublished();
    }

    /**
     * Publish every request built so far without waiting, so the caller can build the next batch (in another
     * builder) meanwhile; {@link #awaitPublished()} waits for them and starts again.
     */
    public void publish(final Engine engine)
    {
        published = batch.requestCount() > 0;
        if (published)
        {
            engine.publish(batch);
        }
    }

    /**
     * Wait for the batch {@link #publish}ed (if any) to be executed, then start again. Errors are in {@link #reply()}.
     */
    public void awaitPublished()
    {
        if (published)
        {
            batch.awaitCompletion();
            published = false;
        }
        args.shrink(RETAINED_CAPACITY);
        batch.reset(args);
        position = 0;
    }
}
