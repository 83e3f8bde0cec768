package io.ringkv.net.replication;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import io.ringkv.replication.replica.ReplicaLink;
import io.ringkv.replication.replica.resp.RedisMasterLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.params.SetParams;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static io.ringkv.net.replication.ReplicationFixture.await;
import static io.ringkv.net.server.aof.AofTestSupport.call;
import static io.ringkv.net.server.aof.AofTestSupport.digest;
import static io.ringkv.net.server.aof.AofTestSupport.text;
import static io.ringkv.net.server.aof.AofTestSupport.writeEveryKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ringkv as a replica of a real redis-server 7.0.15 master, speaking Redis's replication protocol (chosen by
 * {@code replica-protocol auto}: the master's INFO has no ringkv_version): a full sync of every type, expiry,
 * several databases and a function library, disk-based and diskless; a write load with transactions, scripts,
 * expiries, deletes and FLUSHDB; a link cut in the middle continued with a partial resync; digest-equal at the end,
 * the master seeing the replica's acknowledged offset equal to its own; promotion and switching masters.
 */
class RedisMasterInteropTest
{
    private static final long TIMEOUT_MS = 30_000;
    private static final int WRITES = 3000;
    private static final String LIBRARY = "#!lua name=interop\n" +
        "redis.register_function('bump', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)";

    @TempDir
    Path ringkvDir;

    @ParameterizedTest(name = "repl-diskless-sync {0}")
    @ValueSource(strings = {"no", "yes"})
    void replicatesARedisMasterThroughAFullSyncAWriteLoadAndACutLink(final String diskless) throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.start("--repl-diskless-sync", diskless,
            "--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes");
            TestServer ringkv = TestServer.start("dir", ringkvDir.toString());
            Jedis master = new Jedis("127.0.0.1", redis.port());
            Jedis replica = new Jedis("127.0.0.1", ringkv.port()))
        {
            writeEveryKind(master, "");
            master.functionLoad(LIBRARY);
            replica.set("stale", "dropped by the full sync");

            assertEquals("OK", replica.replicaof("127.0.0.1", redis.port()));
            awaitCaughtUp(master, replica);
            assertEquals(digest(master), digest(replica), "every type, expiry and database came across");
            assertEquals(List.of("interop"), libraries(replica), "the function library came across");
            assertTrue(replica.pttl("ttl") > 3_000_000, "expiry came across");
            assertEquals(1, stat(master, "sync_full"));
            assertInstanceOf(RedisMasterLink.class, link(ringkv), "a Redis master gets Redis's protocol");

            final long partialBefore = stat(master, "sync_partial_ok");
            writeLoad(master, 1, WRITES / 2);
            // Cut the link in the middle of the load, from either side: it continues from its offset, no full sync.
            final Jedis side = "yes".equals(diskless) ? replica : master;
            assertEquals(1L, side.clientKill(new ClientKillParams()
                .type(side == replica ? ClientType.MASTER : ClientType.REPLICA)));
            writeLoad(master, 2, WRITES / 2);
            awaitCaughtUp(master, replica);

            assertEquals(digest(master), digest(replica), "digest-equal after the write load and the cut");
            assertEquals(1, stat(master, "sync_full"), "the cut link did not need a full sync");
            assertTrue(stat(master, "sync_partial_ok") > partialBefore, "the cut link continued (+CONTINUE)");
            assertEquals(field(master, "replication", "master_repl_offset"),
                field(replica, "replication", "slave_repl_offset"), "offsets count the stream's bytes");
            assertReplicaFields(redis, master, replica);

            // REPLICAOF NO ONE keeps the data and takes writes.
            final String promotedDigest = digest(replica);
            assertEquals("OK", replica.replicaofNoOne());
            assertEquals("master", field(replica, "replication", "role"));
            assertEquals(promotedDigest, digest(replica));
            assertEquals("OK", replica.set("after-promotion", "x"));
        }
    }

    @Test
    void switchesToAnotherRedisMaster() throws Exception
    {
        try (RedisServerProcess first = RedisServerProcess.start("--enable-debug-command", "yes",
            "--repl-diskless-sync-delay", "0");
            RedisServerProcess second = RedisServerProcess.start("--enable-debug-command", "yes",
                "--repl-diskless-sync-delay", "0");
            TestServer ringkv = TestServer.start("dir", ringkvDir.toString());
            Jedis one = new Jedis("127.0.0.1", first.port());
            Jedis two = new Jedis("127.0.0.1", second.port());
            Jedis replica = new Jedis("127.0.0.1", ringkv.port()))
        {
            one.set("from", "first");
            two.set("from", "second");
            two.hset("only-second", "f", "v");
            replica.replicaof("127.0.0.1", first.port());
            awaitCaughtUp(one, replica);
            assertEquals("first", replica.get("from"));

            replica.replicaof("127.0.0.1", second.port());
            awaitCaughtUp(two, replica);
            assertEquals(digest(two), digest(replica), "the new master's data set replaced the old one");
            assertEquals(String.valueOf(second.port()), field(replica, "replication", "master_port"));
        }
    }

    /**
     * Mixed writes, bounded: strings, counters, hashes, lists, sets, sorted sets, expiries (absolute on the
     * stream), deletes, MULTI/EXEC, EVAL, FCALL, other databases and one FLUSHDB.
     */
    private static void writeLoad(final Jedis master, final long seed, final int writes)
    {
        final Random random = new Random(seed);
        for (int i = 0; i < writes; i++)
        {
            final String key = "k" + random.nextInt(200);
            switch (random.nextInt(14))
            {
                case 0 -> master.set(key, "v" + i);
                case 1 -> master.incr("n" + random.nextInt(20));
                case 2 -> master.hset("h" + random.nextInt(20), "f" + random.nextInt(50), "v" + i);
                case 3 -> master.rpush("l" + random.nextInt(10), "e" + i);
                case 4 -> master.lpop("l" + random.nextInt(10));
                case 5 -> master.sadd("s" + random.nextInt(10), "m" + random.nextInt(100));
                case 6 -> master.zadd("z" + random.nextInt(10), random.nextInt(1000) / 8.0, "m" + random.nextInt(100));
                case 7 -> master.expire(key, 3600 + random.nextInt(3600));
                case 8 -> master.del(key);
                case 9 ->
                {
                    final Transaction tx = master.multi();
                    tx.set(key, "tx" + i);
                    tx.incrBy("txcounter", 2);
                    tx.hset("txhash", "f" + i % 7, "v");
                    tx.exec();
                }
                case 10 -> master.eval("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])",
                    List.of(key, "evalcounter"), List.of("script" + i));
                case 11 -> master.fcall("bump", List.of("fcounter"), List.of("3"));
                case 12 ->
                {
                    master.select(3);
                    master.set(key, "db3-" + i);
                    master.select(0);
                }
                default ->
                {
                    if (i % 500 == 13)
                    {
                        master.select(4);
                        master.set("doomed", "x");
                        master.flushDB();
                        master.set("survivor", "y");
                        master.select(0);
                    }
                    else
                    {
                        master.set(key, "d" + i, SetParams.setParams().px(7_200_000));
                    }
                }
            }
        }
    }

    private static void awaitCaughtUp(final Jedis master, final Jedis replica)
    {
        await("the replica to catch up with the master", TIMEOUT_MS, () ->
        {
            final long masterOffset = Long.parseLong(field(master, "replication", "master_repl_offset"));
            return "up".equals(field(replica, "replication", "master_link_status")) &&
                String.valueOf(masterOffset).equals(field(replica, "replication", "slave_repl_offset")) &&
                ackedOffset(master) == masterOffset;
        });
    }

    /** INFO replication and ROLE on both sides, as a Redis replica's would read. */
    private static void assertReplicaFields(final RedisServerProcess redis, final Jedis master, final Jedis replica)
    {
        assertEquals("slave", field(replica, "replication", "role"));
        assertEquals("127.0.0.1", field(replica, "replication", "master_host"));
        assertEquals(String.valueOf(redis.port()), field(replica, "replication", "master_port"));
        assertEquals("up", field(replica, "replication", "master_link_status"));
        assertEquals("0", field(replica, "replication", "master_sync_in_progress"));
        assertTrue(Long.parseLong(field(replica, "replication", "master_last_io_seconds_ago")) <= 10);
        assertEquals(field(master, "replication", "master_replid"), field(replica, "replication", "master_replid"));
        final List<Object> role = replica.role();
        assertEquals("slave", text(role.get(0)));
        assertEquals(String.valueOf(redis.port()), String.valueOf(role.get(2)));
        assertEquals("connected", text(role.get(3)));
        assertEquals(Long.parseLong(field(master, "replication", "master_repl_offset")), role.get(4));
        assertEquals(Long.parseLong(field(master, "replication", "master_repl_offset")), ackedOffset(master),
            "the master holds the replica's acknowledged offset equal to its own");
        assertEquals("1", field(master, "replication", "connected_slaves"));
    }

    /** The offset in the master's slave0 line (-1 without one). */
    private static long ackedOffset(final Jedis master)
    {
        final String slave = field(master, "replication", "slave0");
        if (slave == null)
        {
            return -1;
        }
        for (final String part : slave.split(","))
        {
            if (part.startsWith("offset="))
            {
                return Long.parseLong(part.substring("offset=".length()));
            }
        }
        return -1;
    }

    private static long stat(final Jedis redis, final String name)
    {
        return Long.parseLong(field(redis, "stats", name));
    }

    static String field(final Jedis jedis, final String section, final String name)
    {
        for (final String line : jedis.info(section).split("\r\n"))
        {
            if (line.startsWith(name + ":"))
            {
                return line.substring(name.length() + 1);
            }
        }
        return null;
    }

    private static List<String> libraries(final Jedis jedis)
    {
        return jedis.functionList().stream().map(library -> library.getLibraryName()).toList();
    }

    private static ReplicaLink link(final TestServer server)
    {
        final ReplicaLink link = server.server().replication().replicaLink();
        return link instanceof io.ringkv.replication.replica.resp.ProtocolChoosingLink choosing ?
            choosing.chosen() : link;
    }
}
