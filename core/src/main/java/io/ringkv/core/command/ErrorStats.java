package io.ringkv.core.command;

/**
 * Error replies counted by their code, the first word of the text ("ERR", "WRONGTYPE", "NOAUTH"...), for INFO
 * errorstats and total_error_replies. Like Redis, it tracks at most {@link #MAX_CODES} distinct codes; errors with
 * further codes are counted in the total only. Recording a known code allocates nothing (the codes are compared in
 * place); a new code allocates its name once.
 * <p>
 * Only the engine thread uses it.
 */
public final class ErrorStats
{
    /** Redis's ERROR_STATS_NUMBER: distinct error codes tracked. */
    public static final int MAX_CODES = 128;

    private final String[] codes = new String[MAX_CODES];
    private final long[] counts = new long[MAX_CODES];
    private int size;
    private long total;

    /**
     * @param message an error reply's text, code first.
     */
    public void record(final String message)
    {
        total++;
        int codeLength = message.indexOf(' ');
        if (codeLength < 0)
        {
            codeLength = message.length();
        }
        for (int i = 0; i < size; i++)
        {
            final String code = codes[i];
            if (code.length() == codeLength && message.startsWith(code))
            {
                counts[i]++;
                return;
            }
        }
        if (size < MAX_CODES)
        {
            codes[size] = message.substring(0, codeLength);
            counts[size++] = 1;
        }
    }

    /**
     * @return distinct codes seen, in the order first seen.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param index 0 to {@link #size()} - 1.
     * @return the error code.
     */
    public String code(final int index)
    {
        return codes[index];
    }

    /**
     * @param index 0 to {@link #size()} - 1.
     * @return how many errors had that code.
     */
    public long count(final int index)
    {
        return counts[index];
    }

    /**
     * @return every error reply counted (INFO total_error_replies).
     */
    public long total()
    {
        return total;
    }

    /**
     * Forget everything (CONFIG RESETSTAT).
     */
    public void reset()
    {
        for (int i = 0; i < size; i++)
        {
            codes[i] = null;
            counts[i] = 0;
        }
        size = 0;
        total = 0;
    }
}
