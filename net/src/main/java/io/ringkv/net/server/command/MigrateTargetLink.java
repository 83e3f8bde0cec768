package io.ringkv.net.server.command;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * A synchronous RESP link to a MIGRATE target (another ringkv or a Redis) in which every step (connect, each
 * write, each reply line) is bounded by a timeout, like Redis's {@code connSyncWrite}/{@code connSyncReadLine}.
 * A non-blocking channel and a selector give the timeouts a blocking socket lacks for connects and writes.
 * <p>
 * Outcomes are return codes, not exceptions. Not threadsafe: MIGRATE opens one per call on the engine thread and
 * closes it before replying.
 */
final class MigrateTargetLink implements AutoCloseable
{
    /** Connected. */
    static final int OK = 0;
    /** The host did not resolve, the port is invalid, or the connect timed out. */
    static final int CONNECT_FAILED = -1;
    /** The target refused the connection (Redis 7.0 learns this on its first write and says so). */
    static final int CONNECT_REFUSED = -2;

    /** Longest reply line kept, as Redis's 1024-byte line buffers. */
    static final int MAX_LINE_LENGTH = 1024;

    private final ByteBuffer input = ByteBuffer.allocate(16 * 1024).flip();
    private final StringBuilder line = new StringBuilder();
    private SocketChannel channel;
    private Selector selector;

    /**
     * @param host      name or address of the target.
     * @param port      text of the target's port.
     * @param timeoutMs for the connect.
     * @return {@link #OK}, {@link #CONNECT_FAILED} or {@link #CONNECT_REFUSED}.
     */
    int connect(final String host, final String port, final long timeoutMs)
    {
        final int portNumber;
        final InetAddress address;
        try
        {
            portNumber = Integer.parseInt(port);
            address = InetAddress.getByName(host);
        }
        catch (final NumberFormatException | UnknownHostException ex)
        {
            return CONNECT_FAILED;
        }
        if (portNumber <= 0 || portNumber > 0xffff)
        {
            return CONNECT_FAILED;
        }
        try
        {
            selector = Selector.open();
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final SelectionKey key = channel.register(selector, 0);
            if (channel.connect(new InetSocketAddress(address, portNumber)))
            {
                return OK;
            }
            key.interestOps(SelectionKey.OP_CONNECT);
            if (selector.select(Math.max(1, timeoutMs)) == 0)
            {
                return CONNECT_FAILED;
            }
            selector.selectedKeys().clear();
            key.interestOps(0);
            return channel.finishConnect() ? OK : CONNECT_FAILED;
        }
        catch (final IOException ex)
        {
            return CONNECT_REFUSED;
        }
    }

    /**
     * Write all of {@code bytes}, giving each wait for room at most {@code timeoutMs}.
     *
     * @param bytes     from position to limit; consumed.
     * @param timeoutMs per wait.
     * @return true when everything was written.
     */
    boolean write(final ByteBuffer bytes, final long timeoutMs)
    {
        try
        {
            final SelectionKey key = channel.keyFor(selector);
            while (bytes.hasRemaining())
            {
                if (channel.write(bytes) > 0)
                {
                    continue;
                }
                key.interestOps(SelectionKey.OP_WRITE);
                final int ready = selector.select(Math.max(1, timeoutMs));
                selector.selectedKeys().clear();
                key.interestOps(0);
                if (ready == 0)
                {
                    return false;
                }
            }
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Read one reply line ({@code +OK}, {@code -ERR ...}), giving each wait for bytes at most {@code timeoutMs}.
     *
     * @param timeoutMs per wait.
     * @return the line without CRLF (cut at {@link #MAX_LINE_LENGTH}), or null on timeout, close or error.
     */
    String readLine(final long timeoutMs)
    {
        line.setLength(0);
        try
        {
            final SelectionKey key = channel.keyFor(selector);
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMs));
            while (true)
            {
                while (input.hasRemaining())
                {
                    final char c = (char)(input.get() & 0xff);
                    if (c == '\n')
                    {
                        final int end = line.length();
                        if (end > 0 && line.charAt(end - 1) == '\r')
                        {
                            line.setLength(end - 1);
                        }
                        return line.toString();
                    }
                    if (line.length() < MAX_LINE_LENGTH)
                    {
                        line.append(c);
                    }
                }
                input.clear();
                final int read = channel.read(input);
                input.flip();
                if (read < 0)
                {
                    return null;
                }
                if (read == 0)
                {
                    final long waitMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
                    if (waitMs <= 0)
                    {
                        return null;
                    }
                    key.interestOps(SelectionKey.OP_READ);
                    selector.select(waitMs);
                    selector.selectedKeys().clear();
                    key.interestOps(0);
                }
            }
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    @Override
    public void close()
    {
        try
        {
            if (null != channel)
            {
                channel.close();
            }
            if (null != selector)
            {
                selector.close();
            }
        }
        catch (final IOException ignore)
        {
            // Closing is all we wanted.
        }
    }
}
