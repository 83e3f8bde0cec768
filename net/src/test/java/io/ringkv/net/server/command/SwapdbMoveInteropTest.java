package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SWAPDB and MOVE on a real ringkv against a real redis-server 7.0, byte for byte: replies, errors for hostile
 * arguments, and what each database holds afterwards (TTLs moved along, other connections seeing the swap).
 */
class SwapdbMoveInteropTest
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

    @Test
    void repliesAndEffectsMatchRedis() throws IOException
    {
        final String[][] requests = {
            {"FLUSHALL"}, {"SET", "a", "1"}, {"SET", "b", "2", "PX", "500000"}, {"SELECT", "1"}, {"SET", "a", "other"},
            {"SELECT", "0"},
            {"SWAPDB", "0", "x"}, {"SWAPDB", "x", "0"}, {"SWAPDB", "0", "99"}, {"SWAPDB", "-1", "0"},
            {"SWAPDB", "0", "99999999999"}, {"SWAPDB", "0"}, {"SWAPDB", "0", "0"}, {"DBSIZE"},
            {"MOVE", "a", "0"}, {"MOVE", "a", "x"}, {"MOVE", "a", "99"}, {"MOVE", "a", "-1"}, {"MOVE", "a"},
            {"MOVE", "nokey", "1"}, {"MOVE", "a", "1"}, {"MOVE", "b", "2"}, {"MOVE", "b", "2"}, {"DBSIZE"},
            {"SELECT", "2"}, {"GET", "b"}, {"SELECT", "0"},
            {"SWAPDB", "0", "2"}, {"DBSIZE"}, {"GET", "b"}, {"GET", "a"}, {"SELECT", "2"}, {"GET", "a"},
            {"SELECT", "0"}, {"SWAPDB", "2", "0"}, {"SWAPDB", "1", "3"}, {"SELECT", "3"}, {"GET", "a"},
            {"SELECT", "0"},
        };
        try (RawRespClient ours = new RawRespClient(ringkv.port());
            RawRespClient theirs = new RawRespClient(redis.port());
            RawRespClient oursInDb2 = new RawRespClient(ringkv.port());
            RawRespClient theirsInDb2 = new RawRespClient(redis.port()))
        {
            oursInDb2.call("SELECT", "2");
            theirsInDb2.call("SELECT", "2");
            for (final String[] request : requests)
            {
                assertEquals(theirs.call(request), ours.call(request), String.join(" ", request));
            }
            // A client that selected database 2 sees whatever database 2 holds now.
            assertEquals(theirsInDb2.call("DBSIZE"), oursInDb2.call("DBSIZE"));
            ours.call("SELECT", "2");
            theirs.call("SELECT", "2");
            final String ttl = ours.call("PTTL", "b");
            assertEquals(theirs.call("EXISTS", "b"), ours.call("EXISTS", "b"));
            assertEquals(true, Long.parseLong(ttl.substring(1).strip()) > 400_000, "the TTL moved along: " + ttl);
        }
    }
}
