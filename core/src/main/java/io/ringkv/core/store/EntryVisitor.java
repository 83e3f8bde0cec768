package io.ringkv.core.store;

/**
 * Receives live entries from {@link Keyspace#scan}. Called on the engine thread; must not modify the
 * {@link Keyspace} during the call (collect the keys, then act on them).
 */
@FunctionalInterface
public interface EntryVisitor
{
    /**
     * @param entryAddress address of a live entry; read it through an {@link EntryFlyweight}.
     */
    void visit(long entryAddress);
}
