package io.ringkv.net.replication;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A blocking JSON-lines client for tests: one line out, one line back.
 */
final class LineClient implements AutoCloseable
{
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    LineClient(final int port) throws IOException
    {
        this(new Socket("127.0.0.1", port));
    }

    LineClient(final Socket socket) throws IOException
    {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    void send(final String text) throws IOException
    {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void sendBytes(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    String readLine() throws IOException
    {
        return in.readLine();
    }

    String call(final String line) throws IOException
    {
        send(line + "\n");
        return readLine();
    }

    /**
     * A generic command: {"cmd":name,"args":[...]} with string arguments.
     */
    String command(final String name, final String... args) throws IOException
    {
        final StringBuilder line = new StringBuilder("{\"cmd\":\"").append(name).append("\",\"args\":[");
        for (int i = 0; i < args.length; i++)
        {
            line.append(i == 0 ? "" : ",").append('"').append(args[i].replace("\\", "\\\\").replace("\"", "\\\""))
                .append('"');
        }
        return call(line.append("]}").toString());
    }

    Socket socket()
    {
        return socket;
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
