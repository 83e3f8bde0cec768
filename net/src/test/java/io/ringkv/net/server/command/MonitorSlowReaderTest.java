package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A MONITOR client that never reads, under pipelined load: the server queues at most the output limit for it, then
 * disconnects it (Redis's client-output-buffer-limit), while the loading client and others are answered throughout.
 */
class MonitorSlowReaderTest
{
    private static final int VALUE_BYTES = 1024;
    private static final int PIPELINE = 500;

    @AutoClose
    private static TestServer ringkv;

    @BeforeAll
    static void start() throws IOException
    {
        ringkv = TestServer.start();
    }

    @Test
    void monitorThatNeverReadsIsDisconnectedAndOthersAreServed() throws IOException, InterruptedException
    {
        try (Socket monitor = new Socket();
            RawRespClient admin = new RawRespClient(ringkv.port());
            Socket loader = new Socket("127.0.0.1", ringkv.port()))
        {
            monitor.setReceiveBufferSize(4096);
            monitor.connect(new java.net.InetSocketAddress("127.0.0.1", ringkv.port()));
            monitor.setSoTimeout(5_000);
            final OutputStream monitorOut = monitor.getOutputStream();
            monitorOut.write("CLIENT ID\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            final InputStream monitorIn = monitor.getInputStream();
            final String id = readLine(monitorIn).substring(1);
            assertEquals("+OK", readLine(monitorIn));
            assertTrue(admin.call("CLIENT", "LIST").contains("id=" + id + " "), "the monitor is connected");

            // Each SET's monitor line is over 1 KB: 64 MB of lines is twice the 32 MB limit, plus any socket buffers.
            final byte[] batch = pipelinedSets();
            final OutputStream out = loader.getOutputStream();
            final InputStream in = loader.getInputStream();
            loader.setSoTimeout(10_000);
            final long lines = 64L * 1024 * 1024 / VALUE_BYTES;
            boolean disconnected = false;
            for (long sent = 0; sent < lines * 2 && !disconnected; sent += PIPELINE)
            {
                out.write(batch);
                out.flush();
                for (int i = 0; i < PIPELINE; i++)
                {
                    assertEquals("+OK", readLine(in), "the loader is answered throughout");
                }
                disconnected = sent >= lines && !admin.call("CLIENT", "LIST").contains("id=" + id + " ");
            }
            assertTrue(disconnected, "the monitor over its output limit was disconnected");
            assertEquals("+PONG\r\n", admin.call("PING"));
            // What reached the monitor's socket before it was closed is whole lines; then the stream ends.
            monitor.setSoTimeout(10_000);
            final byte[] chunk = new byte[64 * 1024];
            long received = 0;
            try
            {
                for (int n; (n = monitorIn.read(chunk)) > 0; )
                {
                    received += n;
                }
            }
            catch (final IOException reset)
            {
                // A reset is also an end.
            }
            assertFalse(received > 40L * 1024 * 1024, "at most the limit and the socket buffers: " + received);
        }
    }

    private static byte[] pipelinedSets()
    {
        final String value = "v".repeat(VALUE_BYTES);
        final StringBuilder request = new StringBuilder();
        for (int i = 0; i < PIPELINE; i++)
        {
            request.append("*3\r\n$3\r\nSET\r\n$5\r\nkey:").append(i % 10).append("\r\n$").append(VALUE_BYTES)
                .append("\r\n").append(value).append("\r\n");
        }
        return request.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; )
        {
            if (b < 0)
            {
                throw new IOException("end of stream after " + line);
            }
            if (b != '\r')
            {
                line.append((char)b);
            }
        }
        return line.toString();
    }
}
