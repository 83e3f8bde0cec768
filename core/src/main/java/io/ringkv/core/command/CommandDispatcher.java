package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;

/**
 * Runs one request: finds its command in the {@link CommandTable} and applies Redis's checks in Redis's order
 * (unknown command, arity, protected commands, authentication, memory budget: evicting first under an
 * evicting maxmemory-policy) before calling the handler. Every request gets
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
    private final ErrorObservingReply observingReply = new ErrorObservingReply();
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
    }

    public CommandContext context()
    {
        return context;
    }

    /**
     * Execute one request and write its one reply.
     *
     * @param args    the request (argument 0 is the name).
     * @param session the connection's session.
     * @param nowMs   the time cached for the batch.
     * @param reply   the connection's reply sink.
     * @return the command whose latency histogram counted the call (the subcommand of a container), or null when
     * none did (refused, unknown, latency tracking off): the connection adds the service time to the same command.
     */
    public Command dispatch(final CommandArgs args, final ClientSession session, final long nowMs, final Reply reply)
    {
        final int argCount = args.count();
        if (argCount == 0)
        {
            refuse("ERR empty command", reply);
            return null;
        }
        final Command command = commands.lookup(args.buffer(), args.offset(0), args.length(0));
        if (command == null)
        {
            refuse(ErrorMessages.unknownCommand(args), reply);
            return null;
        }
        session.lastCommand(command);
        if (!command.arityAccepts(argCount))
        {
            command.recordRejected();
            refuse(command.arityError(), reply);
            return null;
        }
        if (command.hasFlag(Command.PROTECTED) && !session.protectedCommandsAllowed())
        {
            command.recordRejected();
            refuse(command.protectedError(), reply);
            return null;
        }
        if (!session.authenticated() && !command.hasFlag(Command.NO_AUTH))
        {
            command.recordRejected();
            refuse(ErrorMessages.NOAUTH, reply);
            return null;
        }
        if (session.monitor() && command.hasFlag(Command.READONLY | Command.WRITE))
        {
            // A monitor is flagged as a replica in Redis, and replicas may not touch the keyspace.
            context.monitors().flush(); // the lines before it precede the error
            command.recordRejected();
            refuse(ErrorMessages.MONITOR_KEYSPACE, reply);
            return null;
        }
        // Redis's performEvictions before a denyoom command: evict first under an evicting policy; the master's
        // stream is never refused (a replica ignores maxmemory and follows its master's deletes).
        if (command.hasFlag(Command.DENY_OOM) && !session.masterLink() && !makeRoom(nowMs))
        {
            command.recordRejected();
            refuse(ErrorMessages.OOM, reply);
            return null;
        }
        final CommandContext context = this.context;
        if (context.loading() && command.hasFlag(Command.READONLY | Command.WRITE) && !session.masterLink())
        {
            command.recordRejected();
            refuse(ErrorMessages.LOADING, reply);
            return null;
        }
        if (context.readOnlyReplica() && command.hasFlag(Command.WRITE) && !session.masterLink())
        {
            command.recordRejected();
            refuse(ErrorMessages.READONLY, reply);
            return null;
        }
        if (session.subscriptions() > 0 && !pubSubAllowed(command, args, session, reply))
        {
            return null;
        }
        final ErrorObservingReply observed = observingReply.wrap(reply);
        context.begin(session, nowMs);
        context.timeAs(command);
        keyspace.countLookups(command.hasFlag(Command.READONLY));
        keyspace.writeAccess(command.hasFlag(Command.WRITE));
        keyspace.expiryExempt(session.masterLink());
        keyspace.trackTouchedKeys(true);
        final long startNs = System.nanoTime();
        try
        {
            command.handler().execute(context, args, observed);
        }
        catch (final Throwable ex)
        {
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
            if (context.monitors().active())
            {
                feedMonitors(args, session, reply, null == timed ? command : timed);
            }
            keyspace.countLookups(false);
            context.end();
        }
        return context.latencyTracking() ? context.timedCommand() : null;
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
        context.slowLog().recordIfSlow(args, context.redactedArguments(), session, nowMs / 1000, elapsedNs);
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

    /** RESP2's subscribed mode admits only the subscribe commands, PING, QUIT and RESET (Redis's text). */
    private boolean pubSubAllowed(
        final Command command, final CommandArgs args, final ClientSession session, final Reply reply)
    {
        final String refusal = PubSub.subscribedModeRefusal(session, args.count() > 1 && CONTAINERS.contains(
            command.name()) ? command.name() + "|" + args.asString(1).toLowerCase(java.util.Locale.ROOT) :
            command.name());
        if (null == refusal)
        {
            return true;
        }
        command.recordRejected();
        refuse(refusal, reply);
        return false;
    }

    private void refuse(final String message, final Reply reply)
    {
        errorStats.record(message);
        reply.error(message);
    }
}
