package io.ringkv.loadgen.run;

/**
 * A run could not start or had to stop as a whole: a target refused connections, AUTH or SELECT failed.
 * The message says which target and why; {@code LoadGeneratorMain} prints it and exits with status 1.
 */
public final class LoadFailedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the target and the cause.
     */
    public LoadFailedException(final String message)
    {
        super(message);
    }
}
