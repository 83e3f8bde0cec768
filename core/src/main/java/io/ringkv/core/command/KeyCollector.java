package io.ringkv.core.command;

import io.ringkv.core.memory.ExpandableOffHeapBuffer;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.EntryVisitor;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * Collects the keys a scan visits (optionally filtered by a glob pattern and a type) so that KEYS and SCAN can
 * announce the reply's length before writing it. Keys are copied back to back into one reusable buffer.
 * Only the engine thread uses it.
 */
final class KeyCollector implements EntryVisitor
{
    private static final int RETAINED_CAPACITY = 1024 * 1024;
    private static final int MATCH_ANY_TYPE = -1;

    private final EntryFlyweight entry = new EntryFlyweight();
    private final ExpandableOffHeapBuffer keys = new ExpandableOffHeapBuffer(1024);
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];
    private int count;
    private int length;

    private DirectBuffer pattern;
    private int patternOffset;
    private int patternLength;
    private int type = MATCH_ANY_TYPE;

    /**
     * Start collecting.
     *
     * @param pattern       glob pattern buffer, or null to accept every key.
     * @param patternOffset of the pattern.
     * @param patternLength of the pattern.
     * @param type          value type to accept, or -1 for any.
     */
    void reset(final DirectBuffer pattern, final int patternOffset, final int patternLength, final int type)
    {
        final boolean all = pattern == null || GlobPattern.matchesAll(pattern, patternOffset, patternLength);
        this.pattern = all ? null : pattern;
        this.patternOffset = patternOffset;
        this.patternLength = patternLength;
        this.type = type;
        count = 0;
        length = 0;
    }

    static int anyType()
    {
        return MATCH_ANY_TYPE;
    }

    @Override
    public void visit(final long entryAddress)
    {
        final EntryFlyweight entry = this.entry.wrap(entryAddress);
        if (type != MATCH_ANY_TYPE && entry.type() != type)
        {
            return;
        }
        final DirectBuffer buffer = entry.buffer();
        final int keyOffset = entry.keyOffset();
        final int keyLength = entry.keyLength();
        if (pattern != null &&
            !GlobPattern.matches(pattern, patternOffset, patternLength, buffer, keyOffset, keyLength))
        {
            return;
        }
        if (count == offsets.length)
        {
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        keys.putBytes(length, buffer, keyOffset, keyLength);
        offsets[count] = length;
        lengths[count] = keyLength;
        length += keyLength;
        count++;
    }

    int count()
    {
        return count;
    }

    DirectBuffer keys()
    {
        return keys;
    }

    int offset(final int i)
    {
        return offsets[i];
    }

    int length(final int i)
    {
        return lengths[i];
    }

    void releaseIfLarge()
    {
        if (keys.capacity() > RETAINED_CAPACITY)
        {
            keys.shrink(1024);
            offsets = new int[64];
            lengths = new int[64];
        }
    }

    /**
     * @param name type name as TYPE prints it, any case.
     * @return the ValueType id, or -2 when no type has that name.
     */
    static int typeByName(final String name)
    {
        return switch (name.toLowerCase(java.util.Locale.ROOT))
        {
            case "string" -> ValueType.STRING;
            case "list" -> ValueType.LIST;
            case "set" -> ValueType.SET;
            case "zset" -> ValueType.ZSET;
            case "hash" -> ValueType.HASH;
            case "json" -> ValueType.JSON;
            default -> -2;
        };
    }
}
