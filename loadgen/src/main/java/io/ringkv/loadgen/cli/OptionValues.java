package io.ringkv.loadgen.cli;

import java.util.Locale;

/**
 * Parses the value syntaxes the command line accepts (counts with k/m suffixes, durations, ranges), each
 * failure naming the option. Stateless; any thread.
 */
public final class OptionValues
{
    private OptionValues()
    {
    }

    /**
     * Parses an integer in {@code [min, max]}; accepts {@code k} (1000) and {@code m} (1000000) suffixes.
     *
     * @param optionName named in the error message.
     * @param text       the value.
     * @param min        smallest accepted.
     * @param max        largest accepted.
     * @return the value.
     */
    public static long parseLong(final String optionName, final String text, final long min, final long max)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        long multiplier = 1;
        String digits = t;
        if (t.endsWith("k"))
        {
            multiplier = 1_000;
            digits = t.substring(0, t.length() - 1);
        }
        else if (t.endsWith("m"))
        {
            multiplier = 1_000_000;
            digits = t.substring(0, t.length() - 1);
        }
        final long value;
        try
        {
            value = Math.multiplyExact(Long.parseLong(digits.replace("_", "")), multiplier);
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            throw new UsageException(optionName + ": expected an integer, got '" + text + "'");
        }
        if (value < min || value > max)
        {
            throw new UsageException(optionName + ": " + value + " is out of range [" + min + ", " + max + "]");
        }
        return value;
    }

    /**
     * As {@link #parseLong(String, String, long, long)} for an int.
     */
    public static int parseInt(final String optionName, final String text, final int min, final int max)
    {
        return (int)parseLong(optionName, text, min, max);
    }

    /**
     * Parses a duration: {@code 10s}, {@code 500ms}, {@code 2m}, {@code 250us}, or a bare number of seconds.
     *
     * @param optionName named in the error message.
     * @param text       the value.
     * @param allowZero  whether 0 is accepted.
     * @return the duration in nanoseconds.
     */
    public static long parseDurationNs(final String optionName, final String text, final boolean allowZero)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        int split = t.length();
        while (split > 0 && Character.isLetter(t.charAt(split - 1)))
        {
            split--;
        }
        final String unit = t.substring(split);
        final double scaleNs = switch (unit)
        {
            case "", "s" -> 1e9;
            case "ms" -> 1e6;
            case "us" -> 1e3;
            case "m", "min" -> 60e9;
            case "h" -> 3600e9;
            default -> throw new UsageException(
                optionName + ": unknown time unit '" + unit + "' in '" + text + "' (use h, m, s, ms, us)");
        };
        final double amount;
        try
        {
            amount = Double.parseDouble(t.substring(0, split));
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(optionName + ": expected a duration such as 10s or 500ms, got '" + text + "'");
        }
        if (!(amount >= 0) || Double.isInfinite(amount) || amount * scaleNs > 365 * 24 * 3600e9)
        {
            throw new UsageException(optionName + ": duration out of range: '" + text + "'");
        }
        final long ns = Math.round(amount * scaleNs);
        if (ns == 0 && !allowZero)
        {
            throw new UsageException(optionName + ": must be greater than zero, got '" + text + "'");
        }
        return ns;
    }

    /**
     * Parses a floating point number in {@code (minExclusive, maxInclusive]}.
     */
    public static double parseDouble(
        final String optionName, final String text, final double minExclusive, final double maxInclusive)
    {
        final double value;
        try
        {
            value = Double.parseDouble(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(optionName + ": expected a number, got '" + text + "'");
        }
        if (!(value > minExclusive && value <= maxInclusive))
        {
            throw new UsageException(
                optionName + ": " + text + " is out of range (" + minExclusive + ", " + maxInclusive + "]");
        }
        return value;
    }
}
