package io.ringkv.core.command;

import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.concurrent.UnsafeBuffer;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static io.ringkv.core.command.Command.DENY_OOM;
import static io.ringkv.core.command.Command.FAST;
import static io.ringkv.core.command.Command.WRITE;

/**
 * INCR, DECR, INCRBY, DECRBY (64-bit, result stored integer-encoded, TTL kept) and INCRBYFLOAT (x87 long double
 * arithmetic and formatting, result stored as text), with Redis 7's errors. A json document is WRONGTYPE.
 * Stateless; the handlers run on the engine thread. The integer path allocates nothing.
 */
public final class CounterCommands
{
    private CounterCommands()
    {
    }

    /**
     * @param table to register INCR... in.
     */
    public static void register(final CommandTable table)
    {
        table.register("incr", 2, WRITE | DENY_OOM | FAST, CounterCommands::incr);
        table.register("decr", 2, WRITE | DENY_OOM | FAST, CounterCommands::decr);
        table.register("incrby", 3, WRITE | DENY_OOM | FAST, CounterCommands::incrby);
        table.register("decrby", 3, WRITE | DENY_OOM | FAST, CounterCommands::decrby);
        table.register("incrbyfloat", 3, WRITE | DENY_OOM | FAST, CounterCommands::incrbyfloat);
    }

    static void incr(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        incrBy(context, args, 1, reply);
    }

    static void decr(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        incrBy(context, args, -1, reply);
    }

    static void incrby(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (!context.numbers().parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        incrBy(context, args, context.numbers().value(), reply);
    }

    static void decrby(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (!context.numbers().parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long decrement = context.numbers().value();
        if (decrement == Long.MIN_VALUE)
        {
            reply.error(ErrorMessages.DECREMENT_OVERFLOW);
            return;
        }
        incrBy(context, args, -decrement, reply);
    }

    private static void incrBy(final CommandContext context, final CommandArgs args, final long delta,
        final Reply reply)
    {
        long address = StringCommands.findString(context, args, reply);
        if (address == StringCommands.WRONG_TYPE)
        {
            return;
        }
        final EntryFlyweight entry = context.entry();
        final long current;
        if (address == Keyspace.NOT_FOUND)
        {
            current = 0;
        }
        else if (entry.encoding() == ValueEncoding.STRING_INT)
        {
            current = StringValues.intValue(entry);
        }
        else if (context.numbers().parseLong(entry.buffer(), entry.valueOffset(), entry.valueLength()))
        {
            current = context.numbers().value();
        }
        else
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long result = current + delta;
        if (((current ^ result) & (delta ^ result)) < 0)
        {
            reply.error(ErrorMessages.OVERFLOW);
            return;
        }
        address = resultEntry(context, args, address, ValueEncoding.STRING_INT, StringValues.INT_LENGTH);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        entry.wrap(address);
        entry.buffer().putLong(entry.valueOffset(), result, StringValues.INT_ORDER);
        context.changeLog().incrBy(context.db(), args.buffer(), args.offset(1), args.length(1), delta);
        context.keyspaceEvents().notify(context, KeyspaceEvents.STRING, "incrby", args, 1);
        reply.integer(result);
    }

    static void incrbyfloat(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        long address = StringCommands.findString(context, args, reply);
        if (address == StringCommands.WRONG_TYPE)
        {
            return;
        }
        final EntryFlyweight entry = context.entry();
        final BigDecimal current;
        if (address == Keyspace.NOT_FOUND)
        {
            current = BigDecimal.ZERO;
        }
        else if (StringValues.isInt(entry))
        {
            current = BigDecimal.valueOf(StringValues.intValue(entry));
        }
        else
        {
            final int length = entry.valueLength();
            current = length >= LongDouble.MAX_CHARS ? null :
                LongDouble.parse(entry.buffer().getStringWithoutLengthAscii(entry.valueOffset(), length));
        }
        final BigDecimal increment = LongDouble.parse(args.asString(2));
        if (current == null || increment == null)
        {
            reply.error(ErrorMessages.NOT_FLOAT);
            return;
        }
        final BigDecimal sum = LongDouble.add(current, increment);
        final String text = LongDouble.isInfinite(sum) ? null : LongDouble.format(sum);
        if (text == null)
        {
            reply.error(ErrorMessages.NAN_OR_INFINITY);
            return;
        }
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        address = resultEntry(context, args, address, ValueEncoding.STRING_RAW, bytes.length);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            reply.error(ErrorMessages.OOM);
            return;
        }
        entry.wrap(address);
        StringValues.putValueBytes(entry, 0, new UnsafeBuffer(bytes), 0, bytes.length);
        // Logged as SET of the result with its TTL, as Redis propagates INCRBYFLOAT (SET ... KEEPTTL).
        context.changeLog().set(context.db(), address);
        context.keyspaceEvents().notify(context, KeyspaceEvents.STRING, "incrbyfloat", args, 1);
        reply.bulk(bytes);
    }

    /**
     * Makes argument 1's key hold a string of {@code valueLength} bytes in {@code encoding}, ready for a counter's
     * result: a new entry without expiry when {@code address} is {@link Keyspace#NOT_FOUND}, else that entry
     * resized and re-encoded (keeping its TTL); one that already has that encoding and length is left as it is.
     *
     * @return the entry's (possibly new) address, or {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    private static long resultEntry(final CommandContext context, final CommandArgs args, final long address,
        final byte encoding, final int valueLength)
    {
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        if (address == Keyspace.NOT_FOUND)
        {
            return keyspace.put(db, args.buffer(), args.offset(1), args.length(1), ValueType.STRING, encoding,
                valueLength, Keyspace.NO_EXPIRY);
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        if (entry.encoding() == encoding && entry.valueLength() == valueLength)
        {
            return address;
        }
        final long resized = keyspace.resizeValue(db, address, valueLength);
        if (resized != Keyspace.OUT_OF_MEMORY)
        {
            keyspace.encoding(resized, encoding);
        }
        return resized;
    }
}
