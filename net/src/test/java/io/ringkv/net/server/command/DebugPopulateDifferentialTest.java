package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DEBUG POPULATE against redis-server 7.0.15: the same replies (errors included) and, after each step, the same keys,
 * values (a size pads with zero bytes or cuts "value:N"), encodings and DEBUG DIGEST; an existing key is kept.
 */
class DebugPopulateDifferentialTest
{
    private static final String[][] STEPS = {
        {"DEBUG", "POPULATE", "-1"},
        {"DEBUG", "POPULATE", "abc"},
        {"DEBUG", "POPULATE", "2", "p", "-1"},
        {"DEBUG", "POPULATE", "1", "2", "3", "4"},
        {"DEBUG", "POPULATE", "0"},
        {"SET", "key:3", "mine"},
        {"DEBUG", "POPULATE", "100"},
        {"DEBUG", "POPULATE", "10", "pre", "3"},
        {"DEBUG", "POPULATE", "10", "pad", "12"},
        {"DEBUG", "POPULATE", "3", ""},
        {"DEBUG", "POPULATE", "2", "x".repeat(200)},
        {"DEBUG", "POPULATE", "100", "key"},
    };

    @Test
    void populateMakesTheKeysRedisMakes() throws Exception
    {
        try (TestServer ringkv = TestServer.start();
            RedisServerProcess redis = RedisServerProcess.start("--enable-debug-command", "yes");
            RawRespClient ours = new RawRespClient(ringkv.port());
            RawRespClient theirs = new RawRespClient(redis.port()))
        {
            compare(ours, theirs);
        }
    }

    private static void compare(final RawRespClient ours, final RawRespClient theirs) throws IOException
    {
        for (final String[] step : STEPS)
        {
            final String what = String.join(" ", step);
            assertEquals(theirs.call(step), ours.call(step), what);
            assertEquals(theirs.call("DBSIZE"), ours.call("DBSIZE"), what);
            assertEquals(theirs.call("DEBUG", "DIGEST"), ours.call("DEBUG", "DIGEST"), what);
        }
        final TreeSet<String> keys = new TreeSet<>(java.util.List.of(theirs.call("KEYS", "*").split("\r\n")));
        for (final String line : keys)
        {
            if (line.startsWith("*") || line.startsWith("$"))
            {
                continue;
            }
            assertEquals(theirs.call("GET", line), ours.call("GET", line), line);
            assertEquals(theirs.call("OBJECT", "ENCODING", line).replace("embstr", "raw"),
                ours.call("OBJECT", "ENCODING", line).replace("embstr", "raw"), line);
        }
    }
}
