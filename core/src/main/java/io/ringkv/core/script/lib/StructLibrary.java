package io.ringkv.core.script.lib;

import java.io.ByteArrayOutputStream;

import party.iroiro.luajava.Lua;

/**
 * The {@code struct} module Redis ships (Roberto Ierusalimschy's struct 0.2): {@code pack}, {@code unpack} and
 * {@code size} of binary records described by a format string, with the platform sizes of x86-64 Linux (short 2,
 * int 4, long 8, maximum alignment 8) and its error texts.
 */
final class StructLibrary
{
    private static final int MAX_INT_SIZE = 32;
    private static final int MAX_ALIGN = 8;

    private final LibrarySupport support;

    private StructLibrary(final LibrarySupport support)
    {
        this.support = support;
    }

    static void install(final Lua lua, final LibrarySupport support)
    {
        final StructLibrary library = new StructLibrary(support);
        lua.createTable(0, 3);
        support.register(lua, "pack", library::pack);
        support.register(lua, "unpack", library::unpack);
        support.register(lua, "size", StructLibrary::size);
        lua.setGlobal("struct");
    }

    /** Where the format string is read and what it has set so far. */
    private static final class Format
    {
        final byte[] text;
        int at;
        boolean little = true;
        int align = 1;

        Format(final byte[] text)
        {
            this.text = text;
        }

        boolean more()
        {
            return at < text.length;
        }

        int next()
        {
            return text[at++] & 0xff;
        }

        long number(final long defaultValue)
        {
            if (!more() || !isDigit(text[at]))
            {
                return defaultValue;
            }
            long a = 0;
            do
            {
                final int digit = text[at++] - '0';
                if (a > (Integer.MAX_VALUE / 10) || a * 10 > (Integer.MAX_VALUE - digit))
                {
                    throw LuaLibraryError.error("integral size overflow");
                }
                a = a * 10 + digit;
            }
            while (more() && isDigit(text[at]));
            return a;
        }

        private static boolean isDigit(final byte b)
        {
            return b >= '0' && b <= '9';
        }

        /**
         * The size an option takes, reading its number if it has one; 0 for options without data.
         */
        long optionSize(final int option)
        {
            return switch (option)
            {
                case 'B', 'b' -> 1;
                case 'H', 'h' -> 2;
                case 'L', 'l' -> 8;
                case 'T' -> 8;
                case 'f' -> 4;
                case 'd' -> 8;
                case 'x' -> 1;
                case 'c' -> number(1);
                case 'i', 'I' ->
                {
                    final long size = number(4);
                    if (size > MAX_INT_SIZE)
                    {
                        throw LuaLibraryError.error(
                            "integral size " + size + " is larger than limit of " + MAX_INT_SIZE);
                    }
                    yield size;
                }
                default -> 0;
            };
        }

        long padding(final long position, final int option, final long size)
        {
            if (size == 0 || option == 'c')
            {
                return 0;
            }
            final long alignment = Math.min(size, align);
            return (alignment - (position & (alignment - 1))) & (alignment - 1);
        }

        /**
         * Endianness, alignment and spaces; anything else here is not an option.
         */
        void control(final int option)
        {
            switch (option)
            {
                case ' ' ->
                {
                }
                case '>' -> little = false;
                case '<' -> little = true;
                case '!' ->
                {
                    final long a = number(MAX_ALIGN);
                    if (a <= 0 || (a & (a - 1)) != 0)
                    {
                        throw LuaLibraryError.error("alignment " + a + " is not a power of 2");
                    }
                    align = (int) a;
                }
                default -> throw LuaLibraryError.argument(1, "invalid format option '" + (char) option + "'");
            }
        }
    }

    private int pack(final Lua lua)
    {
        final Format format = new Format(LibrarySupport.checkBytes(lua, 1));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        lua.pushNil();  // struct's own mark below its buffer: the first missing argument reads as nil
        int argument = 2;
        long total = 0;
        while (format.more())
        {
            final int option = format.next();
            long size = format.optionSize(option);
            final long padding = format.padding(total, option, size);
            total += padding;
            for (long i = 0; i < padding; i++)
            {
                out.write(0);
            }
            switch (option)
            {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' ->
                    putInteger(out, LibrarySupport.checkNumber(lua, argument++), format.little, (int) size);
                case 'x' -> out.write(0);
                case 'f' -> putBits(out, Float.floatToRawIntBits((float) LibrarySupport.checkNumber(lua, argument++)),
                    format.little, 4);
                case 'd' -> putBits(out, Double.doubleToRawLongBits(LibrarySupport.checkNumber(lua, argument++)),
                    format.little, 8);
                case 'c', 's' ->
                {
                    final byte[] s = LibrarySupport.checkBytes(lua, argument++);
                    if (size == 0)
                    {
                        size = s.length;
                    }
                    if (s.length < size)
                    {
                        throw LuaLibraryError.argument(argument, "string too short");
                    }
                    out.write(s, 0, (int) size);
                    if (option == 's')
                    {
                        out.write(0);
                        size++;
                    }
                }
                default -> format.control(option);
            }
            total += size;
        }
        support.pushBytes(lua, out.toByteArray());
        return 1;
    }

    private static void putInteger(final ByteArrayOutputStream out, final double n, final boolean little, final int size)
    {
        final long value;
        if (n < 0)
        {
            value = (long) n;
        }
        else if (n >= 0x1p63)
        {
            value = n < 0x1p64 ? ((long) (n - 0x1p63)) ^ Long.MIN_VALUE : 0;
        }
        else
        {
            value = (long) n;
        }
        putBits(out, value, little, size);
    }

    /** Writes the low {@code size} bytes of {@code value} (zeros beyond its 8). */
    private static void putBits(final ByteArrayOutputStream out, final long value, final boolean little, final int size)
    {
        for (int i = 0; i < size; i++)
        {
            final int shift = 8 * (little ? i : size - 1 - i);
            out.write(shift < 64 ? (int) (value >>> shift) & 0xff : 0);
        }
    }

    private int unpack(final Lua lua)
    {
        final Format format = new Format(LibrarySupport.checkBytes(lua, 1));
        final byte[] data = LibrarySupport.checkBytes(lua, 2);
        final long start = LibrarySupport.optInteger(lua, 3, 1);
        if (start <= 0)
        {
            throw LuaLibraryError.argument(3, "offset must be 1 or greater");
        }
        long position = start - 1;
        lua.setTop(2);
        while (format.more())
        {
            final int option = format.next();
            long size = format.optionSize(option);
            position += format.padding(position, option, size);
            if (size > data.length - position)
            {
                throw LuaLibraryError.argument(2, "data string too short");
            }
            lua.checkStack(2);
            switch (option)
            {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' ->
                    lua.push(getInteger(data, (int) position, format.little, Character.isLowerCase(option), (int) size));
                case 'x' ->
                {
                }
                case 'f' -> lua.push((double) Float.intBitsToFloat((int) rawBits(data, (int) position, format.little, 4)));
                case 'd' -> lua.push(Double.longBitsToDouble(
                    rawBits(data, (int) position, format.little, 8)));
                case 'c' ->
                {
                    if (size == 0)
                    {
                        if (lua.getTop() <= 2 || !lua.isNumber(-1))
                        {
                            throw LuaLibraryError.error("format 'c0' needs a previous size");
                        }
                        size = (long) lua.toNumber(-1);
                        lua.pop(1);
                        if (size > data.length - position || size < 0)
                        {
                            throw LuaLibraryError.argument(2, "data string too short");
                        }
                    }
                    support.pushBytes(lua, data, (int) position, (int) size);
                }
                case 's' ->
                {
                    int end = (int) position;
                    while (end < data.length && data[end] != 0)
                    {
                        end++;
                    }
                    if (end == data.length)
                    {
                        throw LuaLibraryError.error("unfinished string in data");
                    }
                    size = end - position + 1;
                    support.pushBytes(lua, data, (int) position, (int) (size - 1));
                }
                default -> format.control(option);
            }
            position += size;
        }
        lua.push(position + 1);
        return lua.getTop() - 2;
    }

    private static long rawBits(final byte[] data, final int at, final boolean little, final int size)
    {
        long bits = 0;
        for (int i = 0; i < size; i++)
        {
            bits = (bits << 8) | (data[at + (little ? size - 1 - i : i)] & 0xff);
        }
        return bits;
    }

    private static double getInteger(final byte[] data, final int at, final boolean little, final boolean signed,
        final int size)
    {
        final long bits = rawBits(data, at, little, size);
        if (signed)
        {
            if (size < 8)
            {
                final int unused = 64 - 8 * size;
                return (double) ((bits << unused) >> unused);
            }
            return (double) bits;
        }
        if (bits >= 0)
        {
            return (double) bits;
        }
        return (double) ((bits >>> 1) | (bits & 1)) * 2.0;
    }

    private static int size(final Lua lua)
    {
        final Format format = new Format(LibrarySupport.checkBytes(lua, 1));
        long position = 0;
        while (format.more())
        {
            final int option = format.next();
            final long size = format.optionSize(option);
            position += format.padding(position, option, size);
            if (option == 's')
            {
                throw LuaLibraryError.argument(1, "option 's' has no fixed size");
            }
            else if (option == 'c' && size == 0)
            {
                throw LuaLibraryError.argument(1, "option 'c0' has no fixed size");
            }
            if (!Character.isLetterOrDigit(option))
            {
                format.control(option);
            }
            position += size;
        }
        lua.push(position);
        return 1;
    }
}
