package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MEMORY on a real ringkv against a real redis-server 7.0: errors and texts byte for byte, STATS by its field names
 * and types in RESP2 and RESP3 (the figures are each server's own), USAGE by what it must grow with.
 */
class MemoryCommandsTest
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
    void errorsHelpAndTextsMatchRedis() throws IOException
    {
        final String[][] requests = {
            {"SET", "mem:k", "v"}, {"MEMORY", "USAGE", "mem:nosuch"}, {"MEMORY", "USAGE", "mem:k", "SAMPLES", "-1"},
            {"MEMORY", "USAGE", "mem:k", "SAMPLES", "x"}, {"MEMORY", "USAGE", "mem:k", "SAMPLES"},
            {"MEMORY", "USAGE", "mem:k", "bar"}, {"MEMORY", "USAGE"}, {"MEMORY", "USAGE", "mem:nosuch", "SAMPLES", "0"},
            {"MEMORY", "DOCTOR"}, {"MEMORY", "DOCTOR", "x"}, {"MEMORY", "STATS", "x"}, {"MEMORY", "PURGE"},
            {"MEMORY", "HELP"}, {"MEMORY", "nosuch"}, {"MEMORY"}, {"MEMORY", "MALLOC-STATS", "x"},
        };
        RawRespClient.assertSameReplies(ringkv.port(), redis.port(), requests);
    }

    @Test
    void statsHasRedisFieldsAndTypes() throws IOException
    {
        for (final String protocol : new String[]{"2", "3"})
        {
            final List<String> shapes = new ArrayList<>();
            for (final int port : new int[]{ringkv.port(), redis.port()})
            {
                try (RawRespClient client = new RawRespClient(port))
                {
                    client.call("HELLO", protocol);
                    client.call("SELECT", "3");
                    client.call("SET", "mem:stats", "v", "EX", "100");
                    // Figures differ between the servers; names, order and types must not.
                    shapes.add(client.call("MEMORY", "STATS").replaceAll(":-?\\d+\r\n", ":N\r\n")
                        .replaceAll(",[0-9.e+-]+\r\n", ",D\r\n")
                        .replaceAll("\\$\\d+\r\n[0-9.e+-]+\r\n", "\\$D\r\n"));
                    client.call("DEL", "mem:stats");
                }
            }
            assertEquals(shapes.get(1), shapes.get(0), "RESP" + protocol);
            assertTrue(shapes.get(0).contains("db.3"), shapes.get(0));
        }
    }

    @Test
    void usageGrowsWithTheValueAndCountsTheExpiry() throws IOException
    {
        try (RawRespClient client = new RawRespClient(ringkv.port()))
        {
            client.call("SET", "mem:small", "v");
            client.call("SET", "mem:large", "v".repeat(10_000));
            client.call("SET", "mem:ttl_x", "v", "EX", "100");
            final long small = integer(client.call("MEMORY", "USAGE", "mem:small"));
            final long large = integer(client.call("MEMORY", "USAGE", "mem:large", "SAMPLES", "0"));
            final long ttl = integer(client.call("MEMORY", "USAGE", "mem:ttl_x"));
            assertTrue(small > "mem:small".length() && small < 128, "small " + small);
            assertTrue(large >= 10_000 && large < 12_000, "large " + large);
            assertEquals(small + Long.BYTES, ttl, "a TTL takes a slot of the expiry index");
            final String report = client.call("MEMORY", "MALLOC-STATS");
            assertTrue(report.contains("ringkv slab allocator") && report.contains("reserved"), report);
        }
    }

    private static long integer(final String reply)
    {
        final Matcher matcher = Pattern.compile(":(\\d+)\r\n").matcher(reply);
        assertTrue(matcher.matches(), reply);
        return Long.parseLong(matcher.group(1));
    }
}
