package io.ringkv.loadgen.workload;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frequencies of the key distributions against their exact probabilities. Seeds are fixed, so a failure
 * reproduces; the thresholds are chi-square critical values at p = 0.001.
 */
class KeyDistributionTest
{
    private static final long SEED = 0x5EEDL;

    @Test
    void zipfianMatchesZipfsLawAtEveryRank()
    {
        final int n = 50;
        final int samples = 200_000;
        final ZipfianKeyDistribution zipf = new ZipfianKeyDistribution(n, 0.99, new SplittableRandom(SEED));
        final long[] counts = sample(zipf, n, samples);
        double chiSquare = 0;
        for (int k = 0; k < n; k++)
        {
            final double expected = samples * zipf.probability(k);
            chiSquare += (counts[k] - expected) * (counts[k] - expected) / expected;
        }
        // 49 degrees of freedom: 85.35 at p = 0.001.
        assertTrue(chiSquare < 85.35, "chi-square " + chiSquare);
        // The hottest key is key 0, with about 1/H(50, 0.99) = 22% of the draws.
        assertEquals(zipf.probability(0), counts[0] / (double)samples, 0.005);
        assertTrue(counts[0] > counts[1] && counts[1] > counts[2] && counts[2] > counts[10]);
    }

    @Test
    void zipfianHandlesThetaAboveOne()
    {
        final int n = 1000;
        final int samples = 200_000;
        final ZipfianKeyDistribution zipf = new ZipfianKeyDistribution(n, 1.5, new SplittableRandom(SEED));
        final long[] counts = sample(zipf, n, samples);
        for (int k = 0; k < 5; k++)
        {
            final double p = zipf.probability(k);
            final double sigma = Math.sqrt(samples * p * (1 - p));
            assertEquals(samples * p, counts[k], 5 * sigma, "rank " + (k + 1));
        }
    }

    @Test
    void zipfianOverAHugeKeySpaceStaysInRangeWithoutSetUpCost()
    {
        final long n = 1L << 40;
        final ZipfianKeyDistribution zipf = new ZipfianKeyDistribution(n, 0.99, new SplittableRandom(SEED));
        long zeros = 0;
        for (int i = 0; i < 100_000; i++)
        {
            final long key = zipf.nextKey();
            assertTrue(key >= 0 && key < n, "key " + key);
            zeros += key == 0 ? 1 : 0;
        }
        assertTrue(zeros > 1000, "key 0 drawn " + zeros + " times");
    }

    @Test
    void movingHotSetMovesByTheShiftEachPeriodAndKeepsItsShape()
    {
        final long n = 10_000;
        final long[] now = {0};
        final MovingHotSetKeyDistribution moving = new MovingHotSetKeyDistribution(
            new ZipfianKeyDistribution(n, 0.99, new SplittableRandom(SEED)), n, 3_000, 1_000, 0, () -> now[0]);
        final ZipfianKeyDistribution reference = new ZipfianKeyDistribution(n, 0.99, new SplittableRandom(SEED));
        // Same random stream: each key is the reference's rank moved by 3000 per period, modulo the key space.
        for (int period = 0; period < 7; period++)
        {
            now[0] = period * 1_000L + 999;
            final long offset = period * 3_000L % n;
            long hottest = 0;
            for (int i = 0; i < 20_000; i++)
            {
                final long key = moving.nextKey();
                assertTrue(key >= 0 && key < n, "key " + key);
                assertEquals((reference.nextKey() + offset) % n, key, "period " + period);
                hottest += key == offset ? 1 : 0;
            }
            // The hottest key of the period is the shifted rank 1, with its Zipf share (about 10% here).
            assertEquals(reference.probability(0), hottest / 20_000.0, 0.01, "period " + period);
        }
    }

    @Test
    void movingHotSetCatchesUpAfterSleepingThroughPeriods()
    {
        final long[] now = {0};
        final MovingHotSetKeyDistribution moving = new MovingHotSetKeyDistribution(
            new SequentialKeyDistribution(100, 0), 100, 30, 10, 5, () -> now[0]);
        assertEquals(0, moving.nextKey());
        now[0] = 5 + 10 * 4;
        // Four periods at once: 120 mod 100.
        assertEquals(21, moving.nextKey());
        now[0] = 0;
        assertEquals(22, moving.nextKey(), "a clock reading before the origin does not move it back");
    }

    @Test
    void scansProduceKeysNeverSeenBeforeSharedByTheConnections()
    {
        final long n = 1_000;
        final long scanLength = 300;
        final int connections = 3;
        final long[] now = {0};
        final ScanningKeyDistribution[] scanners = new ScanningKeyDistribution[connections];
        for (int c = 0; c < connections; c++)
        {
            scanners[c] = new ScanningKeyDistribution(new ZipfianKeyDistribution(n, 0.99, new SplittableRandom(c)),
                n, scanLength, 1_000_000, 100, 0, () -> now[0], c, connections);
        }
        final java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int c = 0; c < connections; c++)
        {
            for (int i = 0; i < 2_000; i++)
            {
                final long key = scanners[c].nextKey();
                assertTrue(key < n, "no scan before the first period ends: " + key);
                seen.add(key);
            }
        }
        for (int scan = 1; scan <= 4; scan++)
        {
            now[0] = scan * 100L + 7;
            final java.util.List<Long> scanKeys = new java.util.ArrayList<>();
            for (int c = 0; c < connections; c++)
            {
                // A connection's share comes first, in a burst, then the zipfian keys again.
                for (int i = 0; i < scanLength / connections; i++)
                {
                    final long key = scanners[c].nextKey();
                    assertTrue(key >= n, "scan " + scan + " connection " + c + " draw " + i + ": " + key);
                    assertTrue(seen.add(key), "key " + key + " was seen before");
                    scanKeys.add(key);
                }
                for (int i = 0; i < 500; i++)
                {
                    final long key = scanners[c].nextKey();
                    assertTrue(key < n, "scan over, got " + key);
                    seen.add(key);
                }
            }
            // Together the connections walked one run of consecutive keys.
            java.util.Collections.sort(scanKeys);
            assertEquals(scanLength, scanKeys.size());
            assertEquals(scanKeys.get(0) + scanLength - 1, (long)scanKeys.get(scanKeys.size() - 1));
        }
    }

    @Test
    void scanKeysWrapWithinTheirSpaceAndMulModNeverOverflows()
    {
        assertEquals(0, ScanningKeyDistribution.mulMod(0, 5, 7));
        assertEquals(6, ScanningKeyDistribution.mulMod(4, 5, 7));
        final long m = (1L << 60) - 12_345;
        final long a = (1L << 59) + 3;
        final long b = 1L << 40;
        assertEquals(java.math.BigInteger.valueOf(a).multiply(java.math.BigInteger.valueOf(b))
            .mod(java.math.BigInteger.valueOf(m)).longValueExact(), ScanningKeyDistribution.mulMod(a, b, m));
        final long[] now = {0};
        final ScanningKeyDistribution scanner = new ScanningKeyDistribution(
            new SequentialKeyDistribution(10, 0), 10, 4, 10, 1, 0, () -> now[0], 0, 1);
        now[0] = 3;
        // Scan 3 starts at (3 - 1) * 4 = 8 in a space of 10: 8, 9, then wraps to 0, 1 (keys 18, 19, 10, 11).
        assertEquals(java.util.List.of(18L, 19L, 10L, 11L, 0L),
            java.util.List.of(scanner.nextKey(), scanner.nextKey(), scanner.nextKey(), scanner.nextKey(),
                scanner.nextKey()));
    }

    @Test
    void uniformIsFlat()
    {
        final int n = 20;
        final int samples = 200_000;
        final long[] counts = sample(new UniformKeyDistribution(n, new SplittableRandom(SEED)), n, samples);
        double chiSquare = 0;
        final double expected = samples / (double)n;
        for (final long count : counts)
        {
            chiSquare += (count - expected) * (count - expected) / expected;
        }
        // 19 degrees of freedom: 43.82 at p = 0.001.
        assertTrue(chiSquare < 43.82, "chi-square " + chiSquare);
    }

    @Test
    void sequentialWalksItsStripeAndWraps()
    {
        final SequentialKeyDistribution keys = new SequentialKeyDistribution(10, 7);
        final long[] drawn = new long[5];
        for (int i = 0; i < drawn.length; i++)
        {
            drawn[i] = keys.nextKey();
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {7, 8, 9, 0, 1}, drawn);
    }

    @Test
    void keyFormatPadsLikeRedisBenchmark()
    {
        final KeyFormat format = new KeyFormat("key:", 16);
        assertEquals("key:000000012345", format.toString(12345));
        final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(32);
        assertEquals(18, format.write(buffer, 2, 12345));
        final byte[] bytes = new byte[16];
        buffer.get(2, bytes);
        assertEquals("key:000000012345", new String(bytes, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(10, KeyFormat.minimumLength("key:", 1_000_000));
        assertEquals(5, KeyFormat.minimumLength("key:", 1));
    }

    @Test
    void mixFollowsItsWeights()
    {
        final java.util.Map<String, Integer> weights = new java.util.LinkedHashMap<>();
        weights.put("get", 8);
        weights.put("set", 2);
        weights.put("del", 0);
        final CommandMix mix = new CommandMix(weights, java.util.List.of(), 10);
        assertEquals(2, mix.size());
        assertEquals("GET", mix.reportName(0));
        final SplittableRandom random = new SplittableRandom(SEED);
        int gets = 0;
        for (int i = 0; i < 100_000; i++)
        {
            gets += mix.next(random) == 0 ? 1 : 0;
        }
        assertEquals(80_000, gets, 700);
    }

    private static long[] sample(final KeyDistribution keys, final int n, final int samples)
    {
        final long[] counts = new long[n];
        for (int i = 0; i < samples; i++)
        {
            counts[(int)keys.nextKey()]++;
        }
        return counts;
    }
}
