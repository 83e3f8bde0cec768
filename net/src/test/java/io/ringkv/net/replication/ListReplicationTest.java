package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.ListPosition;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Lists reach replicas both ways: streamed as the commands that changed them (LPUSH, LPOP with its count, LMPOP as
 * the pop it made, LMOVE, LSET, LINSERT, LREM, LTRIM) and in a full sync's dump ({"$list":[...]}), in-entry and
 * node chains, with their TTLs; master and replicas end digest-equal and in the same order.
 */
class ListReplicationTest
{
    @Test
    void listsStreamAndFullSyncToReplicas() throws Exception
    {
        try (TestServer master = TestServer.start();
            TestServer streamed = TestServer.start("replicaof", "127.0.0.1 " + master.port());
            Jedis jedis = new Jedis("127.0.0.1", master.port(), 20_000))
        {
            awaitInSync(master, streamed, 20_000);
            final Random random = new Random(13);
            for (int i = 0; i < 6000; i++)
            {
                final String key = "l" + random.nextInt(10);
                final String other = "l" + random.nextInt(10);
                final String value = random.nextInt(10) == 0 ? "v".repeat(200) : Integer.toString(random.nextInt(40));
                switch (random.nextInt(12))
                {
                    case 0, 1, 2 -> jedis.lpush(key, value, "e" + i);
                    case 3, 4 -> jedis.rpush(key, value);
                    case 5 -> jedis.lpop(key, 1 + random.nextInt(3));
                    case 6 -> jedis.rpop(key);
                    case 7 -> jedis.lmove(key, other, ListDirection.LEFT, ListDirection.RIGHT);
                    case 8 -> jedis.linsert(key, ListPosition.BEFORE, Integer.toString(random.nextInt(40)), value);
                    case 9 -> jedis.lrem(key, random.nextInt(3) - 1, Integer.toString(random.nextInt(40)));
                    case 10 -> jedis.ltrim(key, random.nextInt(3), -1 - random.nextInt(3));
                    default -> jedis.lmpop(ListDirection.RIGHT, 2, key, other);
                }
            }
            final List<String> big = new ArrayList<>();
            for (int i = 0; i < 30_000; i++)
            {
                big.add(i % 5 == 0 ? Integer.toString(i) : "element:" + i);
            }
            jedis.rpush("big", big.toArray(new String[0]));
            jedis.lset("big", 15_000, "changed");
            big.set(15_000, "changed");
            jedis.rpush("ttl", "a", "b");
            jedis.pexpire("ttl", 600_000);
            jedis.restore("restored", 0, jedis.dump("big"));
            jedis.copy("big", "copied", false);

            awaitInSync(master, streamed, 20_000);
            // The offset is the replica's received one: on a loaded machine applying the last big writes (a 30,000
            // element RPUSH, RESTORE, COPY) may take longer than assertSameContents's short retries.
            awaitSameDigest(master, streamed);
            assertSameContents(master, streamed);
            assertEquals(digest(master), digest(streamed));
            try (TestServer synced = TestServer.start("replicaof", "127.0.0.1 " + master.port());
                Jedis replica = new Jedis("127.0.0.1", synced.port(), 20_000))
            {
                awaitInSync(master, synced, 20_000);
                awaitSameDigest(master, synced);
                assertSameContents(master, synced);
                assertEquals(digest(master), digest(synced));
                assertEquals(big, replica.lrange("big", 0, -1));
                assertEquals(big, replica.lrange("restored", 0, -1));
                assertEquals("quicklist", replica.objectEncoding("big"));
                jedis.rpop("big", 10);
                jedis.lpush("ttl", "c");
                awaitInSync(master, synced, 20_000);
                awaitSameDigest(master, synced);
                assertEquals(digest(master), digest(synced));
            }
        }
    }

    private static void awaitSameDigest(final TestServer master, final TestServer replica)
    {
        ReplicationFixture.await("replica digest equal to the master's", 20_000,
            () -> digest(master).equals(digest(replica)));
    }
}
