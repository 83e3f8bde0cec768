package io.ringkv.core.command;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Exact emulation of the x87 80-bit {@code long double} arithmetic Redis uses for INCRBYFLOAT: values are held
 * as exact decimals rounded to a 64-bit binary significand (round half to even, like strtold and the FPU),
 * and printed like Redis's ld2string(LD_STR_HUMAN): {@code "%.17Lf"} with trailing zeros removed.
 * So {@code 10.5 + 0.1} gives "10.6" and {@code 1e20 + 1} gives "100000000000000000000", as Redis does.
 * <p>
 * Stateless; allocates (BigDecimal), which is acceptable for INCRBYFLOAT only. Any thread may call it.
 */
public final class LongDouble
{
    /** Redis's MAX_LONG_DOUBLE_CHARS: longer input is not a valid float, longer output an error. */
    public static final int MAX_CHARS = 5 * 1024;

    /** Positive infinity marker (a parse may return it; an addition producing it is an error). */
    public static final BigDecimal POSITIVE_INFINITY = new BigDecimal("1e100000");
    /** Negative infinity marker. */
    public static final BigDecimal NEGATIVE_INFINITY = POSITIVE_INFINITY.negate();

    /** Marker for a literal too small to be anything but zero (strtold's ERANGE underflow). */
    private static final BigDecimal UNDERFLOW = new BigDecimal("1e-100000");

    private static final int SIGNIFICAND_BITS = 64;
    /** Exponent of the smallest denormal's unit: 2^-16445. */
    private static final int MIN_QUANTUM_EXPONENT = -16445;
    /** Values at or above 2^16384 overflow to infinity. */
    private static final int MAX_BINARY_EXPONENT = 16384;
    private static final BigInteger TWO_POW_63 = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger TWO_POW_64 = BigInteger.ONE.shiftLeft(64);
    /** {@link #exponentEnd}: the marker is not followed by an exponent. */
    private static final int NO_EXPONENT = -1;

    private LongDouble()
    {
    }

    /**
     * @param value a value returned by this class.
     * @return true for either infinity marker.
     */
    public static boolean isInfinite(final BigDecimal value)
    {
        return value == POSITIVE_INFINITY || value == NEGATIVE_INFINITY;
    }

    /**
     * Parse text as Redis's string2ld does: strtold syntax (decimal, hexadecimal {@code 0x1.8p3}, inf, infinity),
     * no leading space, nothing after the number, not NaN, no overflow and no underflow to zero.
     *
     * @param text the ASCII text.
     * @return the value rounded to long double precision, an infinity marker, or null when not a valid float.
     */
    public static BigDecimal parse(final String text)
    {
        final int length = text.length();
        if (length == 0 || length >= MAX_CHARS)
        {
            return null;
        }
        int i = 0;
        boolean negative = false;
        if (text.charAt(0) == '+' || text.charAt(0) == '-')
        {
            negative = text.charAt(0) == '-';
            i++;
        }
        final String rest = text.substring(i);
        if (rest.equalsIgnoreCase("inf") || rest.equalsIgnoreCase("infinity"))
        {
            return negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
        }
        final BigDecimal exact = rest.length() > 1 && rest.charAt(0) == '0' && (rest.charAt(1) | 0x20) == 'x' ?
            parseHex(rest.substring(2)) : parseDecimal(rest);
        if (exact == null || exact == UNDERFLOW)
        {
            return null;
        }
        final BigDecimal rounded = round(exact);
        if (rounded == null || isInfinite(rounded) || (rounded.signum() == 0 && exact.signum() != 0))
        {
            return null; // ERANGE: overflow, or underflow to zero
        }
        return negative ? rounded.negate() : rounded;
    }

    /**
     * @param a addend.
     * @param b addend.
     * @return a + b rounded to long double precision, or an infinity marker (also for inf - inf, i.e. NaN).
     */
    public static BigDecimal add(final BigDecimal a, final BigDecimal b)
    {
        if (isInfinite(a) || isInfinite(b))
        {
            return POSITIVE_INFINITY;
        }
        return round(a.add(b));
    }

    /**
     * @param a a finite factor.
     * @param b a finite factor.
     * @return a * b rounded to long double precision, as the FPU's multiplication (BLPOP's seconds times 1000).
     */
    public static BigDecimal multiply(final BigDecimal a, final BigDecimal b)
    {
        return round(a.multiply(b));
    }

    /**
     * Redis's LD_STR_HUMAN formatting: 17 decimals, trailing zeros and a trailing point removed, "-0" as "0".
     *
     * @param value a finite value.
     * @return its text, or null when longer than {@link #MAX_CHARS}.
     */
    public static String format(final BigDecimal value)
    {
        String text = value.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        if (text.indexOf('.') >= 0)
        {
            int end = text.length();
            while (text.charAt(end - 1) == '0')
            {
                end--;
            }
            if (text.charAt(end - 1) == '.')
            {
                end--;
            }
            text = text.substring(0, end);
        }
        if (text.equals("-0"))
        {
            text = "0";
        }
        return text.length() + 1 > MAX_CHARS ? null : text;
    }

    private static BigDecimal parseDecimal(final String text)
    {
        final int length = text.length();
        int i = 0;
        int digits = 0;
        while (i < length && isDigit(text.charAt(i)))
        {
            i++;
            digits++;
        }
        if (i < length && text.charAt(i) == '.')
        {
            i++;
            while (i < length && isDigit(text.charAt(i)))
            {
                i++;
                digits++;
            }
        }
        if (digits == 0)
        {
            return null;
        }
        final int mantissaEnd = i;
        long exponent = 0;
        if (i < length && (text.charAt(i) | 0x20) == 'e')
        {
            final int exponentEnd = exponentEnd(text, i + 1);
            if (exponentEnd == NO_EXPONENT)
            {
                return null;
            }
            exponent = exponent(text, i + 1, exponentEnd);
            i = exponentEnd;
        }
        if (i != length)
        {
            return null;
        }
        final BigDecimal mantissa = new BigDecimal(text.substring(0, mantissaEnd).equals(".") ? "0" :
            (text.charAt(0) == '.' ? "0" + text.substring(0, mantissaEnd) : text.substring(0, mantissaEnd)));
        if (mantissa.signum() == 0)
        {
            return BigDecimal.ZERO;
        }
        // Decimal exponent of the leading digit; far outside long double's range means overflow or underflow.
        final long leadingExponent = mantissa.precision() - (long)mantissa.scale() - 1 + exponent;
        if (leadingExponent > 4933)
        {
            return POSITIVE_INFINITY;
        }
        if (leadingExponent < -4952)
        {
            return UNDERFLOW;
        }
        return mantissa.scaleByPowerOfTen((int)exponent);
    }

    /**
     * The signed decimal exponent after a decimal 'e' or a hex 'p' marker ends here.
     *
     * @param start index just after the marker.
     * @return the index after the exponent's last digit, or {@link #NO_EXPONENT} when it has no digit (strtold
     * would then stop before the marker, leaving trailing garbage).
     */
    private static int exponentEnd(final String text, final int start)
    {
        final int length = text.length();
        int j = start;
        if (j < length && (text.charAt(j) == '+' || text.charAt(j) == '-'))
        {
            j++;
        }
        final int digitsStart = j;
        while (j < length && isDigit(text.charAt(j)))
        {
            j++;
        }
        return j == digitsStart ? NO_EXPONENT : j;
    }

    /**
     * @param start index just after the marker.
     * @param end   what {@link #exponentEnd} returned.
     * @return the exponent, its magnitude clamped once past 10^9 (far outside long double's range either way).
     */
    private static long exponent(final String text, final int start, final int end)
    {
        final boolean negative = text.charAt(start) == '-';
        long exponent = 0;
        for (int j = negative || text.charAt(start) == '+' ? start + 1 : start; j < end; j++)
        {
            if (exponent < 1_000_000_000L)
            {
                exponent = exponent * 10 + (text.charAt(j) - '0');
            }
        }
        return negative ? -exponent : exponent;
    }

    private static BigDecimal parseHex(final String text)
    {
        final int length = text.length();
        int i = 0;
        BigInteger mantissa = BigInteger.ZERO;
        int digits = 0;
        long binaryExponent = 0;
        while (i < length && Character.digit(text.charAt(i), 16) >= 0)
        {
            mantissa = mantissa.shiftLeft(4).add(BigInteger.valueOf(Character.digit(text.charAt(i), 16)));
            i++;
            digits++;
        }
        if (i < length && text.charAt(i) == '.')
        {
            i++;
            while (i < length && Character.digit(text.charAt(i), 16) >= 0)
            {
                mantissa = mantissa.shiftLeft(4).add(BigInteger.valueOf(Character.digit(text.charAt(i), 16)));
                binaryExponent -= 4;
                i++;
                digits++;
            }
        }
        if (digits == 0 || digits > MAX_CHARS)
        {
            return null;
        }
        if (i < length && (text.charAt(i) | 0x20) == 'p')
        {
            final int exponentEnd = exponentEnd(text, i + 1);
            if (exponentEnd == NO_EXPONENT)
            {
                return null;
            }
            binaryExponent += exponent(text, i + 1, exponentEnd);
            i = exponentEnd;
        }
        if (i != length)
        {
            return null;
        }
        if (mantissa.signum() == 0)
        {
            return BigDecimal.ZERO;
        }
        final long topBit = mantissa.bitLength() + binaryExponent;
        if (topBit > MAX_BINARY_EXPONENT + 1)
        {
            return POSITIVE_INFINITY;
        }
        if (topBit < MIN_QUANTUM_EXPONENT - 1)
        {
            return UNDERFLOW;
        }
        return times2Pow(new BigDecimal(mantissa), (int)binaryExponent);
    }

    /**
     * Round an exact value to the nearest long double (64-bit significand, half to even, with denormals).
     *
     * @return the rounded value, an infinity marker on overflow, zero on underflow.
     */
    private static BigDecimal round(final BigDecimal exact)
    {
        if (isInfinite(exact))
        {
            return exact;
        }
        if (exact.signum() == 0)
        {
            return BigDecimal.ZERO;
        }
        final boolean negative = exact.signum() < 0;
        final BigDecimal magnitude = exact.abs();
        final BigInteger unscaled = magnitude.unscaledValue();
        final int scale = magnitude.scale();
        final BigInteger num = scale < 0 ? unscaled.multiply(BigInteger.TEN.pow(-scale)) : unscaled;
        final BigInteger den = scale > 0 ? BigInteger.TEN.pow(scale) : BigInteger.ONE;

        int e = num.bitLength() - den.bitLength() - SIGNIFICAND_BITS;
        while (true)
        {
            final BigInteger q = scaledQuotient(num, den, e);
            if (q.compareTo(TWO_POW_64) >= 0)
            {
                e++;
            }
            else if (q.compareTo(TWO_POW_63) < 0)
            {
                e--;
            }
            else
            {
                break;
            }
        }
        if (e < MIN_QUANTUM_EXPONENT)
        {
            e = MIN_QUANTUM_EXPONENT;
        }
        // q = round_half_even(num / (den * 2^e))
        final BigInteger scaledNum = e < 0 ? num.shiftLeft(-e) : num;
        final BigInteger scaledDen = e > 0 ? den.shiftLeft(e) : den;
        final BigInteger[] qr = scaledNum.divideAndRemainder(scaledDen);
        BigInteger q = qr[0];
        final int half = qr[1].shiftLeft(1).compareTo(scaledDen);
        if (half > 0 || (half == 0 && q.testBit(0)))
        {
            q = q.add(BigInteger.ONE);
        }
        if (q.equals(TWO_POW_64))
        {
            q = TWO_POW_63;
            e++;
        }
        if (q.signum() == 0)
        {
            return BigDecimal.ZERO;
        }
        if (e + SIGNIFICAND_BITS > MAX_BINARY_EXPONENT)
        {
            return negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
        }
        final BigDecimal result = times2Pow(new BigDecimal(q), e);
        return negative ? result.negate() : result;
    }

    private static BigInteger scaledQuotient(final BigInteger num, final BigInteger den, final int e)
    {
        final BigInteger scaledNum = e < 0 ? num.shiftLeft(-e) : num;
        final BigInteger scaledDen = e > 0 ? den.shiftLeft(e) : den;
        return scaledNum.divide(scaledDen);
    }

    private static BigDecimal times2Pow(final BigDecimal value, final int exponent)
    {
        if (exponent >= 0)
        {
            return new BigDecimal(value.unscaledValue().shiftLeft(exponent), value.scale());
        }
        // x * 2^-n = x * 5^n / 10^n: exact.
        return new BigDecimal(value.unscaledValue().multiply(BigInteger.valueOf(5).pow(-exponent)),
            value.scale() - exponent);
    }

    private static boolean isDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }
}
