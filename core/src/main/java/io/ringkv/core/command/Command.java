package io.ringkv.core.command;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A registered command: its name, Redis arity, flags and handler, plus its call statistics (INFO commandstats).
 * The name, arity, flags and handler are immutable and safe to share between threads; only the engine thread
 * updates and reads the statistics (plain fields: counting allocates nothing and takes no lock).
 */
public final class Command
{
    /** Changes data: recorded in the change log; refused on a read-only replica (later). */
    public static final int WRITE = 1;
    /** Never changes data. */
    public static final int READONLY = 1 << 1;
    /** Runs in O(1) or O(log n): the command never stalls the engine. */
    public static final int FAST = 1 << 2;
    /** Administrative: configuration, flushing, introspection. */
    public static final int ADMIN = 1 << 3;
    /** Allowed before the connection has authenticated (AUTH, HELLO, PING...). */
    public static final int NO_AUTH = 1 << 4;
    /** May grow memory: refused with the OOM error while the keyspace is over its memory budget (Redis "denyoom"). */
    public static final int DENY_OOM = 1 << 5;
    /** Touches the whole keyspace (KEYS, FLUSHALL...); Redis's "slow" commands are the ones without FAST. */
    public static final int KEYSPACE = 1 << 6;
    /**
     * Can stop or inspect the server (DEBUG): refused unless the client's session allows protected commands
     * (Redis's {@code enable-debug-command}), before authentication is checked, as Redis does.
     */
    public static final int PROTECTED = 1 << 7;
    /**
     * Runs at once inside MULTI instead of being queued (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET). A high bit, so
     * that flags added by other work do not collide.
     */
    public static final int NO_QUEUE = 1 << 24;
    /** Refused inside MULTI (Redis's no-multi: SAVE, SYNC, PSYNC, SHUTDOWN). */
    public static final int NO_MULTI = 1 << 25;
    /** EXEC: admitted by the flags of the commands it will run (READONLY, OOM, LOADING), as Redis admits it. */
    public static final int EXEC = 1 << 26;
    /**
     * Fed to MONITOR by its handler rather than after the call (Redis's skip_monitor): EVAL shows before the commands
     * its script runs.
     */
    public static final int SKIP_MONITOR = 1 << 27;

    private final String name;
    private final byte[] upperName;
    private final int arity;
    private final int flags;
    private final CommandHandler handler;
    private final String arityError;
    private final String protectedError;
    private long calls;
    private long durationNs;
    private long failedCalls;
    private long rejectedCalls;
    private volatile CommandLatency latency;

    /**
     * @param name    command name; kept lower-case for error texts, matched ignoring case.
     * @param arity   Redis arity: N means exactly N arguments including the name, -N means at least N.
     * @param flags   bit set of the constants above.
     * @param handler executes the command.
     */
    public Command(final String name, final int arity, final int flags, final CommandHandler handler)
    {
        if (name.isEmpty() || arity == 0)
        {
            throw new IllegalArgumentException("command needs a name and a non-zero arity: " + name);
        }
        this.name = name.toLowerCase(Locale.ROOT);
        this.upperName = name.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        this.arity = arity;
        this.flags = flags;
        this.handler = handler;
        this.arityError = ErrorMessages.wrongArity(this.name);
        this.protectedError = (flags & PROTECTED) != 0 ? ErrorMessages.protectedCommand(this.name) : null;
    }

    /**
     * @return the lower-case name, as Redis prints it in errors ({@code 'get'}).
     */
    public String name()
    {
        return name;
    }

    byte[] upperName()
    {
        return upperName;
    }

    public int arity()
    {
        return arity;
    }

    public int flags()
    {
        return flags;
    }

    /**
     * @param flag one or more flag bits.
     * @return true when any of them is set.
     */
    public boolean hasFlag(final int flag)
    {
        return (flags & flag) != 0;
    }

    public CommandHandler handler()
    {
        return handler;
    }

    /**
     * @param argCount number of arguments including the name.
     * @return true when the count satisfies the arity.
     */
    public boolean arityAccepts(final int argCount)
    {
        return arity > 0 ? argCount == arity : argCount >= -arity;
    }

    /**
     * @return the wrong-arity error text, built once.
     */
    public String arityError()
    {
        return arityError;
    }

    /**
     * @return the refusal of a {@link #PROTECTED} command to a client not allowed to run it (built once).
     */
    public String protectedError()
    {
        return protectedError;
    }

    /**
     * Engine thread: count one executed call. The dispatcher calls it for every command; a container command (CONFIG,
     * CLIENT...) calls it for the subcommand it ran.
     *
     * @param elapsedNs time the handler took.
     * @param failed    true when it replied with an error.
     */
    public void recordCall(final long elapsedNs, final boolean failed)
    {
        calls++;
        durationNs += elapsedNs;
        failedCalls += failed ? 1 : 0;
    }

    /**
     * Engine thread: add one call to the latency histograms, creating them on the first call. The dispatcher calls it
     * for the command a request ran as (a container's subcommand), with the whole call's time, as Redis does.
     *
     * @param elapsedNs time the call took on the engine thread.
     */
    public void recordLatency(final long elapsedNs)
    {
        CommandLatency latency = this.latency;
        if (null == latency)
        {
            latency = new CommandLatency();
            this.latency = latency;
        }
        latency.recordExecutionNs(elapsedNs);
    }

    /**
     * @return the latency histograms, or null before the first timed call. Any thread may record service times into
     * it; the engine thread publishes it before the reply of the call that created it.
     */
    public CommandLatency latency()
    {
        return latency;
    }

    /**
     * Engine thread: count a call refused before its handler ran (arity, authentication, memory budget).
     */
    public void recordRejected()
    {
        rejectedCalls++;
    }

    /**
     * @return calls executed since start or the last {@link #resetStats()} (commandstats "calls"). Engine thread.
     */
    public long calls()
    {
        return calls;
    }

    /**
     * @return total time its handler ran, in nanoseconds (commandstats "usec" / 1000). Engine thread.
     */
    public long durationNs()
    {
        return durationNs;
    }

    /**
     * @return executed calls that replied with an error (commandstats "failed_calls"). Engine thread.
     */
    public long failedCalls()
    {
        return failedCalls;
    }

    /**
     * @return calls refused before execution (commandstats "rejected_calls"). Engine thread.
     */
    public long rejectedCalls()
    {
        return rejectedCalls;
    }

    /**
     * Zero the statistics and the latency histograms (CONFIG RESETSTAT). Engine thread.
     */
    public void resetStats()
    {
        calls = 0;
        durationNs = 0;
        failedCalls = 0;
        rejectedCalls = 0;
        final CommandLatency latency = this.latency;
        if (null != latency)
        {
            latency.reset();
        }
    }

    @Override
    public String toString()
    {
        return "Command{" + name + ", arity=" + arity + ", flags=" + Integer.toBinaryString(flags) + '}';
    }
}
