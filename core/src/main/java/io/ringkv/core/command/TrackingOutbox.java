package io.ringkv.core.command;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tracking messages waiting for the end of the engine's run of ring slots, one buffer per receiving connection, so
 * that a connection gets one {@link PushChannel#push} per wake-up whatever the number of keys (as Redis writes a
 * client's buffer once per event-loop iteration), and a client's own invalidations follow the replies of the batch
 * that caused them. Formats Redis's three shapes: the RESP3 push {@code >2 invalidate <keys or null>}, the RESP2
 * Pub/Sub message on {@code __redis__:invalidate}, and {@code >2 tracking-redir-broken <id>}. Only the engine thread
 * uses it.
 */
final class TrackingOutbox
{
    private static final int RETAINED_CAPACITY = 64 * 1024;
    private static final byte[] PUSH_HEADER = ascii(">2\r\n$10\r\ninvalidate\r\n");
    private static final byte[] MESSAGE_HEADER = ascii("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n");
    private static final byte[] REDIR_BROKEN_HEADER = ascii(">2\r\n$21\r\ntracking-redir-broken\r\n:");
    private static final byte[] RESP3_NULL = ascii("_\r\n");
    private static final byte[] RESP2_NULL = ascii("$-1\r\n");

    /** One connection's pending bytes. */
    private static final class Pending
    {
        final ClientSession target;
        ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        int length;

        Pending(final ClientSession target)
        {
            this.target = target;
        }
    }

    private final Long2ObjectHashMap<Pending> byTarget = new Long2ObjectHashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    private Pending current;

    /**
     * @return true when messages wait for {@link #flush}.
     */
    boolean hasPending()
    {
        return !pending.isEmpty();
    }

    /**
     * Start a message of keys to {@code target}: a push when it speaks RESP3, else a Pub/Sub message.
     */
    void begin(final ClientSession target)
    {
        select(target);
        put(target.protocolVersion() >= ClientSession.PROTOCOL_RESP3 ? PUSH_HEADER : MESSAGE_HEADER);
    }

    void arrayHeader(final int count)
    {
        putByte('*');
        putLong(count);
    }

    void bulk(final byte[] bytes, final int length)
    {
        putByte('$');
        putLong(length);
        final Pending p = current;
        p.buffer.putBytes(p.length, bytes, 0, length);
        p.length += length;
        putCrLf();
    }

    /**
     * The keys of a flush: null in the tracking client's own protocol, as Redis sends it (even to a redirect target).
     */
    void nullKeys(final ClientSession tracking)
    {
        put(tracking.protocolVersion() >= ClientSession.PROTOCOL_RESP3 ? RESP3_NULL : RESP2_NULL);
    }

    /**
     * Tell a RESP3 tracking client that its redirect target is gone.
     */
    void redirectBroken(final ClientSession tracking, final long redirect)
    {
        select(tracking);
        put(REDIR_BROKEN_HEADER);
        putLong(redirect);
    }

    /**
     * Push what each connection has pending; {@code gone} is told of each connection that could not take it.
     */
    void flush(final Consumer<ClientSession> gone)
    {
        final List<Pending> pending = this.pending;
        for (int i = 0, n = pending.size(); i < n; i++)
        {
            final Pending p = pending.get(i);
            final PushChannel channel = p.target.pushChannel();
            final int length = p.length;
            p.length = 0;
            if (p.buffer.capacity() > RETAINED_CAPACITY)
            {
                final ExpandableArrayBuffer old = p.buffer;
                p.buffer = new ExpandableArrayBuffer(256);
                if (null == channel || !channel.push(old, 0, length))
                {
                    gone.accept(p.target);
                }
                continue;
            }
            if (null == channel || !channel.push(p.buffer, 0, length))
            {
                gone.accept(p.target);
            }
        }
        pending.clear();
        current = null;
    }

    /**
     * Drop the buffers of connections that are gone (redirect targets included, which are not tracking clients).
     *
     * @param sessions finds a connected client's session by id.
     */
    void forgetGone(final java.util.function.LongFunction<ClientSession> sessions)
    {
        byTarget.values().removeIf(p -> p.length == 0 && sessions.apply(p.target.id()) != p.target);
    }

    /**
     * Drop the buffers with nothing pending (no client tracks any more).
     */
    void forgetIdle()
    {
        byTarget.values().removeIf(p -> p.length == 0);
    }

    /**
     * Drop the connection's buffer (it is gone).
     */
    void forget(final ClientSession target)
    {
        final Pending p = byTarget.remove(target.id());
        if (null != p && p.length > 0)
        {
            pending.remove(p);
        }
    }

    private void select(final ClientSession target)
    {
        Pending p = byTarget.get(target.id());
        if (null == p || p.target != target)
        {
            p = new Pending(target);
            byTarget.put(target.id(), p);
        }
        if (p.length == 0)
        {
            pending.add(p);
        }
        current = p;
    }

    private void put(final byte[] bytes)
    {
        final Pending p = current;
        p.buffer.putBytes(p.length, bytes);
        p.length += bytes.length;
    }

    private void putByte(final char c)
    {
        final Pending p = current;
        p.buffer.putByte(p.length++, (byte)c);
    }

    private void putLong(final long value)
    {
        final Pending p = current;
        p.length += p.buffer.putLongAscii(p.length, value);
        putCrLf();
    }

    private void putCrLf()
    {
        final Pending p = current;
        p.buffer.putByte(p.length++, (byte)'\r');
        p.buffer.putByte(p.length++, (byte)'\n');
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
