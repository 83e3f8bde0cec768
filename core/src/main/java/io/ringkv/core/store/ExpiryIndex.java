package io.ringkv.core.store;

import org.agrona.UnsafeApi;

import static io.ringkv.core.store.EntryDescriptor.EXPIRY_SLOT_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.NO_EXPIRY_SLOT;

/**
 * Dense off-heap array of the addresses of one database's entries that have a TTL. Each such entry stores its slot
 * in its header, so add, remove (the last slot moves into the hole) and picking the entry at any slot are O(1).
 * The array is kept in fixed chunks so that growing it never copies it (no pause at 10 million TTL keys).
 * Not threadsafe: only the engine thread calls this.
 */
final class ExpiryIndex
{
    static final int CHUNK_SHIFT = 12;
    static final int CHUNK_ENTRIES = 1 << CHUNK_SHIFT;
    static final long CHUNK_LENGTH = (long)CHUNK_ENTRIES * Long.BYTES;

    private final MemoryAccount account;
    private long[] chunks = new long[16];
    private int chunkCount;
    private int size;

    /**
     * @param account credited with the chunks' bytes.
     */
    ExpiryIndex(final MemoryAccount account)
    {
        this.account = account;
    }

    /**
     * @return entries with a TTL.
     */
    int size()
    {
        return size;
    }

    /**
     * @return bytes of off-heap chunks.
     */
    long bytes()
    {
        return chunkCount * CHUNK_LENGTH;
    }

    /**
     * @return bytes {@link #add(long)} would newly allocate: a chunk when the last one is full, else 0.
     */
    long bytesToAdd()
    {
        return size == chunkCount * CHUNK_ENTRIES ? CHUNK_LENGTH : 0;
    }

    /**
     * Add an entry that is not in the index; records its slot in the entry.
     *
     * @param entry address.
     */
    void add(final long entry)
    {
        if (size == chunkCount * CHUNK_ENTRIES)
        {
            if (chunkCount == chunks.length)
            {
                chunks = java.util.Arrays.copyOf(chunks, chunkCount * 2);
            }
            chunks[chunkCount++] = UnsafeApi.allocateMemory(CHUNK_LENGTH);
            account.expiryIndexBytes += CHUNK_LENGTH;
        }
        final int slot = size++;
        UnsafeApi.putLong(slotAddress(slot), entry);
        UnsafeApi.putInt(entry + EXPIRY_SLOT_OFFSET, slot);
    }

    /**
     * Remove an entry that is in the index; clears its slot field.
     *
     * @param entry address.
     */
    void remove(final long entry)
    {
        final int slot = UnsafeApi.getInt(entry + EXPIRY_SLOT_OFFSET);
        final int last = --size;
        if (slot != last)
        {
            final long moved = UnsafeApi.getLong(slotAddress(last));
            UnsafeApi.putLong(slotAddress(slot), moved);
            UnsafeApi.putInt(moved + EXPIRY_SLOT_OFFSET, slot);
        }
        UnsafeApi.putInt(entry + EXPIRY_SLOT_OFFSET, NO_EXPIRY_SLOT);
        releaseSpareChunk();
    }

    /**
     * Point an entry's slot at its replacement (same key, moved to a new block).
     *
     * @param oldEntry address in the index.
     * @param newEntry address taking its slot; its slot field is set.
     */
    void replace(final long oldEntry, final long newEntry)
    {
        final int slot = UnsafeApi.getInt(oldEntry + EXPIRY_SLOT_OFFSET);
        UnsafeApi.putLong(slotAddress(slot), newEntry);
        UnsafeApi.putInt(newEntry + EXPIRY_SLOT_OFFSET, slot);
    }

    /**
     * @param slot 0 until {@link #size()}.
     * @return address of the entry in that slot.
     */
    long entryAt(final int slot)
    {
        return UnsafeApi.getLong(slotAddress(slot));
    }

    /**
     * Forget every entry and free all chunks.
     */
    void clear()
    {
        for (int i = 0; i < chunkCount; i++)
        {
            UnsafeApi.freeMemory(chunks[i]);
            account.expiryIndexBytes -= CHUNK_LENGTH;
            chunks[i] = 0;
        }
        chunkCount = 0;
        size = 0;
    }

    private long slotAddress(final int slot)
    {
        return chunks[slot >>> CHUNK_SHIFT] + (long)(slot & (CHUNK_ENTRIES - 1)) * Long.BYTES;
    }

    private void releaseSpareChunk()
    {
        // Keep one empty chunk beyond the last used one, so add/remove at a chunk boundary does not thrash.
        if (chunkCount >= 2 && size <= (chunkCount - 2) * CHUNK_ENTRIES)
        {
            UnsafeApi.freeMemory(chunks[--chunkCount]);
            account.expiryIndexBytes -= CHUNK_LENGTH;
            chunks[chunkCount] = 0;
        }
    }
}
