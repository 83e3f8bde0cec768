package io.ringkv.replication.persistence;

/**
 * The {@code save} option: pairs of "seconds changes" ({@code 3600 1 300 100 60 10000}); a background save is
 * due when, for any pair, at least that many changes were made and that many seconds passed since the last save.
 * Empty: no automatic saves. Immutable; any thread.
 */
public final class SavePoints
{
    private final long[] seconds;
    private final long[] changes;

    private SavePoints(final long[] seconds, final long[] changes)
    {
        this.seconds = seconds;
        this.changes = changes;
    }

    /**
     * @param text the option's value.
     * @return the save points.
     * @throws IllegalArgumentException with Redis's reason when the text is not pairs of non-negative integers.
     */
    public static SavePoints parse(final String text)
    {
        final String trimmed = text.trim();
        if (trimmed.isEmpty())
        {
            return new SavePoints(new long[0], new long[0]);
        }
        final String[] words = trimmed.split("\\s+");
        if ((words.length & 1) != 0)
        {
            throw new IllegalArgumentException("Invalid save parameters");
        }
        final long[] seconds = new long[words.length / 2];
        final long[] changes = new long[words.length / 2];
        for (int i = 0; i < seconds.length; i++)
        {
            seconds[i] = parseCount(words[2 * i]);
            changes[i] = parseCount(words[2 * i + 1]);
        }
        return new SavePoints(seconds, changes);
    }

    /**
     * @return null when {@code text} is valid, else why not.
     */
    public static String validate(final String text)
    {
        try
        {
            parse(text);
            return null;
        }
        catch (final IllegalArgumentException ex)
        {
            return ex.getMessage();
        }
    }

    private static long parseCount(final String word)
    {
        try
        {
            final long value = Long.parseLong(word);
            if (value < 0)
            {
                throw new IllegalArgumentException("Invalid save parameters");
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("Invalid save parameters");
        }
    }

    /**
     * @return true when there is at least one save point.
     */
    public boolean any()
    {
        return seconds.length > 0;
    }

    /**
     * @param changesSinceSave  changes made since the last successful save.
     * @param secondsSinceSave  seconds since the last successful save.
     * @return true when a save point is reached.
     */
    public boolean due(final long changesSinceSave, final long secondsSinceSave)
    {
        for (int i = 0; i < seconds.length; i++)
        {
            if (changesSinceSave >= changes[i] && secondsSinceSave > seconds[i])
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the canonical text ("3600 1 300 100"), as CONFIG GET shows it.
     */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < seconds.length; i++)
        {
            if (i > 0)
            {
                text.append(' ');
            }
            text.append(seconds[i]).append(' ').append(changes[i]);
        }
        return text.toString();
    }
}
