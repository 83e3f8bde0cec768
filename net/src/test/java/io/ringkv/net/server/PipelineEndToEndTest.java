package io.ringkv.net.server;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipelines end to end: thousands of requests in flight, clients that vanish in the middle, clients that never
 * read, and many clients at once.
 */
class PipelineEndToEndTest
{
    private static final int PIPELINE = 10_000;

    @Test
    void tenThousandSetsThenGetsInOneWriteAnsweredInOrder() throws Exception
    {
        try (TestServer server = TestServer.start(); RawConnection client = new RawConnection(server.port()))
        {
            final StringBuilder requests = new StringBuilder();
            for (int i = 0; i < PIPELINE; i++)
            {
                requests.append(multibulk("SET", "key:" + i, "value:" + i));
            }
            for (int i = 0; i < PIPELINE; i++)
            {
                requests.append(multibulk("GET", "key:" + i));
            }
            final Thread writer = Thread.ofVirtual().start(() -> sendQuietly(client, requests.toString()));
            for (int i = 0; i < PIPELINE; i++)
            {
                assertEquals("+OK", client.readLine(), "SET " + i);
            }
            for (int i = 0; i < PIPELINE; i++)
            {
                final String value = "value:" + i;
                assertEquals("$" + value.length(), client.readLine(), "GET " + i);
                assertEquals(value, client.readLine(), "GET " + i);
            }
            writer.join();
            client.send("DBSIZE\r\n");
            assertEquals(":" + PIPELINE, client.readLine());
        }
    }

    @Test
    void jedisPipelineOfTenThousand() throws Exception
    {
        try (TestServer server = TestServer.start(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final Pipeline pipeline = jedis.pipelined();
            final List<Response<Long>> increments = new ArrayList<>();
            for (int i = 0; i < PIPELINE; i++)
            {
                increments.add(pipeline.incr("counter:" + (i % 10)));
            }
            pipeline.sync();
            for (int i = 0; i < PIPELINE; i++)
            {
                assertEquals(i / 10 + 1, increments.get(i).get(), "INCR " + i);
            }
        }
    }

    @Test
    void nothingPipelinedAfterQuitIsExecuted() throws Exception
    {
        try (TestServer server = TestServer.start())
        {
            try (RawConnection client = new RawConnection(server.port()))
            {
                client.send("SET before 1\r\nQUIT\r\nSET after 1\r\nINCR before\r\n");
                assertEquals(new RawConnection.Received("+OK\r\n+OK\r\n".getBytes(StandardCharsets.US_ASCII), true),
                    client.readUntilClosedOrQuiet(5_000));
            }
            try (RawConnection client = new RawConnection(server.port()))
            {
                client.send(multibulk("quit") + multibulk("SET", "after", "2"));
                assertEquals(new RawConnection.Received("+OK\r\n".getBytes(StandardCharsets.US_ASCII), true),
                    client.readUntilClosedOrQuiet(5_000));
            }
            try (RawConnection client = new RawConnection(server.port()))
            {
                client.send("{\"cmd\":\"quit\"}\n{\"cmd\":\"set\",\"key\":\"after\",\"value\":3}\n");
                assertEquals(new RawConnection.Received("{\"value\":\"OK\"}\n".getBytes(StandardCharsets.US_ASCII),
                    true), client.readUntilClosedOrQuiet(5_000));
            }
            try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
            {
                assertEquals("1", jedis.get("before"));
                assertNull(jedis.get("after"));
            }
        }
    }

    @Test
    void clientVanishingMidPipelineLeavesOthersServedAndNothingBehind() throws Exception
    {
        try (TestServer server = TestServer.start(); Jedis other = new Jedis("127.0.0.1", server.port()))
        {
            final StringBuilder requests = new StringBuilder();
            for (int i = 0; i < 50_000; i++)
            {
                requests.append(multibulk("INCR", "vanishing"));
            }
            final byte[] bytes = requests.toString().getBytes(StandardCharsets.US_ASCII);
            for (int round = 0; round < 5; round++)
            {
                final Socket socket = new Socket("127.0.0.1", server.port());
                socket.setSoLinger(true, 0); // close with a reset, replies unread
                final Thread writer = Thread.ofVirtual().start(() ->
                {
                    try
                    {
                        socket.getOutputStream().write(bytes);
                    }
                    catch (final IOException expected)
                    {
                        // closed under the writer's feet
                    }
                });
                Thread.sleep(20);
                socket.close();
                writer.join();
                assertEquals("PONG", other.ping());
            }
            final long deadlineNs = System.nanoTime() + 10_000_000_000L;
            while (server.server().registry().size() > 1)
            {
                assertTrue(System.nanoTime() < deadlineNs, "connections left: " + server.server().registry().size());
                Thread.sleep(10);
            }
            final long count = Long.parseLong(other.get("vanishing"));
            assertTrue(count >= 0 && count <= 250_000, "count " + count);
            assertEquals("OK", other.set("after", "works"));
            assertEquals("works", other.get("after"));
        }
    }

    @Test
    void slowReaderWithMegabytesPendingDoesNotStallOtherClients() throws Exception
    {
        final byte[] big = new byte[1024 * 1024];
        Arrays.fill(big, (byte)'b');
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port());
            RawConnection slow = new RawConnection(server.port()))
        {
            jedis.set("big".getBytes(StandardCharsets.US_ASCII), big);
            final int gets = 64;
            slow.send(multibulk("GET", "big").repeat(gets));
            Thread.sleep(200); // the server has now filled the socket buffers and waits on the slow client

            final int roundTrips = 500;
            assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
            {
                try (Jedis fast = new Jedis("127.0.0.1", server.port()))
                {
                    for (int i = 0; i < roundTrips; i++)
                    {
                        assertEquals("OK", fast.set("fast", Integer.toString(i)));
                        assertEquals(Integer.toString(i), fast.get("fast"));
                    }
                }
            });

            final byte[] header = ("$" + big.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < gets; i++)
            {
                assertArrayEquals(header, slow.readExactly(header.length), "reply " + i);
                assertArrayEquals(big, slow.readExactly(big.length), "reply " + i);
                assertArrayEquals("\r\n".getBytes(StandardCharsets.US_ASCII), slow.readExactly(2));
            }
        }
    }

    /**
     * Replies were built for every request of a read before the first byte was written: 1000 pipelined GETs of a
     * 256 KB value took 256 MB of direct memory at once. Now a long pipeline runs in slices sized by their replies
     * and is flushed as it goes, so a client that reads slowly holds one slice's replies.
     */
    @Test
    void pipelinedGetsOfLargeValuesKeepTheReplyBufferBounded() throws Exception
    {
        final byte[] value = new byte[256 * 1024];
        Arrays.fill(value, (byte)'v');
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port());
            RawConnection reader = new RawConnection(server.port()))
        {
            jedis.set("large".getBytes(StandardCharsets.US_ASCII), value);
            final long directBefore = MalformedRespEndToEndTest.directMemoryUsed();
            final int gets = 1000;
            reader.send(multibulk("GET", "large").repeat(gets));
            long peak = 0;
            final long endNs = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < endNs)
            {
                peak = Math.max(peak, MalformedRespEndToEndTest.directMemoryUsed() - directBefore);
                Thread.sleep(5);
            }
            assertTrue(peak < 32 * 1024 * 1024, "direct memory grew by " + peak + " bytes");

            final byte[] header = ("$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < gets; i++)
            {
                assertArrayEquals(header, reader.readExactly(header.length), "reply " + i);
                assertArrayEquals(value, reader.readExactly(value.length), "reply " + i);
                reader.readExactly(2);
            }
            assertEquals("PONG", jedis.ping());
        }
    }

    @Test
    void twelveHundredConcurrentConnectionsEachDoWork() throws Exception
    {
        final int clients = 1200;
        try (TestServer server = TestServer.start())
        {
            final List<RawConnection> connections = new ArrayList<>();
            try
            {
                for (int i = 0; i < clients; i++)
                {
                    connections.add(new RawConnection(server.port()));
                }
                for (int i = 0; i < clients; i++)
                {
                    connections.get(i).send(multibulk("SET", "client:" + i, Integer.toString(i)) +
                        multibulk("INCR", "shared"));
                }
                for (int i = 0; i < clients; i++)
                {
                    assertEquals("+OK", connections.get(i).readLine());
                    assertTrue(connections.get(i).readLine().startsWith(":"));
                }
                assertEquals(clients, server.server().registry().size());
                for (int i = 0; i < clients; i++)
                {
                    connections.get(i).send(multibulk("GET", "client:" + i));
                }
                for (int i = 0; i < clients; i++)
                {
                    connections.get(i).readLine();
                    assertEquals(Integer.toString(i), connections.get(i).readLine());
                }
                connections.get(0).send("GET shared\r\nDBSIZE\r\n");
                connections.get(0).readLine();
                assertEquals(Integer.toString(clients), connections.get(0).readLine());
                assertEquals(":" + (clients + 1), connections.get(0).readLine());
            }
            finally
            {
                for (final RawConnection connection : connections)
                {
                    connection.close();
                }
            }
        }
    }

    static String multibulk(final String... args)
    {
        final StringBuilder request = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (final String arg : args)
        {
            request.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        return request.toString();
    }

    private static void sendQuietly(final RawConnection client, final String text)
    {
        try
        {
            client.send(text);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
