package io.ringkv.net.server;

import io.ringkv.core.testing.RedisServerProcess;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed RESP over real sockets, sent byte for byte to ringkv and to a real redis-server 7: the same error text,
 * a close exactly where Redis closes, nothing written to the data, and the server goes on serving. The few inputs
 * where ringkv is deliberately stricter than Redis are asserted on their own.
 */
class MalformedRespEndToEndTest
{
    private static final int QUIET_MS = 300;
    private static final String GUARD_VALUE = "unchanged";

    @AutoClose
    private static TestServer ringkv;
    @AutoClose
    private static RedisServerProcess redis;

    @BeforeAll
    static void start() throws Exception
    {
        ringkv = TestServer.start();
        redis = RedisServerProcess.start();
        for (final int port : new int[]{ ringkv.port(), redis.port() })
        {
            try (RawConnection client = new RawConnection(port))
            {
                client.send("SET guard " + GUARD_VALUE + "\r\n");
                assertEquals("+OK", client.readLine());
            }
        }
    }

    @Test
    void malformedMultibulkGetsRedisErrorAndClose() throws Exception
    {
        assertLikeRedis("*x\r\n", true);
        assertLikeRedis("*+1\r\n$4\r\nPING\r\n", true);
        assertLikeRedis("*99999999999999999999\r\n", true);
        assertLikeRedis("*2147483648\r\n", true);
        assertLikeRedis("*\r\nPING\r\n", true);
        assertLikeRedis("*01\r\n$4\r\nPING\r\n", true);
        assertLikeRedis("* 1\r\n$4\r\nPING\r\n", true);
        assertLikeRedis("*-0\r\n", true);
        assertLikeRedis("*1\n$4\r\nPING\r\n", true);
        assertLikeRedis("*1" + "1".repeat(70_000), true);
    }

    @Test
    void malformedBulkGetsRedisErrorAndClose() throws Exception
    {
        assertLikeRedis("*1\r\n$-1\r\n", true);
        assertLikeRedis("*1\r\n$abc\r\n", true);
        assertLikeRedis("*1\r\n$04\r\nPING\r\n", true);
        assertLikeRedis("*1\r\n$99999999999999999999\r\n", true);
        assertLikeRedis("*1\r\n$536870913\r\n", true);
        assertLikeRedis("*1\r\n+PING\r\n", true);
        assertLikeRedis("*2\r\n$4\r\nPING\r\nx\r\n", true);
        assertLikeRedis("*3\r\n$3\r\nSET\r\n$5\r\nguard\r\n:1\r\n", true);
        assertLikeRedis("*1\r\n$1" + "1".repeat(70_000), true);
    }

    @Test
    void malformedInlineGetsRedisErrorAndClose() throws Exception
    {
        assertLikeRedis("SET guard \"x\r\n", true);
        assertLikeRedis("SET guard 'x\r\n", true);
        assertLikeRedis("SET \"guard\"x y\r\n", true);
        assertLikeRedis("SET guard " + "A".repeat(70_000), true);
    }

    @Test
    void pipelinedRequestsBeforeAnErrorAreAnsweredFirst() throws Exception
    {
        assertLikeRedis("PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$-5\r\nGET guard\r\n", true);
    }

    @Test
    void incompleteOrEmptyInputStaysOpenWithoutReply() throws Exception
    {
        assertLikeRedis("*-1\r\nPING\r\n", false);
        assertLikeRedis("*0\r\nPING\r\n", false);
        assertLikeRedis("*2147483647\r\n", false);
        assertLikeRedis("*3\r\n$3\r\nSET\r\n$5\r\nguard\r\n$1", false);
        assertLikeRedis("*3\r\n$3\r\nSET\r\n$5\r\nguard\r\n$3\r\nab", false);
        assertLikeRedis("\r\n\r\n \r\nPING\n", false);
    }

    @Test
    void binaryGarbageIsAnInlineRequestLikeAnyOther() throws Exception
    {
        final byte[] ascending = new byte[256];
        final byte[] descending = new byte[256];
        for (int i = 0; i < 256; i++)
        {
            ascending[i] = (byte)i;
            descending[i] = (byte)(255 - i);
        }
        // Starts with NUL: an empty line, then the rest waits for its newline.
        assertLikeRedis(new String(ascending, StandardCharsets.ISO_8859_1), false);
        // Its quote characters end up unbalanced.
        assertLikeRedis(new String(descending, StandardCharsets.ISO_8859_1), true);
    }

    @Test
    void bulkHeaderAnnouncing512MegabytesCostsNothingUntilTheBytesArrive() throws Exception
    {
        final long directBefore = directMemoryUsed();
        try (RawConnection client = new RawConnection(ringkv.port()))
        {
            client.send("*3\r\n$3\r\nSET\r\n$5\r\nguard\r\n$536870912\r\n");
            final RawConnection.Received received = client.readUntilClosedOrQuiet(QUIET_MS);
            assertEquals(0, received.bytes().length, received.toString());
            assertFalse(received.closed());
            assertTrue(directMemoryUsed() - directBefore < 8 * 1024 * 1024,
                "direct memory grew by " + (directMemoryUsed() - directBefore));
            assertDataUnchanged();
        }
        assertDataUnchanged();
    }

    @Test
    void truncatedRequestsFollowedByCloseLeaveNothingBehind() throws Exception
    {
        final String[] truncated = {
            "*3\r\n$3\r\nSET\r\n$5\r\nguard\r\n$3\r\nab",
            "*3\r\n$3\r\nSET\r\n$5\r\nguard\r\n",
            "*3\r\n$3\r\nSET\r\n$5\r\ngu",
            "*3\r\n$3",
            "SET guard x",
            "PING\r\n*3\r\n$3\r\nSET\r\n$5\r\nguard\r\n$3\r\nab",
        };
        for (final String input : truncated)
        {
            try (RawConnection client = new RawConnection(ringkv.port()))
            {
                client.send(input);
            }
        }
        awaitNoClients();
        assertDataUnchanged();
    }

    /**
     * Redis skips whatever two bytes follow a bulk's data and whatever byte follows a header's CR; ringkv requires
     * CR LF and closes with an error, so a client that miscounts a length cannot store a truncated value.
     */
    @Test
    void strictCrLfRejectsWhatRedisSilentlyMisreads() throws Exception
    {
        final String miscounted = "*3\r\n$3\r\nSET\r\n$5\r\nguard\r\n$2\r\nabc\r\n";
        assertEquals(new RawConnection.Received(
            "-ERR Protocol error: expected CRLF after bulk data\r\n".getBytes(StandardCharsets.US_ASCII), true),
            exchange(ringkv.port(), miscounted));
        assertDataUnchanged();
        assertEquals(new RawConnection.Received(
            "-ERR Protocol error: invalid multibulk length\r\n".getBytes(StandardCharsets.US_ASCII), true),
            exchange(ringkv.port(), "*1\rx$4\r\nPING\r\n"));
        assertEquals(new RawConnection.Received(
            "-ERR Protocol error: invalid bulk length\r\n".getBytes(StandardCharsets.US_ASCII), true),
            exchange(ringkv.port(), "*1\r\n$4\rxPING\r\n"));
        assertDataUnchanged();
    }

    /**
     * An inline line with a NUL byte is split at the NUL, as Redis's argument splitter would; Redis itself looks for
     * the line's end with strchr, never finds it, and stays silent until the 64 KB inline limit.
     */
    @Test
    void inlineNulEndsTheArgumentsWhereRedisNeverFindsTheLineEnd() throws Exception
    {
        final String input = "ECHO a\u0000b\r\n";
        assertEquals(new RawConnection.Received(new byte[0], false), exchange(redis.port(), input));
        assertEquals(new RawConnection.Received("$1\r\na\r\n".getBytes(StandardCharsets.US_ASCII), false),
            exchange(ringkv.port(), input));
        assertDataUnchanged();
    }

    private static void assertLikeRedis(final String input, final boolean redisCloses) throws Exception
    {
        final String label = input.length() > 60 ? input.substring(0, 60) + "..." : input;
        final RawConnection.Received expected = exchange(redis.port(), input);
        assertEquals(redisCloses, expected.closed(), "redis: " + expected + " for " + label);
        final RawConnection.Received actual = exchange(ringkv.port(), input);
        assertEquals(expected, actual, label);
        assertDataUnchanged();
    }

    private static RawConnection.Received exchange(final int port, final String input) throws IOException
    {
        try (RawConnection client = new RawConnection(port))
        {
            client.send(input);
            return client.readUntilClosedOrQuiet(QUIET_MS);
        }
    }

    private static void assertDataUnchanged() throws IOException
    {
        try (RawConnection client = new RawConnection(ringkv.port()))
        {
            client.send("DBSIZE\r\nGET guard\r\n");
            assertEquals(":1", client.readLine());
            assertEquals("$" + GUARD_VALUE.length(), client.readLine());
            assertEquals(GUARD_VALUE, client.readLine());
        }
    }

    static void awaitNoClients() throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (ringkv.server().registry().size() > 0)
        {
            assertTrue(System.nanoTime() < deadlineNs, "connections left: " + ringkv.server().registry().size());
            Thread.sleep(10);
        }
    }

    static long directMemoryUsed()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }
}
