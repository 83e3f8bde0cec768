package io.ringkv.net.server.config;

/**
 * A configuration file or command-line option that stops start-up; the message names the option and the reason.
 */
public final class ConfigException extends Exception
{
    private static final long serialVersionUID = 1L;

    public ConfigException(final String message)
    {
        super(message);
    }
}
