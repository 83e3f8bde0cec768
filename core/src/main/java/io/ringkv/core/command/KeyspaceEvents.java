package io.ringkv.core.command;

import org.agrona.DirectBuffer;

/**
 * Keyspace notifications (Redis's notify-keyspace-events): handlers call {@link #notify} where Redis calls
 * notifyKeyspaceEvent, with the event's class and Redis's event name ("hset", "lpush", "expired"...). While no
 * class is enabled (the default, as in Redis) a call costs one mask test; otherwise the event goes to the
 * {@link Sink}, which publishes it on {@code __keyspace@<db>__:<key>} and {@code __keyevent@<db>__:<event>}.
 * <p>
 * Only the engine thread uses this.
 */
public final class KeyspaceEvents
{
    /** 'g': generic commands (DEL, EXPIRE, RENAME...). */
    public static final int GENERIC = 1;
    /** '$': string commands. */
    public static final int STRING = 1 << 1;
    /** 'l': list commands. */
    public static final int LIST = 1 << 2;
    /** 's': set commands. */
    public static final int SET = 1 << 3;
    /** 'h': hash commands. */
    public static final int HASH = 1 << 4;
    /** 'z': sorted set commands. */
    public static final int ZSET = 1 << 5;
    /** 'x': a key expired. */
    public static final int EXPIRED = 1 << 6;
    /** 'e': a key was evicted under maxmemory. */
    public static final int EVICTED = 1 << 7;
    /** 't': stream commands. */
    public static final int STREAM = 1 << 8;
    /** 'm': a key miss (excluded from 'A', as in Redis). */
    public static final int KEY_MISS = 1 << 9;
    /** 'd': module key type events. */
    public static final int MODULE = 1 << 10;
    /** 'n': a new key was created (excluded from 'A', as in Redis). */
    public static final int NEW = 1 << 11;
    /** 'K': publish on the keyspace channel. */
    public static final int KEYSPACE = 1 << 12;
    /** 'E': publish on the keyevent channel. */
    public static final int KEYEVENT = 1 << 13;
    /** 'A': every class but key misses and new keys, as in Redis ("g$lshzxetd"). */
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;
    /** What CONFIG SET answers for a character that names no class (Redis's text). */
    public static final String INVALID_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

    /**
     * Where enabled events go: Pub/Sub publishes them on the keyspace and keyevent channels.
     */
    @FunctionalInterface
    public interface Sink
    {
        /**
         * Engine thread: one event that passed the mask.
         *
         * @param type   the event's class (one of the class constants).
         * @param event  Redis's event name.
         * @param db     the database of the key.
         * @param key    buffer holding the key.
         * @param offset of the key in {@code key}.
         * @param length of the key.
         */
        void publish(int type, String event, int db, DirectBuffer key, int offset, int length);
    }

    private int mask;
    private Sink sink;

    /**
     * Redis's keyspaceEventsStringToFlags: the notify-keyspace-events text as a mask; the empty text turns
     * notifications off.
     *
     * @param classes the class letters, in any order, repeats allowed.
     * @return the mask, or -1 when a character names no class.
     */
    public static int parse(final CharSequence classes)
    {
        int mask = 0;
        for (int i = 0, length = classes.length(); i < length; i++)
        {
            final int bits = classBits(classes.charAt(i));
            if (bits == 0)
            {
                return -1;
            }
            mask |= bits;
        }
        return mask;
    }

    private static int classBits(final char letter)
    {
        return switch (letter)
        {
            case 'A' -> ALL;
            case 'g' -> GENERIC;
            case '$' -> STRING;
            case 'l' -> LIST;
            case 's' -> SET;
            case 'h' -> HASH;
            case 'z' -> ZSET;
            case 'x' -> EXPIRED;
            case 'e' -> EVICTED;
            case 'K' -> KEYSPACE;
            case 'E' -> KEYEVENT;
            case 't' -> STREAM;
            case 'm' -> KEY_MISS;
            case 'd' -> MODULE;
            case 'n' -> NEW;
            default -> 0;
        };
    }

    /**
     * Redis's keyspaceEventsFlagsToString, what CONFIG GET answers: "A" for every class of 'A' (then, as in Redis
     * 7.0, 'n' is not shown though it stays on), else the classes in Redis's order; then K, E and m.
     *
     * @param mask a mask from {@link #parse}.
     * @return its canonical text.
     */
    public static String format(final int mask)
    {
        final StringBuilder text = new StringBuilder(16);
        if ((mask & ALL) == ALL)
        {
            text.append('A');
        }
        else
        {
            append(text, mask, GENERIC, 'g');
            append(text, mask, STRING, '$');
            append(text, mask, LIST, 'l');
            append(text, mask, SET, 's');
            append(text, mask, HASH, 'h');
            append(text, mask, ZSET, 'z');
            append(text, mask, EXPIRED, 'x');
            append(text, mask, EVICTED, 'e');
            append(text, mask, STREAM, 't');
            append(text, mask, MODULE, 'd');
            append(text, mask, NEW, 'n');
        }
        append(text, mask, KEYSPACE, 'K');
        append(text, mask, KEYEVENT, 'E');
        append(text, mask, KEY_MISS, 'm');
        return text.toString();
    }

    private static void append(final StringBuilder text, final int mask, final int bits, final char letter)
    {
        if ((mask & bits) != 0)
        {
            text.append(letter);
        }
    }

    /**
     * @param mask enabled classes and channels (class constants | KEYSPACE | KEYEVENT), as parsed from the
     *             notify-keyspace-events string.
     */
    public void mask(final int mask)
    {
        this.mask = mask;
    }

    /**
     * @return enabled classes and channels.
     */
    public int mask()
    {
        return mask;
    }

    /**
     * @param sink where enabled events are published.
     */
    public void sink(final Sink sink)
    {
        this.sink = sink;
    }

    /**
     * Engine thread: a handler's event, dropped unless its class is enabled and a channel (K or E) is on.
     *
     * @param type   the event's class.
     * @param event  Redis's event name (a constant: nothing is allocated here).
     * @param db     the key's database.
     * @param key    buffer holding the key.
     * @param offset of the key.
     * @param length of the key.
     */
    public void notify(
        final int type, final String event, final int db, final DirectBuffer key, final int offset, final int length)
    {
        final int mask = this.mask;
        if ((mask & type) != 0 && (mask & (KEYSPACE | KEYEVENT)) != 0 && null != sink)
        {
            sink.publish(type, event, db, key, offset, length);
        }
    }

    /**
     * Engine thread: the event of a command about its argument {@code index} (the key), in the session's database.
     *
     * @param context the running command's context.
     * @param type    the event's class.
     * @param event   Redis's event name.
     * @param args    the request.
     * @param index   the key's argument index.
     */
    public void notify(
        final CommandContext context, final int type, final String event, final CommandArgs args, final int index)
    {
        if ((mask & type) != 0)
        {
            notify(type, event, context.db(), args.buffer(), args.offset(index), args.length(index));
        }
    }
}
