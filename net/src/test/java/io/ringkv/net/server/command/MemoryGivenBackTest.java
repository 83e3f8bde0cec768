package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.Map;

import static io.ringkv.net.server.command.InfoCommandsTest.fields;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory a large request takes is given back right after it, without a garbage collection: the connection's read
 * and reply buffers shrink, the ring slot's change area and the replication log's line buffer are freed once read.
 * MIGRATE builds its request in malloc'd memory and sends it through a small direct buffer, so no request buffer
 * it outgrew is left to the collector. Before, the change area stayed with its ring slot until the ring came round
 * to it (65,536 requests later) and the log encoder kept a line buffer as large as the largest value ever
 * written, both until a GC.
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

            final long after = awaitBufferBytesAtMost(observer, before + SLACK_BYTES);
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

    @Test
    void aLargeMigrateLeavesNoBufferBehind() throws Exception
    {
        try (TestServer source = TestServer.start(); TestServer target = TestServer.start();
            Jedis client = new Jedis("127.0.0.1", source.port(), 10_000);
            Jedis targetClient = new Jedis("127.0.0.1", target.port(), 10_000))
        {
            // Incompressible, so the RESTOREs MIGRATE sends are as large as the values; several keys, so its request
            // buffer grows in several steps (each step used to leave the buffer it outgrew to the collector).
            final java.util.Random random = new java.util.Random(11);
            final byte[][] values = new byte[4][VALUE_LENGTH / 2];
            final String[] keys = {"big0", "big1", "big2", "big3"};
            for (int i = 0; i < keys.length; i++)
            {
                random.nextBytes(values[i]);
                client.set(keys[i].getBytes(), values[i]);
            }
            targetClient.ping();
            final long before = bufferBytes(client);

            assertEquals("OK", client.migrate("127.0.0.1", target.port(), 0, 10_000,
                new redis.clients.jedis.params.MigrateParams(), keys));

            // Change areas are freed once the replication log has read them, on its own thread: allow it a moment.
            final long after = awaitBufferBytesAtMost(client, before + SLACK_BYTES);
            assertTrue(after <= before + SLACK_BYTES, "buffers held " + before + " bytes before, " + after + " after");
            for (int i = 0; i < keys.length; i++)
            {
                assertArrayEquals(values[i], targetClient.get(keys[i].getBytes()));
            }
        }
    }

    @Test
    void aReplicaGivesBackWhatALargeValueFromItsMasterTook() throws Exception
    {
        try (TestServer master = TestServer.start();
            TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port());
            Jedis client = new Jedis("127.0.0.1", master.port(), 10_000);
            Jedis replicaClient = new Jedis("127.0.0.1", replica.port(), 10_000))
        {
            final long syncDeadline = System.currentTimeMillis() + 10_000;
            while (!replicaClient.info("replication").contains("master_link_status:up") &&
                System.currentTimeMillis() < syncDeadline)
            {
                Thread.sleep(20);
            }
            client.set("warm", "x");
            final long before = bufferBytes(client);
            // Incompressible: the replica's read buffer grows to the size of the message that carries it.
            final byte[] value = new byte[VALUE_LENGTH * 2];
            new java.util.Random(12).nextBytes(value);
            client.set("big".getBytes(), value);
            final long deadline = System.currentTimeMillis() + 10_000;
            while (replicaClient.strlen("big") != value.length && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(20);
            }
            assertArrayEquals(value, replicaClient.get("big".getBytes()));
            client.del("big");

            // The replica keeps up to 8 MB for building its batches (a busy replica's batch of 4 MB grows it so far).
            final long limit = before + SLACK_BYTES + 8 * 1024 * 1024;
            final long after = awaitBufferBytesAtMost(client, limit);
            assertTrue(after <= limit, "buffers held " + before + " bytes before, " + after + " after");
        }
    }

    /** Polls {@link #bufferBytes} for up to 5 s until it is at most {@code limit}; returns the last reading. */
    private static long awaitBufferBytesAtMost(final Jedis jedis, final long limit) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 5_000;
        long bytes = bufferBytes(jedis);
        while (bytes > limit && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(50);
            bytes = bufferBytes(jedis);
        }
        return bytes;
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
