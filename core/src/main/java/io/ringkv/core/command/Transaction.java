package io.ringkv.core.command;

import java.util.ArrayList;

/**
 * One connection's MULTI/EXEC and WATCH state (Redis's {@code multiState} and the client's watched keys): the
 * queued commands, the union of their flags (EXEC is admitted by them: READONLY, OOM, LOADING), whether a
 * queueing-time error doomed the transaction (CLIENT_DIRTY_EXEC) or a watched key changed (CLIENT_DIRTY_CAS),
 * and the keys it watches. Made on the connection's first MULTI or WATCH and reused after; the session holds it.
 * <p>
 * Only the engine thread uses it.
 */
public final class Transaction
{
    /** Argument bytes one transaction may queue: the queue lives on the heap, outside maxmemory's budget. */
    public static final long MAX_QUEUED_BYTES = 512L * 1024 * 1024;

    private final QueuedCommands queued = new QueuedCommands();
    private final CommandArgs args = new CommandArgs();
    final ArrayList<WatchedKeys.WatchedKey> watched = new ArrayList<>();
    private int queuedFlags;
    private boolean dirtyExec;
    boolean dirtyCas;

    /**
     * @return the commands queued since MULTI.
     */
    public QueuedCommands queued()
    {
        return queued;
    }

    CommandArgs args()
    {
        return args;
    }

    /**
     * Queue a command admitted inside MULTI, unless the transaction is already doomed (Redis saves the memory then,
     * and still answers QUEUED).
     *
     * @param command the command.
     * @param args    its request.
     */
    void queue(final Command command, final CommandArgs args)
    {
        if (dirtyExec || dirtyCas)
        {
            return;
        }
        queued.add(command, args);
        queuedFlags |= command.flags();
    }

    /**
     * @return the flags of every queued command, or-ed.
     */
    public int queuedFlags()
    {
        return queuedFlags;
    }

    /**
     * A command was refused while queueing: EXEC will answer EXECABORT.
     */
    void abort()
    {
        dirtyExec = true;
    }

    boolean aborted()
    {
        return dirtyExec;
    }

    /**
     * @return true when a watched key changed since WATCH (EXEC answers a null array).
     */
    public boolean watchedKeyChanged()
    {
        return dirtyCas;
    }

    /**
     * @return the number of keys watched.
     */
    public int watchedKeys()
    {
        return watched.size();
    }

    /**
     * Forget the queue and the flags (not the watched keys: see {@link WatchedKeys#unwatchAll}).
     */
    void reset()
    {
        queued.clear();
        queuedFlags = 0;
        dirtyExec = false;
        dirtyCas = false;
    }
}
