package io.ringkv.core.engine;

/**
 * A durable copy of the change log kept by the engine thread itself (the append-only file), fed the way Redis feeds
 * its AOF buffer: each slot's change records once the slot has executed ({@link #append}), written out once per run
 * of slots ({@link #flush}, Redis's beforeSleep). When {@link #holdsReplies()} (appendfsync always) the engine holds
 * every batch it completes in that run and answers them only after {@link #flush} returned, so no client is told of a
 * change that a crash could still lose. Engine thread only; must not throw.
 */
public interface ChangeJournal
{
    /**
     * Engine thread, after each slot: take the slot's change records (none, often).
     *
     * @param event the slot just executed; its records are read through {@code event.changes()}.
     */
    void append(CommandEvent event);

    /**
     * Engine thread, at the end of each run of slots: write what was appended (and, when replies are held, make it
     * durable) before the held replies go out.
     */
    void flush();

    /**
     * @return true when completed batches must wait for the next {@link #flush} (appendfsync always).
     */
    boolean holdsReplies();
}
