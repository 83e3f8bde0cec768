package io.ringkv.bench.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop load of transactions as client libraries send them: each connection writes MULTI, SET key value and
 * EXEC in one write and waits for the three replies, again and again; prints transactions per second. With
 * {@code plain} it sends a lone SET instead, for the same client's cost of one round trip without a transaction.
 * bench/scripts/tx-throughput.sh runs it against ringkv and redis-server in alternating rounds.
 * <pre>
 *   java -cp ... io.ringkv.bench.net.TransactionThroughput PORT SECONDS CONNECTIONS KEYSPACE [multi|plain]
 * </pre>
 */
public final class TransactionThroughput
{
    private TransactionThroughput()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int port = Integer.parseInt(args[0]);
        final long seconds = Long.parseLong(args[1]);
        final int connections = Integer.parseInt(args[2]);
        final int keyspace = Integer.parseInt(args[3]);
        final boolean multi = args.length < 5 || "multi".equals(args[4]);
        final AtomicBoolean stop = new AtomicBoolean();
        final LongAdder done = new LongAdder();
        final Thread[] threads = new Thread[connections];
        for (int c = 0; c < connections; c++)
        {
            threads[c] = Thread.ofPlatform().start(() -> load(port, keyspace, multi, stop, done));
        }
        Thread.sleep(1_000); // warm-up, not counted
        final long start = System.nanoTime();
        final long before = done.sum();
        Thread.sleep(seconds * 1_000);
        final long count = done.sum() - before;
        final double elapsed = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        for (final Thread thread : threads)
        {
            thread.join();
        }
        System.out.printf("%s %d %.0f%n", multi ? "multi" : "plain", count, count / elapsed);
    }

    private static void load(
        final int port, final int keyspace, final boolean multi, final AtomicBoolean stop, final LongAdder done)
    {
        final byte[][] requests = new byte[Math.min(keyspace, 1024)][];
        for (int i = 0; i < requests.length; i++)
        {
            final String key = String.format("key:%012d", ThreadLocalRandom.current().nextInt(keyspace));
            final String set = "*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$32\r\n" + "v".repeat(32) +
                "\r\n";
            requests[i] = (multi ? "*1\r\n$5\r\nMULTI\r\n" + set + "*1\r\n$4\r\nEXEC\r\n" : set)
                .getBytes(StandardCharsets.US_ASCII);
        }
        // Replies: +OK, +QUEUED, *1 then +OK: four lines; a plain SET: one.
        final int lines = multi ? 4 : 1;
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setTcpNoDelay(true);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[4096];
            int next = 0;
            while (!stop.get())
            {
                out.write(requests[next]);
                next = next + 1 == requests.length ? 0 : next + 1;
                int seen = 0;
                while (seen < lines)
                {
                    final int read = in.read(buffer);
                    if (read < 0)
                    {
                        throw new IOException("closed");
                    }
                    for (int i = 0; i < read; i++)
                    {
                        if (buffer[i] == '-')
                        {
                            throw new IOException("error reply: " + new String(buffer, 0, read));
                        }
                        seen += buffer[i] == '\n' ? 1 : 0;
                    }
                }
                done.increment();
            }
        }
        catch (final IOException ex)
        {
            if (!stop.get())
            {
                throw new RuntimeException(ex);
            }
        }
    }
}
