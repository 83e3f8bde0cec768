package io.ringkv.core.command;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.store.CollectionLimits;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueType;
import io.ringkv.core.store.ZSkipList;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.FAST;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * Sorted-set commands with Redis 7.0's semantics, replies and error texts: ZADD ZINCRBY ZREM ZCARD ZCOUNT ZLEXCOUNT
 * ZSCORE ZMSCORE ZRANK ZREVRANK, the ZRANGE family (ZRANGE with BYSCORE, BYLEX, REV, LIMIT; ZRANGESTORE ZREVRANGE
 * ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX), ZREMRANGEBYRANK/SCORE/LEX, ZPOPMIN ZPOPMAX ZMPOP
 * ZRANDMEMBER ZSCAN; {@link ZSetAlgebra} has the set operations. Values are read and changed through
 * {@link ZSetValue} (listpack or skip list).
 * <p>
 * Replication carries effects: ZADD and ZINCRBY log {@code ZADD key score member} with the resulting scores, pops
 * and ZREM log {@code ZREM} of the members removed, the ZREMRANGE commands and STOREs log themselves (their effect
 * is determined by the data). An emptied set's key is deleted (a "del" event).
 * <p>
 * {@link #popMin}/{@link #popMax}'s engine, {@link #pop}, is the primitive blocking pops build on. One instance per
 * command table; only the engine thread calls it.
 */
public final class ZSetCommands
{
    static final byte[] ZADD = {'z', 'a', 'd', 'd'};
    static final byte[] ZREM = {'z', 'r', 'e', 'm'};
    private static final long WRONG_TYPE = CommandContext.WRONG_TYPE;
    private static final byte[] NX = {'N', 'X'};
    private static final byte[] XX = {'X', 'X'};
    private static final byte[] GT = {'G', 'T'};
    private static final byte[] LT = {'L', 'T'};
    private static final byte[] CH = {'C', 'H'};
    private static final byte[] INCR = {'I', 'N', 'C', 'R'};
    private static final byte[] WITHSCORES = {'W', 'I', 'T', 'H', 'S', 'C', 'O', 'R', 'E', 'S'};
    private static final byte[] LIMIT = {'L', 'I', 'M', 'I', 'T'};
    private static final byte[] REV = {'R', 'E', 'V'};
    private static final byte[] BYSCORE = {'B', 'Y', 'S', 'C', 'O', 'R', 'E'};
    private static final byte[] BYLEX = {'B', 'Y', 'L', 'E', 'X'};
    private static final byte[] MIN = {'M', 'I', 'N'};
    private static final byte[] MAX = {'M', 'A', 'X'};
    private static final byte[] COUNT = {'C', 'O', 'U', 'N', 'T'};
    private static final byte[] ZERO = {'0'};

    static final String NOT_FLOAT_RANGE = "ERR min or max is not a float";
    static final String NOT_LEX_RANGE = "ERR min or max not valid string range item";
    static final String NAN_RESULT = "ERR resulting score is not a number (NaN)";
    private static final String POSITIVE = "ERR value is out of range, must be positive";

    private static final int BY_RANK = 0;
    private static final int BY_SCORE = 1;
    private static final int BY_LEX = 2;

    private final ZSetValue value = new ZSetValue();
    private final ZSetScores scores = new ZSetScores();
    private final LexRange lex = new LexRange();
    private final AsciiNumbers numbers = new AsciiNumbers();
    private final ScanArguments scan = new ScanArguments();
    private final ZSetBuilder builder = new ZSetBuilder();
    private final UnsafeBuffer elementView = new UnsafeBuffer(0, 0);
    private final java.util.Random random = new java.util.Random();
    private double[] parsedScores = new double[16];
    private int[] changedIndexes = new int[16];
    private double[] changedScores = new double[16];

    /**
     * @param table to register the sorted-set commands in.
     * @return the instance whose {@link #pop} the blocking pops use.
     */
    public static ZSetCommands register(final CommandTable table)
    {
        final ZSetCommands z = new ZSetCommands();
        table.register("zadd", -4, WRITE | DENY_OOM | FAST, z::zadd);
        table.register("zincrby", 4, WRITE | DENY_OOM | FAST, z::zincrby);
        table.register("zrem", -3, WRITE | FAST, z::zrem);
        table.register("zcard", 2, READONLY | FAST, z::zcard);
        table.register("zscore", 3, READONLY | FAST, z::zscore);
        table.register("zmscore", -3, READONLY | FAST, z::zmscore);
        table.register("zrank", 3, READONLY | FAST, (c, a, r) -> z.zrank(c, a, r, false));
        table.register("zrevrank", 3, READONLY | FAST, (c, a, r) -> z.zrank(c, a, r, true));
        table.register("zcount", 4, READONLY | FAST, z::zcount);
        table.register("zlexcount", 4, READONLY | FAST, z::zlexcount);
        table.register("zrange", -4, READONLY, (c, a, r) -> z.zrange(c, a, r, 1, BY_RANK, false, -1, false));
        table.register("zrangestore", -5, WRITE | DENY_OOM,
            (c, a, r) -> z.zrange(c, a, r, 2, BY_RANK, false, -1, true));
        table.register("zrevrange", -4, READONLY, (c, a, r) -> z.zrange(c, a, r, 1, BY_RANK, true, BY_RANK, false));
        table.register("zrangebyscore", -4, READONLY,
            (c, a, r) -> z.zrange(c, a, r, 1, BY_SCORE, false, BY_SCORE, false));
        table.register("zrevrangebyscore", -4, READONLY,
            (c, a, r) -> z.zrange(c, a, r, 1, BY_SCORE, true, BY_SCORE, false));
        table.register("zrangebylex", -4, READONLY, (c, a, r) -> z.zrange(c, a, r, 1, BY_LEX, false, BY_LEX, false));
        table.register("zrevrangebylex", -4, READONLY,
            (c, a, r) -> z.zrange(c, a, r, 1, BY_LEX, true, BY_LEX, false));
        table.register("zremrangebyrank", 4, WRITE, (c, a, r) -> z.zremrange(c, a, r, BY_RANK));
        table.register("zremrangebyscore", 4, WRITE, (c, a, r) -> z.zremrange(c, a, r, BY_SCORE));
        table.register("zremrangebylex", 4, WRITE, (c, a, r) -> z.zremrange(c, a, r, BY_LEX));
        table.register("zpopmin", -2, WRITE | FAST, (c, a, r) -> z.zpop(c, a, r, false));
        table.register("zpopmax", -2, WRITE | FAST, (c, a, r) -> z.zpop(c, a, r, true));
        table.register("zmpop", -4, WRITE, z::zmpop);
        table.register("zrandmember", -2, READONLY, z::zrandmember);
        table.register("zscan", -3, READONLY, z::zscan);
        ZSetAlgebra.register(table, z);
        return z;
    }

    private long find(final CommandContext context, final CommandArgs args, final int index, final Reply reply)
    {
        return context.findKeyOfType(args, index, ValueType.ZSET, reply);
    }

    /**
     * {@link #find} for a command that reads the key (Redis's lookupKeyRead): a missing key is a "keymiss" event.
     */
    private long read(final CommandContext context, final CommandArgs args, final int index, final Reply reply)
    {
        return context.readKeyOfType(args, index, ValueType.ZSET, reply);
    }

    /**
     * {@link #find} of the key at argument 1 for a command that answers 0 for a missing key, binding {@link #value}.
     *
     * @return the entry, or {@link Keyspace#NOT_FOUND} once 0 or WRONGTYPE has been replied.
     */
    private long findOrReplyZero(final CommandContext context, final CommandArgs args, final Reply reply,
        final boolean reads)
    {
        final long address = reads ? read(context, args, 1, reply) : find(context, args, 1, reply);
        if (address == WRONG_TYPE)
        {
            return Keyspace.NOT_FOUND;
        }
        if (address == Keyspace.NOT_FOUND)
        {
            reply.integer(0);
            return Keyspace.NOT_FOUND;
        }
        value.wrap(context.keyspace(), context.db(), address);
        return address;
    }

    private long rankStart;
    private long rankEnd;

    /**
     * Parse a range of {@code kind} from two arguments, replying Redis's error when they are not one.
     */
    private boolean parseRange(final int kind, final CommandArgs args, final int minIndex, final int maxIndex,
        final Reply reply)
    {
        if (kind == BY_RANK)
        {
            if (!numbers.parseLong(args, minIndex))
            {
                reply.error(ErrorMessages.NOT_INTEGER);
                return false;
            }
            rankStart = numbers.value();
            if (!numbers.parseLong(args, maxIndex))
            {
                reply.error(ErrorMessages.NOT_INTEGER);
                return false;
            }
            rankEnd = numbers.value();
            return true;
        }
        if (kind == BY_SCORE)
        {
            return parseScoreRange(args, minIndex, maxIndex, reply);
        }
        if (!lex.parse(args, minIndex, maxIndex))
        {
            reply.error(NOT_LEX_RANGE);
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ ZADD, ZINCRBY

    private void zadd(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        boolean ch = false;
        boolean incr = false;
        int scoreIndex = 2;
        for (; scoreIndex < args.count(); scoreIndex++)
        {
            if (args.equalsIgnoreCase(scoreIndex, NX))
            {
                nx = true;
            }
            else if (args.equalsIgnoreCase(scoreIndex, XX))
            {
                xx = true;
            }
            else if (args.equalsIgnoreCase(scoreIndex, GT))
            {
                gt = true;
            }
            else if (args.equalsIgnoreCase(scoreIndex, LT))
            {
                lt = true;
            }
            else if (args.equalsIgnoreCase(scoreIndex, CH))
            {
                ch = true;
            }
            else if (args.equalsIgnoreCase(scoreIndex, INCR))
            {
                incr = true;
            }
            else
            {
                break;
            }
        }
        final int elements = args.count() - scoreIndex;
        if (elements % 2 != 0 || elements == 0)
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        if (nx && xx)
        {
            reply.error("ERR XX and NX options at the same time are not compatible");
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
            return;
        }
        if (incr && elements > 2)
        {
            reply.error("ERR INCR option supports a single increment-element pair");
            return;
        }
        add(context, args, reply, scoreIndex, nx, xx, gt, lt, ch, incr, false);
    }

    private void zincrby(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        add(context, args, reply, 2, false, false, false, false, false, true, true);
    }

    private void add(
        final CommandContext context, final CommandArgs args, final Reply reply, final int scoreIndex,
        final boolean nx, final boolean xx, final boolean gt, final boolean lt, final boolean ch, final boolean incr,
        final boolean zincrby)
    {
        final int pairs = (args.count() - scoreIndex) / 2;
        if (parsedScores.length < pairs)
        {
            parsedScores = new double[pairs * 2];
            changedIndexes = new int[pairs * 2];
            changedScores = new double[pairs * 2];
        }
        for (int i = 0; i < pairs; i++)
        {
            if (!scores.parseScore(args, scoreIndex + 2 * i))
            {
                reply.error(ErrorMessages.NOT_FLOAT);
                return;
            }
            parsedScores[i] = scores.value();
        }
        final long address = find(context, args, 1, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final DirectBuffer buffer = args.buffer();
        final ZSetValue value = this.value;
        if (address == Keyspace.NOT_FOUND)
        {
            if (xx)
            {
                replyAdd(reply, incr, 0, 0, false, Double.NaN);
                return;
            }
            final CollectionLimits limits = keyspace.collectionLimits();
            final boolean skipList = limits.zsetMaxListpackEntries() == 0 ||
                limits.zsetMaxListpackValue() < args.length(scoreIndex + 1);
            if (value.create(keyspace, db, buffer, args.offset(1), args.length(1), skipList) == null)
            {
                reply.error(ErrorMessages.OOM);
                return;
            }
        }
        else
        {
            value.wrap(keyspace, db, address);
        }
        long added = 0;
        long updated = 0;
        boolean processed = false;
        double lastScore = 0;
        int changed = 0;
        String error = null;
        for (int i = 0; i < pairs; i++)
        {
            final int m = scoreIndex + 2 * i + 1;
            double score = parsedScores[i];
            if (value.find(buffer, args.offset(m), args.length(m)))
            {
                if (nx)
                {
                    continue;
                }
                final double current = value.foundScore();
                if (incr)
                {
                    score += current;
                    if (Double.isNaN(score))
                    {
                        error = NAN_RESULT;
                        break;
                    }
                }
                if ((lt && score >= current) || (gt && score <= current))
                {
                    continue;
                }
                processed = true;
                lastScore = score;
                if (score != current)
                {
                    value.updateFound(score);
                    updated++;
                    changedIndexes[changed] = m;
                    changedScores[changed++] = score;
                }
            }
            else if (!xx)
            {
                if (!value.add(buffer, args.offset(m), args.length(m), score))
                {
                    error = ErrorMessages.OOM;
                    break;
                }
                added++;
                processed = true;
                lastScore = score;
                changedIndexes[changed] = m;
                changedScores[changed++] = score;
            }
        }
        if (!value.commit())
        {
            changed = 0;
            error = ErrorMessages.OOM;
        }
        if (changed > 0)
        {
            final ChangeLog changeLog = context.changeLog();
            changeLog.beginCommand(db, ZADD, buffer, args.offset(1), args.length(1));
            for (int i = 0; i < changed; i++)
            {
                logScore(changeLog, changedScores[i]);
                changeLog.commandArg(buffer, args.offset(changedIndexes[i]), args.length(changedIndexes[i]));
            }
            changeLog.endCommand();
            context.keyspaceEvents().notify(context, KeyspaceEvents.ZSET, incr ? "zincr" : "zadd", args, 1);
        }
        if (error != null)
        {
            reply.error(error);
            return;
        }
        if (zincrby)
        {
            reply.doubleValue(lastScore);
            return;
        }
        replyAdd(reply, incr, added, updated, ch, processed ? lastScore : Double.NaN);
    }

    private static void replyAdd(
        final Reply reply, final boolean incr, final long added, final long updated, final boolean ch,
        final double score)
    {
        if (incr)
        {
            if (Double.isNaN(score) || added + updated == 0 && score != score)
            {
                reply.nil();
            }
            else
            {
                reply.doubleValue(score);
            }
            return;
        }
        reply.integer(ch ? added + updated : added);
    }

    void logScore(final ChangeLog changeLog, final double score)
    {
        final int length = value.formatScore(score);
        changeLog.commandArg(value.scoreText(), 0, length);
    }

    // ------------------------------------------------------------------------------------------------ simple reads

    private void zrem(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = find(context, args, 1, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address == Keyspace.NOT_FOUND)
        {
            reply.integer(0);
            return;
        }
        final ZSetValue value = this.value.wrap(context.keyspace(), context.db(), address);
        final DirectBuffer buffer = args.buffer();
        int changed = 0;
        if (changedIndexes.length < args.count())
        {
            changedIndexes = new int[args.count() * 2];
            changedScores = new double[args.count() * 2];
        }
        for (int i = 2; i < args.count() && value.size() > 0; i++)
        {
            if (value.find(buffer, args.offset(i), args.length(i)))
            {
                value.removeFound();
                changedIndexes[changed++] = i;
            }
        }
        if (!value.commit())
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        if (changed > 0)
        {
            final ChangeLog changeLog = context.changeLog();
            changeLog.beginCommand(context.db(), ZREM, buffer, args.offset(1), args.length(1));
            for (int i = 0; i < changed; i++)
            {
                changeLog.commandArg(buffer, args.offset(changedIndexes[i]), args.length(changedIndexes[i]));
            }
            changeLog.endCommand();
            context.keyspaceEvents().notify(context, KeyspaceEvents.ZSET, "zrem", args, 1);
            if (!value.exists())
            {
                context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, 1);
            }
        }
        reply.integer(changed);
    }

    private void zcard(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = read(context, args, 1, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        reply.integer(address == Keyspace.NOT_FOUND ? 0 : value.wrap(context.keyspace(), context.db(), address).size());
    }

    private void zscore(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = read(context, args, 1, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address != Keyspace.NOT_FOUND && value.wrap(context.keyspace(), context.db(), address)
            .find(args.buffer(), args.offset(2), args.length(2)))
        {
            reply.doubleValue(value.foundScore());
        }
        else
        {
            reply.nil();
        }
    }

    private void zmscore(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final long address = read(context, args, 1, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address != Keyspace.NOT_FOUND)
        {
            value.wrap(context.keyspace(), context.db(), address);
        }
        reply.arrayHeader(args.count() - 2);
        for (int i = 2; i < args.count(); i++)
        {
            if (address != Keyspace.NOT_FOUND && value.find(args.buffer(), args.offset(i), args.length(i)))
            {
                reply.doubleValue(value.foundScore());
            }
            else
            {
                reply.nil();
            }
        }
    }

    private void zrank(final CommandContext context, final CommandArgs args, final Reply reply, final boolean rev)
    {
        final long address = read(context, args, 1, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address != Keyspace.NOT_FOUND && value.wrap(context.keyspace(), context.db(), address)
            .find(args.buffer(), args.offset(2), args.length(2)))
        {
            final long rank = value.foundRank();
            reply.integer(rev ? value.size() - 1 - rank : rank);
        }
        else
        {
            reply.nil();
        }
    }

    private void zcount(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (parseScoreRange(args, 2, 3, reply) && findOrReplyZero(context, args, reply, true) != Keyspace.NOT_FOUND)
        {
            reply.integer(countByScore());
        }
    }

    private void zlexcount(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (parseRange(BY_LEX, args, 2, 3, reply) && findOrReplyZero(context, args, reply, true) != Keyspace.NOT_FOUND)
        {
            reply.integer(lex.isEmpty() ? 0 : Math.max(0, value.lastByLex(lex) - value.firstByLex(lex) + 1));
        }
    }

    private double rangeMin;
    private boolean rangeMinExclusive;
    private double rangeMax;
    private boolean rangeMaxExclusive;

    private boolean parseScoreRange(final CommandArgs args, final int minIndex, final int maxIndex, final Reply reply)
    {
        if (!scores.parseBound(args, minIndex))
        {
            reply.error(NOT_FLOAT_RANGE);
            return false;
        }
        rangeMin = scores.value();
        rangeMinExclusive = scores.exclusive();
        if (!scores.parseBound(args, maxIndex))
        {
            reply.error(NOT_FLOAT_RANGE);
            return false;
        }
        rangeMax = scores.value();
        rangeMaxExclusive = scores.exclusive();
        return true;
    }

    private boolean scoreRangeEmpty()
    {
        return rangeMin > rangeMax || rangeMin == rangeMax && (rangeMinExclusive || rangeMaxExclusive);
    }

    private long countByScore()
    {
        if (scoreRangeEmpty())
        {
            return 0;
        }
        return Math.max(0, value.lastByScore(rangeMax, rangeMaxExclusive) -
            value.firstByScore(rangeMin, rangeMinExclusive) + 1);
    }

    // ------------------------------------------------------------------------------------------------ ZRANGE family

    private long rangeFirst;
    private long rangeCount;
    private boolean rangeReverse;
    private boolean rangeWithScores;

    /**
     * Z[REV]RANGE[BYSCORE|BYLEX] and ZRANGESTORE, as Redis 7.0's zrangeGenericCommand.
     *
     * @param keyIndex   the source key's argument (2 for ZRANGESTORE).
     * @param presetKind BY_* fixed by a legacy command, or -1 (ZRANGE, ZRANGESTORE: options choose).
     */
    private void zrange(
        final CommandContext context, final CommandArgs args, final Reply reply, final int keyIndex,
        final int defaultKind, final boolean presetReverse, final int presetKind, final boolean store)
    {
        int kind = presetKind;
        boolean reverse = presetReverse;
        boolean reverseSet = presetReverse || presetKind != -1;
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = keyIndex + 3; j < args.count(); j++)
        {
            final int left = args.count() - j - 1;
            if (!store && args.equalsIgnoreCase(j, WITHSCORES))
            {
                withScores = true;
            }
            else if (args.equalsIgnoreCase(j, LIMIT) && left >= 2)
            {
                if (!numbers.parseLong(args, j + 1))
                {
                    reply.error(ErrorMessages.NOT_INTEGER);
                    return;
                }
                offset = numbers.value();
                if (!numbers.parseLong(args, j + 2))
                {
                    reply.error(ErrorMessages.NOT_INTEGER);
                    return;
                }
                limit = numbers.value();
                j += 2;
            }
            else if (!reverseSet && args.equalsIgnoreCase(j, REV))
            {
                reverse = true;
                reverseSet = true;
            }
            else if (kind == -1 && args.equalsIgnoreCase(j, BYLEX))
            {
                kind = BY_LEX;
            }
            else if (kind == -1 && args.equalsIgnoreCase(j, BYSCORE))
            {
                kind = BY_SCORE;
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        if (kind == -1)
        {
            kind = defaultKind;
        }
        if (limit != -1 && kind == BY_RANK)
        {
            reply.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            return;
        }
        if (withScores && kind == BY_LEX)
        {
            reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            return;
        }
        int minIndex = keyIndex + 1;
        int maxIndex = keyIndex + 2;
        if (reverse && kind != BY_RANK)
        {
            minIndex = keyIndex + 2;
            maxIndex = keyIndex + 1;
        }
        if (!parseRange(kind, args, minIndex, maxIndex, reply))
        {
            return;
        }
        final long address = read(context, args, keyIndex, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        rangeCount = 0;
        rangeReverse = reverse;
        rangeWithScores = withScores;
        if (address != Keyspace.NOT_FOUND)
        {
            value.wrap(context.keyspace(), context.db(), address);
            selectRange(kind, rankStart, rankEnd, reverse, offset, limit);
        }
        if (store)
        {
            storeRange(context, args, reply, address != Keyspace.NOT_FOUND);
            return;
        }
        replyRange(reply);
    }

    /**
     * Work out which ranks a range reads: {@link #rangeFirst} (the first rank read, in reading order) and
     * {@link #rangeCount}.
     */
    private void selectRange(
        final int kind, final long start, final long end, final boolean reverse, final long offset, final long limit)
    {
        final long size = value.size();
        long first;
        long last;
        if (kind == BY_RANK)
        {
            long s = start < 0 ? size + start : start;
            long e = end < 0 ? size + end : end;
            if (s < 0)
            {
                s = 0;
            }
            if (s > e || s >= size)
            {
                return;
            }
            if (e >= size)
            {
                e = size - 1;
            }
            rangeCount = e - s + 1;
            rangeFirst = reverse ? size - 1 - s : s;
            return;
        }
        if (kind == BY_SCORE)
        {
            if (scoreRangeEmpty())
            {
                return;
            }
            first = value.firstByScore(rangeMin, rangeMinExclusive);
            last = value.lastByScore(rangeMax, rangeMaxExclusive);
        }
        else
        {
            if (lex.isEmpty())
            {
                return;
            }
            first = value.firstByLex(lex);
            last = value.lastByLex(lex);
        }
        long count = last - first + 1;
        if (count <= 0 || offset < 0)
        {
            return;
        }
        if (offset >= count)
        {
            return;
        }
        count -= offset;
        if (limit >= 0 && limit < count)
        {
            count = limit;
        }
        rangeCount = count;
        rangeFirst = reverse ? last - offset : first + offset;
    }

    private void replyRange(final Reply reply)
    {
        final ZSetValue value = this.value;
        final long count = rangeCount;
        final boolean nested = rangeWithScores && reply.nestsPairs();
        reply.arrayHeader((int)(rangeWithScores && !nested ? count * 2 : count));
        if (count == 0)
        {
            return;
        }
        value.seek(rangeFirst);
        for (long i = 0; i < count; i++)
        {
            if (nested)
            {
                reply.arrayHeader(2);
            }
            reply.bulk(value.member(), value.memberOffset(), value.memberLength());
            if (rangeWithScores)
            {
                reply.doubleValue(value.score());
            }
            if (i + 1 < count)
            {
                value.step(rangeReverse);
            }
        }
    }

    private void storeRange(final CommandContext context, final CommandArgs args, final Reply reply,
        final boolean sourceExists)
    {
        final ZSetBuilder builder = this.builder;
        builder.clear();
        if (rangeCount > 0)
        {
            value.seek(rangeFirst);
            for (long i = 0; i < rangeCount; i++)
            {
                builder.add(value.member(), value.memberOffset(), value.memberLength(), value.score());
                if (i + 1 < rangeCount)
                {
                    value.step(rangeReverse);
                }
            }
        }
        builder.sort();
        final long stored = storeBuilt(context, args, 1, "zrangestore");
        if (stored < 0)
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        reply.integer(stored);
    }

    /**
     * Replace the key at argument {@code keyIndex} with the {@link #builder}'s sorted members (deleting it when there
     * are none), log the command itself and notify {@code event} (or "del").
     *
     * @return members stored, or -1 when out of memory (nothing changed).
     */
    long storeBuilt(final CommandContext context, final CommandArgs args, final int keyIndex, final String event)
    {
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final DirectBuffer buffer = args.buffer();
        final int size = builder.size();
        boolean existed = false;
        if (size == 0)
        {
            existed = keyspace.delete(db, buffer, args.offset(keyIndex), args.length(keyIndex), context.nowMs());
        }
        else if (!value.build(keyspace, db, buffer, args.offset(keyIndex), args.length(keyIndex), builder,
            Keyspace.NO_EXPIRY, false))
        {
            return -1;
        }
        if (size > 0 || existed)
        {
            final ChangeLog changeLog = context.changeLog();
            changeLog.beginCommand(db, lowerName(args), buffer, args.offset(1), args.length(1));
            for (int i = 2; i < args.count(); i++)
            {
                changeLog.commandArg(buffer, args.offset(i), args.length(i));
            }
            changeLog.endCommand();
        }
        if (size > 0)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.ZSET, event, args, keyIndex);
        }
        else if (existed)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, keyIndex);
        }
        return size;
    }

    private byte[] nameScratch = new byte[32];

    private byte[] lowerName(final CommandArgs args)
    {
        final int length = args.length(0);
        if (nameScratch.length != length)
        {
            nameScratch = new byte[length];
        }
        for (int i = 0; i < length; i++)
        {
            final byte b = args.buffer().getByte(args.offset(0) + i);
            nameScratch[i] = (byte)(b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
        return nameScratch;
    }

    ZSetBuilder builder()
    {
        return builder;
    }

    ZSetValue value()
    {
        return value;
    }

    ZSetScores scores()
    {
        return scores;
    }

    // ------------------------------------------------------------------------------------------------ ZREMRANGE*

    private void zremrange(final CommandContext context, final CommandArgs args, final Reply reply, final int kind)
    {
        if (!parseRange(kind, args, 2, 3, reply) || findOrReplyZero(context, args, reply, false) == Keyspace.NOT_FOUND)
        {
            return;
        }
        rangeCount = 0;
        selectRange(kind, rankStart, rankEnd, false, 0, -1);
        final long removed = rangeCount;
        if (removed == 0)
        {
            reply.integer(0);
            return;
        }
        value.removeRange(rangeFirst, rangeFirst + removed - 1, (m, o, l, s) -> { });
        if (!value.commit())
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        final ChangeLog changeLog = context.changeLog();
        changeLog.beginCommand(context.db(), lowerName(args), args.buffer(), args.offset(1), args.length(1));
        changeLog.commandArg(args.buffer(), args.offset(2), args.length(2));
        changeLog.commandArg(args.buffer(), args.offset(3), args.length(3));
        changeLog.endCommand();
        context.keyspaceEvents().notify(context, KeyspaceEvents.ZSET,
            kind == BY_RANK ? "zremrangebyrank" : kind == BY_SCORE ? "zremrangebyscore" : "zremrangebylex", args, 1);
        if (!value.exists())
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, 1);
        }
        reply.integer(removed);
    }

    // ------------------------------------------------------------------------------------------------ pops

    private void zpop(final CommandContext context, final CommandArgs args, final Reply reply, final boolean max)
    {
        if (args.count() > 3)
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        long count = -1;
        if (args.count() == 3)
        {
            if (!numbers.parseLong(args, 2))
            {
                reply.error(POSITIVE);
                return;
            }
            count = numbers.value();
            if (count < 0)
            {
                reply.error(POSITIVE);
                return;
            }
        }
        final long address = find(context, args, 1, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address == Keyspace.NOT_FOUND || count == 0)
        {
            reply.arrayHeader(0);
            return;
        }
        pop(context, args.buffer(), args.offset(1), args.length(1), address, max, count == -1 ? 1 : count,
            count == -1 ? PopReply.FLAT : PopReply.PAIRS, reply);
    }

    private final ZSetValue.MemberSink popSink = (m, o, l, s) -> builder.add(m, o, l, s);

    /** How {@link #pop} answers. */
    public enum PopReply
    {
        /** [member, score, ...] (ZPOPMIN without a count, BZPOPMIN adds the key itself). */
        FLAT,
        /** Pairs: nested for RESP3 and JSON, flat for RESP2 (ZPOPMIN with a count). */
        PAIRS,
        /** [key, [[member, score], ...]] (ZMPOP, BZMPOP). */
        KEY_AND_PAIRS,
        /** [key, member, score] (BZPOPMIN, BZPOPMAX). */
        KEY_MEMBER_SCORE
    }

    /**
     * The pop primitive shared by ZPOPMIN, ZPOPMAX, ZMPOP and the blocking pops: remove up to {@code count} members
     * from the low ({@code max} false) or high end of the sorted set at {@code address} (a live ZSET entry of the
     * context's database, named by {@code key}), answer as {@code shape} says, log {@code ZREM key member...},
     * notify "zpopmin"/"zpopmax" (and "del" when emptied, deleting the key).
     *
     * @param count members wanted, at least 1.
     * @return members popped (0 only when out of memory: an error was replied and nothing changed).
     */
    public long pop(
        final CommandContext context, final DirectBuffer key, final int keyOffset, final int keyLength,
        final long address, final boolean max, final long count, final PopReply shape, final Reply reply)
    {
        final ZSetValue value = this.value.wrap(context.keyspace(), context.db(), address);
        final long size = value.size();
        final long n = Math.min(size, count);
        final ZSetBuilder popped = this.builder;
        popped.clear();
        final long from = max ? size - n : 0;
        value.removeRange(from, from + n - 1, popSink);
        if (!value.commit())
        {
            reply.error(ErrorMessages.OOM);
            return 0;
        }
        final int db = context.db();
        final ChangeLog changeLog = context.changeLog();
        changeLog.beginCommand(db, ZREM, key, keyOffset, keyLength);
        for (int i = 0; i < n; i++)
        {
            changeLog.commandArg(popped.arena(), popped.rawOffset(i), popped.rawLength(i));
        }
        changeLog.endCommand();
        final KeyspaceEvents events = context.keyspaceEvents();
        events.notify(KeyspaceEvents.ZSET, max ? "zpopmax" : "zpopmin", db, key, keyOffset, keyLength);
        if (!value.exists())
        {
            events.notify(KeyspaceEvents.GENERIC, "del", db, key, keyOffset, keyLength);
        }
        final boolean nested = shape == PopReply.KEY_AND_PAIRS || shape == PopReply.PAIRS && reply.nestsPairs();
        switch (shape)
        {
            case FLAT, PAIRS -> reply.arrayHeader((int)(nested ? n : 2 * n));
            case KEY_AND_PAIRS ->
            {
                reply.arrayHeader(2);
                reply.bulk(key, keyOffset, keyLength);
                reply.arrayHeader((int)n);
            }
            case KEY_MEMBER_SCORE ->
            {
                reply.arrayHeader(3);
                reply.bulk(key, keyOffset, keyLength);
            }
        }
        // Popped in removal order: from the low end upwards, or from the high end downwards.
        for (int k = 0; k < n; k++)
        {
            final int i = max ? (int)(n - 1 - k) : k;
            if (nested)
            {
                reply.arrayHeader(2);
            }
            reply.bulk(popped.arena(), popped.rawOffset(i), popped.rawLength(i));
            reply.doubleValue(popped.rawScore(i));
        }
        return n;
    }

    /**
     * Pop the lowest member of the sorted set at {@code address} (BZPOPMIN's effect): see {@link #pop}.
     */
    public long popMin(final CommandContext context, final DirectBuffer key, final int keyOffset, final int keyLength,
        final long address, final long count, final PopReply shape, final Reply reply)
    {
        return pop(context, key, keyOffset, keyLength, address, false, count, shape, reply);
    }

    /**
     * Pop the highest member of the sorted set at {@code address} (BZPOPMAX's effect): see {@link #pop}.
     */
    public long popMax(final CommandContext context, final DirectBuffer key, final int keyOffset, final int keyLength,
        final long address, final long count, final PopReply shape, final Reply reply)
    {
        return pop(context, key, keyOffset, keyLength, address, true, count, shape, reply);
    }

    /**
     * ZMPOP numkeys key... MIN|MAX [COUNT count]'s arguments, parsed by {@link #parseMpop} (shared with BZMPOP).
     */
    public static final class MpopArguments
    {
        /** Index of the first key. */
        public int firstKey;
        /** Keys. */
        public int keys;
        /** MAX rather than MIN. */
        public boolean max;
        /** Members wanted (1 without COUNT). */
        public long count;
    }

    /**
     * Parse {@code numkeys key... MIN|MAX [COUNT count]} from argument {@code numkeysIndex} as Redis 7.0's ZMPOP and
     * BZMPOP do, replying the error when it fails.
     */
    public boolean parseMpop(final CommandArgs args, final int numkeysIndex, final MpopArguments out,
        final Reply reply)
    {
        // Redis answers a number that is not an integer with the range's text too (getRangeLongFromObjectOrReply).
        if (!numbers.parseLong(args, numkeysIndex) || numbers.value() <= 0)
        {
            reply.error("ERR numkeys should be greater than 0");
            return false;
        }
        final long numkeys = numbers.value();
        final int whereIndex = numkeysIndex + 1;
        if (numkeys > args.count() - whereIndex - 1)
        {
            reply.error(ErrorMessages.SYNTAX);
            return false;
        }
        final int where = whereIndex + (int)numkeys;
        if (args.equalsIgnoreCase(where, MIN))
        {
            out.max = false;
        }
        else if (args.equalsIgnoreCase(where, MAX))
        {
            out.max = true;
        }
        else
        {
            reply.error(ErrorMessages.SYNTAX);
            return false;
        }
        out.firstKey = whereIndex;
        out.keys = (int)numkeys;
        out.count = 1;
        boolean countSeen = false;
        for (int j = where + 1; j < args.count(); j++)
        {
            if (!countSeen && args.equalsIgnoreCase(j, COUNT) && j + 1 < args.count())
            {
                if (!numbers.parseLong(args, j + 1) || numbers.value() <= 0)
                {
                    reply.error("ERR count should be greater than 0");
                    return false;
                }
                out.count = numbers.value();
                countSeen = true;
                j++;
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return false;
            }
        }
        return true;
    }

    private final MpopArguments mpop = new MpopArguments();

    private void zmpop(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final MpopArguments mpop = this.mpop;
        if (!parseMpop(args, 1, mpop, reply))
        {
            return;
        }
        for (int i = mpop.firstKey; i < mpop.firstKey + mpop.keys; i++)
        {
            final long address = find(context, args, i, reply);
            if (address == WRONG_TYPE)
            {
                return;
            }
            if (address != Keyspace.NOT_FOUND)
            {
                pop(context, args.buffer(), args.offset(i), args.length(i), address, mpop.max, mpop.count,
                    PopReply.KEY_AND_PAIRS, reply);
                return;
            }
        }
        reply.nilArray();
    }

    // ------------------------------------------------------------------------------------------------ ZRANDMEMBER

    private void zrandmember(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() > 4 || args.count() == 4 && !args.equalsIgnoreCase(3, WITHSCORES))
        {
            reply.error(ErrorMessages.SYNTAX);
            return;
        }
        final boolean withScores = args.count() == 4;
        long count = 0;
        boolean hasCount = args.count() >= 3;
        if (hasCount)
        {
            if (!numbers.parseLong(args, 2))
            {
                reply.error(ErrorMessages.NOT_INTEGER);
                return;
            }
            count = numbers.value();
            if (count < -Long.MAX_VALUE)
            {
                reply.error("ERR value is out of range, value must between -9223372036854775807 and " +
                    "9223372036854775807");
                return;
            }
            if (withScores && count < -Long.MAX_VALUE / 2)
            {
                reply.error("ERR value is out of range");
                return;
            }
        }
        final long address = read(context, args, 1, reply);
        if (address == WRONG_TYPE)
        {
            return;
        }
        if (address == Keyspace.NOT_FOUND)
        {
            if (hasCount)
            {
                reply.arrayHeader(0);
            }
            else
            {
                reply.nil();
            }
            return;
        }
        final ZSetValue value = this.value.wrap(context.keyspace(), context.db(), address);
        final long size = value.size();
        if (!hasCount)
        {
            value.seek(nextRank(size));
            reply.bulk(value.member(), value.memberOffset(), value.memberLength());
            return;
        }
        final boolean nested = withScores && reply.nestsPairs();
        if (count == 0)
        {
            reply.arrayHeader(0);
            return;
        }
        if (count < 0)
        {
            final long n = -count;
            reply.arrayHeader((int)(withScores && !nested ? n * 2 : n));
            for (long i = 0; i < n; i++)
            {
                value.seek(nextRank(size));
                replyMember(reply, value, withScores, nested);
            }
            return;
        }
        final long n = Math.min(count, size);
        reply.arrayHeader((int)(withScores && !nested ? n * 2 : n));
        if (n == size)
        {
            value.seek(0);
            for (long i = 0; i < n; i++)
            {
                replyMember(reply, value, withScores, nested);
                if (i + 1 < n)
                {
                    value.step(false);
                }
            }
            return;
        }
        // Distinct ranks: a partial Fisher-Yates shuffle of rank indexes (size <= what a reply can hold here).
        final long[] ranks = distinctRanks(size, (int)n);
        for (int i = 0; i < n; i++)
        {
            value.seek(ranks[i]);
            replyMember(reply, value, withScores, nested);
        }
    }

    private long[] rankScratch = new long[64];

    private long[] distinctRanks(final long size, final int n)
    {
        if (rankScratch.length < n)
        {
            rankScratch = new long[n * 2];
        }
        int found = 0;
        // Rejection sampling: n < size; n is small next to size in the common case, else at most a few rounds.
        final java.util.HashSet<Long> seen = n > 64 ? new java.util.HashSet<>(n * 2) : null;
        while (found < n)
        {
            final long r = nextRank(size);
            boolean repeat = false;
            if (seen != null)
            {
                repeat = !seen.add(r);
            }
            else
            {
                for (int i = 0; i < found; i++)
                {
                    if (rankScratch[i] == r)
                    {
                        repeat = true;
                        break;
                    }
                }
            }
            if (!repeat)
            {
                rankScratch[found++] = r;
            }
        }
        return rankScratch;
    }

    private long nextRank(final long size)
    {
        return (random.nextLong() & Long.MAX_VALUE) % size;
    }

    private static void replyMember(final Reply reply, final ZSetValue value, final boolean withScores,
        final boolean nested)
    {
        if (nested)
        {
            reply.arrayHeader(2);
        }
        reply.bulk(value.member(), value.memberOffset(), value.memberLength());
        if (withScores)
        {
            reply.doubleValue(value.score());
        }
    }

    // ------------------------------------------------------------------------------------------------ ZSCAN

    private long[] scanned = new long[64];
    private int scannedCount;
    private final ElementTables.ElementVisitor scanCollector = this::collectScanned;

    private void collectScanned(final long element)
    {
        if (scannedCount == scanned.length)
        {
            scanned = Arrays.copyOf(scanned, scannedCount * 2);
        }
        scanned[scannedCount++] = element;
    }

    private void zscan(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final ScanArguments scan = this.scan;
        final long address = scan.keyToScan(context, args, ValueType.ZSET, reply);
        if (address == Keyspace.NOT_FOUND)
        {
            return;
        }
        final ZSetValue value = this.value.wrap(context.keyspace(), context.db(), address);
        final int pattern = scan.patternIndex();
        final DirectBuffer buffer = args.buffer();
        if (value.isListpack())
        {
            // As Redis: a listpack set is returned whole, cursor 0.
            final long size = value.size();
            int matched = 0;
            for (long r = 0; r < size; r++)
            {
                value.seek(r);
                if (matches(buffer, args, pattern, value.member(), value.memberOffset(), value.memberLength()))
                {
                    matched++;
                }
            }
            reply.arrayHeader(2);
            reply.bulk(ZERO);
            reply.arrayHeader(matched * 2);
            for (long r = 0; r < size; r++)
            {
                value.seek(r);
                if (matches(buffer, args, pattern, value.member(), value.memberOffset(), value.memberLength()))
                {
                    reply.bulk(value.member(), value.memberOffset(), value.memberLength());
                    final int length = value.formatScore(value.score());
                    reply.bulk(value.scoreText(), 0, length);
                }
            }
            return;
        }
        scannedCount = 0;
        final ElementTables tables = context.keyspace().elementTables();
        final int id = context.entry().wrap(value.address()).buffer().getInt(context.entry().valueOffset());
        final long next = tables.scan(id, scan.cursor(), scan.count(), scanCollector);
        int matched = 0;
        for (int i = 0; i < scannedCount; i++)
        {
            final long element = scanned[i];
            elementView.wrap(ZSkipList.memberAddress(element), ZSkipList.memberLength(element));
            if (matches(buffer, args, pattern, elementView, 0, elementView.capacity()))
            {
                scanned[matched++] = element;
            }
        }
        reply.arrayHeader(2);
        final int cursorLength = AsciiNumbers.putLong(cursorText, 0, next);
        reply.bulk(cursorText, 0, cursorLength);
        reply.arrayHeader(matched * 2);
        for (int i = 0; i < matched; i++)
        {
            final long element = scanned[i];
            elementView.wrap(ZSkipList.memberAddress(element), ZSkipList.memberLength(element));
            reply.bulk(elementView, 0, elementView.capacity());
            final int length = value.formatScore(ZSkipList.score(element));
            reply.bulk(value.scoreText(), 0, length);
        }
    }

    private final UnsafeBuffer cursorText = new UnsafeBuffer(new byte[24]);

    private static boolean matches(final DirectBuffer buffer, final CommandArgs args, final int pattern,
        final DirectBuffer member, final int offset, final int length)
    {
        return pattern < 0 || GlobPattern.matches(buffer, args.offset(pattern), args.length(pattern), member, offset,
            length);
    }
}
