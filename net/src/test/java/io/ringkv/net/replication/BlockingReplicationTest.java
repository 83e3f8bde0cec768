package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ListDirection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Producers push while consumers wait in BRPOP, BLMOVE and BLMPOP: the pops and moves that served blocked clients
 * reach the replica as what happened (the blocking commands themselves never do), so master and replica end
 * digest-equal, and every element pushed was taken exactly once or is still there.
 */
class BlockingReplicationTest
{
    private static final int PRODUCERS = 2;
    private static final int CONSUMERS = 6;
    private static final int PER_PRODUCER = 1500;
    private static final String[] QUEUES = {"q0", "q1", "q2"};

    @Test
    void producerConsumerLoadLeavesMasterAndReplicaDigestEqual() throws Exception
    {
        try (TestServer master = TestServer.start();
            TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port());
            Jedis control = new Jedis("127.0.0.1", master.port(), 20_000))
        {
            awaitInSync(master, replica, 20_000);
            final ConcurrentHashMap<String, Boolean> taken = new ConcurrentHashMap<>();
            final AtomicInteger duplicates = new AtomicInteger();
            final AtomicBoolean producing = new AtomicBoolean(true);
            final List<Thread> consumers = new ArrayList<>();
            for (int c = 0; c < CONSUMERS; c++)
            {
                final int consumer = c;
                consumers.add(Thread.ofPlatform().start(() -> consume(master.port(), consumer, producing, taken,
                    duplicates)));
            }
            final List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++)
            {
                final int producer = p;
                producers.add(Thread.ofPlatform().start(() ->
                {
                    try (Jedis jedis = new Jedis("127.0.0.1", master.port(), 20_000))
                    {
                        for (int i = 0; i < PER_PRODUCER; i++)
                        {
                            jedis.lpush(QUEUES[i % QUEUES.length], producer + ":" + i);
                        }
                    }
                }));
            }
            for (final Thread producer : producers)
            {
                producer.join();
            }
            producing.set(false);
            for (final Thread consumer : consumers)
            {
                consumer.join(30_000);
                assertTrue(!consumer.isAlive(), "a consumer never finished");
            }
            // What BLMOVE moved is in "moved:*" lists; whatever nobody took is still queued.
            long left = 0;
            for (final String queue : QUEUES)
            {
                left += control.llen(queue);
            }
            long moved = 0;
            for (int c = 0; c < CONSUMERS; c++)
            {
                moved += control.llen("moved:" + c);
            }
            assertEquals(0, duplicates.get(), "an element was taken twice");
            assertEquals(PRODUCERS * PER_PRODUCER, taken.size() + left);
            assertTrue(moved > 0, "BLMOVE served some elements");
            assertTrue(control.info("clients").contains("blocked_clients:0"));
            awaitInSync(master, replica, 20_000);
            assertEquals(digest(master), digest(replica));
        }
    }

    private static void consume(final int port, final int consumer, final AtomicBoolean producing,
        final ConcurrentHashMap<String, Boolean> taken, final AtomicInteger duplicates)
    {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 20_000))
        {
            int idle = 0;
            for (int round = 0; idle < 3; round++)
            {
                String element = null;
                switch ((consumer + round) % 3)
                {
                    case 0 ->
                    {
                        final List<String> popped = jedis.brpop(1, QUEUES);
                        element = null == popped ? null : popped.get(1);
                    }
                    case 1 -> element = jedis.blmove(QUEUES[round % QUEUES.length], "moved:" + consumer,
                        ListDirection.RIGHT, ListDirection.LEFT, 0.2);
                    default ->
                    {
                        final var popped = jedis.blmpop(0.2, ListDirection.RIGHT, 2, QUEUES);
                        if (null != popped)
                        {
                            for (final String value : popped.getValue())
                            {
                                if (null != taken.put(value, Boolean.TRUE))
                                {
                                    duplicates.incrementAndGet();
                                }
                            }
                            element = popped.getValue().isEmpty() ? null : "";
                        }
                    }
                }
                if (null != element && !element.isEmpty() && null != taken.put(element, Boolean.TRUE))
                {
                    duplicates.incrementAndGet();
                }
                idle = null == element && !producing.get() ? idle + 1 : 0;
            }
        }
    }
}
