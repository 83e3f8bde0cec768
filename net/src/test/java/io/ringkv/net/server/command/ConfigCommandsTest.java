package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigCommandsTest
{
    @Test
    void getMatchesGlobsCaseInsensitivelyWithAliasesOnceEach() throws Exception
    {
        try (TestServer server = TestServer.start("maxmemory", "2mb");
            RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("*2\r\n$9\r\nmaxmemory\r\n$7\r\n2097152\r\n", client.call("CONFIG", "GET", "MAXMEMORY"));
            assertEquals("*8\r\n$9\r\nmaxmemory\r\n$7\r\n2097152\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n" +
                "$17\r\nmaxmemory-samples\r\n$1\r\n5\r\n$27\r\nmaxmemory-eviction-tenacity\r\n$2\r\n10\r\n",
                client.call("config", "get", "MaxMem*", "maxmemory"));
            assertEquals("*4\r\n$17\r\nreplica-read-only\r\n$3\r\nyes\r\n$15\r\nslave-read-only\r\n$3\r\nyes\r\n",
                client.call("CONFIG", "GET", "*read-only"));
            assertEquals("*2\r\n$7\r\nslaveof\r\n$0\r\n\r\n", client.call("CONFIG", "GET", "slaveof"));
            assertEquals("*0\r\n", client.call("CONFIG", "GET", "nosuch*"));
            assertEquals("-ERR wrong number of arguments for 'config|get' command\r\n", client.call("CONFIG", "GET"));
            client.call("HELLO", "3");
            // RESP3: a map. TestServer configures port 0 (ephemeral), which is what CONFIG GET reports.
            assertEquals("%1\r\n$4\r\nport\r\n$1\r\n0\r\n", client.call("CONFIG", "GET", "port"));
        }
    }

    @Test
    void getStarListsEveryOption() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final Map<String, String> all = jedis.configGet("*");
            for (final var option : server.server().config().options())
            {
                assertEquals(option.text(), all.get(option.name()), option.name());
            }
            assertEquals(server.server().config().options().size() + server.server().config().aliases().size(),
                all.size());
        }
    }

    @Test
    void setChangesSeveralOptionsAtOnceOrNone() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("OK", jedis.configSet("timeout", "30", "maxclients", "500"));
            assertEquals("30", jedis.configGet("timeout").get("timeout"));
            assertEquals("500", jedis.configGet("maxclients").get("maxclients"));
            assertEquals("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a " +
                "memory value", assertThrows(JedisDataException.class,
                () -> jedis.configSet("timeout", "60", "maxmemory", "lots")).getMessage());
            assertEquals("30", jedis.configGet("timeout").get("timeout"));
            assertEquals("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
                assertThrows(JedisDataException.class, () -> jedis.configSet("nosuch", "1")).getMessage());
            assertEquals("ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config",
                assertThrows(JedisDataException.class, () -> jedis.configSet("port", "1")).getMessage());
            assertEquals("ERR wrong number of arguments for 'config|set' command",
                assertThrows(JedisDataException.class,
                    () -> jedis.sendCommand(() -> "CONFIG".getBytes(), "SET", "timeout")).getMessage());
        }
    }

    @Test
    void maxmemoryReachesTheKeyspaceAtRunTime() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("big", "x".repeat(100_000));
            assertEquals("OK", jedis.configSet("maxmemory", "1"));
            assertEquals("OOM command not allowed when used memory > 'maxmemory'.",
                assertThrows(JedisDataException.class, () -> jedis.set("k", "v")).getMessage());
            assertEquals(100_000, jedis.get("big").length());
            assertTrue(jedis.info("memory").contains("maxmemory:1\r\n"));
            assertEquals("OK", jedis.configSet("maxmemory", "0"));
            assertEquals("OK", jedis.set("k", "v"));
        }
    }

    /**
     * The collection thresholds side by side with redis-server 7.0.15: the same defaults from CONFIG GET (aliases
     * too), the same range errors, and the same encodings after CONFIG SET (existing values keep theirs until they
     * grow; SADD, SINTERSTORE, RESTORE and HSET all follow the new limits).
     */
    @Test
    void collectionThresholdsAnswerAndConvertAsRedis() throws Exception
    {
        try (TestServer server = TestServer.start();
            io.ringkv.core.testing.RedisServerProcess redisProcess = io.ringkv.core.testing.RedisServerProcess.start();
            Jedis ringkv = new Jedis("127.0.0.1", server.port());
            Jedis redis = new Jedis("127.0.0.1", redisProcess.port()))
        {
            final byte[] dumped = redis.dump("none");
            assertEquals(null, dumped);
            redis.sadd("four", "1", "2", "3", "4");
            final byte[] fourInts = redis.dump("four");
            for (final Jedis side : List.of(ringkv, redis))
            {
                final String name = side == ringkv ? "ringkv" : "redis";
                assertEquals(Map.of("hash-max-listpack-entries", "512"), side.configGet("hash-max-listpack-entries"));
                assertEquals(Map.of("hash-max-ziplist-value", "64"), side.configGet("hash-max-ziplist-value"), name);
                assertEquals(Map.of("set-max-intset-entries", "512"), side.configGet("set-max-intset-entries"));
                assertEquals("ERR CONFIG SET failed (possibly related to argument 'set-max-intset-entries') - " +
                    "argument must be between 0 and 9223372036854775807 inclusive", assertThrows(
                    JedisDataException.class, () -> side.configSet("set-max-intset-entries", "-1")).getMessage());
                assertEquals("ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-value') - " +
                    "argument must be a memory value", assertThrows(JedisDataException.class,
                    () -> side.configSet("hash-max-listpack-value", "-1")).getMessage());
                assertEquals("ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - " +
                    "argument couldn't be parsed into an integer", assertThrows(JedisDataException.class,
                    () -> side.configSet("hash-max-listpack-entries", "1k")).getMessage());
                assertEquals("OK", side.configSet("hash-max-listpack-value", "1k"));
                assertEquals(Map.of("hash-max-listpack-value", "1000"), side.configGet("hash-max-listpack-value"));
                side.sadd("before", "1", "2", "3");
                side.hset("hbefore", Map.of("a", "1", "b", "2"));
                assertEquals("OK", side.configSet("set-max-intset-entries", "3"));
                assertEquals("OK", side.configSet("hash-max-ziplist-entries", "2"));
                assertEquals("OK", side.configSet("hash-max-listpack-value", "3"));
                assertEquals(Map.of("hash-max-listpack-entries", "2"), side.configGet("hash-max-listpack-entries"));
                assertEquals("intset", side.objectEncoding("before"), name);
                side.sadd("s", "1", "2", "3");
                assertEquals("intset", side.objectEncoding("s"), name);
                side.sadd("s", "4");
                assertEquals("hashtable", side.objectEncoding("s"), name);
                side.sadd("t", "5", "6");
                side.sunionstore("u", "t", "before");
                assertEquals("hashtable", side.objectEncoding("u"), name + ": 5 integers past the limit");
                side.sinterstore("v", "u", "before");
                assertEquals("intset", side.objectEncoding("v"), name);
                side.del("r");
                side.restore("r", 0, fourInts);
                assertEquals("hashtable", side.objectEncoding("r"), name + ": an intset payload past the limit");
                assertEquals("listpack", side.objectEncoding("hbefore"), name);
                side.hset("hbefore", "c", "3");
                assertEquals("hashtable", side.objectEncoding("hbefore"), name);
                side.hset("h", "f", "abc");
                assertEquals("listpack", side.objectEncoding("h"), name);
                side.hset("h", "g", "abcd");
                assertEquals("hashtable", side.objectEncoding("h"), name + ": a value past hash-max-listpack-value");
                assertEquals("OK", side.configSet("set-max-intset-entries", "512"));
                assertEquals("OK", side.configSet("hash-max-listpack-entries", "512"));
                assertEquals("OK", side.configSet("hash-max-listpack-value", "64"));
            }
        }
    }

    @Test
    void protoMaxBulkLenLimitsStringsBuiltByCommands() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("OK", jedis.configSet("proto-max-bulk-len", "1mb"));
            assertEquals("ERR string exceeds maximum allowed size (proto-max-bulk-len)",
                assertThrows(JedisDataException.class, () -> jedis.setrange("k", 2_000_000, "x")).getMessage());
        }
    }

    @Test
    void loglevelAndRequirepassTakeEffect() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("OK", jedis.configSet("loglevel", "warning"));
            server.server().log().notice("should-not-appear");
            assertFalse(server.log().contains("should-not-appear"));
            assertEquals("OK", jedis.configSet("requirepass", "pw"));
            try (Jedis other = new Jedis("127.0.0.1", server.port()))
            {
                assertEquals("NOAUTH Authentication required.",
                    assertThrows(JedisDataException.class, () -> other.get("k")).getMessage());
                assertEquals("OK", other.auth("pw"));
            }
        }
    }

    @Test
    void connectionLimitsApplyToNewConnections() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("OK", jedis.configSet("proto-max-bulk-len", "1mb", "maxclients", "1"));
            try (RawRespClient refused = new RawRespClient(server.port()))
            {
                assertEquals("-ERR max number of clients reached\r\n", refused.read());
            }
            assertEquals("OK", jedis.configSet("maxclients", "10", "timeout", "1"));
            try (RawRespClient client = new RawRespClient(server.port()))
            {
                // The header alone is refused: Redis answers as soon as it reads a length over the limit.
                client.sendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2097152\r\n");
                assertEquals("-ERR Protocol error: invalid bulk length\r\n", client.read());
            }
            try (RawRespClient idle = new RawRespClient(server.port()))
            {
                assertEquals("+PONG\r\n", idle.call("PING"));
                final long startMs = System.currentTimeMillis();
                assertTrue(idle.closedByServer());
                assertTrue(System.currentTimeMillis() - startMs < 4_000);
            }
        }
    }

    @Test
    void resetstatClearsCommandAndKeyspaceCounters() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("a", "1");
            jedis.get("a");
            jedis.get("b");
            final String before = jedis.info("stats");
            assertTrue(before.contains("keyspace_hits:1\r\n"), before);
            assertTrue(before.contains("keyspace_misses:1\r\n"), before);
            assertEquals("OK", jedis.configResetStat());
            final String after = jedis.info("all");
            assertTrue(after.contains("keyspace_hits:0\r\n"), after);
            assertFalse(after.contains("cmdstat_get:"), after);
            // As in Redis, a command's own call is counted after it ran: RESETSTAT's, not yet this INFO's.
            assertTrue(after.contains("cmdstat_config|resetstat:calls=1,"), after);
            assertFalse(after.contains("cmdstat_info:"), after);
        }
    }

    @Test
    void rewriteNeedsAConfigFileAndKeepsItsComments(@TempDir final Path dir) throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("ERR The server is running without a config file",
                assertThrows(JedisDataException.class, jedis::configRewrite).getMessage());

            final Path file = dir.resolve("ringkv.conf");
            Files.writeString(file, "# my settings\ntimeout 10\nunknown-later line\ntimeout 11\n");
            server.server().config().configFile(file.toString());
            jedis.configSet("timeout", "42", "maxclients", "77", "requirepass", "a b");
            assertEquals("OK", jedis.configRewrite());
            assertEquals(List.of("# my settings", "timeout 42", "unknown-later line", "port 0",
                "enable-debug-command yes", "requirepass \"a b\"", "maxclients 77"),
                Files.readAllLines(file, StandardCharsets.UTF_8));
        }
    }

    @Test
    void helpAndUnknownSubcommand() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawRespClient client = new RawRespClient(server.port()))
        {
            final String help = client.call("CONFIG", "HELP");
            assertTrue(help.startsWith("*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"),
                help);
            assertEquals("-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n", client.call("CONFIG", "FOO"));
            assertEquals("-ERR wrong number of arguments for 'config' command\r\n", client.call("CONFIG"));
        }
    }
}
