package io.ringkv.core.command;

/**
 * Parses the expiry options shared by SET and GETEX (EX PX EXAT PXAT KEEPTTL PERSIST, plus NX XX GET for SET)
 * with Redis 7's compatibility rules, and turns an expire argument into an absolute time in ms.
 * Stateless; results are packed into an int so nothing is allocated.
 */
final class ExpireArguments
{
    static final int NX = 1;
    static final int XX = 1 << 1;
    static final int GET = 1 << 2;
    static final int KEEPTTL = 1 << 3;
    static final int PERSIST = 1 << 4;
    static final int EX = 1 << 5;
    static final int PX = 1 << 6;
    static final int EXAT = 1 << 7;
    static final int PXAT = 1 << 8;
    static final int ANY_EXPIRE = EX | PX | EXAT | PXAT;

    /** Returned by {@link #parse} for a syntax error. */
    static final long SYNTAX_ERROR = -1;
    /** Returned by {@link #toExpireAtMs} after it replied an error. */
    static final long ERROR = Long.MIN_VALUE;

    private static final byte[] NX_TOKEN = {'N', 'X'};
    private static final byte[] XX_TOKEN = {'X', 'X'};
    private static final byte[] GET_TOKEN = {'G', 'E', 'T'};
    private static final byte[] KEEPTTL_TOKEN = {'K', 'E', 'E', 'P', 'T', 'T', 'L'};
    private static final byte[] PERSIST_TOKEN = {'P', 'E', 'R', 'S', 'I', 'S', 'T'};
    private static final byte[] EX_TOKEN = {'E', 'X'};
    private static final byte[] PX_TOKEN = {'P', 'X'};
    private static final byte[] EXAT_TOKEN = {'E', 'X', 'A', 'T'};
    private static final byte[] PXAT_TOKEN = {'P', 'X', 'A', 'T'};

    private ExpireArguments()
    {
    }

    /**
     * @param args     the request.
     * @param first    index of the first option.
     * @param forSet   true for SET (NX XX GET KEEPTTL allowed), false for GETEX (PERSIST allowed).
     * @return option bits in the low 32 bits and the expire argument's index in the high 32 bits, or SYNTAX_ERROR.
     */
    static long parse(final CommandArgs args, final int first, final boolean forSet)
    {
        int flags = 0;
        int expireIndex = 0;
        final int count = args.count();
        for (int j = first; j < count; j++)
        {
            final boolean hasNext = j + 1 < count;
            if (forSet && args.equalsIgnoreCase(j, NX_TOKEN) && (flags & XX) == 0)
            {
                flags |= NX;
            }
            else if (forSet && args.equalsIgnoreCase(j, XX_TOKEN) && (flags & NX) == 0)
            {
                flags |= XX;
            }
            else if (forSet && args.equalsIgnoreCase(j, GET_TOKEN))
            {
                flags |= GET;
            }
            else if (forSet && args.equalsIgnoreCase(j, KEEPTTL_TOKEN) && (flags & (PERSIST | ANY_EXPIRE)) == 0)
            {
                flags |= KEEPTTL;
            }
            else if (!forSet && args.equalsIgnoreCase(j, PERSIST_TOKEN) && (flags & (KEEPTTL | ANY_EXPIRE)) == 0)
            {
                flags |= PERSIST;
            }
            else if (hasNext && args.equalsIgnoreCase(j, EX_TOKEN) &&
                (flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) == 0)
            {
                flags |= EX;
                expireIndex = ++j;
            }
            else if (hasNext && args.equalsIgnoreCase(j, PX_TOKEN) &&
                (flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) == 0)
            {
                flags |= PX;
                expireIndex = ++j;
            }
            else if (hasNext && args.equalsIgnoreCase(j, EXAT_TOKEN) &&
                (flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) == 0)
            {
                flags |= EXAT;
                expireIndex = ++j;
            }
            else if (hasNext && args.equalsIgnoreCase(j, PXAT_TOKEN) &&
                (flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) == 0)
            {
                flags |= PXAT;
                expireIndex = ++j;
            }
            else
            {
                return SYNTAX_ERROR;
            }
        }
        return flags | ((long)expireIndex << 32);
    }

    static int flags(final long parsed)
    {
        return (int)parsed;
    }

    static int expireIndex(final long parsed)
    {
        return (int)(parsed >>> 32);
    }

    /**
     * Redis's getExpireMillisecondsOrReply: the argument must be an integer above 0 whose absolute time in ms
     * fits in 64 bits.
     *
     * @param context  for the time and the number parser.
     * @param args     the request.
     * @param i        index of the expire argument.
     * @param seconds  true when the unit is seconds (EX, EXAT, SETEX).
     * @param relative true when relative to now (EX, PX, SETEX, PSETEX).
     * @param command  lower-case command name for the error text.
     * @param reply    for the error.
     * @return absolute expiry in ms, or {@link #ERROR} after replying an error.
     */
    static long toExpireAtMs(final CommandContext context, final CommandArgs args, final int i,
        final boolean seconds, final boolean relative, final String command, final Reply reply)
    {
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args, i))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return ERROR;
        }
        long ms = numbers.value();
        if (ms <= 0 || (seconds && ms > Long.MAX_VALUE / 1000))
        {
            reply.error(ErrorMessages.invalidExpireTime(command));
            return ERROR;
        }
        if (seconds)
        {
            ms *= 1000;
        }
        if (relative)
        {
            final long nowMs = context.nowMs();
            if (ms > Long.MAX_VALUE - nowMs)
            {
                reply.error(ErrorMessages.invalidExpireTime(command));
                return ERROR;
            }
            ms += nowMs;
        }
        return ms;
    }
}
