package io.ringkv.core.command;

import org.agrona.DirectBuffer;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The timeout argument of the blocking commands, read as Redis 7.0's getTimeoutFromObjectOrReply reads seconds: a
 * long double (strtold syntax, so {@code 0x10} and {@code 1e-3} are valid), times 1000, rounded up to whole
 * milliseconds; 0 waits forever. A value whose milliseconds do not fit a long (e.g. {@code 1e400}, {@code inf})
 * is refused as negative, as Redis's conversion of it is. Whole seconds and binary fractions ({@code 0}, {@code 5},
 * {@code 0.25}) are read without allocating; anything else goes through {@link LongDouble}.
 */
public final class BlockingTimeout
{
    /** What {@link #parseMs} returns once it has replied with an error. */
    public static final long INVALID = -1;

    static final String NOT_A_FLOAT = "ERR timeout is not a float or out of range";
    static final String NEGATIVE = "ERR timeout is negative";

    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    /** Characters of a plain decimal read without allocating: its milliseconds fit a long and a long double exactly. */
    private static final int FAST_DIGITS = 12;

    private BlockingTimeout()
    {
    }

    /**
     * @param args  the command's arguments.
     * @param index of the timeout argument.
     * @param reply answered with Redis's error when the timeout is invalid.
     * @return the timeout in milliseconds (0: forever), or {@link #INVALID} once an error was replied.
     */
    public static long parseMs(final CommandArgs args, final int index, final Reply reply)
    {
        final long fast = parsePlainDecimal(args, index);
        if (fast >= 0)
        {
            return fast;
        }
        final BigDecimal seconds = LongDouble.parse(args.asString(index));
        if (null == seconds)
        {
            reply.error(NOT_A_FLOAT);
            return INVALID;
        }
        if (LongDouble.isInfinite(seconds))
        {
            reply.error(NEGATIVE);
            return INVALID;
        }
        final BigDecimal product = LongDouble.multiply(seconds, THOUSAND);
        if (LongDouble.isInfinite(product))
        {
            reply.error(NEGATIVE);
            return INVALID;
        }
        final BigDecimal ms = product.setScale(0, RoundingMode.CEILING);
        if (ms.signum() < 0 || ms.compareTo(LONG_MAX) > 0)
        {
            reply.error(NEGATIVE); // Redis's (long long) conversion of an out-of-range value is negative
            return INVALID;
        }
        return ms.longValueExact();
    }

    /**
     * @param nowMs     the command's time.
     * @param timeoutMs from {@link #parseMs}.
     * @return the absolute deadline in epoch ms, 0 for none; a deadline past the end of time is none.
     */
    public static long deadlineMs(final long nowMs, final long timeoutMs)
    {
        if (timeoutMs == 0)
        {
            return 0;
        }
        final long deadline = nowMs + timeoutMs;
        return deadline < nowMs ? 0 : deadline;
    }

    /**
     * @return the milliseconds of {@code digits[.digits]} when the long double path would compute them exactly (at
     * most {@link #FAST_DIGITS} characters, and a fraction that binary holds exactly: .5, .25, .125, .75...), or -1
     * for anything else. Exactness is what makes the answer Redis's: for a fraction like .007 the long double's
     * rounding can move the product past a whole millisecond, and only the long double path says where.
     */
    private static long parsePlainDecimal(final CommandArgs args, final int index)
    {
        final int length = args.length(index);
        if (length == 0 || length > FAST_DIGITS)
        {
            return -1;
        }
        final DirectBuffer buffer = args.buffer();
        final int offset = args.offset(index);
        long whole = 0;
        int i = 0;
        for (; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (b == '.')
            {
                break;
            }
            if (b < '0' || b > '9')
            {
                return -1;
            }
            whole = whole * 10 + (b - '0');
        }
        if (i == 0)
        {
            return -1;
        }
        if (i == length)
        {
            return whole * 1000;
        }
        final int digits = length - i - 1;
        if (digits == 0)
        {
            return -1; // "5." is strtold's too, but rare: let the long double path judge it
        }
        long fraction = 0;
        long powerOfFive = 1;
        long powerOfTen = 1;
        for (int j = i + 1; j < length; j++)
        {
            final byte b = buffer.getByte(offset + j);
            if (b < '0' || b > '9')
            {
                return -1;
            }
            fraction = fraction * 10 + (b - '0');
            powerOfFive *= 5;
            powerOfTen *= 10;
        }
        if (fraction % powerOfFive != 0)
        {
            return -1; // not a binary fraction: the long double is not exact
        }
        // fraction / 10^digits seconds, in ms rounded up: (fraction * 1000 + 10^digits - 1) / 10^digits.
        return whole * 1000 + (fraction * 1000 + powerOfTen - 1) / powerOfTen;
    }
}
