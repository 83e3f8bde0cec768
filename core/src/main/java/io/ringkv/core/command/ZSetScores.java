package io.ringkv.core.command;

import org.agrona.DirectBuffer;

/**
 * Parses sorted-set scores and score range bounds as Redis 7.0 does with C's {@code strtod}: decimal and hexadecimal
 * floats, {@code inf}/{@code infinity} with a sign, in any case. A score ({@link #parseScore}, Redis's
 * getDoubleFromObject) must be the whole text, without leading space, not NaN, and not overflow or underflow to zero
 * ({@code 1e400} is refused); a range bound ({@link #parseBound}, Redis's zslParseRange) may start with {@code (}
 * (exclusive), may have leading spaces and may overflow to an infinity, and NaN is refused. Canonical integers take an
 * allocation-free path; other texts go through {@link Double#parseDouble} after the grammar check.
 * <p>
 * Not threadsafe: one per command class on the engine thread.
 */
final class ZSetScores
{
    private final AsciiNumbers numbers = new AsciiNumbers();
    private final StringBuilder text = new StringBuilder(64);
    private double value;
    private boolean exclusive;

    /**
     * @return the value parsed last.
     */
    double value()
    {
        return value;
    }

    /**
     * @return whether the bound parsed last was exclusive.
     */
    boolean exclusive()
    {
        return exclusive;
    }

    boolean parseScore(final CommandArgs args, final int i)
    {
        return parseScore(args.buffer(), args.offset(i), args.length(i));
    }

    boolean parseScore(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length == 0 || isSpace(buffer.getByte(offset)))
        {
            return false;
        }
        return parse(buffer, offset, length, true);
    }

    /**
     * A ZRANGEBYSCORE-style bound: {@code (5}, {@code 5}, {@code -inf}...
     */
    boolean parseBound(final CommandArgs args, final int i)
    {
        final DirectBuffer buffer = args.buffer();
        int offset = args.offset(i);
        int length = args.length(i);
        exclusive = length > 0 && buffer.getByte(offset) == '(';
        if (exclusive)
        {
            offset++;
            length--;
        }
        // strtod stops at a NUL: what follows it is never seen (Redis reads the argument as a C string).
        for (int k = 0; k < length; k++)
        {
            if (buffer.getByte(offset + k) == 0)
            {
                length = k;
                break;
            }
        }
        while (length > 0 && isSpace(buffer.getByte(offset)))
        {
            offset++;
            length--;
        }
        if (length == 0)
        {
            value = 0;    // strtod of nothing: 0, and the end reached
            return true;
        }
        return parse(buffer, offset, length, false);
    }

    private static boolean isSpace(final byte b)
    {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private boolean parse(final DirectBuffer buffer, final int offset, final int length, final boolean strict)
    {
        if (length <= 18 && numbers.parseLong(buffer, offset, length))
        {
            value = numbers.value();
            return true;
        }
        int p = offset;
        final int end = offset + length;
        boolean negative = false;
        if (buffer.getByte(p) == '+' || buffer.getByte(p) == '-')
        {
            negative = buffer.getByte(p) == '-';
            p++;
        }
        final int rest = end - p;
        if (rest == 3 && equalsIgnoreCase(buffer, p, "inf") || rest == 8 && equalsIgnoreCase(buffer, p, "infinity"))
        {
            value = negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            return true;
        }
        if (rest >= 3 && equalsIgnoreCase(buffer, p, "nan"))
        {
            return false;
        }
        final StringBuilder text = this.text;
        text.setLength(0);
        if (negative)
        {
            text.append('-');
        }
        final boolean hex = rest > 2 && buffer.getByte(p) == '0' && (buffer.getByte(p + 1) | 0x20) == 'x';
        if (hex)
        {
            p += 2;
            text.append("0x");
        }
        // The mantissa: digits with at most one point, at least one digit.
        int digits = 0;
        boolean nonZeroDigit = false;
        boolean point = false;
        while (p < end && ((hex ? isHex(buffer.getByte(p)) : isDigit(buffer.getByte(p))) ||
            buffer.getByte(p) == '.' && !point))
        {
            final byte b = buffer.getByte(p++);
            point |= b == '.';
            if (b != '.')
            {
                digits++;
                nonZeroDigit |= b != '0';
            }
            text.append((char)b);
        }
        if (digits == 0)
        {
            return false;
        }
        if (p < end && (buffer.getByte(p) | 0x20) == (hex ? 'p' : 'e'))
        {
            text.append(hex ? 'p' : 'e');
            p = exponent(buffer, p + 1, end, text);
            if (p < 0)
            {
                return false;
            }
        }
        else if (hex)
        {
            text.append("p0");    // Java's hexadecimal floats need the binary exponent
        }
        if (p != end)
        {
            return false;
        }
        final double parsed = Double.parseDouble(text.toString());
        if (strict && (Double.isInfinite(parsed) || parsed == 0 && nonZeroDigit))
        {
            return false;    // ERANGE: overflow, or underflow to zero
        }
        value = parsed;
        return true;
    }

    /** Exponent digits after 'e' or 'p': returns the position after them, or -1 when there are none. */
    private static int exponent(final DirectBuffer buffer, final int from, final int end, final StringBuilder text)
    {
        int p = from;
        if (p < end && (buffer.getByte(p) == '+' || buffer.getByte(p) == '-'))
        {
            text.append((char)buffer.getByte(p++));
        }
        final int digitsStart = p;
        while (p < end && isDigit(buffer.getByte(p)))
        {
            text.append((char)buffer.getByte(p++));
        }
        return p == digitsStart ? -1 : p;
    }

    private static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    private static boolean isHex(final byte b)
    {
        return isDigit(b) || (b | 0x20) >= 'a' && (b | 0x20) <= 'f';
    }

    private static boolean equalsIgnoreCase(final DirectBuffer buffer, final int p, final String word)
    {
        for (int i = 0; i < word.length(); i++)
        {
            if ((buffer.getByte(p + i) | 0x20) != word.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
