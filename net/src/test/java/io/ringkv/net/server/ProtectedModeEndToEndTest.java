package io.ringkv.net.server;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Protected mode as a non-local client meets it, over real sockets: the server is told that clients connecting from
 * 127.0.0.2 are remote (tests cannot reach a non-loopback address). Such a client reads Redis's DENIED text and then
 * end of stream, and is counted in rejected_connections, while protected mode is on and no password is set; CONFIG
 * SET requirepass or protected-mode from a local client lets the next one in, as in Redis, which decides per
 * connection.
 */
class ProtectedModeEndToEndTest
{
    private static final String NOAUTH = "-NOAUTH Authentication required.";

    @Test
    void aRemoteClientIsDeniedUntilAPasswordIsSetOrProtectedModeIsOff() throws Exception
    {
        final InetAddress remote = InetAddress.getByName("127.0.0.2");
        try (TestServer server = TestServer.start(TestServer.commandLine("--protected-mode", "yes"),
                peer -> ClientAdmission.isLocal(peer) && !remote.equals(peer));
            RawConnection local = new RawConnection(server.port()))
        {
            assertDenied(server.port(), remote);
            assertEquals(1, rejectedConnections(local));

            assertEquals("+OK", local.send("CONFIG SET requirepass x\r\n").readLine());
            try (RawConnection admitted = new RawConnection(server.port(), remote))
            {
                assertEquals(NOAUTH, admitted.send("PING\r\n").readLine());
                assertEquals("+OK", admitted.send("AUTH x\r\n").readLine());
                assertEquals("+PONG", admitted.send("PING\r\n").readLine());
            }

            assertEquals("+OK", local.send("CONFIG SET requirepass \"\"\r\n").readLine());
            assertDenied(server.port(), remote);
            assertEquals(2, rejectedConnections(local));

            assertEquals("+OK", local.send("CONFIG SET protected-mode no\r\n").readLine());
            try (RawConnection admitted = new RawConnection(server.port(), remote))
            {
                assertEquals("+PONG", admitted.send("PING\r\n").readLine());
            }
            assertEquals(2, rejectedConnections(local));
        }
    }

    private static void assertDenied(final int port, final InetAddress from) throws Exception
    {
        try (RawConnection denied = new RawConnection(port, from))
        {
            assertEquals(new RawConnection.Received(ClientAdmission.DENIED.getBytes(StandardCharsets.US_ASCII), true),
                denied.readUntilClosedOrQuiet(5_000), "Redis's refusal, then end of stream");
        }
    }

    private static long rejectedConnections(final RawConnection client) throws Exception
    {
        final String header = client.send("INFO stats\r\n").readLine();
        final int length = Integer.parseInt(header.substring(1));
        final String info = new String(client.readExactly(length + 2), StandardCharsets.US_ASCII);
        for (final String line : info.split("\r\n"))
        {
            if (line.startsWith("rejected_connections:"))
            {
                return Long.parseLong(line.substring("rejected_connections:".length()));
            }
        }
        throw new AssertionError("no rejected_connections in " + info);
    }
}
