package io.ringkv.net.persistence;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The persistence features together: function libraries in RDB files (ringkv and redis-server 7.0.15 both ways) and
 * in the append-only file, big collections streamed into an RDB or an AOF base while they are being written, which
 * file a start loads, and scripts' effects through an AOF restart.
 */
class PersistenceCombinationsTest
{
    private static final long WAIT_MS = 30_000;

    private static final String LIB_A = "#!lua name=liba\n" +
        "redis.register_function('seta', function(keys, args) return redis.call('SET', keys[1], args[1]) end)";
    private static final String LIB_B = "#!lua name=libb\n" +
        "redis.register_function{function_name='getb', callback=function(keys) return redis.call('GET', keys[1]) " +
        "end, flags={'no-writes'}, description='reads a key'}";

    @TempDir
    Path dir;
    @TempDir
    Path otherDir;

    @Test
    void functionLibrariesSurviveAnRdbRestart() throws Exception
    {
        final List<String> libraries;
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            loadLibraries(client);
            libraries = functionList(client);
            assertEquals(2, libraries.size());
            assertEquals("OK", client.save());
        }
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(libraries, functionList(client));
            assertEquals("OK", text(call(client, "FCALL", "seta", "1", "k", "v")));
            assertEquals("v", text(call(client, "FCALL_RO", "getb", "1", "k")));
        }
    }

    @Test
    void redisLoadsRingkvsRdbWithLibrariesAndRingkvLoadsRedisOne() throws Exception
    {
        final List<String> libraries;
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            loadLibraries(client);
            client.set("k", "v");
            libraries = functionList(client);
            assertEquals("OK", client.save());
        }
        checkRdb(dir.resolve("dump.rdb"));
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", redis.port()))
        {
            assertEquals(libraries, functionList(client), "redis-server restored ringkv's libraries");
            assertEquals("v", text(call(client, "FCALL_RO", "getb", "1", "k")));
            client.functionDelete("liba");
            client.functionLoad("#!lua name=libc\nredis.register_function('c', function() return 3 end)");
            assertEquals("OK", client.save());
        }
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            final List<String> names = functionList(client).stream().map(l -> l.substring(0, l.indexOf(','))).toList();
            assertEquals(List.of("library_name=libb", "library_name=libc"), names);
            assertEquals(3L, call(client, "FCALL", "c", "0"));
        }
    }

    @Test
    void saveAndBgsaveOfBigCollectionsWrittenDuringTheSaveKeepTheImageOfItsStart() throws Exception
    {
        final String atBgsave;
        final String atSave;
        try (TestServer server = TestServer.start("dir", dir.toString(), "dbfilename", "bg.rdb");
            Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            writeBigCollections(client);
            atBgsave = digest(client);
            assertEquals("Background saving started", client.bgsave());
            changeBigCollections(client);
            awaitBgsave(client);
            assertTrue(client.info("persistence").contains("rdb_last_bgsave_status:ok"));
            assertNotEquals(atBgsave, digest(client), "the writes went on");
            client.configSet("dbfilename", "fg.rdb");
            atSave = digest(client);
            assertEquals("OK", client.save());
        }
        for (final String file : List.of("bg.rdb", "fg.rdb"))
        {
            final String expected = file.equals("bg.rdb") ? atBgsave : atSave;
            checkRdb(dir.resolve(file));
            try (TestServer server = TestServer.start("dir", dir.toString(), "dbfilename", file);
                Jedis client = new Jedis("127.0.0.1", server.port()))
            {
                assertEquals(expected, digest(client), "ringkv loaded " + file);
            }
            try (RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString(), "--dbfilename", file,
                "--enable-debug-command", "yes");
                Jedis client = new Jedis("127.0.0.1", redis.port()))
            {
                awaitLoaded(client);
                assertEquals(expected, digest(client), "redis-server loaded " + file);
            }
        }
    }

    @Test
    void bgrewriteaofOfBigCollectionsWrittenDuringTheRewriteRestartsInRingkvAndRedis() throws Exception
    {
        final String digest;
        final List<String> values;
        try (TestServer server = aofServer(dir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            writeBigCollections(client);
            assertEquals("Background append only file rewriting started", text(call(client, "BGREWRITEAOF")));
            changeBigCollections(client);
            awaitRewrite(client);
            assertEquals("ok", info(client, "aof_last_bgrewrite_status"));
            digest = digest(client);
            values = digestValues(client);
        }
        assertAofValid(dir.resolve("appendonlydir"));
        try (TestServer server = aofServer(dir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(digest, digest(client), "ringkv restarted from its base and incremental file");
        }
        copy(dir.resolve("appendonlydir"), otherDir.resolve("appendonlydir"));
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", otherDir.toString(), "--appendonly", "yes",
            "--enable-debug-command", "yes");
            Jedis client = new Jedis("127.0.0.1", redis.port()))
        {
            awaitLoaded(client);
            assertEquals(values, digestValues(client), "redis-server started from ringkv's appendonlydir");
            assertEquals(digest, digest(client));
        }
    }

    @Test
    void bgrewriteaofWhileABgsaveRunsIsScheduledAndBothFilesHoldTheirImage() throws Exception
    {
        final String atBgsave;
        final String atEnd;
        try (TestServer server = aofServer(dir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            writeBigCollections(client);
            atBgsave = digest(client);
            assertEquals("Background saving started", client.bgsave());
            final String rewrite = text(call(client, "BGREWRITEAOF"));
            assertTrue(rewrite.equals("Background append only file rewriting scheduled") ||
                rewrite.equals("Background append only file rewriting started"), rewrite);
            changeBigCollections(client);
            awaitBgsave(client);
            awaitRewrite(client);
            assertEquals("ok", info(client, "aof_last_bgrewrite_status"));
            assertEquals("ok", info(client, "rdb_last_bgsave_status"));
            atEnd = digest(client);
        }
        try (TestServer server = aofServer(dir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(atEnd, digest(client), "the AOF");
        }
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(atBgsave, digest(client), "dump.rdb");
        }
    }

    @Test
    void configSetAppendonlyYesWritesTheLibrariesIntoTheFirstBase() throws Exception
    {
        final List<String> libraries;
        try (TestServer server = TestServer.start("dir", dir.toString(), "aof-use-rdb-preamble", "no");
            Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            loadLibraries(client);
            libraries = functionList(client);
            assertEquals("OK", client.configSet("appendonly", "yes"));
            awaitRewrite(client);
            assertEquals("1", info(client, "aof_enabled"));
        }
        try (TestServer server = aofServer(dir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(libraries, functionList(client));
        }
    }

    @Test
    void withAppendonlyYesOnlyTheAofIsLoadedAndWithNoTheRdb() throws Exception
    {
        // As redis-server 7.0.15: appendonly yes on a directory with dump.rdb and no AOF yet starts empty.
        try (TestServer server = TestServer.start("dir", otherDir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            client.set("k", "v");
            assertEquals("OK", client.save());
        }
        try (TestServer server = aofServer(otherDir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(0L, client.dbSize(), "a new AOF is created; dump.rdb is not loaded");
        }
        try (TestServer server = aofServer(dir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            client.set("from", "aof");
            client.set("aof-only", "1");
        }
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertNull(client.get("from"), "appendonly no ignores the AOF");
            client.set("from", "rdb");
            client.set("rdb-only", "1");
            assertEquals("OK", client.save());
        }
        try (TestServer server = aofServer(dir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("aof", client.get("from"));
            assertEquals("1", client.get("aof-only"));
            assertNull(client.get("rdb-only"), "dump.rdb is not loaded when the AOF is on");
        }
        try (TestServer server = TestServer.start("dir", dir.toString());
            Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("rdb", client.get("from"));
            assertNull(client.get("aof-only"));
        }
    }

    @Test
    void functionLoadAndScriptEffectsSurviveAnAofRestart() throws Exception
    {
        final List<String> libraries;
        final String digest;
        try (TestServer server = aofServer(dir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            loadLibraries(client);
            libraries = functionList(client);
            call(client, "FCALL", "seta", "1", "byfcall", "1");
            call(client, "EVAL", "redis.call('SET', KEYS[1], ARGV[1]); redis.call('RPUSH', KEYS[2], 'a', 'b'); " +
                "redis.call('INCRBY', KEYS[3], 5); return redis.call('LPOP', KEYS[2])", "3", "e:s", "e:l", "e:n", "x");
            client.sadd("e:set", "a", "b", "c", "d", "e", "f", "g", "h");
            // Random and time-dependent commands: the AOF must hold what they did, not the script.
            call(client, "EVAL", "redis.call('SPOP', KEYS[1]); redis.call('SPOP', KEYS[1], 2); " +
                "redis.call('SET', KEYS[2], redis.call('TIME')[2]); return redis.call('INCRBYFLOAT', KEYS[3], 0.1)",
                "3", "e:set", "e:time", "e:float");
            digest = digest(client);
        }
        final String incr = readIncrementalFiles(dir.resolve("appendonlydir"));
        assertTrue(incr.toLowerCase(java.util.Locale.ROOT).contains("function\r\n$4\r\nload"),
            "FUNCTION LOAD is logged as a command");
        assertTrue(!incr.contains("redis.call('SET', KEYS[1]"), "EVAL is logged by its effects, not as a script");
        try (TestServer server = aofServer(dir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(libraries, functionList(client));
            assertEquals(digest, digest(client));
            assertEquals("x", client.get("e:s"));
            assertEquals(List.of("b"), client.lrange("e:l", 0, -1));
            assertEquals("5", client.get("e:n"));
            assertEquals("OK", text(call(client, "FCALL", "seta", "1", "again", "2")));
            // And once more after a rewrite: the libraries are in the base.
            assertEquals("Background append only file rewriting started", text(call(client, "BGREWRITEAOF")));
            awaitRewrite(client);
        }
        try (TestServer server = aofServer(dir); Jedis client = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(libraries, functionList(client), "the rewritten AOF keeps the libraries");
            assertEquals("2", client.get("again"));
        }
        copy(dir.resolve("appendonlydir"), otherDir.resolve("appendonlydir"));
        try (RedisServerProcess redis = RedisServerProcess.start("--dir", otherDir.toString(), "--appendonly", "yes");
            Jedis client = new Jedis("127.0.0.1", redis.port()))
        {
            awaitLoaded(client);
            assertEquals(libraries, functionList(client), "redis-server loads the libraries of ringkv's AOF base");
            assertEquals("2", client.get("again"));
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static final List<String> BIG_KEYS = List.of("big:hash", "big:strings", "big:ints", "big:zset", "big:list",
        "small", "after");

    /** @return each big collection's DEBUG DIGEST-VALUE and type, to name the one that differs. */
    private static List<String> digestValues(final Jedis client)
    {
        final List<String> out = new ArrayList<>();
        for (final String key : BIG_KEYS)
        {
            out.add(key + " " + render(call(client, "DEBUG", "DIGEST-VALUE", key)) + " " + client.type(key));
        }
        return out;
    }

    private static void loadLibraries(final Jedis client)
    {
        assertEquals("liba", client.functionLoad(LIB_A));
        assertEquals("libb", client.functionLoad(LIB_B));
    }

    /**
     * @return FUNCTION LIST WITHCODE, one rendered library per entry, sorted (Redis lists in its hash table's order).
     */
    private static List<String> functionList(final Jedis client)
    {
        final List<String> out = new ArrayList<>();
        for (final Object library : (List<?>)call(client, "FUNCTION", "LIST", "WITHCODE"))
        {
            out.add(render(library));
        }
        out.sort(null);
        return out;
    }

    private static String render(final Object reply)
    {
        if (reply instanceof List<?> list)
        {
            final StringBuilder out = new StringBuilder();
            for (int i = 0; i < list.size(); i++)
            {
                out.append(i == 0 ? "" : i % 2 == 1 ? "=" : ",").append(render(list.get(i)));
            }
            return list.size() % 2 == 0 && !list.isEmpty() ? out.toString() : "[" + out + "]";
        }
        return text(reply);
    }

    /**
     * A hash of 5,000 fields (with a TTL), sets of 5,000 strings and of 5,000 integers, a zset of 5,000 members, a
     * list of 10,000 elements and a set in database 3: each past the size the snapshot sends whole, so each is
     * streamed in parts.
     */
    private static void writeBigCollections(final Jedis client)
    {
        final Pipeline pipeline = client.pipelined();
        for (int i = 0; i < 5_000; i++)
        {
            pipeline.hset("big:hash", "field:" + i, i % 2 == 0 ? Integer.toString(i) : "value-" + i);
            pipeline.sadd("big:strings", "member-" + i);
            pipeline.sadd("big:ints", Integer.toString(i * 7 - 10_000));
            pipeline.zadd("big:zset", i * 0.5 - 100, "z" + i);
            pipeline.rpush("big:list", "element-" + i, Integer.toString(i));
        }
        pipeline.set("small", "1");
        // Expiry on a streamed collection, and one in another database.
        pipeline.pexpireAt("big:hash", System.currentTimeMillis() + 3_600_000);
        pipeline.select(3);
        for (int i = 0; i < 5_000; i++)
        {
            pipeline.sadd("big:db3", "m" + i);
        }
        pipeline.select(0);
        pipeline.sync();
    }

    /** Changes each big collection at its start, middle and end, deletes and adds keys, while a save streams. */
    private static void changeBigCollections(final Jedis client)
    {
        final Pipeline pipeline = client.pipelined();
        for (int i = 0; i < 5_000; i += 3)
        {
            pipeline.hset("big:hash", "field:" + i, "changed");
            pipeline.hdel("big:hash", "field:" + (i + 1));
            pipeline.srem("big:strings", "member-" + i);
            pipeline.sadd("big:strings", "new-" + i);
            pipeline.sadd("big:ints", Integer.toString(1_000_000 + i));
            pipeline.srem("big:ints", Integer.toString(i * 7 - 10_000));
            pipeline.zadd("big:zset", -i, "z" + i);
            pipeline.zrem("big:zset", "z" + (i + 2));
            pipeline.lset("big:list", i, "set-" + i);
            pipeline.lpush("big:list", "head-" + i);
            pipeline.rpop("big:list");
        }
        pipeline.del("small");
        pipeline.set("after", "1");
        pipeline.pexpireAt("big:zset", System.currentTimeMillis() + 7_200_000);
        pipeline.select(3);
        pipeline.del("big:db3");
        pipeline.select(0);
        pipeline.sync();
    }

    private static TestServer aofServer(final Path dir, final String... more) throws IOException
    {
        final String[] options = Stream.concat(
            Stream.of("appendonly", "yes", "dir", dir.toString(), "aof-use-rdb-preamble", "no"),
            Arrays.stream(more)).toArray(String[]::new);
        return TestServer.start(options);
    }

    private static String readIncrementalFiles(final Path aofDir) throws IOException
    {
        final StringBuilder out = new StringBuilder();
        try (var files = Files.list(aofDir))
        {
            for (final Path file : (Iterable<Path>)files.sorted()::iterator)
            {
                if (file.getFileName().toString().endsWith(".incr.aof"))
                {
                    out.append(Files.readString(file, StandardCharsets.ISO_8859_1));
                }
            }
        }
        return out.toString();
    }

    private static void checkRdb(final Path file) throws Exception
    {
        final Process check = new ProcessBuilder("redis-check-rdb", file.toString()).redirectErrorStream(true).start();
        final String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), output);
        assertTrue(output.contains("RDB looks OK"), output);
    }

    private static void assertAofValid(final Path aofDir) throws Exception
    {
        final Process check = new ProcessBuilder("redis-check-aof", aofDir.resolve("appendonly.aof.manifest")
            .toString()).redirectErrorStream(true).start();
        final String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertTrue(output.contains("All AOF files and manifest are valid") && check.exitValue() == 0, output);
    }

    private static void copy(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (var files = Files.list(from))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    private static Object call(final Jedis jedis, final String... args)
    {
        final ProtocolCommand command = () -> SafeEncoder.encode(args[0]);
        return jedis.sendCommand(command, Arrays.copyOfRange(args, 1, args.length));
    }

    private static String text(final Object reply)
    {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    private static String digest(final Jedis jedis)
    {
        return text(call(jedis, "DEBUG", "DIGEST"));
    }

    private static String info(final Jedis jedis, final String field)
    {
        for (final String line : jedis.info("persistence").split("\r\n"))
        {
            if (line.startsWith(field + ":"))
            {
                return line.substring(field.length() + 1);
            }
        }
        throw new AssertionError("no " + field + " in INFO persistence");
    }

    private static void awaitBgsave(final Jedis client) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!"0".equals(info(client, "rdb_bgsave_in_progress")) && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(20);
        }
        assertEquals("0", info(client, "rdb_bgsave_in_progress"));
    }

    /** redis-server answers DEBUG DIGEST while it loads: wait for the whole dataset. */
    private static void awaitLoaded(final Jedis client) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!"0".equals(info(client, "loading")) && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(20);
        }
        assertEquals("0", info(client, "loading"));
    }

    private static void awaitRewrite(final Jedis jedis) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            if ("0".equals(info(jedis, "aof_rewrite_in_progress")) && "0".equals(info(jedis, "aof_rewrite_scheduled")))
            {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the rewrite did not finish");
    }
}
