package io.ringkv.core.script;

import io.ringkv.core.codec.RedisDoubleFormat;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandDispatcher;
import io.ringkv.core.command.ParsedRequests;
import io.ringkv.core.command.Reply;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import party.iroiro.luajava.Lua;
import party.iroiro.luajava.lua51.Lua51Natives;

import java.util.Locale;
import java.util.Set;

/**
 * Runs EVAL scripts on the engine thread: owns the {@link LuaRuntime} (created at the first script), the
 * {@link ScriptCache}, and the Java side of the {@code redis} table. A script runs inside its command's ring slot, like
 * EXEC: its {@code redis.call}s go through the dispatcher's admission and call steps as the script's own client ("lua"
 * in MONITOR), with Redis's rules for commands inside scripts (scriptCall): unknown, arity and no-script commands
 * refused with Redis's texts, writes refused from read-only scripts, the memory check until the script's first write
 * unless allow-oom, READONLY on a replica, blocking commands answering as if timed out. Their change records are the
 * slot's, which replication sends as one group.
 * <p>
 * {@link ScriptRunState} is kept current for the connection threads (BUSY, SCRIPT KILL).
 */
public final class ScriptEngine implements ScriptHost, AutoCloseable
{
    private static final System.Logger LOGGER = System.getLogger("io.ringkv.script");

    /** Redis 7.0's commands flagged noscript (a container's name stands for all its subcommands). */
    static final Set<String> NO_SCRIPT = Set.of(
        "auth", "bgrewriteaof", "bgsave", "blmove", "blpop", "brpop", "brpoplpush", "bzpopmax", "bzpopmin", "debug",
        "discard", "eval", "eval_ro", "evalsha", "evalsha_ro", "exec", "failover", "fcall", "fcall_ro", "hello",
        "monitor", "multi", "psubscribe", "psync", "punsubscribe", "quit", "replconf", "replicaof", "reset", "role",
        "save", "shutdown", "slaveof", "ssubscribe", "subscribe", "sunsubscribe", "sync", "unsubscribe", "unwatch",
        "wait", "watch", "acl", "client", "config", "function", "latency", "module", "script");

    private final ScriptRunState runState;
    private final String redisVersion;
    private final long redisVersionNum;
    private final ScriptCache cache = new ScriptCache();
    private final ScriptArguments arguments = new ScriptArguments();
    private final CommandArgs callArgs = new CommandArgs();
    private final RedisDoubleFormat numberFormat = new RedisDoubleFormat();
    private final ClientSession scriptSession = new ClientSession(0, true);
    private LuaRuntime runtime;
    private Lua51Natives natives;
    private LuaReplyBuilder builder;
    private LuaReplyWriter writer;

    private CommandContext context;
    private boolean running;
    private boolean readOnly;
    private boolean allowOom;
    private boolean wrote;
    private boolean killed;
    private int resp;
    /** lrand48's state, as Redis's rand.c starts it (Redis 7.0 does not reseed it per script). */
    private long random = 0x1234ABCD330EL;
    private int scriptsSinceGc;
    private long loadDeadlineNs;

    /**
     * @param runState        what the connection threads see of the running script.
     * @param redisVersion    the Redis version ringkv follows (INFO's redis_version), for redis.REDIS_VERSION.
     */
    public ScriptEngine(final ScriptRunState runState, final String redisVersion)
    {
        this.runState = runState;
        this.redisVersion = redisVersion;
        this.redisVersionNum = versionNum(redisVersion);
        scriptSession.peerAddress("lua");
    }

    /**
     * Free the Lua state; after the engine thread has stopped.
     */
    @Override
    public void close()
    {
        if (null != runtime)
        {
            runtime.close();
            runtime = null;
        }
    }

    static long versionNum(final String version)
    {
        long num = 0;
        for (final String part : version.split("\\."))
        {
            num = (num << 8) | Integer.parseInt(part);
        }
        return num;
    }

    /**
     * @return the Lua state, created on first use (engine thread).
     */
    public LuaRuntime runtime()
    {
        if (null == runtime)
        {
            runtime = new LuaRuntime(this);
            natives = runtime.natives();
            builder = new LuaReplyBuilder(runtime);
            writer = new LuaReplyWriter(runtime);
        }
        return runtime;
    }

    /**
     * @return bytes the Lua state's allocator holds, 0 while no script has created it (INFO used_memory_lua; reading
     *         it does not create the state).
     */
    public long luaMemoryBytes()
    {
        return null == runtime ? 0 : runtime.memoryBytes();
    }

    /**
     * @return the script cache (SCRIPT LOAD/EXISTS/FLUSH, INFO).
     */
    public ScriptCache cache()
    {
        return cache;
    }

    /**
     * @return the state shared with the connection threads.
     */
    public ScriptRunState runState()
    {
        return runState;
    }

    /**
     * Compile a script body and cache it, or find it cached (EVAL, SCRIPT LOAD).
     *
     * @param body   its bytes.
     * @param reply  answered with the compile error when it does not compile.
     * @return the cached script, or null once an error was replied.
     */
    ScriptCache.Script load(final byte[] body, final Reply reply)
    {
        final String sha = Sha1.hex(body, 0, body.length);
        final ScriptCache.Script cached = cache.find(sha);
        if (null != cached)
        {
            return cached;
        }
        final Shebang shebang = Shebang.parse(body);
        if (null != shebang.error())
        {
            reply.error(shebang.error());
            return null;
        }
        final LuaRuntime lua = runtime();
        final int ref = lua.compile(new org.agrona.concurrent.UnsafeBuffer(body), shebang.length(),
            body.length - shebang.length(), "@user_script");
        if (ref < 0)
        {
            reply.error(oneLine("ERR Error compiling script (new function): " + lua.lastError()));
            return null;
        }
        return cache.add(sha, body, ref, shebang.flags());
    }

    /**
     * SCRIPT FLUSH: forget every cached script.
     */
    void flush()
    {
        if (null != runtime)
        {
            for (final ScriptCache.Script script : cache.all())
            {
                runtime.release(script.ref());
            }
            runtime.natives().lua_gc(runtime.mainState(), 2, 0);
        }
        cache.clear();
    }

    /**
     * Run a cached script as EVAL does and write its reply.
     *
     * @param context      the engine's context (its session is the caller's).
     * @param script       the script.
     * @param args         the request: argument 3 on are the keys then the arguments.
     * @param numKeys      how many keys.
     * @param readOnlyCall true for EVAL_RO and EVALSHA_RO.
     * @param reply        where the script's result goes.
     */
    void run(
        final CommandContext context, final ScriptCache.Script script, final CommandArgs args, final int numKeys,
        final boolean readOnlyCall, final Reply reply)
    {
        execute(context, script.ref(), script.sha(), script.flags(), args, numKeys, readOnlyCall, false, reply);
    }

    /**
     * Run a library's function as FCALL does (luafunc's hook): the same checks, redis.call rules and conversions as
     * EVAL, but the keys and arguments are the callback's two table arguments (no KEYS/ARGV globals), errors name the
     * function, and {@link ScriptRunState} says a function runs (FUNCTION KILL).
     *
     * @param context      the engine's context.
     * @param ref          the callback's registry reference in {@link #runtime()}.
     * @param name         the function's name.
     * @param flags        its {@link ScriptFlags} (never compatibility mode).
     * @param args         the FCALL request: argument 3 on are the keys then the arguments.
     * @param numKeys      how many keys.
     * @param readOnlyCall true for FCALL_RO.
     * @param reply        where the result goes.
     */
    public void runFunction(
        final CommandContext context, final int ref, final String name, final int flags, final CommandArgs args,
        final int numKeys, final boolean readOnlyCall, final Reply reply)
    {
        execute(context, ref, name, flags, args, numKeys, readOnlyCall, true, reply);
    }

    private void execute(
        final CommandContext context, final int ref, final String name, final int flags, final CommandArgs args,
        final int numKeys, final boolean readOnlyCall, final boolean function, final Reply reply)
    {
        final ClientSession caller = context.session();
        final boolean noWrites = (flags & Shebang.NO_WRITES) != 0;
        if ((flags & Shebang.COMPAT) == 0 && !noWrites)
        {
            // A script declaring its flags is judged by them up front (Redis's scriptPrepareForRun).
            if (context.readOnlyReplica() && !caller.masterLink())
            {
                reply.error("READONLY You can't write against a read only replica.");
                return;
            }
            if (readOnlyCall)
            {
                reply.error("ERR Can not execute a script with write flag using *_ro command.");
                return;
            }
            if ((flags & Shebang.ALLOW_OOM) == 0 && !caller.masterLink() && !context.keyspace().makeRoom(
                context.nowMs()))
            {
                reply.error("OOM command not allowed when used memory > 'maxmemory'.");
                return;
            }
        }
        final LuaRuntime lua = runtime();
        final long l = lua.mainState();
        final int base = natives.lua_gettop(l);
        final long nowMs = context.nowMs();
        final boolean mayNotBlock = context.mayNotBlock();
        this.context = context;
        running = true;
        readOnly = readOnlyCall || noWrites;
        allowOom = (flags & Shebang.ALLOW_OOM) != 0;
        wrote = false;
        resp = 2;
        scriptSession.db(caller.db());
        scriptSession.protocolVersion(2);
        scriptSession.masterLink(caller.masterLink());
        runState.started(function, System.nanoTime());
        try
        {
            if (killed)
            {
                killed = false;
                lua.rearmHook();
            }
            lua.pushCall(ref);
            pushArray(lua, l, args, 3, numKeys);
            if (!function)
            {
                lua.setGlobal("KEYS");
            }
            pushArray(lua, l, args, 3 + numKeys, args.count() - 3 - numKeys);
            if (!function)
            {
                lua.setGlobal("ARGV");
            }
            context.mayNotBlock(true);
            if (lua.call(function ? 2 : 0) != 0)
            {
                reply.error(errorReply(lua, l, name));
            }
            else
            {
                writer.write(l, resp, reply);
            }
        }
        finally
        {
            running = false;
            this.context = null;
            context.oomExempt(false);
            context.mayNotBlock(mayNotBlock);
            context.begin(caller, nowMs);
            natives.lua_settop(l, base);
            runState.finished();
            if (++scriptsSinceGc == 50)
            {
                scriptsSinceGc = 0;
                lua.collectStep(50);
            }
        }
    }

    /** Redis's luaCallFunction error reply: "-<err> script: <sha>, on <source>:<line>." */
    private String errorReply(final LuaRuntime lua, final long l, final String sha)
    {
        if (natives.lua_type(l, -1) != LuaRuntime.TTABLE)
        {
            final String message = natives.lua_type(l, -1) == LuaRuntime.TSTRING ? lua.latin1(l, -1) :
                "execution failure";
            return oneLine("ERR Error running script " + sha + ", " +
                message.substring(0, Math.min(100, message.length())) + "\n");
        }
        final String err = field(lua, l, "err");
        final String source = field(lua, l, "source");
        final String line = field(lua, l, "line");
        final StringBuilder text = new StringBuilder(null == err ? "(null)" : err);
        if (null != source && null != line)
        {
            text.append(" script: ").append(sha).append(", on ").append(source).append(':').append(line).append('.');
        }
        return oneLine(text.toString());
    }

    private String field(final LuaRuntime lua, final long l, final String name)
    {
        // Raw: an error value's metatable must not run here, outside any protected call.
        natives.lua_pushstring(l, name);
        natives.lua_rawget(l, -2);
        final int type = natives.lua_type(l, -1);
        final String value = type == LuaRuntime.TSTRING || type == LuaRuntime.TNUMBER ? lua.latin1(l, -1) : null;
        natives.lua_settop(l, -2);
        return value;
    }

    static String oneLine(final String text)
    {
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    private static void pushArray(
        final LuaRuntime lua, final long l, final CommandArgs args, final int from, final int count)
    {
        final Lua51Natives natives = lua.natives();
        natives.lua_createtable(l, count, 0);
        for (int i = 0; i < count; i++)
        {
            lua.pushString(l, args.buffer(), args.offset(from + i), args.length(from + i));
            natives.lua_rawseti(l, -2, i + 1);
        }
    }

    @Override
    public int call(final Lua lua)
    {
        return callCommand(lua, true);
    }

    @Override
    public int pcall(final Lua lua)
    {
        return callCommand(lua, false);
    }

    private int callCommand(final Lua lua, final boolean raise)
    {
        final long l = lua.getPointer();
        try
        {
            if (!running)
            {
                natives.lua_settop(l, 0);
                runtime.pushError(l, "ERR redis.call/pcall can only be called inside a script invocation");
                return -1;
            }
            final String refusal = prepareArguments(l);
            natives.lua_settop(l, 0);
            if (null != refusal)
            {
                runtime.pushError(l, refusal);
                return raise ? -1 : 1;
            }
            return execute(l) && raise ? -1 : 1;
        }
        catch (final Throwable ex)
        {
            LOGGER.log(System.Logger.Level.ERROR, "redis.call failed", ex);
            natives.lua_settop(l, 0);
            runtime.pushError(l, "ERR internal error in script call: " + ex);
            return -1;
        }
    }

    /** Redis's luaArgsToRedisArgv: strings as they are, numbers as %.17g. */
    private String prepareArguments(final long l)
    {
        final int argc = natives.lua_gettop(l);
        if (argc == 0)
        {
            return "ERR Please specify at least one argument for this redis lib call";
        }
        final ScriptArguments out = arguments;
        out.clear();
        for (int i = 1; i <= argc; i++)
        {
            final int type = natives.lua_type(l, i);
            if (type == LuaRuntime.TNUMBER)
            {
                out.addNumber(numberFormat, natives.lua_tonumber(l, i));
            }
            else if (type == LuaRuntime.TSTRING)
            {
                out.add(runtime.stringView(l, i));
            }
            else
            {
                return "ERR Lua redis lib command arguments must be strings or integers";
            }
        }
        return null;
    }

    /**
     * Redis's scriptCall, then the dispatcher's admission and call steps; the reply is left on the stack.
     *
     * @return true when the reply is an error.
     */
    private boolean execute(final long l)
    {
        final CommandContext context = this.context;
        final CommandArgs args = callArgs.wrap(arguments, 0);
        final Command command = context.commands().lookup(args.buffer(), args.offset(0), args.length(0));
        final String refusal;
        if (null == command)
        {
            refusal = "ERR Unknown Redis command called from script";
        }
        else if (!command.arityAccepts(args.count()))
        {
            refusal = "ERR Wrong number of args calling Redis command from script";
        }
        else if (NO_SCRIPT.contains(command.name()))
        {
            refusal = "ERR This Redis command is not allowed from script";
        }
        else if (readOnly && command.hasFlag(Command.WRITE))
        {
            refusal = "ERR Write commands are not allowed from read-only scripts.";
        }
        else
        {
            refusal = null;
        }
        if (null != refusal)
        {
            runtime.pushError(l, refusal);
            return true;
        }
        final long nowMs = context.nowMs();
        final CommandDispatcher dispatcher = context.dispatcher();
        builder.begin(l, resp);
        context.oomExempt(allowOom || wrote);
        final Command admitted = dispatcher.admit(args, scriptSession, nowMs, builder);
        if (null != admitted)
        {
            if (admitted.hasFlag(Command.WRITE) && !wrote)
            {
                wrote = true;
                runState.wrote();
            }
            dispatcher.call(admitted, args, scriptSession, nowMs, builder);
        }
        if (!builder.complete())
        {
            natives.lua_settop(l, 0);
            runtime.pushError(l, "ERR internal error: '" + command.name() + "' gave no reply to the script");
            return true;
        }
        return builder.topLevelError();
    }

    /**
     * The numkeys checks EVAL and FCALL share (Redis's evalGenericCommand and fcallCommandGeneric).
     *
     * @param numKeys  the parsed numkeys.
     * @param argCount the request's arguments, name included (keys and arguments start at 3).
     * @return Redis's error, or null when numkeys fits.
     */
    public static String numKeysError(final long numKeys, final int argCount)
    {
        if (numKeys > argCount - 3)
        {
            return "ERR Number of keys can't be greater than number of args";
        }
        return numKeys < 0 ? "ERR Number of keys can't be negative" : null;
    }

    /**
     * luafunc's hook for FUNCTION LOAD's time limit: while a library's code runs, the interrupt hook stops it once
     * {@code deadlineNs} ({@link System#nanoTime()} terms) has passed, as Redis's luaEngineLoadHook does; 0 clears it.
     *
     * @param deadlineNs when the running library load must stop, or 0.
     */
    public void loadDeadline(final long deadlineNs)
    {
        this.loadDeadlineNs = deadlineNs;
    }

    /**
     * luafunc's hook: re-arm the interrupt hook after a load it stopped, so the next script is not hooked per line.
     */
    public void rearmAfterInterrupt()
    {
        if (killed)
        {
            killed = false;
            runtime().rearmHook();
        }
    }

    @Override
    public boolean interruptRequested()
    {
        if (0 != loadDeadlineNs && System.nanoTime() - loadDeadlineNs > 0)
        {
            killed = true;
            return true;
        }
        if (running && runState.killRequested())
        {
            if (!killed)
            {
                killed = true;
                LOGGER.log(System.Logger.Level.WARNING, "Lua script killed by user with SCRIPT KILL.");
            }
            return true;
        }
        return false;
    }

    @Override
    public int log(final int level, final String message)
    {
        final System.Logger.Level to = switch (level)
        {
            case 0 -> System.Logger.Level.DEBUG;
            case 1 -> System.Logger.Level.TRACE;
            case 2 -> System.Logger.Level.INFO;
            default -> System.Logger.Level.WARNING;
        };
        LOGGER.log(to, message);
        return 0;
    }

    @Override
    public int setResp(final int resp)
    {
        this.resp = resp;
        scriptSession.protocolVersion(resp);
        return 0;
    }

    @Override
    public int setRepl(final int flags)
    {
        // Effects reach replicas through the change log the commands write; redis.set_repl is accepted and checked as
        // Redis does (docs/scripting.md says what REPL_NONE means here).
        return 0;
    }

    @Override
    public boolean commandExists(final String name)
    {
        return null != context && null != context.commands().lookup(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public long random()
    {
        random = (random * 0x5DEECE66DL + 0xBL) & ((1L << 48) - 1);
        return random >>> 17;
    }

    @Override
    public void seed(final long seed)
    {
        random = ((seed & 0xFFFFFFFFL) << 16) | 0x330EL;
    }

    @Override
    public String redisVersion()
    {
        return redisVersion;
    }

    @Override
    public long redisVersionNum()
    {
        return redisVersionNum;
    }

    /**
     * The arguments of one {@code redis.call}, copied out of Lua into storage reused for every call.
     */
    static final class ScriptArguments implements ParsedRequests
    {
        private final ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(256);
        private int[] offsets = new int[16];
        private int[] lengths = new int[16];
        private int count;
        private int end;

        void clear()
        {
            count = 0;
            end = 0;
        }

        void add(final DirectBuffer source)
        {
            grow();
            final int length = source.capacity();
            bytes.putBytes(end, source, 0, length);
            offsets[count] = end;
            lengths[count] = length;
            end += length;
            count++;
        }

        void addNumber(final RedisDoubleFormat format, final double value)
        {
            grow();
            bytes.checkLimit(end + RedisDoubleFormat.MAX_LENGTH);
            final int length = format.format(value, bytes, end);
            offsets[count] = end;
            lengths[count] = length;
            end += length;
            count++;
        }

        private void grow()
        {
            if (count == offsets.length)
            {
                offsets = java.util.Arrays.copyOf(offsets, count * 2);
                lengths = java.util.Arrays.copyOf(lengths, count * 2);
            }
        }

        @Override
        public int requestCount()
        {
            return 1;
        }

        @Override
        public DirectBuffer argBuffer()
        {
            return bytes;
        }

        @Override
        public int firstArg(final int requestIndex)
        {
            return 0;
        }

        @Override
        public int argCount(final int requestIndex)
        {
            return count;
        }

        @Override
        public byte valueKind(final int requestIndex)
        {
            return VALUE_RAW;
        }

        @Override
        public int argOffset(final int argIndex)
        {
            return offsets[argIndex];
        }

        @Override
        public int argLength(final int argIndex)
        {
            return lengths[argIndex];
        }
    }
}
