package io.ringkv.replication.master;

/**
 * What a {@link RespReplicaSender} needs from the replication node: the one way back from a Redis replica's sender,
 * so that {@code master} does not depend on the package that creates it.
 */
public interface RespReplicaOwner
{
    /**
     * Ask the engine for a slot soon: a snapshot step, and a slot the stream encoder sees (feeds are adopted there).
     */
    void requestSnapshotStep();

    /**
     * A replica acknowledged a new offset (WAIT may be waiting for it).
     */
    void acknowledged();

    /**
     * The sender ended: forget it (and give back its snapshot, feed and place in the queue).
     */
    void removed(RespReplicaSender sender);

    /**
     * Log a notice.
     */
    void log(String message);
}
