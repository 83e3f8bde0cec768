package io.ringkv.core.command;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A RESP2 client of a real redis-server for differential tests: sends a command and reads its reply in the
 * transcript form of {@link TranscriptReply}, so that Redis's replies compare with the engine harness's.
 */
public final class RedisTranscriptClient
{
    private final InputStream in;
    private final OutputStream out;

    public RedisTranscriptClient(final Socket socket) throws IOException
    {
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * @return the reply to one command, as a transcript.
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
            request.write('\r');
            request.write('\n');
        }
        out.write(request.toByteArray());
        out.flush();
        return readReply();
    }

    /** Reads one RESP2 reply into the transcript form of {@link TranscriptReply}. */
    String readReply() throws IOException
    {
        final String line = readLine();
        final String rest = line.substring(1);
        switch (line.charAt(0))
        {
            case '+', '-', ':':
                return line;
            case '$':
            {
                final int length = Integer.parseInt(rest);
                if (length < 0)
                {
                    return "(nil)";
                }
                final byte[] data = in.readNBytes(length);
                in.readNBytes(2);
                return "$" + new String(data, StandardCharsets.ISO_8859_1);
            }
            case '*':
            {
                final int count = Integer.parseInt(rest);
                if (count < 0)
                {
                    return "*(nil)";
                }
                final List<String> elements = new ArrayList<>();
                for (int i = 0; i < count; i++)
                {
                    elements.add(readReply());
                }
                return "[" + String.join(", ", elements) + "]";
            }
            default:
                throw new IOException("unexpected reply: " + line);
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
}
