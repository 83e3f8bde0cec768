package io.ringkv.core.script.lib;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.Lua;
import party.iroiro.luajava.LuaException;
import party.iroiro.luajava.lua51.Lua51Natives;

/**
 * What the Java-written libraries need from one Lua state beyond the binding's API: Lua's argument checks and error
 * texts (with the caller's position, as the C libraries' {@code luaL_error} gives them), and pushing strings of
 * arbitrary bytes, which the binding can only do for text.
 * <p>
 * Arbitrary bytes reach Lua through a tiny precompiled chunk whose one constant is the string ({@code LOADK} +
 * {@code RETURN}), built from the state's own dump header so that it matches the native library's layout; plain
 * ASCII goes through {@link Lua#push(String)}.
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
    private static final int OP_LOADK_0_0 = 1;
    private static final int OP_RETURN_0_2 = 30 | (2 << 23);
    private static final int LUA_TSTRING = 4;

    private final int locatorRef;
    private final byte[] chunkHeader;
    private ByteBuffer chunk = ByteBuffer.allocateDirect(256).order(ByteOrder.LITTLE_ENDIAN);

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
        chunkHeader = dumpHeader(lua);
    }

    private static byte[] dumpHeader(final Lua lua)
    {
        try
        {
            lua.load("return 1");
        }
        catch (final LuaException e)
        {
            throw new IllegalStateException(e);
        }
        final ByteBuffer dump = lua.dump();
        lua.pop(1);
        final byte[] header = new byte[12];
        dump.get(0, header);
        // ESC "Lua" 0x51, format 0, little endian, int 4, size_t 8, Instruction 4, lua_Number 8, not integral
        if (header[4] != 0x51 || header[6] != 1 || header[7] != 4 || header[8] != 8 || header[9] != 4 || header[10] != 8)
        {
            throw new IllegalStateException("Unsupported Lua native layout for binary strings");
        }
        return header;
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
        final ByteBuffer buffer = lua.toBuffer(index);
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    // ---------------------------------------------------------------- pushing bytes

    void pushBytes(final Lua lua, final byte[] bytes)
    {
        pushBytes(lua, bytes, 0, bytes.length);
    }

    /**
     * Pushes {@code length} bytes from {@code offset} as one Lua string, whatever the bytes are.
     */
    void pushBytes(final Lua lua, final byte[] bytes, final int offset, final int length)
    {
        if (isPlainAscii(bytes, offset, length))
        {
            lua.push(new String(bytes, offset, length, StandardCharsets.ISO_8859_1));
            return;
        }
        final int size = chunkHeader.length + 8 + 4 + 4 + 4 + 4 + 8 + 4 + 1 + 8 + length + 1 + 4 + 12;
        if (chunk.capacity() < size)
        {
            chunk = ByteBuffer.allocateDirect(Math.max(size, chunk.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
        }
        final ByteBuffer out = chunk.clear();
        out.put(chunkHeader);
        out.putLong(0);             // no source name
        out.putInt(0).putInt(0);    // line defined, last line defined
        out.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 2);   // upvalues, parameters, vararg, max stack
        out.putInt(2).putInt(OP_LOADK_0_0).putInt(OP_RETURN_0_2);
        out.putInt(1).put((byte) LUA_TSTRING).putLong(length + 1L).put(bytes, offset, length).put((byte) 0);
        out.putInt(0);              // no nested functions
        out.putInt(0).putInt(0).putInt(0);   // no line info, locals, upvalue names
        out.flip();
        try
        {
            lua.load(out, "=bytes");
            lua.pCall(0, 1);
        }
        catch (final LuaException e)
        {
            throw new IllegalStateException("Lua refused a string chunk", e);
        }
    }

    private static boolean isPlainAscii(final byte[] bytes, final int offset, final int length)
    {
        for (int i = offset, end = offset + length; i < end; i++)
        {
            final byte b = bytes[i];
            if (b <= 0)
            {
                return false;
            }
        }
        return true;
    }
}
