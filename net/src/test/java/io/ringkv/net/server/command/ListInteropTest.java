package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.ringkv.net.server.command.RespCalls.call;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lists between ringkv and a real redis-server 7.0.15: DUMP/RESTORE and MIGRATE both ways for lists of every shape
 * (one element to a hundred thousand, integers, long elements, elements past a node's size), the same OBJECT
 * ENCODING and DEBUG DIGEST-VALUE on both sides, and byte-identical payloads for lists that are one node.
 */
class ListInteropTest
{
    private static RedisServerProcess redisProcess;
    private static TestServer ringkvServer;
    private static Jedis redis;
    private static Jedis ringkv;

    @BeforeAll
    static void start() throws Exception
    {
        redisProcess = RedisServerProcess.start("--enable-debug-command", "local");
        ringkvServer = TestServer.start();
        redis = new Jedis("127.0.0.1", redisProcess.port(), 20_000);
        ringkv = new Jedis("127.0.0.1", ringkvServer.port(), 20_000);
    }

    @AfterAll
    static void stop() throws Exception
    {
        redis.close();
        ringkv.close();
        ringkvServer.close();
        redisProcess.close();
    }

    @BeforeEach
    void flush()
    {
        redis.flushAll();
        ringkv.flushAll();
    }

    @Test
    void listsTravelBothWaysWithEqualDigests()
    {
        final Random random = new Random(8);
        for (final int size : new int[]{1, 3, 100, 1000, 20_000, 100_000})
        {
            for (final int kind : new int[]{0, 1, 2})
            {
                final List<String> elements = new ArrayList<>();
                for (int i = 0; i < size; i++)
                {
                    elements.add(switch (kind)
                    {
                        case 0 -> Integer.toString(random.nextInt(100_000) - 50_000);
                        case 1 -> "element:" + i;
                        default -> i % 50 == 0 ? "z".repeat(random.nextInt(20_000)) : Long.toString(random.nextLong());
                    });
                }
                final String key = "list" + size + "." + kind;
                for (final Jedis side : List.of(redis, ringkv))
                {
                    for (int from = 0; from < size; from += 1000)
                    {
                        side.rpush(key, elements.subList(from, Math.min(size, from + 1000)).toArray(new String[0]));
                    }
                }
                assertEquals(redis.objectEncoding(key), ringkv.objectEncoding(key), key);
                assertEquals(digestValue(redis, key), digestValue(ringkv, key), key);
                final byte[] fromRedis = redis.dump(key);
                final byte[] fromRingkv = ringkv.dump(key);
                if (size <= 100 && kind < 2)
                {
                    assertArrayEquals(fromRedis, fromRingkv, key + ": one node dumps to Redis's bytes");
                }
                redis.del(key);
                ringkv.del(key);
                assertEquals("OK", redis.restore(key, 0, fromRingkv));
                assertEquals("OK", ringkv.restore(key, 0, fromRedis));
                assertEquals(elements, redis.lrange(key, 0, -1), key + " in Redis, from ringkv");
                assertEquals(elements, ringkv.lrange(key, 0, -1), key + " in ringkv, from Redis");
                assertEquals(digestValue(redis, key), digestValue(ringkv, key), key);
            }
        }
    }

    @Test
    void listsMigrateBothWays()
    {
        final String[] small = {"a", "1", "-70000", ""};
        final String[] large = java.util.stream.IntStream.range(0, 30_000).mapToObj(i -> "e" + i)
            .toArray(String[]::new);
        ringkv.rpush("small", small);
        ringkv.rpush("large", large);
        ringkv.pexpire("large", 100_000);
        assertEquals("OK", call(ringkv, "MIGRATE", "127.0.0.1", redisProcess.port(), "", "0", "5000",
            "KEYS", "small", "large"));
        assertEquals(0L, ringkv.exists("small", "large"));
        assertEquals(List.of(small), redis.lrange("small", 0, -1));
        assertEquals(List.of(large), redis.lrange("large", 0, -1));
        assertTrue(redis.pttl("large") > 90_000);
        assertEquals("OK", call(redis, "MIGRATE", "127.0.0.1", ringkvServer.port(), "", "0", "5000",
            "KEYS", "small", "large"));
        assertEquals(List.of(small), ringkv.lrange("small", 0, -1));
        assertEquals(List.of(large), ringkv.lrange("large", 0, -1));
        assertEquals("quicklist", ringkv.objectEncoding("large"));
        assertTrue(ringkv.pttl("large") > 90_000);
    }

    private static String digestValue(final Jedis jedis, final String key)
    {
        return String.valueOf(call(jedis, "DEBUG", "DIGEST-VALUE", key));
    }
}
