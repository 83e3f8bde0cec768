package io.ringkv.core.command;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Parses and formats 64-bit integers as Redis does (util.c's string2ll and ll2string), without allocating.
 * A parse returns true and leaves the value in {@link #value()}. Not threadsafe: the engine thread owns one.
 */
public final class AsciiNumbers
{
    /** Longest decimal text of a long: "-9223372036854775808". */
    public static final int MAX_LONG_DIGITS = 20;

    private long value;

    /**
     * @return the value of the last successful parse.
     */
    public long value()
    {
        return value;
    }

    /**
     * Parse a canonical decimal 64-bit integer: optional '-', no '+', no spaces, no leading zeros, no "-0",
     * at most 20 characters, within range. The same strings Redis's string2ll accepts.
     *
     * @param buffer holding the text.
     * @param offset of its first byte.
     * @param length of the text.
     * @return true when the whole text is such an integer; {@link #value()} then holds it.
     */
    public boolean parseLong(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length == 0 || length > MAX_LONG_DIGITS)
        {
            return false;
        }
        int i = 0;
        if (length == 1 && buffer.getByte(offset) == '0')
        {
            value = 0;
            return true;
        }
        final boolean negative = buffer.getByte(offset) == '-';
        if (negative)
        {
            i++;
            if (i == length)
            {
                return false;
            }
        }
        final byte first = buffer.getByte(offset + i);
        if (first < '1' || first > '9')
        {
            return false;
        }
        // Accumulate as a negative number so that Long.MIN_VALUE fits.
        long result = -(first - '0');
        i++;
        for (; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (b < '0' || b > '9')
            {
                return false;
            }
            final int digit = b - '0';
            if (result < Long.MIN_VALUE / 10)
            {
                return false;
            }
            result *= 10;
            if (result < Long.MIN_VALUE + digit)
            {
                return false;
            }
            result -= digit;
        }
        if (!negative)
        {
            if (result == Long.MIN_VALUE)
            {
                return false;
            }
            result = -result;
        }
        value = result;
        return true;
    }

    /**
     * Parse argument {@code i} of a request as a canonical integer.
     *
     * @param args request arguments.
     * @param i    argument index.
     * @return true when it is one; {@link #value()} then holds it.
     */
    public boolean parseLong(final CommandArgs args, final int i)
    {
        return parseLong(args.buffer(), args.offset(i), args.length(i));
    }

    /**
     * Redis's getIntFromObjectOrReply: argument {@code i} must be a canonical integer (else
     * {@link ErrorMessages#NOT_INTEGER}) within 32 bits (else {@link ErrorMessages#INT_OUT_OF_RANGE}).
     *
     * @param args  request arguments.
     * @param i     argument index.
     * @param reply for the error.
     * @return true when it is one; {@link #value()} then holds it; false once the error has been replied.
     */
    public boolean parseIntOrReply(final CommandArgs args, final int i, final Reply reply)
    {
        if (!parseLong(args, i))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return false;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
        {
            reply.error(ErrorMessages.INT_OUT_OF_RANGE);
            return false;
        }
        return true;
    }

    /**
     * Parse argument {@code i} as Redis parses a SCAN cursor, with C's {@code strtoul} in base 10: an optional sign
     * and decimal digits whose value fits in 64 bits unsigned, leading zeros allowed; a minus sign negates modulo
     * 2^64 (so "-1" is the largest cursor); an empty text reads as 0. Leading white space, a sign without digits and
     * anything after the digits are refused.
     *
     * @param args request arguments.
     * @param i    argument index.
     * @return true when it parsed; {@link #value()} then holds its 64 bits (read them as unsigned).
     */
    public boolean parseStrtoul(final CommandArgs args, final int i)
    {
        final DirectBuffer buffer = args.buffer();
        int index = args.offset(i);
        final int end = index + args.length(i);
        long result = 0;
        if (index < end)
        {
            final byte sign = buffer.getByte(index);
            final boolean negative = sign == '-';
            if (negative || sign == '+')
            {
                index++;
                if (index == end)
                {
                    return false;
                }
            }
            for (; index < end; index++)
            {
                final int digit = buffer.getByte(index) - '0';
                if (digit < 0 || digit > 9 ||
                    Long.compareUnsigned(result, Long.divideUnsigned(-1L - digit, 10)) > 0) // result*10+digit >= 2^64
                {
                    return false;
                }
                result = result * 10 + digit;
            }
            result = negative ? -result : result;
        }
        value = result;
        return true;
    }

    /**
     * @param value to format.
     * @return number of decimal characters of {@code value}, sign included.
     */
    public static int decimalLength(final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            return MAX_LONG_DIGITS;
        }
        long v = Math.abs(value);
        int digits = 1;
        while (v >= 10)
        {
            v /= 10;
            digits++;
        }
        return value < 0 ? digits + 1 : digits;
    }

    /**
     * Write the decimal text of {@code value}.
     *
     * @param buffer to write to.
     * @param index  of the first character.
     * @param value  to format.
     * @return number of bytes written.
     */
    public static int putLong(final MutableDirectBuffer buffer, final int index, final long value)
    {
        return buffer.putLongAscii(index, value);
    }
}
