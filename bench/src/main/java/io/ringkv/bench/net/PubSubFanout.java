package io.ringkv.bench.net;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Pub/Sub fan-out against any RESP server (ringkv or redis-server), for bench/scripts/pubsub-fanout.sh:
 * <ol>
 *   <li>throughput: N subscribers on one channel; one publisher pipelines PUBLISH (depth 32) for the given
 *   seconds; reports PUBLISH calls/s and messages delivered/s (every subscriber counts what it received);</li>
 *   <li>latency: one publisher sends one PUBLISH at a time at a fixed rate; each message carries its send time
 *   ({@link System#nanoTime()}, the same JVM reads it on arrival); every delivery's publish-to-deliver time goes
 *   into one histogram: p50, p99, max.</li>
 * </ol>
 * Usage: {@code PubSubFanout <port> <subscribers> <throughput seconds> <latency messages/s> <latency seconds>}.
 * Prints one line of {@code key=value} figures. Loopback only; bounded in time.
 */
public final class PubSubFanout
{
    private static final String CHANNEL = "bench:fanout";
    private static final int PAYLOAD_LENGTH = 32;
    private static final int PIPELINE = 32;
    /** What each message looks like on a RESP2 subscriber's socket: fixed length, the payload at its end. */
    private static final int MESSAGE_LENGTH = ("*3\r\n$7\r\nmessage\r\n$" + CHANNEL.length() + "\r\n" + CHANNEL +
        "\r\n$" + PAYLOAD_LENGTH + "\r\n").length() + PAYLOAD_LENGTH + 2;

    private PubSubFanout()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int port = Integer.parseInt(args[0]);
        final int subscriberCount = Integer.parseInt(args[1]);
        final int throughputSeconds = Integer.parseInt(args[2]);
        final int latencyRate = Integer.parseInt(args[3]);
        final int latencySeconds = Integer.parseInt(args[4]);

        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final AtomicLong delivered = new AtomicLong();
        final List<Subscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < subscriberCount; i++)
        {
            subscribers.add(new Subscriber(port, delivered, latency));
        }
        for (final Subscriber subscriber : subscribers)
        {
            subscriber.awaitSubscribed();
        }

        try (Socket publisher = new Socket("127.0.0.1", port))
        {
            publisher.setTcpNoDelay(true);
            final OutputStream out = publisher.getOutputStream();
            final InputStream in = publisher.getInputStream();

            // Throughput: pipelined PUBLISH, replies counted as they come.
            final byte[] batch = publishes(PIPELINE, "t".repeat(PAYLOAD_LENGTH));
            final long startNs = System.nanoTime();
            final long endNs = startNs + TimeUnit.SECONDS.toNanos(throughputSeconds);
            long published = 0;
            final long deliveredBefore = delivered.get();
            while (System.nanoTime() < endNs)
            {
                out.write(batch);
                out.flush();
                readReplies(in, PIPELINE);
                published += PIPELINE;
            }
            final long elapsedNs = System.nanoTime() - startNs;
            // Let the subscribers catch up (bounded), then count.
            final long expected = deliveredBefore + published * subscriberCount;
            final long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (delivered.get() < expected && System.nanoTime() < waitUntil)
            {
                Thread.sleep(5);
            }
            final long drainedNs = System.nanoTime() - startNs;
            final long got = delivered.get() - deliveredBefore;

            // Latency: one PUBLISH at a time at a fixed rate.
            latency.reset();
            Subscriber.timing = true;
            final long intervalNs = TimeUnit.SECONDS.toNanos(1) / latencyRate;
            final long latencyEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(latencySeconds);
            long next = System.nanoTime();
            while (next < latencyEnd)
            {
                while (System.nanoTime() < next)
                {
                    LockSupport.parkNanos(Math.max(1000, next - System.nanoTime() - 50_000));
                }
                out.write(publishes(1, String.format("%019d", System.nanoTime()) + "x".repeat(PAYLOAD_LENGTH - 19)));
                out.flush();
                readReplies(in, 1);
                next += intervalNs;
            }
            Thread.sleep(200);
            Subscriber.timing = false;
            synchronized (latency)
            {
                System.out.printf("subscribers=%d publish_per_s=%.0f delivered_per_s=%.0f delivered_all=%s " +
                        "p50_us=%.1f p99_us=%.1f max_us=%.1f samples=%d%n",
                    subscriberCount, published * 1e9 / elapsedNs, got * 1e9 / drainedNs, got == published *
                        subscriberCount, latency.getValueAtPercentile(50) / 1e3,
                    latency.getValueAtPercentile(99) / 1e3, latency.getMaxValue() / 1e3, latency.getTotalCount());
            }
        }
        for (final Subscriber subscriber : subscribers)
        {
            subscriber.close();
        }
    }

    private static byte[] publishes(final int count, final String payload)
    {
        final String one = "*3\r\n$7\r\nPUBLISH\r\n$" + CHANNEL.length() + "\r\n" + CHANNEL + "\r\n$" +
            payload.length() + "\r\n" + payload + "\r\n";
        return one.repeat(count).getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads {@code count} integer replies (":n\r\n"). */
    private static void readReplies(final InputStream in, final int count) throws IOException
    {
        int lines = 0;
        while (lines < count)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("publisher connection closed");
            }
            if (b == '\n')
            {
                lines++;
            }
        }
    }

    /** One subscriber on its own platform thread: counts fixed-length messages and times those that carry one. */
    private static final class Subscriber implements Runnable
    {
        static volatile boolean timing;

        private final Socket socket;
        private final AtomicLong delivered;
        private final Histogram latency;
        private final CountDownLatch subscribed = new CountDownLatch(1);
        private final Thread thread;

        Subscriber(final int port, final AtomicLong delivered, final Histogram latency) throws IOException
        {
            this.socket = new Socket("127.0.0.1", port);
            this.delivered = delivered;
            this.latency = latency;
            socket.getOutputStream().write(("SUBSCRIBE " + CHANNEL + "\r\n").getBytes(StandardCharsets.US_ASCII));
            thread = Thread.ofPlatform().daemon().start(this);
        }

        void awaitSubscribed() throws InterruptedException
        {
            subscribed.await(10, TimeUnit.SECONDS);
        }

        @Override
        public void run()
        {
            try
            {
                final InputStream in = socket.getInputStream();
                final int confirmation = ("*3\r\n$9\r\nsubscribe\r\n$" + CHANNEL.length() + "\r\n" + CHANNEL +
                    "\r\n:1\r\n").length();
                in.readNBytes(confirmation);
                subscribed.countDown();
                final byte[] buffer = new byte[MESSAGE_LENGTH * 256];
                int filled = 0;
                while (true)
                {
                    final int n = in.read(buffer, filled, buffer.length - filled);
                    if (n < 0)
                    {
                        return;
                    }
                    filled += n;
                    final long nowNs = System.nanoTime();
                    int at = 0;
                    int messages = 0;
                    while (filled - at >= MESSAGE_LENGTH)
                    {
                        if (timing)
                        {
                            final int payload = at + MESSAGE_LENGTH - 2 - PAYLOAD_LENGTH;
                            final long sentNs = Long.parseLong(
                                new String(buffer, payload, 19, StandardCharsets.US_ASCII));
                            synchronized (latency)
                            {
                                latency.recordValue(Math.max(0, nowNs - sentNs));
                            }
                        }
                        at += MESSAGE_LENGTH;
                        messages++;
                    }
                    System.arraycopy(buffer, at, buffer, 0, filled - at);
                    filled -= at;
                    delivered.addAndGet(messages);
                }
            }
            catch (final IOException | NumberFormatException ex)
            {
                // closed at the end of the run
            }
        }

        void close() throws IOException, InterruptedException
        {
            socket.close();
            thread.join(1000);
        }
    }
}
