package io.ringkv.net.server.command;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A test client that sends requests as RESP multibulk and reads each reply back as its exact bytes (one whole RESP2
 * or RESP3 value, nested aggregates included), so tests can compare wire output with Redis's.
 */
public final class RawRespClient implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /**
     * Send each request to two servers (one connection each, in order) and assert the replies are the same bytes.
     *
     * @param oursPort   ringkv's port.
     * @param theirsPort redis-server's port.
     * @param requests   the requests, in order.
     */
    static void assertSameReplies(final int oursPort, final int theirsPort, final String[][] requests)
        throws IOException
    {
        try (RawRespClient ours = new RawRespClient(oursPort);
            RawRespClient theirs = new RawRespClient(theirsPort))
        {
            for (final String[] request : requests)
            {
                org.junit.jupiter.api.Assertions.assertEquals(
                    theirs.call(request), ours.call(request), String.join(" ", request));
            }
        }
    }

    public RawRespClient(final int port) throws IOException
    {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /**
     * @param args request arguments.
     * @return the reply's bytes as ISO-8859-1 text, CRLFs included.
     */
    String call(final String... args) throws IOException
    {
        send(args);
        return read();
    }

    public void send(final String... args) throws IOException
    {
        final StringBuilder request = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (final String arg : args)
        {
            request.append('$').append(arg.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n")
                .append(arg).append("\r\n");
        }
        out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * @return the connection's input, for a test that reads something other than replies (a replication stream).
     */
    public InputStream input()
    {
        return in;
    }

    /**
     * @param bytes sent as they are (ISO-8859-1), e.g. a request cut short.
     */
    void sendRaw(final String bytes) throws IOException
    {
        out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * @return the next whole reply.
     */
    String read() throws IOException
    {
        final ByteArrayOutputStream value = new ByteArrayOutputStream();
        readValue(value);
        return value.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * @param timeoutMs how long to wait.
     * @return true when no byte arrives within the time (the server sent nothing).
     */
    boolean silentFor(final int timeoutMs) throws IOException
    {
        socket.setSoTimeout(timeoutMs);
        try
        {
            in.read();
            return false;
        }
        catch (final SocketTimeoutException ex)
        {
            return true;
        }
        finally
        {
            socket.setSoTimeout(5_000);
        }
    }

    /**
     * @return true when the server closed the connection (end of stream) within 5 s.
     */
    boolean closedByServer() throws IOException
    {
        try
        {
            return in.read() < 0;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    private void readValue(final ByteArrayOutputStream value) throws IOException
    {
        final String line = readLine(value);
        final char type = line.charAt(0);
        switch (type)
        {
            case '$', '=', '!' ->
            {
                final int length = Integer.parseInt(line.substring(1));
                if (length >= 0)
                {
                    value.write(in.readNBytes(length + 2));
                }
            }
            case '*', '~', '>' ->
            {
                final int count = Integer.parseInt(line.substring(1));
                for (int i = 0; i < count; i++)
                {
                    readValue(value);
                }
            }
            case '%' ->
            {
                final int count = Integer.parseInt(line.substring(1));
                for (int i = 0; i < 2 * count; i++)
                {
                    readValue(value);
                }
            }
            default ->
            {
                // +, -, :, _, ,, #, ( are one line.
            }
        }
    }

    private String readLine(final ByteArrayOutputStream value) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n')
        {
            if (b < 0)
            {
                throw new IOException("connection closed");
            }
            value.write(b);
            if (b != '\r')
            {
                line.append((char)b);
            }
        }
        value.write('\n');
        return line.toString();
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
