package io.ringkv.core.command;

import io.ringkv.core.store.ZSkipList;
import org.agrona.DirectBuffer;

/**
 * A ZRANGEBYLEX-style range as Redis's zslParseLexRange reads it: each end is {@code -} (before everything),
 * {@code +} (after everything), {@code [member} (inclusive) or {@code (member} (exclusive); members compare as
 * unsigned bytes. The bounds are read in place from the request's arguments. Not threadsafe: one per command class.
 */
final class LexRange
{
    private static final int MINUS = 1;
    private static final int PLUS = 2;
    private static final int INCLUSIVE = 3;
    private static final int EXCLUSIVE = 4;

    private DirectBuffer buffer;
    private int minKind;
    private int minOffset;
    private int minLength;
    private int maxKind;
    private int maxOffset;
    private int maxLength;

    /**
     * @return false when either end is not a valid lex range item.
     */
    boolean parse(final CommandArgs args, final int minIndex, final int maxIndex)
    {
        buffer = args.buffer();
        minKind = kind(args, minIndex);
        minOffset = args.offset(minIndex) + 1;
        minLength = args.length(minIndex) - 1;
        maxKind = kind(args, maxIndex);
        maxOffset = args.offset(maxIndex) + 1;
        maxLength = args.length(maxIndex) - 1;
        return minKind != 0 && maxKind != 0;
    }

    private static int kind(final CommandArgs args, final int i)
    {
        if (args.length(i) == 0)
        {
            return 0;
        }
        final byte first = args.buffer().getByte(args.offset(i));
        if (args.length(i) == 1 && first == '-')
        {
            return MINUS;
        }
        if (args.length(i) == 1 && first == '+')
        {
            return PLUS;
        }
        return first == '[' ? INCLUSIVE : first == '(' ? EXCLUSIVE : 0;
    }

    /**
     * @return true when nothing can be in the range (Redis's early empty answer: min after max).
     */
    boolean isEmpty()
    {
        if (minKind == PLUS || maxKind == MINUS)
        {
            return true;
        }
        if (minKind == MINUS || maxKind == PLUS)
        {
            return false;
        }
        final int cmp = compare(buffer.byteArray(), buffer.addressOffset() + minOffset, minLength, maxOffset,
            maxLength);
        return cmp > 0 || cmp == 0 && (minKind == EXCLUSIVE || maxKind == EXCLUSIVE);
    }

    private int compare(final Object base, final long address, final int length, final int offset, final int len)
    {
        return ZSkipList.compareMembers(base, address, length, buffer.byteArray(), buffer.addressOffset() + offset,
            len);
    }

    /**
     * @return true when the member comes before the range's start.
     */
    boolean belowMin(final Object base, final long address, final int length)
    {
        if (minKind == MINUS)
        {
            return false;
        }
        if (minKind == PLUS)
        {
            return true;
        }
        final int cmp = compare(base, address, length, minOffset, minLength);
        return minKind == EXCLUSIVE ? cmp <= 0 : cmp < 0;
    }

    /**
     * @return true when the member comes after the range's end.
     */
    boolean aboveMax(final Object base, final long address, final int length)
    {
        if (maxKind == PLUS)
        {
            return false;
        }
        if (maxKind == MINUS)
        {
            return true;
        }
        final int cmp = compare(base, address, length, maxOffset, maxLength);
        return maxKind == EXCLUSIVE ? cmp >= 0 : cmp > 0;
    }
}
