package io.ringkv.net.server.aof;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static io.ringkv.net.server.aof.AofTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The append-only file end to end, in process: every type through a restart and through BGREWRITEAOF, the
 * multi-part layout and its manifest, CONFIG SET appendonly yes starting with a rewrite, torn tails (truncated or
 * refused, as Redis) and a corrupt middle (refused naming the file and the offset).
 */
class AppendOnlyFileTest
{
    @TempDir
    Path dir;

    @Test
    void everyKindSurvivesRestartsAndRewrites() throws Exception
    {
        String digest;
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("1", info(jedis, "aof_enabled"));
            writeEveryKind(jedis, "a:");
            digest = digest(jedis);
            assertEquals(List.of("file appendonly.aof.1.base.aof seq 1 type b",
                "file appendonly.aof.1.incr.aof seq 1 type i"), manifest(dir));
        }
        assertValid(dir.resolve("appendonlydir"));
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(digest, digest(jedis), "after replaying the incremental file");
            assertEquals("12345", jedis.get("a:int"));
            assertTrue(jedis.pttl("a:ttl") > 3_000_000, "the TTL is absolute and kept");
            assertEquals("Background append only file rewriting started", text(call(jedis, "BGREWRITEAOF")));
            awaitRewrite(jedis);
            assertEquals("ok", info(jedis, "aof_last_bgrewrite_status"));
            assertEquals("1", info(jedis, "aof_rewrites"));
            writeEveryKind(jedis, "b:");
            digest = digest(jedis);
            assertEquals(List.of("file appendonly.aof.2.base.aof seq 2 type b",
                "file appendonly.aof.2.incr.aof seq 2 type i"), manifest(dir));
            try (var files = Files.list(dir.resolve("appendonlydir")))
            {
                assertEquals(3, files.count(), "the history files are deleted");
            }
        }
        assertValid(dir.resolve("appendonlydir"));
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(digest, digest(jedis), "after loading the base and the new incremental file");
        }
    }

    @Test
    void configSetAppendonlyYesStartsWithARewriteOfWhatIsThere() throws Exception
    {
        String digest;
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("0", info(jedis, "aof_enabled"));
            writeEveryKind(jedis, "before:");
            assertEquals("OK", jedis.configSet("appendonly", "yes"));
            jedis.incr("before:counter"); // after the rewrite's point: in the incremental file
            awaitRewrite(jedis);
            assertEquals("1", info(jedis, "aof_enabled"));
            jedis.set("after", "1");
            digest = digest(jedis);
        }
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(digest, digest(jedis));
            assertEquals("43", jedis.get("before:counter"));
        }
    }

    @Test
    void appendonlyNoStopsWritingAndKeepsTheFiles() throws Exception
    {
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("kept", "1");
            assertEquals("OK", jedis.configSet("appendonly", "no"));
            assertEquals("0", info(jedis, "aof_enabled"));
            jedis.set("not-kept", "1");
        }
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("1", jedis.get("kept"));
            assertNull(jedis.get("not-kept"));
        }
    }

    @Test
    void aTornLastCommandIsTruncatedWithAofLoadTruncatedYesAndRefusedWithNo() throws Exception
    {
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("a", "1");
            jedis.set("b", "2");
        }
        final Path incr = dir.resolve("appendonlydir").resolve("appendonly.aof.1.incr.aof");
        final long whole = Files.size(incr);
        Files.write(incr, "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1".getBytes(StandardCharsets.US_ASCII),
            StandardOpenOption.APPEND);
        final IOException refused = assertThrows(IOException.class,
            () -> server(dir, "aof-load-truncated", "no").close());
        assertTrue(refused.getMessage().contains("Unexpected end of file reading the append only file " +
            "appendonly.aof.1.incr.aof"), refused.getMessage());
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("2", jedis.get("b"));
            assertNull(jedis.get("c"));
            assertTrue(server.log().contains("!!! Truncating the AOF appendonly.aof.1.incr.aof at offset " + whole),
                server.log());
            assertEquals(whole, Files.size(incr), "truncated to its last whole command");
            jedis.set("d", "4"); // appended after the truncation point
        }
        try (TestServer server = server(dir, "aof-load-truncated", "no");
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("4", jedis.get("d"));
        }
    }

    @Test
    void everyTruncationPointOfASmallFileLoadsAWholePrefixAndNeverHalfATransaction() throws Exception
    {
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("a", "1");
            final var tx = jedis.multi();
            tx.set("t1", "x");
            tx.set("t2", "y");
            tx.exec();
            jedis.set("z", "26");
        }
        final Path incr = dir.resolve("appendonlydir").resolve("appendonly.aof.1.incr.aof");
        final byte[] whole = Files.readAllBytes(incr);
        for (int cut = 0; cut <= whole.length; cut++)
        {
            Files.write(incr, java.util.Arrays.copyOf(whole, cut));
            try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
            {
                final boolean t1 = jedis.exists("t1");
                assertEquals(t1, jedis.exists("t2"), "cut at " + cut + ": all of the transaction or none");
                if (jedis.exists("z"))
                {
                    assertTrue(t1 && jedis.exists("a"), "cut at " + cut);
                }
                if (t1)
                {
                    assertTrue(jedis.exists("a"), "cut at " + cut);
                }
            }
        }
    }

    @Test
    void aCorruptMiddleIsRefusedNamingTheFileAndOffset() throws Exception
    {
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("a", "1");
            jedis.set("b", "2");
            jedis.set("c", "3");
        }
        final Path incr = dir.resolve("appendonlydir").resolve("appendonly.aof.1.incr.aof");
        final byte[] bytes = Files.readAllBytes(incr);
        final int second = new String(bytes, StandardCharsets.US_ASCII).indexOf("*3", 20);
        bytes[second] = '#';
        Files.write(incr, bytes);
        final IOException refused = assertThrows(IOException.class, () -> server(dir).close());
        assertTrue(refused.getMessage().contains("Bad file format reading the append only file " +
            "appendonly.aof.1.incr.aof at offset " + second), refused.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(incr), "a refused file is left as it was");
    }

    @Test
    void aTruncatedRdbBaseIsRefusedNamingTheFileAndOffset() throws Exception
    {
        final Path aofDir = Files.createDirectories(dir.resolve("appendonlydir"));
        Files.write(aofDir.resolve("appendonly.aof.1.base.rdb"), "REDIS0010\u00fa".getBytes(StandardCharsets.ISO_8859_1));
        Files.writeString(aofDir.resolve("appendonly.aof.manifest"), "file appendonly.aof.1.base.rdb seq 1 type b\n");
        final IOException refused = assertThrows(IOException.class, () -> server(dir).close());
        assertTrue(refused.getMessage().contains("Error reading the RDB base file appendonly.aof.1.base.rdb, AOF " +
            "loading aborted: the RDB file ends early") && refused.getMessage().contains("at offset 9"),
            refused.getMessage());
    }

    @Test
    void infoPersistenceShowsTheFilesSizes() throws Exception
    {
        // always: nothing waits in the buffer behind a background fsync, so the sizes are exact.
        try (TestServer server = server(dir, "appendfsync", "always"); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("k", "v");
            final long size = Files.size(dir.resolve("appendonlydir").resolve("appendonly.aof.1.incr.aof"));
            assertEquals(Long.toString(size), info(jedis, "aof_current_size"));
            assertEquals("0", info(jedis, "aof_buffer_length"));
            assertEquals("Background append only file rewriting started", text(call(jedis, "BGREWRITEAOF")));
            awaitRewrite(jedis);
            final long base = Files.size(dir.resolve("appendonlydir").resolve("appendonly.aof.2.base.aof"));
            assertEquals(Long.toString(base), info(jedis, "aof_current_size"));
            assertEquals(Long.toString(base), info(jedis, "aof_base_size"));
        }
    }
}
