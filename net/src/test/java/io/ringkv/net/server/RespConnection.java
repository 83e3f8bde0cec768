package io.ringkv.net.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A RESP connection for differential tests: sends a request (arguments byte for char) and reads one whole reply as
 * its raw text, so that two servers' replies compare byte for byte.
 */
public final class RespConnection implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /**
     * @param port     the server's port on loopback.
     * @param protocol 2, or 3 to send HELLO 3 first.
     */
    public RespConnection(final int port, final int protocol) throws IOException
    {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(30_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        if (protocol == 3)
        {
            send("HELLO", "3");
        }
    }

    /**
     * @return the whole reply to the request, as its raw text.
     */
    public String send(final String... args) throws IOException
    {
        final ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (final String arg : args)
        {
            final byte[] bytes = arg.getBytes(StandardCharsets.ISO_8859_1);
            request.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.write(bytes);
            request.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(request.toByteArray());
        out.flush();
        return readReply();
    }

    /**
     * @return the next whole reply (or pushed message, such as a MONITOR line).
     */
    public String readReply() throws IOException
    {
        final StringBuilder reply = new StringBuilder();
        readReply(reply);
        return reply.toString();
    }

    private void readReply(final StringBuilder reply) throws IOException
    {
        final String line = readLine();
        reply.append(line).append('\n');
        final char type = line.charAt(0);
        final String rest = line.substring(1);
        switch (type)
        {
            case '$', '=', '!' ->
            {
                final int length = Integer.parseInt(rest);
                if (length >= 0)
                {
                    reply.append(new String(in.readNBytes(length + 2), StandardCharsets.ISO_8859_1));
                }
            }
            case '*', '~', '>' ->
            {
                for (int i = 0, n = Integer.parseInt(rest); i < n; i++)
                {
                    readReply(reply);
                }
            }
            case '%' ->
            {
                for (int i = 0, n = Integer.parseInt(rest) * 2; i < n; i++)
                {
                    readReply(reply);
                }
            }
            default ->
            {
            }
        }
    }

    private String readLine() throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r')
        {
            if (c < 0)
            {
                throw new IOException("connection closed");
            }
            line.append((char)c);
        }
        in.read();
        return line.toString();
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
