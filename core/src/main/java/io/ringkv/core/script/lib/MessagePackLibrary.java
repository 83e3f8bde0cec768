package io.ringkv.core.script.lib;

import java.io.ByteArrayOutputStream;

import party.iroiro.luajava.Lua;

/**
 * The {@code cmsgpack} module Redis ships (lua-cmsgpack 0.4.0): {@code pack} of any number of Lua values into
 * concatenated MessagePack objects, and {@code unpack}, {@code unpack_one}, {@code unpack_limit} back, with its type
 * choices (the smallest integer form; float32 when a number survives it, else float64; strings as str types; a
 * table as an array when its keys are exactly 1..n) and its error texts.
 */
final class MessagePackLibrary
{
    private static final int MAX_NESTING = 16;
    private static final int BAD_FORMAT = 1;
    private static final int MISSING_BYTES = 2;

    private final LibrarySupport support;
    /** Open collections while decoding: elements left, map or array, next array index, a map's key pending. */
    private int depth;
    private long[] remaining = new long[16];
    private boolean[] isMap = new boolean[16];
    private long[] nextIndex = new long[16];
    private boolean[] keyDone = new boolean[16];
    private boolean opened;

    private MessagePackLibrary(final LibrarySupport support)
    {
        this.support = support;
    }

    static void install(final Lua lua, final LibrarySupport support)
    {
        final MessagePackLibrary library = new MessagePackLibrary(support);
        lua.createTable(0, 8);
        support.register(lua, "pack", library::pack);
        support.register(lua, "unpack", l -> library.unpack(l, 0, 0));
        support.register(lua, "unpack_one", l ->
        {
            final long offset = LibrarySupport.optInteger(l, 2, 0);
            l.setTop(1);
            return library.unpack(l, 1, offset);
        });
        support.register(lua, "unpack_limit", l ->
        {
            final long limit = (long) LibrarySupport.checkNumber(l, 2);
            final long offset = LibrarySupport.optInteger(l, 3, 0);
            l.setTop(1);
            return library.unpack(l, limit, offset);
        });
        field(lua, "_NAME", "cmsgpack");
        field(lua, "_VERSION", "lua-cmsgpack 0.4.0");
        field(lua, "_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo");
        field(lua, "_DESCRIPTION", "MessagePack C implementation for Lua");
        lua.setGlobal("cmsgpack");
    }

    private static void field(final Lua lua, final String name, final String value)
    {
        lua.push(value);
        lua.setField(-2, name);
    }

    // ---------------------------------------------------------------- pack

    private int pack(final Lua lua)
    {
        final int count = lua.getTop();
        if (count == 0)
        {
            throw LuaLibraryError.argument(0, "MessagePack pack needs input.");
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= count; i++)
        {
            lua.pushValue(i);
            encode(lua, out, 0);
        }
        support.pushBytes(lua, out.toByteArray());
        return 1;
    }

    /** Encodes the value on top of the stack and pops it. */
    private void encode(final Lua lua, final ByteArrayOutputStream out, final int level)
    {
        final Lua.LuaType type = lua.type(-1);
        switch (type)
        {
            case STRING -> encodeString(out, LibrarySupport.bytes(lua, -1));
            case BOOLEAN -> out.write(lua.toBoolean(-1) ? 0xc3 : 0xc2);
            case NUMBER -> encodeNumber(out, lua.toNumber(-1));
            case TABLE ->
            {
                if (level == MAX_NESTING)
                {
                    out.write(0xc0);
                }
                else
                {
                    encodeTable(lua, out, level);
                }
            }
            default -> out.write(0xc0);
        }
        lua.pop(1);
    }

    private static void encodeString(final ByteArrayOutputStream out, final byte[] s)
    {
        final int length = s.length;
        if (length < 32)
        {
            out.write(0xa0 | length);
        }
        else if (length <= 0xff)
        {
            out.write(0xd9);
            out.write(length);
        }
        else if (length <= 0xffff)
        {
            out.write(0xda);
            writeBigEndian(out, length, 2);
        }
        else
        {
            out.write(0xdb);
            writeBigEndian(out, length, 4);
        }
        out.write(s, 0, length);
    }

    private static void encodeNumber(final ByteArrayOutputStream out, final double n)
    {
        if (n >= -0x1p63 && n < 0x1p63 && (long) n == n)
        {
            encodeInteger(out, (long) n);
        }
        else if ((double) (float) n == n)
        {
            out.write(0xca);
            writeBigEndian(out, Float.floatToRawIntBits((float) n), 4);
        }
        else
        {
            out.write(0xcb);
            writeBigEndian(out, Double.doubleToRawLongBits(n), 8);
        }
    }

    private static void encodeInteger(final ByteArrayOutputStream out, final long n)
    {
        if (n >= 0)
        {
            if (n <= 127)
            {
                out.write((int) n);
            }
            else if (n <= 0xff)
            {
                out.write(0xcc);
                out.write((int) n);
            }
            else if (n <= 0xffff)
            {
                out.write(0xcd);
                writeBigEndian(out, n, 2);
            }
            else if (n <= 0xffffffffL)
            {
                out.write(0xce);
                writeBigEndian(out, n, 4);
            }
            else
            {
                out.write(0xcf);
                writeBigEndian(out, n, 8);
            }
        }
        else if (n >= -32)
        {
            out.write((int) n & 0xff);
        }
        else if (n >= Byte.MIN_VALUE)
        {
            out.write(0xd0);
            out.write((int) n & 0xff);
        }
        else if (n >= Short.MIN_VALUE)
        {
            out.write(0xd1);
            writeBigEndian(out, n, 2);
        }
        else if (n >= Integer.MIN_VALUE)
        {
            out.write(0xd2);
            writeBigEndian(out, n, 4);
        }
        else
        {
            out.write(0xd3);
            writeBigEndian(out, n, 8);
        }
    }

    private static void writeBigEndian(final ByteArrayOutputStream out, final long value, final int bytes)
    {
        for (int i = bytes - 1; i >= 0; i--)
        {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }

    private void encodeTable(final Lua lua, final ByteArrayOutputStream out, final int level)
    {
        final long arrayLength = arrayLength(lua);
        if (arrayLength >= 0)
        {
            header(out, arrayLength, 0x90, 0xdc, 0xdd);
            for (long i = 1; i <= arrayLength; i++)
            {
                lua.push(i);
                lua.getTable(-2);
                encode(lua, out, level + 1);
            }
            return;
        }
        long count = 0;
        lua.pushNil();
        while (lua.next(-2) != 0)
        {
            lua.pop(1);
            count++;
        }
        header(out, count, 0x80, 0xde, 0xdf);
        lua.pushNil();
        while (lua.next(-2) != 0)
        {
            lua.pushValue(-2);
            encode(lua, out, level + 1);
            encode(lua, out, level + 1);
        }
    }

    /**
     * @return n when the table's keys are exactly the numbers 1..n, else -1.
     */
    private static long arrayLength(final Lua lua)
    {
        long count = 0;
        double max = 0;
        lua.pushNil();
        while (lua.next(-2) != 0)
        {
            lua.pop(1);
            if (lua.type(-1) != Lua.LuaType.NUMBER)
            {
                lua.pop(1);
                return -1;
            }
            final double key = lua.toNumber(-1);
            if (!(key > 0) || key != Math.floor(key) || key >= 0x1p63)
            {
                lua.pop(1);
                return -1;
            }
            count++;
            max = Math.max(max, key);
        }
        return max == count ? count : -1;
    }

    private static void header(final ByteArrayOutputStream out, final long n, final int fix, final int sixteen,
        final int thirtyTwo)
    {
        if (n < 16)
        {
            out.write(fix | (int) n);
        }
        else if (n <= 0xffff)
        {
            out.write(sixteen);
            writeBigEndian(out, n, 2);
        }
        else
        {
            out.write(thirtyTwo);
            writeBigEndian(out, n, 4);
        }
    }

    // ---------------------------------------------------------------- unpack

    /** Where decoding is in the input, and the first failure met. */
    private static final class Cursor
    {
        final byte[] data;
        int at;
        int error;

        Cursor(final byte[] data, final int at)
        {
            this.data = data;
            this.at = at;
        }

        int left()
        {
            return data.length - at;
        }

        boolean need(final long bytes)
        {
            if (left() < bytes)
            {
                error = MISSING_BYTES;
                return false;
            }
            return true;
        }

        int u8(final int offset)
        {
            return data[at + offset] & 0xff;
        }

        long big(final int offset, final int bytes)
        {
            long value = 0;
            for (int i = 0; i < bytes; i++)
            {
                value = (value << 8) | u8(offset + i);
            }
            return value;
        }
    }

    private int unpack(final Lua lua, final long limit, final long offset)
    {
        final byte[] data = LibrarySupport.checkBytes(lua, 1);
        final boolean decodeAll = limit == 0 && offset == 0;
        if (offset < 0 || limit < 0)
        {
            throw LuaLibraryError.error("Invalid request to unpack with offset of " + offset + " and limit of "
                + data.length + ".");
        }
        if (offset > data.length)
        {
            throw LuaLibraryError.error("Start offset " + offset + " greater than input length " + data.length + ".");
        }
        final long max = decodeAll ? Integer.MAX_VALUE : limit;
        final Cursor cursor = new Cursor(data, (int) offset);
        int count = 0;
        for (; cursor.left() > 0 && count < max; count++)
        {
            checkStack(lua, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
            decodeOne(lua, cursor);
            if (cursor.error == MISSING_BYTES)
            {
                throw LuaLibraryError.error("Missing bytes in input.");
            }
            if (cursor.error == BAD_FORMAT)
            {
                throw LuaLibraryError.error("Bad data format in input.");
            }
        }
        if (!decodeAll)
        {
            lua.checkStack(1);
            lua.push(cursor.left() == 0 ? -1 : cursor.at);
            lua.insert(2);
            count++;
        }
        return count;
    }

    /**
     * Decodes one top-level object onto the stack; on failure sets the cursor's error, leaving what it pushed.
     * Collections are filled with an explicit stack of open levels rather than recursion, so nesting is bounded by
     * Lua's stack as in lua-cmsgpack, not by the Java stack of the thread running the script; each level keeps its
     * table and the pending key (an array's index) on the Lua stack, as lua-cmsgpack does.
     */
    private void decodeOne(final Lua lua, final Cursor c)
    {
        depth = 0;
        decode(lua, c);
        while (c.error == 0)
        {
            if (opened)
            {
                opened = false;
                decode(lua, c);  // the first element (or key) of the collection just opened
                continue;
            }
            if (depth == 0)
            {
                return;
            }
            final int level = depth - 1;
            if (isMap[level] && !keyDone[level])
            {
                keyDone[level] = true;
                decode(lua, c);  // the value of the key just read
                continue;
            }
            store(lua, level);
            if (--remaining[level] == 0)
            {
                depth--;  // the finished table is now the value on top
                continue;
            }
            if (!isMap[level])
            {
                lua.push(nextIndex[level]++);
            }
            decode(lua, c);
        }
    }

    /** Sets key = value (the two values on top) in the table under them. */
    private void store(final Lua lua, final int level)
    {
        if (isMap[level])
        {
            keyDone[level] = false;
            if (lua.isNil(-2))
            {
                throw LuaLibraryError.raw("table index is nil");
            }
            if (lua.type(-2) == Lua.LuaType.NUMBER && Double.isNaN(lua.toNumber(-2)))
            {
                throw LuaLibraryError.raw("table index is NaN");
            }
        }
        lua.rawSet(-3);
    }

    /** Decodes one item: a scalar is pushed; a collection's table is pushed and its level opened when not empty. */
    private void decode(final Lua lua, final Cursor c)
    {
        if (!c.need(1))
        {
            return;
        }
        final int first = c.u8(0);
        switch (first)
        {
            case 0xcc -> number(lua, c, 2, c.left() >= 2 ? c.u8(1) : 0);
            case 0xd0 -> number(lua, c, 2, c.left() >= 2 ? (byte) c.u8(1) : 0);
            case 0xcd -> number(lua, c, 3, c.left() >= 3 ? c.big(1, 2) : 0);
            case 0xd1 -> number(lua, c, 3, c.left() >= 3 ? (short) c.big(1, 2) : 0);
            case 0xce -> number(lua, c, 5, c.left() >= 5 ? c.big(1, 4) : 0);
            case 0xd2 -> number(lua, c, 5, c.left() >= 5 ? (int) c.big(1, 4) : 0);
            case 0xcf ->
            {
                // lua-cmsgpack 0.4.0 reads uint 64 as a signed 64-bit integer too
                number(lua, c, 9, c.left() >= 9 ? (double) c.big(1, 8) : 0);
            }
            case 0xd3 -> number(lua, c, 9, c.left() >= 9 ? (double) c.big(1, 8) : 0);
            case 0xc0 ->
            {
                lua.pushNil();
                c.at++;
            }
            case 0xc3, 0xc2 ->
            {
                lua.push(first == 0xc3);
                c.at++;
            }
            case 0xca -> number(lua, c, 5, c.left() >= 5 ? Float.intBitsToFloat((int) c.big(1, 4)) : 0);
            case 0xcb -> number(lua, c, 9, c.left() >= 9 ? Double.longBitsToDouble(c.big(1, 8)) : 0);
            case 0xd9 ->
            {
                if (c.need(2))
                {
                    string(lua, c, 2, c.u8(1));
                }
            }
            case 0xda ->
            {
                if (c.need(3))
                {
                    string(lua, c, 3, c.big(1, 2));
                }
            }
            case 0xdb ->
            {
                if (c.need(5))
                {
                    string(lua, c, 5, c.big(1, 4));
                }
            }
            case 0xdc, 0xde ->
            {
                if (c.need(3))
                {
                    final long n = c.big(1, 2);
                    c.at += 3;
                    collection(lua, c, n, first == 0xde);
                }
            }
            case 0xdd, 0xdf ->
            {
                if (c.need(5))
                {
                    final long n = c.big(1, 4);
                    c.at += 5;
                    collection(lua, c, n, first == 0xdf);
                }
            }
            default ->
            {
                if ((first & 0x80) == 0)
                {
                    number(lua, c, 1, first);
                }
                else if ((first & 0xe0) == 0xe0)
                {
                    number(lua, c, 1, (byte) first);
                }
                else if ((first & 0xe0) == 0xa0)
                {
                    string(lua, c, 1, first & 0x1f);
                }
                else if ((first & 0xf0) == 0x90)
                {
                    c.at++;
                    collection(lua, c, first & 0xf, false);
                }
                else if ((first & 0xf0) == 0x80)
                {
                    c.at++;
                    collection(lua, c, first & 0xf, true);
                }
                else
                {
                    c.error = BAD_FORMAT;
                }
            }
        }
    }

    private static void number(final Lua lua, final Cursor c, final int size, final double value)
    {
        if (c.need(size))
        {
            lua.push(value);
            c.at += size;
        }
    }

    private void string(final Lua lua, final Cursor c, final int header, final long length)
    {
        if (c.need(header + length))
        {
            support.pushBytes(lua, c.data, c.at + header, (int) length);
            c.at += header + (int) length;
        }
    }

    private void collection(final Lua lua, final Cursor c, final long count, final boolean map)
    {
        checkStack(lua, 2, map ? "in function mp_decode_to_lua_hash" : "in function mp_decode_to_lua_array");
        lua.newTable();
        if (count == 0)
        {
            return;
        }
        if (depth == remaining.length)
        {
            remaining = java.util.Arrays.copyOf(remaining, depth * 2);
            isMap = java.util.Arrays.copyOf(isMap, depth * 2);
            nextIndex = java.util.Arrays.copyOf(nextIndex, depth * 2);
            keyDone = java.util.Arrays.copyOf(keyDone, depth * 2);
        }
        remaining[depth] = count;
        isMap[depth] = map;
        keyDone[depth] = false;
        nextIndex[depth] = 2;
        depth++;
        if (!map)
        {
            lua.push(1L);
        }
        opened = true;
    }


    /** {@code luaL_checkstack}: room for {@code slots} more values, or Redis's "stack overflow (why)" error. */
    private static void checkStack(final Lua lua, final int slots, final String why)
    {
        try
        {
            lua.checkStack(slots);
        }
        catch (final RuntimeException e)
        {
            throw LuaLibraryError.error("stack overflow (" + why + ")");
        }
    }
}
