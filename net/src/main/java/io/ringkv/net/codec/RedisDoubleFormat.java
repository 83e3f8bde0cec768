package io.ringkv.net.codec;

import org.agrona.MutableDirectBuffer;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats a double as Redis 7.0's {@code addReplyDouble} does: C's {@code "%.17g"} (17 significant digits,
 * trailing zeros dropped, exponent form {@code 1e+20} / {@code 1.0000000000000001e-05} when the exponent is
 * below -4 or at least 17), and {@code inf}, {@code -inf}, {@code nan} spelled out.
 * <p>
 * Integral values below 1e17 (scores, counters: the common case) are written with a digit routine and allocate
 * nothing; other values go through an exact {@link BigDecimal} rounding, which allocates.
 * <p>
 * Not threadsafe: one per reply encoder.
 */
public final class RedisDoubleFormat
{
    /** Longest text {@link #format(double, MutableDirectBuffer, int)} writes. */
    public static final int MAX_LENGTH = 32;

    private static final MathContext SEVENTEEN_DIGITS = new MathContext(17, RoundingMode.HALF_EVEN);
    private static final double INTEGRAL_LIMIT = 1e17;

    /**
     * Write {@code value} formatted.
     *
     * @param value  the double.
     * @param buffer to write to; needs {@link #MAX_LENGTH} bytes of room.
     * @param index  where the text starts.
     * @return number of bytes written.
     */
    public int format(final double value, final MutableDirectBuffer buffer, final int index)
    {
        if (Double.isNaN(value))
        {
            return buffer.putStringWithoutLengthAscii(index, "nan");
        }
        if (Double.isInfinite(value))
        {
            return buffer.putStringWithoutLengthAscii(index, value > 0 ? "inf" : "-inf");
        }
        if (value == 0)
        {
            return buffer.putStringWithoutLengthAscii(index, (Double.doubleToRawLongBits(value) < 0) ? "-0" : "0");
        }
        if (Math.abs(value) < INTEGRAL_LIMIT && value == Math.rint(value))
        {
            return buffer.putLongAscii(index, (long)value);
        }
        return formatExact(value, buffer, index);
    }

    private static int formatExact(final double value, final MutableDirectBuffer buffer, final int index)
    {
        final BigDecimal rounded = new BigDecimal(value).round(SEVENTEEN_DIGITS);
        final String allDigits = rounded.unscaledValue().abs().toString();
        final int exponent = allDigits.length() - 1 - rounded.scale();
        int digitCount = allDigits.length();
        while (digitCount > 1 && allDigits.charAt(digitCount - 1) == '0')
        {
            digitCount--;
        }

        int w = index;
        if (value < 0)
        {
            buffer.putByte(w++, (byte)'-');
        }
        if (exponent < -4 || exponent >= 17)
        {
            buffer.putByte(w++, (byte)allDigits.charAt(0));
            if (digitCount > 1)
            {
                buffer.putByte(w++, (byte)'.');
                for (int i = 1; i < digitCount; i++)
                {
                    buffer.putByte(w++, (byte)allDigits.charAt(i));
                }
            }
            buffer.putByte(w++, (byte)'e');
            buffer.putByte(w++, (byte)(exponent < 0 ? '-' : '+'));
            final int magnitude = Math.abs(exponent);
            if (magnitude < 10)
            {
                buffer.putByte(w++, (byte)'0');
            }
            w += buffer.putIntAscii(w, magnitude);
        }
        else if (exponent >= 0)
        {
            for (int i = 0; i <= exponent; i++)
            {
                buffer.putByte(w++, (byte)(i < digitCount ? allDigits.charAt(i) : '0'));
            }
            if (digitCount > exponent + 1)
            {
                buffer.putByte(w++, (byte)'.');
                for (int i = exponent + 1; i < digitCount; i++)
                {
                    buffer.putByte(w++, (byte)allDigits.charAt(i));
                }
            }
        }
        else
        {
            buffer.putByte(w++, (byte)'0');
            buffer.putByte(w++, (byte)'.');
            for (int i = -1; i > exponent; i--)
            {
                buffer.putByte(w++, (byte)'0');
            }
            for (int i = 0; i < digitCount; i++)
            {
                buffer.putByte(w++, (byte)allDigits.charAt(i));
            }
        }
        return w - index;
    }
}
