package io.ringkv.net.resp;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.codec.ParseLoop;
import io.ringkv.net.codec.ReplyBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends the same malformed input to a real redis-server (Debian's, over a private unix socket, never a TCP port)
 * and to {@link RespParser}, and checks both close the connection with the same error text.
 */
class RespParserRedisParityTest
{
    private static final String PASSWORD = "pw";
    private static RedisServerProcess redis;

    @BeforeAll
    static void startRedis() throws Exception
    {
        redis = RedisServerProcess.startOnUnixSocket("--requirepass", PASSWORD);
    }

    @AfterAll
    static void stopRedis()
    {
        if (redis != null)
        {
            redis.close();
        }
    }

    @Test
    void malformedMultibulkAsRedis() throws Exception
    {
        assertSameError(true, "*abc\r\n");
        assertSameError(true, "*+1\r\n");
        assertSameError(true, "*01\r\n");
        assertSameError(true, "*\r\n");
        assertSameError(true, "*3000000000\r\n");
        assertSameError(true, "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n");
        assertSameError(true, "*1\r\n:1\r\n");
        assertSameError(true, "*1\r\n$-1\r\n");
        assertSameError(true, "*1\r\n$+4\r\nPING\r\n");
        assertSameError(true, "*1\r\n$-0\r\n\r\n");
        assertSameError(true, "*1\r\n$abc\r\n");
        assertSameError(true, "*1\r\n$\r\n");
        assertSameError(true, "*1\r\n$536870913\r\n");
        assertSameError(true, "*1\r\n$99999999999999999999999\r\n");
        assertSameError(true, "*1" + "1".repeat(70_000));
        assertSameError(true, "*1\r\n$1" + "1".repeat(70_000));
    }

    @Test
    void malformedInlineAsRedis() throws Exception
    {
        assertSameError(true, "GET " + "k".repeat(70_000));
        assertSameError(true, "ECHO \"abc\r\n");
        assertSameError(true, "ECHO 'abc\r\n");
        assertSameError(true, "ECHO \"a\"b\r\n");
        assertSameError(true, "ECHO 'a'b\r\n");
    }

    @Test
    void unauthenticatedLimitsAsRedis() throws Exception
    {
        assertSameError(false, "*11\r\n");
        assertSameError(false, "*1\r\n$16385\r\n");
    }

    private static void assertSameError(final boolean authenticated, final String input) throws Exception
    {
        final String label = input.length() > 60 ? input.substring(0, 60) + "..." : input;
        final String redisError = redisError(authenticated, input);

        final ClientSession session = new ClientSession(1, authenticated);
        final ParseLoop loop = new ParseLoop(new RespParser(), 1024, 1 << 30, authenticated,
            new RespReply(session, new ReplyBuffer(64)));
        loop.feed(input);
        assertTrue(loop.closed, label);
        assertEquals(redisError, loop.closeReason, label);
    }

    /**
     * @return the error line Redis closes the connection with, without its '-' and CRLF.
     */
    private static String redisError(final boolean authenticated, final String input) throws IOException
    {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(redis.unixSocket()));
            final String prefix = authenticated ? "AUTH " + PASSWORD + "\r\n" : "";
            channel.write(ByteBuffer.wrap((prefix + input).getBytes(StandardCharsets.ISO_8859_1)));
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            final ByteBuffer buffer = ByteBuffer.allocate(4096);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (channel.read(buffer.clear()) >= 0)
            {
                received.write(buffer.array(), 0, buffer.position());
                assertTrue(System.nanoTime() < deadline, "redis did not close the connection");
            }
            final String text = received.toString(StandardCharsets.ISO_8859_1);
            final String expectedStart = authenticated ? "+OK\r\n-" : "-";
            assertTrue(text.startsWith(expectedStart) && text.endsWith("\r\n"), "redis replied " + text);
            return text.substring(expectedStart.length(), text.length() - 2);
        }
    }
}
