package io.ringkv.core.script.lib;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * C's {@code printf("%.Ng")} and {@code strtod} for doubles, as glibc does them, so numbers read and written by the
 * libraries match Redis's to the byte (cjson writes {@code %.14g}; Lua's own {@code tostring} uses the same).
 */
final class CFormat
{
    private CFormat()
    {
    }

    /**
     * {@code %.<precision>g}: at most {@code precision} significant digits, exponent form when the exponent is below
     * -4 or not below the precision, trailing zeros removed; "inf", "-inf", "nan", "-nan" as glibc prints them.
     */
    static String formatG(final double value, final int precision)
    {
        if (Double.isNaN(value))
        {
            return Double.doubleToRawLongBits(value) < 0 ? "-nan" : "nan";
        }
        if (Double.isInfinite(value))
        {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0)
        {
            return Double.doubleToRawLongBits(value) < 0 ? "-0" : "0";
        }
        final double limit = Math.pow(10, precision);
        if (value == Math.rint(value) && Math.abs(value) < limit && Math.abs(value) < 0x1p53)
        {
            return Long.toString((long) value);
        }
        final BigDecimal rounded = new BigDecimal(value).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        final int exponent = rounded.precision() - rounded.scale() - 1;
        final String digits = rounded.unscaledValue().abs().toString();
        final StringBuilder out = new StringBuilder(24);
        if (rounded.signum() < 0)
        {
            out.append('-');
        }
        if (exponent < -4 || exponent >= precision)
        {
            final String mantissa = stripZeros(digits);
            out.append(mantissa.charAt(0));
            if (mantissa.length() > 1)
            {
                out.append('.').append(mantissa, 1, mantissa.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            final int magnitude = Math.abs(exponent);
            if (magnitude < 10)
            {
                out.append('0');
            }
            out.append(magnitude);
            return out.toString();
        }
        final String plain = rounded.abs().toPlainString();
        out.append(plain.indexOf('.') >= 0 ? stripPoint(stripZeros(plain)) : plain);
        return out.toString();
    }

    private static String stripZeros(final String digits)
    {
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0')
        {
            end--;
        }
        return digits.substring(0, end);
    }

    private static String stripPoint(final String text)
    {
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    /**
     * {@code strtod} over {@code bytes} from {@code start} (no leading white space expected): decimal, hexadecimal,
     * "inf", "infinity" and "nan" forms with an optional sign. Returns the bytes consumed (0: no number) and leaves
     * the value in {@code result[0]}.
     */
    static int strtod(final byte[] bytes, final int start, final double[] result)
    {
        int at = start;
        boolean negative = false;
        if (at < bytes.length && (bytes[at] == '+' || bytes[at] == '-'))
        {
            negative = bytes[at] == '-';
            at++;
        }
        if (matches(bytes, at, "inf"))
        {
            at += matches(bytes, at, "infinity") ? 8 : 3;
            result[0] = negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            return at - start;
        }
        if (matches(bytes, at, "nan"))
        {
            at += 3;
            if (at < bytes.length && bytes[at] == '(')
            {
                int close = at + 1;
                while (close < bytes.length && (isAlnum(bytes[close]) || bytes[close] == '_'))
                {
                    close++;
                }
                if (close < bytes.length && bytes[close] == ')')
                {
                    at = close + 1;
                }
            }
            result[0] = negative ? -Double.NaN : Double.NaN;
            return at - start;
        }
        if (at + 1 < bytes.length && bytes[at] == '0' && (bytes[at + 1] | 0x20) == 'x')
        {
            final int hexEnd = hexNumber(bytes, at + 2, negative, result);
            if (hexEnd > 0)
            {
                return hexEnd - start;
            }
        }
        final int mantissaStart = at;
        int digits = 0;
        while (at < bytes.length && isDigit(bytes[at]))
        {
            at++;
            digits++;
        }
        if (at < bytes.length && bytes[at] == '.')
        {
            at++;
            while (at < bytes.length && isDigit(bytes[at]))
            {
                at++;
                digits++;
            }
        }
        if (digits == 0)
        {
            return 0;
        }
        at = exponentEnd(bytes, at, 'e');
        final String text = new String(bytes, mantissaStart, at - mantissaStart, StandardCharsets.ISO_8859_1);
        final double magnitude = Double.parseDouble(text.startsWith(".") ? "0" + text : text);
        result[0] = negative ? -magnitude : magnitude;
        return at - start;
    }

    /** Hexadecimal mantissa after "0x"; returns the end, or 0 when no hex digit follows (then "0" alone counts). */
    private static int hexNumber(final byte[] bytes, final int from, final boolean negative, final double[] result)
    {
        int at = from;
        final StringBuilder text = new StringBuilder("0x");
        int digits = 0;
        while (at < bytes.length && Character.digit(bytes[at], 16) >= 0)
        {
            text.append((char) bytes[at++]);
            digits++;
        }
        if (at < bytes.length && bytes[at] == '.')
        {
            text.append('.');
            at++;
            while (at < bytes.length && Character.digit(bytes[at], 16) >= 0)
            {
                text.append((char) bytes[at++]);
                digits++;
            }
        }
        if (digits == 0)
        {
            return 0;
        }
        final int end = exponentEnd(bytes, at, 'p');
        final String exponent = end == at ? "p0" : new String(bytes, at, end - at, StandardCharsets.ISO_8859_1);
        at = end;
        if (text.charAt(text.length() - 1) == '.')
        {
            text.append('0');
        }
        final double magnitude = Double.parseDouble(text + exponent);
        result[0] = negative ? -magnitude : magnitude;
        return at;
    }

    /**
     * @return the end of an exponent ({@code marker}, an optional sign, digits) at {@code at}, or {@code at} when
     *     there is none (strtod then stops before the marker).
     */
    private static int exponentEnd(final byte[] bytes, final int at, final char marker)
    {
        if (at >= bytes.length || (bytes[at] | 0x20) != marker)
        {
            return at;
        }
        int e = at + 1;
        if (e < bytes.length && (bytes[e] == '+' || bytes[e] == '-'))
        {
            e++;
        }
        if (e >= bytes.length || !isDigit(bytes[e]))
        {
            return at;
        }
        while (e < bytes.length && isDigit(bytes[e]))
        {
            e++;
        }
        return e;
    }

    private static boolean matches(final byte[] bytes, final int at, final String lowerCaseWord)
    {
        if (at + lowerCaseWord.length() > bytes.length)
        {
            return false;
        }
        for (int i = 0; i < lowerCaseWord.length(); i++)
        {
            if ((bytes[at + i] | 0x20) != lowerCaseWord.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    private static boolean isAlnum(final byte b)
    {
        return isDigit(b) || (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
    }
}
