package io.ringkv.core.store;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EvictionGhostsTest
{
    private final EvictionGhosts ghosts = new EvictionGhosts();

    @Test
    void tellsWhichSideEvictedAKeyThatComesBackOnce()
    {
        ghosts.evicted(0x1234_5678L, EvictionGhosts.RECENCY);
        ghosts.evicted(0x0BAD_CAFEL, EvictionGhosts.FREQUENCY);
        assertEquals(EvictionGhosts.RECENCY, ghosts.returned(0x1234_5678L));
        assertEquals(EvictionGhosts.FREQUENCY, ghosts.returned(0x0BAD_CAFEL));
        assertEquals(EvictionGhosts.NONE, ghosts.returned(0x1234_5678L), "a ghost is counted once");
        assertEquals(EvictionGhosts.NONE, ghosts.returned(0x7777_7777L), "never evicted");
    }

    @Test
    void theLastEvictionOfAKeyDecidesAndClearForgetsAll()
    {
        ghosts.evicted(42, EvictionGhosts.RECENCY);
        ghosts.evicted(42, EvictionGhosts.FREQUENCY);
        assertEquals(EvictionGhosts.FREQUENCY, ghosts.returned(42));
        ghosts.evicted(43, EvictionGhosts.RECENCY);
        ghosts.clear();
        assertEquals(EvictionGhosts.NONE, ghosts.returned(43));
    }

    @Test
    void remembersManyEvictionsOnceSizedForTheKeys()
    {
        ghosts.ensureCapacity(200_000);
        final long[] hashes = new SplittableRandom(42).longs(50_000, 0, 1L << 32).toArray();
        int remembered = 0;
        for (final long hash : hashes)
        {
            ghosts.evicted(hash, EvictionGhosts.RECENCY);
        }
        for (final long hash : hashes)
        {
            remembered += ghosts.returned(hash) == EvictionGhosts.RECENCY ? 1 : 0;
        }
        // 50,000 ghosts in 131,072 direct-mapped slots: collisions lose about a sixth.
        assertEquals(41_500, remembered, 2_500);
    }
}
