package io.ringkv.net.server;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.ParsedRequests;
import io.ringkv.core.command.Transaction;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.RequestBatch;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A connection that closes while it WATCHes keys (or is inside MULTI with watched keys) must not leave them in the
 * engine's table of watched keys, as Redis's freeClient unwatches them: its thread runs one last DISCARD (inside
 * MULTI) or UNWATCH through the engine, whose reply nobody reads. Connections that never watched anything send
 * nothing; a queue of commands without watched keys is plain heap garbage.
 */
final class WatchRelease
{
    private static final UnsafeBuffer DISCARD = new UnsafeBuffer("DISCARD".getBytes(StandardCharsets.US_ASCII));
    private static final UnsafeBuffer UNWATCH = new UnsafeBuffer("UNWATCH".getBytes(StandardCharsets.US_ASCII));

    private WatchRelease()
    {
    }

    /**
     * Connection thread, once its last batch is complete.
     *
     * @param engine the engine.
     * @param batch  the connection's batch, reused for the one request.
     */
    static void release(final Engine engine, final RequestBatch batch)
    {
        final ClientSession session = batch.session();
        final Transaction transaction = session.transaction();
        if (null == transaction || transaction.watchedKeys() == 0)
        {
            return;
        }
        final UnsafeBuffer command = session.inTransaction() ? DISCARD : UNWATCH;
        batch.reset(command);
        batch.addArg(0, command.capacity());
        batch.endRequest(ParsedRequests.VALUE_RAW);
        try
        {
            engine.execute(batch);
        }
        catch (final IllegalStateException stopped)
        {
            // The engine has stopped: its table of watched keys goes with it.
        }
    }
}
