package io.ringkv.core.store;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ringkv.core.store.EntryDescriptor.ACCESS_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.DATABASE_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.ENCODING_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.EXPIRE_AT_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.EXPIRY_SLOT_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.HEADER_LENGTH;
import static io.ringkv.core.store.EntryDescriptor.KEY_LENGTH_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.KEY_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.LFU_INIT_VALUE;
import static io.ringkv.core.store.EntryDescriptor.NEXT_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.NO_EXPIRY_SLOT;
import static io.ringkv.core.store.EntryDescriptor.TYPE_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.VALUE_LENGTH_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.entryLength;

/**
 * The off-heap store: Redis's logical databases, each an {@link OffHeapTable} of entries (see
 * {@link EntryDescriptor}) allocated from one shared {@link SlabAllocator}, with an {@link ExpiryIndex} per database,
 * lazy and active expiry, and a memory budget. The Java heap holds nothing per key.
 * <p>
 * Entry addresses stay valid until the entry is deleted, expired, replaced by {@link #put} of a value of another
 * size class, or moved by {@link #resizeValue}; both of those return the address to use from then on. Expected
 * outcomes are return codes ({@link #NOT_FOUND}, {@link #OUT_OF_MEMORY}); exceptions mean misuse.
 * <p>
 * Not threadsafe and lock-free by design: only the engine thread calls any of this.
 */
public final class Keyspace implements AutoCloseable
{
    /** Returned by lookups when the key is absent or expired; entry addresses are never 0. */
    public static final long NOT_FOUND = 0;

    /** Returned by writes that would take used memory over the budget; nothing was changed. */
    public static final long OUT_OF_MEMORY = -1;

    /** Expiry time meaning "no TTL". */
    public static final long NO_EXPIRY = 0;

    /** Keys with a TTL sampled per loop of the active expiry cycle, as Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP. */
    public static final int ACTIVE_EXPIRE_KEYS_PER_LOOP = 20;

    /** The cycle keeps sampling a database while more than this percentage of a sample had expired. */
    public static final int ACTIVE_EXPIRE_ACCEPTABLE_STALE_PERCENT = 10;

    private static final ExpiredKeyListener NO_LISTENER = (db, key, keyOffset, keyLength) -> {};

    private final int databases;
    private long maxMemoryBytes;
    private long usedMemoryPeakBytes;
    private final int maxValueLength;
    private final CollectionLimits collectionLimits;
    /** Keys sampled for {@link #averageTtlMs(int, long)}. */
    static final int AVG_TTL_SAMPLES = 64;

    private final SlabAllocator allocator;
    private final OffHeapTable[] tables;
    private final ExpiryIndex[] expiries;
    private final int[] expireCursors;
    private final UnsafeBuffer removedKey = new UnsafeBuffer(0, 0);
    private final ScanFilter scanFilter = new ScanFilter();
    private final EntryRelease entryRelease = new EntryRelease();
    private final MemoryStats memoryStats = new MemoryStats();
    private final MemoryAccount account = new MemoryAccount();
    private ExpiredKeyListener expiredKeyListener = NO_LISTENER;
    private final SnapshotScan snapshotScan = new SnapshotScan();
    private SnapshotListener snapshot;
    private int snapshotPhase;
    private boolean writeAccess;
    private final TouchedKeys touchedKeys;
    private boolean trackTouched;
    private final TouchedKeys readKeys;
    private boolean recordReads;
    /** A write was refused for memory and nothing has been freed since: denyoom commands are refused. */
    private boolean memoryFull;
    private boolean replicaExpiry;
    private boolean expiryExempt;
    private boolean countLookups;
    private long keyspaceHits;
    private long keyspaceMisses;
    private long expiredKeys;
    private long evictedKeys;
    private ExpiredKeyListener evictedKeyListener = NO_LISTENER;
    private ExpiredKeyListener createdKeyListener = NO_LISTENER;
    private KeyCreationListener keyCreationListener;
    private final Evictor evictor = new Evictor(this);
    private final ElementTables elementTables;
    private final Quicklists quicklists;
    /** How the delete under way treats a large value: freed at once (DEL), later (UNLINK, expiry, eviction), kept. */
    private int valueRelease = VALUE_FREED;
    private static final int VALUE_FREED = 0;
    private static final int VALUE_FREED_LATER = 1;
    private static final int VALUE_KEPT = 2;
    private EvictionPolicy evictionPolicy = EvictionPolicy.NOEVICTION;
    private int evictionSamples = 5;
    private int evictionTenacity = 10;
    private int lfuLogFactor = 10;
    private int lfuDecayTime = 1;
    /** allkeys-tinylfu's access counts; null under every other policy, so they pay one null check per access. */
    private FrequencySketch sketch;
    private final AdmissionWindow admissionWindow = new AdmissionWindow();
    private int nextExpireDb;
    private int nextRehashDb;
    private long keyValueBytes;
    private long keys;
    /** Latest time a caller gave; stamps the LRU clock of entries created by put, which takes no time. */
    private long clockMs;
    private long randomState = 0x9E3779B97F4A7C15L;

    /**
     * @param config settings; validated here.
     */
    public Keyspace(final StoreConfig config)
    {
        this(config, KeyHash.INSTANCE);
    }

    /**
     * @param config       settings; validated here.
     * @param hashFunction hash of key bytes; tests inject colliding ones.
     */
    Keyspace(final StoreConfig config, final KeyHashFunction hashFunction)
    {
        config.validate();
        databases = config.databases();
        maxMemoryBytes = config.maxMemoryBytes();
        maxValueLength = config.maxValueLength();
        collectionLimits = new CollectionLimits(maxValueLength);
        allocator = new SlabAllocator(config.pageSizeBytes());
        tables = new OffHeapTable[databases];
        expiries = new ExpiryIndex[databases];
        expireCursors = new int[databases];
        touchedKeys = new TouchedKeys(databases);
        readKeys = new TouchedKeys(databases);
        elementTables = new ElementTables(this, allocator, account, hashFunction);
        quicklists = new Quicklists(this, allocator);
        for (int db = 0; db < databases; db++)
        {
            tables[db] = new OffHeapTable(config.initialBuckets(), hashFunction, account);
            expiries[db] = new ExpiryIndex(account);
        }
    }

    /**
     * @param listener told about each expired key before it is removed; null for none.
     */
    public void expiredKeyListener(final ExpiredKeyListener listener)
    {
        expiredKeyListener = listener == null ? NO_LISTENER : listener;
    }

    /**
     * @param listener told about each key evicted for the memory budget, before it is removed (the change log
     *                 writes it as a DEL); null for none.
     */
    public void evictedKeyListener(final ExpiredKeyListener listener)
    {
        evictedKeyListener = listener == null ? NO_LISTENER : listener;
    }

    /**
     * @param listener told about each key {@link #put} creates (not one it replaces), once the entry exists and
     *                 before its value is filled in (keyspace notifications' "new" event); null for none.
     */
    public void createdKeyListener(final ExpiredKeyListener listener)
    {
        createdKeyListener = listener == null ? NO_LISTENER : listener;
    }

    /**
     * @param listener told when {@link #put} creates a list or sorted set key, or turns a key into one (blocking
     *                 commands wait for that); null for none.
     */
    public void keyCreationListener(final KeyCreationListener listener)
    {
        keyCreationListener = listener;
    }

    /**
     * Tell the store the engine's current time (as Redis caches mstime per command). It stamps the LRU clock of
     * entries created by {@link #put}, which takes no time argument; every method that takes {@code nowMs} also
     * updates it. Call it once per batch so write-only workloads stamp fresh entries correctly.
     *
     * @param nowMs current epoch ms.
     */
    public void clock(final long nowMs)
    {
        clockMs = nowMs;
    }

    /**
     * @return largest value length {@link #put} accepts, in bytes.
     */
    public int maxValueLength()
    {
        return maxValueLength;
    }

    /**
     * @return number of logical databases.
     */
    public int databases()
    {
        return databases;
    }

    /**
     * Look up a key, deleting it (listener told) if it has expired, and touch its LRU clock.
     *
     * @param db        database index.
     * @param key       buffer holding the key.
     * @param keyOffset offset of the key in {@code key}.
     * @param keyLength bytes of key.
     * @param nowMs     current epoch ms.
     * @return entry address or {@link #NOT_FOUND}.
     */
    public long find(final int db, final DirectBuffer key, final int keyOffset, final int keyLength, final long nowMs)
    {
        final long entry = peek(db, key, keyOffset, keyLength, nowMs);
        if (entry != NOT_FOUND)
        {
            touch(entry, nowMs);
        }
        return entry;
    }

    /**
     * As {@link #find} without touching the LRU clock (Redis's LOOKUP_NOTOUCH, e.g. for TYPE).
     *
     * @param db        database index.
     * @param key       buffer holding the key.
     * @param keyOffset offset of the key in {@code key}.
     * @param keyLength bytes of key.
     * @param nowMs     current epoch ms.
     * @return entry address or {@link #NOT_FOUND}.
     */
    public long peek(final int db, final DirectBuffer key, final int keyOffset, final int keyLength, final long nowMs)
    {
        clockMs = nowMs;
        if (recordReads)
        {
            readKeys.add(db, key, keyOffset, keyLength);
        }
        final OffHeapTable table = tables[db];
        final Object base = key.byteArray();
        final long address = key.addressOffset() + keyOffset;
        final long entry = table.find(table.hash(base, address, keyLength), base, address, keyLength);
        if (entry == 0)
        {
            keyspaceMisses += countLookups ? 1 : 0;
            return NOT_FOUND;
        }
        if (writeAccess)
        {
            // A write command may edit the value in place through the address, with no other call here.
            beforeChange(db, entry);
        }
        if (isExpired(entry, nowMs))
        {
            if (replicaExpiry && expiryExempt)
            {
                return entry;
            }
            if (!replicaExpiry)
            {
                expire(db, entry);
            }
            keyspaceMisses += countLookups ? 1 : 0;
            return NOT_FOUND;
        }
        keyspaceHits += countLookups ? 1 : 0;
        return entry;
    }

    /**
     * Redis's replica expiry: a replica never expires keys itself (its master sends the deletes), but hides keys
     * that are logically expired from its clients; the master's own stream (see {@link #expiryExempt}) still sees
     * them, so its changes apply to the same keys as on the master. Off: expired keys are deleted (lazily on access,
     * actively by {@link #activeExpireCycle}) and the listener told.
     *
     * @param replicaExpiry true on a replica.
     */
    public void replicaExpiry(final boolean replicaExpiry)
    {
        this.replicaExpiry = replicaExpiry;
    }

    /**
     * @return true on a replica (see {@link #replicaExpiry(boolean)}): an expiry time already past does not delete
     * the key (Redis's checkAlreadyExpired), the master's delete will.
     */
    public boolean replicaExpiry()
    {
        return replicaExpiry;
    }

    /**
     * The dispatcher says whether the command about to run comes from the master's replication stream.
     *
     * @param expiryExempt true for the replica's master link.
     */
    public void expiryExempt(final boolean expiryExempt)
    {
        this.expiryExempt = expiryExempt;
    }

    /**
     * Insert or replace a key with room for exactly {@code valueLength} value bytes, which the caller fills in
     * through an {@link EntryFlyweight} (their contents are undefined until then). A replaced key takes the new
     * type, encoding and expiry; its LRU clock is reset.
     *
     * @param db          database index.
     * @param key         buffer holding the key.
     * @param keyOffset   offset of the key in {@code key}.
     * @param keyLength   bytes of key.
     * @param type        a {@link ValueType}.
     * @param encoding    a {@link ValueEncoding}.
     * @param valueLength bytes of value, 0 to {@link StoreConfig#maxValueLength()}.
     * @param expireAtMs  absolute expiry in epoch ms, or {@link #NO_EXPIRY}.
     * @return the entry's address, or {@link #OUT_OF_MEMORY} leaving any old entry untouched.
     * @throws IllegalArgumentException if {@code valueLength} is out of range.
     */
    public long put(
        final int db,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final byte type,
        final byte encoding,
        final int valueLength,
        final long expireAtMs)
    {
        checkValueLength(valueLength);
        if (trackTouched)
        {
            touchedKeys.add(db, key, keyOffset, keyLength);
        }
        final OffHeapTable table = tables[db];
        final Object base = key.byteArray();
        final long address = key.addressOffset() + keyOffset;
        final long hash = table.hash(base, address, keyLength);
        long existing = table.find(hash, base, address, keyLength);
        if (existing != 0 && !replicaExpiry && isExpired(existing, clockMs))
        {
            // As Redis's lookupKeyWrite before it sets a key: an expired key is reclaimed as expired (listener told),
            // and the key is then created anew.
            expire(db, existing);
            existing = 0;
        }
        if ((type == ValueType.LIST || type == ValueType.ZSET) && null != keyCreationListener &&
            (existing == 0 || UnsafeApi.getByte(existing + TYPE_OFFSET) != type))
        {
            keyCreationListener.keyCreated(db, key, keyOffset, keyLength, type);
        }
        final long newLength = entryLength(keyLength, valueLength);
        final int clock = EntryDescriptor.lruClock(clockMs);
        if (sketch != null)
        {
            sketch.increment(hash);
        }
        // As Redis's lookupKeyWrite then dbOverwrite: a replaced key counts as accessed, keeping its LFU history.
        final int access = existing != 0 ?
            touchedAccess(UnsafeApi.getInt(existing + ACCESS_OFFSET), clock) :
            EntryDescriptor.access(clock, LFU_INIT_VALUE);

        if (existing != 0)
        {
            if (snapshot != null)
            {
                capture(db, existing);
            }
            final int oldValueLength = UnsafeApi.getInt(existing + VALUE_LENGTH_OFFSET);
            final long oldLength = entryLength(keyLength, oldValueLength);
            if (SlabAllocator.blockLength(oldLength) == SlabAllocator.blockLength(newLength))
            {
                final boolean needsSlot = expireAtMs != NO_EXPIRY &&
                    UnsafeApi.getInt(existing + EXPIRY_SLOT_OFFSET) == NO_EXPIRY_SLOT;
                if (needsSlot && !fits(expiries[db].bytesToAdd()))
                {
                    return refusedForMemory();
                }
                releaseValue(existing);
                allocator.resized(oldLength, newLength);
                keyValueBytes += valueLength - oldValueLength;
                UnsafeApi.putInt(existing + VALUE_LENGTH_OFFSET, valueLength);
                UnsafeApi.putByte(existing + TYPE_OFFSET, type);
                UnsafeApi.putByte(existing + ENCODING_OFFSET, encoding);
                UnsafeApi.putInt(existing + ACCESS_OFFSET, access);
                setExpiry(db, existing, expireAtMs);
                return existing;
            }
        }

        final boolean needsSlot = expireAtMs != NO_EXPIRY &&
            (existing == 0 || UnsafeApi.getInt(existing + EXPIRY_SLOT_OFFSET) == NO_EXPIRY_SLOT);
        if (!fits(allocator.reservationFor(newLength) + (needsSlot ? expiries[db].bytesToAdd() : 0)))
        {
            return refusedForMemory();
        }

        final long entry = allocator.allocate(newLength);
        UnsafeApi.putLong(entry + NEXT_OFFSET, 0);
        UnsafeApi.putLong(entry + EXPIRE_AT_OFFSET, NO_EXPIRY);
        OffHeapTable.storeHash(entry, hash);
        UnsafeApi.putInt(entry + KEY_LENGTH_OFFSET, keyLength);
        UnsafeApi.putInt(entry + VALUE_LENGTH_OFFSET, valueLength);
        UnsafeApi.putInt(entry + ACCESS_OFFSET, access);
        UnsafeApi.putInt(entry + EXPIRY_SLOT_OFFSET, NO_EXPIRY_SLOT);
        UnsafeApi.putByte(entry + TYPE_OFFSET, type);
        UnsafeApi.putByte(entry + ENCODING_OFFSET, encoding);
        UnsafeApi.putByte(entry + DATABASE_OFFSET, (byte)(db | snapshotPhase));
        UnsafeApi.copyMemory(base, address, null, entry + KEY_OFFSET, keyLength);
        keyValueBytes += (long)keyLength + valueLength;

        if (existing != 0)
        {
            table.replace(existing, entry);
            if (UnsafeApi.getInt(existing + EXPIRY_SLOT_OFFSET) != NO_EXPIRY_SLOT)
            {
                expiries[db].replace(existing, entry);
            }
            releaseValue(existing);
            release(existing);
        }
        else
        {
            growIfNeeded(table);
            table.insert(entry);
            keys++;
            if (sketch != null)
            {
                admissionWindow.add(db, hash, keys);
                sketch.ensureCapacity(keys);
                evictor.keyInserted(hash, keys);
            }
        }
        setExpiry(db, entry, expireAtMs);
        if (existing == 0)
        {
            createdKeyListener.onExpired(db, key, keyOffset, keyLength);
        }
        return entry;
    }

    /**
     * Change the value length of an entry, keeping its first {@code min(old, new)} value bytes (APPEND, SETRANGE).
     * Bytes beyond the old length are undefined until written.
     *
     * @param db             database index of the entry.
     * @param entryAddress   a live entry.
     * @param newValueLength bytes of value wanted.
     * @return the entry's address from now on (it may move), or {@link #OUT_OF_MEMORY} leaving it untouched (see
     * {@link #canResizeValue}).
     * @throws IllegalArgumentException if {@code newValueLength} is out of range.
     */
    public long resizeValue(final int db, final long entryAddress, final int newValueLength)
    {
        checkValueLength(newValueLength);
        beforeChange(db, entryAddress);
        final int keyLength = UnsafeApi.getInt(entryAddress + KEY_LENGTH_OFFSET);
        final int oldValueLength = UnsafeApi.getInt(entryAddress + VALUE_LENGTH_OFFSET);
        final long oldLength = entryLength(keyLength, oldValueLength);
        final long newLength = entryLength(keyLength, newValueLength);
        if (SlabAllocator.blockLength(oldLength) == SlabAllocator.blockLength(newLength))
        {
            allocator.resized(oldLength, newLength);
            keyValueBytes += newValueLength - oldValueLength;
            UnsafeApi.putInt(entryAddress + VALUE_LENGTH_OFFSET, newValueLength);
            return entryAddress;
        }
        if (!fits(allocator.reservationFor(newLength)))
        {
            return refusedForMemory();
        }

        final long entry = allocator.allocate(newLength);
        UnsafeApi.copyMemory(entryAddress, entry, HEADER_LENGTH + keyLength + Math.min(oldValueLength, newValueLength));
        UnsafeApi.putInt(entry + VALUE_LENGTH_OFFSET, newValueLength);
        keyValueBytes += (long)keyLength + newValueLength;
        tables[db].replace(entryAddress, entry);
        if (UnsafeApi.getInt(entryAddress + EXPIRY_SLOT_OFFSET) != NO_EXPIRY_SLOT)
        {
            expiries[db].replace(entryAddress, entry);
        }
        release(entryAddress);
        return entry;
    }

    /**
     * Whether {@link #resizeValue} to this length would succeed: it stays in its block's size class, or the new
     * class has a free block or page room, or the budget has room for a new page. A shrinking value can be refused
     * too (its smaller class may need a new page), so a caller that edits the value before shrinking it asks first.
     *
     * @param entryAddress   a live entry.
     * @param newValueLength bytes of value wanted.
     * @return true when the resize will not be refused for memory.
     */
    public boolean canResizeValue(final long entryAddress, final int newValueLength)
    {
        final int keyLength = UnsafeApi.getInt(entryAddress + KEY_LENGTH_OFFSET);
        final long oldLength = entryLength(keyLength, UnsafeApi.getInt(entryAddress + VALUE_LENGTH_OFFSET));
        final long newLength = entryLength(keyLength, newValueLength);
        return SlabAllocator.blockLength(oldLength) == SlabAllocator.blockLength(newLength) ||
            fits(allocator.reservationFor(newLength));
    }

    /**
     * Delete a key. An expired key is removed as expired (listener told) and counts as absent, as Redis's DEL.
     *
     * @param db        database index.
     * @param key       buffer holding the key.
     * @param keyOffset offset of the key in {@code key}.
     * @param keyLength bytes of key.
     * @param nowMs     current epoch ms, to tell expired keys from live ones.
     * @return true if a live key was deleted.
     */
    public boolean delete(
        final int db, final DirectBuffer key, final int keyOffset, final int keyLength, final long nowMs)
    {
        final long entry = peek(db, key, keyOffset, keyLength, nowMs);
        if (entry == NOT_FOUND)
        {
            return false;
        }
        delete(db, entry);
        return true;
    }

    /**
     * Delete a key regardless of its expiry (never calls the listener).
     *
     * @param db        database index.
     * @param key       buffer holding the key.
     * @param keyOffset offset of the key in {@code key}.
     * @param keyLength bytes of key.
     * @return true if the key was in the table.
     */
    public boolean delete(final int db, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final long entry = lookup(db, key, keyOffset, keyLength);
        if (entry == 0)
        {
            return false;
        }
        delete(db, entry);
        return true;
    }

    /**
     * Delete an entry found by {@link #find}.
     *
     * @param db           database index of the entry.
     * @param entryAddress a live entry; invalid afterwards.
     */
    public void delete(final int db, final long entryAddress)
    {
        beforeChange(db, entryAddress);
        final OffHeapTable table = tables[db];
        table.remove(entryAddress);
        if (UnsafeApi.getInt(entryAddress + EXPIRY_SLOT_OFFSET) != NO_EXPIRY_SLOT)
        {
            expiries[db].remove(entryAddress);
        }
        releaseValue(entryAddress);
        release(entryAddress);
        keys--;
        final long target = table.shrinkTarget();
        if (target != 0 && fits(target * OffHeapTable.BUCKET_LENGTH))
        {
            table.startResize(target);
        }
    }

    /**
     * Delete an entry whose value now belongs to another entry (RENAME: the value was copied with
     * {@code copyValueBytes} semantics, so a large value's table moved with it): frees the entry block only.
     *
     * @param db           database index of the entry.
     * @param entryAddress a live entry; invalid afterwards.
     */
    public void deleteKeepingValue(final int db, final long entryAddress)
    {
        delete(db, entryAddress, VALUE_KEPT);
    }

    /**
     * @param entryAddress a live entry.
     * @return true when its value is an element table outside the entry ({@link ValueEncoding#isTable}).
     */
    public static boolean hasTableValue(final long entryAddress)
    {
        return ValueEncoding.isTable(UnsafeApi.getByte(entryAddress + ENCODING_OFFSET));
    }

    /**
     * Copy the element table of a {@link #hasTableValue} entry (COPY), element by element.
     *
     * @return the copy's id, or {@link ElementTables#NO_TABLE} when the budget has no room (nothing is kept).
     */
    public int copyTable(final long entryAddress)
    {
        if (ValueEncoding.isQuicklist(UnsafeApi.getByte(entryAddress + ENCODING_OFFSET)))
        {
            return quicklists.copy(tableId(entryAddress));
        }
        return elementTables.copy(tableId(entryAddress));
    }

    /**
     * Make a {@link #hasTableValue} entry hold table {@code id} (COPY: the copy's entry takes the copied table).
     */
    public void adoptTable(final long entryAddress, final int id)
    {
        UnsafeApi.putInt(entryAddress + KEY_OFFSET + UnsafeApi.getInt(entryAddress + KEY_LENGTH_OFFSET), id);
    }

    /**
     * Set or clear an entry's TTL, keeping the expiry index in step.
     *
     * @param entryAddress a live entry.
     * @param expireAtMs   absolute expiry in epoch ms, or {@link #NO_EXPIRY} to persist.
     */
    public void expireAt(final long entryAddress, final long expireAtMs)
    {
        final int db = UnsafeApi.getByte(entryAddress + DATABASE_OFFSET) & EntryDescriptor.DATABASE_MASK;
        beforeChange(db, entryAddress);
        setExpiry(db, entryAddress, expireAtMs);
    }

    /**
     * @param entryAddress a live entry.
     * @param encoding     its new {@link ValueEncoding}.
     */
    public void encoding(final long entryAddress, final byte encoding)
    {
        captureBeforeChange(entryAddress);
        UnsafeApi.putByte(entryAddress + ENCODING_OFFSET, encoding);
    }

    /**
     * @param entryAddress a live entry.
     * @param type         its new {@link ValueType}.
     */
    public void type(final long entryAddress, final byte type)
    {
        captureBeforeChange(entryAddress);
        UnsafeApi.putByte(entryAddress + TYPE_OFFSET, type);
    }

    /**
     * @param db database index.
     * @return keys in the database, including expired keys not yet reclaimed (as Redis's DBSIZE).
     */
    public long size(final int db)
    {
        return tables[db].size();
    }

    /**
     * @param db database index.
     * @return keys with a TTL in the database (INFO keyspace "expires=").
     */
    public long expiresSize(final int db)
    {
        return expiries[db].size();
    }

    /**
     * Redis's avg_ttl estimate, made when asked: the mean remaining TTL of up to {@link #AVG_TTL_SAMPLES} keys with
     * a TTL, spread evenly over the database's expiry index (Redis estimates it from its expiry cycle's samples).
     * O(samples), whatever the database holds.
     *
     * @param db    database index.
     * @param nowMs current time.
     * @return the estimate in ms, 0 when no sampled key has time left.
     */
    public long averageTtlMs(final int db, final long nowMs)
    {
        final ExpiryIndex index = expiries[db];
        final int size = index.size();
        if (size == 0)
        {
            return 0;
        }
        final int samples = Math.min(size, AVG_TTL_SAMPLES);
        long sum = 0;
        int counted = 0;
        for (int i = 0; i < samples; i++)
        {
            final long ttlMs = UnsafeApi.getLong(index.entryAt((int)((long)i * size / samples)) + EXPIRE_AT_OFFSET) -
                nowMs;
            if (ttlMs > 0)
            {
                sum += ttlMs;
                counted++;
            }
        }
        return counted == 0 ? 0 : sum / counted;
    }

    /**
     * @param db database index.
     * @return bytes of the database's table buckets (MEMORY STATS overhead.hashtable.main).
     */
    public long tableBytes(final int db)
    {
        return tables[db].bucketBytes();
    }

    /**
     * @param db database index.
     * @return bytes of the database's expiry index (MEMORY STATS overhead.hashtable.expires).
     */
    public long expiryIndexBytes(final int db)
    {
        return expiries[db].bytes();
    }

    /**
     * @return the slab allocator's statistics (MEMORY MALLOC-STATS).
     */
    public String allocatorReport()
    {
        return allocator.report();
    }

    /**
     * MEMORY USAGE of one key: what the key costs the store, counted the way {@link #memoryStats()} counts
     * used_memory. This is the one place a value's size is known to the store:
     * <pre>
     *   the entry's slab block (header, key, inline value; slab class rounding included)
     * + one bucket of the database's table (its share of the bucket array)
     * + one slot of the expiry index, if the key has a TTL
     * + what the value's encoding holds outside the entry: a large collection's element table (its element blocks
     *   and buckets, {@link ElementTables#memoryBytes}); 0 for every value held in its entry
     * </pre>
     *
     * @param entry a live entry's address.
     * @return bytes.
     */
    public long memoryUsage(final long entry)
    {
        final int keyLength = UnsafeApi.getInt(entry + KEY_LENGTH_OFFSET);
        final int valueLength = UnsafeApi.getInt(entry + VALUE_LENGTH_OFFSET);
        final long expirySlot = UnsafeApi.getLong(entry + EXPIRE_AT_OFFSET) == NO_EXPIRY ? 0 : Long.BYTES;
        final byte encoding = UnsafeApi.getByte(entry + ENCODING_OFFSET);
        final long outside = !ValueEncoding.isTable(encoding) ? 0 : ValueEncoding.isQuicklist(encoding) ?
            quicklists.memoryBytes(tableId(entry)) : elementTables.memoryBytes(tableId(entry));
        return SlabAllocator.blockLength(entryLength(keyLength, valueLength)) + OffHeapTable.BUCKET_LENGTH +
            expirySlot + outside;
    }

    /**
     * Delete every key of one database (FLUSHDB), freeing its entries. O(keys in the database), unless every
     * other database is empty, when it is {@link #flushAll()}.
     *
     * @param db database index.
     */
    public void flush(final int db)
    {
        if (snapshot != null)
        {
            snapshot.flushed();
        }
        if (trackTouched)
        {
            touchedKeys.markFlushed(db);
        }
        if (keys == tables[db].size())
        {
            flushAll();
            return;
        }
        final OffHeapTable table = tables[db];
        keys -= table.size();
        table.forEach(entryRelease);
        table.clear();
        expiries[db].clear();
        expireCursors[db] = 0;
    }

    /**
     * SWAPDB: database {@code a} takes {@code b}'s keys and {@code b} takes {@code a}'s, TTLs included (a key's
     * expiry time moves with it, so nothing expires earlier or later). The tables and expiry indexes swap places in
     * O(1); each entry's header names its database, so the entries of both are then relabelled: O(keys of both),
     * unlike Redis's O(1) swap. A running snapshot gives up, as for a flush (the replica's sync starts over).
     *
     * @param a a database index.
     * @param b another (or the same: nothing happens).
     */
    public void swapDatabases(final int a, final int b)
    {
        if (a == b)
        {
            return;
        }
        if (snapshot != null)
        {
            snapshot.flushed();
        }
        final OffHeapTable table = tables[a];
        tables[a] = tables[b];
        tables[b] = table;
        final ExpiryIndex expiry = expiries[a];
        expiries[a] = expiries[b];
        expiries[b] = expiry;
        expireCursors[a] = 0;
        expireCursors[b] = 0;
        // The eviction pool names candidates by database and key: forget them rather than evict the wrong one.
        evictor.reset();
        relabel(a);
        relabel(b);
    }

    private void relabel(final int db)
    {
        tables[db].forEach(entry ->
        {
            final byte dbByte = UnsafeApi.getByte(entry + DATABASE_OFFSET);
            UnsafeApi.putByte(entry + DATABASE_OFFSET, (byte)((dbByte & EntryDescriptor.SNAPSHOT_MARK) | db));
        });
    }

    /**
     * Delete every key of every database (FLUSHALL) and give all entry memory back to the system, in time
     * proportional to the pages held rather than the keys.
     */
    public void flushAll()
    {
        if (snapshot != null)
        {
            snapshot.flushed();
        }
        if (trackTouched)
        {
            touchedKeys.markAllFlushed();
        }
        for (int db = 0; db < databases; db++)
        {
            tables[db].clear();
            expiries[db].clear();
            expireCursors[db] = 0;
        }
        elementTables.clearAll();
        quicklists.clearAll();
        allocator.releaseAll();
        keys = 0;
        keyValueBytes = 0;
        memoryFull = false;
    }

    /**
     * One call of Redis's SCAN: visits live entries of the buckets under the cursor until at least {@code count}
     * were visited, the scan completed, or {@code count * 10} buckets were looked at. Expired entries met are deleted
     * (listener told) and not visited. Every key present for a whole scan is visited at least once, even across
     * resizes; a key may be visited more than once.
     *
     * @param db      database index.
     * @param cursor  0 to start, else the value the previous call returned.
     * @param count   hint of entries wanted, as SCAN's COUNT (values below 1 count as 1).
     * @param visitor given each live entry; must not modify this keyspace during the call.
     * @param nowMs   current epoch ms.
     * @return the next cursor, 0 when the scan is complete.
     */
    public long scan(final int db, final long cursor, final int count, final EntryVisitor visitor, final long nowMs)
    {
        clockMs = nowMs;
        final int wanted = Math.max(1, count);
        final OffHeapTable table = tables[db];
        final ScanFilter filter = scanFilter;
        filter.db = db;
        filter.nowMs = nowMs;
        filter.visitor = visitor;
        filter.visited = 0;
        long next = cursor;
        long maxIterations = wanted * 10L;
        try
        {
            do
            {
                next = table.scan(next, filter);
            }
            while (next != 0 && --maxIterations > 0 && filter.visited < wanted);
        }
        finally
        {
            filter.visitor = null;
        }
        return next;
    }

    /**
     * Visit every entry of a database, in no useful order, with no side effects: expired entries are visited too
     * (check {@link EntryFlyweight#expireAtMs()}), nothing is deleted, no clock is touched. O(keys + buckets): for
     * administrative commands (DEBUG DIGEST), never for requests on the hot path.
     *
     * @param db      database index.
     * @param visitor given each entry; must not modify this keyspace during the call.
     */
    public void forEachEntry(final int db, final EntryVisitor visitor)
    {
        tables[db].forEach(visitor::visit);
    }

    /**
     * Pick a live key at random (RANDOMKEY); expired keys met are deleted (listener told) and another is picked.
     *
     * @param db    database index.
     * @param nowMs current epoch ms.
     * @return entry address or {@link #NOT_FOUND} when the database holds no live key.
     */
    public long randomEntry(final int db, final long nowMs)
    {
        clockMs = nowMs;
        final OffHeapTable table = tables[db];
        int tries = 100;
        while (true)
        {
            final long entry = table.randomEntry();
            if (entry == 0)
            {
                return NOT_FOUND;
            }
            if (!isExpired(entry, nowMs))
            {
                return entry;
            }
            if (replicaExpiry)
            {
                // As Redis's replicas: expired keys stay until the master deletes them; give up looking after a while.
                if (expiryExempt || --tries == 0)
                {
                    return entry;
                }
                continue;
            }
            expire(db, entry);
        }
    }

    /**
     * Active expiry, after Redis 7's activeExpireCycle: for each database in turn (resuming where the previous call
     * stopped), examine {@link #ACTIVE_EXPIRE_KEYS_PER_LOOP} keys with a TTL, continuing from where the last sample
     * of that database ended, and delete the expired ones (listener told); repeat on the same database while more
     * than {@link #ACTIVE_EXPIRE_ACCEPTABLE_STALE_PERCENT}% of a sample had expired; stop when the time budget is
     * spent.
     *
     * @param nowMs    current epoch ms.
     * @param budgetNs time allowed.
     * @return keys expired.
     */
    public int activeExpireCycle(final long nowMs, final long budgetNs)
    {
        if (replicaExpiry)
        {
            return 0;
        }
        clockMs = nowMs;
        final long startNs = System.nanoTime();
        int expired = 0;
        for (int tried = 0; tried < databases; tried++)
        {
            final int db = nextExpireDb;
            nextExpireDb = db + 1 == databases ? 0 : db + 1;
            final ExpiryIndex index = expiries[db];
            int sampled;
            int expiredInSample;
            do
            {
                sampled = 0;
                expiredInSample = 0;
                final int toSample = Math.min(index.size(), ACTIVE_EXPIRE_KEYS_PER_LOOP);
                int cursor = expireCursors[db];
                while (sampled < toSample && index.size() > 0)
                {
                    if (cursor >= index.size())
                    {
                        cursor = 0;
                    }
                    final long entry = index.entryAt(cursor);
                    sampled++;
                    if (isExpired(entry, nowMs))
                    {
                        // The last slot moves into this one: look at the same slot again next.
                        expire(db, entry);
                        expiredInSample++;
                    }
                    else
                    {
                        cursor++;
                    }
                }
                expireCursors[db] = cursor;
                expired += expiredInSample;
                if (System.nanoTime() - startNs >= budgetNs)
                {
                    return expired;
                }
            }
            while (sampled > 0 && expiredInSample * 100 > sampled * ACTIVE_EXPIRE_ACCEPTABLE_STALE_PERCENT);
        }
        return expired;
    }

    /**
     * Incremental resize work on the databases' tables (Redis's incrementallyRehash), resuming with the database
     * after the one last worked on.
     *
     * @param budgetNs time allowed.
     * @return true if resize work remains.
     */
    public boolean rehashStep(final long budgetNs)
    {
        final long deadlineNs = System.nanoTime() + budgetNs;
        boolean more = false;
        for (int tried = 0; tried < databases; tried++)
        {
            final int db = nextRehashDb;
            final OffHeapTable table = tables[db];
            if (table.isResizing() && table.rehash(deadlineNs))
            {
                more = true;
                break;
            }
            nextRehashDb = db + 1 == databases ? 0 : db + 1;
            if (System.nanoTime() - deadlineNs >= 0)
            {
                break;
            }
        }
        if (!more)
        {
            for (int db = 0; db < databases; db++)
            {
                more |= tables[db].isResizing();
            }
        }
        return more;
    }

    /**
     * @return true while any database's table is resizing (work for {@link #rehashStep(long)}); does no work itself.
     */
    public boolean isResizing()
    {
        for (int db = 0; db < databases; db++)
        {
            if (tables[db].isResizing())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Start a point-in-time snapshot: from now on, until {@link #endSnapshot()}, every entry that exists now is
     * handed to {@code listener} exactly once, with the contents it has now: either when the caller's
     * {@link #snapshotScan} reaches it, or, if something is about to change, move or delete it first, right
     * before that happens ({@link SnapshotListener#capture}). Entries created afterwards are never handed over.
     * <p>
     * How: one bit of each entry (the top bit of its database byte) says whether the current snapshot has handled
     * it. Starting a snapshot flips the meaning of the bit (the phase), so every existing entry reads as "not yet";
     * new entries are born with the current phase, i.e. "handled". Every mutation of an existing entry (put over
     * it, resize, delete, expiry change, type or encoding change, and any lookup by a write command, which may
     * edit the value in place) first captures it if not yet handled. The scan captures the rest. The invariant
     * "between snapshots every entry carries the current phase" holds only if each started snapshot is scanned to
     * the end, so a snapshot that is given up must still be scanned through (its listener ignoring what it gets).
     *
     * @param listener receives the captured entries; engine thread only.
     */
    public void startSnapshot(final SnapshotListener listener)
    {
        if (snapshot != null)
        {
            throw new IllegalStateException("a snapshot is already running");
        }
        snapshotPhase ^= EntryDescriptor.SNAPSHOT_MARK;
        snapshot = listener;
    }

    /**
     * End the snapshot; call only once {@link #snapshotScan} has completed every database.
     */
    public void endSnapshot()
    {
        snapshot = null;
    }

    /**
     * @return true while a snapshot is running.
     */
    public boolean snapshotRunning()
    {
        return snapshot != null;
    }

    /**
     * The dispatcher says whether the command about to run may write (lookups by writing commands capture the
     * entry they find for a running snapshot, since the command may edit the value in place).
     *
     * @param writeAccess true for write commands.
     */
    public void writeAccess(final boolean writeAccess)
    {
        this.writeAccess = writeAccess;
    }

    /**
     * The dispatcher tracks the keys each command touches (see {@link TouchedKeys}): on from the start of a command
     * (which forgets the previous command's keys) until it ends. Background work (active expiry, rehash, snapshot
     * steps) is not tracked; its changes are logged as they happen.
     *
     * @param track true while a command runs.
     */
    public void trackTouchedKeys(final boolean track)
    {
        if (track)
        {
            touchedKeys.clear();
        }
        trackTouched = track;
    }

    /**
     * Client tracking: note every key looked up with {@link #find}/{@link #peek} from now on, found or not (true,
     * which forgets the previous command's), or stop (false). On only while a tracking client's read-only command
     * runs: those are the keys it may cache.
     *
     * @param record whether lookups are noted.
     */
    public void recordReads(final boolean record)
    {
        if (record)
        {
            readKeys.clear();
        }
        recordReads = record;
    }

    /**
     * @return the keys looked up while {@link #recordReads} was last on.
     */
    public TouchedKeys readKeys()
    {
        return readKeys;
    }

    /**
     * @return the keys the current (or last) tracked command touched.
     */
    public TouchedKeys touchedKeys()
    {
        return touchedKeys;
    }

    /**
     * One step of the running snapshot's scan of {@code db}: captures the not-yet-handled entries of the buckets
     * under the cursor (Redis's SCAN cursor, which visits every entry present for the whole scan at least once,
     * across resizes), for at most {@code maxBuckets} cursor steps. Expired entries are captured as they are.
     *
     * @param db         database index.
     * @param cursor     0 to start the database, else the value the previous call returned.
     * @param maxBuckets cursor steps allowed.
     * @return the next cursor, 0 when the database is done.
     */
    public long snapshotScan(final int db, final long cursor, final int maxBuckets)
    {
        final OffHeapTable table = tables[db];
        final SnapshotScan scan = snapshotScan;
        scan.db = db;
        long next = cursor;
        int steps = 0;
        do
        {
            next = table.scan(next, scan);
        }
        while (next != 0 && ++steps < maxBuckets);
        return next;
    }

    private void captureBeforeChange(final long entryAddress)
    {
        if (snapshot != null || trackTouched)
        {
            beforeChange(UnsafeApi.getByte(entryAddress + DATABASE_OFFSET) & EntryDescriptor.DATABASE_MASK,
                entryAddress);
        }
    }

    /**
     * Every change to an existing entry comes here first: a running snapshot captures the entry as it was, and a
     * tracked command notes its key.
     */
    private void beforeChange(final int db, final long entryAddress)
    {
        if (snapshot != null)
        {
            capture(db, entryAddress);
        }
        if (trackTouched)
        {
            touchedKeys.add(entryAddress);
        }
    }

    private void capture(final int db, final long entryAddress)
    {
        final byte dbByte = UnsafeApi.getByte(entryAddress + DATABASE_OFFSET);
        if ((dbByte & EntryDescriptor.SNAPSHOT_MARK) != snapshotPhase)
        {
            UnsafeApi.putByte(entryAddress + DATABASE_OFFSET, (byte)(dbByte ^ EntryDescriptor.SNAPSHOT_MARK));
            snapshot.capture(db, entryAddress);
        }
    }

    /** Captures each entry a snapshot scan step visits. */
    private final class SnapshotScan implements OffHeapTable.BucketVisitor
    {
        int db;

        public void visitEntry(final long entryAddress)
        {
            capture(db, entryAddress);
        }
    }

    /**
     * @return memory figures; the same instance is refilled by each call.
     */
    public MemoryStats memoryStats()
    {
        final MemoryStats stats = memoryStats;
        final long tableBytes = account.tableBytes;
        final long expiryBytes = account.expiryIndexBytes;
        stats.keys = keys;
        stats.keyValueBytes = keyValueBytes;
        stats.metadataBytes = keys * HEADER_LENGTH;
        stats.tableBytes = tableBytes;
        stats.expiryIndexBytes = expiryBytes;
        stats.allocatorRequestedBytes = allocator.requestedBytes();
        stats.allocatorBlockBytes = allocator.blockBytes();
        stats.allocatorReservedBytes = allocator.reservedBytes();
        stats.hugeBytes = allocator.hugeBytes();
        stats.usedMemoryBytes = allocator.reservedBytes() + tableBytes + expiryBytes;
        stats.maxMemoryBytes = maxMemoryBytes;
        return stats;
    }

    /**
     * @return bytes counted against the budget: allocator reserved bytes, bucket arrays and expiry indexes.
     */
    public long usedMemoryBytes()
    {
        return allocator.reservedBytes() + account.tableBytes + account.expiryIndexBytes;
    }

    /**
     * Take a sample of used memory for its peak, as Redis samples {@code used_memory_peak} in its cron and in INFO;
     * the engine calls it on every tick.
     *
     * @return the most {@link #usedMemoryBytes()} any sample has seen.
     */
    public long sampleUsedMemoryPeak()
    {
        final long used = usedMemoryBytes();
        if (used > usedMemoryPeakBytes)
        {
            usedMemoryPeakBytes = used;
        }
        return usedMemoryPeakBytes;
    }

    /**
     * Change the memory budget at run time (CONFIG SET maxmemory). Lowering it below the memory in use frees
     * nothing: writes that need memory fail with OOM until deletes bring use under it (noeviction).
     *
     * @param maxMemoryBytes the new budget, 0 for none.
     */
    public void maxMemoryBytes(final long maxMemoryBytes)
    {
        if (maxMemoryBytes < 0)
        {
            throw new IllegalArgumentException("maxMemoryBytes < 0: " + maxMemoryBytes);
        }
        this.maxMemoryBytes = maxMemoryBytes;
        memoryFull = false;
    }

    /**
     * @return the memory budget in bytes, 0 for none.
     */
    public long maxMemoryBytes()
    {
        return maxMemoryBytes;
    }

    /**
     * Count the hits and misses of {@link #find}/{@link #peek} from now on (true) or not (false). The dispatcher sets
     * it for read-only commands only, as Redis counts only read lookups in keyspace_hits/keyspace_misses.
     *
     * @param countLookups whether lookups count.
     */
    public void countLookups(final boolean countLookups)
    {
        this.countLookups = countLookups;
    }

    /**
     * @return counted lookups that found a live key (INFO keyspace_hits).
     */
    public long keyspaceHits()
    {
        return keyspaceHits;
    }

    /**
     * @return counted lookups that found no live key (INFO keyspace_misses).
     */
    public long keyspaceMisses()
    {
        return keyspaceMisses;
    }

    /**
     * @return keys removed because their TTL passed, lazily or actively (INFO expired_keys).
     */
    public long expiredKeys()
    {
        return expiredKeys;
    }

    /**
     * Zero the hit, miss and expiry counters (CONFIG RESETSTAT).
     */
    public void resetStats()
    {
        keyspaceHits = 0;
        keyspaceMisses = 0;
        expiredKeys = 0;
        evictedKeys = 0;
    }

    /**
     * Choose what happens at the memory budget (CONFIG SET maxmemory-policy). Changing it forgets the eviction
     * pool's candidates, ranked by the old policy.
     *
     * @param policy the policy.
     */
    public void evictionPolicy(final EvictionPolicy policy)
    {
        if (policy != evictionPolicy)
        {
            evictor.reset();
            evictionPolicy = policy;
            memoryFull = false;
            admissionWindow.clear();
            if (policy.sketched())
            {
                sketch = new FrequencySketch(keys);
                evictor.restartClimb();
            }
            else if (sketch != null)
            {
                sketch.close();
                sketch = null;
            }
        }
    }

    /**
     * @return the maxmemory-policy in force.
     */
    public EvictionPolicy evictionPolicy()
    {
        return evictionPolicy;
    }

    /**
     * @param samples keys sampled per database per eviction round (maxmemory-samples), at least 1.
     */
    public void evictionSamples(final int samples)
    {
        if (samples < 1)
        {
            throw new IllegalArgumentException("samples < 1: " + samples);
        }
        evictionSamples = samples;
    }

    /**
     * @param tenacity 0..100, bounds the time one call of {@link #makeRoom(long)} evicts for
     *                 (maxmemory-eviction-tenacity).
     */
    public void evictionTenacity(final int tenacity)
    {
        if (tenacity < 0 || tenacity > 100)
        {
            throw new IllegalArgumentException("tenacity out of range 0..100: " + tenacity);
        }
        evictionTenacity = tenacity;
    }

    /**
     * @param factor lfu-log-factor: how many more hits each LFU counter increment needs, at least 0.
     */
    public void lfuLogFactor(final int factor)
    {
        if (factor < 0)
        {
            throw new IllegalArgumentException("lfu-log-factor < 0: " + factor);
        }
        lfuLogFactor = factor;
    }

    /**
     * @param minutes lfu-decay-time: minutes of idleness per LFU counter decrement, 0 for no decay.
     */
    public void lfuDecayTime(final int minutes)
    {
        if (minutes < 0)
        {
            throw new IllegalArgumentException("lfu-decay-time < 0: " + minutes);
        }
        lfuDecayTime = minutes;
    }

    /**
     * Admission of a command that may use memory (Redis's denyoom), as Redis's performEvictions before such a
     * command: under an evicting policy, evict until used memory is within the budget (bounded in time by the
     * tenacity; the rest is left to later calls); under noeviction, evict nothing. A replica never evicts and never
     * refuses (Redis's replica-ignore-maxmemory yes): its master's deletes keep it in step.
     *
     * @param nowMs current epoch ms.
     * @return false when the command must be refused with OOM: over the budget and nothing may be evicted.
     */
    public boolean makeRoom(final long nowMs)
    {
        if (maxMemoryBytes == 0 || replicaExpiry)
        {
            return true;
        }
        if (!evictionPolicy.evicts())
        {
            return !overMemoryBudget();
        }
        clockMs = nowMs;
        return evictor.evict(evictionPolicy, evictionSamples, evictionTenacity, nowMs) != Evictor.EVICT_FAIL;
    }

    /**
     * @return bytes an evicting policy keeps within the budget: live allocator blocks, bucket arrays and expiry
     * indexes (as Redis counts allocated bytes, not pages: freed blocks stay reserved for their size class).
     */
    public long evictableUsedBytes()
    {
        return allocator.blockBytes() + account.tableBytes + account.expiryIndexBytes +
            (sketch != null ? sketch.bytes() : 0);
    }

    boolean overEvictionTarget()
    {
        return maxMemoryBytes != 0 && evictableUsedBytes() > maxMemoryBytes;
    }

    /**
     * Evict one entry: the listener is told (the change log writes a DEL), then it is deleted.
     */
    void evict(final int db, final long entry)
    {
        deleteTelling(db, entry, evictedKeyListener);
        evictedKeys++;
    }

    /**
     * @return keys evicted for the memory budget (INFO evicted_keys).
     */
    public long evictedKeys()
    {
        return evictedKeys;
    }

    /**
     * @param entryAddress a live entry.
     * @param nowMs        current epoch ms.
     * @return its LFU counter after decay, unchanged; under allkeys-tinylfu the sketch's estimate of its recent
     * accesses, 0..15 (OBJECT FREQ).
     */
    public int lfuFrequency(final long entryAddress, final long nowMs)
    {
        if (sketch != null)
        {
            return sketch.frequency(OffHeapTable.storedHash(entryAddress));
        }
        return decayedCounter(UnsafeApi.getInt(entryAddress + ACCESS_OFFSET), EntryDescriptor.lruClock(nowMs));
    }

    /**
     * @param entryAddress a live entry.
     * @param nowMs        current epoch ms.
     * @return seconds since its last access (OBJECT IDLETIME).
     */
    public long idleSeconds(final long entryAddress, final long nowMs)
    {
        return Evictor.idleSeconds(UnsafeApi.getInt(entryAddress + ACCESS_OFFSET), EntryDescriptor.lruClock(nowMs));
    }

    /**
     * Whether commands that may grow memory (Redis's denyoom) must be refused: a budget is set and used memory is
     * above it, or a write was refused for lack of memory and nothing has been freed (and the budget not changed)
     * since. The second case is where Redis would be over its budget: it lets the write that crosses maxmemory
     * through and refuses what follows, where this store refuses the crossing write itself. Either way every
     * denyoom command is then refused, small in-place edits included, until deletes make room.
     *
     * @return true when denyoom commands must be refused with OOM.
     */
    public boolean overMemoryBudget()
    {
        if (evictionPolicy.evicts())
        {
            return overEvictionTarget();
        }
        return maxMemoryBytes != 0 && (memoryFull || usedMemoryBytes() > maxMemoryBytes);
    }

    /**
     * Free all off-heap memory; the keyspace is unusable afterwards.
     */
    public void close()
    {
        for (int db = 0; db < databases; db++)
        {
            tables[db].close();
            expiries[db].clear();
        }
        elementTables.clearAll();
        quicklists.clearAll();
        allocator.close();
        if (sketch != null)
        {
            sketch.close();
            sketch = null;
        }
        keys = 0;
        keyValueBytes = 0;
    }

    /**
     * @return the element tables of large collections, whose ids {@link ValueEncoding#isTable} entries hold.
     */
    public ElementTables elementTables()
    {
        return elementTables;
    }

    /**
     * @return the node chains of large lists, whose ids {@link ValueEncoding#isQuicklist} entries hold.
     */
    public Quicklists quicklists()
    {
        return quicklists;
    }

    /**
     * @return when a small collection encoding converts to an element table (CONFIG SET changes them).
     */
    public CollectionLimits collectionLimits()
    {
        return collectionLimits;
    }

    /**
     * Delete an entry found by {@link #find} as UNLINK does: the key is gone at once, and a large value's elements
     * are freed later by {@link #lazyFreeStep}, a bounded number per call.
     *
     * @param db           database index of the entry.
     * @param entryAddress a live entry; invalid afterwards.
     */
    public void unlink(final int db, final long entryAddress)
    {
        delete(db, entryAddress, VALUE_FREED_LATER);
    }

    /**
     * Delete an entry, its value's outside part handled as {@code valueRelease} says.
     */
    private void delete(final int db, final long entryAddress, final int valueRelease)
    {
        this.valueRelease = valueRelease;
        try
        {
            delete(db, entryAddress);
        }
        finally
        {
            this.valueRelease = VALUE_FREED;
        }
    }

    /**
     * @return true while values deleted lazily still have elements to free (one field read).
     */
    public boolean lazyFreePending()
    {
        return elementTables.droppedTables() > 0 || quicklists.droppedLists() > 0;
    }

    /**
     * @return values deleted lazily whose elements are still being freed: element tables (hashes, sets, sorted sets)
     * and list chains (INFO's lazyfree_pending_objects).
     */
    public long lazyFreePendingObjects()
    {
        return elementTables.droppedTables() + quicklists.droppedLists();
    }

    /**
     * @return values the lazy free has finished freeing (INFO's lazyfreed_objects).
     */
    public long lazyFreedObjects()
    {
        return elementTables.lazilyFreedTables() + quicklists.lazilyFreedLists();
    }

    /**
     * Free elements of values deleted lazily (UNLINK, expiry, eviction), {@code ElementTables.FREE_ELEMENTS_PER_STEP}
     * at a time until the time budget is spent; the engine calls it on every tick and whenever it has caught up with
     * the ring while some remain ({@link #lazyFreePending()}), where Redis's lazyfree thread works in the background.
     *
     * @param budgetNs time allowed.
     * @return true while some remain.
     */
    public boolean lazyFreeStep(final long budgetNs)
    {
        final long deadlineNs = System.nanoTime() + budgetNs;
        boolean more;
        do
        {
            more = elementTables.freeStep(1) | quicklists.freeStep(1);
        }
        while (more && System.nanoTime() - deadlineNs < 0);
        return more;
    }


    /**
     * Find a key's entry whether or not it has expired, without side effects (no expiry, no LRU touch, no hit or
     * miss counted, nothing captured or tracked).
     *
     * @param db        database index.
     * @param key       buffer holding the key.
     * @param keyOffset offset of the key in {@code key}.
     * @param keyLength bytes of key.
     * @return entry address, expired or not, or {@link #NOT_FOUND}.
     */
    public long lookup(final int db, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final OffHeapTable table = tables[db];
        final Object base = key.byteArray();
        final long address = key.addressOffset() + keyOffset;
        return table.find(table.hash(base, address, keyLength), base, address, keyLength);
    }

    SlabAllocator allocator()
    {
        return allocator;
    }

    OffHeapTable table(final int db)
    {
        return tables[db];
    }

    ExpiryIndex expiryIndex(final int db)
    {
        return expiries[db];
    }

    /** @return allkeys-tinylfu's sketch, null under other policies. */
    FrequencySketch sketch()
    {
        return sketch;
    }

    AdmissionWindow admissionWindow()
    {
        return admissionWindow;
    }

    /**
     * Seed the eviction sampling of every database (tests and simulations: the same traffic evicts the same keys).
     *
     * @param seed any value.
     */
    void seedSampling(final long seed)
    {
        for (int db = 0; db < databases; db++)
        {
            tables[db].seedSampling(seed + db);
        }
    }

    /** @return allkeys-tinylfu's climber's recency, 0 (the sketch remembers longest) to 1 (forgets fastest). */
    double climbedRecency()
    {
        return evictor.climbedRecency();
    }

    /** @return keys in all databases. */
    long keyCount()
    {
        return keys;
    }

    /**
     * Record an access: set the LRU clock to now and update the LFU counter as Redis's updateLFU does.
     */
    private void touch(final long entry, final long nowMs)
    {
        final long address = entry + ACCESS_OFFSET;
        UnsafeApi.putInt(address, touchedAccess(UnsafeApi.getInt(address), EntryDescriptor.lruClock(nowMs)));
        final FrequencySketch sketch = this.sketch;
        if (sketch != null)
        {
            sketch.increment(OffHeapTable.storedHash(entry));
        }
    }

    /**
     * Redis's LFU update: decay the counter by one per {@code lfu-decay-time} minutes since the last access
     * (LFUDecrAndReturn), then increment it with probability 1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1)
     * (LFULogIncr); the LRU clock becomes {@code clock}.
     *
     * @param access the entry's access field.
     * @param clock  the current 24-bit LRU clock.
     * @return the new access field.
     */
    private int touchedAccess(final int access, final int clock)
    {
        int counter = decayedCounter(access, clock);
        if (counter < 255)
        {
            final int base = counter - LFU_INIT_VALUE;
            if (base <= 0)
            {
                counter++;
            }
            else
            {
                randomState = XorShift.next(randomState);
                // A uniform 32-bit fraction below 1 / (base * lfu-log-factor + 1).
                if ((randomState >>> 32) * ((long)base * lfuLogFactor + 1) < (1L << 32))
                {
                    counter++;
                }
            }
        }
        return EntryDescriptor.access(clock, counter);
    }

    /**
     * @param access an entry's access field.
     * @param clock  the current 24-bit LRU clock.
     * @return its LFU counter less one per {@code lfu-decay-time} minutes since the last access (Redis's
     * LFUDecrAndReturn), without changing the entry.
     */
    int decayedCounter(final int access, final int clock)
    {
        final int counter = access & 0xFF;
        if (lfuDecayTime == 0)
        {
            return counter;
        }
        final long periods = Evictor.idleSeconds(access, clock) / 60 / lfuDecayTime;
        return periods >= counter ? 0 : counter - (int)periods;
    }

    private static boolean isExpired(final long entry, final long nowMs)
    {
        final long expireAtMs = UnsafeApi.getLong(entry + EXPIRE_AT_OFFSET);
        // Redis's keyIsExpired: a key expires strictly after its expiry time.
        return expireAtMs != NO_EXPIRY && nowMs > expireAtMs;
    }

    private void expire(final int db, final long entry)
    {
        deleteTelling(db, entry, expiredKeyListener);
        expiredKeys++;
    }

    /** Tell the listener the entry's database and key, then delete it. */
    private void deleteTelling(final int db, final long entry, final ExpiredKeyListener listener)
    {
        final int keyLength = UnsafeApi.getInt(entry + KEY_LENGTH_OFFSET);
        final UnsafeBuffer key = removedKey;
        key.wrap(entry + KEY_OFFSET, keyLength);
        listener.onExpired(db, key, 0, keyLength);
        delete(db, entry, VALUE_FREED_LATER);
    }

    private void setExpiry(final int db, final long entry, final long expireAtMs)
    {
        final boolean indexed = UnsafeApi.getInt(entry + EXPIRY_SLOT_OFFSET) != NO_EXPIRY_SLOT;
        if (expireAtMs == NO_EXPIRY)
        {
            if (indexed)
            {
                expiries[db].remove(entry);
            }
        }
        else if (!indexed)
        {
            expiries[db].add(entry);
        }
        UnsafeApi.putLong(entry + EXPIRE_AT_OFFSET, expireAtMs);
    }

    /**
     * Engine thread: grow database {@code db}'s table at once so that {@code keys} keys fit without a resize (a
     * loader's RESIZEDB hint; the pause does not matter before clients are served). Nothing when the table is large
     * enough, is resizing, or the memory budget has no room for it.
     */
    public void reserve(final int db, final long keys)
    {
        final OffHeapTable table = tables[db];
        final long target = table.reserveTarget(keys);
        if (target != 0 && fits(target * OffHeapTable.BUCKET_LENGTH))
        {
            table.startResize(target);
            table.completeResize();
        }
    }

    private void growIfNeeded(final OffHeapTable table)
    {
        final long target = table.expandTarget();
        if (target != 0 && fits(target * OffHeapTable.BUCKET_LENGTH))
        {
            table.startResize(target);
        }
    }

    /**
     * A write was refused because it does not fit the budget: the keyspace is full (see {@link #overMemoryBudget()})
     * until something is freed or the budget changes.
     */
    long refusedForMemory()
    {
        memoryFull = true;
        return OUT_OF_MEMORY;
    }

    /**
     * Whether a write needing {@code extraBytes} more may go ahead. A write needing no new memory (a free block, room
     * in a page, in place) always fits, even when used memory is already over the budget (a resize's committed
     * buckets may take it there): deleting keys must make room. Under an evicting policy it always may, as in
     * Redis a command admitted by {@link #makeRoom} runs to the end and the next one evicts what it took beyond the
     * budget; on a replica always (replica-ignore-maxmemory).
     */
    boolean fits(final long extraBytes)
    {
        return extraBytes == 0 || maxMemoryBytes == 0 || evictionPolicy.evicts() || replicaExpiry ||
            usedMemoryBytes() + extraBytes <= maxMemoryBytes;
    }

    private void checkValueLength(final int valueLength)
    {
        if (valueLength < 0 || valueLength > maxValueLength)
        {
            throw new IllegalArgumentException("value length out of range 0.." + maxValueLength + ": " + valueLength);
        }
    }

    /**
     * Something was freed: writes refused for memory may be tried again.
     */
    void memoryFreed()
    {
        memoryFull = false;
    }

    /**
     * The one place that frees what a value holds outside its entry block ({@link ValueEncoding#isTable}): at once,
     * or by {@link #lazyFreeStep} for deletes by expiry, eviction and {@link #unlink}. The entry block itself is
     * {@link #release}d by the caller; a moved entry ({@link #resizeValue}) keeps its value and skips this.
     */
    private void releaseValue(final long entry)
    {
        if (valueRelease != VALUE_KEPT && ValueEncoding.isTable(UnsafeApi.getByte(entry + ENCODING_OFFSET)))
        {
            final int id = tableId(entry);
            if (ValueEncoding.isQuicklist(UnsafeApi.getByte(entry + ENCODING_OFFSET)))
            {
                if (valueRelease == VALUE_FREED_LATER)
                {
                    quicklists.freeLater(id);
                }
                else
                {
                    quicklists.free(id);
                }
            }
            else if (valueRelease == VALUE_FREED_LATER)
            {
                elementTables.freeLater(id);
            }
            else
            {
                elementTables.free(id);
            }
        }
    }

    private static int tableId(final long entry)
    {
        return UnsafeApi.getInt(entry + KEY_OFFSET + UnsafeApi.getInt(entry + KEY_LENGTH_OFFSET));
    }

    private void release(final long entry)
    {
        memoryFull = false;
        final int keyLength = UnsafeApi.getInt(entry + KEY_LENGTH_OFFSET);
        final int valueLength = UnsafeApi.getInt(entry + VALUE_LENGTH_OFFSET);
        keyValueBytes -= (long)keyLength + valueLength;
        allocator.free(entry, entryLength(keyLength, valueLength));
    }

    /** Filters a scan step: deletes expired entries, passes live ones on and counts them. */
    private final class ScanFilter implements OffHeapTable.BucketVisitor
    {
        int db;
        long nowMs;
        EntryVisitor visitor;
        int visited;

        public void visitEntry(final long entryAddress)
        {
            if (isExpired(entryAddress, nowMs) && !(replicaExpiry && expiryExempt))
            {
                if (!replicaExpiry)
                {
                    expire(db, entryAddress);
                }
            }
            else
            {
                visited++;
                visitor.visit(entryAddress);
            }
        }
    }

    /** Frees each entry of a table being flushed. */
    private final class EntryRelease implements OffHeapTable.BucketVisitor
    {
        public void visitEntry(final long entryAddress)
        {
            releaseValue(entryAddress);
            release(entryAddress);
        }
    }
}
