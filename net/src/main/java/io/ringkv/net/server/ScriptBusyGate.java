package io.ringkv.net.server;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.ringkv.core.command.Reply;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.script.ScriptRunState;
import org.agrona.DirectBuffer;

/**
 * What a connection does with its requests while a Lua script or function keeps the engine busy, answered on the
 * connection's thread because the engine cannot answer: Redis 7.0's rules for a script that has run longer than
 * {@code busy-reply-threshold} (processCommand's BUSY rejection, scriptKill, shutdownCommand).
 * <ul>
 * <li>While a script runs and is younger than the threshold, a new batch waits (as Redis's clients wait, the event
 * loop being blocked) until the script ends, then goes to the engine as usual, or until the threshold passes.</li>
 * <li>Past the threshold, each request is answered here: SCRIPT KILL and FUNCTION KILL ask the script to stop
 * (NOTBUSY, UNKILLABLE once it has written, BUSY for the wrong kind); SHUTDOWN without NOSAVE gets BUSY; anything
 * else gets BUSY ("...You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", FUNCTION KILL for a function; EXEC
 * gets it as EXECABORT's reason).</li>
 * <li>A batch holding a command Redis lets through while busy (AUTH, HELLO, QUIT, RESET, MULTI, DISCARD, WATCH,
 * UNWATCH, REPLCONF, FUNCTION STATS), or sent inside MULTI or before AUTH, goes to the engine and is answered once
 * the script ends. SHUTDOWN NOSAVE asks the script to stop (written or not: the data is being dropped anyway), then
 * goes to the engine, whose SHUTDOWN stops the server.</li>
 * </ul>
 * Without a script running the cost is one volatile read per batch.
 */
public final class ScriptBusyGate
{
    static final String EVAL_BUSY = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    static final String FUNCTION_BUSY =
        "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
    static final String NOT_BUSY = "NOTBUSY No scripts in execution right now.";
    static final String UNKILLABLE = "UNKILLABLE Sorry the script already executed write commands against the " +
        "dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN " +
        "NOSAVE command.";
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Commands with Redis's allow-busy flag that only the engine can answer. */
    private static final String[] ENGINE_ALLOWED =
        {"auth", "hello", "quit", "reset", "multi", "discard", "watch", "unwatch", "replconf"};

    private final ScriptRunState runState;
    private volatile long thresholdNs;

    /**
     * @param runState    the engine's account of the running script.
     * @param thresholdMs busy-reply-threshold.
     */
    public ScriptBusyGate(final ScriptRunState runState, final long thresholdMs)
    {
        this.runState = runState;
        threshold(thresholdMs);
    }

    /**
     * @param thresholdMs busy-reply-threshold (CONFIG SET), in milliseconds.
     */
    public void threshold(final long thresholdMs)
    {
        thresholdNs = TimeUnit.MILLISECONDS.toNanos(thresholdMs);
    }

    /**
     * Connection thread, before its batch goes to the engine.
     *
     * @param batch the parsed batch.
     * @return true when every request of the batch has been answered here (the batch is complete); false when it
     * goes to the engine.
     */
    public boolean answered(final RequestBatch batch)
    {
        if (!runState.running())
        {
            return false;
        }
        if (!awaitBusy())
        {
            return false;
        }
        if (batch.session().inTransaction() || !batch.session().authenticated() || needsEngine(batch))
        {
            return false;
        }
        final Reply reply = batch.reply();
        batch.markPublished(null);
        for (int request = 0, count = batch.requestCount(); request < count; request++)
        {
            reply.startRequest(request);
            answer(batch, request, reply);
            reply.endRequest(request);
        }
        batch.complete();
        return true;
    }

    /**
     * Waits while the running script is younger than the threshold.
     *
     * @return true when it is past the threshold; false when it ended first.
     */
    private boolean awaitBusy()
    {
        while (true)
        {
            final long startedNs = runState.startedNs();
            if (!runState.running())
            {
                return false;
            }
            final long leftNs = startedNs + thresholdNs - System.nanoTime();
            if (leftNs <= 0)
            {
                return true;
            }
            LockSupport.parkNanos(Math.min(leftNs, MAX_PARK_NS));
        }
    }

    /**
     * True when the batch must go to the engine: a command Redis answers while busy that needs the engine, or
     * SHUTDOWN NOSAVE (after asking the script to stop).
     */
    private boolean needsEngine(final RequestBatch batch)
    {
        for (int request = 0, count = batch.requestCount(); request < count; request++)
        {
            if (batch.argCount(request) == 0)
            {
                continue;
            }
            final String name = argument(batch, request, 0);
            for (final String allowed : ENGINE_ALLOWED)
            {
                if (allowed.equals(name))
                {
                    return true;
                }
            }
            if ("function".equals(name) && batch.argCount(request) == 2 && "stats".equals(argument(batch, request, 1)))
            {
                return true;
            }
            if ("shutdown".equals(name) && hasArgument(batch, request, "nosave"))
            {
                runState.requestKill();
                return true;
            }
        }
        return false;
    }

    private void answer(final RequestBatch batch, final int request, final Reply reply)
    {
        final int argc = batch.argCount(request);
        final String name = argc == 0 ? "" : argument(batch, request, 0);
        if (argc == 2 && ("script".equals(name) || "function".equals(name)) && "kill".equals(argument(batch, request, 1)))
        {
            kill("script".equals(name), reply);
            return;
        }
        final String busy = runState.function() ? FUNCTION_BUSY : EVAL_BUSY;
        // Redis's rejectCommand answers a refused EXEC as a transaction aborted by that error
        reply.error("exec".equals(name) ? "EXECABORT Transaction discarded because of: " + busy : busy);
    }

    /**
     * Redis's scriptKill: SCRIPT KILL stops an EVAL script, FUNCTION KILL a function, either only before it writes.
     */
    private void kill(final boolean eval, final Reply reply)
    {
        if (!runState.running())
        {
            reply.error(NOT_BUSY);
        }
        else if (runState.hasWritten())
        {
            reply.error(UNKILLABLE);
        }
        else if (eval && runState.function())
        {
            reply.error(FUNCTION_BUSY);
        }
        else if (!eval && !runState.function())
        {
            reply.error(EVAL_BUSY);
        }
        else
        {
            runState.requestKill();
            reply.ok();
        }
    }

    private static boolean hasArgument(final RequestBatch batch, final int request, final String lowerCase)
    {
        for (int i = 1, argc = batch.argCount(request); i < argc; i++)
        {
            if (lowerCase.equals(argument(batch, request, i)))
            {
                return true;
            }
        }
        return false;
    }

    /** An argument, lower-cased (only while busy: the cost does not matter then). */
    private static String argument(final RequestBatch batch, final int request, final int index)
    {
        final int arg = batch.firstArg(request) + index;
        final DirectBuffer buffer = batch.argBuffer();
        final int length = batch.argLength(arg);
        if (length > 32)
        {
            return "";
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(batch.argOffset(arg), bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
    }
}
