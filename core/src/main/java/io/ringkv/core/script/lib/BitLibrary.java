package io.ringkv.core.script.lib;

import party.iroiro.luajava.Lua;

/**
 * Lua BitOp's {@code bit} module as Redis ships it: 32-bit operations on Lua numbers, results as signed 32-bit.
 */
final class BitLibrary
{
    /** 2^52 + 2^51: adding it leaves a double's integer part, rounded half to even, in the low mantissa bits. */
    private static final double NORMALIZER = 6755399441055744.0;

    private BitLibrary()
    {
    }

    static void install(final Lua lua, final LibrarySupport support)
    {
        lua.createTable(0, 12);
        support.register(lua, "tobit", l -> push(l, bitArgument(l, 1)));
        support.register(lua, "bnot", l -> push(l, ~bitArgument(l, 1)));
        support.register(lua, "band", l -> fold(l, 0));
        support.register(lua, "bor", l -> fold(l, 1));
        support.register(lua, "bxor", l -> fold(l, 2));
        support.register(lua, "lshift", l -> push(l, bitArgument(l, 1) << bitArgument(l, 2)));
        support.register(lua, "rshift", l -> push(l, bitArgument(l, 1) >>> bitArgument(l, 2)));
        support.register(lua, "arshift", l -> push(l, bitArgument(l, 1) >> bitArgument(l, 2)));
        support.register(lua, "rol", l -> push(l, Integer.rotateLeft(bitArgument(l, 1), bitArgument(l, 2))));
        support.register(lua, "ror", l -> push(l, Integer.rotateRight(bitArgument(l, 1), bitArgument(l, 2))));
        support.register(lua, "bswap", l -> push(l, Integer.reverseBytes(bitArgument(l, 1))));
        support.register(lua, "tohex", BitLibrary::toHex);
        lua.setGlobal("bit");
    }

    /**
     * BitOp's argument conversion: any number, wrapped modulo 2^32 after rounding to an integer.
     */
    static int bitArgument(final Lua lua, final int index)
    {
        final double n = LibrarySupport.checkNumber(lua, index) + NORMALIZER;
        return (int) Double.doubleToRawLongBits(n);
    }

    private static int push(final Lua lua, final int value)
    {
        lua.push((long) value);
        return 1;
    }

    private static int fold(final Lua lua, final int operation)
    {
        int result = bitArgument(lua, 1);
        for (int i = 2, top = lua.getTop(); i <= top; i++)
        {
            final int b = bitArgument(lua, i);
            result = switch (operation)
            {
                case 0 -> result & b;
                case 1 -> result | b;
                default -> result ^ b;
            };
        }
        return push(lua, result);
    }

    private static int toHex(final Lua lua)
    {
        int value = bitArgument(lua, 1);
        int digits = lua.isNone(2) ? 8 : bitArgument(lua, 2);
        final char[] alphabet;
        if (digits < 0)
        {
            digits = -digits;
            alphabet = "0123456789ABCDEF".toCharArray();
        }
        else
        {
            alphabet = "0123456789abcdef".toCharArray();
        }
        if (digits > 8 || digits < 0)
        {
            digits = 8;
        }
        final char[] out = new char[digits];
        for (int i = digits - 1; i >= 0; i--)
        {
            out[i] = alphabet[value & 15];
            value >>>= 4;
        }
        lua.push(new String(out));
        return 1;
    }
}
