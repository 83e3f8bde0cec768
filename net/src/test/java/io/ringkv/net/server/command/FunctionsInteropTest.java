package io.ringkv.net.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FUNCTION and FCALL against a real redis-server 7.0.15, byte for byte, in RESP2 and RESP3: LOAD [REPLACE] and every
 * error of the library header, of register_function (both forms) and of the load environment; LIST's shape, filters
 * and WITHCODE; DELETE, FLUSH, STATS, HELP, KILL; FCALL and FCALL_RO with keys and arguments, flags, the errors
 * functions raise and their positions; DUMP, then RESTORE of each server's payload by the other. Scenarios keep at most
 * one library in a LIST reply, since Redis lists in its hash table's order.
 */
class FunctionsInteropTest
{
    @AutoClose
    private static TestServer ringkv;
    @AutoClose
    private static RedisServerProcess redis;

    @BeforeAll
    static void start() throws IOException, InterruptedException
    {
        ringkv = TestServer.start();
        redis = RedisServerProcess.start();
    }

    private static String lib(final String name, final String... lines)
    {
        return "#!lua name=" + name + "\n" + String.join("\n", lines);
    }

    private static final String MYLIB = "#!lua name=mylib \n redis.register_function('myfunc', function(keys, args) " +
        "return args[1] end)";

    private static final String FLAGGED = lib("flagged",
        "redis.register_function('w', function(keys, args) return redis.call('set', keys[1], args[1]) end)",
        "redis.register_function{function_name='ro', callback=function(keys) return redis.call('get', keys[1]) " +
            "end, flags={'no-writes'}, description='reads a key'}",
        "redis.register_function{function_name='rw', callback=function(keys) return redis.call('set', keys[1], " +
            "'x') end, flags={'no-writes'}}",
        "redis.register_function{function_name='all', callback=function() return 1 end, flags={'NO-WRITES', " +
            "'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}");

    private static final String ERRORS = lib("errs",
        "redis.register_function('unknown', function() return redis.call('nosuch') end)",
        "redis.register_function('boom', function() error('boom') end)",
        "redis.register_function('reply', function() return redis.error_reply('MY bad') end)",
        "redis.register_function('status', function() return redis.status_reply('FINE') end)",
        "redis.register_function('setg', function() x = 1 end)",
        "redis.register_function('getg', function() return y end)",
        "redis.register_function('keysg', function() return KEYS end)",
        "redis.register_function('again', function() return redis.register_function('h', function() end) end)",
        "redis.register_function('version', function() return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM} end)",
        "redis.register_function('noscript', function() return redis.call('function', 'list') end)",
        "redis.register_function('nested', function() return redis.call('fcall', 'boom', '0') end)",
        "redis.register_function('types', function(k, a) return {1, 2.5, 'x', true, false, nil, {ok='s'}, #k, " +
            "#a} end)",
        "redis.register_function('pc', function() return {pcall(error, 'e'), redis.pcall('nosuch')} end)");

    private static String[] r(final String... args)
    {
        return args;
    }

    private static final String[][][] SCENARIOS = {
        // LOAD, LIST, FCALL: the seed's library
        {r("FUNCTION", "LOAD", MYLIB), r("FUNCTION", "LIST"), r("FUNCTION", "LIST", "WITHCODE"),
            r("FCALL", "myfunc", "0", "hello"), r("FCALL", "myfunc", "1", "k", "hello"), r("FCALL_RO", "myfunc", "0",
            "a"), r("FUNCTION", "LOAD", MYLIB), r("FUNCTION", "LOAD", "REPLACE", MYLIB), r("FUNCTION", "LOAD",
            "replace", "REPLACE", MYLIB), r("FUNCTION", "STATS"), r("FUNCTION", "DELETE", "mylib"),
            r("FUNCTION", "DELETE", "mylib"), r("FCALL", "myfunc", "0"), r("FUNCTION", "LIST")},
        // FCALL's arguments
        {r("FUNCTION", "LOAD", MYLIB), r("FCALL", "nosuch", "0"), r("FCALL", "myfunc", "-1"), r("FCALL", "myfunc",
            "2", "a"), r("FCALL", "myfunc", "x"), r("FCALL", "myfunc", "1.5"), r("FCALL", "myfunc", "0"),
            r("FCALL", "MYFUNC", "0"), r("FCALL"), r("FCALL", "myfunc"), r("FCALL", "nosuch", "x")},
        // LIST's arguments and filters
        {r("FUNCTION", "LOAD", MYLIB), r("FUNCTION", "LIST", "LIBRARYNAME", "my*"), r("FUNCTION", "LIST",
            "libraryname", "MY?IB", "withcode"), r("FUNCTION", "LIST", "LIBRARYNAME", "x*"), r("FUNCTION", "LIST",
            "LIBRARYNAME"), r("FUNCTION", "LIST", "WITHCODE", "WITHCODE"), r("FUNCTION", "LIST", "foo"),
            r("FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b"), r("FUNCTION", "LIST", "libraryname",
            "[m]ylib")},
        // flags, descriptions, FCALL_RO
        {r("FUNCTION", "LOAD", FLAGGED), r("FUNCTION", "LOAD", lib("one", "redis.register_function{function_name=" +
            "'one', callback=function() return 1 end, flags={'allow-cross-slot-keys', 'no-writes', 'ALLOW-OOM', " +
            "'allow-stale', 'no-cluster'}, description='all of them'}")), r("FUNCTION", "LIST", "LIBRARYNAME", "one",
            "WITHCODE"), r("FCALL", "w", "1", "k", "v"),
            r("FCALL_RO", "w", "1", "k", "v"), r("FCALL_RO", "ro", "1", "k"), r("FCALL", "ro", "1", "k"),
            r("FCALL", "rw", "1", "k"), r("FCALL_RO", "rw", "1", "k"), r("FCALL", "all", "0"), r("GET", "k")},
        // errors raised by functions, and what scripts see
        {r("FUNCTION", "LOAD", ERRORS), r("FCALL", "unknown", "0"), r("FCALL", "boom", "0"), r("FCALL", "reply", "0"),
            r("FCALL", "status", "0"), r("FCALL", "setg", "0"), r("FCALL", "getg", "0"), r("FCALL", "keysg", "0"),
            r("FCALL", "again", "0"), r("FCALL", "version", "0"), r("FCALL", "noscript", "0"), r("FCALL", "nested",
            "0"), r("FCALL", "types", "2", "a", "b", "c"), r("FCALL", "pc", "0")},
        // the library header
        {r("FUNCTION", "LOAD", "x"), r("FUNCTION", "LOAD", "#!lua"), r("FUNCTION", "LOAD", "#!lua\nreturn 1"),
            r("FUNCTION", "LOAD", "#!lua name=a name=b\n"), r("FUNCTION", "LOAD", "#!lua foo=a\n"),
            r("FUNCTION", "LOAD", "#!luax name=a\n"), r("FUNCTION", "LOAD", "#!lua name=a-b\n"), r("FUNCTION", "LOAD",
            "#!lua name=\n"), r("FUNCTION", "LOAD", "#!lua name=\"ab\n"), r("FUNCTION", "LOAD", "replace"),
            r("FUNCTION", "LOAD", "foo", "#!lua name=z\n"), r("FUNCTION", "LOAD"), r("FUNCTION", "LOAD", "#!LUA " +
            "NAME=up\nredis.register_function('up', function() return 1 end)"), r("FUNCTION", "LIST")},
        // register_function's arguments
        {r("FUNCTION", "LOAD", lib("t1", "redis.register_function('a-b', function() return 1 end)")),
            r("FUNCTION", "LOAD", lib("t2", "redis.register_function('a', function() end)",
                "redis.register_function('a', function() end)")),
            r("FUNCTION", "LOAD", lib("t3", "redis.register_function('a')")),
            r("FUNCTION", "LOAD", lib("t4", "redis.register_function()")),
            r("FUNCTION", "LOAD", lib("t5", "redis.register_function('a', function() end, 3)")),
            r("FUNCTION", "LOAD", lib("t6", "redis.register_function(1, function() return 1 end)")),
            r("FUNCTION", "LOAD", lib("t7", "redis.register_function({}, function() end)")),
            r("FUNCTION", "LOAD", lib("t8", "redis.register_function('x', 2)")),
            r("FUNCTION", "LOAD", lib("t9", "redis.register_function{function_name='a', callback=function() end, " +
                "flags={'bad'}}")),
            r("FUNCTION", "LOAD", lib("t10", "redis.register_function{function_name='a', callback=function() end, " +
                "flags='no-writes'}")),
            r("FUNCTION", "LOAD", lib("t11", "redis.register_function{function_name='a', callback=function() end, " +
                "flags={1}}")),
            r("FUNCTION", "LOAD", lib("t12", "redis.register_function{function_name='a', callback=function() end, " +
                "foo=1}")),
            r("FUNCTION", "LOAD", lib("t13", "redis.register_function{callback=function() end}")),
            r("FUNCTION", "LOAD", lib("t14", "redis.register_function{function_name='x'}")),
            r("FUNCTION", "LOAD", lib("t15", "redis.register_function{function_name={}, callback=function() end}")),
            r("FUNCTION", "LOAD", lib("t16", "redis.register_function{function_name='x', callback=1}")),
            r("FUNCTION", "LOAD", lib("t17", "redis.register_function{function_name='x', callback=function() end, " +
                "description={}}")),
            r("FUNCTION", "LOAD", lib("t18", "redis.register_function{function_name='d', callback=function() end, " +
                "description=1}")),
            r("FUNCTION", "LIST", "LIBRARYNAME", "t6", "WITHCODE"), r("FUNCTION", "LIST", "LIBRARYNAME", "t18"),
            r("FCALL", "1", "0"), r("FUNCTION", "STATS")},
        // the load environment
        {r("FUNCTION", "LOAD", lib("e", "return 1")),
            r("FUNCTION", "LOAD", lib("e", "x = 1", "redis.register_function('q', function() end)")),
            r("FUNCTION", "LOAD", lib("e", "local s = string.format('%d', 1)",
                "redis.register_function('q', function() end)")),
            r("FUNCTION", "LOAD", lib("e", "redis.register_function('q', function() end)", "redis.call('ping')")),
            r("FUNCTION", "LOAD", lib("e", "redis.setresp(3)")),
            r("FUNCTION", "LOAD", lib("e", "local x = (")),
            r("FUNCTION", "LOAD", lib("e", "error('boom')")),
            r("FUNCTION", "LOAD", lib("e", "error({err='MY own'})")),
            r("FUNCTION", "LOAD", lib("e", "redis.register_function = nil")),
            r("FUNCTION", "LOAD", lib("loop", "redis.register_function('q', function() end)", "while true do end")),
            r("FUNCTION", "LOAD", lib("loop", "pcall(function() while true do end end)",
                "redis.register_function('q', function() end)")),
            r("FUNCTION", "LOAD", lib("e", "local v = redis.REDIS_VERSION",
                "redis.log(redis.LOG_NOTICE, 'loading e')",
                "redis.register_function('v', function() return {v, redis.LOG_WARNING} end)")),
            r("FCALL", "v", "0"),
            r("FUNCTION", "LOAD", lib("big", "redis.register_function('big', function(keys, args) " +
                "return string.rep('x', 100) .. #keys .. #args end)")),
            r("FCALL", "big", "1", "a", "b", "c")},
        // FLUSH, STATS, HELP, KILL, container errors
        {r("FUNCTION", "LOAD", MYLIB), r("FUNCTION", "FLUSH", "foo"), r("FUNCTION", "FLUSH", "async", "sync"),
            r("FUNCTION", "FLUSH", "ASYNC"), r("FUNCTION", "LIST"), r("FUNCTION", "LOAD", MYLIB),
            r("FUNCTION", "FLUSH", "sync"), r("FUNCTION", "STATS"), r("FUNCTION", "STATS", "x"),
            r("FUNCTION", "HELP"), r("FUNCTION", "KILL"), r("FUNCTION"), r("FUNCTION", "NOSUCH"),
            r("FUNCTION", "DUMP", "x"), r("FUNCTION", "DELETE"), r("FUNCTION", "RESTORE"),
            r("FUNCTION", "RESTORE", "xx"), r("FUNCTION", "RESTORE", "xx", "foo"), r("FUNCTION", "RESTORE", "xx",
            "flush", "extra"), r("FUNCTION", "DUMP")},
        // functions inside MULTI
        {r("FUNCTION", "LOAD", FLAGGED), r("MULTI"), r("FCALL", "w", "1", "k", "1"), r("FCALL", "ro", "1", "k"),
            r("FUNCTION", "DELETE", "flagged"), r("FCALL", "ro", "1", "k"), r("EXEC")},
    };

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void everyScenarioAnswersAsRedis(final int protocol) throws IOException
    {
        final List<String> differences = new ArrayList<>();
        for (final String[][] scenario : SCENARIOS)
        {
            final List<String> theirs = transcript(redis.port(), protocol, scenario);
            final List<String> ours = transcript(ringkv.port(), protocol, scenario);
            for (int i = 0; i < theirs.size(); i++)
            {
                if (!theirs.get(i).equals(ours.get(i)))
                {
                    differences.add("redis:  " + theirs.get(i) + "\nringkv: " + ours.get(i));
                }
            }
        }
        assertEquals(List.of(), differences, String.join("\n\n", differences));
    }

    @Test
    void eachServerRestoresTheOthersDump() throws IOException
    {
        for (final int[] ports : new int[][]{{redis.port(), ringkv.port()}, {ringkv.port(), redis.port()}})
        {
            try (RawRespClient from = new RawRespClient(ports[0]);
                RawRespClient to = new RawRespClient(ports[1]))
            {
                from.call("FUNCTION", "FLUSH");
                to.call("FUNCTION", "FLUSH");
                assertEquals("$5\r\nmylib\r\n", from.call("FUNCTION", "LOAD", MYLIB));
                assertEquals("$7\r\nflagged\r\n", from.call("FUNCTION", "LOAD", FLAGGED));
                final String dump = from.call("FUNCTION", "DUMP");
                final String payload = dump.substring(dump.indexOf("\r\n") + 2, dump.length() - 2);
                assertEquals("+OK\r\n", to.call("FUNCTION", "RESTORE", payload));
                assertEquals(from.call("FUNCTION", "LIST", "LIBRARYNAME", "mylib", "WITHCODE"),
                    to.call("FUNCTION", "LIST", "LIBRARYNAME", "mylib", "WITHCODE"));
                // (Redis lists a library's functions in its hash table's order: compared by content)
                final String flagged = to.call("FUNCTION", "LIST", "LIBRARYNAME", "flagged", "WITHCODE");
                org.junit.jupiter.api.Assertions.assertTrue(flagged.contains("$9\r\nfunctions\r\n*4\r\n") &&
                    flagged.contains(FLAGGED) && flagged.contains("$11\r\nreads a key\r\n"), flagged);
                assertEquals("$5\r\nhello\r\n", to.call("FCALL", "myfunc", "0", "hello"));
                // APPEND (the default) refuses a library that is there, with Redis's text; nothing changes
                // (which of the two Redis names depends on its hash table's order; ringkv names the first by name)
                final String collision = "-ERR Library (flagged|mylib) already exists\r\n";
                org.junit.jupiter.api.Assertions.assertTrue(to.call("FUNCTION", "RESTORE", payload).matches(collision));
                org.junit.jupiter.api.Assertions.assertTrue(
                    to.call("FUNCTION", "RESTORE", payload, "APPEND").matches(collision));
                assertEquals("+OK\r\n", to.call("FUNCTION", "RESTORE", payload, "REPLACE"));
                assertEquals("+OK\r\n", to.call("FUNCTION", "DELETE", "mylib"));
                assertEquals("+OK\r\n", to.call("FUNCTION", "RESTORE", payload, "FLUSH"));
                assertEquals(from.call("FUNCTION", "STATS"), to.call("FUNCTION", "STATS"));
                // a corrupt payload changes nothing
                final String corrupt = payload.substring(0, 5) + (char)(payload.charAt(5) ^ 1) + payload.substring(6);
                assertEquals("-ERR DUMP payload version or checksum are wrong\r\n",
                    to.call("FUNCTION", "RESTORE", corrupt, "FLUSH"));
                assertEquals(from.call("FUNCTION", "STATS"), to.call("FUNCTION", "STATS"));
            }
        }
    }

    @Test
    void theSeedsExampleRunsAsItsTranscriptShows() throws IOException
    {
        // 002-valkey-function-dump.txt, with ringkv's own DUMP payload (the printed one no longer matches its CRC).
        try (RawRespClient client = new RawRespClient(ringkv.port()))
        {
            client.call("FUNCTION", "FLUSH");
            final String seed = "#!lua name=mylib \n server.register_function('myfunc', function(keys, args) " +
                "return args[1] end)";
            assertEquals("$5\r\nmylib\r\n", client.call("FUNCTION", "LOAD", seed));
            final String dump = client.call("FUNCTION", "DUMP");
            final String payload = dump.substring(dump.indexOf("\r\n") + 2, dump.length() - 2);
            assertEquals("+OK\r\n", client.call("FUNCTION", "FLUSH"));
            assertEquals("+OK\r\n", client.call("FUNCTION", "RESTORE", payload));
            assertEquals("*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n" +
                "$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$6\r\nmyfunc\r\n$11\r\ndescription\r\n$-1\r\n" +
                "$5\r\nflags\r\n*0\r\n", client.call("FUNCTION", "LIST"));
            assertEquals("$5\r\nhello\r\n", client.call("FCALL", "myfunc", "0", "hello"));
        }
    }

    private static List<String> transcript(final int port, final int protocol, final String[][] scenario)
        throws IOException
    {
        final List<String> replies = new ArrayList<>();
        try (RawRespClient client = new RawRespClient(port))
        {
            client.call("FUNCTION", "FLUSH");
            client.call("FLUSHALL");
            client.call("HELLO", Integer.toString(protocol));
            for (final String[] request : scenario)
            {
                replies.add(String.join(" ", request) + " -> " + client.call(request));
            }
        }
        return replies;
    }
}
