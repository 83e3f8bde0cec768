package io.ringkv.net.server;

import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Graceful shutdown keeps serving a connection until its client has gone quiet, and "quiet" is time the connection
 * spent waiting for its client, not time since its last read: a connection busy answering (here: blocked writing
 * large replies to a client that reads them late, as a connection not scheduled on a loaded machine) has not heard
 * from its client because it has not listened. Before, the drain closed the input of such a connection, which then
 * ended the moment its socket was empty, and the client's next request met a closed or reset connection.
 */
class ShutdownDrainTest
{
    private static final int VALUE_BYTES = 1 << 20;
    private static final int GETS = 32;

    @Test
    void aClientStillReadingItsRepliesIsServedItsNextRequest() throws Exception
    {
        final TestServer server = TestServer.start();
        Thread closer = null;
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            final OutputStream out = socket.getOutputStream();
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final String set = "*3\r\n$3\r\nSET\r\n$1\r\nv\r\n$" + VALUE_BYTES + "\r\n";
            out.write(set.getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[VALUE_BYTES]);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals("+OK\r\n", new String(in.readNBytes(5), StandardCharsets.US_ASCII));

            // 32 MB of replies: far more than the socket buffers hold, so the connection blocks writing them.
            out.write("GET v\r\n".repeat(GETS).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(100);
            closer = Thread.ofPlatform().start(server::close);
            Thread.sleep(400); // the drain has long seen 100 ms without a read

            final String header = "$" + VALUE_BYTES + "\r\n";
            for (int i = 0; i < GETS; i++)
            {
                assertEquals(header, new String(in.readNBytes(header.length()), StandardCharsets.US_ASCII), "reply " + i);
                in.skipNBytes(VALUE_BYTES + 2);
            }
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals("+PONG\r\n", new String(in.readNBytes(7), StandardCharsets.US_ASCII),
                "the request sent right after the replies is answered");
            assertEquals(-1, in.read(), "then, the client quiet, the server closes the connection");
        }
        finally
        {
            if (null != closer)
            {
                closer.join(10_000);
                assertFalse(closer.isAlive(), "the server has closed");
            }
            server.close();
        }
    }
}
