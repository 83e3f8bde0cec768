package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LATENCY and INFO latencystats on a real ringkv, byte for byte against a real redis-server 7.0 where the reply does
 * not depend on timing, and by shape (types, names, call counts, cumulative buckets) where it does.
 */
class LatencyCommandsTest
{
    /** histogram_usec's map in RESP2 or RESP3: its pairs are timing-dependent, so tests check and then mask them. */
    private static final Pattern BUCKETS =
        Pattern.compile("\\$14\r\nhistogram_usec\r\n([*%])(\\d+)\r\n((?::\\d+\r\n)*)");
    private static final Pattern PERCENTILE_LINE =
        Pattern.compile("(latency_percentiles_usec|ringkv_service_percentiles_usec)_([a-z|]+):(.*)");

    @AutoClose
    private static TestServer ringkv;
    @AutoClose
    private static RedisServerProcess redis;

    @BeforeAll
    static void start() throws IOException, InterruptedException
    {
        ringkv = TestServer.start();
        redis = RedisServerProcess.start("--enable-debug-command", "yes");
    }

    @Test
    void histogramRepliesHaveRedisShapesInResp2AndResp3() throws IOException
    {
        for (final String protocol : new String[]{"2", "3"})
        {
            final List<String> replies = new ArrayList<>();
            for (final int port : new int[]{ringkv.port(), redis.port()})
            {
                try (RawRespClient client = new RawRespClient(port))
                {
                    client.call("HELLO", protocol);
                    client.call("CONFIG", "RESETSTAT");
                    for (int i = 0; i < 5; i++)
                    {
                        client.call("SET", "latency:k" + i, "v");
                    }
                    client.call("GET", "latency:k1");
                    client.call("CONFIG", "GET", "maxmemory");
                    client.call("COMMAND");
                    client.call("COMMAND", "COUNT");
                    // A container brings its subcommands that have calls ("client": none); Redis lists several in
                    // its hash order, ringkv by name, so this compares one.
                    final String reply =
                        client.call("LATENCY", "HISTOGRAM", "set", "nosuch", "GET", "lpush", "client", "config|get",
                            "command");
                    replies.add(maskBuckets(reply, protocol));
                }
            }
            assertEquals(replies.get(1), replies.get(0), "RESP" + protocol);
            assertTrue(replies.get(0).contains("$3\r\nset\r\n"), replies.get(0));
            assertTrue(replies.get(0).contains("$10\r\nconfig|get\r\n"), replies.get(0));
            assertTrue(replies.get(0).contains("$7\r\ncommand\r\n*4") ||
                replies.get(0).contains("$7\r\ncommand\r\n%2"), "COMMAND alone is timed as itself");
        }
    }

    @Test
    void eventSubcommandsAnswerAsRedisWithTheMonitorOff() throws IOException
    {
        final String[][] requests = {
            {"LATENCY", "LATEST"}, {"LATENCY", "HISTORY", "command"}, {"LATENCY", "RESET", "command", "fork"},
            {"LATENCY", "DOCTOR"}, {"LATENCY", "GRAPH", "command"}, {"LATENCY", "HELP"}, {"LATENCY"},
            {"LATENCY", "nosuch"}, {"LATENCY", "HISTORY"}, {"LATENCY", "GRAPH"}, {"LATENCY", "LATEST", "x"},
            {"LATENCY", "HISTOGRAM", "nosuch"}};
        for (final String protocol : new String[]{"2", "3"})
        {
            try (RawRespClient ours = new RawRespClient(ringkv.port());
                RawRespClient theirs = new RawRespClient(redis.port()))
            {
                ours.call("HELLO", protocol);
                theirs.call("HELLO", protocol);
                for (final String[] request : requests)
                {
                    assertEquals(theirs.call(request), ours.call(request),
                        "RESP" + protocol + " " + String.join(" ", request));
                }
            }
        }
    }

    @Test
    void percentileConfigurationAndInfoLinesMatchRedis() throws IOException
    {
        try (RawRespClient ours = new RawRespClient(ringkv.port());
            RawRespClient theirs = new RawRespClient(redis.port()))
        {
            for (final String value : new String[]{"50 abc", "101", "-1", "1e1 0.0001 33.333333", "", "99.9 50",
                "10 50.5 99.99 100 0"})
            {
                assertEquals(theirs.call("CONFIG", "SET", "latency-tracking-info-percentiles", value),
                    ours.call("CONFIG", "SET", "latency-tracking-info-percentiles", value), value);
                assertEquals(theirs.call("CONFIG", "GET", "latency-tracking-info-percentiles"),
                    ours.call("CONFIG", "GET", "latency-tracking-info-percentiles"), value);
            }
            assertEquals(theirs.call("CONFIG", "SET", "latency-tracking", "maybe"),
                ours.call("CONFIG", "SET", "latency-tracking", "maybe"));
            ours.call("SET", "latency:p", "1");
            theirs.call("SET", "latency:p", "1");
            final String ourLine = line(ours.call("INFO", "latencystats"), "latency_percentiles_usec_set:");
            final String theirLine = line(theirs.call("INFO", "latencystats"), "latency_percentiles_usec_set:");
            final String shape = "latency_percentiles_usec_set:p10=\\d+\\.\\d{3},p50\\.5=\\d+\\.\\d{3}," +
                "p99\\.99=\\d+\\.\\d{3},p100=\\d+\\.\\d{3},p0=\\d+\\.\\d{3}";
            assertTrue(theirLine.matches(shape), theirLine);
            assertTrue(ourLine.matches(shape), ourLine);
            ours.call("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9");
            theirs.call("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9");
            final String info = ours.call("INFO", "everything");
            assertTrue(info.indexOf("# Errorstats") < info.indexOf("# Latencystats") &&
                info.indexOf("# Latencystats") < info.indexOf("# Cluster"), "latencystats follows errorstats");
            assertFalse(ours.call("INFO").contains("Latencystats"), "not a default section, as in Redis");
        }
    }

    @Test
    void debugSleepShowsInTheHistogramInLatencystatsAndInServiceTimes() throws IOException
    {
        try (TestServer server = TestServer.start(); RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("DEBUG", "SLEEP", "0.01");
            client.call("DEBUG", "SLEEP", "0.01");
            final String reply = client.call("LATENCY", "HISTOGRAM", "debug");
            final Matcher buckets = BUCKETS.matcher(reply);
            assertTrue(reply.startsWith("*2\r\n$5\r\ndebug\r\n*4\r\n$5\r\ncalls\r\n:2\r\n") && buckets.find(), reply);
            final long[] pairs = pairs(buckets.group(3));
            assertTrue(pairs[0] >= 10_000, "first bucket at or above 10 ms: " + reply);
            assertEquals(2, pairs[pairs.length - 1], reply);

            final String info = client.call("INFO", "latencystats");
            for (final String prefix :
                new String[]{"latency_percentiles_usec_debug:", "ringkv_service_percentiles_usec_debug:"})
            {
                final String line = line(info, prefix);
                for (final String field : line.substring(prefix.length()).split(","))
                {
                    final double usec = Double.parseDouble(field.substring(field.indexOf('=') + 1));
                    assertTrue(usec >= 10_000, line);
                }
            }
            final String debugLine = line(info, "latency_percentiles_usec_debug:");
            assertTrue(debugLine.matches("latency_percentiles_usec_debug:p50=[0-9.]+,p99=[0-9.]+,p99\\.9=[0-9.]+"),
                debugLine);
        }
    }

    @Test
    void resetAndTrackingOffStopAndClearTheHistograms() throws IOException
    {
        try (TestServer server = TestServer.start(); RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("SET", "a", "1");
            client.call("GET", "a");
            assertTrue(client.call("LATENCY", "HISTOGRAM", "get").startsWith("*2\r\n$3\r\nget\r\n"));
            assertEquals(":0\r\n", client.call("LATENCY", "RESET"));
            assertEquals("*0\r\n", client.call("LATENCY", "HISTOGRAM", "get", "set"));
            assertFalse(client.call("INFO", "latencystats").contains("_get:"));

            assertEquals("+OK\r\n", client.call("CONFIG", "SET", "latency-tracking", "no"));
            client.call("GET", "a");
            client.call("GET", "a");
            assertEquals("*0\r\n", client.call("LATENCY", "HISTOGRAM", "get"));
            assertFalse(client.call("INFO", "latencystats").contains("_get:"));
            assertEquals("+OK\r\n", client.call("CONFIG", "SET", "latency-tracking", "yes"));
            client.call("GET", "a");
            assertTrue(client.call("LATENCY", "HISTOGRAM", "get").contains("$5\r\ncalls\r\n:1\r\n"));
            final String info = client.call("INFO", "latencystats");
            assertTrue(info.contains("latency_percentiles_usec_get:") &&
                info.contains("ringkv_service_percentiles_usec_get:"), info);

            assertEquals("+OK\r\n", client.call("CONFIG", "RESETSTAT"));
            assertFalse(client.call("LATENCY", "HISTOGRAM").contains("$3\r\nget\r\n"));
        }
    }

    @Test
    void trackingConfiguredOffAtStartRecordsNothingUntilTurnedOn() throws IOException
    {
        try (TestServer server = TestServer.start("latency-tracking", "no");
            RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("SET", "a", "1");
            assertEquals("*0\r\n", client.call("LATENCY", "HISTOGRAM"));
            client.call("CONFIG", "SET", "latency-tracking", "yes");
            client.call("SET", "a", "2");
            assertTrue(client.call("LATENCY", "HISTOGRAM", "set").startsWith("*2\r\n$3\r\nset\r\n*4\r\n" +
                "$5\r\ncalls\r\n:1\r\n"));
        }
    }

    @Test
    void histogramOverJsonLinesIsAnObjectOfObjects() throws IOException
    {
        try (TestServer server = TestServer.start();
            Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("{\"cmd\":\"set\",\"key\":\"a\",\"value\":\"1\"}\n" +
                "{\"cmd\":\"latency\",\"args\":[\"histogram\",\"set\"]}\n").getBytes(StandardCharsets.UTF_8));
            final BufferedReader lines = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("{}", lines.readLine());
            final String histogram = lines.readLine();
            assertTrue(histogram.matches("\\{\"value\":\\{\"set\":\\{\"calls\":1,\"histogram_usec\":\\{\"\\d+\":1}}}}"),
                histogram);
        }
    }

    /**
     * Check that a histogram_usec map is Redis's: bounds rising, cumulative counts rising; then mask its pairs.
     */
    private static String maskBuckets(final String reply, final String protocol)
    {
        final Matcher buckets = BUCKETS.matcher(reply);
        final StringBuilder masked = new StringBuilder();
        while (buckets.find())
        {
            assertEquals("2".equals(protocol) ? "*" : "%", buckets.group(1), reply);
            final long[] pairs = pairs(buckets.group(3));
            final long entries = Long.parseLong(buckets.group(2));
            assertEquals("2".equals(protocol) ? pairs.length : pairs.length / 2, entries, reply);
            for (int i = 2; i < pairs.length; i += 2)
            {
                assertTrue(pairs[i] > pairs[i - 2] && pairs[i + 1] > pairs[i - 1], reply);
            }
            buckets.appendReplacement(masked, "histogram_usec<buckets>");
        }
        buckets.appendTail(masked);
        return masked.toString();
    }

    private static long[] pairs(final String integers)
    {
        final String[] lines = integers.split("\r\n");
        final long[] values = new long[integers.isEmpty() ? 0 : lines.length];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = Long.parseLong(lines[i].substring(1));
        }
        return values;
    }

    private static String line(final String info, final String prefix)
    {
        for (final String line : info.split("\r\n"))
        {
            if (line.startsWith(prefix))
            {
                return line;
            }
            final int txt = line.indexOf("txt:");
            if (txt >= 0 && line.startsWith(prefix, txt + 4))
            {
                return line.substring(txt + 4);
            }
        }
        throw new AssertionError("no line " + prefix + " in " + info);
    }
}
