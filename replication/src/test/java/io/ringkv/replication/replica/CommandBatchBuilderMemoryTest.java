package io.ringkv.replication.replica;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CoreCommands;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.EngineConfig;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica applies what its master sends through a {@link CommandBatchBuilder}: a large value from the master
 * must grow its argument space off the heap (heap it grew stayed committed until a full GC), and the engine must
 * still store it whole.
 */
class CommandBatchBuilderMemoryTest
{
    private static final int VALUE_LENGTH = 32 * 1024 * 1024;

    @Test
    void aLargeValueFromTheMasterTakesNoHeap()
    {
        final Keyspace keyspace = new Keyspace(new StoreConfig());
        try (Engine engine = new Engine(new EngineConfig().tickIntervalMs(0), keyspace, CoreCommands.newTable(),
            List.of()))
        {
            engine.start();
            final CommandBatchBuilder builder = new CommandBatchBuilder(new ClientSession(1, true), new ApplyReply());
            final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(VALUE_LENGTH));
            value.setMemory(0, VALUE_LENGTH, (byte)'v');
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long threadId = Thread.currentThread().threadId();
            builder.arg("SET").arg("big").arg("warm").end().execute(engine); // class loading, first requests

            final long before = threads.getThreadAllocatedBytes(threadId);
            builder.arg("SET").arg("big").arg(value, 0, VALUE_LENGTH).end().execute(engine);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

            assertNull(builder.reply().lastError());
            assertTrue(allocated < 1024 * 1024, allocated + " heap bytes allocated to apply a 32 MB SET");
            final long address = keyspace.peek(0, new UnsafeBuffer("big".getBytes(StandardCharsets.US_ASCII)), 0, 3,
                System.currentTimeMillis());
            assertTrue(address != Keyspace.NOT_FOUND);
            final EntryFlyweight entry = new EntryFlyweight().wrap(address);
            assertEquals(VALUE_LENGTH, entry.valueLength());
            assertEquals((byte)'v', entry.buffer().getByte(entry.valueOffset() + VALUE_LENGTH - 1));
        }
        finally
        {
            keyspace.close();
        }
    }
}
