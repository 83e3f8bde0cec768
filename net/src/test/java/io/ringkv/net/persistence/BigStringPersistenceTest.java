package io.ringkv.net.persistence;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strings larger than the snapshot ring takes in one message (an eighth of its 32 MB: 4 MB) travel through the
 * snapshot in parts: SAVE, BGSAVE (while the string is overwritten), BGREWRITEAOF with either kind of base, a restart
 * from each, and redis-server loading ringkv's file (and ringkv Redis's) keep every byte and the expiry.
 */
class BigStringPersistenceTest
{
    private static final int BIG = 20 * 1024 * 1024;
    private static final byte[] BINARY = binary(BIG, 1);
    /** Text with multi-byte characters, so parts cut inside a character. */
    private static final byte[] TEXT = ("ringkv-\u00e9\u4e2d-".repeat(BIG / 14)).getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void bigStringsSurviveSaveBgsaveAndARestart() throws Exception
    {
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port(), 60_000))
        {
            write(client);
            assertEquals("OK", client.save());
        }
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port(), 60_000))
        {
            check(client);
            assertEquals("Background saving started", client.bgsave());
            // Changed while the snapshot streams: the file keeps the value of the BGSAVE's start.
            client.append("text".getBytes(), "changed".getBytes());
            client.set("binary".getBytes(), "small".getBytes());
            awaitBgsave(client);
            assertEquals("ok", field(client.info("persistence"), "rdb_last_bgsave_status"));
        }
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port(), 60_000))
        {
            check(client);
        }
    }

    @Test
    void aofRewriteWritesBigStringsInEitherBase() throws Exception
    {
        for (final String preamble : new String[]{"yes", "no"})
        {
            final Path aofDir = Files.createDirectory(dir.resolve("aof-" + preamble));
            try (TestServer server = TestServer.start("dir", aofDir.toString(), "appendonly", "yes",
                "aof-use-rdb-preamble", preamble);
                Jedis client = new Jedis("127.0.0.1", server.port(), 60_000))
            {
                write(client);
                client.bgrewriteaof();
                final long deadline = System.currentTimeMillis() + 60_000;
                while (!"0".equals(field(client.info("persistence"), "aof_rewrite_in_progress")) ||
                    !"1".equals(field(client.info("persistence"), "aof_rewrites")))
                {
                    assertTrue(System.currentTimeMillis() < deadline, client.info("persistence"));
                    Thread.sleep(20);
                }
                assertEquals("ok", field(client.info("persistence"), "aof_last_bgrewrite_status"));
            }
            try (TestServer server = TestServer.start("dir", aofDir.toString(), "appendonly", "yes");
                Jedis client = new Jedis("127.0.0.1", server.port(), 60_000))
            {
                check(client);
            }
        }
    }

    @Test
    void redisLoadsRingkvsBigStringsAndTheOtherWayRound() throws Exception
    {
        try (TestServer ringkv = TestServer.start("dir", dir.toString(), "dbfilename", "ringkv.rdb");
            Jedis client = new Jedis("127.0.0.1", ringkv.port(), 60_000))
        {
            write(client);
            assertEquals("OK", client.save());
        }
        final Process check = new ProcessBuilder("redis-check-rdb", dir.resolve("ringkv.rdb").toString())
            .redirectErrorStream(true).start();
        final String checkOutput = new String(check.getInputStream().readAllBytes());
        assertTrue(check.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), checkOutput);
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString(), "--dbfilename", "ringkv.rdb");
            Jedis client = new Jedis("127.0.0.1", redis.port(), 60_000))
        {
            check(client);
            assertEquals("OK", client.save());
        }
        try (TestServer ringkv = TestServer.start("dir", dir.toString(), "dbfilename", "ringkv.rdb");
            Jedis client = new Jedis("127.0.0.1", ringkv.port(), 60_000))
        {
            check(client);
        }
    }

    static void write(final Jedis client)
    {
        client.set("binary".getBytes(), BINARY);
        client.set("text".getBytes(), TEXT);
        client.pexpire("text", 3_600_000);
        client.set("small", "s");
    }

    static void check(final Jedis client)
    {
        assertArrayEquals(BINARY, client.get("binary".getBytes()));
        assertArrayEquals(TEXT, client.get("text".getBytes()));
        final long ttl = client.pttl("text");
        assertTrue(ttl > 3_000_000 && ttl <= 3_600_000, "ttl " + ttl);
        assertEquals(-1, client.pttl("binary"));
        assertEquals("s", client.get("small"));
        assertEquals(3, client.dbSize());
    }

    static byte[] binary(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        Arrays.fill(bytes, 0, 16, (byte)0xff); // not UTF-8 from its first byte
        return bytes;
    }

    private static void awaitBgsave(final Jedis client) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 60_000;
        while (!"0".equals(field(client.info("persistence"), "rdb_bgsave_in_progress")))
        {
            assertTrue(System.currentTimeMillis() < deadline);
            Thread.sleep(20);
        }
    }

    static String field(final String info, final String name)
    {
        for (final String line : info.split("\r\n"))
        {
            if (line.startsWith(name + ":"))
            {
                return line.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " missing from " + info);
    }
}
