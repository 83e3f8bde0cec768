package io.ringkv.core.command;

/**
 * Redis 7's error texts (code and message, without the RESP '-'), shared so that every command says exactly
 * what Redis says.
 */
public final class ErrorMessages
{
    public static final String SYNTAX = "ERR syntax error";
    public static final String WRONG_TYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    /** Redis's getIntFromObjectOrReply for an integer outside 32 bits. */
    public static final String INT_OUT_OF_RANGE =
        "ERR value is out of range, value must between -2147483648 and 2147483647";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    public static final String DECREMENT_OVERFLOW = "ERR decrement would overflow";
    public static final String NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range";
    public static final String SAME_OBJECT = "ERR source and destination objects are the same";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public static final String OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
    public static final String INVALID_CURSOR = "ERR invalid cursor";
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String LOADING = "LOADING Redis is loading the dataset in memory";
    /** A MONITOR client's keyspace command (Redis flags monitors as replicas). */
    public static final String MONITOR_KEYSPACE = "ERR Replica can't interact with the keyspace";
    public static final String READONLY = "READONLY You can't write against a read only replica.";
    public static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";
    public static final String NX_XX_GT_LT = "ERR NX and XX, GT or LT options at the same time are not compatible";
    public static final String GT_LT = "ERR GT and LT options at the same time are not compatible";

    private ErrorMessages()
    {
    }

    /**
     * @param command lower-case name of a {@link Command#PROTECTED} command, e.g. "debug".
     * @return Redis 7.0's refusal, naming the command and its enable-...-command option.
     */
    public static String protectedCommand(final String command)
    {
        return "ERR " + command.toUpperCase(java.util.Locale.ROOT) + " command not allowed. If the enable-" + command +
            "-command option is set to \"local\", you can run it from a local connection, otherwise you need to set " +
            "this option in the configuration file, and then restart the server.";
    }

    /**
     * @param command lower-case command name.
     * @return "ERR wrong number of arguments for 'get' command".
     */
    public static String wrongArity(final String command)
    {
        return "ERR wrong number of arguments for '" + command + "' command";
    }

    /**
     * @param command lower-case command name.
     * @return "ERR invalid expire time in 'set' command".
     */
    public static String invalidExpireTime(final String command)
    {
        return "ERR invalid expire time in '" + command + "' command";
    }

    /**
     * Redis 7's unknown-command text: the name (up to 128 bytes) and the first arguments, each quoted and
     * followed by a space, while the list is shorter than 128 bytes; CR and LF become spaces.
     *
     * @param args the request.
     * @return e.g. "ERR unknown command 'foo', with args beginning with: 'a' 'b' ".
     */
    public static String unknownCommand(final CommandArgs args)
    {
        final StringBuilder list = new StringBuilder();
        for (int i = 1; i < args.count() && list.length() < 128; i++)
        {
            final String arg = args.asString(i);
            final int room = 128 - list.length();
            list.append('\'').append(arg, 0, Math.min(arg.length(), room)).append("' ");
        }
        final String name = args.asString(0);
        final String text = "ERR unknown command '" + name.substring(0, Math.min(name.length(), 128)) +
            "', with args beginning with: " + list;
        return text.replace('\r', ' ').replace('\n', ' ');
    }
}
