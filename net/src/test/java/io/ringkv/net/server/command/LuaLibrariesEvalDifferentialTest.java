package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library cases of core's {@code lua-library-cases.txt} sent as EVAL scripts, unwrapped, to ringkv and to a real
 * redis-server 7.0.15: the replies (values converted to RESP, error replies with their script and line) must be the
 * same bytes. Core's differential test compares the libraries alone; this one checks them installed in the script
 * environment, read-only tables and error handler included.
 */
class LuaLibrariesEvalDifferentialTest
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

    @Test
    void everyLibraryCaseRepliesAsRedisDoes() throws IOException
    {
        final List<String> cases = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/lua-library-cases.txt"))
        {
            for (final String line : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).split("\n"))
            {
                if (!line.isBlank() && !line.startsWith("#"))
                {
                    cases.add(line);
                }
            }
        }
        assertTrue(cases.size() > 200, "the case file was read");
        final List<String> mismatches = new ArrayList<>();
        try (RawRespClient ours = new RawRespClient(ringkvServer.port());
             RawRespClient theirs = new RawRespClient(redisProcess.port()))
        {
            for (final String body : cases)
            {
                final String expected = theirs.call("EVAL", body, "0");
                final String actual = ours.call("EVAL", body, "0");
                if (!expected.equals(actual))
                {
                    mismatches.add(body + "\n    redis:  " + shorten(expected) + "\n    ringkv: " + shorten(actual));
                }
            }
            assertEquals(theirs.call("PING"), ours.call("PING"));
        }
        assertEquals("", String.join("\n", mismatches), mismatches.size() + " of " + cases.size() + " cases differ");
    }

    @Test
    void librariesAreReadOnlyAsInRedis() throws IOException
    {
        RawRespClient.assertSameReplies(ringkvServer.port(), redisProcess.port(), new String[][]{
            {"EVAL", "cjson.encode = nil return 1", "0"},
            {"EVAL", "bit.x = 1 return 1", "0"},
            {"EVAL", "struct = nil return 1", "0"},
            {"EVAL", "return cjson.encode({redis.call('ping')})", "0"},
            {"EVAL", "return cmsgpack.unpack(cmsgpack.pack(KEYS, ARGV))", "2", "k1", "k2", "a\u00ff\u0000b"},
            {"EVAL", "return cmsgpack.pack(ARGV[1])", "0", "\u0000\u0001\u00ff"},
            {"EVAL", "local t = cjson.decode(ARGV[1]) return {t.a, t.b[2]}", "0", "{\"a\":\"x\",\"b\":[1,2]}"},
        });
    }

    private static String shorten(final String text)
    {
        return text.length() > 400 ?
            text.substring(0, 200) + "...(" + text.length() + ")..." + text.substring(text.length() - 200) : text;
    }
}
