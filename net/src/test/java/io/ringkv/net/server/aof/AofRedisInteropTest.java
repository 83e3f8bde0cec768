package io.ringkv.net.server.aof;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.util.List;

import static io.ringkv.net.server.aof.AofTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Append-only directories move between ringkv and a real redis-server 7.0.15 both ways with the same data (DEBUG
 * DIGEST equal: every type, expiry, several databases), and redis-check-aof accepts ringkv's, with a RESP base
 * (aof-use-rdb-preamble no) and with an RDB one (yes, Redis's default).
 */
class AofRedisInteropTest
{
    @TempDir
    Path ringkvDir;
    @TempDir
    Path redisDir;

    @Test
    void redisServerStartsFromRingkvsDirectoryWithTheSameData() throws Exception
    {
        final String digest;
        try (TestServer server = server(ringkvDir))
        {
            digest = writeAcrossARewrite(server);
        }
        assertRedisLoadsRingkvsDirectory(digest);
    }

    /**
     * Every kind before and after a BGREWRITEAOF: data in the base and in the incremental file.
     *
     * @return the data's DEBUG DIGEST.
     */
    private static String writeAcrossARewrite(final TestServer server) throws Exception
    {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            writeEveryKind(jedis, "base:");
            assertEquals("Background append only file rewriting started", text(call(jedis, "BGREWRITEAOF")));
            awaitRewrite(jedis);
            writeEveryKind(jedis, "incr:");
            return digest(jedis);
        }
    }

    /**
     * redis-check-aof accepts ringkv's directory, and a redis-server started on a copy of it holds the same data.
     */
    private void assertRedisLoadsRingkvsDirectory(final String digest) throws Exception
    {
        assertValid(ringkvDir.resolve("appendonlydir"));
        copy(ringkvDir.resolve("appendonlydir"), redisDir.resolve("appendonlydir"));
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", redisDir.toString(), "--appendonly", "yes",
            "--enable-debug-command", "yes");
            Jedis jedis = new Jedis("127.0.0.1", redis.port()))
        {
            assertEquals(digest, digest(jedis), "redis-server loaded ringkv's base and incremental file");
            assertEquals("12345", jedis.get("base:int"));
            assertTrue(jedis.pttl("base:ttl") > 3_000_000, "the base's expiry came through");
        }
    }

    @Test
    void ringkvStartsFromRedisServersDirectoryWithTheSameData() throws Exception
    {
        final String digest;
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", redisDir.toString(), "--appendonly", "yes",
            "--aof-use-rdb-preamble", "no", "--enable-debug-command", "yes");
            Jedis jedis = new Jedis("127.0.0.1", redis.port()))
        {
            writeEveryKind(jedis, "base:");
            jedis.bgrewriteaof();
            awaitRewrite(jedis);
            writeEveryKind(jedis, "incr:");
            digest = digest(jedis);
            call(jedis, "DEBUG", "SLEEP", "0"); // a round trip: everything before it is written
        }
        try (TestServer server = server(redisDir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(digest, digest(jedis), "ringkv loaded Redis's base and incremental file");
        }
    }

    /**
     * Redis's default layout (aof-use-rdb-preamble yes): its base is an RDB file, appendonly.aof.N.base.rdb.
     */
    @Test
    void ringkvStartsFromRedisServersDefaultDirectoryWithAnRdbBase() throws Exception
    {
        final String digest;
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", redisDir.toString(), "--appendonly", "yes",
            "--enable-debug-command", "yes");
            Jedis jedis = new Jedis("127.0.0.1", redis.port()))
        {
            writeEveryKind(jedis, "base:");
            jedis.bgrewriteaof();
            awaitRewrite(jedis);
            writeEveryKind(jedis, "incr:");
            digest = digest(jedis);
            call(jedis, "DEBUG", "SLEEP", "0"); // a round trip: everything before it is written
        }
        assertTrue(manifest(redisDir).get(0).matches("file appendonly\\.aof\\.\\d+\\.base\\.rdb seq \\d+ type b"),
            manifest(redisDir).toString());
        try (TestServer server = rdbPreambleServer(redisDir);
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(digest, digest(jedis), "ringkv loaded Redis's RDB base and incremental file");
            assertTrue(jedis.pttl("base:ttl") > 3_000_000, "the base's expiry came through");
        }
    }

    @Test
    void redisServerStartsFromRingkvsDirectoryWithAnRdbBase() throws Exception
    {
        final String digest;
        try (TestServer server = rdbPreambleServer(ringkvDir))
        {
            digest = writeAcrossARewrite(server);
        }
        assertEquals(List.of("file appendonly.aof.2.base.rdb seq 2 type b",
            "file appendonly.aof.2.incr.aof seq 2 type i"), manifest(ringkvDir));
        assertRedisLoadsRingkvsDirectory(digest);
    }
}
