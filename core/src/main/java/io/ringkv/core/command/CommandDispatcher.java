package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;

/**
 * Runs one request in two steps: {@link #admit} finds its command in the {@link CommandTable} and applies Redis's
 * checks in Redis's order (unknown command, arity, protected commands, authentication, no-multi, memory budget:
 * evicting first under an evicting maxmemory-policy, LOADING, READONLY); {@link #call} runs the handler. Between
 * them, inside MULTI, the request is queued instead ({@link TransactionCommands}); EXEC then calls the queued
 * commands through the same call step, which is re-entrant for that (and for scripts). Every request gets
 * exactly one reply, even when a handler fails unexpectedly. Counts each command's calls, time, failures and
 * rejections on the {@link Command} itself (INFO commandstats), and has the keyspace count hits and misses for
 * read-only commands (INFO keyspace_hits/misses). Records each executed call's time in the latency histogram of the
 * command it ran as ({@link CommandContext#timeAs(Command)}), unless latency tracking is off. A call at least as
 * slow as {@link CommandContext#slowCallNs()} (one comparison) goes to the slow log and the latency monitor; while
 * a connection monitors, every executed call goes to the {@link MonitorFeed} (one field read when none does).
 * <p>
 * Only the engine thread calls this. Allocates only to build error texts for unknown commands.
 */
public final class CommandDispatcher
{
    private static final System.Logger LOGGER = System.getLogger(CommandDispatcher.class.getName());

    /** Commands whose refusals name the subcommand ("pubsub|numsub"), as Redis's fullname does. */
    private static final java.util.Set<String> CONTAINERS = java.util.Set.of(
        "acl", "client", "cluster", "command", "config", "function", "latency", "memory", "module", "object",
        "pubsub", "script", "slowlog", "xgroup", "xinfo");

    private final CommandTable commands;
    private final CommandContext context;
    private final Keyspace keyspace;
    /** One per call depth: a command calling others (EXEC) keeps its own. */
    private ErrorObservingReply[] observingReplies = {new ErrorObservingReply(), null, null, null};
    /** The command running at each call depth. */
    private Command[] callers = new Command[4];
    private int callDepth;
    private final ErrorStats errorStats;

    /**
     * @param commands the table to look names up in.
     * @param context  handed to every handler.
     */
    public CommandDispatcher(final CommandTable commands, final CommandContext context)
    {
        this.commands = commands;
        this.context = context;
        this.keyspace = context.keyspace();
        this.errorStats = context.errorStats();
        context.dispatcher(this);
    }

    public CommandContext context()
    {
        return context;
    }

    /**
     * Execute one request and write its one reply: {@link #admit} it, then queue it (inside MULTI) or {@link #call}
     * it.
     *
     * @param args    the request (argument 0 is the name).
     * @param session the connection's session.
     * @param nowMs   the time cached for the batch.
     * @param reply   the connection's reply sink.
     * @return the command whose latency histogram counted the call (the subcommand of a container), or null when
     * none did (refused, queued, unknown, latency tracking off): the connection adds the service time to the same
     * command.
     */
    public Command dispatch(final CommandArgs args, final ClientSession session, final long nowMs, final Reply reply)
    {
        final Command command = admit(args, session, nowMs, reply);
        if (null == command)
        {
            return null;
        }
        if (session.inTransaction() && !command.hasFlag(Command.NO_QUEUE))
        {
            if (!TransactionCommands.queue(command, args, session, reply))
            {
                reject(command, session, TransactionCommands.QUEUE_TOO_LARGE, reply);
            }
            return null;
        }
        return call(command, args, session, nowMs, reply);
    }

    /**
     * The admission step: find the request's command and apply Redis's checks in Redis's order (unknown command,
     * arity, protected commands, authentication, no-multi, monitor, memory budget, LOADING, READONLY). A refusal is
     * answered here; inside MULTI it also dooms the transaction (EXEC answers EXECABORT), and a refused EXEC
     * discards it. EXEC is judged by the flags of the commands it would run.
     *
     * @param args    the request (argument 0 is the name).
     * @param session the connection's session.
     * @param nowMs   the time cached for the batch.
     * @param reply   the connection's reply sink.
     * @return the command to queue or call, or null when the request was refused (and answered).
     */
    public Command admit(final CommandArgs args, final ClientSession session, final long nowMs, final Reply reply)
    {
        final int argCount = args.count();
        if (argCount == 0)
        {
            refuse(null, session, "ERR empty command", reply);
            return null;
        }
        final Command command = commands.lookup(args.buffer(), args.offset(0), args.length(0));
        if (command == null)
        {
            refuse(null, session, ErrorMessages.unknownCommand(args), reply);
            return null;
        }
        session.lastCommand(command);
        if (!command.arityAccepts(argCount))
        {
            return reject(command, session, command.arityError(), reply);
        }
        if (command.hasFlag(Command.PROTECTED) && !session.protectedCommandsAllowed())
        {
            return reject(command, session, command.protectedError(), reply);
        }
        if (!session.authenticated() && !command.hasFlag(Command.NO_AUTH))
        {
            return reject(command, session, ErrorMessages.NOAUTH, reply);
        }
        final boolean inTransaction = session.inTransaction();
        if (inTransaction && command.hasFlag(Command.NO_MULTI))
        {
            return reject(command, session, TransactionCommands.NOT_ALLOWED_IN_MULTI, reply);
        }
        final int flags = command.hasFlag(Command.EXEC) ? TransactionCommands.execFlags(command, session) :
            admissionFlags(command, args);
        if (session.monitor() && (flags & (Command.READONLY | Command.WRITE)) != 0)
        {
            // A monitor is flagged as a replica in Redis, and replicas may not touch the keyspace.
            context.monitors().flush(); // the lines before it precede the error
            return reject(command, session, ErrorMessages.MONITOR_KEYSPACE, reply);
        }
        // Redis's performEvictions before a denyoom command (inside MULTI, before any command it would queue, whose
        // queue may grow without bound): evict first under an evicting policy; the master's stream is never refused
        // (a replica ignores maxmemory and follows its master's deletes).
        if (((flags & Command.DENY_OOM) != 0 || (inTransaction && !command.hasFlag(Command.NO_QUEUE))) &&
            !session.masterLink() && !context.oomExempt() && !makeRoom(nowMs))
        {
            return reject(command, session, ErrorMessages.OOM, reply);
        }
        final CommandContext context = this.context;
        if (context.loading() && (flags & (Command.READONLY | Command.WRITE)) != 0 && !session.masterLink())
        {
            return reject(command, session, ErrorMessages.LOADING, reply);
        }
        if (context.readOnlyReplica() && (flags & Command.WRITE) != 0 && !session.masterLink())
        {
            return reject(command, session, ErrorMessages.READONLY, reply);
        }
        if (session.subscriptions() > 0)
        {
            // RESP2's subscribed mode admits only the subscribe commands, PING, QUIT and RESET (Redis's text).
            final String refusal = PubSub.subscribedModeRefusal(session, args.count() > 1 && CONTAINERS.contains(
                command.name()) ? command.name() + "|" + args.asString(1).toLowerCase(java.util.Locale.ROOT) :
                command.name());
            if (null != refusal)
            {
                return reject(command, session, refusal, reply);
            }
        }
        return command;
    }

    /**
     * @return the flags a request is admitted by: its subcommand's for a container that names one, else its own.
     */
    private static int admissionFlags(final Command command, final CommandArgs args)
    {
        final Command subcommand = args.count() > 1 ? command.handler().subcommand(args) : null;
        return null == subcommand ? command.flags() : subcommand.flags();
    }

    /**
     * The call step: run an admitted command's handler and account for it (statistics, latency, slow log, monitors).
     * Re-entrant: a command may call others through it while it runs (EXEC runs its queued commands this way), each
     * counted, timed and fed to monitors as itself.
     *
     * @param command the admitted command.
     * @param args    its request.
     * @param session the connection's session.
     * @param nowMs   the time cached for the batch.
     * @param reply   where its reply goes.
     * @return the command whose latency histogram counted the call, or null (see {@link #dispatch}).
     */
    public Command call(
        final Command command, final CommandArgs args, final ClientSession session, final long nowMs,
        final Reply reply)
    {
        final int depth = callDepth++;
        if (depth == callers.length)
        {
            callers = java.util.Arrays.copyOf(callers, depth * 2);
        }
        callers[depth] = command;
        final Command outerTimed = depth == 0 ? null : context.timedCommand();
        final ErrorObservingReply observed = observingReply(depth).wrap(reply);
        context.begin(session, nowMs);
        context.timeAs(command);
        keyspace.countLookups(command.hasFlag(Command.READONLY));
        keyspace.writeAccess(command.hasFlag(Command.WRITE));
        keyspace.expiryExempt(session.masterLink());
        keyspace.trackTouchedKeys(true);
        final ClientTracking tracking = context.clientTracking();
        final boolean tracked = tracking.active(); // client-side caching: one field read while nobody tracks
        if (tracked)
        {
            tracking.beforeCommand(session, command);
        }
        boolean threw = false;
        final long startNs = System.nanoTime();
        try
        {
            command.handler().execute(context, args, observed);
        }
        catch (final Throwable ex)
        {
            threw = true;
            // A bug must not take the engine thread down or leave the client without a reply, and whatever the
            // handler changed before it failed must reach the change log (docs/architecture.md, the failed-command
            // rule).
            LOGGER.log(System.Logger.Level.ERROR, "command " + command.name() + " failed", ex);
            observed.error("ERR internal error in '" + command.name() + "': " + ex);
            context.changeLog().logTouchedKeys(keyspace);
        }
        finally
        {
            final long elapsedNs = System.nanoTime() - startNs;
            keyspace.trackTouchedKeys(false);
            keyspace.writeAccess(false);
            final boolean failed = observed.errored();
            if (tracked)
            {
                tracking.afterCommand(session, command, !failed || threw);
            }
            command.recordCall(elapsedNs, failed);
            final Command timed = context.timedCommand();
            if (null != timed && context.latencyTracking())
            {
                timed.recordLatency(elapsedNs);
            }
            if (elapsedNs >= context.slowCallNs())
            {
                recordSlowCall(args, session, nowMs, elapsedNs, null == timed ? command : timed);
            }
            if (failed)
            {
                errorStats.record(observed.lastError());
            }
            // Redis judges a container's subcommand by its own flags (CLIENT KILL is admin, CLIENT ID is not).
            if (context.monitors().active() && !command.hasFlag(Command.SKIP_MONITOR))
            {
                feedMonitors(args, session, reply, null == timed ? command : timed);
            }
            keyspace.countLookups(false);
            context.end();
            callDepth = depth;
        }
        final Command timed = context.latencyTracking() ? context.timedCommand() : null;
        if (depth != 0)
        {
            // Back inside the calling command: its own settings again.
            final Command outer = callers[depth - 1];
            keyspace.countLookups(outer.hasFlag(Command.READONLY));
            keyspace.writeAccess(outer.hasFlag(Command.WRITE));
            keyspace.trackTouchedKeys(true);
            context.timeAs(outerTimed);
        }
        return timed;
    }

    /**
     * Evict to get under maxmemory if needed; while the latency monitor is on, time it as Redis's "eviction-cycle".
     */
    private boolean makeRoom(final long nowMs)
    {
        final LatencyMonitor monitor = context.latencyMonitor();
        if (!monitor.enabled())
        {
            return keyspace.makeRoom(nowMs);
        }
        final long startNs = System.nanoTime();
        final boolean room = keyspace.makeRoom(nowMs);
        monitor.addIfNeeded(LatencyMonitor.EVICTION_CYCLE, System.nanoTime() - startNs, nowMs);
        return room;
    }

    /**
     * A call slow enough for the slow log or the latency monitor (Redis's call(): slowlogPushCurrentCommand and
     * latencyAddSampleIfNeeded with "command" or "fast-command" by the flags of the command that ran).
     */
    private void recordSlowCall(
        final CommandArgs args, final ClientSession session, final long nowMs, final long elapsedNs,
        final Command ran)
    {
        if (!ran.hasFlag(Command.EXEC))
        {
            // EXEC is Redis's skip_slowlog: its commands are logged one by one instead.
            context.slowLog().recordIfSlow(args, context.redactedArguments(), session, nowMs / 1000, elapsedNs);
        }
        context.latencyMonitor().addIfNeeded(
            ran.hasFlag(Command.FAST) ? LatencyMonitor.FAST_COMMAND : LatencyMonitor.COMMAND, elapsedNs, nowMs);
    }

    /**
     * Redis's call() feeds monitors every executed command but ADMIN ones (a container's subcommand judged by its own
     * flags: CLIENT KILL is admin, CLIENT ID is not). A monitor's own unfed command still sends the lines queued
     * before it first, so they precede its reply.
     */
    private void feedMonitors(final CommandArgs args, final ClientSession session, final Reply reply, final Command ran)
    {
        final MonitorFeed monitors = context.monitors();
        if (!ran.hasFlag(Command.ADMIN))
        {
            monitors.feed(args, context.redactedArguments(), session, reply);
        }
        else if (session.monitor())
        {
            monitors.flush();
        }
    }

    private Command reject(final Command command, final ClientSession session, final String message, final Reply reply)
    {
        command.recordRejected();
        refuse(command, session, message, reply);
        return null;
    }

    private void refuse(final Command command, final ClientSession session, final String message, final Reply reply)
    {
        final String answer = session.inTransaction() ?
            TransactionCommands.refused(context, command, session, message) : message;
        errorStats.record(answer);
        reply.error(answer);
    }

    private ErrorObservingReply observingReply(final int depth)
    {
        if (depth == observingReplies.length)
        {
            observingReplies = java.util.Arrays.copyOf(observingReplies, depth * 2);
        }
        ErrorObservingReply observing = observingReplies[depth];
        if (null == observing)
        {
            observing = new ErrorObservingReply();
            observingReplies[depth] = observing;
        }
        return observing;
    }
}
