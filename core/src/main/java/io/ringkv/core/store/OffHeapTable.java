package io.ringkv.core.store;

import org.agrona.UnsafeApi;

import static io.ringkv.core.store.EntryDescriptor.HASH_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.KEY_LENGTH_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.KEY_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.NEXT_OFFSET;

/**
 * Chained hash table of entry addresses for one database: an off-heap array of buckets, each the head of a chain
 * threaded through the entries' next fields. It stores addresses only; entries are allocated and freed by the
 * {@link Keyspace}.
 * <p>
 * Resizing never stops the world, as Redis's dict.c: {@link #startResize(long)} allocates a second bucket array,
 * which is first zeroed a chunk at a time (inserts still go to the old array meanwhile), then the old array's
 * buckets are moved to it one at a time from a rehash index. Every find, insert and remove does one small step; the
 * engine does more between commands with {@link #rehash(long)}. Entries themselves never move, so an entry address
 * stays valid for the entry's life.
 * <p>
 * {@link #scan(long, BucketVisitor)} uses Redis's reverse-binary cursor over both arrays, so a key present for a whole
 * scan is returned at least once even when the table grows or shrinks between calls.
 * <p>
 * Not threadsafe: only the engine thread calls this.
 */
final class OffHeapTable
{
    /** Receives each entry of the buckets a scan step visits; may remove the entry it is given. */
    interface BucketVisitor
    {
        void visitEntry(long entryAddress);
    }

    /** Bytes of a bucket. */
    static final int BUCKET_LENGTH = Long.BYTES;

    /** Bits of the key hash an entry keeps. */
    static final long HASH_MASK = 0xFFFF_FFFFL;

    /** Largest bucket array: as many buckets as stored hash values. */
    static final long MAX_BUCKETS = HASH_MASK + 1;

    /** Redis's HASHTABLE_MIN_FILL: shrink when fewer than 1 in 10 buckets would be used. */
    static final int MIN_FILL_PERCENT = 10;

    private static final long ZERO_CHUNK_PER_STEP = 64 * 1024;
    private static final long ZERO_CHUNK_PER_BUDGET_STEP = 1024 * 1024;
    private static final int EMPTY_VISITS_PER_STEP = 10;
    private static final int BUCKETS_PER_BUDGET_STEP = 128;
    private static final int RANDOM_BUCKET_TRIES = 256;

    private final KeyHashFunction hashFunction;
    private final MemoryAccount account;
    private final long initialBuckets;

    private long table0;
    private long mask0;
    private long used0;
    private long table1;
    private long mask1;
    private long used1;
    /** Bytes of table1 zeroed so far while it is being prepared. */
    private long table1ZeroedBytes;
    /** Next bucket of table0 to move; -1 when not moving. */
    private long rehashIndex = -1;
    private int rehashPauses;
    private long randomState;

    /**
     * @param initialBuckets buckets of a new table, rounded up to a power of two.
     * @param hashFunction   hash of key bytes; tests inject colliding ones.
     * @param account        credited with the bucket arrays' bytes.
     */
    OffHeapTable(final int initialBuckets, final KeyHashFunction hashFunction, final MemoryAccount account)
    {
        this.hashFunction = hashFunction;
        this.account = account;
        this.initialBuckets = nextPowerOfTwo(Math.max(1, initialBuckets));
        this.randomState = System.nanoTime() | 1;
        table0 = allocateZeroedBuckets(this.initialBuckets);
        mask0 = this.initialBuckets - 1;
    }

    /**
     * @param base    array holding the key, or null for an absolute address.
     * @param address absolute address or array offset of the key.
     * @param length  bytes of key.
     * @return the hash this table files that key under: the low 32 bits of the 64-bit key hash, which is what an
     * entry stores (see {@link EntryDescriptor}), enough for 2^32 buckets.
     */
    long hash(final Object base, final long address, final int length)
    {
        return hashFunction.hash(base, address, length) & HASH_MASK;
    }

    /**
     * Write the hash from {@link #hash(Object, long, int)} into an entry.
     */
    static void storeHash(final long entry, final long hash)
    {
        UnsafeApi.putInt(entry + HASH_OFFSET, (int)hash);
    }

    static long storedHash(final long entry)
    {
        return UnsafeApi.getInt(entry + HASH_OFFSET) & HASH_MASK;
    }

    /**
     * @return entries in the table.
     */
    long size()
    {
        return used0 + used1;
    }

    /**
     * @return buckets of the main array (the old one during a resize).
     */
    long buckets()
    {
        return mask0 + 1;
    }

    /**
     * @return bytes of both bucket arrays.
     */
    long bucketBytes()
    {
        return (mask0 + 1 + (table1 == 0 ? 0 : mask1 + 1)) * BUCKET_LENGTH;
    }

    /**
     * @return true while a resize is preparing or moving.
     */
    boolean isResizing()
    {
        return table1 != 0;
    }

    /**
     * @return true while buckets are being moved to the new array (both arrays hold entries).
     */
    boolean isMoving()
    {
        return rehashIndex >= 0;
    }

    /**
     * Find the entry holding a key.
     *
     * @param hash    of the key, from {@link #hash(Object, long, int)}.
     * @param base    array holding the key, or null for an absolute address.
     * @param address absolute address or array offset of the key.
     * @param length  bytes of key.
     * @return the entry's address, or 0 when absent.
     */
    long find(final long hash, final Object base, final long address, final int length)
    {
        step();
        long entry = UnsafeApi.getLong(table0 + (hash & mask0) * BUCKET_LENGTH);
        while (entry != 0)
        {
            if (storedHash(entry) == hash && keyEquals(entry, base, address, length))
            {
                return entry;
            }
            entry = UnsafeApi.getLong(entry + NEXT_OFFSET);
        }
        if (rehashIndex >= 0)
        {
            entry = UnsafeApi.getLong(table1 + (hash & mask1) * BUCKET_LENGTH);
            while (entry != 0)
            {
                if (storedHash(entry) == hash && keyEquals(entry, base, address, length))
                {
                    return entry;
                }
                entry = UnsafeApi.getLong(entry + NEXT_OFFSET);
            }
        }
        return 0;
    }

    /**
     * Add an entry whose hash field is set and whose key is not in the table.
     *
     * @param entry address of the entry.
     */
    void insert(final long entry)
    {
        step();
        final long hash = storedHash(entry);
        final long bucket;
        if (rehashIndex >= 0)
        {
            bucket = table1 + (hash & mask1) * BUCKET_LENGTH;
            used1++;
        }
        else
        {
            bucket = table0 + (hash & mask0) * BUCKET_LENGTH;
            used0++;
        }
        UnsafeApi.putLong(entry + NEXT_OFFSET, UnsafeApi.getLong(bucket));
        UnsafeApi.putLong(bucket, entry);
    }

    /**
     * Unlink an entry from its chain. The entry's memory is the caller's to free.
     *
     * @param entry address of an entry in this table.
     * @return true if it was found and removed.
     */
    boolean remove(final long entry)
    {
        step();
        final long hash = storedHash(entry);
        if (unlink(table0 + (hash & mask0) * BUCKET_LENGTH, entry))
        {
            used0--;
            return true;
        }
        if (rehashIndex >= 0 && unlink(table1 + (hash & mask1) * BUCKET_LENGTH, entry))
        {
            used1--;
            return true;
        }
        return false;
    }

    /**
     * Put {@code newEntry} in {@code oldEntry}'s place in its chain; both hold the same key and hash.
     *
     * @param oldEntry address of an entry in this table.
     * @param newEntry address of its replacement.
     * @return true if {@code oldEntry} was found.
     */
    boolean replace(final long oldEntry, final long newEntry)
    {
        final long hash = storedHash(oldEntry);
        if (relink(table0 + (hash & mask0) * BUCKET_LENGTH, oldEntry, newEntry))
        {
            return true;
        }
        return rehashIndex >= 0 && relink(table1 + (hash & mask1) * BUCKET_LENGTH, oldEntry, newEntry);
    }

    /**
     * @return buckets to grow to when the table is full (one entry per bucket, as Redis), else 0.
     */
    long expandTarget()
    {
        final long used = used0 + used1;
        if (table1 != 0 || used < mask0 + 1 || mask0 + 1 >= MAX_BUCKETS)
        {
            return 0;
        }
        return Math.min(MAX_BUCKETS, nextPowerOfTwo(used + 1));
    }

    /**
     * @return buckets to shrink to when fewer than {@link #MIN_FILL_PERCENT} of them are used, else 0. The target
     * leaves the table about half full so that it does not grow again at once.
     */
    long shrinkTarget()
    {
        final long buckets = mask0 + 1;
        final long used = used0 + used1;
        if (table1 != 0 || buckets <= initialBuckets || used * 100 >= buckets * MIN_FILL_PERCENT)
        {
            return 0;
        }
        final long target = Math.max(initialBuckets, nextPowerOfTwo(used * 2));
        return target < buckets ? target : 0;
    }

    /**
     * Start an incremental resize to {@code buckets} buckets. Does nothing when a resize is under way.
     *
     * @param buckets power of two.
     */
    void startResize(final long buckets)
    {
        if (table1 != 0 || buckets == mask0 + 1)
        {
            return;
        }
        table1 = allocateBuckets(buckets);
        mask1 = buckets - 1;
        used1 = 0;
        table1ZeroedBytes = 0;
        rehashIndex = -1;
    }

    /**
     * Do resize work until {@code deadlineNs} (a {@link System#nanoTime()} value) passes.
     *
     * @param deadlineNs when to stop.
     * @return true if resize work remains.
     */
    boolean rehash(final long deadlineNs)
    {
        while (table1 != 0 && rehashPauses == 0)
        {
            if (rehashIndex < 0)
            {
                zeroTable1(ZERO_CHUNK_PER_BUDGET_STEP);
            }
            else
            {
                moveBuckets(BUCKETS_PER_BUDGET_STEP, BUCKETS_PER_BUDGET_STEP * EMPTY_VISITS_PER_STEP);
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                break;
            }
        }
        return table1 != 0;
    }

    /**
     * Finish any resize now. For tests and for loading, where pauses do not matter.
     */
    void completeResize()
    {
        while (table1 != 0)
        {
            if (rehashIndex < 0)
            {
                zeroTable1(Long.MAX_VALUE);
            }
            else
            {
                moveBuckets(Integer.MAX_VALUE, Long.MAX_VALUE);
            }
        }
    }

    /**
     * Stop finds, inserts and removes from moving buckets until {@link #resumeRehash()}: a scan step removes expired
     * entries while it walks buckets.
     */
    void pauseRehash()
    {
        rehashPauses++;
    }

    void resumeRehash()
    {
        rehashPauses--;
    }

    /**
     * One step of Redis's SCAN: visit the bucket(s) the cursor names and return the next cursor.
     *
     * @param cursor  0 to start, else a value this method returned.
     * @param visitor given every entry of the visited buckets; may remove the entry it is given.
     * @return next cursor, 0 when the scan is complete.
     */
    long scan(final long cursor, final BucketVisitor visitor)
    {
        long v = cursor;
        pauseRehash();
        try
        {
            if (rehashIndex < 0)
            {
                final long m0 = mask0;
                visitChain(table0 + (v & m0) * BUCKET_LENGTH, visitor);
                v = nextCursor(v, m0);
            }
            else
            {
                final long smallTable;
                final long smallMask;
                final long largeTable;
                final long largeMask;
                if (mask0 <= mask1)
                {
                    smallTable = table0;
                    smallMask = mask0;
                    largeTable = table1;
                    largeMask = mask1;
                }
                else
                {
                    smallTable = table1;
                    smallMask = mask1;
                    largeTable = table0;
                    largeMask = mask0;
                }
                visitChain(smallTable + (v & smallMask) * BUCKET_LENGTH, visitor);
                do
                {
                    visitChain(largeTable + (v & largeMask) * BUCKET_LENGTH, visitor);
                    v = nextCursor(v, largeMask);
                }
                while ((v & (smallMask ^ largeMask)) != 0);
            }
        }
        finally
        {
            resumeRehash();
        }
        return v;
    }

    /**
     * @return address of an entry chosen at random (a random non-empty bucket, then a random entry in its chain),
     * or 0 when empty.
     */
    long randomEntry()
    {
        if (used0 + used1 == 0)
        {
            return 0;
        }
        final long firstBucket0 = Math.max(0, rehashIndex);
        final long buckets0 = mask0 + 1 - firstBucket0;
        final long buckets1 = rehashIndex >= 0 ? mask1 + 1 : 0;
        final long total = buckets0 + buckets1;
        long head = 0;
        for (int i = 0; i < RANDOM_BUCKET_TRIES && head == 0; i++)
        {
            head = bucketHead(Long.remainderUnsigned(nextRandom(), total), firstBucket0, buckets0);
        }
        if (head == 0)
        {
            // Sparse table: walk from a random bucket to the next non-empty one.
            final long start = Long.remainderUnsigned(nextRandom(), total);
            for (long i = 0; i < total && head == 0; i++)
            {
                final long index = start + i;
                head = bucketHead(index < total ? index : index - total, firstBucket0, buckets0);
            }
        }
        int length = 0;
        for (long e = head; e != 0; e = UnsafeApi.getLong(e + NEXT_OFFSET))
        {
            length++;
        }
        long entry = head;
        for (long skip = Long.remainderUnsigned(nextRandom(), length); skip > 0; skip--)
        {
            entry = UnsafeApi.getLong(entry + NEXT_OFFSET);
        }
        return entry;
    }

    /**
     * Call {@code visitor} for every entry, in no useful order. The visitor must not change the table.
     *
     * @param visitor given each entry address.
     */
    void forEach(final BucketVisitor visitor)
    {
        walkTable(table0, mask0, visitor);
        if (rehashIndex >= 0)
        {
            walkTable(table1, mask1, visitor);
        }
    }

    /**
     * Forget every entry (their memory is the caller's) and go back to the initial size.
     */
    void clear()
    {
        freeBuckets(table0, mask0 + 1);
        if (table1 != 0)
        {
            freeBuckets(table1, mask1 + 1);
        }
        table1 = 0;
        mask1 = 0;
        used1 = 0;
        rehashIndex = -1;
        table1ZeroedBytes = 0;
        table0 = allocateZeroedBuckets(initialBuckets);
        mask0 = initialBuckets - 1;
        used0 = 0;
    }

    /**
     * Free the bucket arrays; the table is unusable afterwards.
     */
    void close()
    {
        freeBuckets(table0, mask0 + 1);
        if (table1 != 0)
        {
            freeBuckets(table1, mask1 + 1);
        }
        table0 = 0;
        table1 = 0;
    }

    static boolean keyEquals(final long entry, final Object base, final long address, final int length)
    {
        if (UnsafeApi.getInt(entry + KEY_LENGTH_OFFSET) != length)
        {
            return false;
        }
        final long key = entry + KEY_OFFSET;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            if (UnsafeApi.getLong(null, key + i) != UnsafeApi.getLong(base, address + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (UnsafeApi.getByte(null, key + i) != UnsafeApi.getByte(base, address + i))
            {
                return false;
            }
        }
        return true;
    }

    static long nextPowerOfTwo(final long value)
    {
        return value <= 1 ? 1 : Long.highestOneBit(value - 1) << 1;
    }

    private static long nextCursor(final long cursor, final long mask)
    {
        // Increment the bits above the mask's complement in reverse order, so buckets that split or merge on a
        // resize are visited together (Redis's reverse binary iteration).
        long v = cursor | ~mask;
        v = Long.reverse(v);
        v++;
        return Long.reverse(v);
    }

    private long bucketHead(final long index, final long firstBucket0, final long buckets0)
    {
        if (index < buckets0)
        {
            return UnsafeApi.getLong(table0 + (firstBucket0 + index) * BUCKET_LENGTH);
        }
        return UnsafeApi.getLong(table1 + (index - buckets0) * BUCKET_LENGTH);
    }

    private long nextRandom()
    {
        long x = randomState;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        randomState = x;
        return x;
    }

    private static void visitChain(final long bucket, final BucketVisitor visitor)
    {
        long entry = UnsafeApi.getLong(bucket);
        while (entry != 0)
        {
            final long next = UnsafeApi.getLong(entry + NEXT_OFFSET);
            visitor.visitEntry(entry);
            entry = next;
        }
    }

    private static void walkTable(final long table, final long mask, final BucketVisitor visitor)
    {
        for (long i = 0; i <= mask; i++)
        {
            visitChain(table + i * BUCKET_LENGTH, visitor);
        }
    }

    private static boolean unlink(final long bucket, final long entry)
    {
        long previous = 0;
        long current = UnsafeApi.getLong(bucket);
        while (current != 0)
        {
            if (current == entry)
            {
                final long next = UnsafeApi.getLong(entry + NEXT_OFFSET);
                if (previous == 0)
                {
                    UnsafeApi.putLong(bucket, next);
                }
                else
                {
                    UnsafeApi.putLong(previous + NEXT_OFFSET, next);
                }
                return true;
            }
            previous = current;
            current = UnsafeApi.getLong(current + NEXT_OFFSET);
        }
        return false;
    }

    private static boolean relink(final long bucket, final long oldEntry, final long newEntry)
    {
        long previous = 0;
        long current = UnsafeApi.getLong(bucket);
        while (current != 0)
        {
            if (current == oldEntry)
            {
                UnsafeApi.putLong(newEntry + NEXT_OFFSET, UnsafeApi.getLong(oldEntry + NEXT_OFFSET));
                if (previous == 0)
                {
                    UnsafeApi.putLong(bucket, newEntry);
                }
                else
                {
                    UnsafeApi.putLong(previous + NEXT_OFFSET, newEntry);
                }
                return true;
            }
            previous = current;
            current = UnsafeApi.getLong(current + NEXT_OFFSET);
        }
        return false;
    }

    private void step()
    {
        if (table1 != 0 && rehashPauses == 0)
        {
            if (rehashIndex < 0)
            {
                zeroTable1(ZERO_CHUNK_PER_STEP);
            }
            else
            {
                moveBuckets(1, EMPTY_VISITS_PER_STEP);
            }
        }
    }

    private void zeroTable1(final long maxBytes)
    {
        final long length = (mask1 + 1) * BUCKET_LENGTH;
        final long chunk = Math.min(maxBytes, length - table1ZeroedBytes);
        UnsafeApi.setMemory(table1 + table1ZeroedBytes, chunk, (byte)0);
        table1ZeroedBytes += chunk;
        if (table1ZeroedBytes == length)
        {
            rehashIndex = 0;
            if (used0 == 0)
            {
                finishResize();
            }
        }
    }

    private void moveBuckets(final int bucketsToMove, final long maxEmptyVisits)
    {
        long emptyVisits = maxEmptyVisits;
        int moved = 0;
        final long t0 = table0;
        final long t1 = table1;
        final long m1 = mask1;
        while (moved < bucketsToMove && used0 != 0)
        {
            final long bucket = t0 + rehashIndex * BUCKET_LENGTH;
            long entry = UnsafeApi.getLong(bucket);
            if (entry == 0)
            {
                rehashIndex++;
                if (--emptyVisits == 0)
                {
                    return;
                }
                continue;
            }
            while (entry != 0)
            {
                final long next = UnsafeApi.getLong(entry + NEXT_OFFSET);
                final long target = t1 + (storedHash(entry) & m1) * BUCKET_LENGTH;
                UnsafeApi.putLong(entry + NEXT_OFFSET, UnsafeApi.getLong(target));
                UnsafeApi.putLong(target, entry);
                used0--;
                used1++;
                entry = next;
            }
            UnsafeApi.putLong(bucket, 0);
            rehashIndex++;
            moved++;
        }
        if (used0 == 0)
        {
            finishResize();
        }
    }

    private void finishResize()
    {
        freeBuckets(table0, mask0 + 1);
        table0 = table1;
        mask0 = mask1;
        used0 = used1;
        table1 = 0;
        mask1 = 0;
        used1 = 0;
        table1ZeroedBytes = 0;
        rehashIndex = -1;
    }

    private long allocateZeroedBuckets(final long buckets)
    {
        final long table = allocateBuckets(buckets);
        UnsafeApi.setMemory(table, buckets * BUCKET_LENGTH, (byte)0);
        return table;
    }

    private long allocateBuckets(final long buckets)
    {
        final long table = UnsafeApi.allocateMemory(buckets * BUCKET_LENGTH);
        account.tableBytes += buckets * BUCKET_LENGTH;
        return table;
    }

    private void freeBuckets(final long table, final long buckets)
    {
        UnsafeApi.freeMemory(table);
        account.tableBytes -= buckets * BUCKET_LENGTH;
    }
}
