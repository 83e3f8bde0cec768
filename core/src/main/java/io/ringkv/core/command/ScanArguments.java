package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;

/**
 * The {@code cursor [MATCH pattern] [COUNT count]} arguments of the collection SCANs (HSCAN, SSCAN), parsed as Redis
 * 7.0's parseScanCursorOrReply and scanGenericCommand do: the cursor before the key is looked up (an invalid cursor
 * wins over WRONGTYPE), the options after it. Reused per command; engine thread only.
 */
final class ScanArguments
{
    private static final byte[] MATCH = {'M', 'A', 'T', 'C', 'H'};
    private static final byte[] COUNT = {'C', 'O', 'U', 'N', 'T'};
    private static final long COUNT_DEFAULT = 10;
    private static final byte[] ZERO = {'0'};

    private final AsciiNumbers numbers = new AsciiNumbers();
    private long cursor;
    private long count;
    private int patternIndex;

    /**
     * @param args  the command's arguments.
     * @param index the cursor's argument.
     * @param reply answered with Redis's error when the cursor is not an unsigned 64-bit number.
     * @return false once the error was replied.
     */
    boolean parseCursor(final CommandArgs args, final int index, final Reply reply)
    {
        if (!numbers.parseStrtoul(args, index))
        {
            reply.error(ErrorMessages.INVALID_CURSOR);
            return false;
        }
        cursor = numbers.value();
        return true;
    }

    /**
     * @param args  the command's arguments.
     * @param from  the first option's argument (after the cursor).
     * @param reply answered with Redis's error for an unknown option, a missing value or a bad COUNT.
     * @return false once the error was replied.
     */
    boolean parseOptions(final CommandArgs args, final int from, final Reply reply)
    {
        count = COUNT_DEFAULT;
        patternIndex = -1;
        for (int j = from; j < args.count(); j += 2)
        {
            if (j + 1 >= args.count())
            {
                reply.error(ErrorMessages.SYNTAX);
                return false;
            }
            if (args.equalsIgnoreCase(j, COUNT))
            {
                if (!numbers.parseLong(args, j + 1))
                {
                    reply.error(ErrorMessages.NOT_INTEGER);
                    return false;
                }
                count = numbers.value();
                if (count < 1)
                {
                    reply.error(ErrorMessages.SYNTAX);
                    return false;
                }
            }
            else if (args.equalsIgnoreCase(j, MATCH))
            {
                // As Redis, "*" filters nothing (its matcher would refuse an empty field).
                patternIndex = GlobPattern.matchesAll(args.buffer(), args.offset(j + 1), args.length(j + 1)) ?
                    -1 : j + 1;
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return false;
            }
        }
        return true;
    }

    /**
     * The start HSCAN, SSCAN and ZSCAN share, in Redis's order: the cursor (argument 2), the key (argument 1, of
     * {@code type}; a read, so a missing key is a "keymiss"), then the options from argument 3 once the key exists
     * (a missing key is answered with an empty scan before they are read).
     *
     * @return the key's entry, or {@link Keyspace#NOT_FOUND} once a reply was sent (a bad cursor or option,
     * WRONGTYPE, or the empty scan of a missing key).
     */
    long keyToScan(final CommandContext context, final CommandArgs args, final byte type, final Reply reply)
    {
        if (!parseCursor(args, 2, reply))
        {
            return Keyspace.NOT_FOUND;
        }
        final long address = context.readKeyOfType(args, 1, type, reply);
        if (address == CommandContext.WRONG_TYPE)
        {
            return Keyspace.NOT_FOUND;
        }
        if (address == Keyspace.NOT_FOUND)
        {
            replyNoKey(reply);
            return Keyspace.NOT_FOUND;
        }
        return parseOptions(args, 3, reply) ? address : Keyspace.NOT_FOUND;
    }

    /**
     * Answer a scan of a missing key as Redis's shared.emptyscan: cursor 0 and no elements.
     */
    private static void replyNoKey(final Reply reply)
    {
        reply.arrayHeader(2);
        reply.bulk(ZERO);
        reply.arrayHeader(0);
    }

    /**
     * @return the cursor from {@link #parseCursor}.
     */
    long cursor()
    {
        return cursor;
    }

    /**
     * @return COUNT, capped to an int (a table walk's budget).
     */
    int count()
    {
        return (int)Math.min(count, Integer.MAX_VALUE);
    }

    /**
     * @return the MATCH pattern's argument, or -1 when every element matches.
     */
    int patternIndex()
    {
        return patternIndex;
    }
}
