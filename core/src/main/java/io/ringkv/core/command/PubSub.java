package io.ringkv.core.command;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pub/Sub with Redis 7.0's semantics: the channel, pattern and shard-channel registries, the commands (SUBSCRIBE,
 * UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB's subcommands),
 * RESP2's subscribed mode, and the delivery of keyspace notifications ({@link KeyspaceEvents.Sink}).
 * <p>
 * A message reaches a subscriber through its connection's {@link PushChannel}: it is formatted once per
 * format (RESP2, RESP3 push, JSON line) and the same bytes are pushed to every subscriber of that format, so a
 * PUBLISH allocates nothing. A subscriber whose channel refuses the bytes (gone, or over its output limit) loses
 * all its subscriptions; so does one whose connection closed, at the next tick or PUBSUB introspection
 * ({@link #sweepClosed()}).
 * <p>
 * Subscription counts in replies are Redis's: channels plus patterns for (P)SUBSCRIBE and (P)UNSUBSCRIBE, shard
 * channels for S(UN)SUBSCRIBE; {@link ClientSession#subscriptions()} holds all three (subscribed mode).
 * <p>
 * Only the engine thread uses it.
 */
public final class PubSub implements KeyspaceEvents.Sink
{
    static final String SUBSCRIBED_MODE_ERROR =
        "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";
    static final String NO_PUSH_CHANNEL = "ERR this connection cannot receive Pub/Sub messages";

    private static final byte[] SUBSCRIBE = ascii("subscribe");
    private static final byte[] UNSUBSCRIBE = ascii("unsubscribe");
    private static final byte[] PSUBSCRIBE = ascii("psubscribe");
    private static final byte[] PUNSUBSCRIBE = ascii("punsubscribe");
    private static final byte[] SSUBSCRIBE = ascii("ssubscribe");
    private static final byte[] SUNSUBSCRIBE = ascii("sunsubscribe");
    private static final byte[] KEYSPACE_PREFIX = ascii("__keyspace@");
    private static final byte[] KEYEVENT_PREFIX = ascii("__keyevent@");
    private static final byte[] DB_SUFFIX = ascii("__:");

    /** Which of a session's three subscription kinds a command deals with. */
    private static final int CHANNELS = 0;
    private static final int PATTERNS = 1;
    private static final int SHARDS = 2;

    private final ChannelTable[] tables = {new ChannelTable(), new ChannelTable(), new ChannelTable()};
    private final Map<ClientSession, Subscriptions> sessions = new IdentityHashMap<>();
    private final PubSubMessage formatter = new PubSubMessage();
    private final List<ClientSession> dropped = new ArrayList<>();
    private final ExpandableDirectByteBuffer eventChannel = new ExpandableDirectByteBuffer(128);
    private final ExpandableDirectByteBuffer eventText = new ExpandableDirectByteBuffer(32);
    private KeyspaceEvents keyspaceEvents;

    /** One session's subscriptions, in subscription order (the order unsubscribe-all replies in). */
    private static final class Subscriptions
    {
        @SuppressWarnings("unchecked")
        final LinkedHashMap<Name, ChannelSubscribers>[] kinds = new LinkedHashMap[]
            {new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>()};

        int channelsAndPatterns()
        {
            return kinds[CHANNELS].size() + kinds[PATTERNS].size();
        }

        int count(final int kind)
        {
            return kind == SHARDS ? kinds[SHARDS].size() : channelsAndPatterns();
        }

        int total()
        {
            return channelsAndPatterns() + kinds[SHARDS].size();
        }
    }

    /** A channel's or pattern's bytes as a map key (subscribing allocates; publishing does not use it). */
    private record Name(byte[] bytes)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Name name && Arrays.equals(bytes, name.bytes);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }
    }

    /**
     * @param keyspaceEvents whose mask says which channels (keyspace, keyevent) an event goes to; this becomes
     *                       its sink.
     */
    public void deliverKeyspaceEvents(final KeyspaceEvents keyspaceEvents)
    {
        this.keyspaceEvents = keyspaceEvents;
        keyspaceEvents.sink(this);
    }

    /**
     * @param table to register the subscribe commands, PUBLISH and SPUBLISH in (PUBSUB's subcommands are
     *              registered by the server, as containers are).
     */
    public static void register(final CommandTable table)
    {
        table.register("subscribe", -2, 0, (c, args, reply) -> c.pubSub().subscribe(c, args, reply, CHANNELS));
        table.register("psubscribe", -2, 0, (c, args, reply) -> c.pubSub().subscribe(c, args, reply, PATTERNS));
        table.register("ssubscribe", -2, 0, (c, args, reply) -> c.pubSub().subscribe(c, args, reply, SHARDS));
        table.register("unsubscribe", -1, 0, (c, args, reply) -> c.pubSub().unsubscribe(c, args, reply, CHANNELS));
        table.register(
            "punsubscribe", -1, 0, (c, args, reply) -> c.pubSub().unsubscribe(c, args, reply, PATTERNS));
        table.register(
            "sunsubscribe", -1, 0, (c, args, reply) -> c.pubSub().unsubscribe(c, args, reply, SHARDS));
        table.register("publish", 3, Command.FAST, (c, args, reply) -> c.pubSub().publishCommand(args, reply, false));
        table.register("spublish", 3, Command.FAST, (c, args, reply) -> c.pubSub().publishCommand(args, reply, true));
    }

    /**
     * RESP2's subscribed mode (Redis's CLIENT_PUBSUB with RESP2): only the subscribe commands, PING, QUIT and RESET
     * run. RESP3 and JSON-lines connections tell messages from replies and may run anything.
     *
     * @param name the name the refusal shows (a container's "parent|sub").
     * @return the refusal's text, or null when the command may run.
     */
    public static String subscribedModeRefusal(final ClientSession session, final String name)
    {
        if (!inSubscribedMode(session))
        {
            return null;
        }
        return switch (name)
        {
            case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "ping",
                "quit", "reset" -> null;
            default -> "ERR Can't execute '" + name + SUBSCRIBED_MODE_ERROR;
        };
    }

    /**
     * @return true when the session is in RESP2's subscribed mode: subscribed to something, over RESP2.
     */
    public static boolean inSubscribedMode(final ClientSession session)
    {
        if (session.subscriptions() == 0 || session.protocolVersion() != ClientSession.PROTOCOL_RESP2)
        {
            return false;
        }
        final PushChannel channel = session.pushChannel();
        return null == channel || !channel.jsonLines();
    }

    private void subscribe(final CommandContext context, final CommandArgs args, final Reply reply, final int kind)
    {
        final ClientSession session = context.session();
        final PushChannel channel = session.pushChannel();
        if (null == channel)
        {
            reply.error(NO_PUSH_CHANNEL);
            return;
        }
        channel.open(); // from now on its replies and its messages leave through one queue, in order
        final Subscriptions subscriptions = sessions.computeIfAbsent(session, s -> new Subscriptions());
        final byte[] verb = kind == CHANNELS ? SUBSCRIBE : kind == PATTERNS ? PSUBSCRIBE : SSUBSCRIBE;
        final boolean json = channel.jsonLines();
        if (json)
        {
            reply.arrayHeader(args.count() - 1);
        }
        final DirectBuffer buffer = args.buffer();
        for (int i = 1; i < args.count(); i++)
        {
            final int offset = args.offset(i);
            final int length = args.length(i);
            final Name name = name(buffer, offset, length);
            final LinkedHashMap<Name, ChannelSubscribers> own = subscriptions.kinds[kind];
            if (!own.containsKey(name))
            {
                final ChannelSubscribers entry = tables[kind].findOrCreate(buffer, offset, length);
                entry.add(session);
                own.put(name, entry);
            }
            session.subscriptions(subscriptions.total());
            confirm(reply, verb, buffer, offset, length, subscriptions.count(kind));
        }
    }

    private void unsubscribe(final CommandContext context, final CommandArgs args, final Reply reply, final int kind)
    {
        final ClientSession session = context.session();
        final PushChannel channel = session.pushChannel();
        final Subscriptions subscriptions = sessions.get(session);
        final byte[] verb = kind == CHANNELS ? UNSUBSCRIBE : kind == PATTERNS ? PUNSUBSCRIBE : SUNSUBSCRIBE;
        final boolean json = null != channel && channel.jsonLines();
        if (args.count() > 1)
        {
            if (json)
            {
                reply.arrayHeader(args.count() - 1);
            }
            final DirectBuffer buffer = args.buffer();
            for (int i = 1; i < args.count(); i++)
            {
                final int offset = args.offset(i);
                final int length = args.length(i);
                if (null != subscriptions)
                {
                    final ChannelSubscribers entry = subscriptions.kinds[kind].remove(name(buffer, offset, length));
                    if (null != entry)
                    {
                        leave(kind, entry, session);
                    }
                }
                confirm(reply, verb, buffer, offset, length, null == subscriptions ? 0 : subscriptions.count(kind));
            }
        }
        else
        {
            final int count = null == subscriptions ? 0 : subscriptions.kinds[kind].size();
            if (json)
            {
                reply.arrayHeader(Math.max(1, count));
            }
            if (count == 0)
            {
                // Redis answers an unsubscribe-all from nothing with one reply whose channel is null.
                reply.pushHeader(3);
                reply.bulk(verb);
                reply.nil();
                reply.integer(null == subscriptions ? 0 : subscriptions.count(kind));
            }
            else
            {
                final ChannelSubscribers[] entries =
                    subscriptions.kinds[kind].values().toArray(new ChannelSubscribers[0]);
                subscriptions.kinds[kind].clear();
                for (int i = 0; i < entries.length; i++)
                {
                    final ChannelSubscribers entry = entries[i];
                    leave(kind, entry, session);
                    // Counted as if unsubscribed one at a time, as Redis does.
                    confirm(reply, verb, entry.name(), 0, entry.nameLength(),
                        subscriptions.count(kind) + entries.length - 1 - i);
                }
            }
        }
        if (null != subscriptions)
        {
            session.subscriptions(subscriptions.total());
            if (subscriptions.total() == 0)
            {
                sessions.remove(session);
            }
        }
    }

    private static void confirm(
        final Reply reply, final byte[] verb, final DirectBuffer name, final int offset, final int length,
        final int count)
    {
        reply.pushHeader(3);
        reply.bulk(verb);
        reply.bulk(name, offset, length);
        reply.integer(count);
    }

    private void leave(final int kind, final ChannelSubscribers entry, final ClientSession session)
    {
        entry.remove(session);
        if (entry.count() == 0)
        {
            tables[kind].remove(entry);
        }
    }

    /**
     * Forget every subscription of the session without replying (RESET; its connection closed).
     */
    public void unsubscribeAll(final ClientSession session)
    {
        final Subscriptions subscriptions = sessions.remove(session);
        if (null == subscriptions)
        {
            return;
        }
        for (int kind = CHANNELS; kind <= SHARDS; kind++)
        {
            for (final ChannelSubscribers entry : subscriptions.kinds[kind].values())
            {
                leave(kind, entry, session);
            }
            subscriptions.kinds[kind].clear();
        }
        session.subscriptions(0);
    }

    /**
     * Forget the subscriptions of sessions whose connection has closed: the engine calls it on each tick, and
     * PUBSUB's introspection first, so its counts never include a gone client. O(subscribed sessions), so not on
     * SUBSCRIBE's path (10,000 clients subscribing would cost 10,000² checks).
     */
    public void sweepClosed()
    {
        if (sessions.isEmpty())
        {
            return;
        }
        for (final ClientSession session : sessions.keySet())
        {
            final PushChannel channel = session.pushChannel();
            if (null == channel || channel.closed())
            {
                dropped.add(session);
            }
        }
        dropDropped();
    }

    private void dropDropped()
    {
        for (int i = 0; i < dropped.size(); i++)
        {
            unsubscribeAll(dropped.get(i));
        }
        dropped.clear();
    }

    private void publishCommand(final CommandArgs args, final Reply reply, final boolean shard)
    {
        final DirectBuffer buffer = args.buffer();
        reply.integer(publish(
            buffer, args.offset(1), args.length(1), buffer, args.offset(2), args.length(2), shard));
    }

    /**
     * Publish a message (PUBLISH, SPUBLISH, keyspace notifications). Allocates nothing.
     *
     * @param shard true for SPUBLISH: shard-channel subscribers only, no patterns.
     * @return the number of receivers: the channel's subscribers plus, for each matching pattern, its
     * subscribers, as Redis counts them.
     */
    public int publish(
        final DirectBuffer channel, final int channelOffset, final int channelLength,
        final DirectBuffer message, final int messageOffset, final int messageLength, final boolean shard)
    {
        int receivers = 0;
        final ChannelSubscribers subscribers = tables[shard ? SHARDS : CHANNELS].find(
            channel, channelOffset, channelLength);
        if (null != subscribers)
        {
            formatter.reset();
            receivers += deliver(subscribers, shard ? PubSubMessage.SMESSAGE : PubSubMessage.MESSAGE, null, 0,
                channel, channelOffset, channelLength, message, messageOffset, messageLength);
        }
        if (!shard && tables[PATTERNS].size() > 0)
        {
            final ChannelSubscribers[] patterns = tables[PATTERNS].slots();
            for (final ChannelSubscribers pattern : patterns)
            {
                if (null != pattern && GlobPattern.matches(
                    pattern.name(), 0, pattern.nameLength(), channel, channelOffset, channelLength))
                {
                    formatter.reset();
                    receivers += deliver(pattern, PubSubMessage.PMESSAGE, pattern.name(), pattern.nameLength(),
                        channel, channelOffset, channelLength, message, messageOffset, messageLength);
                }
            }
        }
        dropDropped();
        return receivers;
    }

    private int deliver(
        final ChannelSubscribers subscribers, final byte[] kind, final DirectBuffer pattern, final int patternLength,
        final DirectBuffer channel, final int channelOffset, final int channelLength,
        final DirectBuffer message, final int messageOffset, final int messageLength)
    {
        final PubSubMessage formatter = this.formatter;
        final int count = subscribers.count();
        for (int i = 0; i < count; i++)
        {
            final ClientSession session = subscribers.session(i);
            final int format = PubSubMessage.formatOf(session);
            final int length = formatter.formatted(format, kind, pattern, patternLength,
                channel, channelOffset, channelLength, message, messageOffset, messageLength);
            if (!session.pushChannel().push(formatter.buffer(format), 0, length))
            {
                dropped.add(session); // dropped after the loop: the subscriber arrays must not change under it
            }
        }
        return count;
    }

    @Override
    public void publish(
        final int type, final String event, final int db, final DirectBuffer key, final int offset,
        final int length)
    {
        final int mask = null == keyspaceEvents ? 0 : keyspaceEvents.mask();
        final ExpandableDirectByteBuffer text = eventText;
        final int eventLength = text.putStringWithoutLengthAscii(0, event);
        if ((mask & KeyspaceEvents.KEYSPACE) != 0)
        {
            final int channelLength = eventChannel(KEYSPACE_PREFIX, db, key, offset, length);
            publish(eventChannel, 0, channelLength, text, 0, eventLength, false);
        }
        if ((mask & KeyspaceEvents.KEYEVENT) != 0)
        {
            final int channelLength = eventChannel(KEYEVENT_PREFIX, db, text, 0, eventLength);
            publish(eventChannel, 0, channelLength, key, offset, length, false);
        }
    }

    /** {@code __keyspace@<db>__:<suffix>} or {@code __keyevent@<db>__:<suffix>} into the event channel buffer. */
    private int eventChannel(
        final byte[] prefix, final int db, final DirectBuffer suffix, final int offset, final int length)
    {
        final ExpandableDirectByteBuffer out = eventChannel;
        int at = 0;
        out.putBytes(at, prefix);
        at += prefix.length;
        at += out.putIntAscii(at, db);
        out.putBytes(at, DB_SUFFIX);
        at += DB_SUFFIX.length;
        out.putBytes(at, suffix, offset, length);
        return at + length;
    }

    /**
     * PUBSUB CHANNELS / SHARDCHANNELS [pattern]: active channels matching the pattern (all without one).
     */
    public void channels(final CommandContext context, final CommandArgs args, final Reply reply, final boolean shard)
    {
        sweepClosed();
        final ChannelTable table = tables[shard ? SHARDS : CHANNELS];
        final boolean all = args.count() < 3;
        final DirectBuffer buffer = args.buffer();
        final List<ChannelSubscribers> matching = new ArrayList<>();
        table.forEach(entry ->
        {
            if (all || GlobPattern.matches(
                buffer, args.offset(2), args.length(2), entry.name(), 0, entry.nameLength()))
            {
                matching.add(entry);
            }
        });
        reply.arrayHeader(matching.size());
        for (final ChannelSubscribers entry : matching)
        {
            reply.bulk(entry.name(), 0, entry.nameLength());
        }
    }

    /**
     * PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: each channel and its subscriber count (patterns not counted).
     */
    public void numsub(final CommandContext context, final CommandArgs args, final Reply reply, final boolean shard)
    {
        sweepClosed();
        final ChannelTable table = tables[shard ? SHARDS : CHANNELS];
        final DirectBuffer buffer = args.buffer();
        reply.arrayHeader(2 * (args.count() - 2)); // an array in RESP3 too, as Redis 7.0 answers
        for (int i = 2; i < args.count(); i++)
        {
            final ChannelSubscribers entry = table.find(buffer, args.offset(i), args.length(i));
            reply.bulk(buffer, args.offset(i), args.length(i));
            reply.integer(null == entry ? 0 : entry.count());
        }
    }

    /**
     * PUBSUB NUMPAT: how many distinct patterns have subscribers.
     */
    public void numpat(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        sweepClosed();
        reply.integer(tables[PATTERNS].size());
    }

    /**
     * @return channels with at least one subscriber (INFO's pubsub_channels; tests).
     */
    public int channelCount()
    {
        return tables[CHANNELS].size();
    }

    /**
     * @return distinct patterns with at least one subscriber (INFO's pubsub_patterns; tests).
     */
    public int patternCount()
    {
        return tables[PATTERNS].size();
    }

    /**
     * @return shard channels with at least one subscriber (tests).
     */
    public int shardChannelCount()
    {
        return tables[SHARDS].size();
    }

    /**
     * @return the session's channels (CLIENT LIST's sub=).
     */
    public int channelCount(final ClientSession session)
    {
        final Subscriptions subscriptions = sessions.get(session);
        return null == subscriptions ? 0 : subscriptions.kinds[CHANNELS].size();
    }

    /**
     * @return the session's patterns (CLIENT LIST's psub=).
     */
    public int patternCount(final ClientSession session)
    {
        final Subscriptions subscriptions = sessions.get(session);
        return null == subscriptions ? 0 : subscriptions.kinds[PATTERNS].size();
    }

    /**
     * @return the session's shard channels (CLIENT LIST's ssub=).
     */
    public int shardChannelCount(final ClientSession session)
    {
        final Subscriptions subscriptions = sessions.get(session);
        return null == subscriptions ? 0 : subscriptions.kinds[SHARDS].size();
    }

    /**
     * @return sessions with at least one subscription (tests: a closed connection's are swept).
     */
    public int subscribedSessions()
    {
        return sessions.size();
    }

    private static Name name(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new Name(bytes);
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
