package io.ringkv.core.engine;

/**
 * A durable copy of the change log kept by the engine thread itself (the append-only file), fed the way Redis feeds
 * its AOF buffer: each slot's change records once the slot has executed ({@link #append}), written out once per run
 * of slots ({@link #flush}, Redis's beforeSleep). The engine holds every batch it completes in that run and answers
 * them only after {@link #flush} returned, as Redis writes its AOF buffer before it sends the iteration's replies, so
 * no client is told of a change that a killed process could still lose. Engine thread only; must not throw.
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
     * Engine thread, at the end of each run of slots: write what was appended (and, as the fsync policy says, make it
     * durable) before the held replies go out.
     *
     * @return true when everything appended is written and the held replies may go; false when the write was put off
     *         (everysec behind a slow fsync): the replies wait for a later run's flush, which the journal asks for.
     */
    boolean flush();
}
