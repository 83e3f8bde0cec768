package io.ringkv.core.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgingClimberTest
{
    private static final long KEYS = 10_000;
    private final AgingClimber climber = new AgingClimber();

    @Test
    void agesFasterWhenRejectedNewKeysComeBack()
    {
        final double recency = climber.recency();
        final int aging = climber.agingPeriod();
        sample(EvictionGhosts.RECENCY, 100, 100);
        assertTrue(climber.recency() > recency, "recency " + climber.recency());
        assertTrue(climber.agingPeriod() < aging, "aging " + climber.agingPeriod());
    }

    @Test
    void agesSlowerWhenEvictedMainKeysComeBack()
    {
        final double recency = climber.recency();
        final int aging = climber.agingPeriod();
        sample(EvictionGhosts.FREQUENCY, 100, 100);
        assertTrue(climber.recency() < recency, "recency " + climber.recency());
        assertTrue(climber.agingPeriod() > aging, "aging " + climber.agingPeriod());
    }

    @Test
    void weighsEachSidesReturnsByTheKeysItEvicted()
    {
        // 50 of the contest's 1,000 rejections came back (5%) against 20 of the main region's 100 evictions (20%):
        // the main region was wrong more often, although fewer of its keys came back.
        final double recency = climber.recency();
        for (int i = 0; i < 1000; i++)
        {
            climber.evicted(EvictionGhosts.RECENCY);
        }
        for (int i = 0; i < 100; i++)
        {
            climber.evicted(EvictionGhosts.FREQUENCY);
        }
        final long sample = AgingClimber.sampleLength(KEYS);
        for (long i = 0; i < sample; i++)
        {
            climber.inserted(i < 50 ? EvictionGhosts.RECENCY : i < 70 ? EvictionGhosts.FREQUENCY : EvictionGhosts.NONE,
                KEYS);
        }
        assertTrue(climber.recency() < recency, "recency " + climber.recency());
    }

    @Test
    void movesOnlyOnceASampleOfNewKeysCameAndStaysWithinItsBounds()
    {
        final double recency = climber.recency();
        final long sample = AgingClimber.sampleLength(KEYS);
        for (long i = 0; i < sample - 1; i++)
        {
            assertFalse(climber.inserted(EvictionGhosts.RECENCY, KEYS));
        }
        assertEquals(recency, climber.recency());
        assertTrue(climber.inserted(EvictionGhosts.RECENCY, KEYS));
        for (int i = 0; i < 20; i++)
        {
            sample(EvictionGhosts.RECENCY, 10, 10);
        }
        assertEquals(1, climber.recency());
        assertEquals(AgingClimber.FASTEST_AGING, climber.agingPeriod());
        for (int i = 0; i < 20; i++)
        {
            sample(EvictionGhosts.FREQUENCY, 10, 10);
        }
        assertEquals(0, climber.recency());
        assertEquals(AgingClimber.SLOWEST_AGING, climber.agingPeriod());
        climber.reset();
        assertEquals(recency, climber.recency());
    }

    @Test
    void standsStillWhenNeitherSideWasWrong()
    {
        final double recency = climber.recency();
        sample(EvictionGhosts.NONE, 100, 100);
        assertEquals(recency, climber.recency());
    }

    /** One sample: evictions by each side, then a sample's worth of new keys, the first 30 of them ghosts of side. */
    private void sample(final int side, final int recencyEvictions, final int frequencyEvictions)
    {
        for (int i = 0; i < recencyEvictions; i++)
        {
            climber.evicted(EvictionGhosts.RECENCY);
        }
        for (int i = 0; i < frequencyEvictions; i++)
        {
            climber.evicted(EvictionGhosts.FREQUENCY);
        }
        final long sample = AgingClimber.sampleLength(KEYS);
        for (long i = 0; i < sample; i++)
        {
            climber.inserted(i < 30 ? side : EvictionGhosts.NONE, KEYS);
        }
    }
}
