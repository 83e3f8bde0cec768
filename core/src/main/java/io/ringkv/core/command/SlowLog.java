package io.ringkv.core.command;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The slow log (SLOWLOG GET/LEN/RESET): the most recent calls that took at least {@code slowlog-log-slower-than}
 * microseconds, newest first, at most {@code slowlog-max-len} of them, each with Redis 7.0's fields and argument
 * trimming: at most {@link #MAX_ARGS} arguments, the last one replaced by {@code "... (N more arguments)"}, and
 * strings over {@link #MAX_ARGUMENT_BYTES} bytes cut, with {@code "... (N more bytes)"} appended. Arguments a handler
 * redacted ({@link CommandContext#redactArgument(int)}: passwords) are logged as {@code "(redacted)"}.
 * <p>
 * The dispatcher decides with one comparison whether a call is slow ({@link CommandContext#slowCallNs()}); only a
 * slow call reaches {@link #record}, which copies the arguments (a slow call allocates its entry, as Redis does).
 * <p>
 * Only the engine thread uses it.
 */
public final class SlowLog
{
    /** Redis's SLOWLOG_ENTRY_MAX_ARGC. */
    public static final int MAX_ARGS = 32;
    /** Redis's SLOWLOG_ENTRY_MAX_STRING. */
    public static final int MAX_ARGUMENT_BYTES = 128;
    /** Redis's default slowlog-log-slower-than, in microseconds. */
    public static final long LOG_SLOWER_THAN_US_DEFAULT = 10_000;
    /** Redis's default slowlog-max-len. */
    public static final long MAX_LENGTH_DEFAULT = 128;

    private static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.US_ASCII);

    /**
     * One logged call.
     *
     * @param id            increasing from 0 since start (not reset by SLOWLOG RESET, as in Redis).
     * @param unixSeconds   when the call ran.
     * @param durationUs    how long it took on the engine thread.
     * @param arguments     the command and its arguments, trimmed.
     * @param clientAddress the client's "ip:port".
     * @param clientName    the client's name, "" when it has none.
     */
    public record Entry(long id, long unixSeconds, long durationUs, List<byte[]> arguments, String clientAddress,
        String clientName)
    {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long slowerThanUs = LOG_SLOWER_THAN_US_DEFAULT;
    private long maxLength = MAX_LENGTH_DEFAULT;
    private long nextId;

    /**
     * @param slowerThanUs log calls that take at least this many microseconds; negative: log nothing; 0: log all.
     */
    public void slowerThanUs(final long slowerThanUs)
    {
        this.slowerThanUs = slowerThanUs;
    }

    /**
     * @return the threshold in microseconds (negative when off).
     */
    public long slowerThanUs()
    {
        return slowerThanUs;
    }

    /**
     * @return the threshold in nanoseconds, {@link Long#MAX_VALUE} when the slow log is off.
     */
    long slowerThanNs()
    {
        return slowerThanUs < 0 ? Long.MAX_VALUE :
            slowerThanUs >= Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : slowerThanUs * 1000;
    }

    /**
     * @param maxLength most entries kept; the oldest are dropped at the next record (as Redis trims at push).
     */
    public void maxLength(final long maxLength)
    {
        this.maxLength = maxLength;
    }

    /**
     * Log a call if it took at least the threshold.
     *
     * @param args          the call's arguments.
     * @param redacted      bit i set: argument i is logged as "(redacted)" (arguments from 64 on are never).
     * @param session       the calling client.
     * @param unixSeconds   when it ran.
     * @param durationNs    how long it took.
     */
    void recordIfSlow(
        final CommandArgs args, final long redacted, final ClientSession session, final long unixSeconds,
        final long durationNs)
    {
        if (durationNs < slowerThanNs())
        {
            return;
        }
        entries.addFirst(new Entry(nextId++, unixSeconds, durationNs / 1000, trimmed(args, redacted),
            session.peerAddress(), session.name()));
        while (entries.size() > maxLength)
        {
            entries.removeLast();
        }
    }

    /**
     * @param args     a call's arguments.
     * @param redacted bit i set: argument i is replaced by "(redacted)".
     * @return them as the slow log keeps them (Redis's slowlogCreateEntry).
     */
    static List<byte[]> trimmed(final CommandArgs args, final long redacted)
    {
        final int count = args.count();
        final int kept = Math.min(count, MAX_ARGS);
        final List<byte[]> copies = new ArrayList<>(kept);
        final DirectBuffer buffer = args.buffer();
        for (int i = 0; i < kept; i++)
        {
            if (kept != count && i == kept - 1)
            {
                copies.add(ascii("... (" + (count - kept + 1) + " more arguments)"));
            }
            else if (i < Long.SIZE && (redacted & (1L << i)) != 0)
            {
                copies.add(REDACTED);
            }
            else
            {
                final int length = args.length(i);
                final int copied = Math.min(length, MAX_ARGUMENT_BYTES);
                final byte[] suffix = length > MAX_ARGUMENT_BYTES ?
                    ascii("... (" + (length - MAX_ARGUMENT_BYTES) + " more bytes)") : new byte[0];
                final byte[] copy = new byte[copied + suffix.length];
                buffer.getBytes(args.offset(i), copy, 0, copied);
                System.arraycopy(suffix, 0, copy, copied, suffix.length);
                copies.add(copy);
            }
        }
        return copies;
    }

    /**
     * @param count most entries wanted.
     * @return the newest {@code count} entries, newest first.
     */
    public List<Entry> newest(final long count)
    {
        final List<Entry> newest = new ArrayList<>((int)Math.min(count, entries.size()));
        final Iterator<Entry> iterator = entries.iterator();
        while (newest.size() < count && iterator.hasNext())
        {
            newest.add(iterator.next());
        }
        return newest;
    }

    /**
     * @return entries held.
     */
    public int length()
    {
        return entries.size();
    }

    /**
     * Forget every entry; ids keep increasing.
     */
    public void reset()
    {
        entries.clear();
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
