package io.ringkv.net.replication;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ringkv.net.replication.RedisReplicaOfRingkvTest.awaitInSync;
import static io.ringkv.net.replication.RedisReplicaOfRingkvTest.count;
import static io.ringkv.net.replication.RedisReplicaOfRingkvTest.redisLog;
import static io.ringkv.net.replication.RedisReplicaOfRingkvTest.section;
import static io.ringkv.net.server.aof.AofTestSupport.call;
import static io.ringkv.net.server.aof.AofTestSupport.digest;
import static io.ringkv.net.server.aof.AofTestSupport.writeEveryKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A ringkv master restarted from its RDB file keeps its Redis replicas' byte offset (the ringkv-resp-offset aux
 * field) with its replication id, so a redis-server replica of the previous life continues with a partial resync,
 * and never continues a previous life's byte offset when the file has no such field.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisReplicaAcrossMasterRestartTest
{
    private static final String AUX = "ringkv-resp-offset";

    @TempDir
    Path dir;

    @Test
    void aRedisReplicaContinuesWithAPartialResyncAfterTheMasterRestarts() throws Exception
    {
        // No PING between the replica catching up and the save: the replica is then exactly at the saved offset.
        final String[] options = {"dir", dir.toString(), "save", "3600 1", "repl-ping-replica-period", "3600"};
        TestServer ringkv = TestServer.start(options);
        final int port = ringkv.port();
        try (RedisServerProcess redis = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(port),
            "--enable-debug-command", "yes");
            Jedis replica = new Jedis("127.0.0.1", redis.port()))
        {
            final String replid;
            final String savedOffset;
            try (Jedis master = new Jedis("127.0.0.1", port))
            {
                writeEveryKind(master, "first:");
                awaitInSync(master, replica);
                writeEveryKind(master, "second:");
                master.incrBy("counter", 7);
                awaitInSync(master, replica);
                final Map<String, String> info = section(master, "replication");
                replid = info.get("master_replid");
                savedOffset = info.get("ringkv_resp_repl_offset");
                assertTrue(Long.parseLong(savedOffset) > 0);
                shutdown(master);
                ringkv.server().awaitShutdownRequest();
            }
            ringkv.close();
            final Path file = dir.resolve("dump.rdb");
            assertTrue(contains(Files.readAllBytes(file), AUX), "the file has the aux field");
            assertRedisReadsTheFile(file);

            ringkv = TestServer.start(concat(options, "port", Integer.toString(port)));
            try (Jedis master = new Jedis("127.0.0.1", port))
            {
                final Map<String, String> info = section(master, "replication");
                assertEquals(replid, info.get("master_replid"));
                assertEquals(savedOffset, info.get("ringkv_resp_repl_offset"), "the stream resumes where it was");
                awaitInSync(master, replica);
                Map<String, String> stats = section(master, "stats");
                assertEquals("0", stats.get("sync_full"), "no full sync: " + stats);
                assertEquals("1", stats.get("sync_partial_ok"), "the replica continued: " + stats);
                final String log = redisLog(replica);
                assertEquals(1, count(log, "Full resync from master"), log);
                assertEquals(1, count(log, "Successful partial resynchronization with master"), log);
                assertEquals(replid, section(replica, "replication").get("master_replid"));

                writeEveryKind(master, "third:");
                master.incrBy("counter", 5);
                awaitInSync(master, replica);
                assertEquals("12", replica.get("counter"));
                assertEquals(digest(master), digest(replica));
                stats = section(master, "stats");
                assertEquals("0", stats.get("sync_full"), "still no full sync: " + stats);
            }
        }
        finally
        {
            ringkv.close();
        }
    }

    @Test
    void withoutTheFieldAPreviousLifesByteOffsetIsNeverContinued() throws Exception
    {
        final String[] options = {"dir", dir.toString(), "save", "3600 1"};
        final String replid;
        TestServer ringkv = TestServer.start(options);
        try (Jedis master = new Jedis("127.0.0.1", ringkv.port()))
        {
            writeEveryKind(master, "first:");
            replid = section(master, "replication").get("master_replid");
            shutdown(master); // no Redis replica in this life: no stream, so no byte offset to save
            ringkv.server().awaitShutdownRequest();
        }
        ringkv.close();
        assertFalse(contains(Files.readAllBytes(dir.resolve("dump.rdb")), AUX));

        ringkv = TestServer.start(options);
        try (Jedis master = new Jedis("127.0.0.1", ringkv.port());
            RedisServerProcess redis = RedisServerProcess.start("--replicaof", "127.0.0.1",
                Integer.toString(ringkv.port()), "--enable-debug-command", "yes");
            Jedis replica = new Jedis("127.0.0.1", redis.port()))
        {
            final Map<String, String> info = section(master, "replication");
            assertEquals(replid, info.get("master_replid"), "ringkv's own replicas continue the history");
            awaitInSync(master, replica); // a full sync before any write: fed from the next slot
            writeEveryKind(master, "second:");
            awaitInSync(master, replica);
            final String respReplid = section(master, "replication").get("ringkv_resp_replid");
            assertNotEquals(replid, respReplid, "the Redis side syncs with an id of its own");
            assertEquals(respReplid, section(replica, "replication").get("master_replid"));

            // A replica of the previous life at a byte offset this stream now holds: the bytes differ, so no.
            assertTrue(Long.parseLong(section(master, "replication").get("ringkv_resp_repl_offset")) > 100);
            assertTrue(firstReplyLine(ringkv.port(), "PSYNC " + replid + " 50").startsWith("+FULLRESYNC " +
                respReplid + " "), "a previous life's offset gets a full resync");

            // The replica of this life continues with this life's id.
            assertEquals(1L, call(replica, "CLIENT", "KILL", "TYPE", "master"));
            writeEveryKind(master, "third:");
            awaitInSync(master, replica);
            final Map<String, String> stats = section(master, "stats");
            assertEquals("2", stats.get("sync_full"), stats.toString());
            assertEquals("1", stats.get("sync_partial_ok"), stats.toString());
            assertEquals(digest(master), digest(replica));
        }
        finally
        {
            ringkv.close();
        }
    }

    private static void shutdown(final Jedis master)
    {
        try
        {
            master.shutdown(); // SHUTDOWN SAVE: save points are set
        }
        catch (final RuntimeException closedByServer)
        {
            // The server closes the connection.
        }
    }

    /**
     * redis-check-rdb accepts the file and redis-server 7.0 loads it (it skips the aux field it does not know).
     */
    private static void assertRedisReadsTheFile(final Path file) throws Exception
    {
        final Process check = new ProcessBuilder("redis-check-rdb", file.toString()).redirectErrorStream(true).start();
        final String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), output);
        assertTrue(output.contains("RDB looks OK") && output.contains(AUX), output);
        final Path copy = file.resolveSibling("copy.rdb");
        Files.copy(file, copy);
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", file.getParent().toString(),
            "--dbfilename", "copy.rdb");
            Jedis client = new Jedis("127.0.0.1", redis.port()))
        {
            assertEquals("7", client.get("counter"));
        }
        finally
        {
            Files.deleteIfExists(copy);
        }
    }

    /**
     * The first line a master answers to {@code command} on a new connection (the connection is then closed).
     */
    private static String firstReplyLine(final int port, final String command) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\r'; b = in.read())
            {
                line.append((char)b);
            }
            return line.toString();
        }
    }

    private static boolean contains(final byte[] bytes, final String text)
    {
        return new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
    }

    private static String[] concat(final String[] first, final String... more)
    {
        final String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
