package io.ringkv.loadgen.run;

import java.nio.ByteBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Counts error replies by kind: the error's first word ({@code ERR}, {@code WRONGTYPE}, {@code NOAUTH}), plus
 * kinds the generator assigns itself ({@code CONNECTION}, {@code TIMEOUT}, {@code PROTOCOL}). Counting a kind
 * seen before allocates nothing; only the first sighting of a kind copies its name. Not threadsafe: only the
 * thread that reads a connection's replies counts, and others read the counts after joining it.
 */
public final class ErrorKinds
{
    /** Longest kind name kept; longer first words are cut. */
    public static final int MAX_KIND_LENGTH = 32;
    private static final int MAX_KINDS = 64;
    private static final String OTHER = "OTHER";

    private final byte[][] names = new byte[MAX_KINDS][];
    private final long[] counts = new long[MAX_KINDS];
    private int size;
    private long total;

    /**
     * Counts an error reply whose text is in the buffer.
     *
     * @param buffer holding the error text.
     * @param index  start of the text.
     * @param length length of the text.
     */
    public void add(final ByteBuffer buffer, final int index, final int length)
    {
        int wordLength = 0;
        while (wordLength < length && wordLength < MAX_KIND_LENGTH && buffer.get(index + wordLength) != ' ')
        {
            wordLength++;
        }
        total++;
        for (int k = 0; k < size; k++)
        {
            if (equals(names[k], buffer, index, wordLength))
            {
                counts[k]++;
                return;
            }
        }
        final byte[] name = new byte[wordLength];
        buffer.get(index, name);
        insert(name, 1);
    }

    /**
     * Counts errors of a kind the generator names (not a hot path).
     *
     * @param kind  e.g. {@code CONNECTION}.
     * @param count how many.
     */
    public void add(final String kind, final long count)
    {
        total += count;
        final byte[] name = kind.getBytes(StandardCharsets.US_ASCII);
        for (int k = 0; k < size; k++)
        {
            if (Arrays.equals(names[k], name))
            {
                counts[k] += count;
                return;
            }
        }
        insert(name, count);
    }

    /**
     * @return all errors counted.
     */
    public long total()
    {
        return total;
    }

    /**
     * Adds these counts to a tally by kind name.
     *
     * @param tally to add to.
     */
    public void addTo(final Map<String, Long> tally)
    {
        for (int k = 0; k < size; k++)
        {
            tally.merge(new String(names[k], StandardCharsets.UTF_8), counts[k], Long::sum);
        }
    }

    private void insert(final byte[] name, final long count)
    {
        if (size == MAX_KINDS - 1)
        {
            // The last slot collects every kind beyond the table's size.
            names[size] = OTHER.getBytes(StandardCharsets.US_ASCII);
            counts[size] = count;
            size++;
            return;
        }
        if (size == MAX_KINDS)
        {
            counts[MAX_KINDS - 1] += count;
            return;
        }
        names[size] = name;
        counts[size] = count;
        size++;
    }

    private static boolean equals(final byte[] name, final ByteBuffer buffer, final int index, final int length)
    {
        if (name.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (name[i] != buffer.get(index + i))
            {
                return false;
            }
        }
        return true;
    }
}
