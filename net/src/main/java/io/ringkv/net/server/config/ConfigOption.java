package io.ringkv.net.server.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One configuration option: its name, kind, bounds, default and current value, with Redis 7's parsing and error
 * texts. The value is held both as a number (for numeric, boolean and enum kinds) and as text.
 * <p>
 * Values are bytes, as in Redis: the text holds one char per byte (ISO-8859-1), whatever the bytes encode, so a
 * password in UTF-8 from the command line, raw bytes from a config file and the bytes of a CONFIG SET argument all
 * compare as the same bytes. Encode with ISO-8859-1 to get the bytes back, never with UTF-8.
 * <p>
 * Not threadsafe: read on any thread after start-up, changed only by CONFIG SET on the engine thread; readers on
 * other threads see a change eventually (fields are volatile), which is what Redis's own semantics promise.
 */
public final class ConfigOption
{
    /** How an option's text is parsed and printed. */
    public enum Kind
    {
        /** A whole number within [min, max]. */
        INTEGER,
        /** A byte count with Redis's memory units (k, kb, m, mb, g, gb), within [min, max]. */
        MEMORY,
        /** yes or no. */
        BOOLEAN,
        /** Free text. */
        STRING,
        /** One of a fixed set of words. */
        ENUM,
        /** Free text split into words (e.g. bind, replicaof); kept as the words joined by one space. */
        WORDS,
        /** Numbers from 0 to 100 separated by spaces, kept as Redis prints them ("%f" without trailing zeros). */
        PERCENTILES
    }

    private final String name;
    private final Kind kind;
    private final long min;
    private final long max;
    private final String[] choices;
    private final boolean mutable;
    private final String defaultText;
    private final String description;
    private volatile long number;
    private volatile String text;
    private OutputBufferLimits outputBufferLimits;

    private ConfigOption(
        final String name,
        final Kind kind,
        final long min,
        final long max,
        final String[] choices,
        final boolean mutable,
        final String defaultText,
        final String description)
    {
        this.name = name;
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.choices = choices;
        this.mutable = mutable;
        this.defaultText = defaultText;
        this.description = description;
        final String error = set(defaultText);
        if (null != error)
        {
            throw new IllegalArgumentException("bad default for " + name + ": " + error);
        }
    }

    static ConfigOption integer(
        final String name, final long defaultValue, final long min, final long max, final boolean mutable,
        final String description)
    {
        return new ConfigOption(name, Kind.INTEGER, min, max, null, mutable, Long.toString(defaultValue), description);
    }

    static ConfigOption memory(
        final String name, final String defaultValue, final long min, final long max, final boolean mutable,
        final String description)
    {
        return new ConfigOption(name, Kind.MEMORY, min, max, null, mutable, defaultValue, description);
    }

    static ConfigOption bool(final String name, final boolean defaultValue, final boolean mutable, final String description)
    {
        return new ConfigOption(name, Kind.BOOLEAN, 0, 1, null, mutable, defaultValue ? "yes" : "no", description);
    }

    static ConfigOption string(final String name, final String defaultValue, final boolean mutable, final String description)
    {
        return new ConfigOption(name, Kind.STRING, 0, 0, null, mutable, defaultValue, description);
    }

    static ConfigOption words(final String name, final String defaultValue, final boolean mutable, final String description)
    {
        return new ConfigOption(name, Kind.WORDS, 0, 0, null, mutable, defaultValue, description);
    }

    /**
     * client-output-buffer-limit: words parsed into {@code limits}, which merges the classes a value names.
     */
    static ConfigOption outputBufferLimits(
        final String name, final OutputBufferLimits limits, final boolean mutable, final String description)
    {
        final ConfigOption option =
            new ConfigOption(name, Kind.WORDS, 0, 0, null, mutable, OutputBufferLimits.DEFAULT, description);
        option.outputBufferLimits = limits;
        option.set(OutputBufferLimits.DEFAULT);
        return option;
    }

    static ConfigOption percentiles(
        final String name, final String defaultValue, final boolean mutable, final String description)
    {
        return new ConfigOption(name, Kind.PERCENTILES, 0, 100, null, mutable, defaultValue, description);
    }

    static ConfigOption choice(
        final String name, final String defaultValue, final boolean mutable, final String description,
        final String... choices)
    {
        return new ConfigOption(name, Kind.ENUM, 0, choices.length - 1, choices, mutable, defaultValue, description);
    }

    /**
     * Parse and store a new value.
     *
     * @param value the option's text as given in a config file, on the command line or to CONFIG SET.
     * @return null on success, else the reason in Redis's words (e.g. "argument must be a memory value"); on
     * failure the current value is unchanged.
     */
    public String set(final String value)
    {
        switch (kind)
        {
            case INTEGER:
            {
                final long parsed;
                try
                {
                    parsed = Long.parseLong(value);
                }
                catch (final NumberFormatException ex)
                {
                    return "argument couldn't be parsed into an integer";
                }
                if (parsed < min || parsed > max)
                {
                    return "argument must be between " + min + " and " + max + " inclusive";
                }
                number = parsed;
                text = Long.toString(parsed);
                return null;
            }
            case MEMORY:
            {
                final long parsed = parseMemory(value);
                if (parsed < 0)
                {
                    return "argument must be a memory value";
                }
                if (parsed < min || parsed > max)
                {
                    return "argument must be between " + min + " and " + max + " inclusive";
                }
                number = parsed;
                text = Long.toString(parsed);
                return null;
            }
            case BOOLEAN:
            {
                final String lower = value.toLowerCase(Locale.ROOT);
                if (!"yes".equals(lower) && !"no".equals(lower))
                {
                    return "argument must be 'yes' or 'no'";
                }
                number = "yes".equals(lower) ? 1 : 0;
                text = lower;
                return null;
            }
            case ENUM:
            {
                final String lower = value.toLowerCase(Locale.ROOT);
                for (int i = 0; i < choices.length; i++)
                {
                    if (choices[i].equals(lower))
                    {
                        number = i;
                        text = lower;
                        return null;
                    }
                }
                return "argument(s) must be one of the following: " + String.join(", ", choices);
            }
            case WORDS:
                if (null != outputBufferLimits)
                {
                    final String error = outputBufferLimits.set(value);
                    if (null == error)
                    {
                        text = outputBufferLimits.text();
                    }
                    return error;
                }
                text = value.trim().replaceAll("\\s+", " ");
                return null;
            case PERCENTILES:
                return setPercentiles(value);
            default:
                text = value;
                return null;
        }
    }

    /** Redis parses each percentile with strtod: a plain decimal number, optionally with an exponent. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private String setPercentiles(final String value)
    {
        final StringBuilder normalized = new StringBuilder();
        for (final String word : value.trim().split("\\s+"))
        {
            if (word.isEmpty())
            {
                continue;
            }
            if (!DECIMAL.matcher(word).matches())
            {
                return "Invalid " + name + " parameters";
            }
            final double percentile = Double.parseDouble(word);
            if (percentile < min || percentile > max)
            {
                return name + " parameters should sit between [0.0,100.0]";
            }
            normalized.append(normalized.length() == 0 ? "" : " ").append(formatPercentile(percentile));
        }
        text = normalized.toString();
        return null;
    }

    /**
     * @param percentile a number.
     * @return it as Redis prints percentiles: C's "%f" with trailing zeros and a trailing point removed (99.9, 50).
     */
    public static String formatPercentile(final double percentile)
    {
        final String fixed = String.format(Locale.ROOT, "%f", percentile);
        int end = fixed.length();
        while (fixed.charAt(end - 1) == '0')
        {
            end--;
        }
        if (fixed.charAt(end - 1) == '.')
        {
            end--;
        }
        return fixed.substring(0, end);
    }

    /**
     * Redis's memtoull: a non-negative decimal number with an optional unit (b, k=1000, kb=1024, m, mb, g, gb),
     * case-insensitive.
     *
     * @param value text to parse.
     * @return the byte count, or -1 when the text is not a memory value.
     */
    public static long parseMemory(final String value)
    {
        final String lower = value.toLowerCase(Locale.ROOT);
        int digitsEnd = 0;
        while (digitsEnd < lower.length() && Character.isDigit(lower.charAt(digitsEnd)))
        {
            digitsEnd++;
        }
        if (digitsEnd == 0 || digitsEnd > 19)
        {
            return -1;
        }
        final long multiplier;
        switch (lower.substring(digitsEnd))
        {
            case "":
            case "b":
                multiplier = 1;
                break;
            case "k":
                multiplier = 1000L;
                break;
            case "kb":
                multiplier = 1024L;
                break;
            case "m":
                multiplier = 1000L * 1000;
                break;
            case "mb":
                multiplier = 1024L * 1024;
                break;
            case "g":
                multiplier = 1000L * 1000 * 1000;
                break;
            case "gb":
                multiplier = 1024L * 1024 * 1024;
                break;
            default:
                return -1;
        }
        try
        {
            return Math.multiplyExact(Long.parseLong(lower.substring(0, digitsEnd)), multiplier);
        }
        catch (final ArithmeticException | NumberFormatException ex)
        {
            return -1;
        }
    }

    public String name()
    {
        return name;
    }

    public Kind kind()
    {
        return kind;
    }

    /**
     * @return true when CONFIG SET may change it at run time.
     */
    public boolean mutable()
    {
        return mutable;
    }

    /**
     * @return the value as CONFIG GET prints it (memory in bytes, booleans as yes/no).
     */
    public String text()
    {
        return text;
    }

    /**
     * @return the numeric value of an integer or memory option, 1/0 for a boolean, the choice's index for an enum.
     */
    public long number()
    {
        return number;
    }

    public boolean isYes()
    {
        return number != 0;
    }

    public String defaultText()
    {
        return defaultText;
    }

    public String description()
    {
        return description;
    }
}
