package io.ringkv.net.persistence;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RDB files across ringkv and redis-server 7.0: every type and encoding, expiry and several databases, in both
 * directions, compared key by key (DEBUG DIGEST-VALUE, OBJECT ENCODING, expiry) and by DEBUG DIGEST; and
 * redis-check-rdb accepts ringkv's file.
 */
class RdbInteropTest
{
    @TempDir
    Path dir;

    @Test
    void redisLoadsWhatRingkvSavedAndRedisCheckRdbAcceptsIt() throws Exception
    {
        final Map<Integer, List<String>> keys;
        final String digest;
        final Map<String, String> described;
        try (TestServer ringkv = TestServer.start("dir", dir.toString(), "dbfilename", "ringkv.rdb");
            Jedis client = new Jedis("127.0.0.1", ringkv.port()))
        {
            keys = RdbDataset.write(client);
            digest = RdbDataset.digest(client);
            described = RdbDataset.describe(client, keys);
            assertEquals("OK", client.save());
        }
        final Path file = dir.resolve("ringkv.rdb");
        assertTrue(Files.size(file) > 0);
        final Process check = new ProcessBuilder("redis-check-rdb", file.toString()).redirectErrorStream(true).start();
        final String checkOutput = new String(check.getInputStream().readAllBytes());
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), checkOutput);
        assertTrue(checkOutput.contains("RDB looks OK"), checkOutput);

        try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString(), "--dbfilename", "ringkv.rdb",
            "--enable-debug-command", "yes");
            Jedis client = new Jedis("127.0.0.1", redis.port()))
        {
            assertEquals(described, RdbDataset.describe(client, keys));
            assertEquals(digest, RdbDataset.digest(client));
        }
    }

    @Test
    void ringkvLoadsWhatRedisSaved() throws Exception
    {
        final Map<Integer, List<String>> keys;
        final String digest;
        final Map<String, String> described;
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString(), "--dbfilename", "redis.rdb",
            "--enable-debug-command", "yes");
            Jedis client = new Jedis("127.0.0.1", redis.port()))
        {
            keys = RdbDataset.write(client);
            digest = RdbDataset.digest(client);
            described = RdbDataset.describe(client, keys);
            assertEquals("OK", client.save());
        }
        try (TestServer ringkv = TestServer.start("dir", dir.toString(), "dbfilename", "redis.rdb");
            Jedis client = new Jedis("127.0.0.1", ringkv.port()))
        {
            assertEquals(described, RdbDataset.describe(client, keys));
            assertEquals(digest, RdbDataset.digest(client));
        }
    }
}
