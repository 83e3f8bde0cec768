package io.ringkv.loadgen.cli;

/**
 * A command-line argument is missing, unknown or malformed. The message names the argument and says what
 * was expected; {@code LoadGeneratorMain} prints it and exits with status 2. Thrown on the main thread only.
 */
public final class UsageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the offending argument and what was expected.
     */
    public UsageException(final String message)
    {
        super(message);
    }
}
