package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hashes and sets reach replicas both ways: streamed as the commands that changed them (the generic log form) and
 * in a full sync's dump ({"$hash":{...}}, {"$set":[...]}), every encoding, with their TTLs, and the set algebra's
 * STOREs; master and replicas end digest-equal.
 */
class CollectionReplicationTest
{
    @Test
    void hashesAndSetsStreamAndFullSyncToReplicas() throws Exception
    {
        try (TestServer master = TestServer.start();
            TestServer streamed = TestServer.start("replicaof", "127.0.0.1 " + master.port());
            Jedis jedis = new Jedis("127.0.0.1", master.port(), 20_000))
        {
            awaitInSync(master, streamed, 20_000);
            final Random random = new Random(11);
            final Map<String, String> big = new HashMap<>();
            for (int i = 0; i < 3000; i++)
            {
                final String key = "h" + random.nextInt(40);
                switch (random.nextInt(5))
                {
                    case 0, 1 -> jedis.hset(key, "f" + random.nextInt(30), "v" + i);
                    case 2 -> jedis.hdel(key, "f" + random.nextInt(30));
                    case 3 -> jedis.hincrBy(key, "n" + random.nextInt(3), random.nextInt(100));
                    default -> jedis.hincrByFloat(key, "x", 0.5);
                }
                big.put("field:" + i, i % 7 == 0 ? "y".repeat(100) : Integer.toString(i));
            }
            jedis.hset("big", big);
            jedis.hset("binary".getBytes(), new byte[]{(byte)0xff, 0}, new byte[]{(byte)0xfe});
            for (int i = 0; i < 2000; i++)
            {
                final String set = "s" + random.nextInt(20);
                if (random.nextInt(3) == 0)
                {
                    jedis.srem(set, Integer.toString(random.nextInt(50)));
                }
                else
                {
                    jedis.sadd(set, random.nextInt(10) == 0 ? "m" + i : Integer.toString(random.nextInt(50)));
                }
            }
            for (int i = 0; i < 1000; i++)
            {
                jedis.sadd("bigints", Integer.toString(i * 7));
            }
            // Set algebra's STOREs travel as the commands themselves; the replica computes the same sets, also
            // when the destination is a source, the result is empty (the destination goes) or crosses encodings.
            for (int i = 0; i < 300; i++)
            {
                final String destination = "s" + random.nextInt(24);
                final String[] sources = {"s" + random.nextInt(24), random.nextInt(4) == 0 ? "bigints" :
                    "s" + random.nextInt(24)};
                switch (random.nextInt(3))
                {
                    case 0 -> jedis.sinterstore(destination, sources);
                    case 1 -> jedis.sunionstore(destination, sources);
                    default -> jedis.sdiffstore(destination, sources);
                }
            }
            jedis.sadd("smallints", "1", "-5", "70000");
            jedis.restore("restoredtable", 600_000, jedis.dump("bigints"));
            jedis.restore("restoredintset".getBytes(), 0, jedis.dump("smallints"));
            jedis.hset("ttl", "a", "1");
            jedis.pexpire("ttl", 600_000);
            jedis.select(3);
            jedis.hset("in3", "k", "v");
            jedis.select(0);

            awaitInSync(master, streamed, 20_000);
            assertSameContents(master, streamed);
            assertEquals(digest(master), digest(streamed));
            try (TestServer synced = TestServer.start("replicaof", "127.0.0.1 " + master.port());
                Jedis replica = new Jedis("127.0.0.1", synced.port(), 20_000))
            {
                awaitInSync(master, synced, 20_000);
                assertSameContents(master, synced);
                assertEquals(digest(master), digest(synced));
                assertEquals(big, replica.hgetAll("big"));
                assertEquals("hashtable", replica.objectEncoding("big"));
                assertEquals(jedis.smembers("bigints"), replica.smembers("bigints"));
                assertEquals("hashtable", replica.objectEncoding("bigints"));
                assertEquals("intset", replica.objectEncoding("smallints"));
                jedis.hdel("big", "field:1");
                jedis.hset("ttl", "b", "2");
                awaitInSync(master, synced, 20_000);
                assertEquals(digest(master), digest(synced));
            }
        }
    }
}
