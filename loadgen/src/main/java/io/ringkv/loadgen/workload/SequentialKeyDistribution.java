package io.ringkv.loadgen.workload;

/**
 * Walks the key space in order from a start key, wrapping around. Connection {@code i} of {@code n} starts at
 * {@code i * keySpace / n}, so together the connections cover the key space evenly without sharing a counter.
 * Not threadsafe: one per connection.
 */
public final class SequentialKeyDistribution implements KeyDistribution
{
    private final long keySpace;
    private long next;

    /**
     * @param keySpace number of keys, at least 1.
     * @param startKey first key returned, in {@code [0, keySpace)}.
     */
    public SequentialKeyDistribution(final long keySpace, final long startKey)
    {
        this.keySpace = keySpace;
        this.next = startKey;
    }

    @Override
    public long nextKey()
    {
        final long key = next;
        next = key + 1 == keySpace ? 0 : key + 1;
        return key;
    }
}
