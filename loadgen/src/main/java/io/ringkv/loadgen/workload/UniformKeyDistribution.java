package io.ringkv.loadgen.workload;

import java.util.SplittableRandom;

/**
 * Every key equally likely. Not threadsafe: one per connection.
 */
public final class UniformKeyDistribution implements KeyDistribution
{
    private final SplittableRandom random;
    private final long keySpace;

    /**
     * @param keySpace number of keys, at least 1.
     * @param random   this connection's random stream.
     */
    public UniformKeyDistribution(final long keySpace, final SplittableRandom random)
    {
        this.keySpace = keySpace;
        this.random = random;
    }

    @Override
    public long nextKey()
    {
        return random.nextLong(keySpace);
    }
}
