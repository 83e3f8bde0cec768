package io.ringkv.replication.replica;

/**
 * A replica's link to its master, whatever protocol it speaks (ringkv's JSON {@link MasterLink}, Redis's RESP
 * replication): what INFO replication, ROLE and REPLICAOF need of it. The getters may be called from any thread;
 * {@link #stop()} returns at once (REPLICAOF runs on the engine thread and must not wait).
 */
public interface ReplicaLink
{
    void start();

    /** Any thread: stop linking and close the connection; returns at once. */
    void stop();

    /**
     * Any thread: drop the current connection; the link reconnects and asks to continue (CLIENT KILL TYPE master).
     */
    void disconnect();

    /** Wait for the link thread to end (tests, shutdown); not from the engine thread. */
    void join(long timeoutMs) throws InterruptedException;

    String host();

    int port();

    /**
     * @return "up" while streaming from the master, "sync" while loading its data set, "connecting" or "down".
     */
    String linkStatus();

    /**
     * @return when the master last sent or was sent anything (Unix ms), 0 before.
     */
    long lastIoMs();

    /**
     * @return the master's replication id this replica follows, or null before the first sync.
     */
    String replid();

    /**
     * @return the master offset applied, -1 before the first sync.
     */
    long offset();

    /**
     * @return the last reason the link went down (or could not come up), or null.
     */
    String lastError();

    /**
     * @return true while a full sync is being received or loaded.
     */
    boolean syncInProgress();

    /**
     * @return true when {@link #offset()} counts change records as this server's engine does (the JSON link,
     * which realigns the engine to the master's numbering), false when it counts bytes of Redis's stream: a
     * promoted replica then cannot offer the master's history to the master's other replicas.
     */
    boolean offsetsAreRecords();
}
