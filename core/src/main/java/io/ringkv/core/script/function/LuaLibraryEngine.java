package io.ringkv.core.script.function;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.Reply;
import io.ringkv.core.script.LuaRuntime;
import io.ringkv.core.script.ScriptEngine;
import io.ringkv.core.script.ScriptFlags;
import org.agrona.concurrent.UnsafeBuffer;
import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.Lua;
import party.iroiro.luajava.lua51.Lua51Natives;

/**
 * The LUA engine of function libraries, over the script engine's Lua state (its sandbox, redis.call rules and
 * conversions): Redis 7.0's function_lua.c semantics.
 * <ul>
 *   <li>FUNCTION LOAD compiles the code after the "#!" line as {@code @user_function} (line numbers are the
 *   library's) and runs it with the library environment (library_environment.lua): only
 *   {@code redis.register_function} (also as {@code server.register_function}), {@code redis.log} and its levels and
 *   {@code redis.REDIS_VERSION[_NUM]} are reachable, globals are read-only, and the code must finish within
 *   {@link #LOAD_TIMEOUT_MS} ("FUNCTION LOAD timeout").</li>
 *   <li>{@code redis.register_function(name, callback)} or {@code redis.register_function{function_name=,
 *   callback=, flags={...}, description=}}, with Redis's argument checks and texts.</li>
 *   <li>FCALL runs a callback with the keys and the arguments as its two tables, through
 *   {@link ScriptEngine#runFunction}.</li>
 * </ul>
 * Redis keeps functions in a Lua state of their own; here they share the EVAL state, each library's chunk with its
 * own environment table (so SCRIPT FLUSH leaves them alone, but INFO cannot tell their memory from EVAL's).
 * <p>
 * Only the engine thread uses it.
 */
public final class LuaLibraryEngine implements LibraryEngine
{
    /** Longest a library's code may run at FUNCTION LOAD (Redis's LOAD_TIMEOUT_MS). */
    public static final long LOAD_TIMEOUT_MS = 500;

    private static final int TFUNCTION = 6;
    private static final int TTABLE = 5;
    private static final int TNIL = 0;

    private final ScriptEngine scripts;
    private int envRef = -1;
    private int loadingRef = -1;
    private FunctionLibrary loading;

    /**
     * @param scripts the engine's script engine, whose Lua state the libraries live in.
     */
    public LuaLibraryEngine(final ScriptEngine scripts)
    {
        this.scripts = scripts;
    }

    @Override
    public String name()
    {
        return "LUA";
    }

    @Override
    public void create(final FunctionLibrary library, final byte[] code, final int bodyOffset)
        throws FunctionException
    {
        final LuaRuntime lua = scripts.runtime();
        final Lua51Natives natives = lua.natives();
        final long l = lua.mainState();
        final int base = natives.lua_gettop(l);
        ensureEnvironment(lua);
        final int chunk = lua.compile(new UnsafeBuffer(code), bodyOffset, code.length - bodyOffset, "@user_function");
        if (chunk < 0)
        {
            throw new FunctionException("Error compiling function: " + lua.lastError());
        }
        String error = null;
        try
        {
            natives.lua_rawgeti(l, lua.registryIndex(), chunk);
            natives.lua_rawgeti(l, lua.registryIndex(), envRef);
            natives.lua_setfenv(l, -2);
            natives.lua_settop(l, base);
            setLoading(lua, true);
            loading = library;
            scripts.loadDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOAD_TIMEOUT_MS));
            lua.pushCall(chunk);
            final long startNs = System.nanoTime();
            if (lua.call(0) != 0)
            {
                error = System.nanoTime() - startNs > TimeUnit.MILLISECONDS.toNanos(LOAD_TIMEOUT_MS) ?
                    "ERR FUNCTION LOAD timeout" : errorText(lua, l);
            }
        }
        finally
        {
            scripts.loadDeadline(0);
            scripts.rearmAfterInterrupt();
            loading = null;
            setLoading(lua, false);
            lua.release(chunk);
            natives.lua_settop(l, base);
        }
        if (null != error)
        {
            free(library);
            throw new FunctionException("Error registering functions: " + error);
        }
    }

    @Override
    public void free(final FunctionLibrary library)
    {
        final LuaRuntime lua = scripts.runtime();
        for (final FunctionDefinition function : library.functions())
        {
            lua.release((Integer)function.callback());
        }
    }

    @Override
    public void call(final FunctionDefinition function, final CommandContext context, final CommandArgs args,
        final int firstKey, final int numKeys, final boolean readOnly, final Reply reply)
    {
        scripts.runFunction(context, (Integer)function.callback(), function.name(), function.flags(), args, numKeys,
            readOnly, reply);
    }

    /**
     * {@code redis.register_function}, Redis's luaRegisterFunction: one function into the library being loaded.
     */
    private int register(final Lua state)
    {
        final LuaRuntime lua = scripts.runtime();
        final Lua51Natives natives = lua.natives();
        final long l = state.getPointer();
        final FunctionLibrary library = loading;
        if (null == library)
        {
            return lua.raise(l, "ERR redis.register_function can only be called on FUNCTION LOAD command");
        }
        final int argc = natives.lua_gettop(l);
        if (argc < 1 || argc > 2)
        {
            return lua.raise(l, "ERR wrong number of arguments to redis.register_function");
        }
        String name = null;
        byte[] description = null;
        int flags = 0;
        int callback = -1;
        if (argc == 2)
        {
            if (natives.lua_isstring(l, 1) == 0)
            {
                return lua.raise(l, "ERR first argument to redis.register_function must be a string");
            }
            if (natives.lua_type(l, 2) != TFUNCTION)
            {
                return lua.raise(l, "ERR second argument to redis.register_function must be a function");
            }
            name = lua.latin1(l, 1);
            callback = natives.luaL_ref(l, lua.registryIndex());
        }
        else
        {
            if (natives.lua_type(l, 1) != TTABLE)
            {
                return lua.raise(l, "ERR calling redis.register_function with a single argument is only applicable " +
                    "to Lua table (representing named arguments).");
            }
            natives.lua_pushnil(l);
            while (natives.lua_next(l, 1) != 0)
            {
                final String refusal;
                if (natives.lua_isstring(l, -2) == 0)
                {
                    refusal = "ERR named argument key given to redis.register_function is not a string";
                }
                else
                {
                    final String key = lua.latin1(l, -2).toLowerCase(Locale.ROOT);
                    switch (key)
                    {
                        case "function_name" ->
                        {
                            name = natives.lua_isstring(l, -1) != 0 ? lua.latin1(l, -1) : null;
                            refusal = null == name ?
                                "ERR function_name argument given to redis.register_function must be a string" : null;
                        }
                        case "description" ->
                        {
                            description = natives.lua_isstring(l, -1) != 0 ? bytes(lua, l) : null;
                            refusal = null == description ?
                                "ERR description argument given to redis.register_function must be a string" : null;
                        }
                        case "callback" ->
                        {
                            if (natives.lua_type(l, -1) != TFUNCTION)
                            {
                                refusal = "ERR callback argument given to redis.register_function must be a function";
                            }
                            else
                            {
                                release(lua, callback);
                                callback = natives.luaL_ref(l, lua.registryIndex());
                                continue; // luaL_ref popped the value
                            }
                        }
                        case "flags" ->
                        {
                            if (natives.lua_type(l, -1) != TTABLE)
                            {
                                refusal = "ERR flags argument to redis.register_function must be a table " +
                                    "representing function flags";
                            }
                            else
                            {
                                flags = readFlags(lua, l);
                                refusal = flags < 0 ? "ERR unknown flag given" : null;
                            }
                        }
                        default -> refusal = "ERR unknown argument given to redis.register_function";
                    }
                }
                if (null != refusal)
                {
                    release(lua, callback);
                    return lua.raise(l, refusal);
                }
                natives.lua_settop(l, -2);
            }
            if (null == name)
            {
                release(lua, callback);
                return lua.raise(l, "ERR redis.register_function must get a function name argument");
            }
            if (callback < 0)
            {
                return lua.raise(l, "ERR redis.register_function must get a callback argument");
            }
        }
        try
        {
            library.addFunction(name, description, flags, callback);
        }
        catch (final FunctionException ex)
        {
            release(lua, callback);
            return lua.raise(l, "ERR " + ex.getMessage());
        }
        return 0;
    }

    /**
     * The flags table on top of the stack, read as Redis's luaRegisterFunctionReadFlags: strings from index 1 up to
     * the first nil, each a flag name in any case.
     *
     * @return the flags, or -1 for a value that is not a known flag.
     */
    private static int readFlags(final LuaRuntime lua, final long l)
    {
        final Lua51Natives natives = lua.natives();
        int flags = 0;
        for (int i = 1; ; i++)
        {
            natives.lua_rawgeti(l, -1, i);
            if (natives.lua_type(l, -1) == TNIL)
            {
                natives.lua_settop(l, -2);
                return flags;
            }
            final int flag = natives.lua_isstring(l, -1) != 0 ?
                ScriptFlags.fromNameIgnoreCase(lua.latin1(l, -1)) : ScriptFlags.UNKNOWN;
            natives.lua_settop(l, -2);
            if (flag == ScriptFlags.UNKNOWN)
            {
                return -1;
            }
            flags |= flag;
        }
    }

    private static byte[] bytes(final LuaRuntime lua, final long l)
    {
        final org.agrona.DirectBuffer view = lua.stringView(l, -1);
        final byte[] bytes = new byte[view.capacity()];
        view.getBytes(0, bytes);
        return bytes;
    }

    private static void release(final LuaRuntime lua, final int ref)
    {
        if (ref >= 0)
        {
            lua.release(ref);
        }
    }

    /**
     * The error a failed load left on the stack: its {@code err} text (Redis's err_info.msg), or the value itself.
     */
    private static String errorText(final LuaRuntime lua, final long l)
    {
        final Lua51Natives natives = lua.natives();
        if (natives.lua_type(l, -1) == TTABLE)
        {
            natives.lua_getfield(l, -1, "err");
            final String err = natives.lua_isstring(l, -1) != 0 ? lua.latin1(l, -1) : "(null)";
            natives.lua_settop(l, -2);
            return err;
        }
        return natives.lua_isstring(l, -1) != 0 ? lua.latin1(l, -1) : "(null)";
    }

    private void setLoading(final LuaRuntime lua, final boolean on)
    {
        final Lua51Natives natives = lua.natives();
        final long l = lua.mainState();
        natives.lua_rawgeti(l, lua.registryIndex(), loadingRef);
        natives.lua_pushboolean(l, on ? 1 : 0);
        if (natives.lua_pcall(l, 1, 0, 0) != 0)
        {
            natives.lua_settop(l, -2);
            throw new IllegalStateException("cannot switch the function library environment");
        }
    }

    /**
     * Build the library environment in the script state, once (library_environment.lua).
     */
    private void ensureEnvironment(final LuaRuntime lua)
    {
        if (envRef >= 0)
        {
            return;
        }
        final byte[] source;
        try (InputStream in = LuaLibraryEngine.class.getResourceAsStream("library_environment.lua"))
        {
            if (null == in)
            {
                throw new IOException("library_environment.lua missing from the class path");
            }
            source = in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        final Lua51Natives natives = lua.natives();
        final long l = lua.mainState();
        final int base = natives.lua_gettop(l);
        final int chunk = lua.compile(new UnsafeBuffer(source), 0, source.length, "=ringkv");
        if (chunk < 0)
        {
            throw new IllegalStateException("library_environment.lua: " + lua.lastError());
        }
        lua.pushCall(chunk);
        lua.lua().push((JFunction)this::register);
        if (lua.call(1) != 0)
        {
            final String error = errorText(lua, l);
            natives.lua_settop(l, base);
            lua.release(chunk);
            throw new IllegalStateException("library_environment.lua: " + error);
        }
        natives.lua_getfield(l, -1, "env");
        envRef = natives.luaL_ref(l, lua.registryIndex());
        natives.lua_getfield(l, -1, "loading");
        loadingRef = natives.luaL_ref(l, lua.registryIndex());
        natives.lua_settop(l, base);
        lua.release(chunk);
    }
}
