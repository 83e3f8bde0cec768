package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A master evicting under load stays equal to its replica: its evictions reach the replica as deletes, and the
 * replica, given the same small budget, never evicts on its own nor refuses its master's writes (Redis's
 * replica-ignore-maxmemory yes).
 */
class EvictionReplicationTest
{
    @Test
    void aMasterEvictingUnderLoadStaysDigestEqualWithItsReplica() throws Exception
    {
        evictUnderLoadAndCompare("allkeys-lfu", "allkeys-lru");
    }

    @Test
    void aTinyLfuMasterStaysDigestEqualWithATinyLfuReplica() throws Exception
    {
        evictUnderLoadAndCompare("allkeys-tinylfu", "allkeys-tinylfu");
    }

    private static void evictUnderLoadAndCompare(final String masterPolicy, final String replicaPolicy)
        throws Exception
    {
        try (TestServer master = TestServer.start("maxmemory", "3mb", "maxmemory-policy", masterPolicy);
            TestServer replica = TestServer.start("maxmemory", "2mb", "maxmemory-policy", replicaPolicy,
                "replicaof", "127.0.0.1 " + master.port());
            Jedis m = new Jedis("127.0.0.1", master.port());
            Jedis r = new Jedis("127.0.0.1", replica.port()))
        {
            awaitInSync(master, replica, 20_000);
            final String value = "v".repeat(120);
            for (int round = 0; round < 12; round++)
            {
                final Pipeline pipeline = m.pipelined();
                for (int i = 0; i < 4000; i++)
                {
                    final String key = "key:" + round + ":" + i;
                    if ((i & 3) == 0)
                    {
                        pipeline.set(key, value, SetParams.setParams().ex(3600));
                    }
                    else
                    {
                        pipeline.set(key, value);
                    }
                    if ((i & 7) == 0)
                    {
                        pipeline.get("key:0:" + i);
                        pipeline.incr("counter:" + (i & 63));
                    }
                }
                pipeline.sync();
            }
            final long evicted = stat(m, "evicted_keys");
            assertTrue(evicted > 10_000, "the master evicted " + evicted);
            awaitInSync(master, replica, 30_000);
            assertSameContents(master, replica);
            assertEquals(0, stat(r, "evicted_keys"), "a replica never evicts on its own");
        }
    }

    private static long stat(final Jedis jedis, final String name)
    {
        for (final String line : jedis.info("stats").split("\r\n"))
        {
            if (line.startsWith(name + ":"))
            {
                return Long.parseLong(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no " + name);
    }
}
