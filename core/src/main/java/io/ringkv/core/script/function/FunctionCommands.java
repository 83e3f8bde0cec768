package io.ringkv.core.script.function;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.GlobPattern;
import io.ringkv.core.command.Reply;
import io.ringkv.core.script.ScriptEngine;
import io.ringkv.core.script.ScriptFlags;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The handlers of FUNCTION's subcommands and of FCALL/FCALL_RO, with Redis 7.0's arguments, replies and error texts
 * (functions.c). FUNCTION LOAD, DELETE, FLUSH and RESTORE reach replicas as the generic COMMAND change record
 * ({@code function load replace <code>}, {@code function delete <name>}, {@code function flush},
 * {@code function restore <payload> <policy>}), as Redis propagates the commands themselves; a replica running them
 * reaches the master's libraries. (LOAD travels with REPLACE: the library's state after the command is its code,
 * whatever the replica held.)
 * <p>
 * One instance per engine, over that engine's {@link FunctionRegistry} (a field here rather than in CommandContext,
 * which core.command owns: this package builds on core.command, not the other way round). The server (net)
 * registers the handlers in the FUNCTION container; only the engine thread runs them.
 */
public final class FunctionCommands
{
    /** FUNCTION HELP, Redis 7.0.15's text. */
    public static final List<String> HELP = List.of(
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION " +
            "RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Prints this help.");

    private static final byte[] FUNCTION = bytes("function");
    private static final byte[] LOAD = bytes("load");
    private static final byte[] REPLACE = bytes("REPLACE");
    private static final byte[] DELETE = bytes("delete");
    private static final byte[] FLUSH = bytes("flush");
    private static final byte[] RESTORE = bytes("restore");
    private static final byte[] SYNC = bytes("SYNC");
    private static final byte[] ASYNC = bytes("ASYNC");
    private static final byte[] APPEND = bytes("APPEND");
    private static final byte[] FLUSH_UPPER = bytes("FLUSH");
    private static final byte[] WITHCODE = bytes("WITHCODE");
    private static final byte[] LIBRARYNAME = bytes("LIBRARYNAME");

    private static final byte[] LIBRARY_NAME = bytes("library_name");
    private static final byte[] ENGINE = bytes("engine");
    private static final byte[] FUNCTIONS = bytes("functions");
    private static final byte[] NAME = bytes("name");
    private static final byte[] DESCRIPTION = bytes("description");
    private static final byte[] FLAGS = bytes("flags");
    private static final byte[] LIBRARY_CODE = bytes("library_code");
    private static final byte[] RUNNING_SCRIPT = bytes("running_script");
    private static final byte[] ENGINES = bytes("engines");
    private static final byte[] LIBRARIES_COUNT = bytes("libraries_count");
    private static final byte[] FUNCTIONS_COUNT = bytes("functions_count");

    private final FunctionRegistry registry;
    private final FunctionPayload payloadReader = new FunctionPayload();

    /**
     * @param registry the engine's libraries.
     */
    public FunctionCommands(final FunctionRegistry registry)
    {
        this.registry = registry;
    }

    /**
     * @return the libraries these handlers serve.
     */
    public FunctionRegistry registry()
    {
        return registry;
    }

    /**
     * FUNCTION LOAD [REPLACE] code.
     */
    public void load(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        boolean replace = false;
        int position = 2;
        while (position < args.count() - 1)
        {
            if (args.equalsIgnoreCase(position, REPLACE))
            {
                replace = true;
                position++;
                continue;
            }
            reply.error("ERR Unknown option given: " + args.asString(position));
            return;
        }
        final byte[] code = copy(args, position);
        try
        {
            final String name = registry.load(code, replace);
            final ChangeLog changeLog = context.changeLog();
            changeLog.beginCommand(context.db(), FUNCTION, new UnsafeBuffer(LOAD), 0, LOAD.length);
            changeLog.commandArg(new UnsafeBuffer(REPLACE), 0, REPLACE.length);
            changeLog.commandArg(args.buffer(), args.offset(position), args.length(position));
            changeLog.endCommand();
            reply.bulk(name.getBytes(StandardCharsets.ISO_8859_1));
        }
        catch (final FunctionException ex)
        {
            reply.error(ex.reply());
        }
    }

    /**
     * FUNCTION DELETE library-name.
     */
    public void delete(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        try
        {
            registry.delete(args.asString(2));
            final ChangeLog changeLog = context.changeLog();
            changeLog.beginCommand(context.db(), FUNCTION, new UnsafeBuffer(DELETE), 0, DELETE.length);
            changeLog.commandArg(args.buffer(), args.offset(2), args.length(2));
            changeLog.endCommand();
            reply.ok();
        }
        catch (final FunctionException ex)
        {
            reply.error(ex.reply());
        }
    }

    /**
     * FUNCTION FLUSH [ASYNC|SYNC].
     */
    public void flush(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() > 3)
        {
            subcommandSyntaxError(args, reply);
            return;
        }
        if (args.count() == 3 && !args.equalsIgnoreCase(2, SYNC) && !args.equalsIgnoreCase(2, ASYNC))
        {
            reply.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            return;
        }
        registry.flush();
        final ChangeLog changeLog = context.changeLog();
        changeLog.beginCommand(context.db(), FUNCTION, new UnsafeBuffer(FLUSH), 0, FLUSH.length);
        changeLog.endCommand();
        reply.ok();
    }

    /**
     * FUNCTION DUMP: every library, Redis 7.0's payload.
     */
    public void dump(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final List<byte[]> codes = registry.codes();
        int room = FunctionPayload.MIN_LENGTH;
        for (final byte[] code : codes)
        {
            room += FunctionPayload.maxRecordLength(code.length);
        }
        final MutableDirectBuffer payload = context.payloadScratch(room);
        final int length = FunctionPayload.write(codes, context.dumpWriter(), payload, 0);
        reply.bulk(payload, 0, length);
    }

    /**
     * FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE].
     */
    public void restore(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        if (args.count() > 4)
        {
            subcommandSyntaxError(args, reply);
            return;
        }
        RestorePolicy policy = RestorePolicy.APPEND;
        if (args.count() == 4)
        {
            if (args.equalsIgnoreCase(3, APPEND))
            {
                policy = RestorePolicy.APPEND;
            }
            else if (args.equalsIgnoreCase(3, REPLACE))
            {
                policy = RestorePolicy.REPLACE;
            }
            else if (args.equalsIgnoreCase(3, FLUSH_UPPER))
            {
                policy = RestorePolicy.FLUSH;
            }
            else
            {
                reply.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
                return;
            }
        }
        try
        {
            final List<byte[]> codes = payloadReader.read(args.buffer(), args.offset(2), args.length(2));
            registry.restore(codes, policy);
            final ChangeLog changeLog = context.changeLog();
            changeLog.beginCommand(context.db(), FUNCTION, new UnsafeBuffer(RESTORE), 0, RESTORE.length);
            changeLog.commandArg(args.buffer(), args.offset(2), args.length(2));
            final byte[] policyName = bytes(policy.name());
            changeLog.commandArg(new UnsafeBuffer(policyName), 0, policyName.length);
            changeLog.endCommand();
            reply.ok();
        }
        catch (final FunctionException ex)
        {
            reply.error(ex.reply());
        }
    }

    /**
     * FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]. The pattern matches library names ignoring case, as Redis's.
     */
    public void list(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        boolean withCode = false;
        String pattern = null;
        for (int i = 2; i < args.count(); i++)
        {
            if (!withCode && args.equalsIgnoreCase(i, WITHCODE))
            {
                withCode = true;
                continue;
            }
            if (null == pattern && args.equalsIgnoreCase(i, LIBRARYNAME))
            {
                if (i >= args.count() - 1)
                {
                    reply.error("ERR library name argument was not given");
                    return;
                }
                pattern = args.asString(++i);
                continue;
            }
            reply.error("ERR Unknown argument " + args.asString(i));
            return;
        }
        UnsafeBuffer lowerPattern = null;
        int matching = registry.libraryCount();
        if (null != pattern)
        {
            lowerPattern = new UnsafeBuffer(pattern.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1));
            matching = 0;
            for (final FunctionLibrary library : registry.libraries())
            {
                matching += matches(lowerPattern, library) ? 1 : 0;
            }
        }
        reply.arrayHeader(matching);
        for (final FunctionLibrary library : registry.libraries())
        {
            if (null != lowerPattern && !matches(lowerPattern, library))
            {
                continue;
            }
            reply.mapHeader(withCode ? 4 : 3);
            reply.bulk(LIBRARY_NAME);
            reply.bulk(library.name().getBytes(StandardCharsets.ISO_8859_1));
            reply.bulk(ENGINE);
            reply.bulk(library.engine().getBytes(StandardCharsets.ISO_8859_1));
            reply.bulk(FUNCTIONS);
            reply.arrayHeader(library.functions().size());
            for (final FunctionDefinition function : library.functions())
            {
                reply.mapHeader(3);
                reply.bulk(NAME);
                reply.bulk(function.name().getBytes(StandardCharsets.ISO_8859_1));
                reply.bulk(DESCRIPTION);
                if (null == function.description())
                {
                    reply.nil();
                }
                else
                {
                    reply.bulk(function.description());
                }
                reply.bulk(FLAGS);
                final String[] flags = ScriptFlags.names(function.flags());
                reply.setHeader(flags.length);
                for (final String flag : flags)
                {
                    reply.simpleString(flag.getBytes(StandardCharsets.US_ASCII)); // addReplyCommandFlags: statuses
                }
            }
            if (withCode)
            {
                reply.bulk(LIBRARY_CODE);
                reply.bulk(library.code());
            }
        }
    }

    /**
     * FUNCTION STATS: the running function (always nil here: the engine thread answers this only between scripts;
     * while one runs, the connection side answers BUSY, as docs/scripting.md says) and each engine's counts.
     */
    public void stats(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        reply.mapHeader(2);
        reply.bulk(RUNNING_SCRIPT);
        reply.nil();
        reply.bulk(ENGINES);
        reply.mapHeader(registry.engines().size());
        for (final LibraryEngine engine : registry.engines())
        {
            reply.bulk(engine.name().getBytes(StandardCharsets.ISO_8859_1));
            reply.mapHeader(2);
            reply.bulk(LIBRARIES_COUNT);
            reply.integer(registry.libraryCount(engine.name()));
            reply.bulk(FUNCTIONS_COUNT);
            reply.integer(registry.functionCount(engine.name()));
        }
    }

    /**
     * FCALL and FCALL_RO: function numkeys key... arg...
     *
     * @param readOnly true for FCALL_RO.
     */
    public void fcall(final CommandContext context, final CommandArgs args, final Reply reply,
        final boolean readOnly)
    {
        final FunctionDefinition function = registry.function(args.asString(1));
        if (null == function)
        {
            reply.error("ERR Function not found");
            return;
        }
        if (!context.numbers().parseLong(args, 2))
        {
            reply.error("ERR Bad number of keys provided");
            return;
        }
        final long numKeys = context.numbers().value();
        final String numKeysError = ScriptEngine.numKeysError(numKeys, args.count());
        if (null != numKeysError)
        {
            reply.error(numKeysError);
            return;
        }
        registry.engineOf(function).call(function, context, args, 3, (int)numKeys, readOnly, reply);
    }

    /**
     * Redis's addReplySubcommandSyntaxError, naming the subcommand as it was typed.
     */
    private static void subcommandSyntaxError(final CommandArgs args, final Reply reply)
    {
        reply.error("ERR unknown subcommand or wrong number of arguments for '" + args.asString(1) + "'. Try " +
            args.asString(0).toUpperCase(Locale.ROOT) + " HELP.");
    }

    private static boolean matches(final UnsafeBuffer lowerPattern, final FunctionLibrary library)
    {
        final byte[] name = library.name().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1);
        return GlobPattern.matches(lowerPattern, 0, lowerPattern.capacity(), new UnsafeBuffer(name), 0, name.length);
    }

    private static byte[] copy(final CommandArgs args, final int i)
    {
        final byte[] bytes = new byte[args.length(i)];
        args.buffer().getBytes(args.offset(i), bytes);
        return bytes;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
