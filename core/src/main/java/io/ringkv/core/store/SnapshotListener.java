package io.ringkv.core.store;

/**
 * Told by the {@link Keyspace} about entries a point-in-time snapshot must capture before they change (see
 * {@link Keyspace#startSnapshot(SnapshotListener)}). Only the engine thread calls it, from inside keyspace
 * operations: it must read the entry and return without modifying the keyspace.
 */
public interface SnapshotListener
{
    /**
     * An entry that existed when the snapshot started and has not been captured yet is about to change, move or
     * disappear: capture it now, as it is.
     *
     * @param db           the entry's database.
     * @param entryAddress the entry, still unchanged.
     */
    void capture(int db, long entryAddress);

    /**
     * A database (or all of them) is being flushed: capturing every remaining entry is not worth it; the snapshot
     * should give up.
     */
    void flushed();
}
