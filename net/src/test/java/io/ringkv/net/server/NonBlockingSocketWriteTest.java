package io.ringkv.net.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's socket write: on a blocking-mode channel whose virtual thread is blocked in {@code read}, it takes
 * what the socket takes and returns when the socket is full instead of blocking, and fails once the output is shut
 * down.
 */
class NonBlockingSocketWriteTest
{
    @Test
    void writesWhatTheSocketTakesWithoutBlockingBesideABlockedReader() throws Exception
    {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = smallReceiveBuffer(SocketChannel.open()))
        {
            client.connect(listener.getLocalAddress());
            final SocketChannel accepted = listener.accept();
            accepted.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
            // The connection's virtual thread blocks in read, as a server connection does between requests.
            final Thread reader = Thread.ofVirtual().start(() -> readQuietly(accepted));
            Thread.sleep(50);

            final byte[] pattern = new byte[1 << 20];
            for (int i = 0; i < pattern.length; i++)
            {
                pattern[i] = (byte)(i * 31 + (i >>> 9));
            }
            final ByteBuffer source = ByteBuffer.allocateDirect(pattern.length).put(pattern).flip();
            final var fd = NonBlockingSocketWrite.descriptor(accepted);
            int calls = 0;
            boolean all = false;
            final ByteBuffer received = ByteBuffer.allocate(pattern.length);
            while (!all)
            {
                // The client reads nothing during the first calls: the socket fills and the write must return.
                final boolean[] result = new boolean[1];
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> result[0] = NonBlockingSocketWrite.write(fd, source));
                all = result[0];
                calls++;
                if (!all)
                {
                    assertTrue(source.position() < pattern.length);
                    client.read(received); // make room, then write the rest
                }
            }
            assertTrue(calls > 1, "1 MB does not fit the loopback socket's buffers at once");
            while (received.hasRemaining())
            {
                client.read(received);
            }
            assertArrayEquals(pattern, received.array(), "every byte arrives, once, in order");

            accepted.shutdownOutput();
            final ByteBuffer more = ByteBuffer.allocateDirect(16).put(new byte[16]).flip();
            assertThrows(IOException.class, () -> NonBlockingSocketWrite.write(fd, more));
            assertFalse(more.position() == 16);
            accepted.shutdownInput();
            reader.join(5_000);
            assertEquals(Thread.State.TERMINATED, reader.getState());
            accepted.close();
        }
    }

    private static SocketChannel smallReceiveBuffer(final SocketChannel channel) throws IOException
    {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 8192);
        return channel;
    }

    private static void readQuietly(final SocketChannel channel)
    {
        try
        {
            channel.read(ByteBuffer.allocate(1));
        }
        catch (final IOException ignore)
        {
            // The test shuts the input down.
        }
    }
}
