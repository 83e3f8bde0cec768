package io.ringkv.core.command;

import io.ringkv.core.changelog.ChangeRecordFlyweight;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;

import static io.ringkv.core.changelog.ChangeRecordDescriptor.*;

/**
 * Every key some connection WATCHes, and the rules by which a change makes its watchers' EXEC fail (Redis 7.0's
 * multi.c: touchWatchedKey, touchAllWatchedKeysInDb, isWatchedKeyExpired).
 * <p>
 * What counts as a change is what the engine logged: after each ring slot the engine hands the slot's change
 * records here ({@link #touchChanges}), so a command invalidates exactly the keys it changed, as Redis's
 * signalModifiedKey does (a SET NX that set nothing or a DEL of a missing key logs nothing and invalidates
 * nothing), and expiry and eviction, which log their deletes, invalidate too. FLUSHDB, FLUSHALL and SWAPDB call
 * {@link #flushing} and {@link #swapping} before they change the databases, because Redis's rule depends on which
 * watched keys existed. While nobody watches, the engine's cost is one field test per slot.
 * <p>
 * A key watched while it was already logically expired (still stored, its time passed) is marked so: its
 * deletion (lazy or active expiry, DEL, a flush) is no change, but any other change is; and at EXEC, a key that
 * was alive at WATCH and has logically expired since makes EXEC fail even if nothing deleted it yet.
 * <p>
 * Only the engine thread uses it. Watching allocates (a copy of the key); touching allocates nothing.
 */
public final class WatchedKeys
{
    /** One key one connection watches. */
    static final class WatchedKey
    {
        final Transaction owner;
        final int db;
        final byte[] key;
        final int hash;
        boolean expired;

        WatchedKey(final Transaction owner, final int db, final byte[] key, final int hash, final boolean expired)
        {
            this.owner = owner;
            this.db = db;
            this.key = key;
            this.hash = hash;
            this.expired = expired;
        }

        boolean matches(final int db, final DirectBuffer buffer, final int offset, final int length)
        {
            if (this.db != db || key.length != length)
            {
                return false;
            }
            for (int i = 0; i < length; i++)
            {
                if (key[i] != buffer.getByte(offset + i))
                {
                    return false;
                }
            }
            return true;
        }
    }

    private final Keyspace keyspace;
    private final Int2ObjectHashMap<ArrayList<WatchedKey>> byHash = new Int2ObjectHashMap<>();
    private final ChangeRecordFlyweight record = new ChangeRecordFlyweight();
    private final EntryFlyweight entry = new EntryFlyweight();
    private final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
    private int count;
    private int watchingClients;

    /**
     * @param keyspace the data the watched keys live in.
     */
    public WatchedKeys(final Keyspace keyspace)
    {
        this.keyspace = keyspace;
    }

    /**
     * @return true while any connection watches a key: the engine checks it once per slot.
     */
    public boolean watching()
    {
        return count != 0;
    }

    /**
     * @return keys watched, all connections together.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return connections that watch at least one key (INFO's watching_clients, as Redis 7.4 names it).
     */
    public int watchingClients()
    {
        return watchingClients;
    }

    /**
     * WATCH one key for {@code owner} (nothing when it already watches it).
     *
     * @param owner  the connection's transaction state.
     * @param db     the connection's database.
     * @param buffer holding the key.
     * @param offset of the key.
     * @param length of the key.
     * @param nowMs  the command's time (a key whose time has passed is watched as expired).
     */
    void watch(
        final Transaction owner, final int db, final DirectBuffer buffer, final int offset, final int length,
        final long nowMs)
    {
        for (final WatchedKey watched : owner.watched)
        {
            if (watched.matches(db, buffer, offset, length))
            {
                return;
            }
        }
        final int hash = hash(db, buffer, offset, length);
        final byte[] key = new byte[length];
        buffer.getBytes(offset, key);
        final WatchedKey watched = new WatchedKey(owner, db, key, hash, isExpired(db, buffer, offset, length, nowMs));
        byHash.computeIfAbsent(hash, h -> new ArrayList<>(2)).add(watched);
        watchingClients += owner.watched.isEmpty() ? 1 : 0;
        owner.watched.add(watched);
        count++;
    }

    /**
     * Stop watching every key of {@code owner} (UNWATCH, EXEC, DISCARD, a closed connection).
     *
     * @param owner the connection's transaction state.
     */
    void unwatchAll(final Transaction owner)
    {
        final ArrayList<WatchedKey> keys = owner.watched;
        watchingClients -= keys.isEmpty() ? 0 : 1;
        for (int i = 0, size = keys.size(); i < size; i++)
        {
            final WatchedKey watched = keys.get(i);
            final ArrayList<WatchedKey> bucket = byHash.get(watched.hash);
            bucket.remove(watched);
            if (bucket.isEmpty())
            {
                byHash.remove(watched.hash);
            }
            count--;
        }
        keys.clear();
    }

    /**
     * Redis's isWatchedKeyExpired, at EXEC: a key that was alive when watched and whose time has passed since.
     *
     * @param owner the connection's transaction state.
     * @param nowMs EXEC's time.
     * @return true when EXEC must fail.
     */
    boolean anyExpiredSinceWatch(final Transaction owner, final long nowMs)
    {
        final ArrayList<WatchedKey> keys = owner.watched;
        for (int i = 0, size = keys.size(); i < size; i++)
        {
            final WatchedKey watched = keys.get(i);
            if (!watched.expired)
            {
                keyView.wrap(watched.key);
                if (isExpired(watched.db, keyView, 0, watched.key.length, nowMs))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Engine thread, after each ring slot while {@link #watching()}: invalidate the watchers of every key the slot's
     * change records changed.
     *
     * @param changes the slot's change records.
     * @param length  bytes of records.
     */
    public void touchChanges(final DirectBuffer changes, final int length)
    {
        final ChangeRecordFlyweight record = this.record;
        for (int index = 0; index < length && count != 0; index += record.recordLength())
        {
            record.wrap(changes, index);
            final DirectBuffer buffer = record.buffer();
            switch (record.op())
            {
                case OP_FLUSHDB, OP_FLUSHALL, OP_SWAPDB ->
                {
                    // Judged before they ran: flushing(), swapping().
                }
                case OP_DEL -> touch(record.db(), buffer, record.keyOffset(), record.keyLength(), false);
                case OP_RENAME ->
                {
                    touch(record.db(), buffer, record.keyOffset(), record.keyLength(), false);
                    touch(record.db(), buffer, record.valueOffset(), record.valueLength(), true);
                }
                case OP_COPY -> touch(record.targetDb(), buffer, record.valueOffset(), record.valueLength(), true);
                default -> touch(record.db(), buffer, record.keyOffset(), record.keyLength(), true);
            }
        }
    }

    /**
     * Redis's touchWatchedKey for one changed key.
     *
     * @param exists whether the key may still exist after the change (false for a delete): a key watched while
     *               already expired that is now gone has not logically changed.
     */
    private void touch(final int db, final DirectBuffer buffer, final int offset, final int length, final boolean exists)
    {
        final ArrayList<WatchedKey> bucket = byHash.get(hash(db, buffer, offset, length));
        if (null == bucket)
        {
            return;
        }
        for (int i = 0; i < bucket.size(); i++)
        {
            final WatchedKey watched = bucket.get(i);
            if (!watched.matches(db, buffer, offset, length) || watched.owner.dirtyCas)
            {
                continue;
            }
            if (watched.expired && (!exists || keyspace.lookup(db, buffer, offset, length) == Keyspace.NOT_FOUND))
            {
                watched.expired = false; // the expired key is gone: no logical change
                continue;
            }
            watched.owner.dirtyCas = true;
        }
    }

    /**
     * Redis's touchAllWatchedKeysInDb(db, NULL), before FLUSHDB/FLUSHALL empties {@code db}: watchers of a key
     * that exists there fail, unless it was already expired when watched.
     *
     * @param db    the database about to be emptied.
     * @param nowMs the command's time.
     */
    public void flushing(final int db, final long nowMs)
    {
        swappingInto(db, -1, nowMs);
    }

    /**
     * Redis's touchAllWatchedKeysInDb for both databases, before SWAPDB trades them.
     *
     * @param first  one database.
     * @param second the other.
     * @param nowMs  the command's time.
     */
    public void swapping(final int first, final int second, final long nowMs)
    {
        swappingInto(first, second, nowMs);
        swappingInto(second, first, nowMs);
    }

    /**
     * @param emptied      the database whose keys go away.
     * @param replacedWith the database whose keys take their place, or -1 (a flush).
     */
    private void swappingInto(final int emptied, final int replacedWith, final long nowMs)
    {
        if (count == 0)
        {
            return;
        }
        for (final ArrayList<WatchedKey> bucket : byHash.values())
        {
            for (int i = 0; i < bucket.size(); i++)
            {
                final WatchedKey watched = bucket.get(i);
                if (watched.db != emptied || watched.owner.dirtyCas)
                {
                    continue;
                }
                keyView.wrap(watched.key);
                final int length = watched.key.length;
                final boolean existsInEmptied = keyspace.lookup(emptied, keyView, 0, length) != Keyspace.NOT_FOUND;
                final boolean existsInReplacement =
                    replacedWith >= 0 && keyspace.lookup(replacedWith, keyView, 0, length) != Keyspace.NOT_FOUND;
                if (!existsInEmptied && !existsInReplacement)
                {
                    continue;
                }
                if (watched.expired)
                {
                    if (!existsInReplacement)
                    {
                        watched.expired = false; // the expired key is deleted: no logical change
                        continue;
                    }
                    if (isExpired(replacedWith, keyView, 0, length, nowMs))
                    {
                        continue; // an expired key stays expired
                    }
                }
                else if (!existsInEmptied && isExpired(replacedWith, keyView, 0, length, nowMs))
                {
                    watched.expired = true; // a missing key replaced by an expired one
                    continue;
                }
                watched.owner.dirtyCas = true;
            }
        }
    }

    /**
     * Redis's keyIsExpired: stored, with a time that has passed (whatever a replica shows its clients).
     */
    private boolean isExpired(final int db, final DirectBuffer key, final int offset, final int length, final long nowMs)
    {
        final long address = keyspace.lookup(db, key, offset, length);
        if (address == Keyspace.NOT_FOUND)
        {
            return false;
        }
        final long expireAtMs = entry.wrap(address).expireAtMs();
        return expireAtMs != Keyspace.NO_EXPIRY && nowMs > expireAtMs;
    }

    private static int hash(final int db, final DirectBuffer buffer, final int offset, final int length)
    {
        int hash = 0x811C9DC5 ^ db;
        for (int i = 0; i < length; i++)
        {
            hash = (hash ^ buffer.getByte(offset + i)) * 0x01000193;
        }
        return hash;
    }
}
