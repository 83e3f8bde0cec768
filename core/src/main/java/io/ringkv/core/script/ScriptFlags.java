package io.ringkv.core.script;

/**
 * The flags a script declares, in its {@code #!lua flags=} shebang (EVAL) or through {@code redis.register_function}
 * (functions), with Redis 7's names and their order (script.c's scripts_flags_def), which FUNCTION LIST follows.
 * <p>
 * {@link #NO_CLUSTER} and {@link #ALLOW_CROSS_SLOT_KEYS} are accepted and listed but change nothing: ringkv has no
 * cluster mode, where alone they matter in Redis. Constants only; any thread.
 */
public final class ScriptFlags
{
    /** The script never writes: it may run on a read-only replica, under OOM, and through the _RO commands. */
    public static final int NO_WRITES = 1;
    /** The script may run while memory is over maxmemory (its write commands are still refused then). */
    public static final int ALLOW_OOM = 1 << 1;
    /** The script may run on a replica whose link is down with replica-serve-stale-data no. */
    public static final int ALLOW_STALE = 1 << 2;
    /** The script refuses to run in cluster mode. */
    public static final int NO_CLUSTER = 1 << 3;
    /** The script may touch keys of several hash slots (cluster mode). */
    public static final int ALLOW_CROSS_SLOT_KEYS = 1 << 4;

    /** A flag name that is not one of Redis's; {@link #fromName} answers it. */
    public static final int UNKNOWN = -1;

    private static final String[] NAMES = {"no-writes", "allow-oom", "allow-stale", "no-cluster",
        "allow-cross-slot-keys"};

    private ScriptFlags()
    {
    }

    /**
     * @param name a flag's name as scripts write it (exact, case-sensitive, as Redis compares it).
     * @return its bit, or {@link #UNKNOWN}.
     */
    public static int fromName(final String name)
    {
        for (int i = 0; i < NAMES.length; i++)
        {
            if (NAMES[i].equals(name))
            {
                return 1 << i;
            }
        }
        return UNKNOWN;
    }

    /**
     * @param name a flag's name as redis.register_function's flags table gives it (compared ignoring case, as Redis's
     *             luaRegisterFunctionReadFlags does).
     * @return its bit, or {@link #UNKNOWN}.
     */
    public static int fromNameIgnoreCase(final String name)
    {
        for (int i = 0; i < NAMES.length; i++)
        {
            if (NAMES[i].equalsIgnoreCase(name))
            {
                return 1 << i;
            }
        }
        return UNKNOWN;
    }

    /**
     * @param flags a set of flag bits.
     * @return how many of them are set.
     */
    public static int count(final int flags)
    {
        return Integer.bitCount(flags & ((1 << NAMES.length) - 1));
    }

    /**
     * @param flags a set of flag bits.
     * @return their names in Redis's order.
     */
    public static String[] names(final int flags)
    {
        final String[] names = new String[count(flags)];
        int n = 0;
        for (int i = 0; i < NAMES.length; i++)
        {
            if ((flags & (1 << i)) != 0)
            {
                names[n++] = NAMES[i];
            }
        }
        return names;
    }
}
