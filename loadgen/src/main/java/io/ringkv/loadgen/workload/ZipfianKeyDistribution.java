package io.ringkv.loadgen.workload;

import java.util.SplittableRandom;

/**
 * Zipf's law over the key space: key number {@code k - 1} (rank {@code k}, 1-based) is drawn with probability
 * {@code (1 / k^theta) / H(n, theta)}, so key 0 is the hottest.
 * <p>
 * Sampling is the rejection-inversion method of Hörmann and Derflinger ("Rejection-inversion to generate
 * variates from monotone discrete distributions", ACM TOMACS 6(3), 1996). Unlike the approximate inversion of
 * Gray et al. that YCSB uses, it is exact for every rank, works for any {@code theta > 0} (including 1 and
 * above), and needs O(1) set-up instead of summing the zeta series over the whole key space; the expected
 * number of trials per sample is close to 1. Not threadsafe: one per connection.
 */
public final class ZipfianKeyDistribution implements KeyDistribution
{
    private final SplittableRandom random;
    private final long keySpace;
    private final double theta;
    private final double hIntegralX1;
    private final double hIntegralKeySpace;
    private final double s;

    /**
     * @param keySpace number of keys, at least 1.
     * @param theta    exponent, greater than 0 (YCSB's default is 0.99).
     * @param random   this connection's random stream.
     */
    public ZipfianKeyDistribution(final long keySpace, final double theta, final SplittableRandom random)
    {
        if (keySpace < 1 || !(theta > 0))
        {
            throw new IllegalArgumentException("keySpace=" + keySpace + " theta=" + theta);
        }
        this.keySpace = keySpace;
        this.theta = theta;
        this.random = random;
        this.hIntegralX1 = hIntegral(1.5) - 1.0;
        this.hIntegralKeySpace = hIntegral(keySpace + 0.5);
        this.s = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2.0));
    }

    @Override
    public long nextKey()
    {
        while (true)
        {
            final double u = hIntegralKeySpace + random.nextDouble() * (hIntegralX1 - hIntegralKeySpace);
            final double x = hIntegralInverse(u);
            long k = (long)(x + 0.5);
            if (k < 1)
            {
                k = 1;
            }
            else if (k > keySpace)
            {
                k = keySpace;
            }
            if (k - x <= s || u >= hIntegral(k + 0.5) - h(k))
            {
                return k - 1;
            }
        }
    }

    /**
     * The exact probability of a key, for tests and documentation: O(keySpace).
     *
     * @param key key number in {@code [0, keySpace)}.
     * @return its probability.
     */
    public double probability(final long key)
    {
        double norm = 0;
        for (long k = keySpace; k >= 1; k--)
        {
            norm += Math.pow(k, -theta);
        }
        return Math.pow(key + 1, -theta) / norm;
    }

    /** {@code H(x)}: an integral of {@code h(x) = x^-theta}, with {@code H(1) = 0} taken care of by callers. */
    private double hIntegral(final double x)
    {
        final double logX = Math.log(x);
        return helper2((1.0 - theta) * logX) * logX;
    }

    private double h(final double x)
    {
        return Math.exp(-theta * Math.log(x));
    }

    private double hIntegralInverse(final double x)
    {
        double t = x * (1.0 - theta);
        if (t < -1.0)
        {
            // Rounding can push t just below -1 where log1p is undefined.
            t = -1.0;
        }
        return Math.exp(helper1(t) * x);
    }

    /** {@code log1p(x) / x}, continuous at 0. */
    private static double helper1(final double x)
    {
        if (Math.abs(x) > 1e-8)
        {
            return Math.log1p(x) / x;
        }
        return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
    }

    /** {@code expm1(x) / x}, continuous at 0. */
    private static double helper2(final double x)
    {
        if (Math.abs(x) > 1e-8)
        {
            return Math.expm1(x) / x;
        }
        return 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
    }
}
