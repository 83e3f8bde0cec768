package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandHandler;
import io.ringkv.core.command.ErrorObservingReply;
import io.ringkv.core.command.Reply;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The handler of a container command (CONFIG, CLIENT, COMMAND...): picks the subcommand named by argument 1 and
 * checks its arity, with Redis 7's texts ({@code ERR unknown subcommand 'X'. Try CONFIG HELP.} and
 * {@code ERR wrong number of arguments for 'config|get' command}), and counts each subcommand's calls, time,
 * failures and rejections on the subcommand, as Redis's commandstats does ({@code cmdstat_config|get}), and has the
 * call's latency counted as the subcommand's (refused calls are not timed). COMMAND
 * lists the subcommands as Redis does.
 * <p>
 * Built at registration; afterwards only the engine thread runs it.
 */
public final class Subcommands implements CommandHandler
{
    private final String parent;
    private final String upperParent;
    private final List<Command> subcommands = new ArrayList<>();
    private final ErrorObservingReply observingReply = new ErrorObservingReply();
    private CommandHandler withoutSubcommand;

    /**
     * @param parent the container command's name, e.g. "config".
     */
    public Subcommands(final String parent)
    {
        this.parent = parent.toLowerCase(Locale.ROOT);
        this.upperParent = parent.toUpperCase(Locale.ROOT);
    }

    /**
     * @param name    subcommand name, e.g. "get".
     * @param arity   Redis arity counting the parent and the subcommand: 2 = no further argument, -3 = at least one.
     * @param flags   {@link Command} flags.
     * @param handler runs it; argument 0 is the parent, argument 1 the subcommand.
     * @return this for chaining.
     */
    public Subcommands add(final String name, final int arity, final int flags, final CommandHandler handler)
    {
        subcommands.add(new Command(parent + "|" + name.toLowerCase(Locale.ROOT), arity, flags, handler));
        return this;
    }

    /**
     * @param handler runs the container called without a subcommand (COMMAND alone); without one, the container's
     *                arity must ask for a subcommand.
     * @return this for chaining.
     */
    public Subcommands withoutSubcommand(final CommandHandler handler)
    {
        this.withoutSubcommand = handler;
        return this;
    }

    /**
     * @return the subcommands, named "parent|sub", in registration order.
     */
    public List<Command> subcommands()
    {
        return Collections.unmodifiableList(subcommands);
    }

    /**
     * @param name subcommand name without the parent, any case.
     * @return the subcommand, or null.
     */
    public Command find(final String name)
    {
        final String full = parent + "|" + name.toLowerCase(Locale.ROOT);
        for (final Command command : subcommands)
        {
            if (command.name().equals(full))
            {
                return command;
            }
        }
        return null;
    }

    @Override
    public Command subcommand(final CommandArgs args)
    {
        return find(args.asString(1));
    }

    @Override
    public void execute(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() == 1 && null != withoutSubcommand)
        {
            withoutSubcommand.execute(context, args, reply);
            return;
        }
        final String name = args.asString(1);
        final Command command = find(name);
        if (null == command)
        {
            context.timeAs(null);
            reply.error("ERR unknown subcommand '" + abbreviate(name) + "'. Try " + upperParent + " HELP.");
            return;
        }
        context.session().lastCommand(command);
        if (!command.arityAccepts(args.count()))
        {
            context.timeAs(null);
            command.recordRejected();
            reply.error(command.arityError());
            return;
        }
        context.timeAs(command);
        final ErrorObservingReply observed = observingReply.wrap(reply);
        final long startNs = System.nanoTime();
        try
        {
            command.handler().execute(context, args, observed);
        }
        finally
        {
            command.recordCall(System.nanoTime() - startNs, observed.errored());
        }
    }

    /** Redis cuts the echoed name at 128 characters and replaces CR and LF so the error stays one line. */
    private static String abbreviate(final String name)
    {
        final String cut = name.length() > 128 ? name.substring(0, 128) : name;
        return cut.replace('\r', ' ').replace('\n', ' ');
    }
}
