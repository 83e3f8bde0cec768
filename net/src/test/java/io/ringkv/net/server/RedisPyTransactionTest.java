package io.ringkv.net.server;

import io.ringkv.core.testing.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * redis-py (Debian's python3-redis, through /usr/bin/python3) runs its transactions against ringkv as against Redis:
 * pipelines with transaction=True, runtime and queueing errors, WATCH conflicts and optimistic increments from four
 * threads (redis_py_transactions.py). The script runs against a real redis-server first, so it asserts what Redis
 * does.
 */
class RedisPyTransactionTest
{
    @TempDir
    Path directory;

    @Test
    void redisPyTransactionsWorkAsAgainstRedis() throws Exception
    {
        final Path script = directory.resolve("redis_py_transactions.py");
        try (InputStream in = RedisPyTransactionTest.class.getResourceAsStream("/redis_py_transactions.py"))
        {
            Files.copy(in, script);
        }
        try (RedisServerProcess redis = RedisServerProcess.start())
        {
            assertEquals("OK", RedisPy.run(script, redis.port()), "the script against redis-server");
        }
        try (TestServer ringkv = TestServer.start())
        {
            assertEquals("OK", RedisPy.run(script, ringkv.port()), "the script against ringkv");
        }
    }
}
