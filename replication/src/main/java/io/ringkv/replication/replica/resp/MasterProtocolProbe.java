package io.ringkv.replication.replica.resp;

import io.ringkv.replication.replica.RespCommandReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Finds out what a master is before replicating it: connects, authenticates as the link would, and asks
 * {@code INFO server} once over RESP; a ringkv master names itself there with {@code ringkv_version:}, a Redis
 * master does not. One thread (the caller's); the connection is closed before it returns.
 */
final class MasterProtocolProbe
{
    private static final int TIMEOUT_MS = 5_000;
    private static final int MAX_INFO_BYTES = 1024 * 1024;

    private MasterProtocolProbe()
    {
    }

    /**
     * @return true for a ringkv master (speak the JSON protocol), false for another (Redis's protocol).
     * @throws IOException when the master cannot be reached, refuses AUTH or INFO, or answers something else.
     */
    static boolean isRingkv(final String host, final int port, final MasterCredentials credentials)
        throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            final InputStream in = socket.getInputStream();
            final OutputStream out = socket.getOutputStream();
            final RespCommandReader reader = new RespCommandReader(16 * 1024).reset(into ->
            {
                final int read = in.read(into.array(), into.arrayOffset() + into.position(), into.remaining());
                if (read > 0)
                {
                    into.position(into.position() + read);
                }
                return read;
            }, 0);
            final String[] authCommand = credentials.authCommand();
            if (authCommand != null)
            {
                RedisMasterLink.send(out, authCommand);
            }
            RedisMasterLink.send(out, "INFO", "server");
            if (authCommand != null)
            {
                final String auth = reader.readLine(1024);
                if (auth.startsWith("-"))
                {
                    throw new IOException("Unable to AUTH to MASTER: " + auth.substring(1));
                }
            }
            final String header = reader.readLine(1024);
            if (!header.startsWith("$"))
            {
                throw new IOException("INFO server to the master answered '" + header + "'");
            }
            final int length;
            try
            {
                length = Integer.parseInt(header.substring(1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IOException("INFO server to the master answered '" + header + "'");
            }
            if (length < 0 || length > MAX_INFO_BYTES)
            {
                throw new IOException("INFO server to the master answered " + length + " bytes");
            }
            final byte[] info = new byte[length];
            int at = 0;
            while (at < length)
            {
                final int n = reader.readSome(info, at, length - at);
                if (n < 0)
                {
                    throw new IOException("the master closed the connection in its INFO reply");
                }
                at += n;
            }
            return new String(info, StandardCharsets.ISO_8859_1).contains("\nringkv_version:");
        }
    }
}
