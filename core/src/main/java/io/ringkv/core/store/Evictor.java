package io.ringkv.core.store;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ringkv.core.store.EntryDescriptor.ACCESS_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.EXPIRE_AT_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.EXPIRY_SLOT_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.NO_EXPIRY_SLOT;

/**
 * Redis 7's performEvictions (evict.c) for a {@link Keyspace}: while the memory in use is over the budget, pick a
 * victim by the {@link EvictionPolicy} and delete it, telling the listener (the change log writes a DEL). LRU, LFU
 * and TTL policies sample {@code maxmemory-samples} keys of each database per round into an {@link EvictionPool}
 * kept across calls and evict its best; random policies take a random key from the next database in turn.
 * {@code maxmemory-eviction-tenacity} bounds the time of one call as Redis does; what is left is finished by later
 * calls (the next denyoom command or the engine's tick). Allocates nothing. Engine thread only.
 */
final class Evictor
{
    /** Outcome: used memory is within the budget (or there is none). */
    static final int EVICT_OK = 0;
    /** Outcome: the time limit was reached while still over the budget; the command may run (Redis's RUNNING). */
    static final int EVICT_RUNNING = 1;
    /** Outcome: over the budget and nothing the policy allows is left to evict. */
    static final int EVICT_FAIL = 2;

    private final Keyspace keyspace;
    private final EvictionPool pool = new EvictionPool();
    private final AgingClimber climber = new AgingClimber();
    private final EvictionGhosts ghosts = new EvictionGhosts();
    private final UnsafeBuffer candidateKey = new UnsafeBuffer(0, 0);
    private int nextRandomDb;
    private int victimDb;
    /** Entries of one sampling batch (maxmemory-samples are taken in batches of at most this many). */
    private final long[] sampled = new long[64];
    private long randomState = 0x2545F4914F6CDD1DL;

    Evictor(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
    }

    /** Forget the candidates (the policy changed, or every key went). */
    void reset()
    {
        pool.clear();
    }

    /** Start allkeys-tinylfu's sketch aging afresh from the climber's initial recency (the policy was chosen). */
    void restartClimb()
    {
        climber.reset();
        ghosts.clear();
        applyClimb();
    }

    /**
     * allkeys-tinylfu: a key the store did not hold was stored. If it was evicted lately, the side that evicted it
     * was wrong: the climber counts it, and moves the sketch's aging every sample.
     *
     * @param hash its stored 32-bit hash.
     * @param keys keys the store holds now.
     */
    void keyInserted(final long hash, final long keys)
    {
        ghosts.ensureCapacity(keys);
        if (climber.inserted(ghosts.returned(hash), keys))
        {
            applyClimb();
        }
    }

    /** @return allkeys-tinylfu's climber's recency, 0 (remember longest) to 1 (forget fastest). */
    double climbedRecency()
    {
        return climber.recency();
    }

    private void evictedBy(final long hash, final int side)
    {
        ghosts.evicted(hash, side);
        climber.evicted(side);
    }

    private void applyClimb()
    {
        final FrequencySketch sketch = keyspace.sketch();
        if (sketch != null)
        {
            sketch.agingPeriod(climber.agingPeriod());
        }
    }

    /**
     * Evict until used memory is within the budget, the time limit of the tenacity passes, or nothing is left.
     *
     * @param policy    an evicting policy.
     * @param samples   keys sampled per database per round.
     * @param tenacity  0..100, as Redis's maxmemory-eviction-tenacity.
     * @param nowMs     current epoch ms.
     * @return {@link #EVICT_OK}, {@link #EVICT_RUNNING} or {@link #EVICT_FAIL}.
     */
    int evict(final EvictionPolicy policy, final int samples, final int tenacity, final long nowMs)
    {
        if (!keyspace.overEvictionTarget())
        {
            return EVICT_OK;
        }
        final long limitNs = timeLimitNs(tenacity);
        final long startNs = System.nanoTime();
        long evicted = 0;
        while (keyspace.overEvictionTarget())
        {
            if (!evictOne(policy, samples, nowMs))
            {
                return EVICT_FAIL;
            }
            // As Redis, look at the clock only every 16 keys.
            if ((++evicted & 15) == 0 && System.nanoTime() - startNs > limitNs)
            {
                return keyspace.overEvictionTarget() ? EVICT_RUNNING : EVICT_OK;
            }
        }
        return EVICT_OK;
    }

    /**
     * Redis's evictionTimeLimitUs: 50 us per unit of tenacity up to 10 (500 us by default), then growing 15% per
     * unit; 100 means no limit.
     */
    static long timeLimitNs(final int tenacity)
    {
        if (tenacity <= 10)
        {
            return 50_000L * tenacity;
        }
        if (tenacity < 100)
        {
            return (long)(500_000L * Math.pow(1.15, tenacity - 10));
        }
        return Long.MAX_VALUE;
    }

    private boolean evictOne(final EvictionPolicy policy, final int samples, final long nowMs)
    {
        if (policy.rank() == EvictionPolicy.Rank.RANDOM)
        {
            return evictRandom(policy.volatileOnly());
        }
        if (policy.rank() == EvictionPolicy.Rank.TINYLFU && admitOrReject(policy, samples, nowMs))
        {
            return true;
        }
        final long victim = bestVictim(policy, samples, nowMs);
        if (victim == Keyspace.NOT_FOUND)
        {
            return false;
        }
        pool.removeBest();
        if (policy.rank() == EvictionPolicy.Rank.TINYLFU)
        {
            evictedBy(OffHeapTable.storedHash(victim), EvictionGhosts.FREQUENCY);
        }
        keyspace.evict(victimDb, victim);
        return true;
    }

    /**
     * W-TinyLFU's admission, for a store that has already stored the newcomer: the oldest key that has left the
     * {@link AdmissionWindow} stays (is admitted) only if the sketch counts it strictly more often than the best
     * sampled victim, which is then evicted instead; otherwise the newcomer goes. Keys of a one-off scan are counted
     * once or twice, so they lose to any key the workload keeps coming back to.
     *
     * @return true if a key was evicted; false when no candidate has left the window (evict by sample instead).
     */
    private boolean admitOrReject(final EvictionPolicy policy, final int samples, final long nowMs)
    {
        final AdmissionWindow window = keyspace.admissionWindow();
        final FrequencySketch sketch = keyspace.sketch();
        while (window.hasCandidate(keyspace.keyCount()))
        {
            final int db = window.candidateDb();
            final long hash = window.candidateHash();
            window.removeCandidate();
            final long candidate = keyspace.table(db).findByStoredHash(hash);
            if (candidate == Keyspace.NOT_FOUND)
            {
                continue;
            }
            final long victim = bestVictim(policy, samples, nowMs);
            if (victim == Keyspace.NOT_FOUND || victim == candidate ||
                sketch.frequency(hash) <= sketch.frequency(OffHeapTable.storedHash(victim)))
            {
                evictedBy(hash, EvictionGhosts.RECENCY);
                keyspace.evict(db, candidate);
            }
            else
            {
                pool.removeBest();
                evictedBy(OffHeapTable.storedHash(victim), EvictionGhosts.FREQUENCY);
                keyspace.evict(victimDb, victim);
            }
            return true;
        }
        return false;
    }

    /**
     * Sample a round into the pool and find its best live candidate, leaving it in the pool (as its best) and its
     * database in {@link #victimDb}.
     *
     * @return the victim's entry, or {@link Keyspace#NOT_FOUND} when the policy may evict nothing.
     */
    private long bestVictim(final EvictionPolicy policy, final int samples, final long nowMs)
    {
        final boolean volatileOnly = policy.volatileOnly();
        final int databases = keyspace.databases();
        final int clock = EntryDescriptor.lruClock(nowMs);
        while (true)
        {
            long candidates = 0;
            for (int db = 0; db < databases; db++)
            {
                final long available = volatileOnly ? keyspace.expiryIndex(db).size() : keyspace.table(db).size();
                if (available == 0)
                {
                    continue;
                }
                candidates += available;
                sample(policy, db, samples, available, clock, nowMs);
            }
            if (candidates == 0)
            {
                pool.clear();
                return Keyspace.NOT_FOUND;
            }
            while (pool.size() > 0)
            {
                final int db = pool.bestDb();
                pool.bestKey(candidateKey);
                // Found again by the hash kept at sampling: the key is compared, not hashed again.
                final long entry = keyspace.table(db).find(
                    pool.bestHash(), candidateKey.byteArray(), candidateKey.addressOffset(), pool.bestKeyLength());
                if (entry != Keyspace.NOT_FOUND &&
                    (!volatileOnly || UnsafeApi.getInt(entry + EXPIRY_SLOT_OFFSET) != NO_EXPIRY_SLOT))
                {
                    victimDb = db;
                    return entry;
                }
                // A ghost: deleted, or lost its TTL, since it was sampled.
                pool.removeBest();
            }
        }
    }

    private void sample(
        final EvictionPolicy policy, final int db, final int samples, final long available, final int clock,
        final long nowMs)
    {
        final boolean volatileOnly = policy.volatileOnly();
        if (!volatileOnly)
        {
            for (int remaining = samples; remaining > 0; remaining -= sampled.length)
            {
                final int found = keyspace.table(db).sampleEntries(sampled, Math.min(remaining, sampled.length));
                for (int i = 0; i < found; i++)
                {
                    pool.offer(db, sampled[i], score(policy.rank(), sampled[i], clock));
                }
            }
            return;
        }
        final ExpiryIndex expiries = keyspace.expiryIndex(db);
        for (int i = 0; i < samples; i++)
        {
            final long entry = expiries.entryAt((int)nextRandom(available));
            if (entry == 0)
            {
                return;
            }
            pool.offer(db, entry, score(policy.rank(), entry, clock));
        }
    }

    /**
     * Higher is a better victim: idle time, 255 minus the decayed LFU counter, 15 minus the sketch's count (then
     * idle time), or nearness of expiry.
     */
    private long score(final EvictionPolicy.Rank rank, final long entry, final int clock)
    {
        final int access = UnsafeApi.getInt(entry + ACCESS_OFFSET);
        switch (rank)
        {
            case LRU:
                return idleSeconds(access, clock);
            case LFU:
                return 255 - keyspace.decayedCounter(access, clock);
            case TINYLFU:
                return (long)(FrequencySketch.MAX_COUNT -
                    keyspace.sketch().frequency(OffHeapTable.storedHash(entry))) << 32 | idleSeconds(access, clock);
            default:
                return Long.MAX_VALUE - UnsafeApi.getLong(entry + EXPIRE_AT_OFFSET);
        }
    }

    /**
     * @param access an entry's access field.
     * @param clock  the current 24-bit LRU clock.
     * @return seconds since the entry's last access, as Redis's estimateObjectIdleTime (the clock wraps after
     * 194 days).
     */
    static long idleSeconds(final int access, final int clock)
    {
        return (clock - (access >>> EntryDescriptor.LFU_BITS)) & EntryDescriptor.LRU_CLOCK_MASK;
    }

    private boolean evictRandom(final boolean volatileOnly)
    {
        final int databases = keyspace.databases();
        for (int i = 0; i < databases; i++)
        {
            final int db = nextRandomDb = (nextRandomDb + 1) % databases;
            final long available = volatileOnly ? keyspace.expiryIndex(db).size() : keyspace.table(db).size();
            if (available == 0)
            {
                continue;
            }
            final long entry = volatileOnly ?
                keyspace.expiryIndex(db).entryAt((int)nextRandom(available)) : keyspace.table(db).randomEntry();
            if (entry != 0)
            {
                keyspace.evict(db, entry);
                return true;
            }
        }
        return false;
    }

    private long nextRandom(final long bound)
    {
        randomState = XorShift.next(randomState);
        return (randomState >>> 1) % bound;
    }
}
