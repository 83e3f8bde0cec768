package io.ringkv.core.store;

import org.junit.jupiter.api.Test;

import static io.ringkv.core.store.HitRatioSimulation.Workload.ZIPFIAN;
import static io.ringkv.core.store.HitRatioSimulation.Workload.ZIPFIAN_MOVING;
import static io.ringkv.core.store.HitRatioSimulation.Workload.ZIPFIAN_SCAN;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * allkeys-tinylfu against allkeys-lru and allkeys-lfu on simulated cache-aside traffic (one seed, so the same
 * numbers every run): it must beat LFU where frequency matters (a stable zipfian, and one with scans) and LRU on the
 * scans, which flush LRU. The moving hot set is where it does not beat LRU (docs/eviction.md); it must still beat LFU.
 * Its climber must move the right way: the sketch forgets faster for a hot set that moves, slower for a stable one.
 */
class TinyLfuHitRatioTest
{
    private static final int KEYS = 20_000;
    private static final long PERIOD = 30_000;
    private static final long REQUESTS = 300_000;

    private final HitRatioSimulation simulation = new HitRatioSimulation(KEYS, 0.99, 100);
    private final long budget = simulation.workingSetBytes() / 5;

    @Test
    void beatsLfuOnAStableZipfian()
    {
        final double tinyLfu = ratio(EvictionPolicy.ALLKEYS_TINYLFU, ZIPFIAN);
        final double lfu = ratio(EvictionPolicy.ALLKEYS_LFU, ZIPFIAN);
        assertTrue(tinyLfu > lfu, "tinylfu " + tinyLfu + " lfu " + lfu);
    }

    @Test
    void beatsLfuAndLruThroughScans()
    {
        final double tinyLfu = ratio(EvictionPolicy.ALLKEYS_TINYLFU, ZIPFIAN_SCAN);
        final double lfu = ratio(EvictionPolicy.ALLKEYS_LFU, ZIPFIAN_SCAN);
        final double lru = ratio(EvictionPolicy.ALLKEYS_LRU, ZIPFIAN_SCAN);
        assertTrue(tinyLfu > lfu && tinyLfu > lru + 0.03, "tinylfu " + tinyLfu + " lfu " + lfu + " lru " + lru);
    }

    @Test
    void followsAMovingHotSetBetterThanLfu()
    {
        final double tinyLfu = ratio(EvictionPolicy.ALLKEYS_TINYLFU, ZIPFIAN_MOVING);
        final double lfu = ratio(EvictionPolicy.ALLKEYS_LFU, ZIPFIAN_MOVING);
        assertTrue(tinyLfu > lfu, "tinylfu " + tinyLfu + " lfu " + lfu);
    }

    @Test
    void theSketchLearnsToForgetFasterOnAMovingHotSetAndSlowerOnAStableOne()
    {
        final long tenth = budget / 2;
        final double initial = AgingClimber.INITIAL_RECENCY;

        simulation.hitRatio(EvictionPolicy.ALLKEYS_TINYLFU, tenth, ZIPFIAN_MOVING, REQUESTS / 2, REQUESTS, PERIOD, 42);
        final double moving = simulation.meanRecency;
        simulation.hitRatio(EvictionPolicy.ALLKEYS_TINYLFU, tenth, ZIPFIAN, REQUESTS / 2, REQUESTS, PERIOD, 42);
        final double stable = simulation.meanRecency;

        assertTrue(moving > 2 * initial, "moving: recency " + moving + " on average, from " + initial);
        assertTrue(stable < initial / 2, "stable: recency " + stable + " on average, from " + initial);
    }

    private double ratio(final EvictionPolicy policy, final HitRatioSimulation.Workload workload)
    {
        return simulation.hitRatio(policy, budget, workload, REQUESTS / 2, REQUESTS, PERIOD, 42);
    }
}
