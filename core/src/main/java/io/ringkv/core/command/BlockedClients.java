package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;

/**
 * Clients blocked by BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX and BZMPOP, as Redis 7.0 keeps
 * them (blocked.c): for each database and key, the clients waiting on it in the order they blocked; the keys made
 * ready since the last command; a deadline index; and the clients answered but not yet continued.
 * <p>
 * How a request blocks: its handler finds every key missing, calls {@link #block} and replies nothing; the engine
 * then suspends the request's batch ({@link #suspendPending}) and goes on with other connections. Nothing runs for
 * a blocked client until something happens to it, so idle waiters cost no CPU:
 * <ul>
 *   <li>{@link io.ringkv.core.store.Keyspace#put} creating one of its keys as a list or sorted set lists the key
 *   as ready ({@link #keyCreated}, Redis's signalKeyAsReady). After the command (after a whole EXEC or script:
 *   never while {@link CommandContext#mayNotBlock()}) the engine calls {@link #serveReadyKeys}: the clients of
 *   each ready key, longest-waiting first, run their command again in serve mode on that key only
 *   ({@link #skipsKey}), as long as the key holds data;</li>
 *   <li>a TICK past its deadline ({@link #expire}), or CLIENT UNBLOCK ({@link #unblock}), answers it as on a
 *   timeout (or with the UNBLOCKED error);</li>
 *   <li>its connection going away ({@link #release}) or a change of role ({@link #disconnectAll}) releases it.</li>
 * </ul>
 * An answered client is queued; the engine takes it back with {@link #pollUnblocked} once the current command is
 * done and continues (or, when released, closes) its batch, so no handler ever runs inside another's call.
 * <p>
 * Engine thread only. Blocking allocates (the client's record, map entries and key copies); the commands' common
 * path, a key that holds data, touches none of this.
 */
public final class BlockedClients
{
    static final String UNBLOCKED_BY_CLIENT = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
    static final String UNBLOCKED_BY_ROLE_CHANGE =
        "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";

    private static final Comparator<BlockedClient> BY_DEADLINE =
        Comparator.<BlockedClient>comparingLong(client -> client.deadlineMs).thenComparingLong(client -> client.sequence);

    private final CommandContext context;
    private final Keyspace keyspace;
    private final HashMap<BlockingKey, KeyWaiters> keys = new HashMap<>();
    private final Long2ObjectHashMap<BlockedClient> byClient = new Long2ObjectHashMap<>();
    private final TreeSet<BlockedClient> deadlines = new TreeSet<>(BY_DEADLINE);
    private final ArrayDeque<KeyWaiters> readyKeys = new ArrayDeque<>();
    private final ArrayDeque<BlockedClient> unblocked = new ArrayDeque<>();
    private final BlockingKey probe = new BlockingKey();
    private final CommandArgs serveArgs = new CommandArgs();
    private final UnsafeBuffer keyView = new UnsafeBuffer(new byte[0]);
    private long sequence;

    private boolean pending;
    private int pendingFirstKey;
    private int pendingKeyCount;
    private long pendingDeadlineMs;
    private byte pendingType;
    private CommandHandler pendingHandler;
    /** The key being served, or null: the command then looks at this key only. */
    private BlockingKey serving;

    BlockedClients(final CommandContext context, final Keyspace keyspace)
    {
        this.context = context;
        this.keyspace = keyspace;
        keyspace.keyCreationListener(this::keyCreated);
    }

    /**
     * Handler: every key of the request is missing (or an empty list or sorted set): block on them. The handler
     * replies nothing; the reply comes when a key is served, the deadline passes or the client is unblocked. Must
     * not be called while {@link CommandContext#mayNotBlock()} (the handler answers as on a timeout then).
     *
     * @param args       the request.
     * @param firstKey   index of the first key argument.
     * @param keyCount   consecutive key arguments from there.
     * @param deadlineMs absolute deadline (epoch ms), 0 for none ({@link BlockingTimeout#deadlineMs}).
     * @param type       the {@link io.ringkv.core.store.ValueType} the keys must hold to serve the request.
     */
    public void block(final CommandArgs args, final int firstKey, final int keyCount, final long deadlineMs,
        final byte type)
    {
        if (context.mayNotBlock() || null != serving)
        {
            throw new IllegalStateException("a request may not block here");
        }
        pending = true;
        pendingFirstKey = firstKey;
        pendingKeyCount = keyCount;
        pendingDeadlineMs = deadlineMs;
        pendingType = type;
        pendingHandler = context.session().lastCommand().handler();
    }

    /**
     * Handler: {@link #block} unless the request may not block (inside EXEC or a script), where it answers as on a
     * timeout, a null array, as Redis does for CLIENT_DENY_BLOCKING.
     *
     * @param args      the request.
     * @param firstKey  index of the first key argument.
     * @param keyCount  consecutive key arguments from there.
     * @param timeoutMs from {@link BlockingTimeout#parseMs}, 0 for none.
     * @param type      the {@link io.ringkv.core.store.ValueType} the keys must hold to serve the request.
     * @param reply     the request's reply.
     */
    public void blockOrTimeOut(final CommandArgs args, final int firstKey, final int keyCount, final long timeoutMs,
        final byte type, final Reply reply)
    {
        if (context.mayNotBlock())
        {
            reply.nilArray();
            return;
        }
        block(args, firstKey, keyCount, BlockingTimeout.deadlineMs(context.nowMs(), timeoutMs), type);
    }

    /**
     * Handler, serving a blocked request: whether to pass over key argument {@code index} because another key is
     * the one made ready. Always false for a request not being served.
     *
     * @param args  the request.
     * @param index of a key argument.
     * @return true when the request is served from another key.
     */
    public boolean skipsKey(final CommandArgs args, final int index)
    {
        final BlockingKey serving = this.serving;
        return null != serving && !serving.matches(args.buffer(), args.offset(index), args.length(index));
    }

    /**
     * Engine, after each dispatch: when the request just run asked to block, register it and return true; the
     * engine then suspends its batch at that request (its reply started, not ended).
     *
     * @param owner        the engine's handle for the suspended batch, handed back by {@link #pollUnblocked}.
     * @param requests     the batch's requests (they stay in place while it is suspended).
     * @param requestIndex the blocked request.
     * @param reply        the batch's reply encoder.
     * @return true when the request blocked.
     */
    public boolean suspendPending(final Object owner, final ParsedRequests requests, final int requestIndex,
        final Reply reply)
    {
        if (!pending)
        {
            return false;
        }
        pending = false;
        final ClientSession session = context.session();
        final BlockedClient client = new BlockedClient(++sequence, session, pendingHandler, owner, requests,
            requestIndex, reply, pendingType, pendingDeadlineMs, pendingKeyCount);
        pendingHandler = null;
        final CommandArgs args = serveArgs.wrap(requests, requestIndex);
        final int db = session.db();
        for (int i = pendingFirstKey, end = pendingFirstKey + pendingKeyCount; i < end; i++)
        {
            final BlockingKey key = probe.set(db, args.buffer(), args.offset(i), args.length(i));
            KeyWaiters waiters = keys.get(key);
            if (null == waiters)
            {
                final BlockingKey copy = key.copy();
                waiters = new KeyWaiters(copy);
                keys.put(copy, waiters);
            }
            else if (waiters.endsWith(client))
            {
                continue; // the same key twice in one request
            }
            client.add(waiters.append(client));
        }
        byClient.put(session.id(), client);
        if (client.deadlineMs != 0)
        {
            deadlines.add(client);
        }
        return true;
    }

    /**
     * The keyspace created a list or sorted set key: if anyone waits on it, list it as ready (once).
     */
    void keyCreated(final int db, final DirectBuffer key, final int keyOffset, final int keyLength, final byte type)
    {
        if (byClient.isEmpty())
        {
            return;
        }
        final KeyWaiters waiters = keys.get(probe.set(db, key, keyOffset, keyLength));
        if (null != waiters && !waiters.ready)
        {
            waiters.ready = true;
            readyKeys.add(waiters);
        }
    }

    /**
     * SWAPDB: every waited-on key of either database may now hold data (Redis's scanDatabaseForReadyKeys).
     *
     * @param a one database.
     * @param b the other.
     */
    public void databasesSwapped(final int a, final int b)
    {
        for (final KeyWaiters waiters : keys.values())
        {
            final int db = waiters.key.db();
            if ((db == a || db == b) && !waiters.ready)
            {
                waiters.ready = true;
                readyKeys.add(waiters);
            }
        }
    }

    /**
     * @return true when ready keys or answered clients wait for the engine ({@link #serveReadyKeys},
     * {@link #pollUnblocked}).
     */
    public boolean hasWork()
    {
        return !readyKeys.isEmpty() || !unblocked.isEmpty();
    }

    /**
     * Engine, after a command (never inside EXEC or a script): serve the clients of every key made ready, each
     * key's longest-waiting client first, while the key holds data. Keys a served command makes ready (BLMOVE's
     * destination) are served in the same call.
     *
     * @param nowMs the engine's time.
     */
    public void serveReadyKeys(final long nowMs)
    {
        KeyWaiters waiters;
        while (null != (waiters = readyKeys.poll()))
        {
            waiters.ready = false;
            final BlockingKey key = waiters.key;
            keyView.wrap(key.bytes(), 0, key.length());
            for (int remaining = waiters.size(); remaining > 0 && !waiters.isEmpty(); remaining--)
            {
                final long address = keyspace.find(key.db(), keyView, 0, key.length(), nowMs);
                if (address == Keyspace.NOT_FOUND)
                {
                    break;
                }
                final BlockedClient client = waiters.first();
                if (context.entry().wrap(address).type() != client.type)
                {
                    waiters.rotateHeadToTail(); // waits for another type: its turn stays
                    continue;
                }
                serve(client, key, nowMs);
            }
        }
    }

    /**
     * Run the client's command again, on the ready key only, into its own reply.
     */
    private void serve(final BlockedClient client, final BlockingKey key, final long nowMs)
    {
        unlink(client);
        final CommandArgs args = serveArgs.wrap(client.requests, client.requestIndex);
        final Reply reply = client.reply;
        serving = key;
        context.begin(client.session, nowMs);
        keyspace.writeAccess(true);
        keyspace.expiryExempt(client.session.masterLink());
        keyspace.trackTouchedKeys(true);
        try
        {
            client.handler.execute(context, args, reply);
        }
        catch (final Throwable ex)
        {
            // As the dispatcher does: an answer for the client, and what was applied reaches the change log.
            reply.error("ERR internal error in blocked command: " + ex);
            context.changeLog().logTouchedKeys(keyspace);
        }
        finally
        {
            keyspace.trackTouchedKeys(false);
            keyspace.writeAccess(false);
            context.end();
            serving = null;
            pending = false;
        }
        unblocked.add(client);
    }

    /**
     * Engine, on each TICK: answer every client whose deadline has passed as Redis does on a timeout.
     *
     * @param nowMs the engine's time.
     */
    public void expire(final long nowMs)
    {
        BlockedClient client;
        while (!deadlines.isEmpty() && (client = deadlines.first()).deadlineMs <= nowMs)
        {
            answerTimeout(client);
        }
    }

    /**
     * CLIENT UNBLOCK: answer a blocked client as on a timeout, or with the UNBLOCKED error.
     *
     * @param clientId the client.
     * @param error    true for the error (CLIENT UNBLOCK id ERROR).
     * @return true when the client was blocked.
     */
    public boolean unblock(final long clientId, final boolean error)
    {
        final BlockedClient client = byClient.get(clientId);
        if (null == client)
        {
            return false;
        }
        if (error)
        {
            unlink(client);
            client.reply.error(UNBLOCKED_BY_CLIENT);
            unblocked.add(client);
        }
        else
        {
            answerTimeout(client);
        }
        return true;
    }

    private void answerTimeout(final BlockedClient client)
    {
        unlink(client);
        client.reply.nilArray(); // Redis's replyToBlockedClientTimedOut: a null array for every list and zset command
        unblocked.add(client);
    }

    /**
     * The client's connection is gone or killed: forget it without a reply; its batch is closed, nothing pipelined
     * after the blocked request runs.
     *
     * @param clientId the client.
     * @return true when it was blocked.
     */
    public boolean release(final long clientId)
    {
        final BlockedClient client = byClient.get(clientId);
        if (null == client)
        {
            return false;
        }
        unlink(client);
        client.released(true);
        unblocked.add(client);
        return true;
    }

    /**
     * REPLICAOF host port: the instance becomes a replica, where blocking on keys is no longer safe. Every blocked
     * client gets Redis's UNBLOCKED error and its connection closes after it (Redis's disconnectAllBlockedClients).
     */
    public void disconnectAll()
    {
        final List<BlockedClient> clients = new ArrayList<>(byClient.values());
        for (final BlockedClient client : clients)
        {
            unlink(client);
            client.reply.error(UNBLOCKED_BY_ROLE_CHANGE);
            client.released(true);
            client.session.closeAfterReply(true);
            unblocked.add(client);
        }
    }

    /**
     * Engine: the next client answered (or released) since the last call, whose batch must now be continued (or
     * closed), or null.
     *
     * @return the client, or null.
     */
    public BlockedClient pollUnblocked()
    {
        return unblocked.poll();
    }

    private void unlink(final BlockedClient client)
    {
        byClient.remove(client.session.id());
        if (client.deadlineMs != 0)
        {
            deadlines.remove(client);
        }
        for (int i = 0; i < client.nodeCount; i++)
        {
            final KeyWaiters.Node node = client.nodes[i];
            final KeyWaiters waiters = node.queue;
            waiters.remove(node);
            if (waiters.isEmpty())
            {
                keys.remove(waiters.key);
            }
            client.nodes[i] = null;
        }
        client.nodeCount = 0;
    }

    /**
     * @param clientId a client.
     * @return true while it is blocked (CLIENT LIST's flag b).
     */
    public boolean blocked(final long clientId)
    {
        return byClient.containsKey(clientId);
    }

    /**
     * @return clients blocked now (INFO blocked_clients).
     */
    public int blockedClients()
    {
        return byClient.size();
    }

    /**
     * @return blocked clients with a deadline (INFO clients_in_timeout_table).
     */
    public int clientsWithTimeout()
    {
        return deadlines.size();
    }

    /**
     * @return distinct keys clients are blocked on.
     */
    public int blockingKeys()
    {
        return keys.size();
    }
}
