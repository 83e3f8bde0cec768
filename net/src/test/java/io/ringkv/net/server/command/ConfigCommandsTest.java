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
