package io.ringkv.net.server.script;

import io.ringkv.core.script.ScriptRunState;
import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.RedisPy;
import io.ringkv.net.server.RespConnection;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scripts through real clients and hostile scripts: redis-py's Lock and a registered rate limiter (EVALSHA, then EVAL
 * after NOSCRIPT), Jedis eval/evalsha/scriptLoad, writes kept when a script fails half-way (no rollback, as Redis),
 * deep recursion, a huge script and a huge result, an infinite loop stopped through the kill flag (also when it
 * catches errors with pcall), the hook re-armed afterwards, MONITOR showing EVAL then its commands from "lua".
 */
class ScriptEndToEndTest
{
    @AutoClose
    private static TestServer server;

    @TempDir
    Path directory;

    @BeforeAll
    static void start() throws IOException
    {
        server = TestServer.start();
    }

    @Test
    void redisPyLockAcquiresExtendsAndReleases() throws Exception
    {
        final Path script = directory.resolve("redis_py_lock.py");
        try (InputStream in = ScriptEndToEndTest.class.getResourceAsStream("/redis_py_lock.py"))
        {
            Files.copy(in, script);
        }
        try (RedisServerProcess redis = RedisServerProcess.start())
        {
            assertEquals("OK", RedisPy.run(script, redis.port()), "the script against redis-server");
        }
        assertEquals("OK", RedisPy.run(script, server.port()), "the script against ringkv");
    }

    @Test
    void jedisEvalAndEvalsha()
    {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.del("j:counter");
            final String script = "return {redis.call('INCRBY', KEYS[1], ARGV[1]), KEYS[1], ARGV[1]}";
            assertEquals(List.of(5L, "j:counter", "5"), jedis.eval(script, List.of("j:counter"), List.of("5")));
            final String sha = jedis.scriptLoad(script);
            assertEquals("1c1ab0d1b8e8bfe7c4c6dd8c9e62e9c1f7c33d5f".length(), sha.length());
            assertTrue(jedis.scriptExists(sha));
            assertEquals(List.of(7L, "j:counter", "2"), jedis.evalsha(sha, List.of("j:counter"), List.of("2")));
            assertEquals("OK", jedis.scriptFlush());
            final JedisDataException noScript = assertThrows(JedisDataException.class,
                () -> jedis.evalsha(sha, List.of("j:counter"), List.of("2")));
            assertEquals("NOSCRIPT No matching script. Please use EVAL.", noScript.getMessage());
            assertEquals("7", jedis.get("j:counter"), "nothing ran for the missing script");
            final JedisDataException numKeys = assertThrows(JedisDataException.class,
                () -> jedis.eval("return 1", 3, "a"));
            assertEquals("ERR Number of keys can't be greater than number of args", numKeys.getMessage());
        }
    }

    @Test
    void writesBeforeAnErrorStay()
    {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.del("half:a", "half:b");
            final JedisDataException error = assertThrows(JedisDataException.class, () -> jedis.eval(
                "redis.call('set', 'half:a', '1')\nredis.call('incr', 'half:a')\nerror('boom')\n" +
                    "redis.call('set', 'half:b', '1')", 0));
            assertTrue(error.getMessage().startsWith("ERR user_script:3: boom script: "), error.getMessage());
            assertEquals("2", jedis.get("half:a"), "Redis does not roll a script back");
            assertFalse(jedis.exists("half:b"));
            final JedisDataException typeError = assertThrows(JedisDataException.class, () -> jedis.eval(
                "redis.call('set', 'half:b', 'x')\nreturn redis.call('incr', 'half:b')", 0));
            assertTrue(typeError.getMessage().startsWith("ERR value is not an integer or out of range script: "),
                typeError.getMessage());
            assertTrue(typeError.getMessage().endsWith(", on @user_script:2."), typeError.getMessage());
            assertEquals("x", jedis.get("half:b"));
        }
    }

    @Test
    void hostileScriptsFailCleanly()
    {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final JedisDataException overflow = assertThrows(JedisDataException.class,
                () -> jedis.eval("local function f(n) return 1 + f(n + 1) end return f(1)", 0));
            assertTrue(overflow.getMessage().contains("stack overflow"), overflow.getMessage());
            final JedisDataException cStack = assertThrows(JedisDataException.class,
                () -> jedis.eval("local function f() return 1 + select(2, pcall(f)) end return f()", 0));
            assertTrue(cStack.getMessage().startsWith("ERR "), cStack.getMessage());
            final JedisDataException syntax = assertThrows(JedisDataException.class,
                () -> jedis.eval("return 1 +", 0));
            assertTrue(syntax.getMessage().startsWith("ERR Error compiling script (new function): user_script:1:"),
                syntax.getMessage());
            final JedisDataException javaAccess = assertThrows(JedisDataException.class,
                () -> jedis.eval("return java.import('java.lang.System')", 0));
            assertTrue(javaAccess.getMessage().contains("nonexistent global variable 'java'"),
                javaAccess.getMessage());
            assertTrue(assertThrows(JedisDataException.class, () -> jedis.eval(
                "return loadstring(string.dump(function() return 1 end))()", 0)).getMessage().contains(
                "attempt to call a nil value"), "bytecode is not loaded (loadstring answers nil, as Redis)");
            final StringBuilder huge = new StringBuilder("local t = {}\n");
            for (int i = 0; i < 20_000; i++)
            {
                huge.append("t[#t + 1] = ").append(i).append('\n');
            }
            huge.append("return #t");
            assertEquals(20_000L, jedis.eval(huge.toString(), 0));
            assertEquals(100_000, ((List<?>)jedis.eval(
                "local t = {} for i = 1, 100000 do t[i] = i end return t", 0)).size());
            assertEquals(1_000_000L, jedis.eval("return #string.rep('x', 1000000)", 0));
            assertEquals("PONG", jedis.ping(), "the server survived");
        }
    }

    @Test
    void anInfiniteLoopStopsThroughTheKillFlag() throws Exception
    {
        final ScriptRunState state = server.server().scriptRunState();
        for (final String loop : new String[]{"while true do end",
            "redis.call('set', 'loop:wrote', '1') while true do pcall(function() while true do end end) end"})
        {
            final CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 30_000))
                {
                    jedis.eval(loop, 0);
                    return "no error";
                }
                catch (final JedisDataException ex)
                {
                    return ex.getMessage();
                }
            });
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!state.running() && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertTrue(state.running(), "the script runs");
            assertFalse(state.function());
            assertEquals(loop.startsWith("redis.call"), state.hasWritten());
            state.requestKill();
            final String error = result.get(10, TimeUnit.SECONDS);
            assertTrue(error.startsWith("ERR Script killed by user with SCRIPT KILL... script: "), error);
            assertFalse(state.running());
        }
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals(2_000_000L, jedis.eval("local n = 0 for i = 1, 2000000 do n = n + 1 end return n", 0),
                "the next script runs whole: the hook is back to counting");
        }
    }

    @Test
    void monitorShowsEvalThenItsCommandsFromLua() throws Exception
    {
        try (RespConnection monitor = new RespConnection(server.port(), 2);
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("+OK\n", monitor.send("MONITOR"));
            jedis.eval("redis.call('set', 'mon:k', 'v')", 0);
            final String eval = monitor.readReply();
            final String set = monitor.readReply();
            assertTrue(eval.toLowerCase(java.util.Locale.ROOT).contains("\"eval\" \"redis.call('set', 'mon:k', 'v')\" \"0\""),
                eval);
            assertTrue(set.contains(" [0 lua] \"set\" \"mon:k\" \"v\""), set);
        }
    }
}
