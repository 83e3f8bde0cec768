package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.Map;

import static io.ringkv.net.server.command.InfoCommandsTest.fields;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory a large request takes is given back right after it, without a garbage collection: the connection's read
 * and reply buffers shrink, the ring slot's change area and the replication log's line buffer are freed once read.
 * Before, the change area stayed with its ring slot until the ring came round to it (65,536 requests later) and
 * the log encoder kept a line buffer as large as the largest value ever written, both until a GC.
 */
class MemoryGivenBackTest
{
    private static final int VALUE_LENGTH = 16 * 1024 * 1024;
    private static final long SLACK_BYTES = 2 * 1024 * 1024;

    @Test
    void aLargeSetLeavesNoBufferBehindOnAConnectionThatStaysOpen() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis observer = new Jedis("127.0.0.1", server.port());
            Jedis writer = new Jedis("127.0.0.1", server.port()))
        {
            writer.ping();
            final long before = bufferBytes(observer);
            final byte[] value = new byte[VALUE_LENGTH];
            value[VALUE_LENGTH - 1] = 7;
            writer.set("big".getBytes(), value);
            assertArrayEquals(value, writer.get("big".getBytes()));
            writer.del("big");

            final long deadline = System.currentTimeMillis() + 5_000;
            long after = bufferBytes(observer);
            while (after > before + SLACK_BYTES && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(50);
                after = bufferBytes(observer);
            }
            assertTrue(after <= before + SLACK_BYTES, "buffers held " + before + " bytes before, " + after + " after");
        }
    }

    @Test
    void aClosedConnectionsBuffersAreFreedAtOnce() throws Exception
    {
        try (TestServer server = TestServer.start(); Jedis observer = new Jedis("127.0.0.1", server.port()))
        {
            observer.ping();
            final long before = connectionBufferBytes(observer);
            try (Jedis other = new Jedis("127.0.0.1", server.port()))
            {
                other.ping();
                assertTrue(connectionBufferBytes(observer) > before);
            }
            final long deadline = System.currentTimeMillis() + 5_000;
            while (connectionBufferBytes(observer) > before && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(20);
            }
            assertTrue(connectionBufferBytes(observer) <= before);
        }
    }

    /** Direct buffers (connections, log lines) and the engine's malloc'd buffers (change areas, scratch). */
    private static long bufferBytes(final Jedis jedis)
    {
        final Map<String, String> fields = fields(jedis.info("memory"));
        return Long.parseLong(fields.get("ringkv_jvm_direct_bytes")) +
            Long.parseLong(fields.get("ringkv_engine_buffer_bytes"));
    }

    private static long connectionBufferBytes(final Jedis jedis)
    {
        return Long.parseLong(fields(jedis.info("memory")).get("ringkv_connection_buffer_bytes"));
    }
}
