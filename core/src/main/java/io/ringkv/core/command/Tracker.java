package io.ringkv.core.command;

import java.util.ArrayList;
import java.util.List;

/**
 * One client's CLIENT TRACKING state (Redis's CLIENT_TRACKING_* flags, redirection and BCAST prefixes), held by its
 * {@link ClientSession} while tracking is on. Only the engine thread uses it.
 */
final class Tracker
{
    final ClientSession session;
    boolean bcast;
    boolean optIn;
    boolean optOut;
    boolean noLoop;
    /** CLIENT CACHING yes (OPTIN) or no (OPTOUT) was given for the next command. */
    boolean caching;
    boolean brokenRedirect;
    /** Client id invalidations go to, 0 for the client itself. */
    long redirect;
    /** BCAST prefixes, in byte order (TRACKINGINFO lists them so). */
    final List<BcastPrefix> prefixes = new ArrayList<>();

    Tracker(final ClientSession session)
    {
        this.session = session;
    }
}
