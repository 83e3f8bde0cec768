package io.ringkv.net.server.command;

import java.util.Locale;

/**
 * Builds INFO's text in Redis's layout: {@code # Title} headers, {@code name:value} lines, CRLF line ends, a blank
 * line between sections. Not threadsafe: one per INFO call, on the engine thread.
 */
public final class InfoWriter
{
    private final StringBuilder text = new StringBuilder(4096);
    private int sections;

    /**
     * Start a section.
     *
     * @param title as Redis prints it after "# ", e.g. "Server".
     * @return this for chaining.
     */
    public InfoWriter section(final String title)
    {
        if (sections++ > 0)
        {
            text.append("\r\n");
        }
        text.append("# ").append(title).append("\r\n");
        return this;
    }

    public InfoWriter field(final String name, final String value)
    {
        text.append(name).append(':').append(value).append("\r\n");
        return this;
    }

    public InfoWriter field(final String name, final long value)
    {
        text.append(name).append(':').append(value).append("\r\n");
        return this;
    }

    /**
     * @param name  field name.
     * @param value printed with two decimals, as Redis prints ratios and rates.
     * @return this for chaining.
     */
    public InfoWriter field(final String name, final double value)
    {
        return field(name, String.format(Locale.ROOT, "%.2f", value));
    }

    /**
     * @param name    field name.
     * @param seconds CPU seconds, printed with six decimals as Redis's used_cpu_* fields.
     * @return this for chaining.
     */
    public InfoWriter seconds(final String name, final double seconds)
    {
        return field(name, String.format(Locale.ROOT, "%.6f", seconds));
    }

    /**
     * A raw line, for sections whose lines are not name:value (e.g. keyspace's "db0:keys=1,...").
     *
     * @param line without line end.
     * @return this for chaining.
     */
    public InfoWriter line(final String line)
    {
        text.append(line).append("\r\n");
        return this;
    }

    /**
     * Redis's bytesToHuman: "1023B", "1.50K", "2.00M", "3.10G"...
     *
     * @param bytes byte count.
     * @return the human form.
     */
    public static String human(final long bytes)
    {
        final double d = bytes;
        if (bytes < 1024)
        {
            return bytes + "B";
        }
        final String[] units = {"K", "M", "G", "T", "P"};
        double value = d / 1024;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f%s", value, units[unit]);
    }

    @Override
    public String toString()
    {
        return text.toString();
    }
}
