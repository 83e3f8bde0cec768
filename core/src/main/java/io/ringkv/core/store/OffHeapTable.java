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
 * Resizing never stops the world, as Redis's dict.c: {@link #startResize(long)} starts a second bucket array. Bucket
 * arrays are made of 64 KiB segments, so every costly memory operation is done a piece at a time: first the new
 * array's segments are allocated and zeroed, 16 KiB per step (inserts still go to the old array meanwhile); then
 * the old array's buckets are moved over one at a time from a rehash index, and each old segment is freed as soon
 * as the index has passed it. Zeroing or freeing a 128 MiB array at once would stall one command for tens of
 * milliseconds. Every find, insert and remove does one small step; the engine does more between commands with
 * {@link #rehash(long)}. Entries themselves never move, so an entry address stays valid for the entry's life.
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

    /** Bucket arrays are made of segments of this many buckets (64 KiB), allocated, zeroed and freed one by one. */
    static final int SEGMENT_SHIFT = 13;
    static final long SEGMENT_BUCKETS = 1L << SEGMENT_SHIFT;
    private static final long SEGMENT_MASK = SEGMENT_BUCKETS - 1;

    private static final int EMPTY_VISITS_PER_STEP = 10;
    private static final int BUCKETS_PER_BUDGET_STEP = 128;
    private static final int SEGMENTS_PER_BUDGET_STEP = 8;
    private static final long ZERO_BYTES_PER_STEP = 16 * 1024;
    private static final long ZERO_BYTES_PER_BUDGET_STEP = SEGMENTS_PER_BUDGET_STEP * SEGMENT_BUCKETS * BUCKET_LENGTH;
    private static final int RANDOM_BUCKET_TRIES = 256;

    private final KeyHashFunction hashFunction;
    private final MemoryAccount account;
    /** Where the chained records keep their hash, key length and key: an entry's or a collection element's. */
    private final int hashOffset;
    private final int keyLengthOffset;
    private final int keyOffset;
    private final long initialBuckets;

    /** Segments of the main array; during a resize, those below the rehash index may be freed (0). */
    private long[] segments0;
    private long mask0;
    private long used0;
    /** Segments of table 0 freed so far during a resize, from the start. */
    private int freedSegments0;
    /** Segments of the new array during a resize, else null. */
    private long[] segments1;
    private long mask1;
    private long used1;
    /** Segments of the new array allocated and zeroed so far. */
    private int readySegments1;
    /** Bytes zeroed so far of the segment after the ready ones (allocated once this is above 0). */
    private long zeroedBytes1;
    /** Next bucket of table 0 to move; -1 when not moving. Buckets of table 0 below it are empty or freed. */
    private long rehashIndex = -1;
    private long bucketBytes;
    private int rehashPauses;
    private long randomState;

    /**
     * @param initialBuckets buckets of a new table, rounded up to a power of two.
     * @param hashFunction   hash of key bytes; tests inject colliding ones.
     * @param account        credited with the bucket arrays' bytes.
     */
    OffHeapTable(final int initialBuckets, final KeyHashFunction hashFunction, final MemoryAccount account)
    {
        this(initialBuckets, hashFunction, account, HASH_OFFSET, KEY_LENGTH_OFFSET, KEY_OFFSET);
    }

    /**
     * A table of other chained records than entries (a collection's elements, see {@link ElementDescriptor}): each
     * starts with the 8-byte next field and keeps a 32-bit hash, a 32-bit key length and the key at these offsets.
     *
     * @param initialBuckets  buckets of a new table, rounded up to a power of two.
     * @param hashFunction    hash of key bytes.
     * @param account         credited with the bucket arrays' bytes.
     * @param hashOffset      of the record's 32-bit hash.
     * @param keyLengthOffset of the record's 32-bit key length.
     * @param keyOffset       of the record's key bytes.
     */
    OffHeapTable(
        final int initialBuckets, final KeyHashFunction hashFunction, final MemoryAccount account,
        final int hashOffset, final int keyLengthOffset, final int keyOffset)
    {
        this.hashFunction = hashFunction;
        this.account = account;
        this.hashOffset = hashOffset;
        this.keyLengthOffset = keyLengthOffset;
        this.keyOffset = keyOffset;
        this.initialBuckets = nextPowerOfTwo(Math.max(1, initialBuckets));
        this.randomState = System.nanoTime() | 1;
        allocateInitial();
    }

    /**
     * Seed the random start of {@link #sampleEntries} and {@link #randomEntry} (seeded from the clock otherwise), so
     * that a simulation of eviction gives the same result every run.
     *
     * @param seed any value.
     */
    void seedSampling(final long seed)
    {
        randomState = seed | 1;
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

    /**
     * @return the hash {@link #storeHash(long, long)} wrote into a keyspace entry (the eviction sketch's key).
     */
    static long storedHash(final long entry)
    {
        return UnsafeApi.getInt(entry + HASH_OFFSET) & HASH_MASK;
    }

    /**
     * @return the hash a record of this table keeps.
     */
    long hashOf(final long record)
    {
        return UnsafeApi.getInt(record + hashOffset) & HASH_MASK;
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
     * @return bytes of bucket segments held or committed: the old array's segments not yet freed plus, from the
     * start of a resize, the whole new array (its segments are allocated step by step, but its room is taken from
     * the memory budget at once so that the budget check that allowed the resize stays true).
     */
    long bucketBytes()
    {
        return bucketBytes;
    }

    /**
     * @return true while a resize is preparing or moving.
     */
    boolean isResizing()
    {
        return segments1 != null;
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
        final long index0 = hash & mask0;
        if (index0 >= rehashIndex)
        {
            long entry = UnsafeApi.getLong(bucket(segments0, index0));
            while (entry != 0)
            {
                if (hashOf(entry) == hash && keyMatches(entry, base, address, length))
                {
                    return entry;
                }
                entry = UnsafeApi.getLong(entry + NEXT_OFFSET);
            }
        }
        if (rehashIndex >= 0)
        {
            long entry = UnsafeApi.getLong(bucket(segments1, hash & mask1));
            while (entry != 0)
            {
                if (hashOf(entry) == hash && keyMatches(entry, base, address, length))
                {
                    return entry;
                }
                entry = UnsafeApi.getLong(entry + NEXT_OFFSET);
            }
        }
        return 0;
    }

    /**
     * Find an entry by its stored hash alone (no key to compare, no rehash step): the first entry of the chain with
     * that hash, which is the key that was filed under it unless another key of the same 32-bit hash shares the
     * chain. For the {@link AdmissionWindow}, which keeps hashes instead of keys.
     *
     * @param hash a stored hash, from {@link #hash(Object, long, int)}.
     * @return the entry's address, or 0 when none has that hash.
     */
    long findByStoredHash(final long hash)
    {
        final long index0 = hash & mask0;
        if (index0 >= rehashIndex)
        {
            long entry = UnsafeApi.getLong(bucket(segments0, index0));
            while (entry != 0)
            {
                if (hashOf(entry) == hash)
                {
                    return entry;
                }
                entry = UnsafeApi.getLong(entry + NEXT_OFFSET);
            }
        }
        if (rehashIndex >= 0)
        {
            long entry = UnsafeApi.getLong(bucket(segments1, hash & mask1));
            while (entry != 0)
            {
                if (hashOf(entry) == hash)
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
        final long hash = hashOf(entry);
        final long bucket;
        if (rehashIndex >= 0)
        {
            bucket = bucket(segments1, hash & mask1);
            used1++;
        }
        else
        {
            bucket = bucket(segments0, hash & mask0);
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
        final long hash = hashOf(entry);
        final long index0 = hash & mask0;
        if (index0 >= rehashIndex && unlink(bucket(segments0, index0), entry))
        {
            used0--;
            return true;
        }
        if (rehashIndex >= 0 && unlink(bucket(segments1, hash & mask1), entry))
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
        final long hash = hashOf(oldEntry);
        final long index0 = hash & mask0;
        if (index0 >= rehashIndex && relink(bucket(segments0, index0), oldEntry, newEntry))
        {
            return true;
        }
        return rehashIndex >= 0 && relink(bucket(segments1, hash & mask1), oldEntry, newEntry);
    }

    /**
     * @return buckets to grow to when the table is full (one entry per bucket, as Redis), else 0.
     */
    long expandTarget()
    {
        final long used = used0 + used1;
        if (segments1 != null || used < mask0 + 1 || mask0 + 1 >= MAX_BUCKETS)
        {
            return 0;
        }
        return Math.min(MAX_BUCKETS, nextPowerOfTwo(used + 1));
    }

    /**
     * @return buckets to grow to so that {@code entries} fit one per bucket, else 0 (large enough, or resizing).
     */
    long reserveTarget(final long entries)
    {
        if (segments1 != null || entries <= mask0 + 1)
        {
            return 0;
        }
        return Math.min(MAX_BUCKETS, nextPowerOfTwo(entries));
    }

    /**
     * @return buckets to shrink to when fewer than {@link #MIN_FILL_PERCENT} of them are used, else 0. The target
     * leaves the table about half full so that it does not grow again at once.
     */
    long shrinkTarget()
    {
        final long buckets = mask0 + 1;
        final long used = used0 + used1;
        if (segments1 != null || buckets <= initialBuckets || used * 100 >= buckets * MIN_FILL_PERCENT)
        {
            return 0;
        }
        final long target = Math.max(initialBuckets, nextPowerOfTwo(used * 2));
        return target < buckets ? target : 0;
    }

    /**
     * Start an incremental resize to {@code buckets} buckets. Does nothing when a resize is under way. Only the
     * segment index is allocated here; the segments themselves are allocated and zeroed one per step.
     *
     * @param buckets power of two.
     */
    void startResize(final long buckets)
    {
        if (segments1 != null || buckets == mask0 + 1)
        {
            return;
        }
        segments1 = new long[segmentCount(buckets)];
        commit(segments1.length * segmentLength(buckets));
        mask1 = buckets - 1;
        used1 = 0;
        readySegments1 = 0;
        zeroedBytes1 = 0;
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
        while (segments1 != null && rehashPauses == 0)
        {
            if (rehashIndex < 0)
            {
                prepareSegments(ZERO_BYTES_PER_BUDGET_STEP);
            }
            else
            {
                moveBuckets(
                    BUCKETS_PER_BUDGET_STEP, BUCKETS_PER_BUDGET_STEP * EMPTY_VISITS_PER_STEP, SEGMENTS_PER_BUDGET_STEP);
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                break;
            }
        }
        return segments1 != null;
    }

    /**
     * Finish any resize now. For tests and for loading, where pauses do not matter.
     */
    void completeResize()
    {
        while (segments1 != null)
        {
            if (rehashIndex < 0)
            {
                prepareSegments(Long.MAX_VALUE);
            }
            else
            {
                moveBuckets(Integer.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE);
            }
        }
    }

    /**
     * Stop finds, inserts and removes from doing resize work until {@link #resumeRehash()}: a scan step removes
     * expired entries while it walks buckets.
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
     * @return bucket positions of a table whose layout is held still ({@link #pauseRehash}): the old array's buckets
     * from the rehash index on, then, while buckets move, every bucket of the new array (as {@link #randomEntry}
     * numbers them). With the layout held still, every entry stays at one position while it lives.
     */
    long positions()
    {
        final long buckets0 = mask0 + 1 - Math.max(0, rehashIndex);
        return rehashIndex >= 0 ? buckets0 + mask1 + 1 : buckets0;
    }

    /**
     * @return the position ({@link #positions}) of the bucket a live entry of this table is chained in, with the
     * layout held still (while buckets move, an entry of a bucket not moved yet may still be new: inserts go to the
     * new array, so the old chain is checked).
     */
    long positionOf(final long entry)
    {
        final long hash = hashOf(entry);
        final long firstBucket0 = Math.max(0, rehashIndex);
        final long index0 = hash & mask0;
        if (index0 >= rehashIndex && (rehashIndex < 0 || inChain(bucket(segments0, index0), entry)))
        {
            return index0 - firstBucket0;
        }
        return mask0 + 1 - firstBucket0 + (hash & mask1);
    }

    /**
     * @return entries chained at {@code position} ({@link #positions}).
     */
    int chainLength(final long position)
    {
        final long firstBucket0 = Math.max(0, rehashIndex);
        final long buckets0 = mask0 + 1 - firstBucket0;
        int length = 0;
        for (long e = UnsafeApi.getLong(position < buckets0 ? bucket(segments0, firstBucket0 + position) :
            bucket(segments1, position - buckets0)); e != 0; e = UnsafeApi.getLong(e + NEXT_OFFSET))
        {
            length++;
        }
        return length;
    }

    private static boolean inChain(final long bucket, final long entry)
    {
        for (long e = UnsafeApi.getLong(bucket); e != 0; e = UnsafeApi.getLong(e + NEXT_OFFSET))
        {
            if (e == entry)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Visit the entries of the bucket at {@code position} ({@link #positions}), with the layout held still.
     */
    void visitPosition(final long position, final BucketVisitor visitor)
    {
        final long firstBucket0 = Math.max(0, rehashIndex);
        final long buckets0 = mask0 + 1 - firstBucket0;
        visitChain(position < buckets0 ? bucket(segments0, firstBucket0 + position) :
            bucket(segments1, position - buckets0), visitor);
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
                visitChain(bucket(segments0, v & m0), visitor);
                v = nextCursor(v, m0);
            }
            else
            {
                // Visit the small table's bucket, then every bucket of the large table that it expands to.
                final boolean smallIsOld = mask0 <= mask1;
                final long smallMask = smallIsOld ? mask0 : mask1;
                final long largeMask = smallIsOld ? mask1 : mask0;
                visitBucket(smallIsOld, v & smallMask, visitor);
                do
                {
                    visitBucket(!smallIsOld, v & largeMask, visitor);
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
     * Redis's dictGetSomeKeys: up to {@code count} entries from consecutive buckets starting at a random one, for
     * eviction's samples. Reading neighbouring buckets costs one cache miss per few buckets where {@link #randomEntry()}
     * costs one per bucket (and per empty one it skips); the keys in neighbouring buckets are as random as any,
     * since buckets follow the hash. Walks at most {@code 10 * count} buckets once it has found one entry, then
     * tops up with {@link #randomEntry()} (a sparse table), so an entry may appear twice.
     *
     * @param into  receives entry addresses.
     * @param count entries wanted, at most {@code into.length}.
     * @return entries written: {@code count}, or 0 when the table is empty.
     */
    int sampleEntries(final long[] into, final int count)
    {
        if (used0 + used1 == 0)
        {
            return 0;
        }
        final long firstBucket0 = Math.max(0, rehashIndex);
        final long buckets0 = mask0 + 1 - firstBucket0;
        final long buckets1 = rehashIndex >= 0 ? mask1 + 1 : 0;
        final long total = buckets0 + buckets1;
        final long maxSteps = 10L * count;
        long index = Long.remainderUnsigned(nextRandom(), total);
        int found = 0;
        for (long step = 0; step < total && found < count && (step < maxSteps || found == 0); step++)
        {
            for (long e = bucketHead(index, firstBucket0, buckets0); e != 0 && found < count;
                e = UnsafeApi.getLong(e + NEXT_OFFSET))
            {
                into[found++] = e;
            }
            index = index + 1 == total ? 0 : index + 1;
        }
        // A sparse table (few keys in many buckets, after deletes) may leave the walk short: top up with keys of
        // random buckets, as the sampling did before, so a sample still sees that many keys (repeats possible).
        while (found < count)
        {
            into[found++] = randomEntry();
        }
        return found;
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
     * Call {@code visitor} for every entry, in no useful order. The visitor may free the entry it is given but must
     * not otherwise change the table.
     *
     * @param visitor given each entry address.
     */
    void forEach(final BucketVisitor visitor)
    {
        for (long i = Math.max(0, rehashIndex); i <= mask0; i++)
        {
            visitChain(bucket(segments0, i), visitor);
        }
        if (rehashIndex >= 0)
        {
            for (long i = 0; i <= mask1; i++)
            {
                visitChain(bucket(segments1, i), visitor);
            }
        }
    }

    /**
     * Forget every entry (their memory is the caller's) and go back to the initial size.
     */
    void clear()
    {
        freeAllSegments();
        allocateInitial();
    }

    /**
     * Free the bucket arrays; the table is unusable afterwards.
     */
    void close()
    {
        freeAllSegments();
        segments0 = null;
    }

    private boolean keyMatches(final long record, final Object base, final long address, final int length)
    {
        return UnsafeApi.getInt(record + keyLengthOffset) == length &&
            bytesEqual(record + keyOffset, base, address, length);
    }

    static boolean keyEquals(final long entry, final Object base, final long address, final int length)
    {
        return UnsafeApi.getInt(entry + KEY_LENGTH_OFFSET) == length &&
            bytesEqual(entry + KEY_OFFSET, base, address, length);
    }

    /**
     * @return true when {@code length} bytes at absolute address {@code key} equal those at {@code base/address}.
     */
    static boolean bytesEqual(final long key, final Object base, final long address, final int length)
    {
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

    private static long bucket(final long[] segments, final long index)
    {
        return segments[(int)(index >>> SEGMENT_SHIFT)] + ((index & SEGMENT_MASK) << 3);
    }

    private static int segmentCount(final long buckets)
    {
        return (int)Math.max(1, buckets >>> SEGMENT_SHIFT);
    }

    private static long segmentLength(final long buckets)
    {
        return Math.min(buckets, SEGMENT_BUCKETS) * BUCKET_LENGTH;
    }

    private void visitBucket(final boolean oldTable, final long index, final BucketVisitor visitor)
    {
        if (oldTable)
        {
            if (index >= rehashIndex)
            {
                visitChain(bucket(segments0, index), visitor);
            }
        }
        else
        {
            visitChain(bucket(segments1, index), visitor);
        }
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
            return UnsafeApi.getLong(bucket(segments0, firstBucket0 + index));
        }
        return UnsafeApi.getLong(bucket(segments1, index - buckets0));
    }

    private long nextRandom()
    {
        randomState = XorShift.next(randomState);
        return randomState;
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
        if (segments1 != null && rehashPauses == 0)
        {
            if (rehashIndex < 0)
            {
                prepareSegments(ZERO_BYTES_PER_STEP);
            }
            else
            {
                moveBuckets(1, EMPTY_VISITS_PER_STEP, 1);
            }
        }
    }

    /**
     * Allocate the new array's segments and zero up to {@code maxBytes} of them (a quarter segment per table
     * operation: page faults and zeroing spread thin); once all are ready, start moving.
     */
    private void prepareSegments(final long maxBytes)
    {
        final long[] segments = segments1;
        final long length = segmentLength(mask1 + 1);
        long budget = maxBytes;
        while (budget > 0 && readySegments1 < segments.length)
        {
            final int index = readySegments1;
            if (segments[index] == 0)
            {
                // Already counted against the budget by startResize.
                segments[index] = UnsafeApi.allocateMemory(length);
                zeroedBytes1 = 0;
            }
            final long chunk = Math.min(budget, length - zeroedBytes1);
            UnsafeApi.setMemory(segments[index] + zeroedBytes1, chunk, (byte)0);
            zeroedBytes1 += chunk;
            budget -= chunk;
            if (zeroedBytes1 == length)
            {
                readySegments1++;
                zeroedBytes1 = 0;
            }
        }
        if (readySegments1 == segments.length)
        {
            rehashIndex = 0;
            freedSegments0 = 0;
        }
    }

    /**
     * Move up to {@code bucketsToMove} non-empty buckets of table 0 to table 1, giving up after
     * {@code maxEmptyVisits} empty buckets (as Redis's dictRehash), freeing each old segment once it is passed; when
     * table 0 holds no more entries, free up to {@code segmentsToDrain} of its remaining segments, and finish.
     */
    private void moveBuckets(final int bucketsToMove, final long maxEmptyVisits, final int segmentsToDrain)
    {
        long emptyVisits = maxEmptyVisits;
        int moved = 0;
        final long[] segments0 = this.segments0;
        final long[] segments1 = this.segments1;
        final long m1 = mask1;
        while (moved < bucketsToMove && used0 != 0)
        {
            final long bucket = bucket(segments0, rehashIndex);
            long entry = UnsafeApi.getLong(bucket);
            if (entry == 0)
            {
                advanceRehashIndex();
                if (--emptyVisits == 0)
                {
                    return;
                }
                continue;
            }
            while (entry != 0)
            {
                final long next = UnsafeApi.getLong(entry + NEXT_OFFSET);
                final long target = bucket(segments1, hashOf(entry) & m1);
                UnsafeApi.putLong(entry + NEXT_OFFSET, UnsafeApi.getLong(target));
                UnsafeApi.putLong(target, entry);
                used0--;
                used1++;
                entry = next;
            }
            UnsafeApi.putLong(bucket, 0);
            advanceRehashIndex();
            moved++;
        }
        if (used0 == 0)
        {
            drainOldSegments(segmentsToDrain);
        }
    }

    private void advanceRehashIndex()
    {
        final long index = ++rehashIndex;
        if ((index & SEGMENT_MASK) == 0)
        {
            // Every bucket of the segment just passed is empty: give its memory back now, not all at the end.
            freeSegment(segments0, freedSegments0++, segmentLength(mask0 + 1));
        }
    }

    private void drainOldSegments(final int maxSegments)
    {
        final long[] segments = segments0;
        final long length = segmentLength(mask0 + 1);
        for (int i = 0; i < maxSegments && freedSegments0 < segments.length; i++)
        {
            freeSegment(segments, freedSegments0++, length);
            rehashIndex = Math.min(mask0 + 1, (long)freedSegments0 << SEGMENT_SHIFT);
        }
        if (freedSegments0 == segments.length)
        {
            segments0 = segments1;
            mask0 = mask1;
            used0 = used1;
            segments1 = null;
            mask1 = 0;
            used1 = 0;
            readySegments1 = 0;
            freedSegments0 = 0;
            rehashIndex = -1;
        }
    }

    private void allocateInitial()
    {
        final long buckets = initialBuckets;
        final long[] segments = new long[segmentCount(buckets)];
        for (int i = 0; i < segments.length; i++)
        {
            segments[i] = allocateZeroedSegment(segmentLength(buckets));
        }
        segments0 = segments;
        mask0 = buckets - 1;
        used0 = 0;
        freedSegments0 = 0;
        segments1 = null;
        mask1 = 0;
        used1 = 0;
        readySegments1 = 0;
        rehashIndex = -1;
    }

    private void freeAllSegments()
    {
        if (segments0 != null)
        {
            final long length0 = segmentLength(mask0 + 1);
            for (int i = freedSegments0; i < segments0.length; i++)
            {
                freeSegment(segments0, i, length0);
            }
        }
        if (segments1 != null)
        {
            final long length1 = segmentLength(mask1 + 1);
            for (int i = 0; i < segments1.length; i++)
            {
                if (segments1[i] != 0)
                {
                    UnsafeApi.freeMemory(segments1[i]);
                }
            }
            commit(-segments1.length * length1);
        }
        segments1 = null;
        readySegments1 = 0;
        zeroedBytes1 = 0;
        freedSegments0 = 0;
        rehashIndex = -1;
        used0 = 0;
        used1 = 0;
    }

    private long allocateZeroedSegment(final long length)
    {
        final long segment = UnsafeApi.allocateMemory(length);
        UnsafeApi.setMemory(segment, length, (byte)0);
        commit(length);
        return segment;
    }

    private void commit(final long bytes)
    {
        bucketBytes += bytes;
        account.tableBytes += bytes;
    }

    private void freeSegment(final long[] segments, final int index, final long length)
    {
        UnsafeApi.freeMemory(segments[index]);
        segments[index] = 0;
        bucketBytes -= length;
        account.tableBytes -= length;
    }
}
