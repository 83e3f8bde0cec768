package io.ringkv.core.script.lib;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.ringkv.core.command.RedisTranscriptClient;
import party.iroiro.luajava.Lua;
import party.iroiro.luajava.LuaException;
import party.iroiro.luajava.lua51.Lua51;

/**
 * Runs one Lua expression the same way in a local state with {@link LuaLibraries} and in a real redis-server
 * (EVAL), turning everything it returns or raises into one canonical string, so the two can be compared byte for
 * byte whatever the reply conversions do. Table contents are listed with sorted keys; strings with {@code %q}.
 */
final class LuaScriptHarness
{
    /** Wraps an expression (the body of a function) into a chunk that returns the canonical text of its results. */
    static String wrap(final String body)
    {
        return """
            local function ser(v, depth)
              local t = type(v)
              if t == 'string' then return string.format('%q', v)
              elseif t == 'number' then return string.format('%.17g', v)
              elseif t == 'userdata' then return 'userdata:' .. tostring(v == cjson.null)
              elseif t == 'table' then
                if depth > 40 then return '{...}' end
                local keys = {}
                for k in pairs(v) do keys[#keys + 1] = k end
                local texts = {}
                for i, k in ipairs(keys) do texts[i] = ser(k, depth + 1) .. '=' .. ser(v[k], depth + 1) end
                table.sort(texts)
                return '{' .. table.concat(texts, ',') .. '}'
              elseif t == 'function' then return 'function'
              else return tostring(v) end
            end
            local function pack(...) return {n = select('#', ...), ...} end
            local r = pack(pcall(function() """ + body + """
             end))
            local out = {}
            for i = 1, r.n do out[i] = ser(r[i], 0) end
            return table.concat(out, ' | ')
            """;
    }

    /** Work that may throw, for {@link #onEngineSizedStack}. */
    interface Work
    {
        void run() throws Exception;
    }

    /**
     * Runs {@code work} on a thread with a small stack (256 kB) and rethrows what it threw: the libraries must reach
     * Redis's nesting limits whatever the stack of the thread running scripts (a virtual engine thread runs JNI on
     * its carrier's stack).
     */
    static void onSmallStack(final Work work) throws Exception
    {
        final Exception[] failure = new Exception[1];
        final Thread thread = Thread.ofPlatform().stackSize(256L << 10).start(() ->
        {
            try
            {
                work.run();
            }
            catch (final Exception e)
            {
                failure[0] = e;
            }
        });
        thread.join();
        if (failure[0] != null)
        {
            throw failure[0];
        }
    }

    /** A Lua state with the libraries, as the engine will have it. */
    static Lua newState()
    {
        final Lua lua = new Lua51();
        lua.openLibraries();
        LuaLibraries.install(lua);
        return lua;
    }

    static byte[] runLocally(final Lua lua, final String body) throws LuaException
    {
        final byte[] script = wrap(body).getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(script.length);
        buffer.put(script).flip();
        lua.load(buffer, "@user_script");
        lua.pCall(0, 1);
        final ByteBuffer result = lua.toBuffer(-1);
        final byte[] bytes = new byte[result.remaining()];
        result.get(bytes);
        lua.pop(1);
        return bytes;
    }

    /**
     * Runs the wrapped expression in redis-server with EVAL.
     *
     * @return the canonical text it returned, or the error line Redis answered.
     */
    static byte[] runInRedis(final RedisTranscriptClient redis, final String body) throws IOException
    {
        final String reply = redis.send("EVAL", wrap(body), "0");
        return (reply.startsWith("$") ? reply.substring(1) : reply).getBytes(StandardCharsets.ISO_8859_1);
    }
}
