package io.ringkv.core.script.lib;

import java.nio.ByteBuffer;

import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.Lua;
import party.iroiro.luajava.LuaException;

/**
 * What the Java-written libraries need from one Lua state beyond the binding's API: Lua's argument checks and error
 * texts (with the caller's position, as the C libraries' {@code luaL_error} gives them), and pushing strings of
 * arbitrary bytes ({@link LuaBytes}).
 */
final class LibrarySupport
{
    private static final String LOCATOR = """
        local getinfo, format = debug.getinfo, string.format
        return function(message, argument)
          if argument then
            local ar = getinfo(2, 'n')
            local name = ar and ar.name or '?'
            if ar and ar.namewhat == 'method' then
              argument = argument - 1
              if argument == 0 then
                message = format("calling '%s' on bad self (%s)", name, message)
                argument = nil
              end
            end
            if argument then
              message = format("bad argument #%d to '%s' (%s)", argument, name, message)
            end
          end
          local caller = getinfo(3, 'Sl')
          if caller and caller.currentline > 0 then
            return caller.short_src .. ':' .. caller.currentline .. ': ' .. message
          end
          return message
        end
        """;

    private final int locatorRef;
    private final LuaBytes strings;

    LibrarySupport(final Lua lua)
    {
        try
        {
            lua.run(LOCATOR);
        }
        catch (final LuaException e)
        {
            throw new IllegalStateException("Lua libraries need the debug library while installing", e);
        }
        locatorRef = lua.ref();
        strings = new LuaBytes(lua);
    }

    /**
     * Sets field {@code name} of the table on top of the stack to a library function.
     */
    void register(final Lua lua, final String name, final JFunction body)
    {
        lua.push(function(body));
        lua.setField(-2, name);
    }

    /**
     * Wraps a library function so that {@link LuaLibraryError}s become Lua errors with Redis's texts.
     */
    JFunction function(final JFunction body)
    {
        return lua ->
        {
            try
            {
                return body.__call(lua);
            }
            catch (final LuaLibraryError e)
            {
                return raise(lua, e.argument, e.getMessage());
            }
            catch (final RuntimeException e)
            {
                // the binding refuses a push when the Lua stack is full ("No more stack space available")
                return raise(lua, LuaLibraryError.POSITIONED, "stack overflow (" + e.getMessage() + ")");
            }
        };
    }

    private int raise(final Lua lua, final int argument, final String message)
    {
        lua.setTop(0);  // the function's own frame is abandoned; a full one would leave no room for the message
        if (argument == LuaLibraryError.RAW)
        {
            lua.push(message);
            return -1;
        }
        lua.refGet(locatorRef);
        lua.push(message);
        if (argument == LuaLibraryError.POSITIONED)
        {
            lua.pushNil();
        }
        else
        {
            lua.push(argument);
        }
        try
        {
            lua.pCall(2, 1);
        }
        catch (final LuaException e)
        {
            lua.push(message);
        }
        return -1;
    }

    // ---------------------------------------------------------------- arguments, as lauxlib checks them

    static String typeName(final Lua lua, final int index)
    {
        if (lua.isNone(index))
        {
            return "no value";
        }
        final Lua.LuaType type = lua.type(index);
        if (type == null)
        {
            return "no value";
        }
        return switch (type)
        {
            case NIL -> "nil";
            case BOOLEAN -> "boolean";
            case LIGHTUSERDATA, USERDATA -> "userdata";
            case NUMBER -> "number";
            case STRING -> "string";
            case TABLE -> "table";
            case FUNCTION -> "function";
            case THREAD -> "thread";
            default -> "no value";
        };
    }

    static LuaLibraryError typeError(final Lua lua, final int index, final String expected)
    {
        return LuaLibraryError.argument(index, expected + " expected, got " + typeName(lua, index));
    }

    /**
     * {@code luaL_checknumber}: a number or a string that converts to one.
     */
    static double checkNumber(final Lua lua, final int index)
    {
        if (!lua.isNumber(index))
        {
            throw typeError(lua, index, "number");
        }
        return lua.toNumber(index);
    }

    /**
     * {@code luaL_optinteger}: absent or nil gives the default; truncates toward zero like {@code lua_tointeger}.
     */
    static long optInteger(final Lua lua, final int index, final long defaultValue)
    {
        if (lua.isNoneOrNil(index))
        {
            return defaultValue;
        }
        return (long) checkNumber(lua, index);
    }

    /**
     * {@code luaL_checklstring}: the bytes of a string or of a number's text.
     */
    static byte[] checkBytes(final Lua lua, final int index)
    {
        if (!lua.isString(index))
        {
            throw typeError(lua, index, "string");
        }
        return bytes(lua, index);
    }

    /**
     * The bytes of the string (or number, converted in place as Lua does) at {@code index}.
     */
    static byte[] bytes(final Lua lua, final int index)
    {
        final ByteBuffer buffer = lua.toDirectBuffer(index);  // a view of the Lua string, copied at once
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    // ---------------------------------------------------------------- pushing bytes

    void pushBytes(final Lua lua, final byte[] bytes)
    {
        strings.push(lua.getPointer(), bytes, 0, bytes.length);
    }

    /**
     * Pushes {@code length} bytes from {@code offset} as one Lua string, whatever the bytes are.
     */
    void pushBytes(final Lua lua, final byte[] bytes, final int offset, final int length)
    {
        strings.push(lua.getPointer(), bytes, offset, length);
    }
}
