package io.ringkv.net.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A plain TCP client for end-to-end tests that need exact bytes: malformed input, pipelines written in one go,
 * clients that read late or never. Every read is bounded in time, so a hung server fails the test instead of
 * hanging it. Not threadsafe.
 */
final class RawConnection implements AutoCloseable
{
    /** What arrived before the peer closed or went quiet. */
    record Received(byte[] bytes, boolean closed)
    {
        String text()
        {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Received that && closed == that.closed && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bytes) * 31 + (closed ? 1 : 0);
        }

        @Override
        public String toString()
        {
            final String text = text();
            return (text.length() > 200 ? text.substring(0, 200) + "..." : text).replace("\r\n", "\\r\\n") +
                (closed ? " [closed]" : " [open]");
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(final int port) throws IOException
    {
        this(port, null);
    }

    /**
     * @param from the local address to connect from (e.g. another loopback address), or null for any.
     */
    RawConnection(final int port, final InetAddress from) throws IOException
    {
        socket = new Socket(InetAddress.getByName("127.0.0.1"), port, from, 0);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawConnection send(final String text) throws IOException
    {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawConnection send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
        return this;
    }

    /**
     * @return exactly {@code length} bytes; fails when the peer closes first or is silent for 10 s.
     */
    byte[] readExactly(final int length) throws IOException
    {
        final byte[] bytes = in.readNBytes(length);
        if (bytes.length != length)
        {
            throw new IOException("closed after " + bytes.length + " of " + length + " bytes: " +
                new String(bytes, StandardCharsets.ISO_8859_1));
        }
        return bytes;
    }

    String readExactly(final String expectedShape) throws IOException
    {
        return new String(readExactly(expectedShape.length()), StandardCharsets.ISO_8859_1);
    }

    /**
     * @return one line without its LF (and CR), as ISO-8859-1 text.
     */
    String readLine() throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n')
        {
            if (b < 0)
            {
                throw new IOException("closed in the middle of a line: " + line);
            }
            line.write(b);
        }
        final String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    /**
     * Read until the peer closes, or until nothing arrived for {@code quietMs} (the connection is then open).
     */
    Received readUntilClosedOrQuiet(final int quietMs) throws IOException
    {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final byte[] chunk = new byte[64 * 1024];
        socket.setSoTimeout(quietMs);
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        try
        {
            while (System.nanoTime() < deadlineNs)
            {
                final int read;
                try
                {
                    read = in.read(chunk);
                }
                catch (final SocketTimeoutException quiet)
                {
                    return new Received(received.toByteArray(), false);
                }
                catch (final SocketException reset)
                {
                    return new Received(received.toByteArray(), true);
                }
                if (read < 0)
                {
                    return new Received(received.toByteArray(), true);
                }
                received.write(chunk, 0, read);
            }
            throw new IOException("peer kept sending for 10 s");
        }
        finally
        {
            socket.setSoTimeout(10_000);
        }
    }

    /**
     * @return true when the peer closes within {@code timeoutMs} (bytes before the close are discarded).
     */
    boolean closesWithin(final int timeoutMs) throws IOException
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() < deadlineNs)
        {
            if (readUntilClosedOrQuiet(100).closed())
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
