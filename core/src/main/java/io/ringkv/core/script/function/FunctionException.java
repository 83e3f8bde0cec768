package io.ringkv.core.script.function;

/**
 * A function library or call refused with one of Redis's error texts. Thrown on the cold paths of FUNCTION LOAD,
 * RESTORE and DELETE (never per FCALL): the registry has changed nothing when it is thrown.
 */
public final class FunctionException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message Redis's error text without its error code (e.g. "Library not found"); replies add "ERR ".
     */
    public FunctionException(final String message)
    {
        super(message, null, false, false);
    }

    /**
     * @return the error as a reply carries it: "ERR " and the text, unless the text starts with its own code.
     */
    public String reply()
    {
        final String message = getMessage();
        return message.startsWith("-") ? message.substring(1) : "ERR " + message;
    }
}
