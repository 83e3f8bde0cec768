package io.ringkv.core.store;

import org.agrona.BufferUtil;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.UnsafeApi;

/**
 * Redis's eviction pool (evict.c's EVPOOL): the best eviction candidates seen so far, kept across calls, sorted by
 * score so the best victim is last. Holds copies of the keys, not entry addresses, because a candidate may be
 * deleted, moved or replaced between calls; a candidate is looked up again before it is evicted.
 * <p>
 * Nothing is allocated per call: each slot has a key buffer made when the pool is built (255 bytes, Redis's
 * EVPOOL_CACHED_SDS_SIZE) that grows only when a longer key than ever before enters that slot. Engine thread only.
 */
final class EvictionPool
{
    /** Candidates kept, as Redis's EVPOOL_SIZE. */
    static final int SIZE = 16;

    private static final int INITIAL_KEY_CAPACITY = 255;

    private final long[] scores = new long[SIZE];
    /** Each candidate's stored 32-bit hash: compared before its key bytes, so an offer rarely compares keys. */
    private final long[] hashes = new long[SIZE];
    private final int[] dbs = new int[SIZE];
    private final int[] keyLengths = new int[SIZE];
    private final ExpandableArrayBuffer[] keys = new ExpandableArrayBuffer[SIZE];
    private int size;

    EvictionPool()
    {
        for (int i = 0; i < SIZE; i++)
        {
            keys[i] = new ExpandableArrayBuffer(INITIAL_KEY_CAPACITY);
        }
    }

    int size()
    {
        return size;
    }

    void clear()
    {
        size = 0;
    }

    /**
     * Offer a sampled entry. As Redis: kept if the pool has room or it scores above the worst kept, which then
     * leaves; a key already in the pool only has its score refreshed.
     *
     * @param db    database of the entry.
     * @param entry a live entry.
     * @param score higher is a better victim.
     */
    void offer(final int db, final long entry, final long score)
    {
        final int keyLength = UnsafeApi.getInt(entry + EntryDescriptor.KEY_LENGTH_OFFSET);
        final long keyAddress = entry + EntryDescriptor.KEY_OFFSET;
        final long hash = OffHeapTable.storedHash(entry);
        final int existing = indexOf(db, entry, hash, keyLength);
        if (existing >= 0)
        {
            removeAt(existing);
        }
        int k = 0;
        while (k < size && scores[k] < score)
        {
            k++;
        }
        if (k == 0 && size == SIZE)
        {
            return;
        }
        final ExpandableArrayBuffer spare;
        if (size < SIZE)
        {
            spare = keys[size];
            System.arraycopy(scores, k, scores, k + 1, size - k);
            System.arraycopy(hashes, k, hashes, k + 1, size - k);
            System.arraycopy(dbs, k, dbs, k + 1, size - k);
            System.arraycopy(keyLengths, k, keyLengths, k + 1, size - k);
            System.arraycopy(keys, k, keys, k + 1, size - k);
            size++;
        }
        else
        {
            // Full: the worst candidate (slot 0) leaves and its buffer is reused.
            k--;
            spare = keys[0];
            System.arraycopy(scores, 1, scores, 0, k);
            System.arraycopy(hashes, 1, hashes, 0, k);
            System.arraycopy(dbs, 1, dbs, 0, k);
            System.arraycopy(keyLengths, 1, keyLengths, 0, k);
            System.arraycopy(keys, 1, keys, 0, k);
        }
        spare.checkLimit(keyLength);
        UnsafeApi.copyMemory(null, keyAddress, spare.byteArray(), BufferUtil.ARRAY_BASE_OFFSET, keyLength);
        keys[k] = spare;
        scores[k] = score;
        hashes[k] = hash;
        dbs[k] = db;
        keyLengths[k] = keyLength;
    }

    /** @return database of the best candidate; the pool must not be empty. */
    int bestDb()
    {
        return dbs[size - 1];
    }

    /** @return the best candidate's stored hash (its table finds it again without hashing the key). */
    long bestHash()
    {
        return hashes[size - 1];
    }

    /** @return length of the best candidate's key. */
    int bestKeyLength()
    {
        return keyLengths[size - 1];
    }

    /**
     * @param into wrapped around the best candidate's key bytes (valid until the pool changes).
     */
    void bestKey(final UnsafeBuffer into)
    {
        into.wrap(keys[size - 1], 0, keyLengths[size - 1]);
    }

    /** Drop the best candidate (evicted, or gone). */
    void removeBest()
    {
        size--;
    }

    private void removeAt(final int index)
    {
        final ExpandableArrayBuffer buffer = keys[index];
        final int tail = size - index - 1;
        System.arraycopy(scores, index + 1, scores, index, tail);
        System.arraycopy(hashes, index + 1, hashes, index, tail);
        System.arraycopy(dbs, index + 1, dbs, index, tail);
        System.arraycopy(keyLengths, index + 1, keyLengths, index, tail);
        System.arraycopy(keys, index + 1, keys, index, tail);
        size--;
        keys[size] = buffer;
    }

    private int indexOf(final int db, final long entry, final long hash, final int keyLength)
    {
        for (int i = 0; i < size; i++)
        {
            if (hashes[i] == hash && dbs[i] == db && keyLengths[i] == keyLength &&
                OffHeapTable.keyEquals(entry, keys[i].byteArray(), BufferUtil.ARRAY_BASE_OFFSET, keyLength))
            {
                return i;
            }
        }
        return -1;
    }
}
