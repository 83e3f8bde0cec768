package io.ringkv.loadgen.workload;

import java.util.SplittableRandom;

/**
 * What a connection fills placeholders from: its key distribution, the key format, the value pool and its
 * random stream. Not threadsafe: one per connection thread.
 */
public final class RequestArguments
{
    private final KeyDistribution keys;
    private final KeyFormat keyFormat;
    private final ValuePool values;
    private final SplittableRandom random;
    private final long keySpace;
    private long lastKey;
    private long repeatKey = -1;

    /**
     * @param keys      this connection's key distribution.
     * @param keyFormat key bytes from key numbers.
     * @param values    shared, immutable value pool.
     * @param random    this connection's random stream.
     * @param keySpace  bound of {@code __rand__}.
     */
    public RequestArguments(
        final KeyDistribution keys,
        final KeyFormat keyFormat,
        final ValuePool values,
        final SplittableRandom random,
        final long keySpace)
    {
        this.keys = keys;
        this.keyFormat = keyFormat;
        this.values = values;
        this.random = random;
        this.keySpace = keySpace;
    }

    /**
     * @return the next key number: the one {@link #repeatKey(long)} asked for, else the distribution's next.
     */
    public long nextKey()
    {
        final long key = repeatKey >= 0 ? repeatKey : keys.nextKey();
        repeatKey = -1;
        lastKey = key;
        return key;
    }

    /**
     * @return the key number {@link #nextKey()} last returned (cache-aside remembers each GET's key).
     */
    public long lastKey()
    {
        return lastKey;
    }

    /**
     * Makes the next {@link #nextKey()} return this key instead of drawing one: the SET after a GET's miss.
     *
     * @param key a key number a GET used.
     */
    public void repeatKey(final long key)
    {
        repeatKey = key;
    }

    /**
     * @return the next {@code __rand__} number.
     */
    public long nextRand()
    {
        return random.nextLong(keySpace);
    }

    /**
     * @return the key format.
     */
    public KeyFormat keyFormat()
    {
        return keyFormat;
    }

    /**
     * @return the value pool.
     */
    public ValuePool values()
    {
        return values;
    }

    /**
     * @return this connection's random stream.
     */
    public SplittableRandom random()
    {
        return random;
    }
}
