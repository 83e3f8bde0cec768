package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SLOWLOG and the latency monitor (LATENCY LATEST/HISTORY/GRAPH/DOCTOR/RESET) on a real ringkv against a real
 * redis-server 7.0, byte for byte once the figures that depend on timing (unix time, duration, the client's port,
 * milliseconds slept) are masked: argument trimming, redaction, ids, order, errors, and the monitor's texts.
 */
class SlowlogAndLatencyMonitorTest
{
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

    /** Masks a slow log entry's time and duration, and a client address's port. */
    private static String maskEntries(final String reply)
    {
        return reply.replaceAll("(\\*6\r\n:\\d+\r\n):\\d+\r\n:\\d+\r\n", "$1:TIME\r\n:DURATION\r\n")
            .replaceAll("\\$\\d+\r\n127\\.0\\.0\\.1:\\d+\r\n", "\\$ADDR\r\n");
    }

    @Test
    void slowLogEntriesAreTrimmedRedactedAndOrderedAsRedisDoes() throws IOException
    {
        final List<String> manyArguments = new ArrayList<>(List.of("MSET"));
        for (int i = 0; i < 40; i++)
        {
            manyArguments.add("slow:k" + i);
            manyArguments.add(i == 3 ? "v".repeat(300) : "v" + i);
        }
        final String[][] requests = {
            {"CONFIG", "SET", "slowlog-log-slower-than", "0"},
            {"SLOWLOG", "RESET"},
            {"SET", "slow:long", "x".repeat(129)},
            {"SET", "slow:exact", "y".repeat(128)},
            manyArguments.subList(0, 32).toArray(new String[0]),
            manyArguments.subList(0, 33).toArray(new String[0]),
            manyArguments.toArray(new String[0]),
            {"CLIENT", "SETNAME", "slow-client"},
            {"AUTH", "secret"},
            {"AUTH", "user", "secret"},
            {"HELLO", "2", "AUTH", "default", "pw"},
            {"CONFIG", "SET", "masterauth", "pw", "slowlog-max-len", "128"},
            {"GET", "slow:nosuch"},
            {"SLOWLOG", "LEN"},
            {"SLOWLOG", "GET", "2"},
            {"SLOWLOG", "GET", "-1"},
            {"SLOWLOG", "GET", "0"},
            {"SLOWLOG", "GET"},
        };
        final List<List<String>> transcripts = new ArrayList<>();
        for (final int port : new int[]{ringkv.port(), redis.port()})
        {
            final List<String> transcript = new ArrayList<>();
            try (RawRespClient client = new RawRespClient(port))
            {
                for (final String[] request : requests)
                {
                    final String reply = maskEntries(client.call(request));
                    // HELLO's reply holds the client id, which differs; its slow log entry is compared.
                    transcript.add("HELLO".equals(request[0]) ? reply.substring(0, 4) : reply);
                }
                client.call("CONFIG", "SET", "slowlog-log-slower-than", "10000", "masterauth", "");
            }
            transcripts.add(transcript);
        }
        for (int i = 0; i < requests.length; i++)
        {
            assertEquals(transcripts.get(1).get(i), transcripts.get(0).get(i), String.join(" ", requests[i]));
        }
        final String all = transcripts.get(0).get(requests.length - 3);
        assertTrue(all.contains("$23\r\n... (50 more arguments)\r\n") &&
            all.contains("$22\r\n... (2 more arguments)\r\n"), all);
        assertTrue(all.contains("... (1 more bytes)"), all);
        assertTrue(all.contains("$10\r\n(redacted)\r\n") && !all.contains("secret"), all);
        assertTrue(all.contains("$11\r\nslow-client\r\n"), all);
    }

    @Test
    void hostileArgumentsGetRedisErrors() throws IOException
    {
        final String[][] requests = {
            {"SLOWLOG", "GET", "-2"}, {"SLOWLOG", "GET", "abc"}, {"SLOWLOG", "GET", "+1"}, {"SLOWLOG", "GET", " 1"},
            {"SLOWLOG", "GET", "99999999999999999999"}, {"SLOWLOG", "GET", "1", "2"}, {"SLOWLOG", "LEN", "x"},
            {"SLOWLOG", "RESET", "x"}, {"SLOWLOG", "nosuch"}, {"SLOWLOG"}, {"SLOWLOG", "HELP"},
            {"CONFIG", "SET", "slowlog-log-slower-than", "-2"}, {"CONFIG", "SET", "slowlog-log-slower-than", "x"},
            {"CONFIG", "SET", "slowlog-max-len", "-1"}, {"CONFIG", "SET", "latency-monitor-threshold", "-1"},
            {"CONFIG", "SET", "latency-monitor-threshold", "1.5"}, {"CONFIG", "GET", "slowlog-max-len"},
            {"CONFIG", "GET", "slowlog-log-slower-than"},
            {"CONFIG", "GET", "latency-monitor-threshold"}, {"LATENCY", "HISTORY", "nosuch"},
            {"LATENCY", "GRAPH", "nosuch"}, {"LATENCY", "RESET", "nosuch"},
        };
        RawRespClient.assertSameReplies(ringkv.port(), redis.port(), requests);
    }

    @Test
    void slowLogKeepsTheNewestMaxLenEntries() throws IOException
    {
        for (final int port : new int[]{ringkv.port(), redis.port()})
        {
            try (RawRespClient client = new RawRespClient(port))
            {
                client.call("CONFIG", "SET", "slowlog-max-len", "3", "slowlog-log-slower-than", "0");
                for (int i = 0; i < 5; i++)
                {
                    client.call("SET", "slow:len" + i, "v");
                }
                assertEquals(":3\r\n", client.call("SLOWLOG", "LEN"), "port " + port);
                final String newest = client.call("SLOWLOG", "GET", "3");
                assertTrue(newest.startsWith("*3\r\n") && newest.contains("slow:len4") &&
                    newest.contains("slow:len3") && !newest.contains("slow:len2"), newest);
                client.call("CONFIG", "SET", "slowlog-log-slower-than", "-1");
                client.call("SLOWLOG", "RESET");
                client.call("SET", "slow:off", "v");
                assertEquals(":0\r\n", client.call("SLOWLOG", "LEN"), "off logs nothing, port " + port);
                client.call("CONFIG", "SET", "slowlog-max-len", "128", "slowlog-log-slower-than", "10000");
            }
        }
    }

    @Test
    void latencyMonitorRecordsSlowCommandsAsRedisDoes() throws IOException
    {
        final List<List<String>> transcripts = new ArrayList<>();
        for (final int port : new int[]{ringkv.port(), redis.port()})
        {
            final List<String> transcript = new ArrayList<>();
            try (RawRespClient client = new RawRespClient(port))
            {
                client.call("LATENCY", "RESET");
                transcript.add(client.call("CONFIG", "SET", "latency-monitor-threshold", "5"));
                transcript.add(client.call("LATENCY", "DOCTOR"));
                transcript.add(client.call("DEBUG", "SLEEP", "0.03"));
                transcript.add(client.call("DEBUG", "SLEEP", "0"));
                transcript.add(client.call("LATENCY", "LATEST").replaceAll(":\\d+\r\n", ":N\r\n"));
                transcript.add(client.call("LATENCY", "HISTORY", "COMMAND").replaceAll(":\\d+\r\n", ":N\r\n"));
                final String graph = client.call("LATENCY", "GRAPH", "command");
                // The graph's bottom rows label each sample with its age (0s, 1s...): a loaded machine takes more
                // than a second between the SLEEP and the GRAPH on one server and not on the other.
                final int axis = graph.lastIndexOf("---");
                final String ages = axis < 0 ? "" : graph.substring(axis).replaceAll("\\d", "N");
                transcript.add((axis < 0 ? graph : graph.substring(0, axis) + ages).replaceAll("\\d+ ms", "N ms")
                    .replaceAll("\\$\\d+", "\\$LEN"));
                transcript.add(client.call("LATENCY", "DOCTOR").replaceAll("\\d+ms", "Nms")
                    .replaceAll("\\$\\d+", "\\$LEN").replaceAll("period \\d+\\.\\d+", "period P"));
                transcript.add(client.call("LATENCY", "RESET", "command", "command"));
                transcript.add(client.call("LATENCY", "LATEST"));
                transcript.add(client.call("CONFIG", "SET", "latency-monitor-threshold", "0"));
            }
            transcripts.add(transcript);
        }
        assertEquals(transcripts.get(1), transcripts.get(0));
        assertTrue(transcripts.get(0).get(4).startsWith("*1\r\n*4\r\n$7\r\ncommand\r\n"), transcripts.get(0).get(4));
        assertTrue(transcripts.get(0).get(6).contains("command - high N ms"), transcripts.get(0).get(6));
    }
}
