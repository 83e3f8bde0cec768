package io.ringkv.core.command;

import org.agrona.DirectBuffer;

import java.util.Arrays;
import java.util.HashMap;

/**
 * Redis's tracking table: each key a tracking client read in the default mode, with the ids of the clients that read
 * it, until the key changes (then they are told and the key is forgotten). As in Redis the table is one namespace for
 * every database: a key is the same key whatever database it was read from or changed in.
 * <p>
 * Looking up a key already tracked allocates nothing (a reused probe); remembering a new key allocates its entry,
 * and entries of invalidated keys are reused. Keys are also kept in an array, so that a random one can be evicted in
 * O(1) when the table is over {@code tracking-table-max-keys}. Only the engine thread uses it.
 */
final class TrackingTable
{
    private static final int POOL_LIMIT = 1024;

    private final HashMap<TrackedKey, TrackedKey> keys = new HashMap<>();
    private final TrackedKey probe = new TrackedKey(64);
    private TrackedKey[] all = new TrackedKey[64];
    private int count;
    private long items;
    private TrackedKey[] pool = new TrackedKey[16];
    private int pooled;

    /**
     * Remember that the client read the key.
     */
    void remember(final DirectBuffer key, final int offset, final int length, final long clientId)
    {
        TrackedKey entry = keys.get(probe.set(key, offset, length));
        if (null == entry)
        {
            entry = newEntry();
            entry.set(key, offset, length);
            keys.put(entry, entry);
            if (count == all.length)
            {
                all = Arrays.copyOf(all, count * 2);
            }
            entry.index = count;
            all[count++] = entry;
        }
        if (entry.addClient(clientId))
        {
            items++;
        }
    }

    /**
     * Forget the key and hand back its entry (the clients to tell), or null when nobody tracks it. The caller gives
     * the entry back with {@link #recycle} once done with it.
     */
    TrackedKey remove(final DirectBuffer key, final int offset, final int length)
    {
        final TrackedKey entry = keys.remove(probe.set(key, offset, length));
        if (null != entry)
        {
            unlist(entry);
        }
        return entry;
    }

    /**
     * Forget a key chosen at random (Redis's random walk when the table is full).
     */
    TrackedKey removeRandom(final long random)
    {
        if (count == 0)
        {
            return null;
        }
        final TrackedKey entry = all[(int)Long.remainderUnsigned(random, count)];
        keys.remove(entry);
        unlist(entry);
        return entry;
    }

    private void unlist(final TrackedKey entry)
    {
        items -= entry.clientCount;
        final TrackedKey last = all[--count];
        all[entry.index] = last;
        last.index = entry.index;
        all[count] = null;
    }

    void recycle(final TrackedKey entry)
    {
        entry.clientCount = 0;
        if (pooled < POOL_LIMIT && entry.bytes.length <= 1024)
        {
            if (pooled == pool.length)
            {
                pool = Arrays.copyOf(pool, pooled * 2);
            }
            pool[pooled++] = entry;
        }
    }

    private TrackedKey newEntry()
    {
        if (pooled > 0)
        {
            final TrackedKey entry = pool[--pooled];
            pool[pooled] = null;
            return entry;
        }
        return new TrackedKey(probe.length);
    }

    /**
     * Forget every key (FLUSHALL, FLUSHDB, or no client tracks any more).
     */
    void clear()
    {
        keys.clear();
        Arrays.fill(all, 0, count, null);
        count = 0;
        items = 0;
        if (all.length > 1024)
        {
            all = new TrackedKey[64];
        }
    }

    /**
     * @return keys tracked (INFO tracking_total_keys).
     */
    int size()
    {
        return count;
    }

    /**
     * @return (key, client) pairs tracked (INFO tracking_total_items).
     */
    long items()
    {
        return items;
    }
}
