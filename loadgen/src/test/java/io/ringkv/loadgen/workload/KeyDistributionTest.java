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
