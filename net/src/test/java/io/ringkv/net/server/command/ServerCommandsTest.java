package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerCommandsTest
{
    @Test
    void timeLastsaveSaveBgsaveMonitor() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawRespClient client = new RawRespClient(server.port()))
        {
            final long beforeUs = System.currentTimeMillis() * 1000;
            final String[] time = client.call("TIME").split("\r\n");
            assertEquals("*2", time[0]);
            final long us = Long.parseLong(time[2]) * 1_000_000 + Long.parseLong(time[4]);
            assertTrue(us >= beforeUs - 1000 && us <= System.currentTimeMillis() * 1000 + 1000, String.valueOf(us));
            assertTrue(Long.parseLong(time[4]) < 1_000_000);
            assertEquals("-ERR wrong number of arguments for 'time' command\r\n", client.call("TIME", "x"));
            // Before the first save LASTSAVE is the start (as Redis); SAVE and BGSAVE: RdbPersistenceTest.
            final long lastSave = Long.parseLong(client.call("LASTSAVE").substring(1).trim());
            assertTrue(lastSave >= server.server().startedMs() / 1000 && lastSave <= System.currentTimeMillis() / 1000);
            assertEquals("-ERR syntax error\r\n", client.call("BGSAVE", "x"));
            assertEquals("+OK\r\n", client.call("MONITOR")); // MonitorCommandTest has the rest
        }
    }

    @Test
    void shutdownRefusesBadFlagsAndSaveButStopsWithNosave() throws Exception
    {
        // A dir that is not a directory: SHUTDOWN SAVE's save fails.
        try (TestServer server = TestServer.start("dir", "/nonexistent-ringkv-directory");
            RawRespClient client = new RawRespClient(server.port()))
        {
            final CompletableFuture<Void> stopped = CompletableFuture.runAsync(() ->
            {
                try
                {
                    server.server().awaitShutdownRequest();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            assertEquals("-ERR syntax error\r\n", client.call("SHUTDOWN", "FOO"));
            assertEquals("-ERR syntax error\r\n", client.call("SHUTDOWN", "SAVE", "NOSAVE"));
            assertEquals("-ERR syntax error\r\n", client.call("SHUTDOWN", "NOSAVE", "ABORT"));
            assertEquals("-ERR No shutdown in progress.\r\n", client.call("SHUTDOWN", "ABORT"));
            assertEquals("-" + ServerCommands.SHUTDOWN_FAILED + "\r\n", client.call("SHUTDOWN", "SAVE"));
            assertTrue(server.log().contains("Error trying to save the DB, can't exit"), server.log());
            assertFalse(stopped.isDone());
            client.send("SHUTDOWN", "NOSAVE", "NOW");
            assertTrue(client.closedByServer());
            stopped.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void debugDigestSleepAndUnknownSubcommands() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("+" + "0".repeat(40) + "\r\n", client.call("DEBUG", "DIGEST"));
            client.call("SET", "a", "1");
            client.call("SET", "b", "hello");
            // The same bytes redis-server 7.0.15 answers for this dataset.
            assertEquals("+2539797405e828ad7a3aa48c536b3eaf2803a421\r\n", client.call("DEBUG", "DIGEST"));
            assertEquals("*3\r\n+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da\r\n" +
                "+36b23a1456b2dce2c3ed252c456761301dba8060\r\n+" + "0".repeat(40) + "\r\n",
                client.call("DEBUG", "DIGEST-VALUE", "a", "b", "zz"));
            assertEquals("*0\r\n", client.call("DEBUG", "DIGEST-VALUE"));

            final long startNs = System.nanoTime();
            assertEquals("+OK\r\n", client.call("DEBUG", "SLEEP", "0.2"));
            assertTrue(System.nanoTime() - startNs >= 190_000_000L);
            assertEquals("+OK\r\n", client.call("DEBUG", "SLEEP", "abc"));

            assertEquals("-ERR unknown subcommand or wrong number of arguments for 'RELOAD'. Try DEBUG HELP.\r\n",
                client.call("DEBUG", "RELOAD"));
            assertEquals("-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.\r\n",
                client.call("DEBUG", "SLEEP"));
            assertEquals("-ERR unknown subcommand or wrong number of arguments for 'digest'. Try DEBUG HELP.\r\n",
                client.call("DEBUG", "digest", "x"));
            assertEquals("-ERR wrong number of arguments for 'debug' command\r\n", client.call("DEBUG"));
            assertTrue(client.call("DEBUG", "HELP").startsWith("*14\r\n+DEBUG <subcommand>"));
        }
    }
}
