package io.ringkv.net.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine writes replies to the sockets itself, with non-blocking writes, while each connection reads on
 * ({@link EngineReplyWriter}). These are the cases where that could go wrong: a client that reads late (the socket
 * takes part of a reply; the rest must follow, in order, before any later reply, without stalling the engine), a
 * kill while a reply is still being written (the descriptor must not be closed under the writer, and must not reach
 * the next client), a command that closes its own connection, and requests split across reads while a batch is in
 * flight (the read buffer must not move under it).
 */
class EngineRepliesEndToEndTest
{
    /** Far more than the loopback socket buffers hold, so the engine's write comes back short. */
    private static final int BIG = 8 << 20;

    @Test
    void aSlowReadersRepliesArriveWholeAndInOrderWhileOthersAreServed() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawConnection slow = new RawConnection(server.port());
            RawConnection other = new RawConnection(server.port()))
        {
            final byte[] value = setBigValue(slow);
            slow.send("GET big\r\n");
            Thread.sleep(200); // the engine wrote what the socket took; the rest waits for this client
            slow.send("PING\r\n"); // read by the connection while the reply is pending; answered after it
            for (int i = 0; i < 20; i++)
            {
                other.send("INCR n\r\n");
                assertEquals(":" + (i + 1), other.readLine(), "another client is served while one reads nothing");
            }
            Thread.sleep(100);

            assertEquals("$" + BIG, slow.readLine());
            assertArrayEquals(value, slow.readExactly(BIG));
            assertEquals("", slow.readLine());
            assertEquals("+PONG", slow.readLine(), "the request read while a reply was pending comes after it");
            slow.send("GET n\r\n");
            assertEquals("$2", slow.readLine());
            assertEquals("20", slow.readLine());
        }
    }

    @Test
    void aKilledConnectionWhoseReplyIsPendingClosesAndItsBytesReachNoOneElse() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawConnection slow = new RawConnection(server.port());
            RawConnection admin = new RawConnection(server.port()))
        {
            setBigValue(slow);
            slow.send("CLIENT ID\r\n");
            final long id = Long.parseLong(slow.readLine().substring(1));
            slow.send("GET big\r\n");
            Thread.sleep(200);

            admin.send("CLIENT KILL ID " + id + "\r\n");
            assertEquals(":1", admin.readLine());
            assertTrue(slow.closesWithin(5_000), "the killed client's connection closes though it read nothing");

            for (int i = 0; i < 10; i++)
            {
                try (RawConnection next = new RawConnection(server.port()))
                {
                    next.send("PING\r\n");
                    final RawConnection.Received received = next.readUntilClosedOrQuiet(200);
                    assertEquals("+PONG\r\n", received.text(), "a new client gets its own reply and nothing else");
                }
            }
            admin.send("PING\r\n");
            assertEquals("+PONG", admin.readLine());
        }
    }

    @Test
    void aClientKillingItselfGetsItsReplyThenTheClose() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawConnection client = new RawConnection(server.port()))
        {
            client.send("CLIENT ID\r\n");
            final long id = Long.parseLong(client.readLine().substring(1));
            client.send("CLIENT KILL ID " + id + " SKIPME no\r\n");
            final RawConnection.Received received = client.readUntilClosedOrQuiet(5_000);
            assertEquals(":1\r\n", received.text());
            assertTrue(received.closed());
        }
    }

    @Test
    void requestsSplitAcrossManySmallWritesAreAnsweredInOrder() throws Exception
    {
        final int count = 2_000;
        final StringBuilder requests = new StringBuilder();
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            final String key = "key:" + i;
            final String value = "value-" + i + "-".repeat(i % 37);
            requests.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n$")
                .append(value.length()).append("\r\n").append(value).append("\r\n");
            requests.append("GET ").append(key).append("\r\n");
            expected.append("+OK\r\n$").append(value.length()).append("\r\n").append(value).append("\r\n");
        }
        final byte[] bytes = requests.toString().getBytes(StandardCharsets.US_ASCII);
        final Random random = new Random(17);
        try (TestServer server = TestServer.start();
            RawConnection client = new RawConnection(server.port()))
        {
            // Read the replies meanwhile, so that neither side's socket buffers fill up.
            final byte[][] replies = new byte[1][];
            final Thread reader = Thread.ofPlatform().start(() ->
            {
                try
                {
                    replies[0] = client.readExactly(expected.length());
                }
                catch (final IOException ex)
                {
                    replies[0] = ex.toString().getBytes(StandardCharsets.US_ASCII);
                }
            });
            int offset = 0;
            while (offset < bytes.length)
            {
                final int length = Math.min(bytes.length - offset, 1 + random.nextInt(64));
                final byte[] chunk = new byte[length];
                System.arraycopy(bytes, offset, chunk, 0, length);
                client.send(chunk);
                offset += length;
                if (random.nextInt(8) == 0)
                {
                    Thread.sleep(0, 200_000);
                }
            }
            reader.join(30_000);
            assertEquals(expected.toString(), new String(replies[0], StandardCharsets.US_ASCII));
        }
    }

    private static byte[] setBigValue(final RawConnection client) throws IOException
    {
        final byte[] value = new byte[BIG];
        new Random(42).nextBytes(value);
        client.send(("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + BIG + "\r\n").getBytes(StandardCharsets.US_ASCII));
        client.send(value);
        client.send("\r\n");
        assertEquals("+OK", client.readLine());
        return value;
    }
}
