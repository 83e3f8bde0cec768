package io.ringkv.core.script;

import io.ringkv.core.command.Reply;
import org.agrona.DirectBuffer;
import party.iroiro.luajava.lua51.Lua51Natives;

/**
 * A script's result, the value on top of the Lua stack, written as a reply the way Redis's luaReplyToRedisReply does:
 * a string is a bulk string, a number an integer (truncated), true the integer 1 and false a null under RESP2 (RESP3
 * booleans after {@code redis.setresp(3)}), a table {@code {err=...}} an error, {@code {ok=...}} a status,
 * {@code {double=}}, {@code {big_number=}}, {@code {verbatim_string=}}, {@code {map=}}, {@code {set=}} their RESP3
 * types, any other table an array of its elements 1..n up to the first nil, anything else a null.
 * <p>
 * Engine thread only.
 */
final class LuaReplyWriter
{
    /**
     * Deepest table nesting converted; deeper elements answer Redis's "reached lua stack limit" error in their place.
     * Redis reaches its limit near 8000 levels of Lua stack; the engine thread's Java stack holds this many frames.
     */
    static final int MAX_DEPTH = 1000;

    private final LuaRuntime runtime;
    private int depth;
    private final Lua51Natives natives;

    LuaReplyWriter(final LuaRuntime runtime)
    {
        this.runtime = runtime;
        this.natives = runtime.natives();
    }

    /**
     * Write the value on top of the stack and pop it.
     *
     * @param l     the state pointer.
     * @param resp  the script's RESP version (redis.setresp), which decides how booleans go.
     * @param reply where to write.
     */
    void write(final long l, final int resp, final Reply reply)
    {
        if (depth >= MAX_DEPTH || natives.lua_checkstack(l, 4) == 0)
        {
            reply.error("ERR reached lua stack limit");
            natives.lua_settop(l, -2);
            return;
        }
        switch (natives.lua_type(l, -1))
        {
            case LuaRuntime.TSTRING ->
            {
                final DirectBuffer bytes = runtime.stringView(l, -1);
                reply.bulk(bytes, 0, bytes.capacity());
            }
            case LuaRuntime.TBOOLEAN ->
            {
                final boolean value = natives.lua_toboolean(l, -1) != 0;
                if (resp == 2)
                {
                    if (value)
                    {
                        reply.integer(1);
                    }
                    else
                    {
                        reply.nil();
                    }
                }
                else
                {
                    reply.bool(value);
                }
            }
            case LuaRuntime.TNUMBER -> reply.integer(toLong(natives.lua_tonumber(l, -1)));
            case LuaRuntime.TTABLE ->
            {
                depth++;
                try
                {
                    writeTable(l, resp, reply);
                }
                finally
                {
                    depth--;
                }
            }
            default -> reply.nil();
        }
        natives.lua_settop(l, -2);
    }

    /** C's (long long) cast of a double on x86-64, as Redis converts a Lua number: out of range gives LLONG_MIN. */
    static long toLong(final double value)
    {
        return value >= -0x1p63 && value < 0x1p63 ? (long)value : Long.MIN_VALUE;
    }

    private void writeTable(final long l, final int resp, final Reply reply)
    {
        if (field(l, "err") == LuaRuntime.TSTRING)
        {
            reply.error(runtime.latin1(l, -1));
            natives.lua_settop(l, -2);
            return;
        }
        natives.lua_settop(l, -2);
        if (field(l, "ok") == LuaRuntime.TSTRING)
        {
            final String ok = runtime.latin1(l, -1).replace('\r', ' ').replace('\n', ' ');
            reply.simpleString(ok.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            natives.lua_settop(l, -2);
            return;
        }
        natives.lua_settop(l, -2);
        if (field(l, "double") == LuaRuntime.TNUMBER)
        {
            reply.doubleValue(natives.lua_tonumber(l, -1));
            natives.lua_settop(l, -2);
            return;
        }
        natives.lua_settop(l, -2);
        if (field(l, "big_number") == LuaRuntime.TSTRING)
        {
            reply.bigNumber(runtime.latin1(l, -1).replace('\r', ' ').replace('\n', ' '));
            natives.lua_settop(l, -2);
            return;
        }
        natives.lua_settop(l, -2);
        if (field(l, "verbatim_string") == LuaRuntime.TTABLE)
        {
            if (field(l, "format") == LuaRuntime.TSTRING)
            {
                runtime.pushAscii(l, "string");
                natives.lua_rawget(l, -3);
                if (natives.lua_type(l, -1) == LuaRuntime.TSTRING)
                {
                    reply.verbatimText(runtime.latin1(l, -1));
                    natives.lua_settop(l, -4);
                    return;
                }
                natives.lua_settop(l, -2);
            }
            natives.lua_settop(l, -2);
        }
        natives.lua_settop(l, -2);
        if (field(l, "map") == LuaRuntime.TTABLE)
        {
            int pairs = 0;
            natives.lua_pushnil(l);
            while (natives.lua_next(l, -2) != 0)
            {
                pairs++;
                natives.lua_settop(l, -2);
            }
            reply.mapHeader(pairs);
            natives.lua_pushnil(l);
            while (natives.lua_next(l, -2) != 0)
            {
                natives.lua_pushvalue(l, -2);
                write(l, resp, reply);
                write(l, resp, reply);
            }
            natives.lua_settop(l, -2);
            return;
        }
        natives.lua_settop(l, -2);
        if (field(l, "set") == LuaRuntime.TTABLE)
        {
            int count = 0;
            natives.lua_pushnil(l);
            while (natives.lua_next(l, -2) != 0)
            {
                count++;
                natives.lua_settop(l, -2);
            }
            reply.setHeader(count);
            natives.lua_pushnil(l);
            while (natives.lua_next(l, -2) != 0)
            {
                natives.lua_settop(l, -2);
                natives.lua_pushvalue(l, -1);
                write(l, resp, reply);
            }
            natives.lua_settop(l, -2);
            return;
        }
        natives.lua_settop(l, -2);
        int count = 0;
        while (true)
        {
            natives.lua_rawgeti(l, -1, count + 1);
            final boolean nil = natives.lua_type(l, -1) == LuaRuntime.TNIL;
            natives.lua_settop(l, -2);
            if (nil)
            {
                break;
            }
            count++;
        }
        reply.arrayHeader(count);
        for (int i = 1; i <= count; i++)
        {
            natives.lua_rawgeti(l, -1, i);
            write(l, resp, reply);
        }
    }

    /** Push t[name] (raw) of the table on top; returns its type. */
    private int field(final long l, final String name)
    {
        runtime.pushAscii(l, name);
        natives.lua_rawget(l, -2);
        return natives.lua_type(l, -1);
    }
}
