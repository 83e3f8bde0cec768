package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.SortedSetOption;
import redis.clients.jedis.params.ZAddParams;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sorted sets reach replicas both ways: streamed as their effects (ZADD of resulting scores, ZREM of what was
 * removed or popped, ZREMRANGE and STOREs as themselves) and in a full sync's dump ({"$zset":{...}}), listpack and
 * skip list, scores with every kind of double (inf, -0, 1e-300, 17 significant digits), with TTLs and RESTORE;
 * master and replicas end digest-equal.
 */
class ZSetReplicationTest
{
    @Test
    void sortedSetsStreamAndFullSyncToReplicas() throws Exception
    {
        try (TestServer master = TestServer.start();
            TestServer streamed = TestServer.start("replicaof", "127.0.0.1 " + master.port());
            Jedis jedis = new Jedis("127.0.0.1", master.port(), 20_000))
        {
            awaitInSync(master, streamed, 20_000);
            final Random random = new Random(13);
            final double[] odd = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e-300, 0.1 + 0.2, 1e17};
            for (int i = 0; i < 4000; i++)
            {
                final String key = "z" + random.nextInt(8);
                final String member = "m" + random.nextInt(key.equals("z0") ? 400 : 40);
                final double score = random.nextInt(10) == 0 ? odd[random.nextInt(odd.length)] :
                    random.nextInt(1000) / 7.0;
                switch (random.nextInt(9))
                {
                    case 0, 1, 2 -> jedis.zadd(key, score, member);
                    case 3 -> jedis.zadd(key, score, member, ZAddParams.zAddParams().gt().ch());
                    case 4 -> jedis.zincrby(key, random.nextInt(5), member);
                    case 5 -> jedis.zrem(key, member);
                    case 6 -> jedis.zpopmin(key, 1 + random.nextInt(2));
                    case 7 -> jedis.zremrangeByScore(key, 10, 12);
                    default -> jedis.zunionstore("u" + random.nextInt(3), key, "z" + random.nextInt(8));
                }
            }
            final Map<String, Double> big = new HashMap<>();
            for (int i = 0; i < 5000; i++)
            {
                big.put("member:" + i, i * 1.25);
            }
            jedis.zadd("big", big);
            jedis.zmpop(SortedSetOption.MAX, 10, "big");
            jedis.restore("restored", 600_000, jedis.dump("big"));
            jedis.zadd("ttl", 1, "a");
            jedis.pexpire("ttl", 600_000);

            awaitInSync(master, streamed, 20_000);
            assertSameContents(master, streamed);
            assertEquals(digest(master), digest(streamed));
            try (TestServer synced = TestServer.start("replicaof", "127.0.0.1 " + master.port());
                Jedis replica = new Jedis("127.0.0.1", synced.port(), 20_000))
            {
                awaitInSync(master, synced, 20_000);
                assertSameContents(master, synced);
                assertEquals(digest(master), digest(synced));
                assertEquals("skiplist", replica.objectEncoding("big"));
                assertEquals(jedis.zrangeWithScores("big", 0, -1), replica.zrangeWithScores("big", 0, -1));
                jedis.zadd("big", 0, "new");
                awaitInSync(master, synced, 20_000);
                assertEquals(digest(master), digest(synced));
            }
        }
    }
}
