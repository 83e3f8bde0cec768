package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import io.ringkv.replication.ReplicationConfig;
import io.ringkv.replication.replica.MasterLink;
import io.ringkv.replication.replica.ReplicaLink;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.await;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.cutLinkRepeatedly;
import static io.ringkv.net.replication.ReplicationFixture.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults: writes during a full sync, links cut from either side, restarts, backlog overflow, chaining,
 * authentication.
 */
class ReplicationFaultTest
{
    private static final int COUNTERS = 8;

    @Test
    void writesFlowingDuringAFullSyncEndIdentical() throws Exception
    {
        System.setProperty(ReplicationConfig.SNAPSHOT_BUFFER_BYTES_PROP_NAME, Integer.toString(2 * 1024 * 1024));
        try (TestServer master = TestServer.start())
        {
            System.clearProperty(ReplicationConfig.SNAPSHOT_BUFFER_BYTES_PROP_NAME);
            try (Jedis m = new Jedis("127.0.0.1", master.port()))
            {
                final Pipeline pipeline = m.pipelined();
                for (int i = 0; i < 60_000; i++)
                {
                    pipeline.set("key:" + i, "value-" + i);
                    if (i % 10 == 0)
                    {
                        pipeline.pexpire("key:" + i, 3_600_000);
                    }
                }
                pipeline.sync();
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLongArray counts = new AtomicLongArray(COUNTERS);
            final Thread[] writers = new Thread[2];
            for (int w = 0; w < writers.length; w++)
            {
                final long seed = w;
                writers[w] = Thread.ofPlatform().start(() -> write(master.port(), seed, stop, counts, 0));
            }
            Thread.sleep(100);
            try (TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port()))
            {
                await("the full sync to start", 10_000, () -> replica.server().replication().link() != null &&
                    replica.server().replication().link().syncs() > 0 || !master.server().replication()
                    .replicas().isEmpty());
                Thread.sleep(700);
                stop.set(true);
                for (final Thread writer : writers)
                {
                    writer.join();
                }
                awaitInSync(master, replica, 30_000);
                try
                {
                    assertSameContents(master, replica);
                }
                catch (final AssertionError ex)
                {
                    System.out.println("MASTER LOG\n" + master.log() + "\nREPLICA LOG\n" + replica.log());
                    throw ex;
                }
                assertCounters(master, replica, counts);
                final String info = info(master);
                assertTrue(info.contains("ringkv_repl_snapshot_peak_bytes:"), info);
                // The dump really overlapped the writes: the image was taken at N and log entries after N followed.
                final java.util.regex.Matcher sync =
                    java.util.regex.Pattern.compile("full sync at offset (\\d+)").matcher(master.log());
                assertTrue(sync.find(), master.log());
                final long snapshotOffset = Long.parseLong(sync.group(1));
                assertTrue(snapshotOffset > 60_000 && snapshotOffset < master.server().replication().engine()
                    .replicationOffset() - 1000, snapshotOffset + " vs " +
                    master.server().replication().engine().replicationOffset());
            }
        }
        finally
        {
            System.clearProperty(ReplicationConfig.SNAPSHOT_BUFFER_BYTES_PROP_NAME);
        }
    }

    @Test
    void repeatedFullSyncsUnderWritesEndIdentical() throws Exception
    {
        try (TestServer master = TestServer.start())
        {
            try (Jedis m = new Jedis("127.0.0.1", master.port()))
            {
                final Pipeline pipeline = m.pipelined();
                for (int i = 0; i < 60_000; i++)
                {
                    pipeline.set("key:" + i, "value-" + i);
                }
                pipeline.sync();
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLongArray counts = new AtomicLongArray(COUNTERS);
            final Thread writer = Thread.ofPlatform().start(() -> write(master.port(), 3, stop, counts, 0));
            try (TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port());
                Jedis r = new Jedis("127.0.0.1", replica.port()))
            {
                for (int round = 0; round < 4; round++)
                {
                    Thread.sleep(300);
                    r.replicaofNoOne();
                    r.replicaof("127.0.0.1", master.port());
                }
                Thread.sleep(300);
                stop.set(true);
                writer.join();
                awaitInSync(master, replica, 30_000);
                try
                {
                    assertSameContents(master, replica);
                }
                catch (final AssertionError ex)
                {
                    System.out.println("MASTER LOG\n" + master.log() + "\nREPLICA LOG\n" + replica.log());
                    throw ex;
                }
                assertCounters(master, replica, counts);
            }
        }
    }

    @Test
    void linkCutMidStreamEitherSideContinuesWithoutLossOrDuplication() throws Exception
    {
        try (TestServer master = TestServer.start("repl-backlog-size", "32mb");
            TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port()))
        {
            awaitInSync(master, replica, 10_000);
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLongArray counts = new AtomicLongArray(COUNTERS);
            // Paced (at most 50,000 changes/s) so the replica keeps up on any machine: an unpaced writer outran the
            // replica's apply until the 32 MB backlog overflowed, and a full sync is then the right answer.
            final Thread writer = Thread.ofPlatform().start(() -> write(master.port(), 7, stop, counts, 2));
            cutLinkRepeatedly(master, replica, 6, 120);
            Thread.sleep(100);
            stop.set(true);
            writer.join();
            awaitInSync(master, replica, 20_000);
            assertCounters(master, replica, counts);
            assertSameContents(master, replica);
            final String info = info(master);
            assertTrue(info.contains("ringkv_repl_full_syncs:1\r\n"), info);
            assertTrue(info.contains("ringkv_repl_partial_syncs:"), info);
            assertTrue(!info.contains("ringkv_repl_partial_syncs:0\r\n"), info);
        }
    }

    @Test
    void restartedReplicaFullSyncsAndRestartedMasterForcesAFullSync() throws Exception
    {
        final int masterPort;
        try (TestServer master = TestServer.start())
        {
            masterPort = master.port();
            try (Jedis m = new Jedis("127.0.0.1", master.port()))
            {
                m.set("old", "1");
                try (TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port()))
                {
                    awaitInSync(master, replica, 10_000);
                }
                m.set("while-replica-down", "2");
                try (TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port()))
                {
                    awaitInSync(master, replica, 10_000);
                    assertSameContents(master, replica);
                }
            }
        }

        // Master restarted: a new replication id, so the replica must drop what it had.
        try (TestServer master = TestServer.start("port", Integer.toString(masterPort));
            TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + masterPort))
        {
            try (Jedis m = new Jedis("127.0.0.1", master.port()))
            {
                m.set("first-life", "a");
                awaitInSync(master, replica, 10_000);
                final String firstReplid = master.server().replication().replid();
                master.close();
                try (TestServer reborn = TestServer.start("port", Integer.toString(masterPort));
                    Jedis m2 = new Jedis("127.0.0.1", reborn.port()))
                {
                    m2.set("second-life", "b");
                    awaitInSync(reborn, replica, 20_000);
                    assertTrue(!firstReplid.equals(reborn.server().replication().replid()));
                    assertSameContents(reborn, replica);
                    try (Jedis r = new Jedis("127.0.0.1", replica.port()))
                    {
                        assertEquals(null, r.get("first-life"));
                        assertEquals("b", r.get("second-life"));
                    }
                }
            }
        }
    }

    @Test
    void replicaThatFellOutOfTheBacklogFullSyncsAgain() throws Exception
    {
        try (TestServer master = TestServer.start("repl-backlog-size", "16kb");
            TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port());
            Jedis m = new Jedis("127.0.0.1", master.port()))
        {
            awaitInSync(master, replica, 10_000);
            final MasterLink link = replica.server().replication().link();
            final long syncsBefore = link.syncs();
            link.disconnect(1000);
            await("the link to drop", 5_000, () -> !"up".equals(link.linkStatus()));
            final Pipeline pipeline = m.pipelined();
            for (int i = 0; i < 2000; i++)
            {
                pipeline.set("overflow:" + i, "x".repeat(20));
            }
            pipeline.sync();
            await("the backlog to overflow past the replica", 5_000, () ->
                master.server().replication().backlog().firstRecord() > link.offset() + 1);
            awaitInSync(master, replica, 20_000);
            assertTrue(link.syncs() > syncsBefore);
            assertSameContents(master, replica);
            assertTrue(info(master).contains("ringkv_repl_full_syncs:2\r\n"), info(master));
        }
    }

    @Test
    void aReplicaThatStopsReadingForLongerThanTheBacklogIsBufferedNotDropped() throws Exception
    {
        // A replica that reads nothing while 40 MB of log (40x the backlog, more than the sockets' buffers) is
        // written must still get every line in order once it reads again, as a Redis replica does from its
        // output buffer; before, its sender stopped taking the log while its write was blocked, fell out of the
        // backlog, and dropped the replica into a full sync.
        try (TestServer master = TestServer.start();
            Jedis m = new Jedis("127.0.0.1", master.port());
            LineClient replica = new LineClient(master.port()))
        {
            assertTrue(replica.command("sync", "?", "-1", "0").contains("\"full\""));
            assertTrue(replica.readLine().startsWith("{\"cmd\":\"dump\""));
            final int writes = 4000;
            final String value = "v".repeat(10 * 1024);
            final Pipeline pipeline = m.pipelined();
            for (int i = 0; i < writes; i++)
            {
                pipeline.set("big:" + i, value);
            }
            pipeline.sync();
            await("the backlog to move past the stalled replica", 10_000, () ->
                master.server().replication().backlog().firstRecord() > 1_000);
            Thread.sleep(200); // let a sender that would fall out notice it
            for (long offset = 1; offset <= writes; offset++)
            {
                final String line = replica.readLine();
                assertTrue(line != null && line.endsWith(",\"offset\":" + offset + "}"),
                    "log line " + offset + ": " + (line == null ? "connection closed" : line.substring(0, 80)));
            }
            final String info = info(master);
            assertTrue(info.contains("connected_slaves:1\r\n") && info.contains("ringkv_repl_full_syncs:1\r\n"),
                info);
        }
    }

    @Test
    void configSetReplBacklogSizeResizesTheBacklogLive() throws Exception
    {
        try (TestServer master = TestServer.start();
            TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port());
            Jedis m = new Jedis("127.0.0.1", master.port()))
        {
            awaitInSync(master, replica, 10_000);
            final MasterLink link = replica.server().replication().link();

            // Shrunk to 16 KB, the backlog cannot hold the ~180 KB of log a replica away for a while misses.
            assertEquals("OK", m.configSet("repl-backlog-size", "16kb"));
            assertTrue(info(master).contains("repl_backlog_size:16384\r\n"), info(master));
            writeWhileAway(m, link, "small", 2000);
            awaitInSync(master, replica, 20_000);
            assertTrue(info(master).contains("ringkv_repl_full_syncs:2\r\n"), info(master));

            // Grown to 10 MB, it holds them: the replica continues.
            assertEquals("OK", m.configSet("repl-backlog-size", "10mb"));
            assertTrue(info(master).contains("repl_backlog_size:10485760\r\n"), info(master));
            writeWhileAway(m, link, "large", 2000);
            awaitInSync(master, replica, 20_000);
            final String info = info(master);
            assertTrue(info.contains("ringkv_repl_full_syncs:2\r\n") && info.contains("ringkv_repl_partial_syncs:1\r\n"),
                info);
            assertSameContents(master, replica);
        }
    }

    private static void writeWhileAway(final Jedis master, final MasterLink link, final String prefix,
        final int writes)
    {
        link.disconnect(1000);
        await("the link to drop", 5_000, () -> !"up".equals(link.linkStatus()));
        final Pipeline pipeline = master.pipelined();
        for (int i = 0; i < writes; i++)
        {
            pipeline.set(prefix + ":" + i, "x".repeat(20));
        }
        pipeline.sync();
    }

    @Test
    void chainedReplicationIsRefusedWithAClearError() throws Exception
    {
        try (TestServer master = TestServer.start();
            TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port());
            TestServer second = TestServer.start("replicaof", "127.0.0.1 " + replica.port()))
        {
            awaitInSync(master, replica, 10_000);
            final MasterLink link = second.server().replication().link();
            await("the refusal", 10_000, () -> link.lastError() != null);
            assertTrue(link.lastError().contains("chained replication is not supported"), link.lastError());
            assertNotEquals("up", link.linkStatus());
        }
    }

    @Test
    void withoutMasterauthAReplicaCannotSyncFromAPasswordProtectedMaster() throws Exception
    {
        try (TestServer master = TestServer.start("requirepass", "s3cret");
            Jedis m = new Jedis("127.0.0.1", master.port()))
        {
            m.auth("s3cret");
            m.set("secret", "data");
            try (TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port());
                Jedis r = new Jedis("127.0.0.1", replica.port()))
            {
                // The protocol probe (INFO server) is the first to be refused; replica-protocol auto.
                final ReplicaLink link = replica.server().replication().replicaLink();
                await("the refusal", 10_000, () -> link.lastError() != null);
                assertTrue(link.lastError().contains("NOAUTH"), link.lastError());
                assertNotEquals("up", link.linkStatus());
                assertEquals(0L, r.dbSize());
            }
            try (TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port(),
                "masterauth", "s3cret");
                Jedis r = new Jedis("127.0.0.1", replica.port()))
            {
                await("the sync", 10_000, () ->
                {
                    try
                    {
                        return "data".equals(r.get("secret"));
                    }
                    catch (final redis.clients.jedis.exceptions.JedisDataException ex)
                    {
                        assertTrue(ex.getMessage().startsWith("LOADING"), ex.getMessage());
                        return false; // the full sync is loading
                    }
                });
            }
        }
    }

    /**
     * Pipelines of 100 changes (50 INCRs and 50 mixed writes) until stopped, {@code pauseMs} apart.
     */
    private static void write(
        final int port, final long seed, final AtomicBoolean stop, final AtomicLongArray counts, final long pauseMs)
    {
        final Random random = new Random(seed);
        try (Jedis jedis = new Jedis("127.0.0.1", port))
        {
            int next = 0;
            while (!stop.get())
            {
                final Pipeline pipeline = jedis.pipelined();
                final int[] incremented = new int[COUNTERS];
                for (int i = 0; i < 50; i++)
                {
                    final int counter = random.nextInt(COUNTERS);
                    pipeline.incr("counter:" + counter);
                    incremented[counter]++;
                    final String key = "key:" + random.nextInt(60_000);
                    switch (random.nextInt(6))
                    {
                        case 0 -> pipeline.set(key, "rewritten-" + random.nextInt());
                        case 1 -> pipeline.del(key);
                        case 2 -> pipeline.rename("key:" + random.nextInt(60_000), "renamed:" + seed + ":" + next);
                        case 3 -> pipeline.pexpire(key, 1 + random.nextInt(50));
                        case 4 -> pipeline.set("new:" + seed + ":" + next, "n", SetParams.setParams().px(
                            random.nextBoolean() ? 20 : 3_600_000));
                        default -> pipeline.append(key, "+");
                    }
                    next++;
                }
                pipeline.sync();
                for (int c = 0; c < COUNTERS; c++)
                {
                    counts.addAndGet(c, incremented[c]);
                }
                if (pauseMs > 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs));
                }
            }
        }
        catch (final RuntimeException ex)
        {
            if (!stop.get())
            {
                throw ex;
            }
        }
    }

    private static void assertCounters(
        final TestServer master, final TestServer replica, final AtomicLongArray counts)
    {
        for (int attempt = 0; ; attempt++)
        {
            try (Jedis r = new Jedis("127.0.0.1", replica.port()))
            {
                for (int c = 0; c < COUNTERS; c++)
                {
                    final String value = r.get("counter:" + c);
                    assertEquals(counts.get(c), value == null ? 0 : Long.parseLong(value), "counter:" + c);
                }
                return;
            }
            catch (final redis.clients.jedis.exceptions.JedisDataException ex)
            {
                // LOADING: the master dropped the replica (a loaded machine) and it is in another full sync, as
                // assertSameContents allows: read the counters once it has loaded.
                if (attempt == 4)
                {
                    throw ex;
                }
                awaitInSync(master, replica, 20_000);
            }
        }
    }
}
