package io.ringkv.net.server.command;

import io.ringkv.core.command.AsciiNumbers;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.ClientTracking;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO (client-side caching): parse the options as Redis 7.0's
 * clientCommand does, in its order and with its texts, and hand them to core's {@link ClientTracking}. The first
 * CLIENT TRACKING ON also gives the tracking state the connection registry (to find redirect targets and notice
 * clients that are gone) and tracking-table-max-keys.
 * <p>
 * Only the engine thread runs these handlers.
 */
final class TrackingCommands
{
    private static final byte[] ON = "ON".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OFF = "OFF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] YES = "YES".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO = "NO".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REDIRECT = "REDIRECT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BCAST = "BCAST".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OPTIN = "OPTIN".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OPTOUT = "OPTOUT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOLOOP = "NOLOOP".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREFIX = "PREFIX".getBytes(StandardCharsets.US_ASCII);
    static final String NEEDS_RESP = "ERR CLIENT TRACKING needs a RESP connection";

    private final ServerControl server;

    TrackingCommands(final ServerControl server)
    {
        this.server = server;
    }

    /**
     * CLIENT TRACKING (ON|OFF) [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP].
     */
    void tracking(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        long redirect = 0;
        int options = 0;
        final List<byte[]> prefixes = new ArrayList<>();
        for (int i = 3; i < args.count(); i++)
        {
            final boolean moreArgs = i + 1 < args.count();
            if (args.equalsIgnoreCase(i, REDIRECT) && moreArgs)
            {
                i++;
                if (redirect != 0)
                {
                    reply.error("ERR A client can only redirect to a single other client");
                    return;
                }
                final AsciiNumbers numbers = context.numbers();
                if (!numbers.parseLong(args, i))
                {
                    reply.error(ErrorMessages.NOT_INTEGER);
                    return;
                }
                redirect = numbers.value();
                // Required to exist now, though it may go later: Redis's sanity check.
                if (null == server.registry().get(redirect))
                {
                    reply.error("ERR The client ID you want redirect to does not exist");
                    return;
                }
            }
            else if (args.equalsIgnoreCase(i, BCAST))
            {
                options |= ClientTracking.BCAST;
            }
            else if (args.equalsIgnoreCase(i, OPTIN))
            {
                options |= ClientTracking.OPTIN;
            }
            else if (args.equalsIgnoreCase(i, OPTOUT))
            {
                options |= ClientTracking.OPTOUT;
            }
            else if (args.equalsIgnoreCase(i, NOLOOP))
            {
                options |= ClientTracking.NOLOOP;
            }
            else if (args.equalsIgnoreCase(i, PREFIX) && moreArgs)
            {
                i++;
                final byte[] prefix = new byte[args.length(i)];
                args.buffer().getBytes(args.offset(i), prefix);
                prefixes.add(prefix);
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        final ClientTracking tracking = context.clientTracking();
        final ClientSession session = context.session();
        if (args.equalsIgnoreCase(2, ON))
        {
            // Invalidations are RESP pushes: a JSON-lines connection (whose outbox carries JSON lines) tracks only
            // through a redirect to a RESP connection.
            if ((null == session.pushChannel() || session.pushChannel().jsonLines()) && redirect == 0)
            {
                reply.error(NEEDS_RESP);
                return;
            }
            tracking.sessions(this::session);
            tracking.maxKeys(server.config().trackingTableMaxKeys.number());
            final String error = tracking.enable(session, redirect, options, prefixes);
            if (null != error)
            {
                reply.error(error);
                return;
            }
        }
        else if (args.equalsIgnoreCase(2, OFF))
        {
            tracking.disable(session);
        }
        else
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        reply.ok();
    }

    private ClientSession session(final long id)
    {
        final ConnectedClient client = server.registry().get(id);
        return null == client ? null : client.session();
    }

    /**
     * CLIENT CACHING (YES|NO).
     */
    static void caching(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ClientTracking tracking = context.clientTracking();
        final ClientSession session = context.session();
        final String error;
        if (tracking.redirect(session) < 0)
        {
            error = tracking.caching(session, true); // not tracking: Redis's first check, whatever the argument
        }
        else if (args.equalsIgnoreCase(2, YES))
        {
            error = tracking.caching(session, true);
        }
        else if (args.equalsIgnoreCase(2, NO))
        {
            error = tracking.caching(session, false);
        }
        else
        {
            error = ErrorMessages.SYNTAX;
        }
        if (null != error)
        {
            reply.error(error);
            return;
        }
        reply.ok();
    }

    /**
     * CLIENT GETREDIR: the redirect target's id, 0 for none, -1 when not tracking.
     */
    static void getredir(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        reply.integer(context.clientTracking().redirect(context.session()));
    }

    /**
     * CLIENT TRACKINGINFO.
     */
    static void trackinginfo(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        context.clientTracking().info(context.session(), reply);
    }
}
