package io.ringkv.core.store;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Redis 7.0's intset format, read and written in place in any buffer (an entry's value bytes, a DUMP body): a small
 * set of integers stored exactly as Redis serializes it. Stateless static methods over {@code (buffer, index)}; any
 * thread, on its own buffers.
 * <pre>
 *   0               4               8
 *  +---------------+---------------+-----------------------------------------+
 *  | width         | count         | count integers of width bytes, LE,      |
 *  | uint32 LE     | uint32 LE     | strictly ascending                      |
 *  +---------------+---------------+-----------------------------------------+
 * </pre>
 * The width is 2, 4 or 8 bytes (Redis's INTSET_ENC_INT16/32/64): the smallest that holds every member. Adding a
 * member that needs a wider width rewrites all members wider (Redis's {@code intsetUpgradeAndAdd}); removing never
 * narrows it, as in Redis.
 */
public final class Intset
{
    public static final int WIDTH_OFFSET = 0;
    public static final int COUNT_OFFSET = 4;
    public static final int HEADER_LENGTH = 8;

    /** {@link #validate} result for a malformed intset. */
    public static final int INVALID = -1;

    private Intset()
    {
    }

    /**
     * @return bytes per member of the intset at {@code index}.
     */
    public static int width(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + WIDTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @return number of members.
     */
    public static int count(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @return total bytes of the intset at {@code index}.
     */
    public static int length(final DirectBuffer buffer, final int index)
    {
        return HEADER_LENGTH + count(buffer, index) * width(buffer, index);
    }

    /**
     * @return the smallest width that holds {@code value}.
     */
    public static int widthFor(final long value)
    {
        if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE)
        {
            return Short.BYTES;
        }
        return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE ? Integer.BYTES : Long.BYTES;
    }

    /**
     * Write an intset holding only {@code value}.
     *
     * @return its length.
     */
    public static int writeSingle(final MutableDirectBuffer buffer, final int index, final long value)
    {
        final int width = widthFor(value);
        buffer.putInt(index + WIDTH_OFFSET, width, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(index + COUNT_OFFSET, 1, ByteOrder.LITTLE_ENDIAN);
        put(buffer, index + HEADER_LENGTH, width, value);
        return HEADER_LENGTH + width;
    }

    /**
     * @param position 0 .. count - 1.
     * @return the member at that position.
     */
    public static long get(final DirectBuffer buffer, final int index, final int position)
    {
        final int width = width(buffer, index);
        return read(buffer, index + HEADER_LENGTH + position * width, width);
    }

    /**
     * Binary search, as Redis's {@code intsetSearch}.
     *
     * @return the member's position, or {@code -(insertion point) - 1} when absent.
     */
    public static int search(final DirectBuffer buffer, final int index, final long value)
    {
        final int width = width(buffer, index);
        final int base = index + HEADER_LENGTH;
        int low = 0;
        int high = count(buffer, index) - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long member = read(buffer, base + mid * width, width);
            if (member < value)
            {
                low = mid + 1;
            }
            else if (member > value)
            {
                high = mid - 1;
            }
            else
            {
                return mid;
            }
        }
        return -low - 1;
    }

    /**
     * @param value an absent member about to be added.
     * @return the intset's length once it is added (wider if {@code value} needs it).
     */
    public static int lengthWith(final DirectBuffer buffer, final int index, final long value)
    {
        final int width = Math.max(width(buffer, index), widthFor(value));
        return HEADER_LENGTH + (count(buffer, index) + 1) * width;
    }

    /**
     * Add an absent member. The buffer must already have {@link #lengthWith} bytes at {@code index}.
     *
     * @param value    the new member.
     * @param position its insertion point from {@link #search} ({@code -result - 1}); ignored when the members must
     *                 be widened, as the new member then goes first (negative) or last (positive).
     */
    public static void add(final MutableDirectBuffer buffer, final int index, final long value, final int position)
    {
        final int width = width(buffer, index);
        final int count = count(buffer, index);
        final int base = index + HEADER_LENGTH;
        final int newWidth = widthFor(value);
        if (newWidth > width)
        {
            // Widen in place from the last member backwards, leaving room for the new one at its end.
            final int shift = value < 0 ? 1 : 0;
            for (int i = count - 1; i >= 0; i--)
            {
                put(buffer, base + (i + shift) * newWidth, newWidth, read(buffer, base + i * width, width));
            }
            put(buffer, base + (value < 0 ? 0 : count) * newWidth, newWidth, value);
            buffer.putInt(index + WIDTH_OFFSET, newWidth, ByteOrder.LITTLE_ENDIAN);
        }
        else
        {
            final int at = base + position * width;
            buffer.putBytes(at + width, buffer, at, (count - position) * width);
            put(buffer, at, width, value);
        }
        buffer.putInt(index + COUNT_OFFSET, count + 1, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @return the width an intset of these values needs (Redis's: the widest member's, at least 16 bits).
     */
    public static int widthFor(final long[] values, final int count)
    {
        int width = Short.BYTES;
        for (int i = 0; i < count; i++)
        {
            width = Math.max(width, widthFor(values[i]));
        }
        return width;
    }

    /**
     * Write a whole intset of distinct values in ascending order, {@link #HEADER_LENGTH} + {@code count} *
     * {@link #widthFor(long[], int)} bytes, as Redis's bytes for the same members.
     */
    public static void writeSorted(final MutableDirectBuffer buffer, final int index, final long[] values,
        final int count)
    {
        final int width = widthFor(values, count);
        buffer.putInt(index + WIDTH_OFFSET, width, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(index + COUNT_OFFSET, count, ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++)
        {
            put(buffer, index + HEADER_LENGTH + i * width, width, values[i]);
        }
    }

    /**
     * Remove the member at {@code position}; the intset becomes one member shorter.
     */
    public static void remove(final MutableDirectBuffer buffer, final int index, final int position)
    {
        final int width = width(buffer, index);
        final int count = count(buffer, index);
        final int at = index + HEADER_LENGTH + position * width;
        buffer.putBytes(at, buffer, at + width, (count - position - 1) * width);
        buffer.putInt(index + COUNT_OFFSET, count - 1, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Check an intset completely before it is trusted (RESTORE, a replica's snapshot), as Redis's
     * {@code intsetValidateIntegrity} with deep checks: a known width, a length that matches the count, members
     * strictly ascending. An empty intset is valid here; whether an empty set may exist is the caller's rule.
     *
     * @return the number of members, or {@link #INVALID}.
     */
    public static int validate(final DirectBuffer buffer, final int index, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return INVALID;
        }
        final int width = width(buffer, index);
        if (width != Short.BYTES && width != Integer.BYTES && width != Long.BYTES)
        {
            return INVALID;
        }
        final long count = count(buffer, index) & 0xFFFF_FFFFL;
        if (HEADER_LENGTH + count * width != length)
        {
            return INVALID;
        }
        final int base = index + HEADER_LENGTH;
        for (int i = 1; i < count; i++)
        {
            if (read(buffer, base + (i - 1) * width, width) >= read(buffer, base + i * width, width))
            {
                return INVALID;
            }
        }
        return (int)count;
    }

    private static long read(final DirectBuffer buffer, final int at, final int width)
    {
        return switch (width)
        {
            case Short.BYTES -> buffer.getShort(at, ByteOrder.LITTLE_ENDIAN);
            case Integer.BYTES -> buffer.getInt(at, ByteOrder.LITTLE_ENDIAN);
            default -> buffer.getLong(at, ByteOrder.LITTLE_ENDIAN);
        };
    }

    private static void put(final MutableDirectBuffer buffer, final int at, final int width, final long value)
    {
        switch (width)
        {
            case Short.BYTES -> buffer.putShort(at, (short)value, ByteOrder.LITTLE_ENDIAN);
            case Integer.BYTES -> buffer.putInt(at, (int)value, ByteOrder.LITTLE_ENDIAN);
            default -> buffer.putLong(at, value, ByteOrder.LITTLE_ENDIAN);
        }
    }
}
