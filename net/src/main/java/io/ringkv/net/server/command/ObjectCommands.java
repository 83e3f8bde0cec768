package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.Reply;
import io.ringkv.core.command.StringValues;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.EvictionPolicy;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * OBJECT ENCODING, FREQ, IDLETIME, REFCOUNT and HELP with Redis 7.0.15's replies and texts. Keys are looked up
 * without touching their access field (Redis's LOOKUP_NOTOUCH), so asking does not change the answer.
 * <p>
 * Only the engine thread runs these handlers.
 */
public final class ObjectCommands
{
    static final String FREQ_NOT_LFU = "ERR An LFU maxmemory policy is not selected, access frequency not " +
        "tracked. Please note that when switching between policies at runtime LRU and LFU data will take some " +
        "time to adjust.";
    static final String IDLETIME_LFU = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please " +
        "note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    static final List<String> HELP = List.of(
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.");

    /** Longest string Redis keeps in one allocation with its object header (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
    private static final int EMBSTR_SIZE_LIMIT = 44;
    /** Redis shares the integer objects below this (OBJ_SHARED_INTEGERS) unless the policy ranks by access. */
    private static final long SHARED_INTEGERS = 10000;
    /** Reference count Redis reports for a shared object (OBJ_SHARED_REFCOUNT). */
    private static final long SHARED_REFCOUNT = Integer.MAX_VALUE;

    /** Longest integer text Redis encodes as an integer (LONG_STR_SIZE - 1). */
    private static final int MAX_INT_TEXT = 20;
    private static final byte[] INT = ascii("int");
    private static final byte[] EMBSTR = ascii("embstr");
    private static final byte[] RAW = ascii("raw");
    private static final byte[] LISTPACK = ascii("listpack");
    private static final byte[] HASHTABLE = ascii("hashtable");
    private static final byte[] QUICKLIST = ascii("quicklist");
    private static final byte[] SKIPLIST = ascii("skiplist");
    private static final byte[] INTSET = ascii("intset");

    private ObjectCommands()
    {
    }

    /**
     * @param table to register OBJECT in.
     */
    public static void register(final CommandTable table)
    {
        table.register("object", -2, Command.READONLY, new Subcommands("object")
            .add("encoding", 3, Command.READONLY, ObjectCommands::encoding)
            .add("freq", 3, Command.READONLY, ObjectCommands::freq)
            .add("idletime", 3, Command.READONLY, ObjectCommands::idletime)
            .add("refcount", 3, Command.READONLY, ObjectCommands::refcount)
            .add("help", 2, 0, (context, args, reply) -> ConfigCommands.help(reply, HELP)));
    }

    private static void encoding(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final EntryFlyweight entry = peek(context, args);
        if (entry == null)
        {
            reply.nil();
        }
        else if (entry.type() == ValueType.HASH)
        {
            reply.bulk(entry.encoding() == ValueEncoding.HASH_TABLE ? HASHTABLE : LISTPACK);
        }
        else if (entry.type() == ValueType.LIST)
        {
            reply.bulk(QUICKLIST);  // Redis 7.0 holds every list as a quicklist
        }
        else if (entry.type() == ValueType.SET)
        {
            reply.bulk(entry.encoding() == ValueEncoding.SET_TABLE ? HASHTABLE : INTSET);
        }
        else if (entry.type() == ValueType.ZSET)
        {
            reply.bulk(entry.encoding() == ValueEncoding.ZSET_SKIPLIST ? SKIPLIST : LISTPACK);
        }
        else if (intEncoded(context, entry))
        {
            reply.bulk(INT);
        }
        else if (entry.type() == ValueType.STRING && StringValues.textLength(entry) <= EMBSTR_SIZE_LIMIT)
        {
            reply.bulk(EMBSTR);
        }
        else
        {
            reply.bulk(RAW);
        }
    }

    private static void freq(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final EntryFlyweight entry = peek(context, args);
        if (entry == null)
        {
            reply.nil();
        }
        else if (!context.keyspace().evictionPolicy().lfu() && !context.keyspace().evictionPolicy().sketched())
        {
            reply.error(FREQ_NOT_LFU);
        }
        else
        {
            reply.integer(context.keyspace().lfuFrequency(entry.address(), context.nowMs()));
        }
    }

    private static void idletime(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final EntryFlyweight entry = peek(context, args);
        if (entry == null)
        {
            reply.nil();
        }
        else if (context.keyspace().evictionPolicy().lfu())
        {
            reply.error(IDLETIME_LFU);
        }
        else
        {
            reply.integer(context.keyspace().idleSeconds(entry.address(), context.nowMs()));
        }
    }

    private static void refcount(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final EntryFlyweight entry = peek(context, args);
        if (entry == null)
        {
            reply.nil();
            return;
        }
        final Keyspace keyspace = context.keyspace();
        final EvictionPolicy policy = keyspace.evictionPolicy();
        final boolean sharing = keyspace.maxMemoryBytes() == 0 || !policy.ranksByAccess();
        final boolean shared = sharing && sharedInteger(context, entry);
        reply.integer(shared ? SHARED_REFCOUNT : 1);
    }

    /**
     * As Redis's tryObjectEncoding: a string is held as an integer when it is the canonical text of a 64-bit
     * integer of at most 20 characters (ringkv keeps such strings as text unless INCR made them, but reports what
     * Redis would hold).
     */
    private static boolean intEncoded(final CommandContext context, final EntryFlyweight entry)
    {
        return StringValues.isInt(entry) || integerText(context, entry);
    }

    /** Redis shares the integer objects 0..9999 it makes from strings and counters (OBJ_SHARED_INTEGERS). */
    private static boolean sharedInteger(final CommandContext context, final EntryFlyweight entry)
    {
        final long value;
        if (StringValues.isInt(entry))
        {
            value = StringValues.intValue(entry);
        }
        else if (integerText(context, entry))
        {
            value = context.numbers().value();
        }
        else
        {
            return false;
        }
        return value >= 0 && value < SHARED_INTEGERS;
    }

    private static boolean integerText(final CommandContext context, final EntryFlyweight entry)
    {
        return entry.type() == ValueType.STRING && entry.valueLength() <= MAX_INT_TEXT &&
            context.numbers().parseLong(entry.buffer(), entry.valueOffset(), entry.valueLength());
    }

    private static EntryFlyweight peek(final CommandContext context, final CommandArgs args)
    {
        final long address = context.keyspace().peek(
            context.db(), args.buffer(), args.offset(2), args.length(2), context.nowMs());
        return address == Keyspace.NOT_FOUND ? null : context.entry().wrap(address);
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
