package io.ringkv.core.command;

import java.util.Arrays;

/**
 * The storage behind {@link ParsedRequests}: per request its first argument, argument count, value kind and one
 * command slot, per argument its offset and length in the implementation's {@link #argBuffer()}. Growable arrays,
 * reused from one use to the next, so adding a request allocates nothing once they have grown. The one layout
 * shared by a connection's batch and a transaction's queue.
 * <p>
 * Single-threaded: whichever thread owns the implementation at the time.
 */
public abstract class RequestSlices implements ParsedRequests
{
    private final int initialRequests;
    private final int initialArgs;
    /** Requests added since the last {@link #clearSlices()}. */
    protected int requestCount;
    /** Arguments added since the last {@link #clearSlices()}, the pending request's included. */
    protected int argCount;
    private int[] requestFirstArg;
    private int[] requestArgCount;
    private byte[] requestValueKind;
    private Command[] requestCommand;
    private int[] argOffset;
    private int[] argLength;

    /**
     * @param initialRequests request capacity at first and after {@link #shrinkTo(int, int)}.
     * @param initialArgs     argument capacity at first and after {@link #shrinkTo(int, int)}.
     */
    protected RequestSlices(final int initialRequests, final int initialArgs)
    {
        this.initialRequests = initialRequests;
        this.initialArgs = initialArgs;
        allocateRequests(initialRequests);
        allocateArgs(initialArgs);
    }

    /**
     * Append an argument, growing the argument arrays when full.
     */
    protected final void appendArg(final int offset, final int length)
    {
        if (argCount == argOffset.length)
        {
            argOffset = Arrays.copyOf(argOffset, argCount * 2);
            argLength = Arrays.copyOf(argLength, argCount * 2);
        }
        argOffset[argCount] = offset;
        argLength[argCount] = length;
        argCount++;
    }

    /**
     * Append a request made of the arguments from {@code firstArg} to the last one appended.
     */
    protected final void appendRequest(final int firstArg, final byte valueKind, final Command command)
    {
        if (requestCount == requestFirstArg.length)
        {
            final int length = requestCount * 2;
            requestFirstArg = Arrays.copyOf(requestFirstArg, length);
            requestArgCount = Arrays.copyOf(requestArgCount, length);
            requestValueKind = Arrays.copyOf(requestValueKind, length);
            requestCommand = Arrays.copyOf(requestCommand, length);
        }
        requestFirstArg[requestCount] = firstArg;
        requestArgCount[requestCount] = argCount - firstArg;
        requestValueKind[requestCount] = valueKind;
        requestCommand[requestCount] = command;
        requestCount++;
    }

    /**
     * @return the command slot of a request: what the implementation stored with it.
     */
    protected final Command slotCommand(final int requestIndex)
    {
        return requestCommand[requestIndex];
    }

    protected final void slotCommand(final int requestIndex, final Command command)
    {
        requestCommand[requestIndex] = command;
    }

    /**
     * Forget every request and argument, dropping the command references.
     */
    protected final void clearSlices()
    {
        Arrays.fill(requestCommand, 0, requestCount, null);
        requestCount = 0;
        argCount = 0;
    }

    /**
     * Give back arrays a large use grew past the given capacities (after {@link #clearSlices()}).
     */
    protected final void shrinkTo(final int maxRequests, final int maxArgs)
    {
        if (argOffset.length > maxArgs)
        {
            allocateArgs(initialArgs);
        }
        if (requestFirstArg.length > maxRequests)
        {
            allocateRequests(initialRequests);
        }
    }

    private void allocateRequests(final int capacity)
    {
        requestFirstArg = new int[capacity];
        requestArgCount = new int[capacity];
        requestValueKind = new byte[capacity];
        requestCommand = new Command[capacity];
    }

    private void allocateArgs(final int capacity)
    {
        argOffset = new int[capacity];
        argLength = new int[capacity];
    }

    @Override
    public final int requestCount()
    {
        return requestCount;
    }

    @Override
    public final int firstArg(final int requestIndex)
    {
        return requestFirstArg[requestIndex];
    }

    @Override
    public final int argCount(final int requestIndex)
    {
        return requestArgCount[requestIndex];
    }

    @Override
    public final byte valueKind(final int requestIndex)
    {
        return requestValueKind[requestIndex];
    }

    @Override
    public final int argOffset(final int argIndex)
    {
        return argOffset[argIndex];
    }

    @Override
    public final int argLength(final int argIndex)
    {
        return argLength[argIndex];
    }
}
