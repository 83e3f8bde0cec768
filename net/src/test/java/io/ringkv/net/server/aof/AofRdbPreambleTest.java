package io.ringkv.net.server.aof;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static io.ringkv.net.server.aof.AofTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code aof-use-rdb-preamble yes}: BGREWRITEAOF writes the base as an RDB file ({@code appendonly.aof.N.base.rdb},
 * written by the RDB writer BGSAVE uses), and a restart loads it, then the incremental files.
 */
class AofRdbPreambleTest
{
    @TempDir
    Path dir;

    private TestServer preambleServer() throws Exception
    {
        return rdbPreambleServer(dir);
    }

    private Path aofFile(final String name)
    {
        return dir.resolve("appendonlydir").resolve(name);
    }

    private String head(final String name, final int length) throws Exception
    {
        final byte[] bytes = Files.readAllBytes(aofFile(name));
        return new String(bytes, 0, Math.min(length, bytes.length), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aFirstStartCreatesAnEmptyRdbBaseAsRedisDoes() throws Exception
    {
        try (TestServer server = preambleServer(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("k", "v");
        }
        assertEquals(List.of("file appendonly.aof.1.base.rdb seq 1 type b",
            "file appendonly.aof.1.incr.aof seq 1 type i"), manifest(dir));
        assertEquals("REDIS0010", head("appendonly.aof.1.base.rdb", 9));
        assertValid(dir.resolve("appendonlydir"));
        try (TestServer server = preambleServer(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("v", jedis.get("k"));
        }
    }

    @Test
    void aRewriteWritesAnRdbBaseThatARestartLoads() throws Exception
    {
        final String digest;
        try (TestServer server = preambleServer(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            writeEveryKind(jedis, "base:");
            call(jedis, "FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('one', function() return 1 end)");
            assertEquals("Background append only file rewriting started", text(call(jedis, "BGREWRITEAOF")));
            awaitRewrite(jedis);
            assertEquals("ok", info(jedis, "aof_last_bgrewrite_status"));
            writeEveryKind(jedis, "incr:");
            digest = digest(jedis);
        }
        assertEquals(List.of("file appendonly.aof.2.base.rdb seq 2 type b",
            "file appendonly.aof.2.incr.aof seq 2 type i"), manifest(dir));
        assertEquals("REDIS0010", head("appendonly.aof.2.base.rdb", 9));
        assertTrue(head("appendonly.aof.2.base.rdb", 4096).contains("aof-base"), "Redis's aof-base aux field");
        assertFalse(Files.exists(aofFile("appendonly.aof.1.base.rdb")), "the old base was removed");
        try (TestServer server = preambleServer(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(digest, digest(jedis));
            assertEquals(1L, call(jedis, "FCALL", "one", "0"), "the function library came back from the RDB base");
            assertTrue(jedis.pttl("base:ttl") > 3_000_000);
        }
    }

    @Test
    void turningThePreambleOffWritesTheNextBaseAsResp() throws Exception
    {
        final String digest;
        try (TestServer server = preambleServer(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            writeEveryKind(jedis, "a:");
            call(jedis, "BGREWRITEAOF");
            awaitRewrite(jedis);
            assertEquals("OK", jedis.configSet("aof-use-rdb-preamble", "no"));
            jedis.set("after", "1");
            call(jedis, "BGREWRITEAOF");
            awaitRewrite(jedis);
            digest = digest(jedis);
        }
        assertEquals(List.of("file appendonly.aof.3.base.aof seq 3 type b",
            "file appendonly.aof.3.incr.aof seq 3 type i"), manifest(dir));
        assertEquals("*", head("appendonly.aof.3.base.aof", 1));
        assertFalse(Files.exists(aofFile("appendonly.aof.2.base.rdb")));
        try (TestServer server = server(dir); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(digest, digest(jedis));
        }
    }

    /**
     * An RDB preamble followed by commands in the same file (a Redis before 7.0 wrote its single AOF so): the
     * commands after the RDB's end are loaded too, as Redis's loader does.
     */
    @Test
    void commandsAfterAnRdbBaseInTheSameFileAreLoaded() throws Exception
    {
        try (TestServer server = preambleServer(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("inbase", "1");
            call(jedis, "BGREWRITEAOF");
            awaitRewrite(jedis);
        }
        Files.writeString(aofFile("appendonly.aof.2.base.rdb"), "*3\r\n$3\r\nSET\r\n$4\r\ntail\r\n$1\r\n2\r\n",
            StandardOpenOption.APPEND);
        try (TestServer server = preambleServer(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("1", jedis.get("inbase"));
            assertEquals("2", jedis.get("tail"));
        }
    }
}
