import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Blocking-command measurements for blocking-handover.sh, run as a single-file program (java BlockingHandover.java):
 * <ul>
 *   <li>{@code handover HOST PORT CONSUMERS PRODUCERS RATE SECONDS}: CONSUMERS connections loop on BRPOP of their
 *   own key; PRODUCERS connections LPUSH the current System.nanoTime() to the keys in turn, RATE pushes a second in
 *   all; each consumer notes the time from the push to the BRPOP reply (the hand-over latency: the push's trip, the
 *   serving of the blocked client in the engine, the reply's trip). Prints p50/p90/p99/p99.9/max in microseconds.</li>
 *   <li>{@code idle HOST PORT CLIENTS SECONDS}: CLIENTS connections block in BLPOP on distinct keys, stay blocked
 *   for SECONDS (the script measures the server's CPU meanwhile), then close.</li>
 * </ul>
 * Only the JDK; producers and consumers are platform threads, so the load generator's own scheduling is simple.
 */
public final class BlockingHandover
{
    public static void main(final String[] args) throws Exception
    {
        if ("handover".equals(args[0]))
        {
            handover(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        }
        else
        {
            idle(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        }
    }

    private static byte[] request(final String... words)
    {
        final StringBuilder out = new StringBuilder().append('*').append(words.length).append("\r\n");
        for (final String word : words)
        {
            out.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String line(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n')
        {
            if (b < 0)
            {
                throw new IOException("closed");
            }
            if (b != '\r')
            {
                line.append((char)b);
            }
        }
        return line.toString();
    }

    /** Reads one reply; returns the last bulk string of a flat array, or the line. */
    private static String reply(final InputStream in) throws IOException
    {
        final String head = line(in);
        if (head.charAt(0) != '*')
        {
            return head;
        }
        String last = null;
        for (int i = 0, n = Integer.parseInt(head.substring(1)); i < n; i++)
        {
            final String bulk = line(in);
            final int length = Integer.parseInt(bulk.substring(1));
            final byte[] bytes = in.readNBytes(length + 2);
            last = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }
        return last;
    }

    private static void handover(final String host, final int port, final int consumers, final int producers,
        final int rate, final int seconds) throws Exception
    {
        final long[][] samples = new long[consumers][];
        final int[] counts = new int[consumers];
        final List<Thread> threads = new ArrayList<>();
        final long expectedPerConsumer = (long)rate * seconds / consumers + 1000;
        for (int c = 0; c < consumers; c++)
        {
            final int consumer = c;
            samples[c] = new long[(int)Math.min(expectedPerConsumer, 50_000_000)];
            final Socket socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            threads.add(Thread.ofPlatform().start(() ->
            {
                try (socket)
                {
                    final OutputStream out = socket.getOutputStream();
                    final InputStream in = new BufferedInputStream(socket.getInputStream());
                    final byte[] brpop = request("BRPOP", "hq:" + consumer, "0");
                    while (true)
                    {
                        out.write(brpop);
                        final String value = reply(in);
                        final long now = System.nanoTime();
                        if ("stop".equals(value))
                        {
                            return;
                        }
                        if (counts[consumer] < samples[consumer].length)
                        {
                            samples[consumer][counts[consumer]++] = now - Long.parseLong(value);
                        }
                    }
                }
                catch (final IOException ex)
                {
                    throw new RuntimeException(ex);
                }
            }));
        }
        Thread.sleep(500); // every consumer blocked
        final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        final long intervalNs = 1_000_000_000L * producers / rate;
        final List<Thread> pushers = new ArrayList<>();
        for (int p = 0; p < producers; p++)
        {
            final int producer = p;
            pushers.add(Thread.ofPlatform().start(() ->
            {
                try (Socket socket = new Socket(host, port))
                {
                    socket.setTcpNoDelay(true);
                    final OutputStream out = socket.getOutputStream();
                    final InputStream in = new BufferedInputStream(socket.getInputStream());
                    long next = System.nanoTime();
                    for (int k = producer; System.nanoTime() < endNs; k += producers)
                    {
                        next += intervalNs;
                        final long wait = next - System.nanoTime();
                        if (wait > 0)
                        {
                            LockSupport.parkNanos(wait);
                        }
                        out.write(request("LPUSH", "hq:" + (k % consumers), Long.toString(System.nanoTime())));
                        line(in);
                    }
                }
                catch (final IOException ex)
                {
                    throw new RuntimeException(ex);
                }
            }));
        }
        for (final Thread pusher : pushers)
        {
            pusher.join();
        }
        Thread.sleep(200);
        try (Socket socket = new Socket(host, port))
        {
            final OutputStream out = socket.getOutputStream();
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int c = 0; c < consumers; c++)
            {
                out.write(request("LPUSH", "hq:" + c, "stop")); // behind anything still queued
                line(in);
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
            for (int c = 0; c < consumers; c++)
            {
                out.write(request("DEL", "hq:" + c)); // nothing left for the next round
                line(in);
            }
        }
        int total = 0;
        for (final int count : counts)
        {
            total += count;
        }
        final long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < consumers; c++)
        {
            System.arraycopy(samples[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        System.out.printf("handovers=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f%n", total,
            at(all, 0.50), at(all, 0.90), at(all, 0.99), at(all, 0.999), all[all.length - 1] / 1000.0);
    }

    private static double at(final long[] sorted, final double quantile)
    {
        return sorted[(int)Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1000.0;
    }

    private static void idle(final String host, final int port, final int clients, final int seconds)
        throws Exception
    {
        final List<Socket> sockets = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++)
        {
            final Socket socket = new Socket(host, port);
            socket.getOutputStream().write(request("BLPOP", "idle:" + i, "0"));
            sockets.add(socket);
        }
        try (Socket control = new Socket(host, port))
        {
            final OutputStream out = control.getOutputStream();
            final InputStream in = new BufferedInputStream(control.getInputStream());
            while (true)
            {
                out.write(request("INFO", "clients"));
                final String header = line(in);
                final String info = new String(in.readNBytes(Integer.parseInt(header.substring(1)) + 2),
                    StandardCharsets.ISO_8859_1);
                final int from = info.indexOf("blocked_clients:") + 16;
                if (Integer.parseInt(info.substring(from, info.indexOf('\r', from))) >= clients)
                {
                    break;
                }
                Thread.sleep(50);
            }
        }
        System.out.println("blocked " + clients);
        System.out.flush();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        for (final Socket socket : sockets)
        {
            socket.close();
        }
    }
}
