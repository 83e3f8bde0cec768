package io.ringkv.loadgen;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A minimal RESP server for tests, on 127.0.0.1 and an ephemeral port, with injected behaviour: every reply
 * delayed by a fixed time, a one-off stall (no reply leaves during a window; replies due in it leave when it
 * ends), closing each connection after some requests, or never answering. It replies {@code +OK} to
 * everything except {@code GET}, which gets {@code $-1} (nil), or with {@link #missEvery(int)} a known pattern of
 * hits and misses whose SETs it checks. Replies keep request order.
 */
public final class FakeRespServer implements AutoCloseable
{
    private final ServerSocket server;
    private final long delayNs;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private volatile long stallStartNs = Long.MAX_VALUE;
    private volatile long stallEndNs = Long.MAX_VALUE;
    private volatile long closeAfterRequests = Long.MAX_VALUE;
    private volatile boolean silent;
    private volatile boolean json;
    private volatile int missEvery;
    private final AtomicLong gets = new AtomicLong();
    private final AtomicLong getMisses = new AtomicLong();
    private final AtomicLong setsOfMissedKeys = new AtomicLong();
    private final AtomicLong otherSets = new AtomicLong();
    private final AtomicLong longestHoldNs = new AtomicLong();

    public FakeRespServer(final long delayNs) throws IOException
    {
        this.delayNs = delayNs;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("fake-resp-accept").start(this::accept);
    }

    public int port()
    {
        return server.getLocalPort();
    }

    public long requests()
    {
        return requests.get();
    }

    /**
     * @return the longest any request waited in this server, from its arrival to its reply's write: a lower bound
     * of the latency the client saw for it, whatever the machine's scheduling did to either side.
     */
    public long longestHoldNs()
    {
        return longestHoldNs.get();
    }

    /** No reply leaves between start and start + duration (System.nanoTime scale). */
    public void stall(final long startNs, final long durationNs)
    {
        stallEndNs = startNs + durationNs;
        stallStartNs = startNs;
    }

    /** Each connection is closed by the server once it has read this many requests. */
    public void closeAfter(final long requestsPerConnection)
    {
        closeAfterRequests = requestsPerConnection;
    }

    /**
     * Speak JSON lines instead: {@code {}} to set and anything else, {@code {"value":null}} to get, and
     * {@code {"error":"ERR value is not an integer or out of range"}} to incr; an {@code "id"} is echoed.
     */
    public void json()
    {
        json = true;
    }

    /**
     * GET number {@code i} (from 0) of each connection misses (nil) when {@code i % n == 0} and hits otherwise,
     * and every SET is checked against the connection's oldest missed key not yet SET.
     */
    public void missEvery(final int n)
    {
        missEvery = n;
    }

    public long gets()
    {
        return gets.get();
    }

    public long getMisses()
    {
        return getMisses.get();
    }

    /** SETs whose key was the connection's oldest missed key not yet SET, in order. */
    public long setsOfMissedKeys()
    {
        return setsOfMissedKeys.get();
    }

    /** SETs of any other key, or with no miss waiting. */
    public long otherSets()
    {
        return otherSets.get();
    }

    /** Requests are read but never answered. */
    public void silent()
    {
        silent = true;
    }

    private void accept()
    {
        try
        {
            while (true)
            {
                final Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                sockets.add(socket);
                final LinkedBlockingQueue<long[]> due = new LinkedBlockingQueue<>();
                Thread.ofPlatform().daemon().start(() -> read(socket, due));
                Thread.ofPlatform().daemon().start(() -> write(socket, due));
            }
        }
        catch (final IOException closed)
        {
            // close() ends the accept loop.
        }
    }

    private void read(final Socket socket, final LinkedBlockingQueue<long[]> due)
    {
        long count = 0;
        long connectionGets = 0;
        final java.util.ArrayDeque<String> missed = new java.util.ArrayDeque<>();
        try (InputStream in = new BufferedInputStream(socket.getInputStream(), 65536))
        {
            while (true)
            {
                final String header = line(in);
                if (header == null)
                {
                    break;
                }
                if (json)
                {
                    requests.incrementAndGet();
                    if (++count >= closeAfterRequests)
                    {
                        socket.close();
                        return;
                    }
                    if (!silent)
                    {
                        due.add(new long[] {System.nanoTime() + delayNs, jsonReply(header)});
                    }
                    continue;
                }
                final int args = Integer.parseInt(header.substring(1));
                boolean isGet = false;
                boolean isSet = false;
                String key = null;
                for (int a = 0; a < args; a++)
                {
                    final int length = Integer.parseInt(line(in).substring(1));
                    final byte[] bytes = in.readNBytes(length + 2);
                    if (a == 0)
                    {
                        isGet = "GET".equalsIgnoreCase(new String(bytes, 0, length, StandardCharsets.US_ASCII));
                        isSet = "SET".equalsIgnoreCase(new String(bytes, 0, length, StandardCharsets.US_ASCII));
                    }
                    else if (a == 1)
                    {
                        key = new String(bytes, 0, length, StandardCharsets.US_ASCII);
                    }
                }
                long reply = isGet ? 1 : 0;
                final int every = missEvery;
                if (every > 0 && isGet)
                {
                    gets.incrementAndGet();
                    if (connectionGets++ % every == 0)
                    {
                        getMisses.incrementAndGet();
                        missed.add(key);
                    }
                    else
                    {
                        reply = 5;
                    }
                }
                if (every > 0 && isSet)
                {
                    (key.equals(missed.poll()) ? setsOfMissedKeys : otherSets).incrementAndGet();
                }
                requests.incrementAndGet();
                count++;
                if (count >= closeAfterRequests)
                {
                    socket.close();
                    return;
                }
                if (!silent)
                {
                    due.add(new long[] {System.nanoTime() + delayNs, reply});
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // The client went away or the test closed the server.
        }
        due.add(new long[] {-1, 0});
    }

    private void write(final Socket socket, final LinkedBlockingQueue<long[]> due)
    {
        final byte[] ok = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
        final byte[] nil = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
        final byte[] hit = "$5\r\nvalue\r\n".getBytes(StandardCharsets.US_ASCII);
        try
        {
            final OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream(), 65536);
            while (true)
            {
                long[] next = due.poll();
                if (next == null)
                {
                    out.flush();
                    next = due.poll(10, TimeUnit.SECONDS);
                    if (next == null)
                    {
                        continue;
                    }
                }
                if (next[0] < 0)
                {
                    return;
                }
                long sendAtNs = next[0];
                if (sendAtNs >= stallStartNs && sendAtNs < stallEndNs)
                {
                    sendAtNs = stallEndNs;
                }
                long waitNs;
                while ((waitNs = sendAtNs - System.nanoTime()) > 0)
                {
                    out.flush();
                    LockSupport.parkNanos(waitNs);
                }
                longestHoldNs.accumulateAndGet(System.nanoTime() - (next[0] - delayNs), Math::max);
                if (next[1] == 5)
                {
                    out.write(hit);
                }
                else if (next[1] >= 2)
                {
                    final String id = (next[1] & 8) != 0 ? "\"id\":1," : "";
                    final String body = switch ((int)(next[1] & 7))
                    {
                        case 3 -> "{" + id + "\"value\":null}\n";
                        case 4 -> "{" + id + "\"error\":\"ERR value is not an integer or out of range\"}\n";
                        default -> id.isEmpty() ? "{}\n" : "{\"id\":1}\n";
                    };
                    out.write(body.getBytes(StandardCharsets.UTF_8));
                }
                else
                {
                    out.write(next[1] == 1 ? nil : ok);
                }
                if (due.isEmpty())
                {
                    out.flush();
                }
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            // The client went away or the test closed the server.
        }
    }

    private String line(final InputStream in) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        int b;
        while ((b = in.read()) != -1)
        {
            if (b == '\r' && !json)
            {
                in.read();
                return text.toString();
            }
            if (b == '\n' && json)
            {
                return text.toString();
            }
            text.append((char)b);
        }
        return null;
    }

    /** Reply codes for JSON: 2 {}, 3 value null, 4 error; plus 8 when the request had "id":1. */
    private static long jsonReply(final String request)
    {
        final long id = request.contains("\"id\":1") ? 8 : 0;
        if (request.contains("\"cmd\":\"get\""))
        {
            return 3 | id;
        }
        if (request.contains("\"cmd\":\"incr\""))
        {
            return 4 | id;
        }
        return 2 | id;
    }

    @Override
    public void close() throws IOException
    {
        server.close();
        for (final Socket socket : sockets)
        {
            socket.close();
        }
    }
}
