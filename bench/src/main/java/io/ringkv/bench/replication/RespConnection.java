package io.ringkv.bench.replication;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP2 client for harnesses: pipelined commands out, replies parsed into Java objects
 * (String, Long, byte[], List, or RespConnection.Error). One thread.
 */
final class RespConnection implements AutoCloseable
{
    record Error(String text)
    {
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RespConnection(final String host, final int port) throws IOException
    {
        socket = new Socket(host, port);
        socket.setTcpNoDelay(true);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    }

    void send(final byte[]... args) throws IOException
    {
        out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (final byte[] arg : args)
        {
            out.write(('$' + Integer.toString(arg.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(arg);
            out.write('\r');
            out.write('\n');
        }
    }

    void send(final String... args) throws IOException
    {
        final byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++)
        {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        send(bytes);
    }

    void flush() throws IOException
    {
        out.flush();
    }

    Object call(final String... args) throws IOException
    {
        send(args);
        flush();
        return read();
    }

    Object read() throws IOException
    {
        final int type = in.read();
        final String line = line();
        return switch (type)
        {
            case '+' -> line;
            case '-' -> new Error(line);
            case ':' -> Long.parseLong(line);
            case '$' ->
            {
                final int length = Integer.parseInt(line);
                if (length < 0)
                {
                    yield null;
                }
                final byte[] bytes = in.readNBytes(length);
                line();
                yield bytes;
            }
            case '*' ->
            {
                final int count = Integer.parseInt(line);
                final List<Object> items = new ArrayList<>(Math.max(0, count));
                for (int i = 0; i < count; i++)
                {
                    items.add(read());
                }
                yield items;
            }
            default -> throw new IOException("unexpected reply type " + type);
        };
    }

    private String line() throws IOException
    {
        final StringBuilder text = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r')
        {
            if (c < 0)
            {
                throw new IOException("connection closed");
            }
            text.append((char)c);
        }
        in.read();
        return text.toString();
    }

    static String text(final Object reply)
    {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
