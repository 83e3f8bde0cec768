package io.ringkv.net.replication;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import io.ringkv.replication.replica.ReplicaLink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.ringkv.net.replication.RedisMasterInteropTest.field;
import static io.ringkv.net.replication.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ringkv as the replica of a fake Redis master (a socket the test speaks Redis's replication protocol on): a valid
 * full sync in both forms loads and counts the stream's bytes exactly; garbage replies, a wrong EOF mark, an RDB cut
 * short and one with a bad checksum are refused with a clear error, the old data kept, the link never reported up,
 * the sync tried again.
 */
class RedisMasterHostileTest
{
    private static final String REPLID = "0123456789abcdef0123456789abcdef01234567";
    private static final String MARK = "abcdefghijabcdefghijabcdefghijabcdefghij";
    private static final long START_OFFSET = 1000;
    private static byte[] rdb;

    @TempDir
    Path dir;

    /** A real redis-server's RDB of a few keys. */
    @BeforeAll
    static void makeAnRdb(@TempDir final Path redisDir) throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", redisDir.toString());
            Jedis jedis = new Jedis("127.0.0.1", redis.port()))
        {
            jedis.set("fake:string", "from the fake master");
            jedis.hset("fake:hash", "f", "v");
            jedis.rpush("fake:list", "a", "b", "c");
            jedis.save();
        }
        rdb = Files.readAllBytes(redisDir.resolve("dump.rdb"));
    }

    @Test
    void aValidDiskBasedFullSyncLoadsAndTheStreamIsCountedInBytes() throws Exception
    {
        try (Scene scene = new Scene(dir))
        {
            final Socket master = scene.handshake("?", "-1");
            scene.send(master, "+FULLRESYNC " + REPLID + " " + START_OFFSET + "\r\n\n\n$" + rdb.length + "\r\n");
            scene.send(master, rdb);
            assertFullSyncLoaded(scene, master);
        }
    }

    @Test
    void aValidDisklessFullSyncLoadsAndTheStreamIsCountedInBytes() throws Exception
    {
        try (Scene scene = new Scene(dir))
        {
            final Socket master = scene.handshake("?", "-1");
            scene.send(master, "+FULLRESYNC " + REPLID + " " + START_OFFSET + "\r\n$EOF:" + MARK + "\r\n");
            scene.send(master, rdb);
            scene.send(master, MARK);
            assertFullSyncLoaded(scene, master);
        }
    }

    private static void assertFullSyncLoaded(final Scene scene, final Socket master) throws Exception
    {
        // The first ACK follows the load at once (a diskless master puts the replica online on it).
        scene.awaitAck(master, START_OFFSET);
        assertEquals("from the fake master", scene.replica.get("fake:string"));
        assertNull(scene.replica.get("keep"), "a full sync replaces the data set");
        assertEquals("up", field(scene.replica, "replication", "master_link_status"));
        assertEquals(REPLID, field(scene.replica, "replication", "master_replid"));

        final String set = command("SET", "streamed", "1");
        final String ping = command("PING");
        final String multi = command("MULTI") + command("INCR", "tx") + command("EXEC");
        scene.send(master, set + ping + multi + command("REPLCONF", "GETACK", "*"));
        final long expected = START_OFFSET + set.length() + ping.length() + multi.length();
        scene.awaitAck(master, expected); // GETACK is answered with every byte processed before it
        assertEquals("1", scene.replica.get("streamed"));
        assertEquals("1", scene.replica.get("tx"));

        // A link cut inside a MULTI: none of it applies, and the replica asks to continue from before it.
        final long afterGetack = expected + command("REPLCONF", "GETACK", "*").length();
        scene.send(master, command("MULTI") + command("SET", "half", "x"));
        master.close();
        final Socket again = scene.handshake(REPLID, Long.toString(afterGetack + 1));
        scene.send(again, "+CONTINUE\r\n" + command("SET", "after", "cut"));
        await("the continued stream", 10_000, () -> "cut".equals(scene.replica.get("after")));
        assertNull(scene.replica.get("half"), "the cut MULTI was discarded");
        assertEquals("from the fake master", scene.replica.get("fake:string"), "+CONTINUE keeps the data");
    }

    @Test
    void garbageInsteadOfAPsyncAnswerIsRefusedAndRetried() throws Exception
    {
        assertRefusedAndRetried((scene, master) ->
        {
            scene.send(master, "*HELLO\u0000\u00ff\r\n");
        }, "Unexpected reply to PSYNC");
    }

    @Test
    void aMasterThatCannotSyncYetIsAskedAgain() throws Exception
    {
        assertRefusedAndRetried((scene, master) ->
        {
            scene.send(master, "-NOMASTERLINK Can't SYNC while not connected with my master\r\n");
        }, "unable to PSYNC");
    }

    @Test
    void aWrongEofMarkIsRefusedAndTheDataKept() throws Exception
    {
        assertRefusedAndRetried((scene, master) ->
        {
            scene.send(master, "+FULLRESYNC " + REPLID + " 0\r\n$EOF:" + MARK + "\r\n");
            scene.send(master, rdb);
            scene.send(master, MARK.toUpperCase());
            master.shutdownOutput();
        }, "without its EOF mark");
    }

    @Test
    void anRdbCutShortIsRefusedAndTheDataKept() throws Exception
    {
        assertRefusedAndRetried((scene, master) ->
        {
            scene.send(master, "+FULLRESYNC " + REPLID + " 0\r\n$" + rdb.length + "\r\n");
            scene.send(master, Arrays.copyOf(rdb, rdb.length / 2));
            master.shutdownOutput();
        }, "closed the connection during the full sync");
    }

    @Test
    void aWholeTransferOfAnIncompleteRdbIsRefusedAndTheDataKept() throws Exception
    {
        assertRefusedAndRetried((scene, master) ->
        {
            final byte[] half = Arrays.copyOf(rdb, rdb.length - 12);
            scene.send(master, "+FULLRESYNC " + REPLID + " 0\r\n$" + half.length + "\r\n");
            scene.send(master, half);
        }, "the RDB from the master is refused");
    }

    @Test
    void anRdbWithABadChecksumIsRefusedAndTheDataKept() throws Exception
    {
        assertRefusedAndRetried((scene, master) ->
        {
            final byte[] corrupt = rdb.clone();
            corrupt[corrupt.length - 3] ^= 0x5A;
            scene.send(master, "+FULLRESYNC " + REPLID + " 0\r\n$" + corrupt.length + "\r\n");
            scene.send(master, corrupt);
        }, "checksum");
    }

    @Test
    void aLoadRefusedHalfWayLeavesNoHalfDataSetAndSyncsAgainFromScratch() throws Exception
    {
        try (Scene scene = new Scene(dir))
        {
            final Socket master = scene.handshake("?", "-1");
            final byte[] twice = rdbWithAKeyTwice();
            scene.send(master, "+FULLRESYNC " + REPLID + " 0\r\n$" + twice.length + "\r\n");
            scene.send(master, twice);
            final ReplicaLink link = scene.server.server().replication().replicaLink();
            await("the refusal", 10_000, () -> link.lastError() != null);
            assertTrue(link.lastError().contains("Failed trying to load the MASTER synchronization DB"),
                link.lastError());
            assertEquals(0L, scene.replica.dbSize(), "the part loaded is dropped: no half data set");
            assertNotEquals("up", field(scene.replica, "replication", "master_link_status"));
            assertEquals("-1", field(scene.replica, "replication", "slave_repl_offset"));
            scene.handshake("?", "-1").close(); // a new full sync, not a continuation of a history it lacks
        }
    }

    /** A valid RDB (right checksum) whose second record repeats the first key: RESTORE refuses it (BUSYKEY). */
    private static byte[] rdbWithAKeyTwice()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("REDIS0010".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {(byte)0xFE, 0}); // SELECTDB 0
        for (final String value : List.of("first", "second"))
        {
            out.write(0); // string
            out.write(3);
            out.writeBytes("dup".getBytes(StandardCharsets.US_ASCII));
            out.write(value.length());
            out.writeBytes(value.getBytes(StandardCharsets.US_ASCII));
        }
        out.write(0xFF); // EOF
        final byte[] body = out.toByteArray();
        final long crc = io.ringkv.core.rdb.Crc64.compute(new org.agrona.concurrent.UnsafeBuffer(body), 0, body.length);
        final byte[] file = Arrays.copyOf(body, body.length + 8);
        for (int i = 0; i < 8; i++)
        {
            file[body.length + i] = (byte)(crc >>> (8 * i));
        }
        return file;
    }

    /** What the fake master does after the replica's PSYNC. */
    @FunctionalInterface
    private interface MasterScript
    {
        void play(Scene scene, Socket master) throws IOException;
    }

    /**
     * A replica holding its own data meets a fake master that plays {@code script} after the handshake: see
     * {@link Scene#assertRefusedAndRetried}.
     */
    private void assertRefusedAndRetried(final MasterScript script, final String reason) throws Exception
    {
        try (Scene scene = new Scene(dir))
        {
            script.play(scene, scene.handshake("?", "-1"));
            scene.assertRefusedAndRetried(reason);
        }
    }

    private static String command(final String... words)
    {
        final StringBuilder out = new StringBuilder("*").append(words.length).append("\r\n");
        for (final String word : words)
        {
            out.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
        }
        return out.toString();
    }

    /** A ringkv replica holding data of its own, told REPLICAOF a socket the test plays a Redis master on. */
    private static final class Scene implements AutoCloseable
    {
        final ServerSocket fakeMaster;
        final TestServer server;
        final Jedis replica;
        final Path dir;
        final List<Socket> accepted = new ArrayList<>();

        Scene(final Path dir) throws IOException
        {
            this.dir = dir;
            fakeMaster = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
            fakeMaster.setSoTimeout(10_000);
            server = TestServer.start("dir", dir.toString(), "replica-protocol", "resp");
            replica = new Jedis("127.0.0.1", server.port());
            replica.set("keep", "the replica's own data");
            assertEquals("OK", replica.replicaof("127.0.0.1", fakeMaster.getLocalPort()));
        }

        /**
         * Accept the replica's connection and answer its handshake as Redis 7.0 does, up to its PSYNC.
         */
        Socket handshake(final String replid, final String offset) throws IOException
        {
            final Socket master = fakeMaster.accept();
            accepted.add(master);
            master.setSoTimeout(10_000);
            assertEquals(List.of("PING"), readCommand(master));
            send(master, "+PONG\r\n");
            assertEquals(List.of("REPLCONF", "listening-port", Integer.toString(server.port())), readCommand(master));
            send(master, "+OK\r\n");
            assertEquals(List.of("REPLCONF", "capa", "eof", "capa", "psync2"), readCommand(master));
            send(master, "+OK\r\n");
            assertEquals(List.of("PSYNC", replid, offset), readCommand(master));
            return master;
        }

        /**
         * The link went down with a clear error naming {@code reason}, kept the replica's data, never said up, and
         * tries again (a new connection with a new PSYNC); no received file is left behind.
         */
        void assertRefusedAndRetried(final String reason) throws IOException
        {
            final ReplicaLink link = server.server().replication().replicaLink();
            await("the refusal", 10_000, () -> link.lastError() != null);
            assertTrue(link.lastError().contains(reason), link.lastError());
            assertNotEquals("up", field(replica, "replication", "master_link_status"));
            assertEquals("the replica's own data", replica.get("keep"), "the old data set is kept");
            assertEquals(1L, replica.dbSize());
            handshake("?", "-1").close(); // tried again
            assertTrue(server.log().contains(reason), "the error is logged");
            try (var files = Files.list(dir))
            {
                assertEquals(List.of(), files.filter(file -> file.getFileName().toString().startsWith("temp-"))
                    .toList(), "the received RDB is deleted");
            }
        }

        void send(final Socket socket, final String text) throws IOException
        {
            send(socket, text.getBytes(StandardCharsets.ISO_8859_1));
        }

        void send(final Socket socket, final byte[] bytes) throws IOException
        {
            final OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        }

        /**
         * Read the replica's acknowledgements (one a second, and GETACK's answer) until one says {@code offset}; none
         * may say more.
         */
        void awaitAck(final Socket socket, final long offset) throws IOException
        {
            while (true)
            {
                final List<String> ack = readCommand(socket);
                assertEquals(List.of("REPLCONF", "ACK"), ack.subList(0, 2), ack.toString());
                final long acked = Long.parseLong(ack.get(2));
                assertTrue(acked <= offset, "acknowledged " + acked + ", beyond " + offset);
                if (acked == offset)
                {
                    return;
                }
            }
        }

        /** One RESP array of bulk strings from the replica. */
        List<String> readCommand(final Socket socket) throws IOException
        {
            final InputStream in = socket.getInputStream();
            final String header = line(in);
            assertTrue(header.startsWith("*"), header);
            final List<String> words = new ArrayList<>();
            for (int i = Integer.parseInt(header.substring(1)); i > 0; i--)
            {
                final int length = Integer.parseInt(line(in).substring(1));
                words.add(new String(in.readNBytes(length), StandardCharsets.ISO_8859_1));
                line(in);
            }
            return words;
        }

        private static String line(final InputStream in) throws IOException
        {
            final ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n')
            {
                if (b < 0)
                {
                    throw new IOException("the replica closed the connection");
                }
                line.write(b);
            }
            final String text = line.toString(StandardCharsets.ISO_8859_1);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        @Override
        public void close() throws IOException
        {
            replica.close();
            server.close();
            for (final Socket socket : accepted)
            {
                socket.close();
            }
            fakeMaster.close();
        }
    }
}
