package io.ringkv.loadgen.run;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntendedTimeRingTest
{
    @Test
    void fullAndEmpty()
    {
        final IntendedTimeRing ring = new IntendedTimeRing(4);
        assertEquals(IntendedTimeRing.EMPTY, ring.poll());
        for (int i = 0; i < 4; i++)
        {
            assertTrue(ring.offer(i));
        }
        assertFalse(ring.offer(4));
        assertEquals(0, ring.poll());
        assertTrue(ring.offer(4));
        for (int i = 1; i <= 4; i++)
        {
            assertEquals(i, ring.poll());
        }
        assertEquals(IntendedTimeRing.EMPTY, ring.poll());
        assertThrows(IllegalArgumentException.class, () -> new IntendedTimeRing(6));
    }

    @Test
    void oneProducerOneConsumerSeeEveryEntryInOrder() throws InterruptedException
    {
        final IntendedTimeRing ring = new IntendedTimeRing(64);
        final int count = 500_000;
        final Thread producer = Thread.ofPlatform().start(() ->
        {
            for (long i = 0; i < count; i++)
            {
                while (!ring.offer(i, i * 3 + 1))
                {
                    Thread.onSpinWait();
                }
            }
        });
        for (long expected = 0; expected < count; expected++)
        {
            long entry;
            while ((entry = ring.poll()) == IntendedTimeRing.EMPTY)
            {
                Thread.onSpinWait();
            }
            assertEquals(expected, entry);
            assertEquals(expected * 3 + 1, ring.polledPayload(), "the payload travels with its entry");
        }
        producer.join();
        assertEquals(IntendedTimeRing.EMPTY, ring.poll());
    }
}
