package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandsTest
{
    @Test
    void defaultSectionsInRedisOrderWithRedisFieldNames() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final String info = jedis.info();
            assertEquals(List.of("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                "Errorstats", "Cluster", "Keyspace"), headers(info));
            final Map<String, String> fields = fields(info);
            assertEquals("7.0.15", fields.get("redis_version"));
            assertEquals("standalone", fields.get("redis_mode"));
            assertEquals(Long.toString(ProcessHandle.current().pid()), fields.get("process_id"));
            assertTrue(Pattern.matches("[0-9a-f]{40}", fields.get("run_id")), fields.get("run_id"));
            assertEquals(Integer.toString(server.port()), fields.get("tcp_port"));
            assertEquals("1", fields.get("connected_clients"));
            assertEquals("10000", fields.get("maxclients"));
            assertEquals("0", fields.get("loading"));
            assertEquals("0", fields.get("aof_enabled"));
            assertEquals("master", fields.get("role"));
            assertEquals("0", fields.get("connected_slaves"));
            assertEquals("0", fields.get("cluster_enabled"));
            assertEquals("noeviction", fields.get("maxmemory_policy"));
            assertTrue(Long.parseLong(fields.get("used_memory")) > 0);
            assertTrue(fields.containsKey("ringkv_version"));
            assertTrue(fields.containsKey("ringkv_table_bytes"));
            assertFalse(info.contains("# Commandstats"));
            assertTrue(info.endsWith("\r\n"));
        }
    }

    /**
     * Redis's memory fields from the process's resident set, and the JVM's share in ringkv's own fields. Before,
     * used_memory_rss and used_memory_peak were missing and mem_fragmentation_ratio was the slab allocator's own
     * rounding, which says nothing about what the process costs.
     */
    @Test
    void memoryFieldsTellWhatTheProcessHolds() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final long usedBefore = Long.parseLong(fields(jedis.info("memory")).get("used_memory"));
            jedis.set("big".getBytes(), new byte[4 * 1024 * 1024]);
            final long usedWithValue = Long.parseLong(fields(jedis.info("memory")).get("used_memory"));
            assertTrue(usedWithValue >= usedBefore + 4 * 1024 * 1024);
            jedis.del("big");

            final Map<String, String> fields = fields(jedis.info("memory"));
            final long used = Long.parseLong(fields.get("used_memory"));
            final long rss = Long.parseLong(fields.get("used_memory_rss"));
            final long peak = Long.parseLong(fields.get("used_memory_peak"));
            assertTrue(rss > used, "rss " + rss + " used " + used);
            assertTrue(fields.get("used_memory_rss_human").endsWith("M"), fields.get("used_memory_rss_human"));
            assertTrue(peak >= usedWithValue, "the peak remembers the deleted value: " + peak);
            assertTrue(used < peak);
            assertEquals(String.format(java.util.Locale.ROOT, "%.2f", (double)rss / used),
                fields.get("mem_fragmentation_ratio"));
            assertEquals(rss - used, Long.parseLong(fields.get("mem_fragmentation_bytes")));
            assertTrue(fields.containsKey("used_memory_peak_human"));
            assertTrue(fields.containsKey("used_memory_peak_perc"));

            final long heapUsed = Long.parseLong(fields.get("ringkv_jvm_heap_used"));
            final long heapCommitted = Long.parseLong(fields.get("ringkv_jvm_heap_committed"));
            assertTrue(heapUsed > 0 && heapUsed <= heapCommitted, heapUsed + " / " + heapCommitted);
            assertTrue(heapCommitted <= Long.parseLong(fields.get("ringkv_jvm_heap_max")));
            assertTrue(Long.parseLong(fields.get("ringkv_jvm_non_heap_committed")) > 0);
            final long direct = Long.parseLong(fields.get("ringkv_jvm_direct_bytes"));
            final long connections = Long.parseLong(fields.get("ringkv_connection_buffer_bytes"));
            assertTrue(connections >= 2 * 16 * 1024, "this client's read and reply buffers: " + connections);
            assertTrue(direct >= connections, direct + " direct, " + connections + " of connections");
            assertTrue(Long.parseLong(fields.get("ringkv_engine_buffer_bytes")) > 0);
        }
    }

    @Test
    void runIdDiffersPerStart() throws Exception
    {
        final String first;
        try (TestServer server = TestServer.start(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            first = fields(jedis.info("server")).get("run_id");
        }
        try (TestServer server = TestServer.start(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertNotEquals(first, fields(jedis.info("server")).get("run_id"));
        }
    }

    @Test
    void sectionsPickedByNameAnyCaseAndAllAddsCommandstats() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(List.of("Keyspace"), headers(jedis.info("KEYSPACE")));
            assertEquals(List.of("Clients", "Memory"), headers(new String(
                (byte[])jedis.sendCommand(() -> "INFO".getBytes(), "memory", "clients"), StandardCharsets.UTF_8)));
            assertEquals("", jedis.info("nosuchsection"));
            assertTrue(headers(jedis.info("all")).contains("Commandstats"));
            assertTrue(headers(jedis.info("everything")).contains("Commandstats"));
            assertEquals(headers(jedis.info()), headers(jedis.info("default")));
        }
    }

    @Test
    void keyspaceStatsAndCommandstatsCountWhatHappened() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("a", "1");
            jedis.set("b", "2");
            jedis.expire("b", 100);
            jedis.select(2);
            jedis.set("c", "three");
            jedis.get("c");
            jedis.get("nope");
            jedis.psetex("gone", 1, "x");
            Thread.sleep(5);
            jedis.get("gone");
            assertThrows(JedisDataException.class, () -> jedis.incr("c"));
            assertThrows(JedisDataException.class, () -> jedis.sendCommand(() -> "GET".getBytes()));
            final String keyspace = jedis.info("keyspace");
            // avg_ttl: the remaining TTL of b, in ms (100 s, less the time the test took).
            assertTrue(keyspace.matches("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=(9\\d{4}|100000)\r\n" +
                "db2:keys=1,expires=0,avg_ttl=0\r\n"), keyspace);
            final Map<String, String> stats = fields(jedis.info("stats"));
            assertEquals("1", stats.get("keyspace_hits"));
            assertEquals("2", stats.get("keyspace_misses"));
            assertEquals("1", stats.get("expired_keys"));
            assertEquals("0", stats.get("evicted_keys"));
            assertTrue(Long.parseLong(stats.get("total_commands_processed")) >= 10);
            assertTrue(Long.parseLong(stats.get("total_connections_received")) >= 1);
            final Map<String, String> commandstats = fields(jedis.info("commandstats"));
            assertTrue(Pattern.matches("calls=3,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=0,failed_calls=0",
                commandstats.get("cmdstat_set")), commandstats.get("cmdstat_set"));
            assertTrue(commandstats.get("cmdstat_get").startsWith("calls=3,"), commandstats.get("cmdstat_get"));
            assertTrue(commandstats.get("cmdstat_get").endsWith(",rejected_calls=1,failed_calls=0"));
            assertTrue(commandstats.get("cmdstat_incr").endsWith(",rejected_calls=0,failed_calls=1"));
            assertFalse(commandstats.containsKey("cmdstat_dbsize"));
            // Container commands count per subcommand, as Redis 7 does.
            assertTrue(commandstats.get("cmdstat_select").startsWith("calls=1,"), commandstats.toString());
            assertFalse(commandstats.containsKey("cmdstat_config"));
            assertThrows(JedisDataException.class, () -> jedis.configSet("maxmemory", "x"));
            assertThrows(JedisDataException.class, () -> jedis.sendCommand(() -> "CONFIG".getBytes(), "GET"));
            jedis.configGet("port");
            final Map<String, String> after = fields(jedis.info("commandstats"));
            assertTrue(after.get("cmdstat_config|set").endsWith(",rejected_calls=0,failed_calls=1"), after.toString());
            assertTrue(after.get("cmdstat_config|get").startsWith("calls=1,"), after.toString());
            assertTrue(after.get("cmdstat_config|get").endsWith(",rejected_calls=1,failed_calls=0"), after.toString());
            assertTrue(after.get("cmdstat_info").startsWith("calls=3,"), after.toString());

            // Errors by code: INCR c, GET without key, CONFIG SET maxmemory x, CONFIG GET without pattern, and an
            // unknown command, which commandstats does not see.
            assertThrows(JedisDataException.class, () -> jedis.sendCommand(() -> "NOSUCH".getBytes()));
            assertEquals("# Errorstats\r\nerrorstat_ERR:count=5\r\n", jedis.info("errorstats"));
            assertEquals("5", fields(jedis.info("stats")).get("total_error_replies"));
        }
    }

    @Test
    void replicationOffsetFollowsTheEngine() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final long before = Long.parseLong(fields(jedis.info("replication")).get("master_repl_offset"));
            jedis.set("a", "1");
            jedis.set("b", "1");
            final Map<String, String> replication = fields(jedis.info("replication"));
            assertEquals(before + 2, Long.parseLong(replication.get("master_repl_offset")));
            assertTrue(Pattern.matches("[0-9a-f]{40}", replication.get("master_replid")));
        }
    }

    @Test
    void otherModulesAddSections() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            server.server().infoSections().add("latencystats", "Latencystats", false,
                (context, out) -> out.field("latency_percentiles_usec_get", "p50=1.000"));
            assertEquals("# Latencystats\r\nlatency_percentiles_usec_get:p50=1.000\r\n", jedis.info("latencystats"));
            assertFalse(jedis.info().contains("Latencystats"));
            assertTrue(jedis.info("all").contains("# Latencystats"));
        }
    }

    @Test
    void resp3RepliesWithAVerbatimString() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("$12\r\n# Keyspace\r\n\r\n", client.call("INFO", "keyspace"));
            client.call("HELLO", "3");
            assertEquals("=16\r\ntxt:# Keyspace\r\n\r\n", client.call("INFO", "keyspace"));
        }
    }

    @Test
    void jsonLinesClientsGetInfoAsAStringAndNoClientReply() throws Exception
    {
        try (TestServer server = TestServer.start();
            java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port()))
        {
            socket.getOutputStream().write(("{\"cmd\":\"INFO\",\"args\":[\"keyspace\"]}\n" +
                "{\"cmd\":\"CLIENT\",\"args\":[\"REPLY\",\"OFF\"]}\n").getBytes(StandardCharsets.UTF_8));
            final java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("{\"value\":\"# Keyspace\\r\\n\"}", in.readLine());
            assertEquals("{\"error\":\"ERR CLIENT REPLY is only available on RESP connections\"}", in.readLine());
        }
    }

    static List<String> headers(final String info)
    {
        final List<String> headers = new ArrayList<>();
        for (final String line : info.split("\r\n"))
        {
            if (line.startsWith("# "))
            {
                headers.add(line.substring(2));
            }
        }
        return headers;
    }

    static Map<String, String> fields(final String info)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String line : info.split("\r\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#"))
            {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }
}
