package io.ringkv.net.server.script;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.RespConnection;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scripts side by side with a real redis-server 7.0.15: every script of lua_differential_scripts.txt (conversions
 * both ways, redis.call/pcall and their errors, the redis.* API with bad arguments, the sandbox's globals, readonly
 * tables, number formatting, coroutines, binary strings, runtime and compile errors) runs with EVAL on both servers
 * in the same order, from a RESP2 and then a RESP3 connection, and the replies' bytes must be equal. A fixed list
 * covers the commands themselves: numkeys errors, EVALSHA and NOSCRIPT, SCRIPT LOAD/EXISTS/FLUSH/HELP, EVAL_RO, the
 * shebang and its errors.
 */
class ScriptDifferentialTest
{
    @AutoClose
    private static RedisServerProcess redisProcess;
    @AutoClose
    private static TestServer ringkvServer;

    @BeforeAll
    static void start() throws Exception
    {
        redisProcess = RedisServerProcess.start();
        ringkvServer = TestServer.start();
    }

    private static List<String> scripts() throws IOException
    {
        final List<String> scripts = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
            ScriptDifferentialTest.class.getResourceAsStream("/lua_differential_scripts.txt"), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                if (!line.isBlank())
                {
                    scripts.add(new String(line.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
                }
            }
        }
        return scripts;
    }

    @Test
    void scriptsAnswerAsRedis() throws Exception
    {
        final List<String> scripts = scripts();
        assertTrue(scripts.size() > 200, "the script list was read");
        final List<String> differences = new ArrayList<>();
        for (final int protocol : new int[]{2, 3})
        {
            try (RespConnection redis = new RespConnection(redisProcess.port(), protocol);
                RespConnection ringkv = new RespConnection(ringkvServer.port(), protocol))
            {
                for (final String script : scripts)
                {
                    final String[] request = {"EVAL", script, "1", "key1", "arg1"};
                    final String expected = redis.send(request);
                    final String actual = ringkv.send(request);
                    if (!expected.equals(actual))
                    {
                        differences.add("RESP" + protocol + ": " + script + "\n  redis:  " + expected +
                            "\n  ringkv: " + actual);
                    }
                }
            }
        }
        assertEquals(List.of(), differences, String.join("\n", differences));
    }

    @Test
    void commandsAnswerAsRedis() throws Exception
    {
        final String[][] requests = {
            {"EVAL", "return 1", "-1"},
            {"EVAL", "return 1", "2", "a"},
            {"EVAL", "return 1", "x"},
            {"EVAL", "return 1", "99999999999999999999"},
            {"EVAL", "return {KEYS[1], KEYS[2], ARGV[1]}", "2", "a", "b", "c"},
            {"EVAL", "return {#KEYS, #ARGV}", "0", "x", "y"},
            {"EVALSHA", "0000000000000000000000000000000000000000", "0"},
            {"EVALSHA", "abc", "0"},
            {"SCRIPT", "LOAD", "return 'loaded'"},
            {"EVALSHA", "e2ecb2f5d5bb5ae0f73a5d2fc8d5d9c8f37b1fae", "0"},
            {"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "abc"},
            {"SCRIPT", "LOAD", "return 1"},
            {"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB"},
            {"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"},
            {"EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
            {"SCRIPT", "LOAD", "x("},
            {"SCRIPT", "LOAD"},
            {"SCRIPT", "FLUSH", "bad"},
            {"SCRIPT", "FLUSH", "ASYNC"},
            {"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"},
            {"SCRIPT", "FLUSH"},
            {"SCRIPT", "HELP"},
            {"SCRIPT", "NOSUCH"},
            {"SCRIPT", "KILL"},
            {"SCRIPT"},
            {"EVAL"},
            {"EVAL", "return 1"},
            {"EVAL_RO", "return redis.call('set', 'a', 'b')", "0"},
            {"EVAL_RO", "return redis.call('get', 'a')", "0"},
            {"EVAL", "#!lua flags=no-writes\nreturn redis.call('set','a','b')", "0"},
            {"EVAL", "#!lua flags=no-writes\nreturn redis.call('get','a')", "0"},
            {"EVAL", "#!lua\nreturn redis.call('set','a','b')", "0"},
            {"EVAL", "#!lua flags=allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1", "0"},
            {"EVAL", "#!lua flags=bogus\nreturn 1", "0"},
            {"EVAL", "#!lu\nreturn 1", "0"},
            {"EVAL", "#!python\nreturn 1", "0"},
            {"EVAL", "#!lua name=x\nreturn 1", "0"},
            {"EVAL", "#!lua", "0"},
            {"EVAL", "#!lua\nerror('line two')", "0"},
            {"EVAL", "#!lua\nx(", "0"},
            {"EVAL_RO", "#!lua\nreturn 1", "0"},
            {"EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"},
            {"EVAL", "\nreturn redis.call('nosuch')", "0"},
            {"EVAL", "local a = 1\n\nerror('third')", "0"},
        };
        final List<String> differences = new ArrayList<>();
        for (final int protocol : new int[]{2, 3})
        {
            try (RespConnection redis = new RespConnection(redisProcess.port(), protocol);
                RespConnection ringkv = new RespConnection(ringkvServer.port(), protocol))
            {
                for (final String[] request : requests)
                {
                    final String expected = redis.send(request);
                    final String actual = ringkv.send(request);
                    if (!expected.equals(actual))
                    {
                        differences.add("RESP" + protocol + ": " + String.join(" ", request) + "\n  redis:  " +
                            expected + "\n  ringkv: " + actual);
                    }
                }
            }
        }
        assertEquals(List.of(), differences, String.join("\n", differences));
    }
}
