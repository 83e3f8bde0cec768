package io.ringkv.core.store;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import static io.ringkv.core.store.ElementDescriptor.KEY_LENGTH_OFFSET;
import static io.ringkv.core.store.ElementDescriptor.KEY_OFFSET;
import static io.ringkv.core.store.ElementDescriptor.VALUE_LENGTH_LENGTH;

/**
 * The order of a large sorted set: Redis's skip list (t_zset.c's zskiplist, p = 1/4, 32 levels, spans for O(log n)
 * rank) threaded through the element blocks of the set's {@link ElementTables} table, which gives the O(1) member to
 * score lookup. An element of a sorted table keeps its node as its value bytes:
 * <pre>
 *  element: next(8) hash(4) klen(4) member... vlen(4) | score(8) backward(8) [forward(8) span(4)] x levels
 * </pre>
 * so a member costs one block: 36 bytes of header plus 12 per level (1.33 levels on average) plus the member, and no
 * other allocation. The node is found from the element by its key length; pointers are element addresses. Each sorted
 * table also has a head block laid out as an element with an empty member and 32 levels, whose score field holds the
 * list's level and backward field its tail.
 * <p>
 * Order is Redis's: by score, then by member bytes (unsigned, a prefix first). Scores are never NaN. Elements never
 * move while they live (a score change relinks the same block), so callers may hold element addresses across
 * changes to other elements. Only the engine thread calls this; it allocates nothing.
 */
public final class ZSkipList
{
    /** Redis's ZSKIPLIST_MAXLEVEL. */
    public static final int MAX_LEVEL = 32;
    private static final int SCORE = 0;
    private static final int BACKWARD = 8;
    private static final int LEVELS = 16;
    private static final int LEVEL_LENGTH = 12;
    /** Bytes of value of a head block. */
    static final int HEAD_VALUE_LENGTH = LEVELS + MAX_LEVEL * LEVEL_LENGTH;

    /** Tests an element against one end of a range. */
    @FunctionalInterface
    public interface ElementTest
    {
        /**
         * @param element a live element of the list.
         * @return the test's answer.
         */
        boolean test(long element);
    }

    private final ElementTables tables;
    private final long[] update = new long[MAX_LEVEL];
    private final long[] rank = new long[MAX_LEVEL];
    private long seed = 0x2545F4914F6CDD1DL;
    private long foundRank;

    ZSkipList(final ElementTables tables)
    {
        this.tables = tables;
    }

    /**
     * @param keyLength bytes of member.
     * @param level     node levels.
     * @return value bytes of a node with that many levels.
     */
    static int nodeValueLength(final int level)
    {
        return LEVELS + level * LEVEL_LENGTH;
    }

    /** Address of an element's node (its score field). */
    private static long node(final long element)
    {
        return element + KEY_OFFSET + UnsafeApi.getInt(element + KEY_LENGTH_OFFSET) + VALUE_LENGTH_LENGTH;
    }

    private static int levelsOf(final long element)
    {
        final int keyLength = UnsafeApi.getInt(element + KEY_LENGTH_OFFSET);
        return (UnsafeApi.getInt(element + KEY_OFFSET + keyLength) - LEVELS) / LEVEL_LENGTH;
    }

    private static long forward(final long element, final int level)
    {
        return UnsafeApi.getLong(node(element) + LEVELS + (long)level * LEVEL_LENGTH);
    }

    private static void forward(final long element, final int level, final long to)
    {
        UnsafeApi.putLong(node(element) + LEVELS + (long)level * LEVEL_LENGTH, to);
    }

    private static int span(final long element, final int level)
    {
        return UnsafeApi.getInt(node(element) + LEVELS + (long)level * LEVEL_LENGTH + 8);
    }

    private static void span(final long element, final int level, final long span)
    {
        UnsafeApi.putInt(node(element) + LEVELS + (long)level * LEVEL_LENGTH + 8, (int)span);
    }

    /**
     * @param element a live element of a sorted table.
     * @return its score.
     */
    public static double score(final long element)
    {
        return UnsafeApi.getDouble(node(element) + SCORE);
    }

    /**
     * @return bytes of an element's member.
     */
    public static int memberLength(final long element)
    {
        return UnsafeApi.getInt(element + KEY_LENGTH_OFFSET);
    }

    /**
     * @return address of an element's member bytes.
     */
    public static long memberAddress(final long element)
    {
        return element + KEY_OFFSET;
    }

    /**
     * @return the element after this one in order, or 0.
     */
    public static long next(final long element)
    {
        return forward(element, 0);
    }

    /**
     * @return the element before this one in order, or 0.
     */
    public static long previous(final long element)
    {
        return UnsafeApi.getLong(node(element) + BACKWARD);
    }

    private static int level(final long head)
    {
        return (int)UnsafeApi.getLong(node(head) + SCORE);
    }

    private static void level(final long head, final int level)
    {
        UnsafeApi.putLong(node(head) + SCORE, level);
    }

    /**
     * @return the first (lowest) element of sorted table {@code id}, or 0 when empty.
     */
    public long first(final int id)
    {
        return forward(tables.sortedHead(id), 0);
    }

    /**
     * @return the last (highest) element of sorted table {@code id}, or 0 when empty.
     */
    public long last(final int id)
    {
        return UnsafeApi.getLong(node(tables.sortedHead(id)) + BACKWARD);
    }

    /** Initialise a freshly allocated head block. */
    static void initHead(final long head)
    {
        UnsafeApi.setMemory(head, ElementDescriptor.elementLength(0, HEAD_VALUE_LENGTH), (byte)0);
        UnsafeApi.putInt(head + KEY_OFFSET, HEAD_VALUE_LENGTH);
        level(head, 1);
    }

    /**
     * Compare an element with (score, member): negative when the element comes first.
     */
    private static int compare(
        final long element, final double score, final Object base, final long address, final int length)
    {
        final double s = score(element);
        if (s != score)
        {
            return s < score ? -1 : 1;
        }
        return compareMembers(null, memberAddress(element), memberLength(element), base, address, length);
    }

    /**
     * Redis's sdscmp: unsigned bytes, then the shorter first.
     */
    public static int compareMembers(
        final Object aBase, final long a, final int aLength, final Object bBase, final long b, final int bLength)
    {
        final int common = Math.min(aLength, bLength);
        for (int i = 0; i < common; i++)
        {
            final int x = UnsafeApi.getByte(aBase, a + i) & 0xFF;
            final int y = UnsafeApi.getByte(bBase, b + i) & 0xFF;
            if (x != y)
            {
                return x - y;
            }
        }
        return aLength - bLength;
    }

    private int randomLevel()
    {
        long x = seed;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        seed = x;
        // Each pair of random bits is 00 with probability 1/4 (Redis's ZSKIPLIST_P).
        int level = 1;
        long bits = x;
        while ((bits & 3) == 0 && level < MAX_LEVEL)
        {
            level++;
            bits >>>= 2;
            if (level % 32 == 0)
            {
                break;
            }
        }
        return level;
    }

    /**
     * Insert a member that the table does not hold.
     *
     * @return the new element, or {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    public long insert(final int id, final DirectBuffer member, final int offset, final int length, final double score)
    {
        final int level = randomLevel();
        final long element = tables.put(id, member, offset, length, nodeValueLength(level));
        if (element == Keyspace.OUT_OF_MEMORY)
        {
            return element;
        }
        final long n = node(element);
        UnsafeApi.putDouble(n + SCORE, score);
        link(id, element, level, score, member.byteArray(), member.addressOffset() + offset, length);
        return element;
    }

    private void link(
        final int id, final long element, final int newLevel, final double score,
        final Object base, final long address, final int length)
    {
        final long head = tables.sortedHead(id);
        final long[] update = this.update;
        final long[] rank = this.rank;
        int level = level(head);
        long x = head;
        for (int i = level - 1; i >= 0; i--)
        {
            rank[i] = i == level - 1 ? 0 : rank[i + 1];
            long f;
            while ((f = forward(x, i)) != 0 && f != element && compare(f, score, base, address, length) < 0)
            {
                rank[i] += span(x, i);
                x = f;
            }
            update[i] = x;
        }
        final long size = tables.size(id) - 1;    // the element is already in the table, not yet in the list
        if (newLevel > level)
        {
            for (int i = level; i < newLevel; i++)
            {
                rank[i] = 0;
                update[i] = head;
                span(head, i, size);
            }
            level = newLevel;
            level(head, level);
        }
        for (int i = 0; i < newLevel; i++)
        {
            final long u = update[i];
            forward(element, i, forward(u, i));
            forward(u, i, element);
            span(element, i, span(u, i) - (rank[0] - rank[i]));
            span(u, i, rank[0] - rank[i] + 1);
        }
        for (int i = newLevel; i < level; i++)
        {
            span(update[i], i, span(update[i], i) + 1);
        }
        UnsafeApi.putLong(node(element) + BACKWARD, update[0] == head ? 0 : update[0]);
        final long after = forward(element, 0);
        if (after != 0)
        {
            UnsafeApi.putLong(node(after) + BACKWARD, element);
        }
        else
        {
            UnsafeApi.putLong(node(head) + BACKWARD, element);
        }
    }

    private void unlink(final int id, final long element)
    {
        final long head = tables.sortedHead(id);
        final long[] update = this.update;
        final double score = score(element);
        final long address = memberAddress(element);
        final int length = memberLength(element);
        final int level = level(head);
        long x = head;
        for (int i = level - 1; i >= 0; i--)
        {
            long f;
            while ((f = forward(x, i)) != 0 && f != element && compare(f, score, null, address, length) < 0)
            {
                x = f;
            }
            update[i] = x;
        }
        for (int i = 0; i < level; i++)
        {
            final long u = update[i];
            if (forward(u, i) == element)
            {
                span(u, i, span(u, i) + span(element, i) - 1);
                forward(u, i, forward(element, i));
            }
            else
            {
                span(u, i, span(u, i) - 1);
            }
        }
        final long after = forward(element, 0);
        final long before = previous(element);
        UnsafeApi.putLong((after != 0 ? node(after) : node(head)) + BACKWARD, before);
        int newLevel = level;
        while (newLevel > 1 && forward(head, newLevel - 1) == 0)
        {
            newLevel--;
        }
        level(head, newLevel);
    }

    /**
     * Delete an element of sorted table {@code id}; its address is invalid afterwards.
     */
    public void delete(final int id, final long element)
    {
        unlink(id, element);
        tables.delete(id, element);
    }

    /**
     * Change an element's score, moving it in the order when needed (the block stays where it is).
     */
    public void updateScore(final int id, final long element, final double newScore)
    {
        tables.beforeChange(id, element);
        final long before = previous(element);
        final long after = next(element);
        if ((before == 0 || score(before) < newScore) && (after == 0 || score(after) > newScore))
        {
            UnsafeApi.putDouble(node(element) + SCORE, newScore);
            return;
        }
        unlink(id, element);
        UnsafeApi.putDouble(node(element) + SCORE, newScore);
        // The element is still counted in the table, as link expects.
        link(id, element, levelsOf(element), newScore, null, memberAddress(element), memberLength(element));
    }

    /**
     * @return the 0-based rank of a live element of sorted table {@code id}.
     */
    public long rank(final int id, final long element)
    {
        final long head = tables.sortedHead(id);
        final double score = score(element);
        final long address = memberAddress(element);
        final int length = memberLength(element);
        long traversed = 0;
        long x = head;
        for (int i = level(head) - 1; i >= 0; i--)
        {
            long f;
            while ((f = forward(x, i)) != 0 && compare(f, score, null, address, length) <= 0)
            {
                traversed += span(x, i);
                x = f;
            }
            if (x == element)
            {
                return traversed - 1;
            }
        }
        return traversed - 1;
    }

    /**
     * @param rank 0-based, below the table's size.
     * @return the element at that rank.
     */
    public long elementAt(final int id, final long rank)
    {
        final long head = tables.sortedHead(id);
        final long target = rank + 1;
        long traversed = 0;
        long x = head;
        for (int i = level(head) - 1; i >= 0; i--)
        {
            long f;
            while ((f = forward(x, i)) != 0 && traversed + span(x, i) <= target)
            {
                traversed += span(x, i);
                x = f;
            }
            if (traversed == target)
            {
                return x;
            }
        }
        return 0;
    }

    /**
     * The first element for which {@code belowStart} is false (elements for which it is true must all come first).
     *
     * @return the element, or 0; {@link #foundRank()} is its 0-based rank (the table's size when 0).
     */
    public long firstNotBelow(final int id, final ElementTest belowStart)
    {
        final long head = tables.sortedHead(id);
        long traversed = 0;
        long x = head;
        for (int i = level(head) - 1; i >= 0; i--)
        {
            long f;
            while ((f = forward(x, i)) != 0 && belowStart.test(f))
            {
                traversed += span(x, i);
                x = f;
            }
        }
        foundRank = traversed;
        return forward(x, 0);
    }

    /**
     * The last element for which {@code aboveEnd} is false (elements for which it is true must all come last).
     *
     * @return the element, or 0; {@link #foundRank()} is its 0-based rank (-1 when 0).
     */
    public long lastNotAbove(final int id, final ElementTest aboveEnd)
    {
        final long head = tables.sortedHead(id);
        long traversed = 0;
        long x = head;
        for (int i = level(head) - 1; i >= 0; i--)
        {
            long f;
            while ((f = forward(x, i)) != 0 && !aboveEnd.test(f))
            {
                traversed += span(x, i);
                x = f;
            }
        }
        foundRank = traversed - 1;
        return x == head ? 0 : x;
    }

    /**
     * @return the rank the last {@link #firstNotBelow} or {@link #lastNotAbove} found.
     */
    public long foundRank()
    {
        return foundRank;
    }

    /**
     * Append an element of a copy whose members arrive in order (COPY of a sorted table): O(log n) each.
     */
    long copyInsert(final int id, final long sourceElement)
    {
        final int length = memberLength(sourceElement);
        final int level = levelsOf(sourceElement);
        final long element = tables.putRaw(id, memberAddress(sourceElement), length, nodeValueLength(level));
        if (element == Keyspace.OUT_OF_MEMORY)
        {
            return element;
        }
        final double score = score(sourceElement);
        UnsafeApi.putDouble(node(element) + SCORE, score);
        link(id, element, level, score, null, memberAddress(element), length);
        return element;
    }
}
