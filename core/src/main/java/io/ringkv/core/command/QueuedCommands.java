package io.ringkv.core.command;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.Arrays;

/**
 * The commands a connection queued between MULTI and EXEC, copied out of its read buffer (which the connection
 * reuses for the next bytes it reads) into storage of its own: one byte buffer for every argument and a few int
 * arrays, reused from one transaction to the next, so queueing a command allocates nothing once they have grown.
 * A queue that one large transaction grew is given back down to {@link #RETAINED_BYTES} when it is cleared.
 * <p>
 * Only the engine thread uses it.
 */
public final class QueuedCommands implements ParsedRequests
{
    /** Argument bytes kept between transactions; more is freed when the queue is cleared. */
    static final int RETAINED_BYTES = 64 * 1024;

    private ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(256);
    private int byteCount;
    private int requestCount;
    private int argCount;
    private int[] requestFirstArg = new int[8];
    private int[] requestArgCount = new int[8];
    private byte[] requestValueKind = new byte[8];
    private Command[] requestCommand = new Command[8];
    private int[] argOffset = new int[32];
    private int[] argLength = new int[32];

    /**
     * Copy one request in.
     *
     * @param command the command it was admitted as.
     * @param args    the request, still in the connection's buffer.
     */
    public void add(final Command command, final CommandArgs args)
    {
        final int count = args.count();
        if (requestCount == requestFirstArg.length)
        {
            final int length = requestCount * 2;
            requestFirstArg = Arrays.copyOf(requestFirstArg, length);
            requestArgCount = Arrays.copyOf(requestArgCount, length);
            requestValueKind = Arrays.copyOf(requestValueKind, length);
            requestCommand = Arrays.copyOf(requestCommand, length);
        }
        if (argCount + count > argOffset.length)
        {
            final int length = Math.max(argOffset.length * 2, argCount + count);
            argOffset = Arrays.copyOf(argOffset, length);
            argLength = Arrays.copyOf(argLength, length);
        }
        requestFirstArg[requestCount] = argCount;
        requestArgCount[requestCount] = count;
        requestValueKind[requestCount] = args.valueKind();
        requestCommand[requestCount] = command;
        requestCount++;
        final DirectBuffer source = args.buffer();
        for (int i = 0; i < count; i++)
        {
            final int length = args.length(i);
            bytes.putBytes(byteCount, source, args.offset(i), length);
            argOffset[argCount] = byteCount;
            argLength[argCount] = length;
            argCount++;
            byteCount += length;
        }
    }

    /**
     * @param requestIndex a queued request.
     * @return the command it was admitted as.
     */
    public Command command(final int requestIndex)
    {
        return requestCommand[requestIndex];
    }

    /**
     * @return bytes of argument text held.
     */
    public long bytes()
    {
        return byteCount;
    }

    /**
     * Forget every queued command; free the storage a large transaction grew.
     */
    public void clear()
    {
        Arrays.fill(requestCommand, 0, requestCount, null);
        requestCount = 0;
        argCount = 0;
        byteCount = 0;
        if (bytes.capacity() > RETAINED_BYTES)
        {
            bytes = new ExpandableArrayBuffer(256);
        }
        if (argOffset.length > RETAINED_BYTES / 8)
        {
            argOffset = new int[32];
            argLength = new int[32];
        }
        if (requestFirstArg.length > RETAINED_BYTES / 8)
        {
            requestFirstArg = new int[8];
            requestArgCount = new int[8];
            requestValueKind = new byte[8];
            requestCommand = new Command[8];
        }
    }

    @Override
    public int requestCount()
    {
        return requestCount;
    }

    @Override
    public DirectBuffer argBuffer()
    {
        return bytes;
    }

    @Override
    public int firstArg(final int requestIndex)
    {
        return requestFirstArg[requestIndex];
    }

    @Override
    public int argCount(final int requestIndex)
    {
        return requestArgCount[requestIndex];
    }

    @Override
    public byte valueKind(final int requestIndex)
    {
        return requestValueKind[requestIndex];
    }

    @Override
    public int argOffset(final int argIndex)
    {
        return argOffset[argIndex];
    }

    @Override
    public int argLength(final int argIndex)
    {
        return argLength[argIndex];
    }
}
