package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import io.ringkv.replication.ReplicationConfig;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.await;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full sync taken while big hashes, sets, sorted sets and lists are written, element by element and whole (DEL,
 * UNLINK, RENAME, overwrite), through a snapshot buffer smaller than each of them: the replica ends digest-equal
 * and key-by-key equal to the master (the collections are streamed in bounded parts, over several dump messages).
 */
class BigCollectionFullSyncTest
{
    private static final int RING_BYTES = 256 * 1024;
    private static final int ELEMENTS = 20_000;

    @Test
    void bigCollectionsWrittenDuringAFullSyncArriveAsTheyWere() throws Exception
    {
        System.setProperty(ReplicationConfig.SNAPSHOT_BUFFER_BYTES_PROP_NAME, Integer.toString(RING_BYTES));
        try (TestServer master = TestServer.start())
        {
            System.clearProperty(ReplicationConfig.SNAPSHOT_BUFFER_BYTES_PROP_NAME);
            try (Jedis m = new Jedis("127.0.0.1", master.port(), 30_000))
            {
                final Pipeline pipeline = m.pipelined();
                for (int c = 0; c < 4; c++)
                {
                    for (int i = 0; i < ELEMENTS; i++)
                    {
                        final String element = "element-" + i + "-" + "p".repeat(i % 13);
                        pipeline.hset("hash" + c, element, "value-" + i);
                        pipeline.sadd("set" + c, element);
                        pipeline.zadd("zset" + c, i * 0.25, element);
                        pipeline.rpush("list" + c, element);
                    }
                    pipeline.sync();
                }
                for (int i = 0; i < 2000; i++)
                {
                    pipeline.set("string" + i, "s" + i);
                }
                pipeline.pexpire("hash3", 3_600_000);
                pipeline.sync();
                // Each collection is larger than the whole snapshot buffer.
                assertTrue(m.memoryUsage("hash0") > RING_BYTES && m.memoryUsage("set0") > RING_BYTES &&
                    m.memoryUsage("list0") > RING_BYTES);
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong writes = new AtomicLong();
            final List<Throwable> failures = new ArrayList<>();
            final Thread writer = Thread.ofPlatform().start(() ->
            {
                try
                {
                    write(master.port(), stop, writes);
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            });
            await("writes flowing", 10_000, () -> writes.get() > 100);
            try (TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port()))
            {
                final long writesAtStart = writes.get();
                try
                {
                    await("the replica's link up", 60_000, () ->
                        ReplicationFixture.info(replica).contains("master_link_status:up\r\n"));
                }
                catch (final AssertionError ex)
                {
                    stop.set(true);
                    System.out.println("MASTER LOG\n" + master.log() + "\nREPLICA LOG\n" + replica.log());
                    throw ex;
                }
                final long writesDuringSync = writes.get() - writesAtStart;
                Thread.sleep(300);
                stop.set(true);
                writer.join();
                assertTrue(failures.isEmpty(), failures.toString());
                awaitInSync(master, replica, 60_000);
                try
                {
                    assertSameContents(master, replica);
                }
                catch (final AssertionError ex)
                {
                    System.out.println("MASTER LOG\n" + master.log() + "\nREPLICA LOG\n" + replica.log());
                    throw ex;
                }
                assertEquals(digest(master), digest(replica));
                assertTrue(writesDuringSync > 200, "only " + writesDuringSync + " writes during the sync");
                assertTrue(master.log().contains("full sync at offset"), master.log());
                System.out.println(master.log().lines().filter(line -> line.contains("sync") || line.contains("dump"))
                    .collect(java.util.stream.Collectors.joining("\n")));
            }
        }
    }

    /** Element writes to the big collections, and now and then a whole-collection operation. */
    private static void write(final int port, final AtomicBoolean stop, final AtomicLong writes)
    {
        final Random random = new Random(5);
        try (Jedis jedis = new Jedis("127.0.0.1", port, 30_000))
        {
            int round = 0;
            while (!stop.get())
            {
                final Pipeline pipeline = jedis.pipelined();
                for (int i = 0; i < 20; i++)
                {
                    final int c = random.nextInt(4);
                    final String element = "element-" + random.nextInt(ELEMENTS * 2) + "-" + "p".repeat(random.nextInt(13));
                    switch (random.nextInt(12))
                    {
                        case 0 -> pipeline.hset("hash" + c, element, "new-" + round);
                        case 1 -> pipeline.hdel("hash" + c, element);
                        case 2 -> pipeline.hset("hash" + c, "element-" + random.nextInt(ELEMENTS) + "-" +
                            "p".repeat(random.nextInt(13)), "changed-" + round + "x".repeat(random.nextInt(80)));
                        case 3 -> pipeline.sadd("set" + c, element);
                        case 4 -> pipeline.srem("set" + c, "element-" + random.nextInt(ELEMENTS) + "-" +
                            "p".repeat(random.nextInt(13)));
                        case 5 -> pipeline.zadd("zset" + c, random.nextInt(1000) / 8.0, element);
                        case 6 -> pipeline.zrem("zset" + c, element);
                        case 7 -> pipeline.zincrby("zset" + c, 1.5, "element-" + random.nextInt(ELEMENTS) + "-" +
                            "p".repeat(random.nextInt(13)));
                        case 8 -> pipeline.lpush("list" + c, element);
                        case 9 -> pipeline.rpop("list" + c);
                        case 10 -> pipeline.lset("list" + c, random.nextInt(1000), "set-" + round);
                        default ->
                        {
                            if (random.nextInt(20) == 0)
                            {
                                // Whole values: handed over to the snapshot rather than copied.
                                final String victim = new String[]{"hash", "set", "zset", "list"}[random.nextInt(4)] +
                                    (1 + random.nextInt(3));
                                switch (random.nextInt(4))
                                {
                                    case 0 -> pipeline.del(victim);
                                    case 1 -> pipeline.unlink(victim);
                                    case 2 -> pipeline.rename(victim, "renamed-" + round);
                                    default -> pipeline.set(victim, "overwritten");
                                }
                            }
                            else
                            {
                                pipeline.set("string" + random.nextInt(3000), "w" + round);
                            }
                        }
                    }
                }
                pipeline.sync();
                writes.addAndGet(20);
                round++;
            }
        }
        catch (final redis.clients.jedis.exceptions.JedisDataException ex)
        {
            // RENAME of a key already gone: ERR no such key; the rest of the pipeline was applied.
            if (!ex.getMessage().contains("no such key"))
            {
                throw ex;
            }
            if (!stop.get())
            {
                write(port, stop, writes);
            }
        }
    }
}
