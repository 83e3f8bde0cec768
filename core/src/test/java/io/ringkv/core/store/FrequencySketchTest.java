package io.ringkv.core.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrequencySketchTest
{
    private FrequencySketch sketch = new FrequencySketch(1024);

    @AfterEach
    void close()
    {
        sketch.close();
    }

    @Test
    void countsEachAccessUpToFifteen()
    {
        assertEquals(0, sketch.frequency(42));
        for (int i = 1; i <= 20; i++)
        {
            sketch.increment(42);
            assertEquals(Math.min(i, FrequencySketch.MAX_COUNT), sketch.frequency(42), "after " + i);
        }
        assertTrue(sketch.frequency(43) < FrequencySketch.MAX_COUNT, "another key keeps its own count");
    }

    @Test
    void estimatesHotKeysAboveColdOnesAmongManyKeys()
    {
        // 1,000 keys counted once each and 10 counted ten times, in a table of 1,024 words.
        for (long k = 0; k < 1000; k++)
        {
            sketch.increment(k * 7919);
        }
        for (int round = 0; round < 10; round++)
        {
            for (long k = 0; k < 10; k++)
            {
                sketch.increment(1_000_000 + k);
            }
        }
        int overestimated = 0;
        for (long k = 0; k < 1000; k++)
        {
            overestimated += sketch.frequency(k * 7919) > 2 ? 1 : 0;
        }
        assertTrue(overestimated < 20, "cold keys estimated above 2: " + overestimated);
        for (long k = 0; k < 10; k++)
        {
            assertTrue(sketch.frequency(1_000_000 + k) >= 9, "hot key " + k + ": " + sketch.frequency(1_000_000 + k));
        }
    }

    @Test
    void halvesEveryCounterOncePerTenIncrementsPerWord()
    {
        for (int i = 0; i < FrequencySketch.MAX_COUNT; i++)
        {
            sketch.increment(42);
        }
        assertEquals(15, sketch.frequency(42));
        // 10 increments per word of other keys age every block once: 15 becomes 7 (give or take what they added).
        final long increments = 10L * sketch.bytes() / Long.BYTES;
        for (long i = 0; i < increments; i++)
        {
            sketch.increment(1_000_000 + i % 50);
        }
        final int aged = sketch.frequency(42);
        assertTrue(aged >= 7 && aged <= 8, "aged once: " + aged);
        for (long i = 0; i < 3 * increments; i++)
        {
            sketch.increment(1_000_000 + i % 50);
        }
        assertTrue(sketch.frequency(42) <= 1, "aged four times: " + sketch.frequency(42));
    }

    @Test
    void agesAsFastAsItsAgingPeriodSays()
    {
        // An eighth of the period: the same increments as one halving at the default age every block eight times.
        sketch.agingPeriod(FrequencySketch.INCREMENTS_PER_AGED_BLOCK / 8);
        for (int i = 0; i < FrequencySketch.MAX_COUNT; i++)
        {
            sketch.increment(42);
        }
        final long increments = 10L * sketch.bytes() / Long.BYTES;
        for (long i = 0; i < increments; i++)
        {
            sketch.increment(1_000_000 + i % 50);
        }
        assertTrue(sketch.frequency(42) <= 1, "halved eight times: " + sketch.frequency(42));
    }

    @Test
    void growsToOneWordPerKeyKeepingEveryCount()
    {
        for (long k = 0; k < 200; k++)
        {
            for (long i = 0; i <= k % 16; i++)
            {
                sketch.increment(k * 104_729);
            }
        }
        final int[] before = new int[200];
        for (int k = 0; k < 200; k++)
        {
            before[k] = sketch.frequency(k * 104_729L);
        }
        assertFalse(sketch.ensureCapacity(1024), "1,024 keys fit");
        assertTrue(sketch.ensureCapacity(5000));
        assertEquals(8192 * Long.BYTES, sketch.bytes());
        for (int k = 0; k < 200; k++)
        {
            assertEquals(before[k], sketch.frequency(k * 104_729L), "key " + k);
        }
    }
}
