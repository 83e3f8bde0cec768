package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A large list's nodes are counted, freed and sized by the value model: UNLINK and expiry free a node chain a bounded
 * number of nodes per lazy-free step (DEL at once), MEMORY USAGE-style sizing follows the nodes, and a write that
 * needs a node beyond the memory budget is refused with OOM, leaving the list whole.
 */
final class ListMemoryTest
{
    @Test
    void unlinkFreesANodeChainInBoundedSteps()
    {
        try (EngineHarness kv = new EngineHarness())
        {
            fill(kv, "deleted", 50_000);
            assertEquals(":1", kv.exec("DEL", "deleted"));
            assertEquals(0, kv.keyspace.quicklists().droppedLists(), "DEL frees at once");

            final long before = kv.keyspace.usedMemoryBytes();
            fill(kv, "big", 200_000);
            final long address = kv.keyspace.lookup(0, key("big"), 0, 3);
            final long usage = kv.keyspace.memoryUsage(address);
            assertTrue(usage > 200_000 * 5L, "the nodes are counted: " + usage);
            assertTrue(kv.keyspace.usedMemoryBytes() - before >= usage - 1024 * 1024);
            // The engine frees unlinked values in its spare time; stopped, it leaves this thread the keyspace's one
            // user, so the chain is freed only by the steps below.
            kv.engine.close();
            kv.keyspace.unlink(0, address);
            assertEquals(Keyspace.NOT_FOUND, kv.keyspace.lookup(0, key("big"), 0, 3));
            assertEquals(1, kv.keyspace.quicklists().droppedLists(), "left for the lazy free");
            int steps = 0;
            boolean more = true;
            while (more)
            {
                final long used = kv.keyspace.evictableUsedBytes();
                more = kv.keyspace.quicklists().freeStep(1);
                steps++;
                // At most 64 nodes of at most 8 KiB (and their block rounding) per step.
                final long freed = used - kv.keyspace.evictableUsedBytes();
                assertTrue(freed > 0 && freed <= 64 * 9_300L, "step " + steps + " freed " + freed);
            }
            assertTrue(steps > 1, "freed over bounded steps: " + steps);
            assertEquals(0, kv.keyspace.quicklists().droppedLists());
        }
    }

    @Test
    void aNodeBeyondTheBudgetIsRefusedAndTheListStaysWhole()
    {
        try (EngineHarness kv = new EngineHarness(new StoreConfig().maxMemoryBytes(24L << 20), false, List.of()))
        {
            String reply = "";
            int pushed = 0;
            final String element = "x".repeat(1000);
            while (!reply.startsWith("-"))
            {
                reply = kv.exec("RPUSH", "l", element, element, element, element);
                pushed += reply.startsWith(":") ? 4 : 0;
            }
            assertTrue(reply.startsWith("-OOM"), reply);
            final long length = Long.parseLong(kv.exec("LLEN", "l").substring(1));
            assertTrue(length >= pushed, length + " >= " + pushed);
            assertEquals("$" + element, kv.exec("LINDEX", "l", "-1"));
            assertEquals("$" + element, kv.exec("LPOP", "l"));
            assertEquals(":" + (length - 1), kv.exec("LLEN", "l"));
        }
    }

    private static void fill(final EngineHarness kv, final String key, final int elements)
    {
        final String[] args = new String[1002];
        args[0] = "RPUSH";
        args[1] = key;
        for (int i = 0; i < elements; i += 1000)
        {
            for (int j = 0; j < 1000; j++)
            {
                args[2 + j] = "element:" + (i + j);
            }
            kv.exec(args);
        }
    }

    private static org.agrona.concurrent.UnsafeBuffer key(final String key)
    {
        return new org.agrona.concurrent.UnsafeBuffer(key.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
