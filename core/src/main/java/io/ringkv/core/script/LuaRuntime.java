package io.ringkv.core.script;

import io.ringkv.core.script.lib.LuaBytes;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.Lua;
import party.iroiro.luajava.lua51.Lua51;
import party.iroiro.luajava.lua51.Lua51Natives;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One Lua 5.1 state with Redis 7.0's script environment (environment.lua): the standard libraries Redis loads plus
 * those {@link ScriptLibraries} installs, the {@code redis} table (also reachable as {@code server}), Redis's error
 * handler, globals protection and read-only library tables, and the interrupt hook, a count hook installed before the
 * debug library is taken away. The Java side of {@code redis.call} and friends is a {@link ScriptHost}.
 * <p>
 * Binary-safe strings: the binding pushes Java strings as modified UTF-8, so bytes that are plain ASCII go that way
 * and any other string through {@link LuaBytes} (a precompiled chunk holding it as its one constant); strings are read
 * through direct buffers over Lua's own memory.
 * <p>
 * Only the thread that owns the state (the engine thread) may use it.
 */
public final class LuaRuntime implements AutoCloseable
{
    /** Lua 5.1 type tags (lua.h). */
    static final int TNIL = 0;
    static final int TBOOLEAN = 1;
    static final int TNUMBER = 3;
    static final int TSTRING = 4;
    static final int TTABLE = 5;

    private final Lua51 lua;
    private final Lua51Natives natives;
    private final long mainState;
    private final int registry;
    private final int globalsRef;
    private final int errorHandlerRef;
    private final int rearmHookRef;
    private final int protectRef;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private ByteBuffer chunk = ByteBuffer.allocateDirect(256);
    private final UnsafeBuffer chunkView = new UnsafeBuffer(chunk);
    private byte[] ascii = new byte[64];
    private final LuaBytes binaryStrings;

    /**
     * Create the state and its environment.
     *
     * @param host answers the environment's Java functions.
     * @throws IllegalStateException when the environment cannot be built (a bug).
     */
    public LuaRuntime(final ScriptHost host)
    {
        lua = new Lua51();
        natives = (Lua51Natives)lua.getLuaNatives();
        mainState = lua.getPointer();
        registry = natives.getRegistryIndex();
        binaryStrings = new LuaBytes(lua);
        for (final String library : new String[]{"base", "table", "string", "math", "debug"})
        {
            lua.openLibrary(library);
        }
        final String extraGlobals = ScriptLibraries.install(lua);
        try
        {
            final byte[] source = environmentSource();
            ensureChunk(source.length);
            chunk.clear();
            chunk.put(source).flip();
            lua.load(chunk, "=ringkv");
            lua.push(host::call);
            lua.push(host::pcall);
            lua.push((JFunction)l -> push(l, host.interruptRequested()));
            lua.push(this::sha1hex);
            lua.push((JFunction)l -> log(l, host));
            lua.push((JFunction)l -> setResp(l, host));
            lua.push((JFunction)l -> setRepl(l, host));
            lua.push((JFunction)l -> aclCheckCommand(l, host));
            lua.push((JFunction)l -> {
                natives.lua_pushnumber(l.getPointer(), host.random());
                return 1;
            });
            lua.push((JFunction)l -> {
                host.seed(l.toInteger(1));
                return 0;
            });
            lua.push(host.redisVersion());
            lua.push(host.redisVersionNum());
            lua.push(extraGlobals);
            lua.pCall(13, 4);
        }
        catch (final Exception ex)
        {
            lua.close();
            throw new IllegalStateException("cannot build the Lua script environment", ex);
        }
        protectRef = lua.ref();
        rearmHookRef = lua.ref();
        errorHandlerRef = lua.ref();
        globalsRef = lua.ref();
    }

    private static int push(final Lua l, final boolean value)
    {
        l.push(value);
        return 1;
    }

    /**
     * Raise the error table {err = text} (a Java function's return value).
     *
     * @param l    the state or thread pointer.
     * @param text "CODE message".
     * @return -1, what the binding takes as "raise the value on top".
     */
    public int raise(final long l, final String text)
    {
        pushError(l, text);
        return -1;
    }

    /**
     * Push the error table {err = text}, as Redis's luaPushError.
     */
    public void pushError(final long l, final String text)
    {
        natives.lua_createtable(l, 0, 1);
        natives.lua_pushstring(l, "err");
        pushString(l, text.getBytes(StandardCharsets.ISO_8859_1));
        natives.lua_rawset(l, -3);
    }

    /** redis.log(level, ...), Redis's luaLogCommand. */
    private int log(final Lua lua, final ScriptHost host)
    {
        final long l = lua.getPointer();
        final int argc = natives.lua_gettop(l);
        if (argc < 2)
        {
            return raise(l, "ERR redis.log() requires two arguments or more.");
        }
        if (natives.lua_isnumber(l, 1) == 0)
        {
            return raise(l, "ERR First argument must be a number (log level).");
        }
        final int level = (int)natives.lua_tonumber(l, 1);
        if (level < 0 || level > 3)
        {
            return raise(l, "ERR Invalid debug level.");
        }
        final StringBuilder message = new StringBuilder();
        for (int j = 2; j <= argc; j++)
        {
            final String part = natives.lua_isstring(l, j) != 0 ? latin1(l, j) : null;
            if (null != part)
            {
                if (j != 2)
                {
                    message.append(' ');
                }
                message.append(part);
            }
        }
        return host.log(level, message.toString());
    }

    /** redis.setresp(2|3), Redis's luaSetResp. */
    private int setResp(final Lua lua, final ScriptHost host)
    {
        final long l = lua.getPointer();
        if (natives.lua_gettop(l) != 1)
        {
            return raise(l, "ERR redis.setresp() requires one argument.");
        }
        final int resp = (int)natives.lua_tonumber(l, 1);
        if (resp != 2 && resp != 3)
        {
            return raise(l, "ERR RESP version must be 2 or 3.");
        }
        return host.setResp(resp);
    }

    /** redis.set_repl(flags), Redis's luaRedisSetReplCommand. */
    private int setRepl(final Lua lua, final ScriptHost host)
    {
        final long l = lua.getPointer();
        if (natives.lua_gettop(l) != 1)
        {
            return raise(l, "ERR redis.set_repl() requires two arguments.");
        }
        final int flags = (int)natives.lua_tonumber(l, 1);
        if ((flags & ~3) != 0)
        {
            return raise(l, "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
        }
        return host.setRepl(flags);
    }

    /** redis.acl_check_cmd(name, ...): every command is permitted (ringkv has one user), an unknown one is refused. */
    private int aclCheckCommand(final Lua lua, final ScriptHost host)
    {
        final long l = lua.getPointer();
        final int argc = natives.lua_gettop(l);
        if (argc == 0)
        {
            return raise(l, "ERR Please specify at least one argument for this redis lib call");
        }
        for (int i = 1; i <= argc; i++)
        {
            if (natives.lua_isstring(l, i) == 0)
            {
                return raise(l, "ERR Lua redis lib command arguments must be strings or integers");
            }
        }
        if (!host.commandExists(latin1(l, 1)))
        {
            return raise(l, "ERR Invalid command passed to redis.acl_check_cmd()");
        }
        natives.lua_pushboolean(l, 1);
        return 1;
    }

    private static byte[] environmentSource() throws IOException
    {
        try (InputStream in = LuaRuntime.class.getResourceAsStream("environment.lua"))
        {
            if (null == in)
            {
                throw new IOException("environment.lua missing from the class path");
            }
            return in.readAllBytes();
        }
    }

    /**
     * @return the binding's state object (for a {@link ScriptLibraries} installer or luafunc's own code).
     */
    public Lua lua()
    {
        return lua;
    }

    /**
     * @return the binding's raw C API; pointers come from {@link Lua#getPointer()} of the state or thread at hand.
     */
    public Lua51Natives natives()
    {
        return natives;
    }

    /**
     * @return the main state's pointer.
     */
    public long mainState()
    {
        return mainState;
    }

    /**
     * @return LUA_REGISTRYINDEX.
     */
    public int registryIndex()
    {
        return registry;
    }

    /**
     * Compile a chunk and keep it in the registry.
     *
     * @param body   the source, any bytes.
     * @param offset of its first byte.
     * @param length its length.
     * @param name   the chunk name Lua's messages use ("@user_script").
     * @return the registry reference of the compiled function (>= 0), or -1 with the compiler's message in
     * {@link #lastError()}.
     */
    public int compile(final DirectBuffer body, final int offset, final int length, final String name)
    {
        if (length > 0 && body.getByte(offset) == 27)
        {
            lastError = "binary chunks are not allowed";
            return -1;
        }
        ensureChunk(length);
        chunkView.putBytes(0, body, offset, length);
        chunk.clear().limit(length);
        final long l = mainState;
        final int top = natives.lua_gettop(l);
        if (natives.luaJ_loadbuffer(l, chunk, length, name) != 0)
        {
            lastError = natives.lua_tostring(l, -1);
            natives.lua_settop(l, top);
            return -1;
        }
        return natives.luaL_ref(l, registry);
    }

    private String lastError;

    /**
     * @return the message of the last failed {@link #compile}.
     */
    public String lastError()
    {
        return lastError;
    }

    /**
     * Forget a compiled function (SCRIPT FLUSH).
     *
     * @param ref its registry reference.
     */
    public void release(final int ref)
    {
        natives.luaL_unref(mainState, registry, ref);
    }

    /**
     * Push Redis's error handler and then the function {@code ref}, ready for {@link #call}.
     *
     * @param ref a registry reference from {@link #compile}.
     */
    public void pushCall(final int ref)
    {
        natives.lua_rawgeti(mainState, registry, errorHandlerRef);
        natives.lua_rawgeti(mainState, registry, ref);
    }

    /**
     * Set a global of the real globals table (KEYS and ARGV), bypassing the protection: the value on top of the stack
     * is popped.
     *
     * @param name the global's name.
     */
    public void setGlobal(final String name)
    {
        final long l = mainState;
        natives.lua_rawgeti(l, registry, globalsRef);
        natives.lua_pushstring(l, name);
        natives.lua_pushvalue(l, -3);
        natives.lua_rawset(l, -3);
        natives.lua_settop(l, -3);
    }

    /**
     * Call the function pushed by {@link #pushCall} with {@code args} arguments above it, under the error handler.
     *
     * @param args arguments pushed after the function.
     * @return 0 with the one result on the stack, or Lua's error code with the error (a table {err, source, line}
     * when the handler ran) on the stack; the handler is left below either.
     */
    public int call(final int args)
    {
        return natives.lua_pcall(mainState, args, 1, -(args + 2));
    }

    /**
     * Re-arm the interrupt hook's count mode after a killed script left it firing on every line.
     */
    public void rearmHook()
    {
        final long l = mainState;
        natives.lua_rawgeti(l, registry, rearmHookRef);
        natives.lua_pcall(l, 0, 0, 0);
        natives.lua_settop(l, natives.lua_gettop(l));
    }

    /**
     * Make the table on top of the stack read-only the way the environment's tables are (a library installed after
     * the environment was built): it is replaced by its read-only proxy.
     */
    public void protectTop()
    {
        final long l = mainState;
        natives.lua_rawgeti(l, registry, protectRef);
        natives.lua_insert(l, -2);
        natives.lua_pcall(l, 1, 1, 0);
    }

    /**
     * @return the bytes the state's Lua allocator holds (Redis's used_memory_lua).
     */
    public long memoryBytes()
    {
        return natives.lua_gc(mainState, 3, 0) * 1024L + natives.lua_gc(mainState, 4, 0);
    }

    /**
     * Step the collector, as Redis does every 50 scripts.
     */
    public void collectStep(final int steps)
    {
        natives.lua_gc(mainState, 5, steps);
    }

    /**
     * Push a binary-safe string.
     *
     * @param l      the state or thread pointer.
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length of the string.
     */
    public void pushString(final long l, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > ascii.length)
        {
            ascii = new byte[Math.max(length, ascii.length * 2)];
        }
        final byte[] bytes = ascii;
        boolean plain = true;
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            bytes[i] = b;
            if (b <= 0)
            {
                plain = false;
            }
        }
        if (plain)
        {
            natives.lua_pushstring(l, new String(bytes, 0, length, StandardCharsets.ISO_8859_1));
            return;
        }
        binaryStrings.push(l, bytes, 0, length);
    }

    /**
     * Push a binary-safe string.
     *
     * @param l     the state or thread pointer.
     * @param bytes the whole array is the string.
     */
    public void pushString(final long l, final byte[] bytes)
    {
        pushString(l, new UnsafeBuffer(bytes), 0, bytes.length);
    }

    /**
     * Push a Java string whose chars are all below 128 (names, messages Redis writes in ASCII).
     */
    public void pushAscii(final long l, final String text)
    {
        natives.lua_pushstring(l, text);
    }

    private void ensureChunk(final int capacity)
    {
        if (chunk.capacity() < capacity)
        {
            chunk = ByteBuffer.allocateDirect(Math.max(capacity, chunk.capacity() * 2));
            chunkView.wrap(chunk);
        }
    }

    /**
     * Read the string at {@code index} (a number is converted by Lua, %.14g) as a view valid while the value stays on
     * the stack.
     *
     * @param l     the state or thread pointer.
     * @param index stack index.
     * @return a view of its bytes, or null when the value is neither a string nor a number.
     */
    public DirectBuffer stringView(final long l, final int index)
    {
        final Object buffer = natives.luaJ_todirectbuffer(l, index);
        if (!(buffer instanceof ByteBuffer bytes))
        {
            return null;
        }
        view.wrap(BufferUtil.address(bytes), bytes.capacity());
        return view;
    }

    /**
     * @return the string at {@code index} as a Java string, byte for char; null when not a string or number.
     */
    public String latin1(final long l, final int index)
    {
        final DirectBuffer bytes = stringView(l, index);
        if (null == bytes)
        {
            return null;
        }
        final byte[] copy = new byte[bytes.capacity()];
        bytes.getBytes(0, copy);
        return new String(copy, StandardCharsets.ISO_8859_1);
    }

    private int sha1hex(final Lua l)
    {
        if (natives.lua_gettop(l.getPointer()) != 1)
        {
            return raise(l.getPointer(), "ERR wrong number of arguments");
        }
        final long state = l.getPointer();
        final DirectBuffer bytes = stringView(state, 1);
        final byte[] input;
        if (null == bytes)
        {
            input = new byte[0];
        }
        else
        {
            input = new byte[bytes.capacity()];
            bytes.getBytes(0, input);
        }
        natives.lua_pushstring(state, Sha1.hex(input, 0, input.length));
        return 1;
    }

    @Override
    public void close()
    {
        lua.close();
    }
}
