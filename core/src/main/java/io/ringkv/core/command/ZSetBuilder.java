package io.ringkv.core.command;

import io.ringkv.core.store.ZSkipList;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Members with scores gathered on the heap for a sorted set computed whole (ZUNION, ZINTER, ZDIFF and their STOREs,
 * ZRANGESTORE, RESTORE): an arena of member bytes with an open-addressing index for O(1) lookup, members removable,
 * then {@link #sort} by (score, member) for {@link ZSetValue#build} or a reply. Reused across commands; allocates
 * only while growing. Not threadsafe.
 */
final class ZSetBuilder
{
    private UnsafeBuffer arena = new UnsafeBuffer(new byte[4096]);
    private int arenaUsed;
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];
    private double[] scores = new double[64];
    private boolean[] removed = new boolean[64];
    private int count;
    private int live;
    private int maxMemberLength;
    /** Index slots hold member index + 1; 0 is empty. */
    private int[] index = new int[128];
    private int[] order = new int[64];
    private int[] sortScratch = new int[64];

    void clear()
    {
        arenaUsed = 0;
        count = 0;
        live = 0;
        maxMemberLength = 0;
        Arrays.fill(index, 0);
    }

    /**
     * @return index of the member, or -1.
     */
    int find(final DirectBuffer member, final int offset, final int length)
    {
        final int mask = index.length - 1;
        int slot = hash(member, offset, length) & mask;
        while (index[slot] != 0)
        {
            final int i = index[slot] - 1;
            if (lengths[i] == length && ZSkipList.compareMembers(arena.byteArray(),
                org.agrona.BufferUtil.ARRAY_BASE_OFFSET + offsets[i], length, member.byteArray(),
                member.addressOffset() + offset, length) == 0)
            {
                return i;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /**
     * Add a member known to be absent.
     *
     * @return its index.
     */
    int add(final DirectBuffer member, final int offset, final int length, final double score)
    {
        if (count == scores.length)
        {
            final int n = count * 2;
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
            scores = Arrays.copyOf(scores, n);
            removed = Arrays.copyOf(removed, n);
        }
        if (arenaUsed + length > arena.capacity())
        {
            arena = new UnsafeBuffer(Arrays.copyOf(arena.byteArray(),
                Math.max(arenaUsed + length, arena.capacity() * 2)));
        }
        if ((count + 1) * 2 > index.length)
        {
            index = new int[index.length * 2];
            for (int i = 0; i < count; i++)
            {
                insertIndex(i);
            }
        }
        arena.putBytes(arenaUsed, member, offset, length);
        offsets[count] = arenaUsed;
        lengths[count] = length;
        scores[count] = score;
        removed[count] = false;
        arenaUsed += length;
        maxMemberLength = Math.max(maxMemberLength, length);
        insertIndex(count);
        live++;
        return count++;
    }

    private void insertIndex(final int i)
    {
        final int mask = index.length - 1;
        int slot = hash(arena, offsets[i], lengths[i]) & mask;
        while (index[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }
        index[slot] = i + 1;
    }

    private static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ (buffer.getByte(offset + i) & 0xFF)) * 0x100000001b3L;
        }
        h ^= h >>> 29;
        h *= 0xbf58476d1ce4e5b9L;
        return (int)(h ^ (h >>> 32));
    }

    void score(final int i, final double score)
    {
        scores[i] = score;
    }

    double scoreOf(final int i)
    {
        return scores[i];
    }

    void remove(final int i)
    {
        if (!removed[i])
        {
            removed[i] = true;
            live--;
        }
    }

    boolean isRemoved(final int i)
    {
        return removed[i];
    }

    /**
     * @return members added, removed ones included (indices for {@link #find}'s answers).
     */
    int added()
    {
        return count;
    }

    /**
     * Order the live members by (score, member); afterwards {@code i} in the accessors below is a position in that
     * order, 0 .. {@link #size()} - 1.
     */
    void sort()
    {
        if (order.length < count)
        {
            order = new int[scores.length];
            sortScratch = new int[scores.length];
        }
        int n = 0;
        maxMemberLength = 0;
        for (int i = 0; i < count; i++)
        {
            if (!removed[i])
            {
                order[n++] = i;
                maxMemberLength = Math.max(maxMemberLength, lengths[i]);
            }
        }
        mergeSort(0, n);
    }

    private void mergeSort(final int from, final int to)
    {
        if (to - from < 2)
        {
            return;
        }
        final int mid = (from + to) >>> 1;
        mergeSort(from, mid);
        mergeSort(mid, to);
        int a = from;
        int b = mid;
        int k = from;
        while (a < mid && b < to)
        {
            sortScratch[k++] = compare(order[a], order[b]) <= 0 ? order[a++] : order[b++];
        }
        while (a < mid)
        {
            sortScratch[k++] = order[a++];
        }
        while (b < to)
        {
            sortScratch[k++] = order[b++];
        }
        System.arraycopy(sortScratch, from, order, from, to - from);
    }

    private int compare(final int x, final int y)
    {
        if (scores[x] != scores[y])
        {
            return scores[x] < scores[y] ? -1 : 1;
        }
        final byte[] bytes = arena.byteArray();
        return ZSkipList.compareMembers(bytes, org.agrona.BufferUtil.ARRAY_BASE_OFFSET + offsets[x], lengths[x], bytes,
            org.agrona.BufferUtil.ARRAY_BASE_OFFSET + offsets[y], lengths[y]);
    }

    /**
     * @return live members.
     */
    int size()
    {
        return live;
    }

    /**
     * @return the longest live member's length, as of the last {@link #sort}.
     */
    int maxMemberLength()
    {
        return maxMemberLength;
    }

    DirectBuffer arena()
    {
        return arena;
    }

    /** Accessors by insertion index (before any {@link #sort}). */
    int rawOffset(final int i)
    {
        return offsets[i];
    }

    int rawLength(final int i)
    {
        return lengths[i];
    }

    double rawScore(final int i)
    {
        return scores[i];
    }

    /** Sorted accessors: position {@code i} after {@link #sort}. */
    int memberOffset(final int i)
    {
        return offsets[order[i]];
    }

    int memberLength(final int i)
    {
        return lengths[order[i]];
    }

    double score(final int i)
    {
        return scores[order[i]];
    }
}
