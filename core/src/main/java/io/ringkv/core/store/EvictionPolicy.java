package io.ringkv.core.store;

/**
 * Redis 7's {@code maxmemory-policy} values: which keys may be evicted (all, or only those with a TTL) and how the
 * victim is chosen (idle time, access frequency, random, nearest expiry), and ringkv's own
 * {@code allkeys-tinylfu} (a frequency sketch with an admission window, see docs/eviction.md). Immutable; any
 * thread.
 */
public enum EvictionPolicy
{
    NOEVICTION("noeviction", false, Rank.NONE),
    ALLKEYS_LRU("allkeys-lru", false, Rank.LRU),
    ALLKEYS_LFU("allkeys-lfu", false, Rank.LFU),
    ALLKEYS_RANDOM("allkeys-random", false, Rank.RANDOM),
    VOLATILE_LRU("volatile-lru", true, Rank.LRU),
    VOLATILE_LFU("volatile-lfu", true, Rank.LFU),
    VOLATILE_RANDOM("volatile-random", true, Rank.RANDOM),
    VOLATILE_TTL("volatile-ttl", true, Rank.TTL),
    ALLKEYS_TINYLFU("allkeys-tinylfu", false, Rank.TINYLFU);

    /** How a policy ranks candidates. */
    enum Rank
    {
        NONE, LRU, LFU, RANDOM, TTL, TINYLFU
    }

    private static final EvictionPolicy[] VALUES = values();

    private final String redisName;
    private final boolean volatileOnly;
    private final Rank rank;

    EvictionPolicy(final String redisName, final boolean volatileOnly, final Rank rank)
    {
        this.redisName = redisName;
        this.volatileOnly = volatileOnly;
        this.rank = rank;
    }

    /**
     * @return the name CONFIG and INFO use, e.g. "allkeys-lfu".
     */
    public String redisName()
    {
        return redisName;
    }

    /**
     * @return true when only keys with a TTL may be evicted.
     */
    public boolean volatileOnly()
    {
        return volatileOnly;
    }

    /**
     * @return true unless this is noeviction.
     */
    public boolean evicts()
    {
        return rank != Rank.NONE;
    }

    /**
     * @return true for the LFU policies (OBJECT FREQ answers, OBJECT IDLETIME refuses).
     */
    public boolean lfu()
    {
        return rank == Rank.LFU;
    }

    /**
     * @return true for allkeys-tinylfu, which keeps a frequency sketch (OBJECT FREQ answers from it).
     */
    public boolean sketched()
    {
        return rank == Rank.TINYLFU;
    }

    /**
     * @return true for the LRU, LFU and TinyLFU policies, under which Redis shares no integer objects (OBJECT
     * REFCOUNT).
     */
    public boolean ranksByAccess()
    {
        return rank == Rank.LRU || rank == Rank.LFU || rank == Rank.TINYLFU;
    }

    Rank rank()
    {
        return rank;
    }

    /**
     * @param name a policy name, case-insensitively.
     * @return the policy, or null when there is none of that name.
     */
    public static EvictionPolicy byName(final String name)
    {
        for (final EvictionPolicy policy : VALUES)
        {
            if (policy.redisName.equalsIgnoreCase(name))
            {
                return policy;
            }
        }
        return null;
    }
}
