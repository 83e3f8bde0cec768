package io.ringkv.net.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * INFO memory's Lua fields against redis-server 7.0.15: the same names in the same order, the same script, function
 * and library counts, and the byte figures of the caches moving the same way, after SCRIPT LOAD, EVAL, FUNCTION LOAD,
 * SCRIPT FLUSH and FUNCTION FLUSH. (ringkv has one Lua state for scripts and libraries, so its
 * used_memory_vm_functions stays 0 while Redis's grows; docs/scripting.md.)
 */
class ScriptMemoryInfoDifferentialTest
{
    private static final Pattern LUA_FIELD = Pattern.compile("lua|script|function|librar|_vm_");
    private static final List<String> COUNTS = List.of(
        "number_of_cached_scripts", "number_of_functions", "number_of_libraries");
    private static final List<String> CACHE_BYTES = List.of(
        "used_memory_scripts_eval", "used_memory_functions", "used_memory_scripts");
    private static final String LIBRARY = "#!lua name=lib\n" +
        "redis.register_function('f1', function() return 1 end)\n" +
        "redis.register_function('f2', function(keys) return redis.call('get', keys[1]) end)";

    private static final String[][] STEPS = {
        {"SCRIPT", "LOAD", "return 1"},
        {"SCRIPT", "LOAD", "return 2"},
        {"SCRIPT", "LOAD", "return 2"},
        {"EVAL", "return redis.call('get', KEYS[1])", "1", "k"},
        {"FUNCTION", "LOAD", LIBRARY},
        {"SCRIPT", "FLUSH"},
        {"FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('g', function() return 2 end)"},
        {"FUNCTION", "DELETE", "lib"},
        {"FUNCTION", "FLUSH"},
    };

    @AutoClose
    private TestServer ringkv;
    @AutoClose
    private RedisServerProcess redis;
    @AutoClose
    private RawRespClient ours;
    @AutoClose
    private RawRespClient theirs;

    @BeforeEach
    void start() throws IOException, InterruptedException
    {
        ringkv = TestServer.start();
        redis = RedisServerProcess.start();
        ours = new RawRespClient(ringkv.port());
        theirs = new RawRespClient(redis.port());
    }

    @Test
    void luaFieldsAndCountsMoveAsRedisDoes() throws IOException
    {
        Map<String, String> oursBefore = luaFields(ours);
        Map<String, String> theirsBefore = luaFields(theirs);
        assertEquals(List.copyOf(theirsBefore.keySet()), List.copyOf(oursBefore.keySet()));
        for (final String[] step : STEPS)
        {
            final String what = String.join(" ", step);
            assertEquals(theirs.call(step), ours.call(step), what);
            final Map<String, String> oursAfter = luaFields(ours);
            final Map<String, String> theirsAfter = luaFields(theirs);
            assertEquals(List.copyOf(theirsAfter.keySet()), List.copyOf(oursAfter.keySet()), what);
            for (final String count : COUNTS)
            {
                assertEquals(theirsAfter.get(count), oursAfter.get(count), count + " after " + what);
            }
            for (final String bytes : CACHE_BYTES)
            {
                assertEquals(change(theirsBefore, theirsAfter, bytes), change(oursBefore, oursAfter, bytes),
                    bytes + " after " + what);
            }
            oursBefore = oursAfter;
            theirsBefore = theirsAfter;
        }
    }

    @Test
    void luaMemoryGrowsWithCachedScriptsAndFallsAfterFlush() throws IOException
    {
        for (final RawRespClient client : List.of(ours, theirs))
        {
            client.call("SCRIPT", "LOAD", "return 0");
            final long before = number(luaFields(client), "used_memory_lua");
            for (int i = 1; i <= 500; i++)
            {
                client.call("SCRIPT", "LOAD", "return " + i);
            }
            final Map<String, String> loaded = luaFields(client);
            assertEquals("501", loaded.get("number_of_cached_scripts"));
            final long grown = number(loaded, "used_memory_lua");
            assertTrue(grown > before + 500 * 100, "used_memory_lua " + before + " -> " + grown);
            assertEquals(grown, number(loaded, "used_memory_vm_eval"));
            assertTrue(number(loaded, "used_memory_scripts_eval") > 500 * 8);
            client.call("SCRIPT", "FLUSH");
            final long flushed = number(luaFields(client), "used_memory_lua");
            assertTrue(flushed < grown - 500 * 100, "used_memory_lua " + grown + " -> " + flushed);
        }
    }

    private static int change(final Map<String, String> before, final Map<String, String> after, final String field)
    {
        return Long.signum(number(after, field) - number(before, field));
    }

    private static long number(final Map<String, String> fields, final String field)
    {
        return Long.parseLong(fields.get(field));
    }

    /** The Lua-related fields of INFO memory, in the server's order. */
    private static Map<String, String> luaFields(final RawRespClient client) throws IOException
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String line : client.call("INFO", "memory").split("\r\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0 && LUA_FIELD.matcher(line.substring(0, colon)).find())
            {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }
}
