package io.ringkv.core.command;

import io.ringkv.core.store.ElementDescriptor;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Intset;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.READONLY;
import static io.ringkv.core.command.Command.WRITE;

/**
 * ZUNION ZINTER ZDIFF, their STOREs, and ZINTERCARD, as Redis 7.0's zunionInterDiffGenericCommand: sorted sets and
 * plain sets (every member scoring 1) as inputs, WEIGHTS (a product that is NaN counts 0), AGGREGATE SUM|MIN|MAX
 * (a sum that is NaN counts 0), WITHSCORES. Inputs are visited from the smallest, as Redis does, so that sums are
 * added in Redis's order. The result is gathered in a {@link ZSetBuilder} (on the heap: these commands are O(n) in
 * their inputs and not on a hot path) and sorted once. STOREs log themselves.
 * <p>
 * Only the engine thread calls it.
 */
final class ZSetAlgebra
{
    private static final int UNION = 0;
    private static final int INTER = 1;
    private static final int DIFF = 2;
    private static final int SUM = 0;
    private static final int MIN = 1;
    private static final int MAX = 2;
    private static final byte[] WEIGHTS = {'W', 'E', 'I', 'G', 'H', 'T', 'S'};
    private static final byte[] AGGREGATE = {'A', 'G', 'G', 'R', 'E', 'G', 'A', 'T', 'E'};
    private static final byte[] WITHSCORES = {'W', 'I', 'T', 'H', 'S', 'C', 'O', 'R', 'E', 'S'};
    private static final byte[] LIMIT = {'L', 'I', 'M', 'I', 'T'};
    private static final byte[] SUM_TOKEN = {'S', 'U', 'M'};
    private static final byte[] MIN_TOKEN = {'M', 'I', 'N'};
    private static final byte[] MAX_TOKEN = {'M', 'A', 'X'};

    private final ZSetCommands commands;
    private final ZSetValue source = new ZSetValue();
    private final AsciiNumbers numbers = new AsciiNumbers();
    private final UnsafeBuffer text = new UnsafeBuffer(new byte[AsciiNumbers.MAX_LONG_DIGITS]);
    private final UnsafeBuffer elementView = new UnsafeBuffer(0, 0);
    private final EntryFlyweight entry = new EntryFlyweight();

    private long[] addresses = new long[8];
    private long[] sizes = new long[8];
    private double[] weights = new double[8];
    private int[] order = new int[8];

    private ZSetAlgebra(final ZSetCommands commands)
    {
        this.commands = commands;
    }

    static void register(final CommandTable table, final ZSetCommands commands)
    {
        final ZSetAlgebra algebra = new ZSetAlgebra(commands);
        table.register("zunion", -3, READONLY, (c, a, r) -> algebra.run(c, a, r, UNION, false));
        table.register("zinter", -3, READONLY, (c, a, r) -> algebra.run(c, a, r, INTER, false));
        table.register("zdiff", -3, READONLY, (c, a, r) -> algebra.run(c, a, r, DIFF, false));
        table.register("zunionstore", -4, WRITE | DENY_OOM, (c, a, r) -> algebra.run(c, a, r, UNION, true));
        table.register("zinterstore", -4, WRITE | DENY_OOM, (c, a, r) -> algebra.run(c, a, r, INTER, true));
        table.register("zdiffstore", -4, WRITE | DENY_OOM, (c, a, r) -> algebra.run(c, a, r, DIFF, true));
        table.register("zintercard", -3, READONLY, algebra::zintercard);
    }

    private String commandName(final CommandArgs args)
    {
        return args.asString(0).toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Parse numkeys and look the keys up (WRONGTYPE for anything but a set or sorted set).
     *
     * @return the number of keys, or -1 once an error was replied.
     */
    private int sources(final CommandContext context, final CommandArgs args, final int numkeysIndex,
        final Reply reply)
    {
        if (!numbers.parseLong(args, numkeysIndex))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return -1;
        }
        final long numkeys = numbers.value();
        if (numkeys < 1)
        {
            reply.error("ERR at least 1 input key is needed for '" + commandName(args) + "' command");
            return -1;
        }
        if (numkeys > args.count() - numkeysIndex - 1)
        {
            reply.error(ErrorMessages.SYNTAX);
            return -1;
        }
        final int n = (int)numkeys;
        if (addresses.length < n)
        {
            addresses = new long[n * 2];
            sizes = new long[n * 2];
            weights = new double[n * 2];
            order = new int[n * 2];
        }
        final Keyspace keyspace = context.keyspace();
        for (int i = 0; i < n; i++)
        {
            final long address = context.readKey(args, numkeysIndex + 1 + i); // sources are read: "keymiss"
            if (address != Keyspace.NOT_FOUND)
            {
                final byte type = entry.wrap(address).type();
                if (type != ValueType.ZSET && type != ValueType.SET)
                {
                    reply.error(ErrorMessages.WRONG_TYPE);
                    return -1;
                }
            }
            addresses[i] = address;
            sizes[i] = address == Keyspace.NOT_FOUND ? 0 : cardinality(keyspace, context.db(), address);
            weights[i] = 1;
        }
        return n;
    }

    private long cardinality(final Keyspace keyspace, final int db, final long address)
    {
        entry.wrap(address);
        if (entry.type() == ValueType.ZSET)
        {
            return source.wrap(keyspace, db, address).size();
        }
        if (entry.encoding() == ValueEncoding.SET_INTSET)
        {
            return Intset.count(entry.buffer(), entry.valueOffset());
        }
        return keyspace.elementTables().size(entry.buffer().getInt(entry.valueOffset()));
    }

    private void run(final CommandContext context, final CommandArgs args, final Reply reply, final int op,
        final boolean store)
    {
        final int numkeysIndex = store ? 2 : 1;
        final int n = sources(context, args, numkeysIndex, reply);
        if (n < 0)
        {
            return;
        }
        int aggregate = SUM;
        boolean withScores = false;
        final ZSetScores scores = commands.scores();
        int j = numkeysIndex + 1 + n;
        while (j < args.count())
        {
            final int remaining = args.count() - j;
            if (op != DIFF && remaining >= n + 1 && args.equalsIgnoreCase(j, WEIGHTS))
            {
                j++;
                for (int i = 0; i < n; i++, j++)
                {
                    if (!scores.parseScore(args, j))
                    {
                        reply.error("ERR weight value is not a float");
                        return;
                    }
                    weights[i] = scores.value();
                }
            }
            else if (op != DIFF && remaining >= 2 && args.equalsIgnoreCase(j, AGGREGATE))
            {
                if (args.equalsIgnoreCase(j + 1, SUM_TOKEN))
                {
                    aggregate = SUM;
                }
                else if (args.equalsIgnoreCase(j + 1, MIN_TOKEN))
                {
                    aggregate = MIN;
                }
                else if (args.equalsIgnoreCase(j + 1, MAX_TOKEN))
                {
                    aggregate = MAX;
                }
                else
                {
                    reply.error(ErrorMessages.SYNTAX);
                    return;
                }
                j += 2;
            }
            else if (!store && args.equalsIgnoreCase(j, WITHSCORES))
            {
                withScores = true;
                j++;
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        final ZSetBuilder result = commands.builder();
        compute(context, op, aggregate, n, result, 0);
        result.sort();
        if (store)
        {
            final String event = op == UNION ? "zunionstore" : op == INTER ? "zinterstore" : "zdiffstore";
            final long stored = commands.storeBuilt(context, args, 1, event);
            if (stored < 0)
            {
                reply.error(ErrorMessages.OOM);
                return;
            }
            reply.integer(stored);
            return;
        }
        final int size = result.size();
        final boolean nested = withScores && reply.nestsPairs();
        reply.arrayHeader(withScores && !nested ? size * 2 : size);
        for (int i = 0; i < size; i++)
        {
            if (nested)
            {
                reply.arrayHeader(2);
            }
            reply.bulk(result.arena(), result.memberOffset(i), result.memberLength(i));
            if (withScores)
            {
                reply.doubleValue(result.score(i));
            }
        }
    }

    private void zintercard(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final int n = sources(context, args, 1, reply);
        if (n < 0)
        {
            return;
        }
        long limit = 0;
        int j = 2 + n;
        while (j < args.count())
        {
            if (args.count() - j >= 2 && args.equalsIgnoreCase(j, LIMIT))
            {
                if (!numbers.parseLong(args, j + 1) || numbers.value() < 0)
                {
                    reply.error("ERR LIMIT can't be negative");
                    return;
                }
                limit = numbers.value();
                j += 2;
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        final ZSetBuilder result = commands.builder();
        compute(context, INTER, SUM, n, result, limit);
        reply.integer(limit > 0 ? Math.min(limit, result.size()) : result.size());
    }

    /**
     * The operation over the looked-up sources, into {@code result} (unsorted).
     */
    private void compute(final CommandContext context, final int op, final int aggregate, final int n,
        final ZSetBuilder result, final long limit)
    {
        result.clear();
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        if (op != DIFF)
        {
            // Smallest first (a stable insertion sort: n is small).
            for (int i = 1; i < n; i++)
            {
                final int o = order[i];
                int k = i - 1;
                while (k >= 0 && sizes[order[k]] > sizes[o])
                {
                    order[k + 1] = order[k];
                    k--;
                }
                order[k + 1] = o;
            }
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        if (op == UNION)
        {
            for (int k = 0; k < n; k++)
            {
                final int s = order[k];
                if (addresses[s] != Keyspace.NOT_FOUND)
                {
                    addAll(keyspace, db, s, result, aggregate, true);
                }
            }
            return;
        }
        final int first = order[0];
        if (addresses[first] == Keyspace.NOT_FOUND || sizes[first] == 0)
        {
            return;
        }
        addAll(keyspace, db, first, result, aggregate, op == INTER);
        for (int k = 1; k < n; k++)
        {
            final int s = order[k];
            final int added = result.added();
            if (addresses[s] == Keyspace.NOT_FOUND)
            {
                if (op == INTER)
                {
                    for (int i = 0; i < added; i++)
                    {
                        result.remove(i);
                    }
                }
                continue;
            }
            bindProbe(keyspace, db, s);
            for (int i = 0; i < added; i++)
            {
                if (result.isRemoved(i))
                {
                    continue;
                }
                final boolean present = probe(keyspace, result.arena(), result.rawOffset(i), result.rawLength(i));
                if (op == DIFF)
                {
                    if (present)
                    {
                        result.remove(i);
                    }
                }
                else if (!present)
                {
                    result.remove(i);
                }
                else
                {
                    result.score(i, combine(aggregate, result.rawScore(i), weighted(probeScore, weights[s])));
                }
            }
        }
    }

    private static double weighted(final double score, final double weight)
    {
        final double value = score * weight;
        return Double.isNaN(value) ? 0 : value;
    }

    private static double combine(final int aggregate, final double a, final double b)
    {
        if (aggregate == SUM)
        {
            final double sum = a + b;
            return Double.isNaN(sum) ? 0 : sum;
        }
        return aggregate == MIN ? Math.min(a, b) : Math.max(a, b);
    }

    /**
     * Add every member of source {@code s} (weighted when {@code weighted}), aggregating into members present.
     */
    private void addAll(final Keyspace keyspace, final int db, final int s, final ZSetBuilder result,
        final int aggregate, final boolean weighted)
    {
        final double weight = weighted ? weights[s] : 1;
        final long address = addresses[s];
        entry.wrap(address);
        if (entry.type() == ValueType.ZSET)
        {
            final ZSetValue value = source.wrap(keyspace, db, address);
            final long size = value.size();
            if (size == 0)
            {
                return;
            }
            value.seek(0);
            for (long r = 0; r < size; r++)
            {
                final double score = weighted ? weighted(value.score(), weight) : value.score();
                accumulate(result, value.member(), value.memberOffset(), value.memberLength(), score, aggregate);
                if (r + 1 < size)
                {
                    value.step(false);
                }
            }
            return;
        }
        final double score = weighted ? weighted(1, weight) : 1;
        if (entry.encoding() == ValueEncoding.SET_INTSET)
        {
            final DirectBuffer buffer = entry.buffer();
            final int base = entry.valueOffset();
            for (int i = 0, count = Intset.count(buffer, base); i < count; i++)
            {
                final int length = AsciiNumbers.putLong(text, 0, Intset.get(buffer, base, i));
                accumulate(result, text, 0, length, score, aggregate);
            }
            return;
        }
        visitResult = result;
        visitScore = score;
        visitAggregate = aggregate;
        keyspace.elementTables().forEach(entry.buffer().getInt(entry.valueOffset()), setMemberVisitor);
        visitResult = null;
    }

    private ZSetBuilder visitResult;
    private double visitScore;
    private int visitAggregate;
    private final ElementTables.ElementVisitor setMemberVisitor = this::visitSetMember;

    private void visitSetMember(final long element)
    {
        final int length = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
        elementView.wrap(element + ElementDescriptor.KEY_OFFSET, length);
        accumulate(visitResult, elementView, 0, length, visitScore, visitAggregate);
    }

    private static void accumulate(final ZSetBuilder result, final DirectBuffer member, final int offset,
        final int length, final double score, final int aggregate)
    {
        final int i = result.find(member, offset, length);
        if (i < 0)
        {
            result.add(member, offset, length, score);
        }
        else
        {
            result.score(i, combine(aggregate, result.rawScore(i), score));
        }
    }

    private int probeKind;
    private int probeTable;
    private long probeAddress;
    private double probeScore;

    private void bindProbe(final Keyspace keyspace, final int db, final int s)
    {
        probeAddress = addresses[s];
        entry.wrap(probeAddress);
        if (entry.type() == ValueType.ZSET)
        {
            source.wrap(keyspace, db, probeAddress);
            probeKind = 0;
        }
        else if (entry.encoding() == ValueEncoding.SET_INTSET)
        {
            probeKind = 1;
        }
        else
        {
            probeKind = 2;
            probeTable = entry.buffer().getInt(entry.valueOffset());
        }
    }

    private boolean probe(final Keyspace keyspace, final DirectBuffer member, final int offset, final int length)
    {
        if (probeKind == 0)
        {
            if (source.find(member, offset, length))
            {
                probeScore = source.foundScore();
                return true;
            }
            return false;
        }
        probeScore = 1;
        if (probeKind == 1)
        {
            if (!numbers.parseLong(member, offset, length))
            {
                return false;
            }
            entry.wrap(probeAddress);
            return Intset.search(entry.buffer(), entry.valueOffset(), numbers.value()) >= 0;
        }
        return keyspace.elementTables().find(probeTable, member, offset, length) != 0;
    }
}
