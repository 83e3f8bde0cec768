package io.ringkv.core.codec;

import org.agrona.MutableDirectBuffer;

/**
 * Formats a double as Redis 7.0's {@code addReplyDouble} does: C's {@code "%.17g"} (17 significant digits,
 * trailing zeros dropped, exponent form {@code 1e+20} / {@code 1.0000000000000001e-05} when the exponent is
 * below -4 or at least 17), and {@code inf}, {@code -inf}, {@code nan} spelled out.
 * <p>
 * Integral values below 1e17 (scores, counters: the common case) are written with a digit routine; other values
 * are expanded exactly into reused base-1e9 limbs and rounded half-even, as glibc's printf does. Nothing allocates.
 * <p>
 * Not threadsafe: one per reply encoder.
 */
public final class RedisDoubleFormat
{
    /** Longest text {@link #format(double, MutableDirectBuffer, int)} writes. */
    public static final int MAX_LENGTH = 32;

    private static final double INTEGRAL_LIMIT = 1e17;
    private static final long LIMB_BASE = 1_000_000_000L;
    private static final int FIVE_POW_13 = 1_220_703_125;
    private static final long[] POWERS_OF_TEN = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L,
        10_000_000L, 100_000_000L, 1_000_000_000L};

    /** Base-1e9 limbs of the exact decimal value, least significant first; 2^53 * 5^1074 needs 86. */
    private final int[] limbs = new int[100];
    private int limbCount;
    private final byte[] digits = new byte[17];

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

    /**
     * Exact "%.17g" of a finite non-zero non-integral (or huge) value: the exact decimal expansion of the double
     * (mantissa times a power of two, as base-1e9 limbs), rounded half-even to 17 significant digits.
     */
    private int formatExact(final double value, final MutableDirectBuffer buffer, final int index)
    {
        final long bits = Double.doubleToRawLongBits(value);
        final int biasedExponent = (int)((bits >>> 52) & 0x7FF);
        long mantissa = bits & ((1L << 52) - 1);
        int binaryExponent;
        if (biasedExponent == 0)
        {
            binaryExponent = 1 - 1075;
        }
        else
        {
            mantissa |= 1L << 52;
            binaryExponent = biasedExponent - 1075;
        }

        // value = mantissa * 2^binaryExponent = big * 10^decimalShift
        limbs[0] = (int)(mantissa % LIMB_BASE);
        limbs[1] = (int)(mantissa / LIMB_BASE % LIMB_BASE);
        limbs[2] = (int)(mantissa / LIMB_BASE / LIMB_BASE);
        limbCount = limbs[2] != 0 ? 3 : (limbs[1] != 0 ? 2 : 1);
        int decimalShift = 0;
        if (binaryExponent >= 0)
        {
            for (; binaryExponent >= 30; binaryExponent -= 30)
            {
                multiply(1 << 30);
            }
            multiply(1 << binaryExponent);
        }
        else
        {
            decimalShift = binaryExponent;
            int fives = -binaryExponent;
            for (; fives >= 13; fives -= 13)
            {
                multiply(FIVE_POW_13);
            }
            int factor = 1;
            for (; fives > 0; fives--)
            {
                factor *= 5;
            }
            multiply(factor);
        }

        final int topDigits = decimalLength(limbs[limbCount - 1]);
        final int digitTotal = topDigits + 9 * (limbCount - 1);
        int exponent = digitTotal - 1 + decimalShift;
        final byte[] digits = this.digits;
        final int kept = Math.min(digitTotal, 17);
        for (int i = 0; i < kept; i++)
        {
            digits[i] = (byte)digitAt(i, topDigits);
        }
        if (digitTotal > 17)
        {
            final int next = digitAt(17, topDigits);
            final boolean sticky = anyNonZeroFrom(18, topDigits, digitTotal);
            if (next > 5 || (next == 5 && (sticky || (digits[16] & 1) == 1)))
            {
                int i = 16;
                while (i >= 0 && digits[i] == 9)
                {
                    digits[i--] = 0;
                }
                if (i >= 0)
                {
                    digits[i]++;
                }
                else
                {
                    digits[0] = 1;
                    exponent++;
                }
            }
        }
        int digitCount = kept;
        while (digitCount > 1 && digits[digitCount - 1] == 0)
        {
            digitCount--;
        }
        return write(value < 0, digits, digitCount, exponent, buffer, index);
    }

    private static int write(
        final boolean negative,
        final byte[] digits,
        final int digitCount,
        final int exponent,
        final MutableDirectBuffer buffer,
        final int index)
    {
        int w = index;
        if (negative)
        {
            buffer.putByte(w++, (byte)'-');
        }
        if (exponent < -4 || exponent >= 17)
        {
            buffer.putByte(w++, (byte)('0' + digits[0]));
            if (digitCount > 1)
            {
                buffer.putByte(w++, (byte)'.');
                for (int i = 1; i < digitCount; i++)
                {
                    buffer.putByte(w++, (byte)('0' + digits[i]));
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
                buffer.putByte(w++, (byte)(i < digitCount ? '0' + digits[i] : '0'));
            }
            if (digitCount > exponent + 1)
            {
                buffer.putByte(w++, (byte)'.');
                for (int i = exponent + 1; i < digitCount; i++)
                {
                    buffer.putByte(w++, (byte)('0' + digits[i]));
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
                buffer.putByte(w++, (byte)('0' + digits[i]));
            }
        }
        return w - index;
    }

    private void multiply(final int factor)
    {
        final int[] limbs = this.limbs;
        long carry = 0;
        for (int i = 0; i < limbCount; i++)
        {
            final long product = (long)limbs[i] * factor + carry;
            limbs[i] = (int)(product % LIMB_BASE);
            carry = product / LIMB_BASE;
        }
        while (carry != 0)
        {
            limbs[limbCount++] = (int)(carry % LIMB_BASE);
            carry /= LIMB_BASE;
        }
    }

    /**
     * @param position digit position counted from the most significant digit (0).
     */
    private int digitAt(final int position, final int topDigits)
    {
        if (position < topDigits)
        {
            return (int)(limbs[limbCount - 1] / POWERS_OF_TEN[topDigits - 1 - position] % 10);
        }
        final int rest = position - topDigits;
        final int limb = limbs[limbCount - 2 - rest / 9];
        return (int)(limb / POWERS_OF_TEN[8 - rest % 9] % 10);
    }

    /**
     * @return true when any digit at {@code position} or after is not zero (the "sticky" part of the rounding).
     */
    private boolean anyNonZeroFrom(final int position, final int topDigits, final int digitTotal)
    {
        if (position >= digitTotal)
        {
            return false;
        }
        final int limbIndex;
        final int digitsLeftInLimb;
        if (position < topDigits)
        {
            limbIndex = limbCount - 1;
            digitsLeftInLimb = topDigits - position;
        }
        else
        {
            limbIndex = limbCount - 2 - (position - topDigits) / 9;
            digitsLeftInLimb = 9 - (position - topDigits) % 9;
        }
        if (limbs[limbIndex] % POWERS_OF_TEN[digitsLeftInLimb] != 0)
        {
            return true;
        }
        for (int i = limbIndex - 1; i >= 0; i--)
        {
            if (limbs[i] != 0)
            {
                return true;
            }
        }
        return false;
    }

    private static int decimalLength(final int value)
    {
        int length = 1;
        while (length < 10 && value >= POWERS_OF_TEN[length])
        {
            length++;
        }
        return length;
    }
}
