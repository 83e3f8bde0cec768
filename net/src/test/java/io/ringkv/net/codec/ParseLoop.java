package io.ringkv.net.codec;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.Reply;
import io.ringkv.core.engine.RequestBatch;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The connection's read loop without sockets: feeds chunks into a {@link ReadBuffer}, parses, "executes" each
 * batch by copying its requests out, compacts and grows exactly as a connection does.
 */
public final class ParseLoop
{
    public final ReadBuffer readBuffer;
    public final RequestParser parser;
    public final ClientSession session;
    public final RequestBatch batch;
    public final List<List<String>> requests = new ArrayList<>();
    public final List<Byte> valueKinds = new ArrayList<>();
    public final List<String> errors = new ArrayList<>();
    public final List<Integer> batchSizes = new ArrayList<>();
    public Consumer<RequestBatch> onBatch = b -> {};
    public Consumer<RequestParser> onLineError = p -> {};
    public boolean closed;
    public String closeReason;
    public long maxCapacitySeen;
    private long parses;

    public ParseLoop(final RequestParser parser, final int initialCapacity, final int maxCapacity,
        final boolean authenticated, final Reply reply)
    {
        this.parser = parser;
        this.readBuffer = new ReadBuffer(initialCapacity, maxCapacity);
        this.session = new ClientSession(1, authenticated);
        this.batch = new RequestBatch(session, reply);
    }

    /**
     * Feed bytes as one or more reads (as many as the buffer's room dictates).
     */
    public ParseLoop feed(final byte[] bytes)
    {
        int offset = 0;
        while (offset < bytes.length && !closed)
        {
            offset += readBuffer.append(bytes, offset, bytes.length - offset);
            maxCapacitySeen = Math.max(maxCapacitySeen, readBuffer.capacity());
            process();
        }
        return this;
    }

    public ParseLoop feed(final String text)
    {
        return feed(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** One "read" worth of processing: parse, execute, reply errors, compact, grow. */
    public void process()
    {
        int start = 0;
        while (true)
        {
            final int status = parser.parse(readBuffer.buffer(), start, readBuffer.limit(), batch);
            if (++parses > 1_000_000)
            {
                throw new AssertionError("parser makes no progress: status " + status + " consumed " +
                    parser.consumed() + " limit " + readBuffer.limit());
            }
            execute();
            if (status == RequestParser.PARSE_AGAIN || status == RequestParser.LINE_ERROR)
            {
                if (status == RequestParser.LINE_ERROR)
                {
                    errors.add(parser.errorText());
                    onLineError.accept(parser);
                }
                start = parser.consumed();
                continue;
            }
            if (status == RequestParser.PROTOCOL_ERROR)
            {
                errors.add(parser.errorText());
                closed = true;
                closeReason = parser.errorText();
                return;
            }
            break;
        }
        readBuffer.compact(parser.consumed());
        if (readBuffer.ensureRoom(parser.requiredLength()) == ReadBuffer.QUERY_BUFFER_LIMIT_EXCEEDED)
        {
            closed = true;
            closeReason = "query buffer limit";
        }
    }

    private void execute()
    {
        final int count = batch.requestCount();
        if (count == 0)
        {
            return;
        }
        batchSizes.add(count);
        onBatch.accept(batch);
        final DirectBuffer buffer = batch.argBuffer();
        for (int r = 0; r < count; r++)
        {
            final List<String> args = new ArrayList<>();
            final int first = batch.firstArg(r);
            for (int a = 0; a < batch.argCount(r); a++)
            {
                final byte[] bytes = new byte[batch.argLength(first + a)];
                buffer.getBytes(batch.argOffset(first + a), bytes);
                args.add(new String(bytes, StandardCharsets.ISO_8859_1));
            }
            requests.add(args);
            valueKinds.add(batch.valueKind(r));
        }
    }
}
