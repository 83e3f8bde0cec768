package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transactions on the steady path allocate nothing: MULTI, queueing (the commands are copied into the session's
 * reused queue), EXEC's re-entrant calls, DISCARD; and judging a slot's changes against watched keys (WATCH itself
 * copies its key, as Redis does) allocates nothing either.
 */
class TransactionAllocationTest
{
    private static final int ROUNDS = 20_000;

    @Test
    void multiQueueExecAndDiscardAllocateNothing()
    {
        final Keyspace keyspace = new Keyspace(new StoreConfig());
        try
        {
            final DispatchAllocationTest.Dispatch dispatch = new DispatchAllocationTest.Dispatch(keyspace);
            for (final String[] request : new String[][]{
                {"MULTI"}, {"SET", "k", "value"}, {"INCR", "n"}, {"GET", "k"}, {"INCR", "k"}, {"EXEC"},
                {"MULTI"}, {"SET", "other", "x"}, {"DISCARD"}, {"GET", "k"}})
            {
                dispatch.add(request);
            }
            dispatch.run(ROUNDS);
            final long allocatedBytes = dispatch.allocatedBytes(ROUNDS);

            // INCR k fails inside each EXEC: a per-command reply, not an abort.
            assertEquals(2L * ROUNDS, dispatch.reply.errors);
            assertEquals(2L * ROUNDS, dispatch.table.lookup("exec").calls());
            assertEquals(2L * 2 * ROUNDS, dispatch.table.lookup("incr").calls());
            assertEquals(2L * ROUNDS, Long.parseLong(getString(keyspace, "n")));
            assertTrue(allocatedBytes < 4096, allocatedBytes + " bytes allocated");
        }
        finally
        {
            keyspace.close();
        }
    }

    @Test
    void judgingChangesAgainstWatchedKeysAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final Keyspace keyspace = new Keyspace(new StoreConfig());
        try
        {
            final DispatchAllocationTest.Dispatch dispatch = new DispatchAllocationTest.Dispatch(keyspace);
            final CommandContext context = dispatch.dispatcher.context();
            final ClientSession watcher = new ClientSession(7, true);
            final Transaction transaction = watcher.transactionState();
            for (int k = 0; k < 64; k++)
            {
                final org.agrona.concurrent.UnsafeBuffer key =
                    new org.agrona.concurrent.UnsafeBuffer(("watched:" + k).getBytes());
                context.watchedKeys().watch(transaction, 0, key, 0, key.capacity(), 0);
            }
            dispatch.add("SET", "k", "v");
            dispatch.add("DEL", "k");
            dispatch.add("SET", "watched:3", "v");
            final WatchedKeys watchedKeys = context.watchedKeys();
            final io.ringkv.core.engine.CommandEvent event = dispatch.event;
            long touched = 0;
            for (int round = 0; round < 2 * ROUNDS; round++)
            {
                if (round == ROUNDS)
                {
                    touched = threads.getCurrentThreadAllocatedBytes();
                }
                dispatch.run(1);
                watchedKeys.touchChanges(event.changes(), event.changesLength());
                transaction.dirtyCas = false;
            }
            final long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - touched;
            assertEquals(64, watchedKeys.count());
            assertTrue(allocatedBytes < 4096, allocatedBytes + " bytes allocated");
        }
        finally
        {
            keyspace.close();
        }
    }

    private static String getString(final Keyspace keyspace, final String key)
    {
        final org.agrona.concurrent.UnsafeBuffer name = new org.agrona.concurrent.UnsafeBuffer(key.getBytes());
        final long address = keyspace.lookup(0, name, 0, name.capacity());
        final io.ringkv.core.store.EntryFlyweight entry = new io.ringkv.core.store.EntryFlyweight().wrap(address);
        return Long.toString(entry.buffer().getLong(entry.valueOffset()));
    }
}
