package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.TouchedKeys;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Client-side caching (Redis 6+'s CLIENT TRACKING, tracking.c): which clients may cache which keys, and the
 * invalidation messages they get when those keys change.
 * <ul>
 * <li>Default mode: the keys a tracking client's read-only commands looked up (hits and misses) go into the
 * {@link TrackingTable}; when a key changes, each client that read it is told once and the key is forgotten.
 * OPTIN/OPTOUT with CLIENT CACHING choose which reads count.</li>
 * <li>BCAST: no reads remembered; every change of a key under a registered prefix is told, in one message per
 * prefix per engine wake-up (Redis's beforeSleep broadcast).</li>
 * <li>Changes: the keys each non-read-only command touched ({@link TouchedKeys}; it also lists keys a write command
 * only looked up, so a client may be told about a key that did not change: a refetch, never a stale cache),
 * expired and evicted keys, and flushes (a null invalidation to every tracking client). SWAPDB is told as a flush:
 * every key of two databases changed value (Redis 7.0 sends nothing, and its clients keep stale values).</li>
 * <li>Delivery: RESP3 clients get {@code >2 invalidate [keys]}; REDIRECT sends them to another client, as a push if
 * that one speaks RESP3, else as a Pub/Sub message on {@code __redis__:invalidate} when it is subscribed; a
 * redirect to a client that is gone marks the redirect broken and tells a RESP3 tracking client
 * {@code tracking-redir-broken}. Messages wait in a {@link TrackingOutbox} until the end of the engine's run of
 * slots.</li>
 * </ul>
 * The dispatcher calls in only while {@link #active()} (one field read per command while nobody tracks). Tracking
 * clients that disconnect are noticed through the session lookup (Redis's lookupClientByID) at least every
 * {@link #SWEEP_INTERVAL_NS}, and their state dropped; the table is emptied when the last tracking client goes.
 * <p>
 * Only the engine thread uses this.
 */
public final class ClientTracking
{
    /** CLIENT TRACKING option BCAST. */
    public static final int BCAST = 1;
    /** CLIENT TRACKING option OPTIN. */
    public static final int OPTIN = 1 << 1;
    /** CLIENT TRACKING option OPTOUT. */
    public static final int OPTOUT = 1 << 2;
    /** CLIENT TRACKING option NOLOOP. */
    public static final int NOLOOP = 1 << 3;
    /** Redis's default tracking-table-max-keys. */
    public static final long DEFAULT_MAX_KEYS = 1_000_000;

    static final long SWEEP_INTERVAL_NS = 100_000_000L;
    private static final int EVICTION_EFFORT = 100;

    private final Keyspace keyspace;
    private final TrackingTable table = new TrackingTable();
    private final TrackingOutbox outbox = new TrackingOutbox();
    private final Long2ObjectHashMap<Tracker> trackers = new Long2ObjectHashMap<>();
    private final TreeMap<byte[], BcastPrefix> prefixes = new TreeMap<>(Arrays::compareUnsigned);
    private final TouchedKeys.KeyVisitor rememberRead = this::rememberRead;
    private final TouchedKeys.KeyVisitor invalidateTouched = this::invalidateTouched;
    private final List<ClientSession> gone = new ArrayList<>();
    private final Consumer<ClientSession> onGone = gone::add;
    private LongFunction<ClientSession> sessions = this::trackingSession;
    private long maxKeys = DEFAULT_MAX_KEYS;
    private int evictionRounds;
    private long lastSweepNs;
    private long randomState = 0x2545F4914F6CDD1DL;
    private ClientSession reader;
    private ClientSession modifier;

    /**
     * @param keyspace whose read and touched keys commands report.
     */
    public ClientTracking(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
    }

    /**
     * @return true while at least one client tracks: only then does the dispatcher call in.
     */
    public boolean active()
    {
        return !trackers.isEmpty();
    }

    /**
     * @param sessions finds a connected client's session by id, null when it is gone (the network layer's registry).
     */
    public void sessions(final LongFunction<ClientSession> sessions)
    {
        this.sessions = sessions;
    }

    /** Without the network layer's registry (tests of core alone), the tracking clients are all there is. */
    private ClientSession trackingSession(final long id)
    {
        final Tracker tracker = trackers.get(id);
        return null == tracker ? null : tracker.session;
    }

    /**
     * @param maxKeys tracking-table-max-keys: most keys remembered, 0 for no limit.
     */
    public void maxKeys(final long maxKeys)
    {
        this.maxKeys = maxKeys;
    }

    // ---------------------------------------------------------------- CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO

    /**
     * CLIENT TRACKING ON, after its options were parsed: Redis's checks in Redis's order and texts, then enable.
     *
     * @param session  the client.
     * @param redirect client id to redirect to (already checked to exist), 0 for none.
     * @param options  {@link #BCAST} | {@link #OPTIN} | {@link #OPTOUT} | {@link #NOLOOP}.
     * @param prefix   the PREFIX arguments, in order.
     * @return the error reply, or null when tracking is on.
     */
    public String enable(final ClientSession session, final long redirect, final int options, final List<byte[]> prefix)
    {
        final boolean bcast = (options & BCAST) != 0;
        if (!bcast && !prefix.isEmpty())
        {
            return "ERR PREFIX option requires BCAST mode to be enabled";
        }
        Tracker tracker = session.tracker();
        if (null != tracker && tracker.bcast != bcast)
        {
            return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then " +
                "re-enabling it with a different mode.";
        }
        if (bcast && (options & (OPTIN | OPTOUT)) != 0)
        {
            return "ERR OPTIN and OPTOUT are not compatible with BCAST";
        }
        if ((options & OPTIN) != 0 && (options & OPTOUT) != 0)
        {
            return "ERR You can't specify both OPTIN mode and OPTOUT mode";
        }
        if (null != tracker && (((options & OPTIN) != 0 && tracker.optOut) || ((options & OPTOUT) != 0 && tracker.optIn)))
        {
            return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then " +
                "re-enabling it with a different mode.";
        }
        if (bcast)
        {
            final String collision = prefixCollision(tracker, prefix);
            if (null != collision)
            {
                return collision;
            }
        }
        if (null == tracker)
        {
            tracker = new Tracker(session);
            session.tracker(tracker);
            trackers.put(session.id(), tracker);
            final PushChannel channel = session.pushChannel();
            if (null != channel)
            {
                channel.open(); // its replies and its invalidations leave in the order they were made
            }
        }
        tracker.brokenRedirect = false;
        tracker.redirect = redirect;
        tracker.bcast = bcast;
        tracker.optIn = (options & OPTIN) != 0;
        tracker.optOut = (options & OPTOUT) != 0;
        tracker.noLoop = (options & NOLOOP) != 0;
        if (bcast)
        {
            if (prefix.isEmpty())
            {
                register(tracker, new byte[0]);
            }
            for (final byte[] p : prefix)
            {
                register(tracker, p);
            }
        }
        return null;
    }

    /** Redis's checkPrefixCollisionsOrReply: no prefix may be a prefix of another, old or new. */
    private static String prefixCollision(final Tracker tracker, final List<byte[]> prefix)
    {
        for (int i = 0; i < prefix.size(); i++)
        {
            final byte[] p = prefix.get(i);
            if (null != tracker)
            {
                for (final BcastPrefix existing : tracker.prefixes)
                {
                    if (overlaps(existing.prefix, p))
                    {
                        return "ERR Prefix '" + text(p) + "' overlaps with an existing prefix '" +
                            text(existing.prefix) + "'. Prefixes for a single client must not overlap.";
                    }
                }
            }
            for (int j = i + 1; j < prefix.size(); j++)
            {
                if (overlaps(p, prefix.get(j)))
                {
                    return "ERR Prefix '" + text(p) + "' overlaps with another provided prefix '" +
                        text(prefix.get(j)) + "'. Prefixes for a single client must not overlap.";
                }
            }
        }
        return null;
    }

    private static boolean overlaps(final byte[] a, final byte[] b)
    {
        final int length = Math.min(a.length, b.length);
        return Arrays.equals(a, 0, length, b, 0, length);
    }

    private static String text(final byte[] bytes)
    {
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private void register(final Tracker tracker, final byte[] prefix)
    {
        BcastPrefix state = prefixes.get(prefix);
        if (null == state)
        {
            state = new BcastPrefix(prefix.clone());
            prefixes.put(state.prefix, state);
        }
        if (!state.clients.contains(tracker))
        {
            state.clients.add(tracker);
            final List<BcastPrefix> own = tracker.prefixes;
            int at = 0;
            while (at < own.size() && Arrays.compareUnsigned(own.get(at).prefix, state.prefix) < 0)
            {
                at++;
            }
            own.add(at, state);
        }
    }

    /**
     * CLIENT TRACKING OFF, RESET, or the client is gone. Keys it read stay in the table until they change (as in
     * Redis), unless it was the last tracking client.
     */
    public void disable(final ClientSession session)
    {
        final Tracker tracker = session.tracker();
        if (null == tracker)
        {
            return;
        }
        for (final BcastPrefix prefix : tracker.prefixes)
        {
            prefix.clients.remove(tracker);
            if (prefix.clients.isEmpty())
            {
                prefixes.remove(prefix.prefix);
            }
        }
        session.tracker(null);
        trackers.remove(session.id());
        if (trackers.isEmpty())
        {
            table.clear();
            outbox.forgetIdle();
        }
    }

    /**
     * CLIENT CACHING YES|NO.
     *
     * @return the error reply, or null when accepted.
     */
    public String caching(final ClientSession session, final boolean yes)
    {
        final Tracker tracker = session.tracker();
        if (null == tracker)
        {
            return "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT " +
                "mode enabled";
        }
        if (yes ? !tracker.optIn : !tracker.optOut)
        {
            return yes ? "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode." :
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";
        }
        tracker.caching = true;
        return null;
    }

    /**
     * @return CLIENT GETREDIR (and CLIENT LIST's {@code redir=}): the redirect id, 0 for none, -1 when the client
     * does not track.
     */
    public long redirect(final ClientSession session)
    {
        final Tracker tracker = session.tracker();
        return null == tracker ? -1 : tracker.redirect;
    }

    /**
     * CLIENT TRACKINGINFO's reply: a map of flags (a set), redirect and prefixes.
     */
    public void info(final ClientSession session, final Reply reply)
    {
        final Tracker tracker = session.tracker();
        final List<String> flags = new ArrayList<>();
        flags.add(null == tracker ? "off" : "on");
        if (null != tracker)
        {
            if (tracker.bcast)
            {
                flags.add("bcast");
            }
            if (tracker.optIn)
            {
                flags.add("optin");
                if (tracker.caching)
                {
                    flags.add("caching-yes");
                }
            }
            if (tracker.optOut)
            {
                flags.add("optout");
                if (tracker.caching)
                {
                    flags.add("caching-no");
                }
            }
            if (tracker.noLoop)
            {
                flags.add("noloop");
            }
            if (tracker.brokenRedirect)
            {
                flags.add("broken_redirect");
            }
        }
        reply.mapHeader(3);
        reply.bulk(ascii("flags"));
        reply.setHeader(flags.size());
        for (final String flag : flags)
        {
            reply.bulk(ascii(flag));
        }
        reply.bulk(ascii("redirect"));
        reply.integer(null == tracker ? -1 : tracker.redirect);
        reply.bulk(ascii("prefixes"));
        if (null == tracker)
        {
            reply.arrayHeader(0);
            return;
        }
        reply.arrayHeader(tracker.prefixes.size());
        for (final BcastPrefix prefix : tracker.prefixes)
        {
            reply.bulk(prefix.prefix);
        }
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- the dispatcher's and the engine's calls

    /**
     * Dispatcher, while {@link #active()}, before the handler: a tracking client's read-only command has the keyspace
     * note the keys it looks up, unless OPTIN/OPTOUT and CLIENT CACHING say this read does not count.
     */
    public void beforeCommand(final ClientSession session, final Command command)
    {
        final Tracker tracker = session.tracker();
        if (null != tracker && !tracker.bcast && command.hasFlag(Command.READONLY) &&
            !((tracker.optIn && !tracker.caching) || (tracker.optOut && tracker.caching)))
        {
            keyspace.recordReads(true);
            reader = session;
        }
    }

    /**
     * Dispatcher, while {@link #active()}, after the handler: remember what a tracking client read, and tell the
     * clients that cached the keys a changing command touched.
     *
     * @param session    the caller.
     * @param command    the command it ran (CLIENT keeps a CLIENT CACHING given for the next command).
     * @param invalidate false when nothing can have changed (a handler that replied an error changes nothing).
     */
    public void afterCommand(final ClientSession session, final Command command, final boolean invalidate)
    {
        if (null != reader)
        {
            keyspace.recordReads(false);
            keyspace.readKeys().forEach(rememberRead);
            reader = null;
        }
        if (invalidate && !command.hasFlag(Command.READONLY))
        {
            final TouchedKeys touched = keyspace.touchedKeys();
            modifier = session;
            touched.forEach(invalidateTouched);
            modifier = null;
            for (int db = 0; db < keyspace.databases(); db++)
            {
                if (touched.isFlushed(db))
                {
                    invalidateAll();
                    break;
                }
            }
        }
        final Tracker tracker = session.tracker();
        // Redis's resetClient: CLIENT CACHING lasts for the next command (or transaction), and any CLIENT call keeps it.
        if (null != tracker && tracker.caching && !session.inTransaction() && !"client".equals(command.name()))
        {
            tracker.caching = false;
        }
    }

    private void rememberRead(final int db, final DirectBuffer key, final int offset, final int length)
    {
        table.remember(key, offset, length, reader.id());
    }

    private void invalidateTouched(final int db, final DirectBuffer key, final int offset, final int length)
    {
        invalidate(key, offset, length, modifier, true);
    }

    /**
     * Engine: a key expired or was evicted (the keyspace's listeners).
     */
    public void keyRemoved(final DirectBuffer key, final int offset, final int length)
    {
        if (active())
        {
            invalidate(key, offset, length, null, true);
        }
    }

    /**
     * SWAPDB: every key of two databases may hold another value now.
     */
    public void databasesSwapped()
    {
        if (active())
        {
            invalidateAll();
        }
    }

    /** Redis's trackingInvalidateKey. */
    private void invalidate(
        final DirectBuffer key, final int offset, final int length, final ClientSession modifier, final boolean bcast)
    {
        if (bcast && !prefixes.isEmpty())
        {
            noteForBroadcast(key, offset, length, modifier);
        }
        final TrackedKey entry = table.remove(key, offset, length);
        if (null != entry)
        {
            tellReaders(entry, modifier);
        }
    }

    /**
     * Send the key's invalidation to each client that read it (not to BCAST ones, which may have switched modes
     * since, nor to a NOLOOP client about its own change), then reuse the entry.
     */
    private void tellReaders(final TrackedKey entry, final ClientSession modifier)
    {
        for (int i = 0; i < entry.clientCount; i++)
        {
            final Tracker target = trackers.get(entry.clients[i]);
            if (null != target && !target.bcast && !(target.noLoop && target.session == modifier) && begin(target))
            {
                outbox.arrayHeader(1);
                outbox.bulk(entry.bytes, entry.length);
            }
        }
        table.recycle(entry);
    }

    private void noteForBroadcast(
        final DirectBuffer key, final int offset, final int length, final ClientSession modifier)
    {
        byte[] copy = null;
        for (final BcastPrefix prefix : prefixes.values())
        {
            final byte[] p = prefix.prefix;
            if (p.length > length || !startsWith(key, offset, p))
            {
                continue;
            }
            if (null == copy)
            {
                copy = new byte[length];
                key.getBytes(offset, copy);
            }
            prefix.changed.put(copy, modifier);
        }
    }

    private static boolean startsWith(final DirectBuffer key, final int offset, final byte[] prefix)
    {
        for (int i = 0; i < prefix.length; i++)
        {
            if (key.getByte(offset + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    /** Redis's trackingInvalidateKeysOnFlush: a null invalidation to every tracking client, and an empty table. */
    private void invalidateAll()
    {
        for (final Tracker tracker : trackers.values())
        {
            if (begin(tracker))
            {
                outbox.nullKeys(tracker.session);
            }
        }
        table.clear();
    }

    /**
     * Start a message for the tracker (Redis's sendTrackingMessage): to itself or its redirect target.
     *
     * @return false when nothing is to be sent (a RESP2 client without a subscribed redirect target, or a broken
     * redirect, which a RESP3 client is told about instead).
     */
    private boolean begin(final Tracker tracker)
    {
        ClientSession target = tracker.session;
        if (tracker.redirect != 0)
        {
            final ClientSession redirect = sessions.apply(tracker.redirect);
            if (null == redirect)
            {
                tracker.brokenRedirect = true;
                if (tracker.session.protocolVersion() >= ClientSession.PROTOCOL_RESP3)
                {
                    outbox.redirectBroken(tracker.session, tracker.redirect);
                }
                return false;
            }
            target = redirect;
            if (target.protocolVersion() < ClientSession.PROTOCOL_RESP3 && target.subscriptions() == 0)
            {
                return false;
            }
        }
        else if (target.protocolVersion() < ClientSession.PROTOCOL_RESP3)
        {
            return false;
        }
        outbox.begin(target);
        return true;
    }

    /**
     * Engine, at the end of each run of ring slots (Redis's beforeSleep): evict keys over tracking-table-max-keys,
     * broadcast BCAST changes, push every pending message, and drop clients that are gone. Two field reads while
     * nobody tracks.
     */
    public void flush()
    {
        if (trackers.isEmpty() && !outbox.hasPending())
        {
            return;
        }
        limitTableSize();
        broadcast();
        if (outbox.hasPending())
        {
            outbox.flush(onGone);
        }
        final long nowNs = System.nanoTime();
        if (!gone.isEmpty() || nowNs - lastSweepNs >= SWEEP_INTERVAL_NS)
        {
            lastSweepNs = nowNs;
            sweep();
        }
    }

    /** Redis's trackingLimitUsedSlots: evict random keys, with an effort that grows while the table stays over. */
    private void limitTableSize()
    {
        if (maxKeys == 0 || table.size() <= maxKeys)
        {
            evictionRounds = 0;
            return;
        }
        for (int effort = EVICTION_EFFORT * (evictionRounds + 1); effort > 0; effort--)
        {
            final TrackedKey entry = table.removeRandom(nextRandom());
            if (null == entry)
            {
                break;
            }
            tellReaders(entry, null);
            if (table.size() <= maxKeys)
            {
                evictionRounds = 0;
                return;
            }
        }
        evictionRounds++;
    }

    private long nextRandom()
    {
        long x = randomState;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        randomState = x;
        return x;
    }

    /** Redis's trackingBroadcastInvalidationMessages: one message of the changed keys per prefix and client. */
    private void broadcast()
    {
        if (prefixes.isEmpty())
        {
            return;
        }
        for (final BcastPrefix prefix : prefixes.values())
        {
            if (prefix.changed.isEmpty())
            {
                continue;
            }
            for (final Tracker tracker : prefix.clients)
            {
                int count = 0;
                for (final Map.Entry<byte[], ClientSession> key : prefix.changed.entrySet())
                {
                    count += tracker.noLoop && key.getValue() == tracker.session ? 0 : 1;
                }
                if (count == 0 || !begin(tracker))
                {
                    continue;
                }
                outbox.arrayHeader(count);
                for (final Map.Entry<byte[], ClientSession> key : prefix.changed.entrySet())
                {
                    if (!(tracker.noLoop && key.getValue() == tracker.session))
                    {
                        outbox.bulk(key.getKey(), key.getKey().length);
                    }
                }
            }
            prefix.changed.clear();
        }
    }

    /** Drop the state of tracking clients that are gone (disconnected, or over their output limit). */
    private void sweep()
    {
        for (final Tracker tracker : trackers.values())
        {
            if (sessions.apply(tracker.session.id()) != tracker.session)
            {
                gone.add(tracker.session);
            }
        }
        for (final ClientSession session : gone)
        {
            disable(session);
            outbox.forget(session);
        }
        gone.clear();
        outbox.forgetGone(sessions);
    }

    // ---------------------------------------------------------------- INFO

    /**
     * @return clients with tracking on (INFO tracking_clients).
     */
    public int clients()
    {
        return trackers.size();
    }

    /**
     * @return keys in the tracking table (INFO tracking_total_keys).
     */
    public long keys()
    {
        return table.size();
    }

    /**
     * @return (key, client) pairs in the tracking table (INFO tracking_total_items).
     */
    public long items()
    {
        return table.items();
    }

    /**
     * @return BCAST prefixes registered (INFO tracking_total_prefixes).
     */
    public int prefixes()
    {
        return prefixes.size();
    }
}
