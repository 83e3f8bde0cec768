package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The eviction options and OBJECT against redis-server 7.0.15 byte for byte, and eviction seen from a client:
 * writes keep succeeding at the budget, INFO counts the evictions, volatile policies refuse when nothing may go.
 */
class EvictionCommandsTest
{
    @AutoClose
    private static TestServer ringkv;
    @AutoClose
    private static RedisServerProcess redis;

    @BeforeAll
    static void start() throws IOException, InterruptedException
    {
        ringkv = TestServer.start();
        redis = RedisServerProcess.start();
    }

    @Test
    void configSetAndGetOfTheEvictionOptionsMatchRedis() throws IOException
    {
        final String[][] sets = {
            {"maxmemory-policy", "foo"}, {"maxmemory-policy", ""}, {"maxmemory-policy", "ALLKEYS-LFU"},
            {"maxmemory-policy", "volatile-ttl"}, {"maxmemory-policy", "allkeys-random"},
            {"maxmemory-policy", "noeviction"},
            {"maxmemory-samples", "-1"}, {"maxmemory-samples", "0"}, {"maxmemory-samples", "abc"},
            {"maxmemory-samples", "10"}, {"maxmemory-samples", "2147483648"}, {"maxmemory-samples", "5"},
            {"maxmemory-eviction-tenacity", "101"}, {"maxmemory-eviction-tenacity", "-1"},
            {"maxmemory-eviction-tenacity", "100"}, {"maxmemory-eviction-tenacity", "10"},
            {"lfu-log-factor", "-1"}, {"lfu-log-factor", "x"}, {"lfu-log-factor", "0"}, {"lfu-log-factor", "10"},
            {"lfu-decay-time", "-1"}, {"lfu-decay-time", "1.5"}, {"lfu-decay-time", "0"}, {"lfu-decay-time", "1"}};
        try (RawRespClient ours = new RawRespClient(ringkv.port());
            RawRespClient theirs = new RawRespClient(redis.port()))
        {
            for (final RawRespClient client : new RawRespClient[]{ours, theirs})
            {
                client.call("CONFIG", "SET", "maxmemory-policy", "noeviction");
            }
            for (final String[] set : sets)
            {
                // Redis's list of valid policies, and ringkv's own after it.
                final String expected = theirs.call("CONFIG", "SET", set[0], set[1])
                    .replace("allkeys-random, noeviction", "allkeys-random, noeviction, allkeys-tinylfu");
                assertEquals(expected, ours.call("CONFIG", "SET", set[0], set[1]), String.join(" ", set));
                for (final String name : new String[]{"maxmemory-policy", "maxmemory-samples",
                    "maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time"})
                {
                    assertEquals(theirs.call("CONFIG", "GET", name), ours.call("CONFIG", "GET", name), name);
                }
            }
            assertEquals(theirs.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "maxmemory-samples", "0"),
                ours.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "maxmemory-samples", "0"));
            assertEquals(theirs.call("CONFIG", "GET", "maxmemory-policy"), ours.call("CONFIG", "GET",
                "maxmemory-policy"), "all or nothing");
        }
    }

    @Test
    void objectRepliesMatchRedis() throws IOException
    {
        try (RawRespClient ours = new RawRespClient(ringkv.port());
            RawRespClient theirs = new RawRespClient(redis.port()))
        {
            for (final String protocol : new String[]{"2", "3"})
            {
                for (final RawRespClient client : new RawRespClient[]{ours, theirs})
                {
                    client.call("HELLO", protocol);
                    client.call("FLUSHALL");
                    client.call("CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy", "noeviction");
                }
                final String[][] noeviction = {
                    {"SET", "str", "hello"}, {"SET", "num", "123"}, {"SET", "big", "x".repeat(45)},
                    {"SET", "bignum", "123456"}, {"SET", "negative", "-5"}, {"SET", "emb", "x".repeat(44)},
                    {"OBJECT", "HELP"}, {"OBJECT", "help"}, {"OBJECT"}, {"OBJECT", "nosuch"}, {"OBJECT", "nosuch", "k"},
                    {"OBJECT", "ENCODING"}, {"OBJECT", "FREQ", "str", "extra"}, {"OBJECT", "HELP", "x"},
                    {"OBJECT", "ENCODING", "str"}, {"OBJECT", "ENCODING", "num"}, {"OBJECT", "ENCODING", "big"},
                    {"OBJECT", "ENCODING", "emb"}, {"OBJECT", "ENCODING", "missing"},
                    {"OBJECT", "REFCOUNT", "str"}, {"OBJECT", "REFCOUNT", "num"}, {"OBJECT", "REFCOUNT", "bignum"},
                    {"OBJECT", "REFCOUNT", "negative"}, {"OBJECT", "REFCOUNT", "missing"},
                    {"OBJECT", "FREQ", "str"}, {"OBJECT", "FREQ", "missing"}, {"OBJECT", "IDLETIME", "missing"},
                    {"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"},
                    {"SET", "fresh", "v"}, {"SET", "n2", "7"}, {"OBJECT", "FREQ", "fresh"},
                    {"GET", "fresh"}, {"OBJECT", "FREQ", "fresh"}, {"OBJECT", "FREQ", "fresh"},
                    {"OBJECT", "IDLETIME", "fresh"}, {"OBJECT", "IDLETIME", "missing"}, {"OBJECT", "REFCOUNT", "n2"},
                    {"CONFIG", "SET", "maxmemory-policy", "volatile-lru"}, {"SET", "n3", "8"},
                    {"OBJECT", "REFCOUNT", "n3"}, {"OBJECT", "FREQ", "n3"}};
                for (final String[] request : noeviction)
                {
                    assertEquals(theirs.call(request), ours.call(request),
                        "RESP" + protocol + " " + String.join(" ", request));
                }
            }
            for (final RawRespClient client : new RawRespClient[]{ours, theirs})
            {
                client.call("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction");
            }
        }
    }

    @Test
    void anEvictingServerKeepsAcceptingWritesAndCountsEvictions() throws IOException
    {
        try (TestServer cache = TestServer.start("maxmemory", "2mb", "maxmemory-policy", "allkeys-lru");
            Jedis jedis = new Jedis("127.0.0.1", cache.port()))
        {
            final String value = "v".repeat(100);
            for (int round = 0; round < 10; round++)
            {
                final Pipeline pipeline = jedis.pipelined();
                for (int i = 0; i < 5000; i++)
                {
                    pipeline.set("key:" + round + ":" + i, value);
                }
                pipeline.syncAndReturnAll().forEach(reply -> assertEquals("OK", reply));
            }
            final long keys = jedis.dbSize();
            final long evicted = fields(jedis.info("stats")).get("evicted_keys");
            assertTrue(evicted > 10_000, "evicted " + evicted);
            // Every key is either still there or evicted (the tick may evict a few between the two reads).
            assertTrue(keys + evicted >= 50_000 && keys + evicted <= 50_010, keys + " kept, " + evicted + " evicted");
            jedis.configResetStat();
            assertEquals(null, jedis.get("never-set"));
            final boolean hit = value.equals(jedis.get("key:9:4999"));
            final long evictedSinceReset = fields(jedis.info("stats")).get("evicted_keys");
            assertTrue(evictedSinceReset < 10, "the tick evicts at most the last write's excess");
            final Map<String, Long> stats = fields(jedis.info("stats"));
            assertEquals(hit ? 1 : 2, stats.get("keyspace_misses"));
            assertEquals(hit ? 1 : 0, stats.get("keyspace_hits"));
            assertTrue(jedis.info("memory").contains("maxmemory_policy:allkeys-lru\r\n"));
        }
    }

    @Test
    void allkeysTinyLfuIsSetAtStartEvictsAndAnswersObjectFreqFromItsSketch() throws IOException
    {
        try (TestServer cache = TestServer.start("maxmemory", "2mb", "maxmemory-policy", "allkeys-tinylfu");
            Jedis jedis = new Jedis("127.0.0.1", cache.port()))
        {
            assertEquals(Map.of("maxmemory-policy", "allkeys-tinylfu"), jedis.configGet("maxmemory-policy"));
            assertTrue(jedis.info("memory").contains("maxmemory_policy:allkeys-tinylfu\r\n"));
            jedis.set("hot", "value");
            for (int i = 0; i < 30; i++)
            {
                assertEquals("value", jedis.get("hot"));
            }
            assertEquals(15L, jedis.objectFreq("hot"), "the sketch's 4-bit counter saturates at 15");
            final String value = "v".repeat(100);
            for (int round = 0; round < 10; round++)
            {
                final Pipeline pipeline = jedis.pipelined();
                for (int i = 0; i < 5000; i++)
                {
                    pipeline.set("key:" + round + ":" + i, value);
                    if ((i & 63) == 0)
                    {
                        pipeline.get("hot");
                    }
                }
                pipeline.syncAndReturnAll().forEach(reply -> assertTrue("OK".equals(reply) ||
                    "value".equals(reply), String.valueOf(reply)));
            }
            final long evicted = fields(jedis.info("stats")).get("evicted_keys");
            assertTrue(evicted > 10_000, "evicted " + evicted);
            assertEquals("value", jedis.get("hot"), "a key read all along outlasts 50,000 keys written once");
            assertEquals("OK", jedis.configSet("maxmemory-policy", "allkeys-lru"));
            assertThrows(JedisDataException.class, () -> jedis.objectFreq("hot"), "LRU has no frequency");
        }
    }

    @Test
    void volatilePoliciesRefuseWritesWithRedisOomTextWhenNoKeyHasATtlButReadsWork() throws IOException
    {
        try (TestServer cache = TestServer.start("maxmemory", "1mb", "maxmemory-policy", "volatile-lru");
            Jedis jedis = new Jedis("127.0.0.1", cache.port()))
        {
            final String value = "v".repeat(1000);
            JedisDataException refused = null;
            for (int i = 0; i < 5000 && refused == null; i++)
            {
                try
                {
                    jedis.set("key:" + i, value);
                }
                catch (final JedisDataException ex)
                {
                    refused = ex;
                }
            }
            assertTrue(refused != null, "writes must be refused at the budget");
            assertEquals("OOM command not allowed when used memory > 'maxmemory'.", refused.getMessage());
            assertEquals(value, jedis.get("key:0"));
            assertEquals(0, fields(jedis.info("stats")).get("evicted_keys"));
            final JedisDataException again = assertThrows(JedisDataException.class, () -> jedis.set("x", "y"));
            assertEquals(refused.getMessage(), again.getMessage());
            jedis.configSet("maxmemory-policy", "allkeys-lru");
            assertEquals("OK", jedis.set("x", "y"), "an evicting policy makes room at once");
        }
    }

    @Test
    void thePolicyIsSetAtStartFromTheCommandLineOrConfigFileAndBadValuesStopStartUp() throws Exception
    {
        final io.ringkv.net.server.config.ServerConfig config = TestServer.commandLine("--maxmemory", "1gb",
            "--maxmemory-policy", "ALLKEYS-LFU", "--maxmemory-samples", "10", "--lfu-log-factor", "0");
        assertEquals("allkeys-lfu", config.maxmemoryPolicy.text());
        assertEquals(10, config.maxmemorySamples.number());
        try (TestServer server = TestServer.start(config);
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("k", "v");
            for (int i = 0; i < 10; i++)
            {
                jedis.get("k");
            }
            assertEquals(15L, jedis.objectFreq("k"), "the LFU policy and lfu-log-factor 0 reached the keyspace: every access counts");
        }
        final java.nio.file.Path file = java.nio.file.Files.createTempFile("ringkv-eviction", ".conf");
        try
        {
            java.nio.file.Files.writeString(file, "maxmemory-policy volatile-ttl\nmaxmemory-eviction-tenacity 100\n");
            final io.ringkv.net.server.config.ServerConfig fromFile = TestServer.commandLine(file.toString());
            assertEquals("volatile-ttl", fromFile.maxmemoryPolicy.text());
            assertEquals(100, fromFile.maxmemoryEvictionTenacity.number());
        }
        finally
        {
            java.nio.file.Files.delete(file);
        }
        assertEquals("bad option '--maxmemory-policy': argument(s) must be one of the following: volatile-lru, " +
            "volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction, " +
            "allkeys-tinylfu",
            assertThrows(io.ringkv.net.server.config.ConfigException.class,
                () -> TestServer.commandLine("--maxmemory-policy", "lru")).getMessage());
        assertEquals("bad option '--maxmemory-samples': argument must be between 1 and 2147483647 inclusive",
            assertThrows(io.ringkv.net.server.config.ConfigException.class,
                () -> TestServer.commandLine("--maxmemory-samples", "-3")).getMessage());
    }

    private static Map<String, Long> fields(final String info)
    {
        final Map<String, Long> fields = new java.util.HashMap<>();
        final Matcher matcher = Pattern.compile("(?m)^([a-z_]+):(\\d+)\r?$", Pattern.UNIX_LINES).matcher(info);
        while (matcher.find())
        {
            fields.put(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        return fields;
    }
}
