package io.ringkv.replication.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Random;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica's feed hands every byte over in order from the encoder's thread to the sender's, across chunk
 * boundaries and partial socket writes, and gives up (overflows) past its limit instead of growing without bound.
 */
class ReplicaFeedTest
{
    @Test
    void everyLineArrivesInOrderAcrossChunksAndPartialWrites() throws Exception
    {
        final ReplicaFeed feed = new ReplicaFeed(1, 1L << 30);
        feed.claim();
        feed.adopt(1);
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        final Random random = new Random(9);
        // Mostly short lines, now and then one longer than a chunk.
        final byte[][] content = randomLines(random, 20_000, expected,
            i -> i % 997 == 0 ? ReplicaFeed.CHUNK_BYTES + 1 + random.nextInt(1000) : 1 + random.nextInt(300));
        final Thread producer = producer(feed, content, 64);
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final Random socket = new Random(11);
        final WritableByteChannel slowSocket =
            socket(received, () -> socket.nextInt(4) == 0 ? 0 : socket.nextInt(70_000));
        producer.start();
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (received.size() < expected.size() && System.nanoTime() < deadline)
        {
            feed.writeTo(slowSocket);
        }
        producer.join();
        assertFalse(feed.overflowed());
        assertEquals(0, feed.heldBytes());
        assertArrayEquals(expected.toByteArray(), received.toByteArray());
    }

    @Test
    void whileTheSenderWaitsTheProducerWritesLinesItselfAndWakesItOnlyForWhatTheSocketLeft() throws Exception
    {
        final ReplicaFeed feed = new ReplicaFeed(1, 1L << 30);
        feed.claim();
        feed.adopt(1);
        final int[] wakes = {0};
        feed.wakeWith(() -> wakes[0]++);
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final int[] room = {Integer.MAX_VALUE};
        feed.producerWrites(socket(received, () -> room[0]));
        final UnsafeBuffer line = new UnsafeBuffer("{\"cmd\":\"log\"}\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        feed.append(1, line, 0, line.capacity());
        feed.signal();
        assertEquals(0, received.size(), "an awake sender writes its lines itself");
        assertEquals(0, wakes[0]);
        assertTrue(feed.writeTo(socket(received, () -> room[0])));

        assertTrue(feed.armWait(), "nothing held: the sender may block");
        feed.append(2, line, 0, line.capacity());
        feed.signal();
        assertEquals(2 * line.capacity(), received.size(), "written by the producer, in the waiting sender's place");
        assertEquals(0, feed.heldBytes());
        assertEquals(0, wakes[0], "nothing left for the sender: no wake-up");

        room[0] = 5;
        feed.append(3, line, 0, line.capacity());
        feed.signal();
        assertEquals(1, wakes[0], "the socket took part of the line: the sender is woken for the rest");
        feed.disarm();
        room[0] = Integer.MAX_VALUE;
        assertTrue(feed.writeTo(socket(received, () -> room[0])));
        assertEquals(3 * line.capacity(), received.size());
    }

    @Test
    void producerAndWaitingSenderTogetherHandOverEveryByteInOrder() throws Exception
    {
        final ReplicaFeed feed = new ReplicaFeed(1, 1L << 30);
        feed.claim();
        feed.adopt(1);
        final Thread consumer = Thread.currentThread();
        feed.wakeWith(() -> java.util.concurrent.locks.LockSupport.unpark(consumer));
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final Random random = new Random(5);
        final WritableByteChannel slowSocket =
            socket(received, () -> random.nextInt(3) == 0 ? 0 : random.nextInt(5000));
        feed.producerWrites(slowSocket);
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        final byte[][] content = randomLines(random, 50_000, expected, i -> 1 + random.nextInt(200));
        final Thread producer = producer(feed, content, 8);
        producer.start();
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (received.size() < expected.size() && System.nanoTime() < deadline)
        {
            if (feed.writeTo(slowSocket) && feed.armWait())
            {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
            feed.disarm();
        }
        producer.join();
        assertEquals(0, feed.heldBytes());
        assertArrayEquals(expected.toByteArray(), received.toByteArray());
    }

    private static byte[][] randomLines(
        final Random random, final int lines, final ByteArrayOutputStream expected, final IntUnaryOperator length)
    {
        final byte[][] content = new byte[lines][];
        for (int i = 0; i < lines; i++)
        {
            content[i] = new byte[length.applyAsInt(i)];
            random.nextBytes(content[i]);
            expected.writeBytes(content[i]);
        }
        return content;
    }

    /**
     * The encoder's part: appends the lines as records 1, 2, ..., signalling after every {@code signalEvery}.
     */
    private static Thread producer(final ReplicaFeed feed, final byte[][] content, final int signalEvery)
    {
        return new Thread(() ->
        {
            for (int i = 0; i < content.length; i++)
            {
                feed.append(i + 1, new UnsafeBuffer(content[i]), 0, content[i].length);
                if (i % signalEvery == 0)
                {
                    feed.signal();
                }
            }
            feed.signal();
        });
    }

    /**
     * A socket that takes {@code room} bytes at most per write (0: it is full).
     */
    private static WritableByteChannel socket(final ByteArrayOutputStream received, final IntSupplier room)
    {
        return new WritableByteChannel()
        {
            @Override
            public int write(final ByteBuffer source)
            {
                final int accepted = Math.min(source.remaining(), room.getAsInt());
                for (int i = 0; i < accepted; i++)
                {
                    received.write(source.get());
                }
                return accepted;
            }

            @Override
            public boolean isOpen()
            {
                return true;
            }

            @Override
            public void close()
            {
            }
        };
    }

    @Test
    void recordsBeforeTheStartAreSkippedAndTheLimitOverflowsTheFeedForGood() throws Exception
    {
        final ReplicaFeed feed = new ReplicaFeed(10, 1000);
        feed.claim();
        feed.adopt(5);
        assertEquals(10, feed.startRecord(), "never before the replica's first record");
        final UnsafeBuffer line = new UnsafeBuffer(new byte[400]);
        feed.append(9, line, 0, 400);
        assertEquals(0, feed.heldBytes());
        feed.append(10, line, 0, 400);
        feed.append(11, line, 0, 400);
        assertEquals(800, feed.heldBytes());
        assertFalse(feed.overflowed());
        feed.append(12, line, 0, 400);
        assertTrue(feed.overflowed(), "1,200 bytes held is past the limit");
        assertTrue(feed.isDone());
        feed.append(13, line, 0, 10);
        assertEquals(800, feed.heldBytes(), "nothing is appended after an overflow");
    }

    @Test
    void aFeedNoSenderClaimedGivesUpEarly()
    {
        final ReplicaFeed feed = new ReplicaFeed(1, 1L << 30);
        feed.adopt(1);
        final UnsafeBuffer line = new UnsafeBuffer(new byte[64 * 1024]);
        long record = 1;
        while (!feed.overflowed() && record < 10_000)
        {
            feed.append(record++, line, 0, line.capacity());
        }
        assertTrue(feed.overflowed());
        assertTrue(feed.heldBytes() <= ReplicaFeed.UNCLAIMED_LIMIT_BYTES);
    }
}
