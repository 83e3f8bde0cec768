package io.ringkv.net.server.aof;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.file.Path;

import static io.ringkv.net.server.aof.AofTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Append-only directories move between ringkv and a real redis-server 7.0.15 both ways with the same data (DEBUG
 * DIGEST equal: every type, expiry, several databases), and redis-check-aof accepts ringkv's. A Redis base with an
 * RDB preamble is refused with a clear message while ringkv has no RDB reader.
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
        try (TestServer server = server(ringkvDir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            writeEveryKind(jedis, "base:");
            assertEquals("Background append only file rewriting started", text(call(jedis, "BGREWRITEAOF")));
            awaitRewrite(jedis);
            writeEveryKind(jedis, "incr:");
            digest = digest(jedis);
        }
        assertValid(ringkvDir.resolve("appendonlydir"));
        copy(ringkvDir.resolve("appendonlydir"), redisDir.resolve("appendonlydir"));
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", redisDir.toString(), "--appendonly", "yes",
            "--enable-debug-command", "yes");
            Jedis jedis = new Jedis("127.0.0.1", redis.port()))
        {
            assertEquals(digest, digest(jedis), "redis-server loaded ringkv's base and incremental file");
            assertEquals("12345", jedis.get("base:int"));
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

    @Test
    void aRedisBaseWithAnRdbPreambleIsRefusedClearly() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", redisDir.toString(), "--appendonly", "yes",
            "--aof-use-rdb-preamble", "yes");
            Jedis jedis = new Jedis("127.0.0.1", redis.port()))
        {
            jedis.set("k", "v");
            jedis.bgrewriteaof();
            awaitRewrite(jedis);
        }
        final IOException refused = assertThrows(IOException.class, () -> server(redisDir).close());
        assertTrue(refused.getMessage().contains("starts with an RDB preamble"), refused.getMessage());
    }
}
