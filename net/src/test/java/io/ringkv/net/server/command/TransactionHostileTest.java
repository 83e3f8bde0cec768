package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transactions under hostile use: a client that disconnects inside MULTI (after whole commands, or half way through
 * one) applies nothing and leaves no watched key behind; a queue of 100,000 pipelined commands executes whole and the
 * next transaction starts empty; RESET leaves MULTI and unwatches; the session-level state shows in CLIENT LIST.
 */
class TransactionHostileTest
{
    @AutoClose
    private static TestServer ringkv;

    @BeforeAll
    static void start() throws IOException
    {
        ringkv = TestServer.start();
    }

    @Test
    void disconnectingInsideMultiAppliesNothingAndLeavesNoWatchedKey() throws Exception
    {
        try (RawRespClient observer = new RawRespClient(ringkv.port()))
        {
            observer.call("FLUSHALL");
            for (int round = 0; round < 3; round++)
            {
                final RawRespClient client = new RawRespClient(ringkv.port());
                final String[] watch = new String[51];
                watch[0] = "WATCH";
                for (int k = 1; k < watch.length; k++)
                {
                    watch[k] = "key:" + k;
                }
                assertEquals("+OK\r\n", client.call(watch));
                assertEquals("+OK\r\n", client.call("MULTI"));
                assertEquals("+QUEUED\r\n", client.call("SET", "applied", "never"));
                if (round == 1)
                {
                    client.sendRaw("*3\r\n$3\r\nSET\r\n$4\r\nhalf"); // a command cut short
                }
                if (round == 2)
                {
                    client.sendRaw("*1\r\n$4\r\nEXEC\r\n"); // EXEC that nobody waits for: it runs
                }
                client.close();
                awaitWatchedKeys(observer, 0);
                assertEquals(round == 2 ? ":1\r\n" : ":0\r\n", observer.call("EXISTS", "applied"), "round " + round);
                observer.call("DEL", "applied");
            }
            assertTrue(info(observer).contains("watching_clients:0\r\n"));
        }
    }

    @Test
    void aHugeQueueExecutesWholeAndTheNextTransactionStartsEmpty() throws Exception
    {
        final int commands = 100_000;
        try (RawRespClient client = new RawRespClient(ringkv.port()))
        {
            client.call("FLUSHALL");
            final StringBuilder pipeline = new StringBuilder("*1\r\n$5\r\nMULTI\r\n");
            for (int i = 0; i < commands; i++)
            {
                final String key = "queued:" + i;
                pipeline.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key)
                    .append("\r\n$3\r\nval\r\n");
            }
            pipeline.append("*1\r\n$4\r\nEXEC\r\n");
            client.sendRaw(pipeline.toString());
            assertEquals("+OK\r\n", client.read());
            for (int i = 0; i < commands; i++)
            {
                assertEquals("+QUEUED\r\n", client.read());
            }
            final String exec = client.read();
            assertTrue(exec.startsWith("*" + commands + "\r\n+OK\r\n"), exec.substring(0, 40));
            assertEquals(commands * "+OK\r\n".length() + ("*" + commands + "\r\n").length(), exec.length());
            assertEquals(":" + commands + "\r\n", client.call("DBSIZE"));
            assertEquals("+OK\r\n", client.call("MULTI"));
            assertEquals("+QUEUED\r\n", client.call("GET", "queued:7"));
            assertEquals("*1\r\n$3\r\nval\r\n", client.call("EXEC"));
        }
    }

    @Test
    void resetLeavesMultiAndUnwatchesAndClientListShowsTheState() throws Exception
    {
        try (RawRespClient client = new RawRespClient(ringkv.port());
            RawRespClient other = new RawRespClient(ringkv.port()))
        {
            assertEquals("+OK\r\n", client.call("WATCH", "r"));
            other.call("SET", "r", "changed");
            final String watching = other.call("CLIENT", "LIST");
            assertTrue(watching.contains(" flags=d db=0 sub=0 psub=0 ssub=0 multi=-1 "), watching);
            assertEquals("+OK\r\n", client.call("MULTI"));
            assertEquals("+QUEUED\r\n", client.call("SET", "after-reset", "1"));
            // A doomed transaction queues nothing (Redis saves the memory): multi=0, as redis-server shows.
            final String queueing = other.call("CLIENT", "LIST");
            assertTrue(queueing.contains(" flags=xd db=0 sub=0 psub=0 ssub=0 multi=0 "), queueing);
            assertEquals("+RESET\r\n", client.call("RESET"));
            assertEquals("-ERR EXEC without MULTI\r\n", client.call("EXEC"));
            assertEquals(":0\r\n", client.call("EXISTS", "after-reset"));
            awaitWatchedKeys(other, 0);
        }
    }

    @Test
    void execIsLeftOutOfTheSlowLogAndItsCommandsAreIn() throws Exception
    {
        try (RawRespClient client = new RawRespClient(ringkv.port()))
        {
            client.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
            try
            {
                client.call("SLOWLOG", "RESET");
                client.call("MULTI");
                client.call("SET", "slow", "1");
                client.call("EXEC");
                final String log = client.call("SLOWLOG", "GET");
                assertTrue(log.contains("$5\r\nMULTI\r\n") && log.contains("$3\r\nSET\r\n$4\r\nslow\r\n"), log);
                assertTrue(!log.contains("EXEC"), "EXEC is skip_slowlog in Redis: " + log);
            }
            finally
            {
                client.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
            }
        }
    }

    @Test
    void anEvictedWatchedKeyFailsExecAndOneThatSurvivesDoesNot() throws Exception
    {
        try (TestServer evicting = TestServer.start("maxmemory-policy", "allkeys-random");
            RawRespClient watcher = new RawRespClient(evicting.port());
            RawRespClient writer = new RawRespClient(evicting.port()))
        {
            watcher.call("SET", "watched", "v");
            assertEquals("+OK\r\n", watcher.call("WATCH", "watched"));
            final String usedMemory = info(writer, "memory").replaceAll("(?s).*used_memory:(\\d+).*", "$1");
            writer.call("CONFIG", "SET", "maxmemory", Long.toString(Long.parseLong(usedMemory.strip()) + 256 * 1024));
            // Writes past the budget evict random keys until the watched one is gone (EXISTS from another client does
            // not count as a change).
            int written = 0;
            while (writer.call("EXISTS", "watched").equals(":1\r\n"))
            {
                assertTrue(written < 200_000, "the watched key was never evicted");
                for (int i = 0; i < 100; i++)
                {
                    writer.call("SET", "filler:" + written++, "x".repeat(100));
                }
            }
            assertTrue(info(writer, "stats").contains("evicted_keys:"), "evictions happened");
            assertEquals("+OK\r\n", watcher.call("MULTI"));
            assertEquals("+QUEUED\r\n", watcher.call("PING"));
            assertEquals("*-1\r\n", watcher.call("EXEC"), "the eviction changed the watched key");

            // Evictions of other keys are no change to a watched one.
            writer.call("CONFIG", "SET", "maxmemory", "0");
            writer.call("SET", "kept", "v");
            assertEquals("+OK\r\n", watcher.call("WATCH", "kept"));
            writer.call("CONFIG", "SET", "maxmemory-policy", "volatile-random");
            writer.call("SET", "volatile", "v", "EX", "1000");
            writer.call("CONFIG", "SET", "maxmemory", "1");
            writer.call("SET", "another", "x"); // evicts the volatile key, then answers OOM
            assertEquals(":0\r\n", writer.call("EXISTS", "volatile"));
            writer.call("CONFIG", "SET", "maxmemory", "0");
            assertEquals("+OK\r\n", watcher.call("MULTI"));
            assertEquals("+QUEUED\r\n", watcher.call("PING"));
            assertEquals("*1\r\n+PONG\r\n", watcher.call("EXEC"));
        }
    }

    private static void awaitWatchedKeys(final RawRespClient client, final int expected) throws Exception
    {
        final long deadline = System.currentTimeMillis() + 10_000;
        int watched;
        do
        {
            final Matcher matcher = Pattern.compile("total_watched_keys:(\\d+)").matcher(info(client));
            assertTrue(matcher.find());
            watched = Integer.parseInt(matcher.group(1));
            if (watched != expected)
            {
                Thread.sleep(10);
            }
        }
        while (watched != expected && System.currentTimeMillis() < deadline);
        assertEquals(expected, watched, "watched keys");
    }

    private static String info(final RawRespClient client) throws IOException
    {
        return info(client, "clients");
    }

    private static String info(final RawRespClient client, final String section) throws IOException
    {
        return client.call("INFO", section);
    }
}
