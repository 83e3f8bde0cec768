package io.ringkv.net.replication;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.ringkv.net.server.aof.AofTestSupport.call;
import static io.ringkv.net.server.aof.AofTestSupport.digest;
import static io.ringkv.net.server.aof.AofTestSupport.text;
import static io.ringkv.net.server.aof.AofTestSupport.writeEveryKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real redis-server 7.0.15 started with {@code --replicaof} ringkv replicates from it as from a Redis master: a
 * full sync of every type (expiries, several databases, a function library), diskless and disk-based, then the
 * command stream under a bounded write load (MULTI/EXEC, EVAL, expiry, DEL, FLUSHDB, big collections), continuing
 * with a partial resync after the link is cut from either side, and ending DEBUG DIGEST equal (ringkv's digest is
 * Redis's algorithm: AofRedisInteropTest compares them across the two servers). Every server is stopped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisReplicaOfRingkvTest
{
    private static final String LIBRARY = "#!lua name=replib\n" +
        "redis.register_function('bump', function(keys, args) return redis.call('INCR', keys[1]) end)";

    @Test
    void disklessFullSyncThenStreamSurvivesCutLinksWithPartialResyncs() throws Exception
    {
        try (TestServer ringkv = TestServer.start("requirepass", "pw", "repl-ping-replica-period", "1");
            Jedis master = new Jedis("127.0.0.1", ringkv.port()))
        {
            master.auth("pw");
            writeEveryKind(master, "pre:");
            call(master, "FUNCTION", "LOAD", LIBRARY);
            master.pexpire("pre:raw", 400); // expires on the master during the test: reaches the replica as DEL
            try (RedisServerProcess redis = RedisServerProcess.start("--replicaof", "127.0.0.1",
                Integer.toString(ringkv.port()), "--masterauth", "pw", "--enable-debug-command", "yes");
                Jedis replica = new Jedis("127.0.0.1", redis.port()))
            {
                awaitInSync(master, replica);
                assertTrue(redisLog(replica).contains("receiving streamed RDB from master with EOF"),
                    "a diskless (EOF-marked) payload");
                assertEquals("replib", text(((List<?>)((List<?>)call(replica, "FUNCTION", "LIST")).get(0)).get(1)));

                final Random random = new Random(42);
                for (int round = 0; round < 3; round++)
                {
                    writeLoad(master, random, round);
                    if (round == 0)
                    {
                        assertEquals(1L, call(replica, "CLIENT", "KILL", "TYPE", "master"));
                    }
                    else if (round == 1)
                    {
                        assertEquals(1L, call(master, "CLIENT", "KILL", "TYPE", "replica"));
                    }
                }
                awaitInSync(master, replica);
                assertTrue(master.get("pre:raw") == null && replica.get("pre:raw") == null, "expired everywhere");
                assertEquals(master.get("fn"), replica.get("fn"), "FCALL's writes replicated");

                final Map<String, String> stats = section(master, "stats");
                assertEquals("1", stats.get("sync_full"), "one full sync: " + stats);
                assertTrue(Integer.parseInt(stats.get("sync_partial_ok")) >= 2, "partial resyncs: " + stats);
                final String log = redisLog(replica);
                assertEquals(1, count(log, "Full resync from master"), log);
                assertTrue(count(log, "Successful partial resynchronization with master") >= 2, log);

                final Map<String, String> info = section(master, "replication");
                assertEquals("1", info.get("connected_slaves"));
                assertTrue(info.get("slave0").contains("state=online"), info.get("slave0"));
                assertEquals(section(replica, "replication").get("master_replid"), info.get("master_replid"),
                    "one replication id for both protocols");
                master.set("waited", "1");
                assertEquals(1L, call(master, "WAIT", "1", "5000"), "WAIT counts the Redis replica");
                assertEquals("1", replica.get("waited"));
            }
        }
    }

    @Test
    void diskBasedFullSync() throws Exception
    {
        try (TestServer ringkv = TestServer.start("repl-diskless-sync", "no");
            Jedis master = new Jedis("127.0.0.1", ringkv.port()))
        {
            writeEveryKind(master, "disk:");
            try (RedisServerProcess redis = RedisServerProcess.start("--replicaof", "127.0.0.1",
                Integer.toString(ringkv.port()), "--enable-debug-command", "yes");
                Jedis replica = new Jedis("127.0.0.1", redis.port()))
            {
                awaitInSync(master, replica);
                assertTrue(redisLog(replica).matches("(?s).*receiving \\d+ bytes from master to disk.*"),
                    redisLog(replica));
                master.hset("disk:after", "f", "v");
                awaitInSync(master, replica);
                assertEquals("v", replica.hget("disk:after", "f"));
                assertEquals(List.of("master"), ((List<?>)call(master, "ROLE")).subList(0, 1).stream()
                    .map(o -> text(o)).toList());
            }
        }
    }

    /**
     * Mixed writes on ringkv: strings, counters, MULTI/EXEC, EVAL, short expiries, DEL, FLUSHDB of a database,
     * big collections, other databases.
     */
    private static void writeLoad(final Jedis master, final Random random, final int round)
    {
        for (int i = 0; i < 400; i++)
        {
            final String key = "load:" + random.nextInt(200);
            switch (random.nextInt(9))
            {
                case 0 -> master.set(key, "v" + i);
                case 1 -> master.incr("load:counter:" + random.nextInt(5));
                case 2 ->
                {
                    final Transaction tx = master.multi();
                    tx.hset("load:hash:" + random.nextInt(5), "f" + i, "v" + i);
                    tx.sadd("load:set", "m" + i);
                    tx.zadd("load:zset", i, "z" + i);
                    tx.exec();
                }
                case 3 -> master.eval("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('RPUSH', KEYS[2], " +
                    "ARGV[1])", 2, key + ":lua", "load:list", "e" + i);
                case 4 -> master.psetex("load:short:" + i, 1 + random.nextInt(30), "x");
                case 5 -> master.del(key);
                case 6 ->
                {
                    master.select(7);
                    master.set("db7:" + i, "x");
                    if (i % 50 == 0)
                    {
                        master.flushDB();
                    }
                    master.select(0);
                }
                case 7 -> master.fcall("bump", List.of("fn"), List.of());
                default -> master.lpush("load:queue", "q" + i);
            }
        }
        for (int i = 0; i < 3000; i++)
        {
            master.hset("load:big:" + round, "field" + i, "value" + i);
        }
        master.zadd("load:bigz", Map.of("a" + round, 1.0, "b" + round, 2.0));
    }

    static void awaitInSync(final Jedis master, final Jedis replica) throws InterruptedException
    {
        awaitTrue(() -> "up".equals(section(replica, "replication").get("master_link_status")) &&
            "0".equals(section(replica, "replication").get("master_sync_in_progress")), 30_000, "the link is up");
        final String[] digests = new String[2];
        awaitTrue(() ->
        {
            digests[0] = digest(master);
            digests[1] = digest(replica);
            return digests[0].equals(digests[1]) && section(replica, "replication").get("slave_repl_offset")
                .equals(section(master, "replication").get("ringkv_resp_repl_offset"));
        }, 30_000, "equal data");
        for (int db = 0; db < 8; db++)
        {
            master.select(db);
            replica.select(db);
            assertEquals(master.dbSize(), replica.dbSize(), "db " + db);
        }
        master.select(0);
        replica.select(0);
    }

    private static void awaitTrue(final BooleanSupplier condition, final long timeoutMs, final String what)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static Map<String, String> section(final Jedis jedis, final String name)
    {
        final Map<String, String> fields = new java.util.HashMap<>();
        for (final String line : jedis.info(name).split("\r\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0)
            {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }

    static String redisLog(final Jedis redis) throws java.io.IOException
    {
        final String dir = redis.configGet("dir").get("dir");
        return Files.readString(Path.of(dir, "redis.log"), StandardCharsets.UTF_8);
    }

    static int count(final String text, final String what)
    {
        int count = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1))
        {
            count++;
        }
        return count;
    }
}
