package io.ringkv.net.codec;

import io.ringkv.core.engine.RequestBatch;
import org.agrona.DirectBuffer;

/**
 * Where a parser must end a batch whatever the limits say: after a request that closes the connection (QUIT), so
 * that the requests pipelined behind it are never executed, as Redis stops processing a client's input once it is
 * flagged close-after-reply.
 * <p>
 * Stateless; any thread.
 */
public final class BatchBoundary
{
    private static final String[] BLOCKING_COMMANDS =
        {"blpop", "brpop", "blmove", "brpoplpush", "blmpop", "bzpopmin", "bzpopmax", "bzmpop"};

    private BatchBoundary()
    {
    }

    /**
     * @param batch a batch whose last request was just ended.
     * @return true when that request is QUIT (any case): nothing after it may join the batch.
     */
    public static boolean endsConnection(final RequestBatch batch)
    {
        final int request = batch.requestCount() - 1;
        if (request < 0 || batch.argCount(request) == 0)
        {
            return false;
        }
        final int arg = batch.firstArg(request);
        if (batch.argLength(arg) != 4)
        {
            return false;
        }
        final DirectBuffer buffer = batch.argBuffer();
        final int index = batch.argOffset(arg);
        return (buffer.getByte(index) | 0x20) == 'q' && (buffer.getByte(index + 1) | 0x20) == 'u' &&
            (buffer.getByte(index + 2) | 0x20) == 'i' && (buffer.getByte(index + 3) | 0x20) == 't';
    }

    /**
     * Whether a batch must be executed while its connection waits, instead of being answered by the engine while
     * the connection reads on: true when a request may take the connection over once answered (SYNC, PSYNC: it
     * becomes a replication stream; WAIT: its reply is given later by the connection's thread), which the
     * connection can only do while it is not blocked in {@code read}.
     *
     * @param batch a parsed batch.
     * @return true when one of its requests is SYNC, PSYNC or WAIT (any case).
     */
    public static boolean needsConnectionThread(final RequestBatch batch)
    {
        final DirectBuffer buffer = batch.argBuffer();
        for (int request = 0, count = batch.requestCount(); request < count; request++)
        {
            if (batch.argCount(request) == 0)
            {
                continue;
            }
            final int arg = batch.firstArg(request);
            if (batch.argLength(arg) == 4)
            {
                final int index = batch.argOffset(arg);
                final int first = buffer.getByte(index) | 0x20;
                if ((first == 's' || first == 'w') && (equalsLower(buffer, index, "sync") ||
                    equalsLower(buffer, index, "wait")))
                {
                    return true;
                }
            }
            else if (batch.argLength(arg) == 5 && equalsLower(buffer, batch.argOffset(arg), "psync"))
            {
                return true; // a Redis replica's sync
            }
        }
        return false;
    }

    /**
     * Whether a batch holds a command that may block (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX,
     * BZMPOP): its connection must keep reading while it waits, to see its client leave.
     *
     * @param batch a parsed batch.
     * @return true when one of its requests is one of them (any case).
     */
    public static boolean mayBlock(final RequestBatch batch)
    {
        final DirectBuffer buffer = batch.argBuffer();
        for (int request = 0, count = batch.requestCount(); request < count; request++)
        {
            if (batch.argCount(request) == 0)
            {
                continue;
            }
            final int arg = batch.firstArg(request);
            final int length = batch.argLength(arg);
            final int index = batch.argOffset(arg);
            if (length >= 5 && length <= 10 && (buffer.getByte(index) | 0x20) == 'b')
            {
                for (final String name : BLOCKING_COMMANDS)
                {
                    if (name.length() == length && equalsLower(buffer, index, name))
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean equalsLower(final DirectBuffer buffer, final int index, final String lowerName)
    {
        for (int i = 0; i < lowerName.length(); i++)
        {
            if ((buffer.getByte(index + i) | 0x20) != lowerName.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
