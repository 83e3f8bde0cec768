package io.ringkv.replication.master;

/**
 * What a {@link ReplicaSender} needs from the node that owns it: the one way back from a sender to replication's
 * top level, so that {@code master} does not depend on the package that creates its senders.
 */
public interface ReplicaSenderOwner
{
    /**
     * Ask the engine for a step of the running snapshot (a full sync's scan).
     */
    void requestSnapshotStep();

    /**
     * A replica acknowledged a new offset (WAIT may be waiting for it).
     */
    void acknowledged();

    /**
     * The sender ended: forget it.
     */
    void removed(ReplicaSender sender);

    /**
     * Log a notice.
     */
    void log(String message);
}
