package io.ringkv.loadgen.cli;

/**
 * A server to load: host and TCP port. Immutable.
 *
 * @param host name or address.
 * @param port TCP port, 1..65535.
 */
public record TargetAddress(String host, int port)
{
    /**
     * Parses {@code HOST:PORT} (an IPv6 host in brackets: {@code [::1]:6379}).
     *
     * @param optionName named in the error message.
     * @param text       the argument.
     * @return the address.
     * @throws UsageException if malformed.
     */
    public static TargetAddress parse(final String optionName, final String text)
    {
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new UsageException(optionName + ": expected HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port = OptionValues.parseInt(optionName, text.substring(colon + 1), 1, 65535);
        return new TargetAddress(host, port);
    }

    @Override
    public String toString()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
