package io.ringkv.core.script;

import io.ringkv.core.command.EngineHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The script engine on a real engine, without sockets: Redis's conversion tables both ways (RESP2 and, under
 * redis.setresp(3), RESP3), number formatting of redis.call arguments (%.17g), binary-safe strings in both directions
 * (every byte value, NULs, quotes, CR/LF, invalid UTF-8), the sandbox (no Java, no io/os/debug, globals and library
 * tables read-only, `server` as `redis`), KEYS and ARGV per call, Redis's error formats and the script cache.
 */
class ScriptModelTest
{
    private EngineHarness harness;
    private ScriptEngine scripts;

    @BeforeEach
    void start()
    {
        harness = new EngineHarness();
        scripts = new ScriptEngine(new ScriptRunState(), "7.0.15");
        ScriptCommands.register(harness.commands, scripts);
    }

    @AfterEach
    void stop()
    {
        harness.close();
        scripts.close();
    }

    private String eval(final String script, final String... args)
    {
        return evalKeys(script, 0, args);
    }

    private String evalKeys(final String script, final int keys, final String... keysThenArgs)
    {
        final String[] request = new String[3 + keysThenArgs.length];
        request[0] = "EVAL";
        request[1] = script;
        request[2] = Integer.toString(keys);
        System.arraycopy(keysThenArgs, 0, request, 3, keysThenArgs.length);
        return harness.exec(request);
    }

    @Test
    void luaValuesBecomeReplies()
    {
        assertEquals("$x", eval("return 'x'"));
        assertEquals(":3", eval("return 3.99"));
        assertEquals(":-3", eval("return -3.99"));
        assertEquals(":-9223372036854775808", eval("return 1e300"), "C's out-of-range cast");
        assertEquals(":1", eval("return true"));
        assertEquals("(nil)", eval("return false"));
        assertEquals("(nil)", eval("return nil"));
        assertEquals("[:1, :2, [$a, [$b]]]", eval("return {1, 2, {'a', {'b'}}}"));
        assertEquals("[:1, :2]", eval("return {1, 2, nil, 4}"), "an array ends at its first nil");
        assertEquals("-MY error", eval("return {err = 'MY error'}"));
        assertEquals("+fine", eval("return {ok = 'fine'}"));
        assertEquals("+a  b", eval("return {ok = 'a\\r\\nb'}"));
        assertEquals("[:1, -E nested, +s]", eval("return {1, {err = 'E nested'}, {ok = 's'}}"));
        assertEquals(",1.5", eval("return {double = 1.5}"));
        assertEquals("%[$a, :1]", eval("return {map = {a = 1}}"));
        assertEquals("~[$m]", eval("return {set = {m = true}}"));
        assertEquals("#t", eval("redis.setresp(3) return true"), "RESP3 booleans after redis.setresp(3)");
        assertEquals("#f", eval("redis.setresp(3) return false"));
        assertEquals("(nil)", eval("return function() end"));
    }

    @Test
    void repliesBecomeLuaValues()
    {
        harness.exec("HSET", "h", "f", "v");
        harness.exec("ZADD", "z", "1.5", "m");
        harness.exec("SADD", "s", "m");
        assertEquals("$number 42", eval("local r = redis.call('incrby', 'n', 42) return type(r) .. ' ' .. r"));
        assertEquals("$boolean false", eval("local r = redis.call('get', 'missing') return type(r) .. ' ' .. tostring(r)"));
        assertEquals("$OK", eval("return redis.call('set', 'k', 'v').ok"));
        assertEquals("$ERR value is not an integer or out of range",
            eval("return redis.pcall('incr', 'k').err"));
        assertEquals("$table f v", eval("local r = redis.call('hgetall', 'h') return type(r) .. ' ' .. r[1] .. ' ' .. r[2]"));
        assertEquals("$1.5", eval("return redis.call('zscore', 'z', 'm')"));
        assertEquals("$v nil", eval("redis.setresp(3) local r = redis.call('hgetall', 'h') " +
            "return r.map.f .. ' ' .. tostring(r[1])"));
        assertEquals("$true", eval("redis.setresp(3) return tostring(redis.call('smembers', 's').set.m)"));
        assertEquals("$1.5", eval("redis.setresp(3) return tostring(redis.call('zscore', 'z', 'm').double)"));
        assertEquals("$nil", eval("redis.setresp(3) return tostring(redis.call('get', 'missing'))"));
        assertEquals("$m 1.5", eval("redis.setresp(3) local r = redis.call('zrange', 'z', 0, -1, 'withscores') " +
            "return r[1][1] .. ' ' .. r[1][2].double"));
    }

    @Test
    void numbersAreSentAsRedisFormatsThem()
    {
        assertEquals("$0.10000000000000001", eval("redis.call('set', 'n', 0.1) return redis.call('get', 'n')"));
        assertEquals("$1e+20", eval("redis.call('set', 'n', 1e20) return redis.call('get', 'n')"));
        assertEquals("$3", eval("redis.call('set', 'n', 3) return redis.call('get', 'n')"));
        assertEquals("$-0", eval("redis.call('set', 'n', -0.0) return redis.call('get', 'n')"));
        assertEquals("$inf", eval("redis.call('set', 'n', 1/0) return redis.call('get', 'n')"));
    }

    @Test
    void stringsAreBinarySafeBothWays()
    {
        final byte[] all = new byte[256];
        for (int i = 0; i < 256; i++)
        {
            all[i] = (byte)i;
        }
        final String bytes = new String(all, StandardCharsets.ISO_8859_1);
        assertEquals(":256", evalKeys("redis.call('set', KEYS[1], ARGV[1]) return #redis.call('get', KEYS[1])", 1,
            "bin", bytes));
        assertEquals("$" + bytes, harness.exec("GET", "bin"));
        assertEquals("$" + bytes, evalKeys("return redis.call('get', KEYS[1])", 1, "bin"));
        assertEquals(":1", evalKeys("for i = 0, 255 do if string.byte(ARGV[1], i + 1) ~= i then return 0 end end " +
            "return 1", 0, bytes));
        assertEquals("$a\0b\"\\\r\n\u00e9", eval("return 'a\\0b\"\\\\\\r\\n\\233'"));
    }

    @Test
    void keysAndArgvAreTheCallsOwn()
    {
        assertEquals("[$k1, $k2, $a1]", evalKeys("return {KEYS[1], KEYS[2], ARGV[1]}", 2, "k1", "k2", "a1"));
        assertEquals("[:0, :0]", evalKeys("return {#KEYS, #ARGV}", 0));
        assertEquals("-ERR Number of keys can't be greater than number of args", evalKeys("return 1", 2, "k"));
        assertEquals("-ERR Number of keys can't be negative", evalKeys("return 1", -1));
        assertEquals("-ERR value is not an integer or out of range", harness.exec("EVAL", "return 1", "x"));
    }

    @Test
    void theSandboxIsRedis()
    {
        for (final String global : new String[]{"java", "io", "os", "debug", "require", "dofile", "loadfile",
            "print", "package", "module", "getfenv", "setfenv", "newproxy", "luajava", "__jthrowable__"})
        {
            final String reply = eval("return " + global);
            assertTrue(reply.equals("(nil)") ||
                reply.startsWith("-ERR user_script:1: Script attempted to access nonexistent global variable '" +
                    global + "'"), global + ": " + reply);
        }
        assertTrue(eval("x = 1").startsWith("-ERR user_script:1: Attempt to modify a readonly table script: "));
        assertTrue(eval("string.upper = nil").startsWith("-ERR user_script:1: Attempt to modify a readonly table"));
        assertTrue(eval("redis.call = nil").startsWith("-ERR user_script:1: Attempt to modify a readonly table"));
        assertTrue(eval("rawset(math, 'pi', 3)").startsWith("-ERR Attempt to modify a readonly table"));
        assertTrue(eval("getmetatable('').__index.upper = nil").contains("Attempt to modify a readonly table"));
        assertTrue(eval("table.insert(string, 1)").contains("Attempt to modify a readonly table"));
        assertEquals("$HELLO", eval("return ('hello'):upper()"), "library functions still work");
        assertEquals(":1", eval("return server == redis and 1 or 0"), "server is redis (Valkey's name)");
        assertEquals("$function", eval("return type(redis.call)"));
        assertEquals("$7.0.15 458767", eval("return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM"));
        assertEquals("(nil)", eval("return loadstring(string.dump(function() end))"), "no bytecode");
        assertEquals(":2", eval("local t = {} for k in pairs(redis) do if k == 'call' or k == 'pcall' then " +
            "t[#t + 1] = k end end return #t"), "read-only tables still iterate");
    }

    @Test
    void errorsHaveRedisFormats()
    {
        final String boom = eval("error('boom')");
        assertTrue(boom.matches("-ERR user_script:1: boom script: [0-9a-f]{40}, on @user_script:1\\."), boom);
        final String tail = eval("local a = 1\nerror('second')");
        assertTrue(tail.matches("-ERR user_script:2: second script: [0-9a-f]{40}, on @user_script:2\\."), tail);
        final String call = eval("\nreturn redis.call('nosuch')");
        assertTrue(call.matches("-ERR Unknown Redis command called from script script: [0-9a-f]{40}, " +
            "on @user_script:2\\."), call);
        assertEquals("-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'",
            eval("x("));
        assertTrue(eval("return redis.call('multi')").startsWith(
            "-ERR This Redis command is not allowed from script script: "));
        assertTrue(eval("return redis.call('blpop', 'l', 0)").startsWith(
            "-ERR This Redis command is not allowed from script"));
        assertEquals("(nil)", eval("return redis.call('blmpop', 0, 1, 'l', 'left')"), "blocking answers at once");
        assertTrue(harness.exec("EVAL_RO", "return redis.call('set', 'a', 'b')", "0").startsWith(
            "-ERR Write commands are not allowed from read-only scripts. script: "));
        assertTrue(eval("#!lua flags=no-writes\nreturn redis.call('del', 'a')").endsWith(", on @user_script:2."));
        assertEquals("-ERR Unexpected flag in script shebang: nope", eval("#!lua flags=nope\nreturn 1"));
    }

    @Test
    void hostileValuesDoNotEscapeTheProtectedCall()
    {
        // An error value whose metatable raises: reading it outside a protected call would abort the process.
        final String reply = eval("error(setmetatable({}, {__index = function() error('x') end, " +
            "__newindex = function() error('y') end}))");
        assertTrue(reply.startsWith("-"), reply);
        final String deep = eval("local t = {} for i = 1, 100000 do t = {t} end return t");
        assertTrue(deep.contains("-ERR reached lua stack limit"), deep.substring(0, Math.min(200, deep.length())));
        assertEquals("$PONG", harness.exec("PING").replace("+", "$"));
    }

    @Test
    void theCacheKeepsScriptsBySha()
    {
        final String sha = harness.exec("SCRIPT", "LOAD", "return 'cached'").substring(1);
        assertEquals("$cached", harness.exec("EVALSHA", sha, "0"));
        assertEquals("$cached", harness.exec("EVALSHA", sha.toUpperCase(), "0"));
        assertEquals("[:1, :0]", harness.exec("SCRIPT", "EXISTS", sha, "ffff"));
        assertEquals(1, scripts.cache().size());
        assertEquals("+OK", harness.exec("SCRIPT", "FLUSH"));
        assertEquals(0, scripts.cache().size());
        assertEquals("-NOSCRIPT No matching script. Please use EVAL.", harness.exec("EVALSHA", sha, "0"));
        assertEquals("-NOTBUSY No scripts in execution right now.", harness.exec("SCRIPT", "KILL"));
    }
}
