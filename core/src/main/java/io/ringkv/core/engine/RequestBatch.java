package io.ringkv.core.engine;

import io.ringkv.core.codec.InlineSplitter;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.Command;
import io.ringkv.core.command.RequestSlices;
import io.ringkv.core.command.Reply;
import org.agrona.DirectBuffer;

import java.util.concurrent.locks.LockSupport;

/**
 * The requests one connection has parsed and publishes to the ring together, plus the way its replies and
 * its completion come back. Arguments are byte slices ({@code offset}, {@code length}) of one buffer, so a
 * parser can leave them in place in its read buffer.
 * <p>
 * One per connection, reused for every batch. The connection thread fills it and publishes it; the engine thread
 * reads it, writes replies to {@link #reply()}, and calls {@link #complete()} after the last request. A batch
 * published with a {@link BatchCompletion} is then handed to it on the engine thread (the network layer writes the
 * replies to the socket from there and calls {@link #finish()} once they are out); otherwise {@link #complete()}
 * finishes it at once. Neither the connection nor the engine touches the batch while the other owns it: the
 * connection owns it again once {@link #isComplete()}.
 * <pre>
 *   batch.reset(readBuffer);
 *   batch.addArg(offset, length); ...   batch.endRequest(RequestBatch.VALUE_RAW);   // for each request
 *   engine.publish(batch);              // returns after publishing; the engine executes in ring order
 *   batch.awaitCompletion();            // replies are now in the connection's Reply
 * </pre>
 */
public final class RequestBatch extends RequestSlices implements InlineSplitter.Sink
{
    private final ClientSession session;
    private final Reply reply;
    private DirectBuffer argBuffer;

    private int currentRequestFirstArg;

    private volatile boolean completed = true;
    private volatile Thread waiter;
    private BatchCompletion onExecuted;

    // A blocking command's suspension (BLPOP...), engine thread only: the blocked request, the last request whose
    // slot the engine has seen, and whether the rest is to be skipped (the connection is going away).
    private int blockedRequest = -1;
    private int arrivedUpTo = -1;
    private boolean lastArrived;
    private boolean closing;
    private volatile boolean blocked;

    /**
     * @param session the connection's session state.
     * @param reply   the connection's reply encoder.
     */
    public RequestBatch(final ClientSession session, final Reply reply)
    {
        super(16, 64);
        this.session = session;
        this.reply = reply;
    }

    /**
     * Start a new batch whose arguments are slices of {@code argBuffer}.
     *
     * @param argBuffer buffer the argument offsets refer to; must stay unchanged until the batch completes.
     */
    public void reset(final DirectBuffer argBuffer)
    {
        this.argBuffer = argBuffer;
        requestCount = 0;
        argCount = 0;
        currentRequestFirstArg = 0;
    }

    /**
     * Append an argument to the request being built.
     *
     * @param offset of the argument's first byte in the batch's buffer.
     * @param length of the argument in bytes.
     */
    public void addArg(final int offset, final int length)
    {
        appendArg(offset, length);
    }

    /**
     * Close the request being built; the arguments added since the previous call belong to it.
     *
     * @param valueKind how its value argument is to be stored: {@link #VALUE_RAW}, {@link #VALUE_JSON} or
     *                  {@link #VALUE_INTEGER}.
     */
    public void endRequest(final byte valueKind)
    {
        appendRequest(currentRequestFirstArg, valueKind, null);
        currentRequestFirstArg = argCount;
    }

    /**
     * Drop the arguments added since the last {@link #endRequest(byte)}, e.g. when a request turns out to be
     * incomplete and must wait for more bytes.
     */
    public void abandonRequest()
    {
        argCount = currentRequestFirstArg;
    }

    /**
     * @return a mark of the requests and arguments added so far, for {@link #rollback(long)}.
     */
    public long mark()
    {
        return (long)requestCount << 32 | argCount;
    }

    /**
     * Take back every request and argument added after {@code mark} (e.g. the requests of a message found invalid
     * half way); arguments added after the last {@link #endRequest(byte)} but before the mark stay pending.
     *
     * @param mark from {@link #mark()} on this batch since its last {@link #reset(DirectBuffer)}.
     */
    public void rollback(final long mark)
    {
        requestCount = (int)(mark >>> 32);
        argCount = (int)mark;
        currentRequestFirstArg = requestCount == 0 ? 0 :
            firstArg(requestCount - 1) + argCount(requestCount - 1);
    }

    /**
     * @param mark from {@link #mark()}.
     * @return the number of arguments the mark covers.
     */
    public static int argCount(final long mark)
    {
        return (int)mark;
    }

    @Override
    public DirectBuffer argBuffer()
    {
        return argBuffer;
    }

    /**
     * @param requestIndex request of this batch.
     * @return the command whose latency histogram counted the request (see
     * {@link io.ringkv.core.command.CommandDispatcher#dispatch}), or null; valid once the batch is complete.
     */
    public Command timedCommand(final int requestIndex)
    {
        return slotCommand(requestIndex);
    }

    /**
     * Engine thread: note the command the request was timed as.
     *
     * @param requestIndex request of this batch.
     * @param command      the command, or null.
     */
    public void timedCommand(final int requestIndex, final Command command)
    {
        slotCommand(requestIndex, command);
    }

    public ClientSession session()
    {
        return session;
    }

    public Reply reply()
    {
        return reply;
    }

    /**
     * Mark the batch as in flight; called by the publisher just before it publishes the batch to the ring.
     *
     * @param onExecuted told on the engine thread once every request has executed, instead of finishing the batch
     *                   there; null to finish it at once.
     */
    public void markPublished(final BatchCompletion onExecuted)
    {
        this.onExecuted = onExecuted;
        blockedRequest = -1;
        arrivedUpTo = -1;
        lastArrived = false;
        closing = false;
        blocked = false;
        completed = false;
    }

    /**
     * Engine thread: the slot of request {@code requestIndex} has come up.
     *
     * @param requestIndex  the request.
     * @param lastOfBatch   true for the batch's last request.
     * @return true when it must not run now: a request before it is blocked (it runs once that one is answered,
     * as Redis leaves a blocked client's later requests in its query buffer), or the batch is being closed (then
     * its last slot completes it).
     */
    boolean deferred(final int requestIndex, final boolean lastOfBatch)
    {
        arrivedUpTo = requestIndex;
        lastArrived = lastOfBatch;
        if (blockedRequest >= 0)
        {
            return true;
        }
        if (closing)
        {
            if (lastOfBatch)
            {
                complete();
            }
            return true;
        }
        return false;
    }

    /**
     * Engine thread: request {@code requestIndex} blocked; its reply is started and not ended.
     */
    void suspend(final int requestIndex)
    {
        blockedRequest = requestIndex;
        blocked = true;
        final Thread waiter = this.waiter; // read after the write above: see awaitCompletionOrBlock
        if (null != waiter)
        {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Engine thread: the blocked request has been answered (or released).
     *
     * @param close true when the requests after it must not run (its connection is going away).
     */
    void unblocked(final boolean close)
    {
        blockedRequest = -1;
        closing = close;
        blocked = false;
    }

    /**
     * @return the last request whose slot the engine has seen (engine thread).
     */
    int arrivedUpTo()
    {
        return arrivedUpTo;
    }

    /**
     * @return true once the engine has seen the batch's last slot (engine thread).
     */
    boolean lastArrived()
    {
        return lastArrived;
    }

    /**
     * @return true while one of the batch's requests is blocked (BLPOP...) waiting for a key, a timeout or an
     * unblock; any thread.
     */
    public boolean blocked()
    {
        return blocked;
    }

    /**
     * Engine thread: every request of the batch has executed and replied. Hands the batch to its
     * {@link BatchCompletion}, or finishes it.
     */
    public void complete()
    {
        final BatchCompletion onExecuted = this.onExecuted;
        if (null == onExecuted)
        {
            finish();
        }
        else
        {
            onExecuted.executed(this);
        }
    }

    /**
     * Any thread: the batch is done (executed, and its replies dealt with); the connection owns it again. Wakes the
     * connection if it waits in {@link #awaitCompletion()}.
     */
    public void finish()
    {
        completed = true;
        final Thread waiter = this.waiter; // read after the write above: see awaitCompletion
        if (null != waiter)
        {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * @return true once the batch is done: the connection owns it (and its reply buffer) again.
     */
    public boolean isComplete()
    {
        return completed;
    }

    /**
     * Connection thread: wait until the published batch is done or one of its requests blocks (BLPOP...), whichever
     * comes first; a connection then reads on while it waits, to see its client leave. Parks at once (a virtual
     * thread must not spin).
     */
    public void awaitCompletionOrBlock()
    {
        if (completed || blocked)
        {
            return;
        }
        waiter = Thread.currentThread();
        while (!completed && !blocked)
        {
            LockSupport.park(this);
        }
        waiter = null;
    }

    /**
     * Connection thread: wait until the published batch is done. A platform thread spins briefly before parking,
     * since a small batch is usually done within a few microseconds; a virtual thread parks at once, because
     * spinning would hold the carrier the engine may need. Only a waiting thread is ever unparked: a connection
     * that went back to reading while its batch was in flight is not woken for nothing.
     */
    public void awaitCompletion()
    {
        if (completed)
        {
            return;
        }
        // A virtual thread never spins: the engine it waits for may need this very carrier.
        if (!Thread.currentThread().isVirtual())
        {
            for (int i = 0; i < 64 && !completed; i++)
            {
                Thread.onSpinWait();
            }
        }
        // Volatile write, then volatile read of completed; finish() writes completed, then reads waiter: one of the
        // two sides sees the other, so the wake-up cannot be lost.
        waiter = Thread.currentThread();
        while (!completed)
        {
            LockSupport.park(this);
        }
        waiter = null;
    }
}
