package io.ringkv.net.server.config;

import java.util.Locale;

/**
 * {@code client-output-buffer-limit}: for each client class (normal, replica, pubsub) a hard limit in bytes, a soft
 * limit in bytes and the seconds the soft limit may be exceeded; 0 disables a limit. Parsed and printed as Redis
 * 7.0 does ({@code normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60}); a value may name one
 * class or several, and only those change.
 * <p>
 * Written at start-up and by CONFIG SET (engine thread); read by the engine thread as it queues a connection's
 * output. The fields are volatile so that a limit set at start-up is seen by every thread.
 */
public final class OutputBufferLimits
{
    public static final int NORMAL = 0;
    public static final int REPLICA = 1;
    public static final int PUBSUB = 2;
    /** Redis's defaults. */
    public static final String DEFAULT = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

    private static final String[] NAMES = {"normal", "slave", "pubsub"};

    private final long[] hard = new long[3];
    private final long[] soft = new long[3];
    private final long[] softSeconds = new long[3];
    private volatile String text;

    public OutputBufferLimits()
    {
        final String error = set(DEFAULT);
        if (null != error)
        {
            throw new IllegalStateException(error);
        }
    }

    /**
     * @return null when applied, else Redis's reason (nothing changed then).
     */
    public String set(final String value)
    {
        final String[] words = value.trim().isEmpty() ? new String[0] : value.trim().split("\\s+");
        if (words.length % 4 != 0)
        {
            return "Wrong number of arguments in buffer limit configuration.";
        }
        final long[][] parsed = new long[words.length / 4][];
        for (int i = 0; i < words.length; i += 4)
        {
            final int limitClass = classOf(words[i]);
            if (limitClass < 0)
            {
                return "Invalid client class specified in buffer limit configuration.";
            }
            final long hardBytes = ConfigOption.parseMemory(words[i + 1]);
            final long softBytes = ConfigOption.parseMemory(words[i + 2]);
            final long seconds = parseSeconds(words[i + 3]);
            if (hardBytes < 0 || softBytes < 0 || seconds < 0)
            {
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            }
            parsed[i / 4] = new long[] {limitClass, hardBytes, softBytes, seconds};
        }
        for (final long[] limit : parsed)
        {
            final int limitClass = (int)limit[0];
            hard[limitClass] = limit[1];
            soft[limitClass] = limit[2];
            softSeconds[limitClass] = limit[3];
        }
        text = format();
        return null;
    }

    private static int classOf(final String name)
    {
        return switch (name.toLowerCase(Locale.ROOT))
        {
            case "normal" -> NORMAL;
            case "slave", "replica" -> REPLICA;
            case "pubsub" -> PUBSUB;
            default -> -1;
        };
    }

    private static long parseSeconds(final String word)
    {
        try
        {
            return Long.parseLong(word);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private String format()
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++)
        {
            if (i > 0)
            {
                out.append(' ');
            }
            out.append(NAMES[i]).append(' ').append(hard[i]).append(' ').append(soft[i]).append(' ')
                .append(softSeconds[i]);
        }
        return out.toString();
    }

    /**
     * @return every class's limits as CONFIG GET prints them.
     */
    public String text()
    {
        return text;
    }

    public long hardBytes(final int limitClass)
    {
        return hard[limitClass];
    }

    public long softBytes(final int limitClass)
    {
        return soft[limitClass];
    }

    public long softSeconds(final int limitClass)
    {
        return softSeconds[limitClass];
    }
}
