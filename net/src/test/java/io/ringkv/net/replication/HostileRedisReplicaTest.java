package io.ringkv.net.replication;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import io.ringkv.net.server.command.RawRespClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.ringkv.net.replication.RedisReplicaOfRingkvTest.section;
import static io.ringkv.net.server.aof.AofTestSupport.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fake Redis replicas on plain sockets against ringkv's master side: bad handshakes get Redis's errors, a PSYNC
 * with an unknown id or an offset from the future gets a full resync, acknowledgements from the future and garbage
 * after the hand-over drop the replica with a logged reason, a replica that stops reading is dropped (payload:
 * repl-timeout; stream: the replica output limit) and never holds the snapshot from the next replica, which waits
 * for it instead of being refused. Nothing is lost and the master keeps serving throughout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileRedisReplicaTest
{
    @Test
    void handshakeErrorsAreRedisOnes() throws Exception
    {
        try (TestServer ringkv = TestServer.start(); FakeReplica fake = new FakeReplica(ringkv.port()))
        {
            fake.send("REPLCONF");
            assertEquals("+OK", fake.line());
            fake.send("REPLCONF", "a");
            assertEquals("-ERR syntax error", fake.line());
            fake.send("REPLCONF", "foo", "bar");
            assertEquals("-ERR Unrecognized REPLCONF option: foo", fake.line());
            fake.send("REPLCONF", "listening-port", "abc");
            assertEquals("-ERR value is not an integer or out of range", fake.line());
            fake.send("REPLCONF", "ip-address", "x".repeat(300));
            assertEquals("-ERR REPLCONF ip-address provided by replica instance is too long: 300 bytes", fake.line());
            fake.send("REPLCONF", "listening-port", "6380", "capa", "eof", "capa", "psync2", "capa", "what");
            assertEquals("+OK", fake.line());
            fake.send("REPLCONF", "ACK", "5"); // no reply, as in Redis
            fake.send("PSYNC", "?", "abc");
            assertEquals("-ERR value is not an integer or out of range", fake.line());
            fake.send("PSYNC", "a");
            assertEquals("-ERR wrong number of arguments for 'psync' command", fake.line());
            fake.send("SYNC", "x");
            assertEquals("-ERR wrong number of arguments for 'sync' command", fake.line());
            fake.send("PING");
            assertEquals("+PONG", fake.line());
        }
    }

    @Test
    void unknownIdsAndFutureOffsetsGetAFullResyncAndAcksFromTheFutureDropTheReplica() throws Exception
    {
        try (TestServer ringkv = TestServer.start(); Jedis master = new Jedis("127.0.0.1", ringkv.port()))
        {
            master.set("k", "v");
            final String replid = section(master, "replication").get("master_replid");
            try (FakeReplica fake = new FakeReplica(ringkv.port()))
            {
                fake.send("PSYNC", replid, "999999999");
                assertTrue(fake.line().startsWith("+FULLRESYNC " + replid + " "), "an offset from the future");
                final byte[] rdb = fake.payload();
                assertEquals("REDIS0010", new String(rdb, 0, 9, StandardCharsets.US_ASCII));
                master.set("k2", "v2");
                awaitTrue(() -> "online".equals(state(master)), "online");
                fake.send("REPLCONF", "ACK", "99999999999");
                assertTrue(fake.closedByPeer(), "a replica acknowledging bytes it was never sent is dropped");
            }
            try (FakeReplica fake = new FakeReplica(ringkv.port()))
            {
                fake.send("PSYNC", "0123456789012345678901234567890123456789", "1");
                assertTrue(fake.line().startsWith("+FULLRESYNC " + replid + " "), "an unknown id");
                fake.payload();
                fake.send("HELLO", "3");
                assertTrue(fake.closedByPeer(), "garbage after the hand-over drops the replica");
            }
            awaitTrue(() -> "0".equals(section(master, "replication").get("connected_slaves")), "dropped");
            assertEquals("2", section(master, "stats").get("sync_full"));
            assertEquals("2", section(master, "stats").get("sync_partial_err"));
            assertEquals("v", master.get("k"));
            assertEquals("v2", master.get("k2"));
            assertTrue(ringkv.log().contains("acknowledged offset 99999999999 is past the stream's end"), ringkv.log());
            assertTrue(ringkv.log().contains("unexpected command 'HELLO'"), ringkv.log());
        }
    }

    /**
     * A Redis replica finds the end of an EOF-marked payload only at the end of what it read, so the stream must not
     * follow the mark before the replica's first acknowledgement (as Redis 7.0 waits for it): with writes flowing, a
     * stream right behind the mark left real replicas loading until their repl-timeout.
     */
    @Test
    void afterADisklessPayloadTheStreamWaitsForTheFirstAck() throws Exception
    {
        try (TestServer ringkv = TestServer.start("repl-ping-replica-period", "1");
            Jedis master = new Jedis("127.0.0.1", ringkv.port());
            FakeReplica fake = new FakeReplica(ringkv.port()))
        {
            master.set("k", "v");
            fake.send("REPLCONF", "capa", "eof");
            assertEquals("+OK", fake.line());
            fake.send("PSYNC", "?", "-1");
            final String fullResync = fake.line();
            assertTrue(fullResync.startsWith("+FULLRESYNC "), fullResync);
            fake.payload();
            for (int i = 0; i < 50; i++)
            {
                master.set("w" + i, "x");
            }
            Thread.sleep(1500); // a PING period too
            assertEquals(0, fake.in.available(), "nothing behind the mark before the first ACK");
            fake.send("REPLCONF", "ACK", fullResync.substring(fullResync.lastIndexOf(' ') + 1));
            assertEquals(java.util.List.of("SELECT", "0"), fake.command());
            assertEquals(java.util.List.of("SET", "w0", "x"), fake.command());
        }
    }

    @Test
    void oldSyncGetsThePayloadWithoutFullresyncThenTheStream() throws Exception
    {
        try (TestServer ringkv = TestServer.start(); Jedis master = new Jedis("127.0.0.1", ringkv.port());
            FakeReplica fake = new FakeReplica(ringkv.port()))
        {
            master.set("k", "v");
            fake.send("SYNC");
            assertEquals("REDIS0010", new String(fake.payload(), 0, 9, StandardCharsets.US_ASCII));
            master.select(2);
            master.set("s", "1");
            // The stream after the payload: SELECT 2, then SET s 1 (PINGs between are skipped).
            assertEquals(java.util.List.of("SELECT", "2"), fake.command());
            assertEquals(java.util.List.of("SET", "s", "1"), fake.command());
        }
    }

    @Test
    void aReplicaThatStopsReadingIsDroppedAndTheNextOneWaitsForTheSnapshot() throws Exception
    {
        try (TestServer ringkv = TestServer.start("repl-timeout", "2");
            Jedis master = new Jedis("127.0.0.1", ringkv.port()))
        {
            final Random random = new Random(7);
            for (int i = 0; i < 24; i++)
            {
                final byte[] value = new byte[1 << 20];
                random.nextBytes(value); // incompressible: the payload outgrows the socket's buffers
                master.set(("big" + i).getBytes(StandardCharsets.US_ASCII), value);
            }
            try (FakeReplica stuck = new FakeReplica(ringkv.port()))
            {
                stuck.send("REPLCONF", "capa", "eof");
                assertEquals("+OK", stuck.line());
                stuck.send("PSYNC", "?", "-1"); // and never reads its payload
                awaitTrue(() -> section(master, "replication").getOrDefault("slave0", "").contains("send_bulk"),
                    "the stuck replica's payload is on its way");
                try (RedisServerProcess redis = RedisServerProcess.start("--replicaof", "127.0.0.1",
                    Integer.toString(ringkv.port()), "--enable-debug-command", "yes");
                    Jedis replica = new Jedis("127.0.0.1", redis.port()))
                {
                    awaitTrue(() -> section(master, "replication").toString().contains("state=wait_bgsave"),
                        "the real replica waits for the snapshot");
                    assertEquals("PONG", master.ping(), "the master serves meanwhile");
                    awaitTrue(() -> "0".equals(section(replica, "replication").get("master_sync_in_progress")) &&
                        "up".equals(section(replica, "replication").get("master_link_status")), "synced after it");
                    master.set("after", "1");
                    awaitTrue(() -> digest(master).equals(digest(replica)), "equal data");
                    assertEquals("1", section(master, "replication").get("connected_slaves"));
                }
            }
            assertTrue(ringkv.log().contains("the replica read nothing for"), ringkv.log());
        }
    }

    @Test
    void aStreamingReplicaThatStopsReadingIsDroppedAtTheOutputLimit() throws Exception
    {
        try (TestServer ringkv = TestServer.start("client-output-buffer-limit", "replica 1mb 0 0");
            Jedis master = new Jedis("127.0.0.1", ringkv.port()))
        {
            master.set("k", "v");
            try (FakeReplica fake = new FakeReplica(ringkv.port()))
            {
                fake.send("PSYNC", "?", "-1");
                assertTrue(fake.line().startsWith("+FULLRESYNC "));
                fake.payload();
                awaitTrue(() -> "online".equals(state(master)), "online");
                final byte[] value = new byte[64 * 1024];
                for (int i = 0; i < 400 && !"0".equals(section(master, "replication").get("connected_slaves")); i++)
                {
                    master.set(("v" + i).getBytes(StandardCharsets.US_ASCII), value); // the fake reads none of it
                }
                awaitTrue(() -> "0".equals(section(master, "replication").get("connected_slaves")), "dropped");
                assertTrue(ringkv.log().contains("client-output-buffer-limit replica"), ringkv.log());
                assertEquals("v", master.get("k"));
                assertEquals(64 * 1024, master.strlen("v0"));
            }
        }
    }

    private static String state(final Jedis master)
    {
        final String slave = section(master, "replication").getOrDefault("slave0", "");
        final int at = slave.indexOf("state=");
        return at < 0 ? "" : slave.substring(at + 6, slave.indexOf(',', at));
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A replica's side of the protocol on a plain socket. */
    private static final class FakeReplica implements AutoCloseable
    {
        private final RawRespClient client;
        private final InputStream in;

        FakeReplica(final int port) throws IOException
        {
            client = new RawRespClient(port);
            in = client.input();
        }

        void send(final String... args) throws IOException
        {
            client.send(args);
        }

        /**
         * @return the next line that is not a keepalive newline, without its CRLF.
         */
        String line() throws IOException
        {
            final ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true)
            {
                final int b = in.read();
                if (b < 0)
                {
                    throw new IOException("closed");
                }
                if (b == '\n')
                {
                    if (line.size() > 0)
                    {
                        final byte[] bytes = line.toByteArray();
                        return new String(bytes, 0, bytes.length - (bytes[bytes.length - 1] == '\r' ? 1 : 0),
                            StandardCharsets.US_ASCII);
                    }
                    continue;
                }
                line.write(b);
            }
        }

        /**
         * @return the next command of the stream that is not a PING, as its arguments.
         */
        java.util.List<String> command() throws IOException
        {
            while (true)
            {
                final String header = line();
                assertTrue(header.startsWith("*"), header);
                final java.util.List<String> args = new java.util.ArrayList<>();
                for (int i = Integer.parseInt(header.substring(1)); i > 0; i--)
                {
                    line(); // $length
                    args.add(line());
                }
                if (!args.equals(java.util.List.of("PING")))
                {
                    return args;
                }
            }
        }

        /**
         * @return the RDB payload of a full sync, disk-based ({@code $len}) or diskless ({@code $EOF:mark}).
         */
        byte[] payload() throws IOException
        {
            final String header = line();
            if (header.startsWith("$EOF:"))
            {
                final byte[] mark = header.substring(5).getBytes(StandardCharsets.US_ASCII);
                final ByteArrayOutputStream payload = new ByteArrayOutputStream();
                while (true)
                {
                    final int b = in.read();
                    if (b < 0)
                    {
                        throw new IOException("closed in the payload");
                    }
                    payload.write(b);
                    final byte[] bytes = payload.toByteArray();
                    if (bytes.length >= mark.length && java.util.Arrays.equals(bytes, bytes.length - mark.length,
                        bytes.length, mark, 0, mark.length))
                    {
                        return java.util.Arrays.copyOf(bytes, bytes.length - mark.length);
                    }
                }
            }
            assertTrue(header.startsWith("$"), header);
            return in.readNBytes(Integer.parseInt(header.substring(1)));
        }

        /**
         * @return true when the master closes the connection (reading whatever it still sends).
         */
        boolean closedByPeer() throws IOException
        {
            try
            {
                final byte[] buffer = new byte[8192];
                while (in.read(buffer) >= 0)
                {
                    // the stream's bytes before the close
                }
                return true;
            }
            catch (final SocketTimeoutException ex)
            {
                return false;
            }
            catch (final IOException ex)
            {
                return true; // reset
            }
        }

        @Override
        public void close() throws IOException
        {
            client.close();
        }
    }
}
