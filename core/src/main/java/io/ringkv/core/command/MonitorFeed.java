package io.ringkv.core.command;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.time.Instant;
import java.util.Arrays;

/**
 * MONITOR: the connections that see every executed command, and the one formatter of the line each gets, as Redis
 * 7.0's replicationFeedMonitors writes it: {@code +1339518083.107412 [0 127.0.0.1:60866] "keys" "*"}, the time in
 * microseconds, the database after the call (a SELECT shows its new database), the client's address, and each
 * argument quoted and escaped as sdscatrepr does; arguments the handler redacted
 * ({@link CommandContext#redactArgument(int)}, the slow log's mechanism) show as {@code "(redacted)"}.
 * <p>
 * The dispatcher feeds a call only when {@link #active()} (one field read per command when nobody monitors), and
 * only as Redis's call() does: commands that executed (refused ones never run; QUIT is fed), not ADMIN ones (CONFIG,
 * MONITOR, CLIENT LIST, DEBUG...; a container's subcommand by its own flags). The line is formatted once, without allocation, behind
 * the lines queued since the last {@link #flush()} (the engine flushes once per wake-up), and the queue is pushed to
 * each monitor through its {@link PushChannel}; a monitor that is gone or over its output limit is dropped. A
 * monitor's own commands reach it after their reply, through its reply (that one line allocates).
 * <p>
 * Only the engine thread uses it.
 */
public final class MonitorFeed
{
    private static final byte[] REDACTED = {'(', 'r', 'e', 'd', 'a', 'c', 't', 'e', 'd', ')'};
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    private static final long RECALIBRATE_NS = 1_000_000_000L;
    /** Queued lines are pushed once they come to this much, whatever the engine's run of slots. */
    private static final int FLUSH_THRESHOLD_BYTES = 64 * 1024;

    private final ExpandableDirectByteBuffer line = new ExpandableDirectByteBuffer(256);
    private ClientSession[] monitors = new ClientSession[0];
    private int count;
    private int pending;
    private long baseMicros;
    private long baseNs = Long.MIN_VALUE;

    /**
     * @return true while at least one connection monitors.
     */
    public boolean active()
    {
        return count > 0;
    }

    /**
     * @return connections monitoring (INFO's monitor count, tests).
     */
    public int count()
    {
        return count;
    }

    /**
     * Make the session a monitor (MONITOR). A session that already is one is left as it is.
     *
     * @return false when the session's connection cannot receive pushed bytes.
     */
    public boolean add(final ClientSession session)
    {
        final PushChannel channel = session.pushChannel();
        if (null == channel || channel.jsonLines())
        {
            return false; // monitor lines are RESP
        }
        if (session.monitor())
        {
            return true;
        }
        channel.open();
        if (count == monitors.length)
        {
            monitors = Arrays.copyOf(monitors, Math.max(4, count * 2));
        }
        monitors[count++] = session;
        session.monitor(true);
        return true;
    }

    /**
     * The session stops monitoring (RESET, or its connection is gone).
     */
    public void remove(final ClientSession session)
    {
        flush(); // what happened before RESET still reaches it
        for (int i = 0; i < count; i++)
        {
            if (monitors[i] == session)
            {
                removeAt(i);
                return;
            }
        }
    }

    private void removeAt(final int index)
    {
        monitors[index].monitor(false);
        System.arraycopy(monitors, index + 1, monitors, index, count - index - 1);
        monitors[--count] = null;
    }

    /**
     * Queue one executed call's line for every monitor; the lines go out at the next {@link #flush()}.
     *
     * @param args     the call as the client sent it.
     * @param redacted bit i set: argument i shows as "(redacted)".
     * @param session  the caller, after the call (its database).
     * @param reply    the caller's reply: a monitor's own command reaches it there, after the command's reply.
     */
    public void feed(final CommandArgs args, final long redacted, final ClientSession session, final Reply reply)
    {
        if (session.monitor())
        {
            // Its reply is not sent yet: the lines before it go first, its own line behind the reply (as Redis adds
            // both to the client's buffer), and the other monitors get the line at once.
            flush();
            final int length = format(args, redacted, session, 0);
            final byte[] text = new byte[length - 3];
            line.getBytes(1, text);
            reply.simpleString(text);
            pushToAll(session, length);
            return;
        }
        pending = format(args, redacted, session, pending);
        if (pending >= FLUSH_THRESHOLD_BYTES)
        {
            flush();
        }
    }

    /**
     * Push the queued lines to every monitor, once per engine wake-up (the engine calls it at the end of each run of
     * ring slots), so that a monitor costs one write per wake-up, not one per command, as Redis writes a client's
     * buffer once per event-loop iteration. Also before a monitor's own reply is sent, to keep the order.
     */
    public void flush()
    {
        if (pending > 0)
        {
            final int length = pending;
            pending = 0;
            pushToAll(null, length);
        }
    }

    private void pushToAll(final ClientSession except, final int length)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            final ClientSession monitor = monitors[i];
            if (monitor != except && !monitor.pushChannel().push(line, 0, length))
            {
                removeAt(i);
            }
        }
    }

    /**
     * Format one call's line (with its {@code +} and CRLF) into {@link #line()} at {@code start}.
     *
     * @return where the line ends.
     */
    int format(final CommandArgs args, final long redacted, final ClientSession session, final int start)
    {
        final ExpandableDirectByteBuffer line = this.line;
        final long micros = nowMicros();
        int at = start;
        line.putByte(at++, (byte)'+');
        at += line.putLongAscii(at, micros / 1_000_000);
        line.putByte(at++, (byte)'.');
        final long fraction = micros % 1_000_000;
        for (long scale = 100_000; scale > 0; scale /= 10)
        {
            line.putByte(at++, (byte)('0' + fraction / scale % 10));
        }
        line.putByte(at++, (byte)' ');
        line.putByte(at++, (byte)'[');
        at += line.putIntAscii(at, session.db());
        line.putByte(at++, (byte)' ');
        final String address = session.peerAddress();
        for (int i = 0; i < address.length(); i++)
        {
            line.putByte(at++, (byte)address.charAt(i));
        }
        line.putByte(at++, (byte)']');
        final DirectBuffer buffer = args.buffer();
        for (int i = 0; i < args.count(); i++)
        {
            line.putByte(at++, (byte)' ');
            if (i < Long.SIZE && (redacted & (1L << i)) != 0)
            {
                at = quoted(line, at, REDACTED);
            }
            else
            {
                at = quoted(line, at, buffer, args.offset(i), args.length(i));
            }
        }
        line.putByte(at++, (byte)'\r');
        line.putByte(at++, (byte)'\n');
        return at;
    }

    /**
     * @return the buffer {@link #format} writes into.
     */
    DirectBuffer line()
    {
        return line;
    }

    private static int quoted(final ExpandableDirectByteBuffer line, final int start, final byte[] text)
    {
        int at = start;
        line.putByte(at++, (byte)'"');
        line.putBytes(at, text);
        at += text.length;
        line.putByte(at++, (byte)'"');
        return at;
    }

    /** Redis's sdscatrepr: quoted, with C escapes for the usual controls and \xHH for other unprintable bytes. */
    private static int quoted(
        final ExpandableDirectByteBuffer line, final int start, final DirectBuffer source, final int offset,
        final int length)
    {
        int at = start;
        line.putByte(at++, (byte)'"');
        for (int i = 0; i < length; i++)
        {
            final int b = source.getByte(offset + i) & 0xFF;
            switch (b)
            {
                case '\\', '"' -> at = escape(line, at, b);
                case '\n' -> at = escape(line, at, 'n');
                case '\r' -> at = escape(line, at, 'r');
                case '\t' -> at = escape(line, at, 't');
                case 7 -> at = escape(line, at, 'a');
                case '\b' -> at = escape(line, at, 'b');
                default ->
                {
                    if (b >= 0x20 && b < 0x7F)
                    {
                        line.putByte(at++, (byte)b);
                    }
                    else
                    {
                        line.putByte(at++, (byte)'\\');
                        line.putByte(at++, (byte)'x');
                        line.putByte(at++, HEX[b >>> 4]);
                        line.putByte(at++, HEX[b & 0xF]);
                    }
                }
            }
        }
        line.putByte(at++, (byte)'"');
        return at;
    }

    private static int escape(final ExpandableDirectByteBuffer line, final int start, final int letter)
    {
        line.putByte(start, (byte)'\\');
        line.putByte(start + 1, (byte)letter);
        return start + 2;
    }

    /**
     * Wall-clock microseconds from the monotonic clock, set against the wall clock once a second (an
     * {@link Instant} a second, not one per line).
     */
    private long nowMicros()
    {
        final long nowNs = System.nanoTime();
        if (baseNs == Long.MIN_VALUE || nowNs - baseNs >= RECALIBRATE_NS)
        {
            final Instant now = Instant.now();
            baseNs = System.nanoTime();
            baseMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
            return baseMicros;
        }
        return baseMicros + (nowNs - baseNs) / 1000;
    }
}
