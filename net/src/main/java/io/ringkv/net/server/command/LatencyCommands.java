package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandLatency;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.LatencyMonitor;
import io.ringkv.core.command.Reply;
import io.ringkv.net.server.config.ServerConfig;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * LATENCY (HISTOGRAM, RESET, LATEST, HISTORY, GRAPH, DOCTOR, HELP) and INFO latencystats, with Redis 7.0's replies.
 * The per-command histograms are those the dispatcher records ({@link CommandLatency}); the event subcommands read
 * the engine's {@link LatencyMonitor} (latency-monitor-threshold, 0 by default: off, as in Redis). LATENCY RESET
 * without arguments also clears the per-command histograms (Redis clears them only with CONFIG RESETSTAT, which
 * ringkv does too).
 * <p>
 * INFO latencystats prints Redis's {@code latency_percentiles_usec_<command>} lines (execution on the engine
 * thread) and ringkv's {@code ringkv_service_percentiles_usec_<command>} lines (parsed request to flushed reply).
 * <p>
 * Only the engine thread runs these handlers and the section writer.
 */
public final class LatencyCommands
{
    static final List<String> HELP = List.of(
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command " +
            "names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help.");

    /** Redis 7.0's LATENCY DOCTOR text while latency-monitor-threshold is 0. */
    static final String DOCTOR_DISABLED = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this " +
        "Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. " +
        "If we weren't in a deep space mission I'd suggest to take a look at " +
        "https://redis.io/topics/latency-monitor.\n";

    /** INFO section of the console's latency curves, printed only when named. */
    public static final String CURVE_SECTION = "ringkv-latencycurve";
    /** The percentiles of a curve: equally spaced in nines, as the load generator's chart draws them. */
    static final String CURVE_PERCENTILES = "0 50 75 90 95 99 99.5 99.9 99.95 99.99 99.995 99.999 100";

    private final ServerConfig config;

    private LatencyCommands(final ServerConfig config)
    {
        this.config = config;
    }

    /**
     * @param table  to register LATENCY in.
     * @param server whose INFO gets the latencystats section.
     */
    public static void register(final CommandTable table, final ServerControl server)
    {
        final LatencyCommands latency = new LatencyCommands(server.config());
        server.infoSections().addAfter("errorstats", "latencystats", "Latencystats", false, latency::latencystats);
        server.infoSections().addExplicit(CURVE_SECTION, "Ringkv-latencycurve", LatencyCommands::latencyCurves);
        table.register("latency", -2, Command.ADMIN, new Subcommands("latency")
            .add("histogram", -2, Command.ADMIN, LatencyCommands::histogram)
            .add("reset", -2, Command.ADMIN, LatencyCommands::reset)
            .add("latest", 2, Command.ADMIN, LatencyCommands::latest)
            .add("history", 3, Command.ADMIN, LatencyCommands::history)
            .add("graph", 3, Command.ADMIN, LatencyCommands::graph)
            .add("doctor", 2, Command.ADMIN, latency::doctor)
            .add("help", 2, 0, (context, args, reply) -> ConfigCommands.help(reply, HELP)));
    }

    /**
     * @param commands the command table.
     * @return every command that can be timed, by name: the table's commands and the subcommands of containers (a
     * container itself is timed only when called without a subcommand, as COMMAND is).
     */
    public static List<Command> timedCommands(final CommandTable commands)
    {
        final List<Command> timed = new ArrayList<>();
        for (final Command command : commands.commands())
        {
            timed.add(command);
            if (command.handler() instanceof Subcommands container)
            {
                timed.addAll(container.subcommands());
            }
        }
        timed.sort(Comparator.comparing(Command::name));
        return timed;
    }

    private static void histogram(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final List<Command> selected = new ArrayList<>();
        if (args.count() == 2)
        {
            for (final Command command : timedCommands(context.commands()))
            {
                addIfTimed(command, selected);
            }
        }
        for (int i = 2; i < args.count(); i++)
        {
            // As Redis: unknown names and commands without calls are left out; a container brings its subcommands.
            final Command command = lookup(context.commands(), args.asString(i));
            if (null == command)
            {
                continue;
            }
            addIfTimed(command, selected);
            if (command.handler() instanceof Subcommands container)
            {
                for (final Command subcommand : container.subcommands())
                {
                    addIfTimed(subcommand, selected);
                }
            }
        }
        reply.mapHeader(selected.size());
        for (final Command command : selected)
        {
            reply.bulk(command.name().getBytes(StandardCharsets.UTF_8));
            LatencyReport.writeHistogram(command.latency().executionHistogram(), reply);
        }
    }

    private static void addIfTimed(final Command command, final List<Command> selected)
    {
        final CommandLatency latency = command.latency();
        if (null != latency && latency.executionHistogram().getTotalCount() > 0)
        {
            selected.add(command);
        }
    }

    /**
     * @param commands the table.
     * @param name     a command name or "container|subcommand", any case.
     * @return the command or null.
     */
    static Command lookup(final CommandTable commands, final String name)
    {
        final int bar = name.indexOf('|');
        if (bar < 0)
        {
            return commands.lookup(name);
        }
        final Command parent = commands.lookup(name.substring(0, bar));
        if (null != parent && parent.handler() instanceof Subcommands container)
        {
            return container.find(name.substring(bar + 1));
        }
        return null;
    }

    private static void reset(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() == 2)
        {
            for (final Command command : timedCommands(context.commands()))
            {
                final CommandLatency latency = command.latency();
                if (null != latency)
                {
                    latency.reset();
                }
            }
        }
        final LatencyMonitor monitor = context.latencyMonitor();
        int resets = 0;
        if (args.count() == 2)
        {
            resets = monitor.reset(null);
        }
        for (int i = 2; i < args.count(); i++)
        {
            resets += monitor.reset(args.asString(i));
        }
        reply.integer(resets);
    }

    private static void latest(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Map<String, LatencyMonitor.Series> events = context.latencyMonitor().events();
        reply.arrayHeader(events.size());
        for (final Map.Entry<String, LatencyMonitor.Series> event : events.entrySet())
        {
            final long[] latest = event.getValue().latest();
            reply.arrayHeader(4);
            reply.bulk(event.getKey().getBytes(StandardCharsets.US_ASCII));
            reply.integer(latest[0]);
            reply.integer(latest[1]);
            reply.integer(event.getValue().maxMs());
        }
    }

    private static void history(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final LatencyMonitor.Series series = context.latencyMonitor().series(args.asString(2));
        if (null == series)
        {
            reply.arrayHeader(0);
            return;
        }
        final List<long[]> samples = series.samples();
        reply.arrayHeader(samples.size());
        for (final long[] sample : samples)
        {
            reply.arrayHeader(2);
            reply.integer(sample[0]);
            reply.integer(sample[1]);
        }
    }

    private static void graph(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final String event = args.asString(2);
        final LatencyMonitor.Series series = context.latencyMonitor().series(event);
        if (null == series)
        {
            reply.error("ERR No samples available for event '" + event + "'");
            return;
        }
        reply.verbatimText(LatencyEventReport.graph(event, series, System.currentTimeMillis() / 1000));
    }

    private void doctor(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        reply.verbatimText(LatencyEventReport.doctor(context.latencyMonitor(), context.slowLog().slowerThanUs(),
            config.hz.number(), System.currentTimeMillis() / 1000));
    }

    /**
     * The console's curves: each command's service time (parsed request to flushed reply, what a client sees) at
     * {@link #CURVE_PERCENTILES}, since start or the last reset: {@code ringkv_service_curve_usec_get:calls=N,p0=..}.
     */
    private static void latencyCurves(final CommandContext context, final InfoWriter out)
    {
        for (final Command command : timedCommands(context.commands()))
        {
            final CommandLatency latency = command.latency();
            if (null == latency)
            {
                continue;
            }
            final Histogram service = latency.serviceHistogram();
            if (service.getTotalCount() > 0)
            {
                out.line("ringkv_service_curve_usec_" + command.name() + ":calls=" + service.getTotalCount() + "," +
                    LatencyReport.percentiles(service, CURVE_PERCENTILES));
            }
        }
    }

    private void latencystats(final CommandContext context, final InfoWriter out)
    {
        final String percentiles = config.latencyTrackingInfoPercentiles.text();
        final List<Command> commands = timedCommands(context.commands());
        for (final Command command : commands)
        {
            final CommandLatency latency = command.latency();
            if (null != latency && latency.executionHistogram().getTotalCount() > 0)
            {
                out.line("latency_percentiles_usec_" + command.name() + ":" +
                    LatencyReport.percentiles(latency.executionHistogram(), percentiles));
            }
        }
        for (final Command command : commands)
        {
            final CommandLatency latency = command.latency();
            if (null == latency)
            {
                continue;
            }
            final Histogram service = latency.serviceHistogram();
            if (service.getTotalCount() > 0)
            {
                out.line("ringkv_service_percentiles_usec_" + command.name() + ":" +
                    LatencyReport.percentiles(service, percentiles));
            }
        }
    }
}
