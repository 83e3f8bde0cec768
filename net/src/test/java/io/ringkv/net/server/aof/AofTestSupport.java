package io.ringkv.net.server.aof;

import io.ringkv.net.server.TestServer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the append-only file tests share: a server on a directory, raw commands, waiting for a rewrite.
 */
public final class AofTestSupport
{
    private AofTestSupport()
    {
    }

    /** A server with RESP bases (aof-use-rdb-preamble no). */
    static TestServer server(final Path dir, final String... more) throws IOException
    {
        return server(dir, "no", more);
    }

    /** A server with RDB bases (aof-use-rdb-preamble yes, Redis's default). */
    static TestServer rdbPreambleServer(final Path dir, final String... more) throws IOException
    {
        return server(dir, "yes", more);
    }

    private static TestServer server(final Path dir, final String preamble, final String... more) throws IOException
    {
        final String[] options = Stream.concat(
            Stream.of("appendonly", "yes", "dir", dir.toString(), "aof-use-rdb-preamble", preamble),
            Arrays.stream(more)).toArray(String[]::new);
        return TestServer.start(options);
    }

    public static Object call(final Jedis jedis, final String... args)
    {
        final ProtocolCommand command = () -> SafeEncoder.encode(args[0]);
        return jedis.sendCommand(command, Arrays.copyOfRange(args, 1, args.length));
    }

    public static String text(final Object reply)
    {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    public static String digest(final Jedis jedis)
    {
        return text(call(jedis, "DEBUG", "DIGEST"));
    }

    static String info(final Jedis jedis, final String field)
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

    static void awaitRewrite(final Jedis jedis) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline)
        {
            if ("0".equals(info(jedis, "aof_rewrite_in_progress")) && "0".equals(info(jedis, "aof_rewrite_scheduled")))
            {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the rewrite did not finish");
    }

    static List<String> manifest(final Path dir) throws IOException
    {
        return Files.readAllLines(dir.resolve("appendonlydir").resolve("appendonly.aof.manifest"));
    }

    static void assertValid(final Path aofDir) throws Exception
    {
        final Process check = new ProcessBuilder("redis-check-aof", aofDir.resolve("appendonly.aof.manifest")
            .toString()).redirectErrorStream(true).start();
        final String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check.waitFor();
        assertTrue(output.contains("All AOF files and manifest are valid") && check.exitValue() == 0, output);
    }

    /**
     * Every type and encoding, expiry, several databases, transactions and the key commands that log their own
     * records (RENAME, COPY, MOVE, SWAPDB, FLUSHDB...).
     */
    public static void writeEveryKind(final Jedis jedis, final String tag)
    {
        jedis.set(tag + "raw", "hello world");
        jedis.set(tag + "int", "12345");
        jedis.set(tag + "neg", "-9223372036854775808");
        jedis.psetex(tag + "ttl", 3_600_000, "soon");
        jedis.incrBy(tag + "counter", 41);
        jedis.incr(tag + "counter");
        jedis.append(tag + "raw", "!");
        jedis.setrange(tag + "raw", 2, "LL");
        jedis.incrByFloat(tag + "float", 1.5);
        jedis.set(tag + "bin", "\u0000\r\n$*");
        jedis.hset(tag + "hash", "f", "v");
        jedis.hset(tag + "hash", "n", "7");
        jedis.hincrBy(tag + "hash", "n", 3);
        for (int i = 0; i < 300; i++)
        {
            jedis.hset(tag + "bighash", "field" + i, "value" + i);
            jedis.sadd(tag + "bigset", "member" + i);
            jedis.zadd(tag + "bigzset", i * 0.25, "m" + i);
            jedis.rpush(tag + "biglist", "element" + i);
        }
        jedis.sadd(tag + "intset", "1", "2", "300", "-5");
        jedis.sadd(tag + "smallset", "a", "b", "c");
        jedis.srem(tag + "smallset", "b");
        jedis.zadd(tag + "zset", 1.5, "a");
        jedis.zadd(tag + "zset", Double.POSITIVE_INFINITY, "inf");
        jedis.zincrby(tag + "zset", 2, "a");
        jedis.lpush(tag + "list", "x", "y", "z");
        jedis.lpop(tag + "list");
        jedis.rpush(tag + "list", "1", "2", "3");
        jedis.lset(tag + "list", 0, "first");
        jedis.pexpire(tag + "bighash", 7_200_000);
        jedis.expire(tag + "list", 5000);
        jedis.persist(tag + "list");
        jedis.set(tag + "gone", "x");
        jedis.del(tag + "gone");
        jedis.set(tag + "old", "renamed");
        jedis.rename(tag + "old", tag + "new");
        call(jedis, "COPY", tag + "new", tag + "copied", "DB", "3");
        jedis.set(tag + "mover", "m");
        jedis.move(tag + "mover", 4);
        jedis.select(1);
        jedis.set(tag + "db1", "one");
        jedis.hset(tag + "db1hash", "a", "b");
        jedis.select(2);
        jedis.set(tag + "flushed", "x");
        jedis.flushDB();
        jedis.set(tag + "db2", "two");
        jedis.select(5);
        jedis.set(tag + "swapped", "from5");
        jedis.swapDB(5, 6);
        jedis.select(0);
        final var tx = jedis.multi();
        tx.incr(tag + "txcounter");
        tx.set(tag + "txkey", "in-multi");
        tx.rpush(tag + "txlist", "a", "b");
        tx.exec();
    }

    static void copy(final Path from, final Path to) throws IOException
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
}
