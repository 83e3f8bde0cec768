package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

/**
 * busy-reply-threshold and its old name lua-time-limit through CONFIG GET / SET, side by side with redis-server.
 */
class BusyReplyThresholdConfigTest
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
    void theOptionAndItsAliasReadAndChangeAsInRedis() throws IOException
    {
        RawRespClient.assertSameReplies(ringkvServer.port(), redisProcess.port(), new String[][]{
            {"CONFIG", "GET", "busy-reply-threshold"},
            {"CONFIG", "GET", "lua-time-limit"},
            {"CONFIG", "SET", "lua-time-limit", "250"},
            {"CONFIG", "GET", "busy-reply-threshold"},
            {"CONFIG", "SET", "busy-reply-threshold", "-1"},
            {"CONFIG", "SET", "busy-reply-threshold", "abc"},
            {"CONFIG", "SET", "busy-reply-threshold", "0"},
            {"CONFIG", "GET", "lua-time-limit"},
            {"EVAL", "return 1", "0"},
            {"CONFIG", "SET", "busy-reply-threshold", "5000"},
            {"SCRIPT", "KILL"},
        });
    }
}
