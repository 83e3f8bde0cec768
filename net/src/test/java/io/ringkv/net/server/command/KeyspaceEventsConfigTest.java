package io.ringkv.net.server.command;

import io.ringkv.core.command.KeyspaceEvents;
import io.ringkv.net.server.TestServer;
import io.ringkv.net.server.config.ConfigLoader;
import io.ringkv.net.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * notify-keyspace-events end to end: the config file, CONFIG SET with Redis 7.0.15's answers (canonical CONFIG GET,
 * the error for a wrong letter, the empty value turning notifications off), and the engine publishing what the
 * option enables.
 */
class KeyspaceEventsConfigTest
{
    private static final String INVALID = "ERR CONFIG SET failed (possibly related to argument " +
        "'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

    @Test
    void configSetAnswersAsRedisAndReachesTheEngine() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final List<String> events = new CopyOnWriteArrayList<>();
            final KeyspaceEvents keyspaceEvents = server.server().engine().keyspaceEvents();
            keyspaceEvents.sink((type, event, db, key, offset, length) ->
                events.add(event + ":" + key.getStringWithoutLengthAscii(offset, length)));

            assertEquals("", jedis.configGet("notify-keyspace-events").get("notify-keyspace-events"));
            jedis.set("k", "v");
            assertEquals(List.of(), events, "off by default");

            // CONFIG SET value, then what redis-server 7.0.15 answers to CONFIG GET.
            for (final String[] pair : new String[][]{{"KEA$", "AKE"}, {"nmAKE", "AKEm"}, {"gx", "gx"},
                {"KEg$lshzxetdnm", "AKEm"}, {"Km", "Km"}, {"", ""}, {"EKn", "nKE"}})
            {
                assertEquals("OK", jedis.configSet("notify-keyspace-events", pair[0]));
                assertEquals(pair[1], jedis.configGet("notify-keyspace-events").get("notify-keyspace-events"));
            }
            for (final String bad : new String[]{"xyz", "a", "AKE ", "K\u00e9", "*"})
            {
                assertEquals(INVALID, assertThrows(JedisDataException.class,
                    () -> jedis.configSet("notify-keyspace-events", bad)).getMessage(), bad);
                assertEquals("nKE", jedis.configGet("notify-keyspace-events").get("notify-keyspace-events"),
                    "a refused value changes nothing");
            }
            // All or nothing with another option.
            assertThrows(JedisDataException.class,
                () -> jedis.configSet("notify-keyspace-events", "KEA", "maxmemory", "lots"));
            assertEquals("nKE", jedis.configGet("notify-keyspace-events").get("notify-keyspace-events"));

            jedis.set("k2", "v");
            assertEquals(List.of("new:k2"), events, "only the enabled class");
            events.clear();
            assertEquals("OK", jedis.configSet("notify-keyspace-events", "E$g"));
            jedis.set("k2", "v", redis.clients.jedis.params.SetParams.setParams().ex(100));
            jedis.del("k2");
            assertEquals(List.of("set:k2", "expire:k2", "del:k2"), events);
            events.clear();
            assertEquals("OK", jedis.configSet("notify-keyspace-events", ""));
            jedis.set("k3", "v");
            assertEquals(List.of(), events, "the empty value turns them off");

            // A huge value of letters is parsed like any other; a huge key is reported whole.
            assertEquals("OK", jedis.configSet("notify-keyspace-events", "KEA".repeat(100_000)));
            assertEquals("AKE", jedis.configGet("notify-keyspace-events").get("notify-keyspace-events"));
            assertEquals(INVALID, assertThrows(JedisDataException.class,
                () -> jedis.configSet("notify-keyspace-events", "KEA".repeat(100_000) + "?")).getMessage());
            final String hugeKey = "h".repeat(512 * 1024);
            jedis.set(hugeKey, "v");
            assertEquals(List.of("set:" + hugeKey), events);
        }
    }

    @Test
    void configFileAndRewrite(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("ringkv.conf");
        Files.writeString(file, "port 0\nnotify-keyspace-events \"Ex$\"\n");
        final ServerConfig config = new ServerConfig();
        new ConfigLoader(config).loadFile(file);
        assertEquals("$xE", config.notifyKeyspaceEvents.text());
        try (TestServer server = TestServer.start(config);
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(KeyspaceEvents.parse("Ex$"), server.server().engine().keyspaceEvents().mask());
            assertEquals("$xE", jedis.configGet("notify-keyspace-events").get("notify-keyspace-events"));
            assertEquals("OK", jedis.configSet("notify-keyspace-events", "KA"));
            assertEquals("OK", jedis.configRewrite());
            assertTrue(Files.readAllLines(file, StandardCharsets.UTF_8).contains("notify-keyspace-events AK"),
                Files.readString(file));
        }
        final ServerConfig reloaded = new ServerConfig();
        new ConfigLoader(reloaded).loadFile(file);
        assertEquals("AK", reloaded.notifyKeyspaceEvents.text());

        Files.writeString(file, "notify-keyspace-events \"\"\n");
        final ServerConfig empty = new ServerConfig();
        new ConfigLoader(empty).loadFile(file);
        assertEquals(0, empty.notifyKeyspaceEvents.number());

        Files.writeString(file, "notify-keyspace-events KEy\n");
        final Exception refused = assertThrows(Exception.class, () -> new ConfigLoader(new ServerConfig()).loadFile(file));
        assertTrue(refused.getMessage().contains("Invalid event class character"), refused.getMessage());
    }
}
