package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import io.ringkv.replication.replica.MasterLink;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.util.Map;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.await;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.digest;
import static io.ringkv.net.replication.ReplicationFixture.fields;
import static io.ringkv.net.replication.ReplicationFixture.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PSYNC2: after a failover the old master's other replicas continue from the promoted one with a partial sync.
 */
class FailoverTest
{
    @Test
    void afterAFailoverAReplicaThatWasBehindContinuesFromThePromotedOneWithoutAFullSync() throws Exception
    {
        try (TestServer b = TestServer.start();
            TestServer c = TestServer.start())
        {
            final String oldReplid;
            final long oldOffset;
            try (TestServer a = TestServer.start();
                Jedis onA = new Jedis("127.0.0.1", a.port());
                Jedis onB = new Jedis("127.0.0.1", b.port());
                Jedis onC = new Jedis("127.0.0.1", c.port()))
            {
                write(onA, "before", 20);
                onB.replicaof("127.0.0.1", a.port());
                onC.replicaof("127.0.0.1", a.port());
                write(onA, "streamed", 20);
                awaitInSync(a, b, 20_000);
                awaitInSync(a, c, 20_000);
                // C falls behind before A goes: it must get what it missed of A's history from B's backlog.
                final MasterLink cLink = c.server().replication().link();
                cLink.disconnect(60_000);
                await("C's link to drop", 5_000, () -> !"up".equals(cLink.linkStatus()));
                write(onA, "missed by C", 30);
                awaitInSync(a, b, 20_000);
                assertTrue(cLink.offset() < a.server().replication().engine().replicationOffset());
                oldReplid = a.server().replication().replid();
                oldOffset = a.server().replication().engine().replicationOffset();
            } // A stops

            try (Jedis onB = new Jedis("127.0.0.1", b.port());
                Jedis onC = new Jedis("127.0.0.1", c.port()))
            {
                assertEquals("OK", onB.replicaofNoOne());
                final Map<String, String> promoted = fields(info(b));
                assertEquals(oldReplid, promoted.get("master_replid2"));
                assertEquals(Long.toString(oldOffset + 1), promoted.get("second_repl_offset"));
                assertNotEquals(oldReplid, promoted.get("master_replid"));

                onC.replicaof("127.0.0.1", b.port());
                write(onB, "after", 20);
                awaitInSync(b, c, 20_000);

                final Map<String, String> stats = fields(onB.info("stats"));
                assertEquals("1", stats.get("sync_partial_ok"), "C continued from B");
                assertEquals("0", stats.get("sync_full"), "nobody full-synced from B");
                assertEquals("0", stats.get("sync_partial_err"));
                assertEquals(digest(b), digest(c));
                assertSameContents(b, c);
            }
        }
    }

    /** 100 keys and an incremented counter per round, pipelined. */
    private static void write(final Jedis master, final String prefix, final int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            final Pipeline pipeline = master.pipelined();
            for (int i = 0; i < 100; i++)
            {
                pipeline.set(prefix + ":" + round + ":" + i, "value " + i);
            }
            pipeline.incr("counter");
            pipeline.sync();
        }
    }
}
