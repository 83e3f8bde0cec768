package io.ringkv.core.store;

import org.agrona.UnsafeApi;

/**
 * TinyLFU's frequency sketch (Einziger, Friedman and Manes; the layout of Caffeine's {@code FrequencySketch}): a
 * count-min sketch of 4-bit counters, off-heap, that estimates how often each key hash was accessed recently,
 * whether or not the key is still stored. It keeps the history of evicted keys, which a per-entry counter cannot.
 * <pre>
 *   table: 2^n blocks of 64 bytes (one cache line), each 8 words of 16 four-bit counters
 *   key hash -> mix -> block = mix & blockMask
 *                      counter i (i = 0..3) = nibble (mix >>> 32 + 8i + 1) & 15 of word 2i + ((mix >>> 32 + 8i) & 1)
 *   estimate = min of the 4 counters; increment = +1 on each of the 4 below 15
 * </pre>
 * One access reads and writes one cache line and allocates nothing. The table has one word (16 counters, 8 bytes)
 * per key the store holds, rounded up to a power of two: {@link #ensureCapacity(long)} doubles it by copying each
 * block into both halves, so a key's counters stay where the wider mask finds them and no history is lost.
 * <p>
 * Aging keeps the sketch about the recent past: Caffeine halves every counter once per 10 increments per word,
 * all at once. Here the halving is spread out: every {@link #INCREMENTS_PER_AGED_BLOCK} increments the next block
 * in turn is halved, so each counter is still halved once per 10 increments per word of the table, but no call
 * does more than one block's work (a whole-table pass over a large table would stall the engine thread). The
 * {@link AgingClimber} shortens that period (down to an eighth) when the workload's hot keys move.
 * Not threadsafe: engine thread only.
 */
final class FrequencySketch implements AutoCloseable
{
    /** Increments between two block halvings: 10 increments per word, 8 words per block. */
    static final int INCREMENTS_PER_AGED_BLOCK = 80;

    /** Largest counter value. */
    static final int MAX_COUNT = 15;

    static final int BLOCK_LENGTH = 64;
    private static final int WORDS_PER_BLOCK = BLOCK_LENGTH / Long.BYTES;
    private static final long MIN_WORDS = 1024;
    private static final long HALF_MASK = 0x7777_7777_7777_7777L;

    private long address;
    private long words;
    private long blockMask;
    private long nextAgedBlock;
    private int agingPeriod = INCREMENTS_PER_AGED_BLOCK;
    private int untilAging = INCREMENTS_PER_AGED_BLOCK;

    /**
     * @param keys keys it should size for at first (at least 1024 words are made).
     */
    FrequencySketch(final long keys)
    {
        words = wordsFor(keys);
        address = UnsafeApi.allocateMemory(words * Long.BYTES);
        UnsafeApi.setMemory(address, words * Long.BYTES, (byte)0);
        blockMask = words / WORDS_PER_BLOCK - 1;
    }

    /**
     * @return bytes of the table (off-heap).
     */
    long bytes()
    {
        return words * Long.BYTES;
    }

    /**
     * Grow the table to one word per key when {@code keys} exceeds it, keeping every count.
     *
     * @param keys keys the store holds.
     * @return true if the table grew (its {@link #bytes()} changed).
     */
    boolean ensureCapacity(final long keys)
    {
        if (keys <= words)
        {
            return false;
        }
        final long newWords = wordsFor(keys);
        final long oldBytes = words * Long.BYTES;
        final long newAddress = UnsafeApi.allocateMemory(newWords * Long.BYTES);
        for (long offset = 0; offset < newWords * Long.BYTES; offset += oldBytes)
        {
            UnsafeApi.copyMemory(address, newAddress + offset, oldBytes);
        }
        UnsafeApi.freeMemory(address);
        address = newAddress;
        words = newWords;
        blockMask = newWords / WORDS_PER_BLOCK - 1;
        nextAgedBlock &= blockMask;
        return true;
    }

    /**
     * @param hash a key hash (the 32 bits an entry stores).
     * @return its estimated recent accesses, 0..{@link #MAX_COUNT}.
     */
    int frequency(final long hash)
    {
        final long mix = mix(hash);
        final long block = address + (mix & blockMask) * BLOCK_LENGTH;
        final long selector = mix >>> 32;
        int min = MAX_COUNT;
        for (int i = 0; i < 4; i++)
        {
            final long bits = selector >>> (i << 3);
            final long word = UnsafeApi.getLong(block + (((i << 1) + (bits & 1)) << 3));
            min = Math.min(min, (int)(word >>> ((bits >>> 1 & 15) << 2)) & MAX_COUNT);
        }
        return min;
    }

    /**
     * Count one access of a key hash, and age the next block when its turn has come.
     *
     * @param hash a key hash (the 32 bits an entry stores).
     */
    void increment(final long hash)
    {
        final long mix = mix(hash);
        final long block = address + (mix & blockMask) * BLOCK_LENGTH;
        final long selector = mix >>> 32;
        for (int i = 0; i < 4; i++)
        {
            final long bits = selector >>> (i << 3);
            final long wordAddress = block + (((i << 1) + (bits & 1)) << 3);
            final int shift = (int)(bits >>> 1 & 15) << 2;
            final long word = UnsafeApi.getLong(wordAddress);
            if ((word >>> shift & MAX_COUNT) != MAX_COUNT)
            {
                UnsafeApi.putLong(wordAddress, word + (1L << shift));
            }
        }
        if (--untilAging == 0)
        {
            untilAging = agingPeriod;
            ageBlock();
        }
    }

    /**
     * @param incrementsPerAgedBlock increments between two block halvings from now on ({@link AgingClimber}: fewer
     *                               forget faster, for a hot set that moves).
     */
    void agingPeriod(final int incrementsPerAgedBlock)
    {
        agingPeriod = incrementsPerAgedBlock;
        untilAging = Math.min(untilAging, incrementsPerAgedBlock);
    }

    /** Halve every counter of the next block in turn. */
    private void ageBlock()
    {
        final long block = address + nextAgedBlock * BLOCK_LENGTH;
        for (int i = 0; i < WORDS_PER_BLOCK; i++)
        {
            final long wordAddress = block + ((long)i << 3);
            UnsafeApi.putLong(wordAddress, (UnsafeApi.getLong(wordAddress) >>> 1) & HALF_MASK);
        }
        nextAgedBlock = (nextAgedBlock + 1) & blockMask;
    }

    /** Free the table; the sketch must not be used after. */
    public void close()
    {
        if (address != 0)
        {
            UnsafeApi.freeMemory(address);
            address = 0;
        }
    }

    /** Spread the 32 stored hash bits over 64 (murmur3's fmix64): the block from the low half, counters from the high. */
    private static long mix(final long hash)
    {
        long h = hash * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }

    private static long wordsFor(final long keys)
    {
        final long wanted = Math.max(MIN_WORDS, keys);
        return Long.highestOneBit(wanted - 1) << 1;
    }
}
