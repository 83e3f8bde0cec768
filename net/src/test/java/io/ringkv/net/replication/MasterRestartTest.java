package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.nio.file.Path;
import java.util.Map;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.await;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.digest;
import static io.ringkv.net.replication.ReplicationFixture.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A master with save points restarted with SHUTDOWN SAVE on the same port and dir keeps its replication id and offset
 * (the RDB file's repl-id and repl-offset), so its ringkv replica continues with a partial sync ("sync continue"): no
 * second full sync, and the data stays equal as writes go on.
 */
class MasterRestartTest
{
    @TempDir
    Path dir;

    @Test
    void aRestartedMasterKeepsItsHistoryAndItsReplicaContinues() throws Exception
    {
        final int masterPort;
        final String replid;
        final long offset;
        try (TestServer replica = TestServer.start())
        {
            TestServer master = TestServer.start("dir", dir.toString(), "save", "3600 1");
            masterPort = master.port();
            try (Jedis m = new Jedis("127.0.0.1", masterPort))
            {
                write(m, "first", 500);
                try (Jedis r = new Jedis("127.0.0.1", replica.port()))
                {
                    r.replicaof("127.0.0.1", masterPort);
                }
                awaitInSync(master, replica, 20_000);
                write(m, "synced", 200);
                awaitCaughtUp(m, replica);
                replid = master.server().replication().replid();
                offset = master.server().replication().engine().replicationOffset();
                assertEquals("1", fields(m.info("stats")).get("sync_full"));
                try
                {
                    m.shutdown(); // SHUTDOWN SAVE: save points are set
                }
                catch (final RuntimeException closedByServer)
                {
                    // The server closes the connection.
                }
                master.server().awaitShutdownRequest();
            }
            master.close();

            master = TestServer.start("dir", dir.toString(), "save", "3600 1", "port", Integer.toString(masterPort));
            try (Jedis m = new Jedis("127.0.0.1", masterPort))
            {
                assertEquals(replid, master.server().replication().replid());
                assertEquals(offset, master.server().replication().engine().replicationOffset());
                write(m, "reborn", 200);
                awaitCaughtUp(m, replica);
                final Map<String, String> stats = fields(m.info("stats"));
                assertEquals("0", stats.get("sync_full"), "no second full sync");
                assertEquals("1", stats.get("sync_partial_ok"), "the replica continued");
                assertEquals(digest(master), digest(replica));
                assertSameContents(master, replica);
            }
            finally
            {
                master.close();
            }
        }
    }

    /**
     * The replica has the master's last write (a reply can come before the master publishes its record's offset, so
     * offsets alone may be equal one record early), then the offsets agree.
     */
    private static void awaitCaughtUp(final Jedis master, final TestServer replica)
    {
        final String counter = master.get("counter");
        try (Jedis r = new Jedis("127.0.0.1", replica.port()))
        {
            await("the replica's counter at " + counter, 30_000, () -> counter.equals(r.get("counter")));
        }
    }

    private static void write(final Jedis client, final String prefix, final int keys)
    {
        final Pipeline pipeline = client.pipelined();
        for (int i = 0; i < keys; i++)
        {
            pipeline.set(prefix + ":" + i, "v" + i);
            pipeline.incr("counter");
        }
        pipeline.sync();
    }
}
