package io.ringkv.core.command;

import java.util.Arrays;

/**
 * One request suspended by a blocking command (BLPOP, BZPOPMIN...): who asked, where its arguments and reply are,
 * the keys it waits on, its deadline, and how it ended. The engine owns what {@link #owner()} is (the suspended
 * batch); this class only hands it back when the request has been answered, so that the engine can continue or
 * close that batch. Engine thread only.
 */
public final class BlockedClient
{
    final long sequence;
    final ClientSession session;
    final CommandHandler handler;
    final Object owner;
    final ParsedRequests requests;
    final int requestIndex;
    final Reply reply;
    /** The {@link io.ringkv.core.store.ValueType} its keys must hold to serve it. */
    final byte type;
    /** Absolute deadline in epoch ms, 0 for none. */
    final long deadlineMs;
    KeyWaiters.Node[] nodes;
    int nodeCount;
    private boolean released;

    BlockedClient(
        final long sequence,
        final ClientSession session,
        final CommandHandler handler,
        final Object owner,
        final ParsedRequests requests,
        final int requestIndex,
        final Reply reply,
        final byte type,
        final long deadlineMs,
        final int keyCount)
    {
        this.sequence = sequence;
        this.session = session;
        this.handler = handler;
        this.owner = owner;
        this.requests = requests;
        this.requestIndex = requestIndex;
        this.reply = reply;
        this.type = type;
        this.deadlineMs = deadlineMs;
        this.nodes = new KeyWaiters.Node[Math.max(1, Math.min(keyCount, 16))];
    }

    void add(final KeyWaiters.Node node)
    {
        if (nodeCount == nodes.length)
        {
            nodes = Arrays.copyOf(nodes, nodeCount * 2);
        }
        nodes[nodeCount++] = node;
    }

    void released(final boolean released)
    {
        this.released = released;
    }

    /**
     * @return what the engine suspended (its batch).
     */
    public Object owner()
    {
        return owner;
    }

    /**
     * @return index of the blocked request in its batch.
     */
    public int requestIndex()
    {
        return requestIndex;
    }

    /**
     * @return true when the rest of its batch must not run (its connection is gone or is to close): the engine
     * completes the batch without executing the requests pipelined after the blocked one. False when the blocked
     * request was answered (served, timed out, CLIENT UNBLOCK) and the batch goes on.
     */
    public boolean released()
    {
        return released;
    }

    public ClientSession session()
    {
        return session;
    }
}
