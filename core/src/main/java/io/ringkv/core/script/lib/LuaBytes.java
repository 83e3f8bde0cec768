package io.ringkv.core.script.lib;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import party.iroiro.luajava.Lua;
import party.iroiro.luajava.LuaException;
import party.iroiro.luajava.lua51.Lua51Natives;

/**
 * Pushes strings of arbitrary bytes onto a Lua stack, which the binding can only do for text (it converts Java
 * strings to modified UTF-8). Plain ASCII goes as a Java string; anything else through a tiny precompiled chunk
 * whose one constant is the string ({@code LOADK 0 0; RETURN 0 2}), laid out with the state's own dump header: Lua
 * copies the bytes as they are, with no lexing, so the cost stays flat with the length (a 10 kB value: about 2 us
 * against about 100 us for a {@code return "..."} source chunk). One instance per state, used on its thread.
 */
public final class LuaBytes
{
    private static final int OP_LOADK_0_0 = 1;
    private static final int OP_RETURN_0_2 = 30 | (2 << 23);
    private static final int LUA_TSTRING = 4;
    private static final int HEADER_BYTES = 12;
    /** Chunk bytes beyond the header and the string. */
    private static final int FRAME_BYTES = 8 + 4 + 4 + 4 + 4 + 8 + 4 + 1 + 8 + 1 + 4 + 12;

    private final Lua51Natives natives;
    private final byte[] header;
    private ByteBuffer chunk = ByteBuffer.allocateDirect(256).order(ByteOrder.LITTLE_ENDIAN);

    /**
     * @param lua the state (its dump header fixes the chunk layout).
     * @throws IllegalStateException when the native Lua's layout is not the 64-bit little-endian one expected.
     */
    public LuaBytes(final Lua lua)
    {
        natives = (Lua51Natives) lua.getLuaNatives();
        header = dumpHeader(lua);
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
        final byte[] header = new byte[HEADER_BYTES];
        dump.get(0, header);
        // ESC "Lua", version 0x51, format 0, little endian, int 4, size_t 8, Instruction 4, lua_Number 8
        if (header[4] != 0x51 || header[6] != 1 || header[7] != 4 || header[8] != 8 || header[9] != 4 ||
            header[10] != 8)
        {
            throw new IllegalStateException("Unsupported Lua native layout for binary strings");
        }
        return header;
    }

    /**
     * Pushes {@code length} bytes of {@code bytes} from {@code offset} as one Lua string.
     *
     * @param l the state or thread pointer ({@link Lua#getPointer()} of the state a Java function received).
     */
    public void push(final long l, final byte[] bytes, final int offset, final int length)
    {
        if (isPlainAscii(bytes, offset, length))
        {
            natives.lua_pushstring(l, new String(bytes, offset, length, StandardCharsets.ISO_8859_1));
            return;
        }
        final ByteBuffer out = frame(length);
        out.put(bytes, offset, length);
        load(l, out);
    }

    /**
     * Pushes {@code length} bytes of {@code buffer} from {@code offset} as one Lua string.
     */
    public void push(final long l, final DirectBuffer buffer, final int offset, final int length)
    {
        final ByteBuffer out = frame(length);
        final int at = out.position();
        buffer.getBytes(offset, out, at, length);
        out.position(at + length);
        load(l, out);
    }

    /** Writes the chunk up to the string's bytes, leaving the position where they go. */
    private ByteBuffer frame(final int length)
    {
        final int size = HEADER_BYTES + FRAME_BYTES + length;
        if (chunk.capacity() < size)
        {
            chunk = ByteBuffer.allocateDirect(Math.max(size, chunk.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
        }
        final ByteBuffer out = chunk.clear();
        out.put(header);
        out.putLong(0);                     // no source name
        out.putInt(0).putInt(0);            // line defined, last line defined
        out.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 2);   // upvalues, parameters, vararg, max stack
        out.putInt(2).putInt(OP_LOADK_0_0).putInt(OP_RETURN_0_2);
        out.putInt(1).put((byte) LUA_TSTRING).putLong(length + 1L);
        return out;
    }

    private void load(final long l, final ByteBuffer out)
    {
        out.put((byte) 0);                  // the constant's terminating zero
        out.putInt(0);                      // no nested functions
        out.putInt(0).putInt(0).putInt(0);  // no line info, locals, upvalue names
        final int size = out.position();
        if (natives.luaJ_loadbuffer(l, out, size, "=bytes") != 0 || natives.lua_pcall(l, 0, 1, 0) != 0)
        {
            throw new IllegalStateException("Lua refused a string chunk: " + natives.lua_tostring(l, -1));
        }
    }

    private static boolean isPlainAscii(final byte[] bytes, final int offset, final int length)
    {
        for (int i = offset, end = offset + length; i < end; i++)
        {
            if (bytes[i] <= 0)
            {
                return false;
            }
        }
        return true;
    }
}
