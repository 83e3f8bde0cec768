package io.ringkv.core.script.lib;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import party.iroiro.luajava.Lua;
import party.iroiro.luajava.lua51.Lua51Natives;

/**
 * The {@code cjson} module Redis 7.0 ships (lua-cjson 2.1.0): {@code encode}, {@code decode}, their settings and
 * {@code cjson.null}, with its number format ({@code %.14g} by default), escaping ({@code /} as {@code \/}, control
 * characters as six-character escapes), array rules (keys 1..n, sparse arrays refused past ratio 2 and safe 10, an empty table
 * is an object), nesting limits and error texts. {@code cjson.new()} returns a module with its own settings.
 * Redis 7.0's version has no {@code array_mt} / {@code decode_array_with_array_mt}; neither has this one.
 */
final class JsonLibrary
{
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    private static final String[] TOKEN_NAMES = {
        "T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL",
        "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR", "T_UNKNOWN"};
    private static final int T_OBJ_BEGIN = 0;
    private static final int T_OBJ_END = 1;
    private static final int T_ARR_BEGIN = 2;
    private static final int T_ARR_END = 3;
    private static final int T_STRING = 4;
    private static final int T_NUMBER = 5;
    private static final int T_BOOLEAN = 6;
    private static final int T_NULL = 7;
    private static final int T_COLON = 8;
    private static final int T_COMMA = 9;
    private static final int T_END = 10;
    private static final int T_ERROR = 12;

    private final LibrarySupport support;
    private int encodeSparseConvert;
    private int encodeSparseRatio = 2;
    private int encodeSparseSafe = 10;
    private int encodeMaxDepth = 1000;
    private int decodeMaxDepth = 1000;
    private int encodeInvalidNumbers;     // 0 off, 1 on, 2 null
    private int decodeInvalidNumbers = 1;
    private int encodeKeepBuffer = 1;
    private int encodeNumberPrecision = 14;
    /** The encoder's open tables: an array's length (-1: an object) and its next index (an object: keys done). */
    private long[] frameLength = new long[16];
    private long[] frameNext = new long[16];

    private JsonLibrary(final LibrarySupport support)
    {
        this.support = support;
    }

    static void install(final Lua lua, final LibrarySupport support)
    {
        pushModule(lua, support);
        lua.setGlobal("cjson");
    }

    private static int pushModule(final Lua lua, final LibrarySupport support)
    {
        final JsonLibrary library = new JsonLibrary(support);
        lua.createTable(0, 14);
        support.register(lua, "encode", library::encode);
        support.register(lua, "decode", library::decode);
        support.register(lua, "encode_sparse_array", library::encodeSparseArray);
        support.register(lua, "encode_max_depth", l -> library.integerSetting(l, 0));
        support.register(lua, "decode_max_depth", l -> library.integerSetting(l, 1));
        support.register(lua, "encode_number_precision", l -> library.integerSetting(l, 2));
        support.register(lua, "encode_keep_buffer", l -> library.enumSetting(l, 0));
        support.register(lua, "encode_invalid_numbers", l -> library.enumSetting(l, 1));
        support.register(lua, "decode_invalid_numbers", l -> library.enumSetting(l, 2));
        support.register(lua, "new", l -> pushModule(l, support));
        pushNull(lua);
        lua.setField(-2, "null");
        lua.push("cjson");
        lua.setField(-2, "_NAME");
        lua.push("2.1.0");
        lua.setField(-2, "_VERSION");
        return 1;
    }

    /** cjson.null: a NULL light userdata, as lua-cjson's. */
    private static void pushNull(final Lua lua)
    {
        ((Lua51Natives) lua.getLuaNatives()).lua_pushlightuserdata(lua.getPointer(), 0);
    }

    // ---------------------------------------------------------------- settings

    private static void checkArgumentCount(final Lua lua, final int most)
    {
        if (lua.getTop() > most)
        {
            throw LuaLibraryError.argument(most + 1, "found too many arguments");
        }
    }

    private int integerSetting(final Lua lua, final int which)
    {
        checkArgumentCount(lua, 1);
        final int min = 1;
        final int max = which == 2 ? 14 : Integer.MAX_VALUE;
        if (!lua.isNoneOrNil(1))
        {
            final long value = (long) LibrarySupport.checkNumber(lua, 1);
            if (value < min || value > max)
            {
                throw LuaLibraryError.argument(1, "expected integer between " + min + " and " + max);
            }
            switch (which)
            {
                case 0 -> encodeMaxDepth = (int) value;
                case 1 -> decodeMaxDepth = (int) value;
                default -> encodeNumberPrecision = (int) value;
            }
        }
        lua.push(switch (which)
        {
            case 0 -> encodeMaxDepth;
            case 1 -> decodeMaxDepth;
            default -> encodeNumberPrecision;
        });
        return 1;
    }

    /**
     * lua-cjson's "enum" options: a boolean, or one of "off", "on" (and "null" for encode_invalid_numbers).
     */
    private int enumSetting(final Lua lua, final int which)
    {
        checkArgumentCount(lua, 1);
        final boolean allowsNull = which == 1;
        if (!lua.isNoneOrNil(1))
        {
            final int value;
            if (lua.isBoolean(1))
            {
                value = lua.toBoolean(1) ? 1 : 0;
            }
            else
            {
                final String option = new String(LibrarySupport.checkBytes(lua, 1), StandardCharsets.ISO_8859_1);
                value = switch (option)
                {
                    case "off" -> 0;
                    case "on" -> 1;
                    case "null" ->
                    {
                        if (!allowsNull)
                        {
                            throw LuaLibraryError.argument(1, "invalid option '" + option + "'");
                        }
                        yield 2;
                    }
                    default -> throw LuaLibraryError.argument(1, "invalid option '" + option + "'");
                };
            }
            switch (which)
            {
                case 0 -> encodeKeepBuffer = value;
                case 1 -> encodeInvalidNumbers = value;
                default -> decodeInvalidNumbers = value;
            }
        }
        final int current = switch (which)
        {
            case 0 -> encodeKeepBuffer;
            case 1 -> encodeInvalidNumbers;
            default -> decodeInvalidNumbers;
        };
        if (current == 2)
        {
            lua.push("null");
        }
        else
        {
            lua.push(current == 1);
        }
        return 1;
    }

    private int encodeSparseArray(final Lua lua)
    {
        checkArgumentCount(lua, 3);
        if (!lua.isNoneOrNil(1))
        {
            if (lua.isBoolean(1))
            {
                encodeSparseConvert = lua.toBoolean(1) ? 1 : 0;
            }
            else
            {
                final String option = new String(LibrarySupport.checkBytes(lua, 1), StandardCharsets.ISO_8859_1);
                encodeSparseConvert = switch (option)
                {
                    case "off" -> 0;
                    case "on" -> 1;
                    default -> throw LuaLibraryError.argument(1, "invalid option '" + option + "'");
                };
            }
        }
        encodeSparseRatio = sparseInteger(lua, 2, encodeSparseRatio);
        encodeSparseSafe = sparseInteger(lua, 3, encodeSparseSafe);
        lua.push(encodeSparseConvert == 1);
        lua.push(encodeSparseRatio);
        lua.push(encodeSparseSafe);
        return 3;
    }

    private static int sparseInteger(final Lua lua, final int index, final int current)
    {
        if (lua.isNoneOrNil(index))
        {
            return current;
        }
        final long value = (long) LibrarySupport.checkNumber(lua, index);
        if (value < 0 || value > Integer.MAX_VALUE)
        {
            throw LuaLibraryError.argument(1, "expected integer between 0 and " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    // ---------------------------------------------------------------- encode

    private int encode(final Lua lua)
    {
        if (lua.getTop() != 1)
        {
            throw LuaLibraryError.argument(1, "expected 1 argument");
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        encodeValue(lua, out);
        support.pushBytes(lua, out.toByteArray());
        return 1;
    }

    /**
     * Appends the value on top of the stack and pops it. Tables are walked with an explicit stack of frames rather
     * than Java recursion, so nesting is bounded by cjson's limits (encode_max_depth, Lua's stack), never by the
     * Java stack of the thread running the script. A frame's table stays on the Lua stack while it is open (with
     * the current key above it for an object), one or two slots per level as lua-cjson uses.
     */
    private void encodeValue(final Lua lua, final ByteArrayOutputStream out)
    {
        int depth = 0;
        if (!appendScalarOrOpen(lua, out, depth))
        {
            return;
        }
        depth = 1;
        while (depth > 0)
        {
            final int frame = depth - 1;
            final boolean array = frameLength[frame] >= 0;
            final boolean hasValue;
            if (array)
            {
                hasValue = frameNext[frame] <= frameLength[frame];
                if (hasValue)
                {
                    final long i = frameNext[frame]++;
                    if (i > 1)
                    {
                        out.write(',');
                    }
                    lua.push(i);
                    lua.rawGet(-2);
                }
            }
            else
            {
                hasValue = lua.next(-2) != 0;
                if (hasValue)
                {
                    if (frameNext[frame]++ > 0)
                    {
                        out.write(',');
                    }
                    appendKey(lua, out);
                }
            }
            if (!hasValue)
            {
                out.write(array ? ']' : '}');
                lua.pop(1);  // the frame's table (next() has taken the last key)
                depth--;
                continue;
            }
            if (appendScalarOrOpen(lua, out, depth))
            {
                depth++;
            }
        }
    }

    /**
     * Appends the scalar on top of the stack and pops it, or opens a frame for a table (left on the stack).
     *
     * @param depth the number of frames open.
     * @return true when a frame was opened.
     */
    private boolean appendScalarOrOpen(final Lua lua, final ByteArrayOutputStream out, final int depth)
    {
        switch (lua.type(-1))
        {
            case STRING -> appendString(out, LibrarySupport.bytes(lua, -1));
            case NUMBER -> appendNumber(out, lua.toNumber(-1));
            case BOOLEAN -> appendAscii(out, lua.toBoolean(-1) ? "true" : "false");
            case TABLE ->
            {
                openFrame(lua, out, depth);
                return true;
            }
            case NIL, LIGHTUSERDATA -> appendAscii(out, "null");
            default -> throw cannotSerialise(lua, -1, "type not supported");
        }
        lua.pop(1);
        return false;
    }

    private void openFrame(final Lua lua, final ByteArrayOutputStream out, final int depth)
    {
        final int level = depth + 1;
        if (level > encodeMaxDepth || !hasStack(lua, 3))
        {
            throw LuaLibraryError.error("Cannot serialise, excessive nesting (" + level + ")");
        }
        if (depth == frameLength.length)
        {
            frameLength = java.util.Arrays.copyOf(frameLength, depth * 2);
            frameNext = java.util.Arrays.copyOf(frameNext, depth * 2);
        }
        final long length = arrayLength(lua);
        if (length > 0)
        {
            frameLength[depth] = length;
            frameNext[depth] = 1;
            out.write('[');
        }
        else
        {
            frameLength[depth] = -1;
            frameNext[depth] = 0;
            out.write('{');
            lua.pushNil();
        }
    }

    /** Appends the key under the value on top of the stack, and the colon. */
    private void appendKey(final Lua lua, final ByteArrayOutputStream out)
    {
        switch (lua.type(-2))
        {
            case NUMBER ->
            {
                out.write('"');
                appendNumber(out, lua.toNumber(-2));
                out.write('"');
            }
            case STRING -> appendString(out, LibrarySupport.bytes(lua, -2));
            default -> throw cannotSerialise(lua, -2, "table key must be a number or string");
        }
        out.write(':');
    }

    private static LuaLibraryError cannotSerialise(final Lua lua, final int index, final String reason)
    {
        return LuaLibraryError.error("Cannot serialise " + LibrarySupport.typeName(lua, index) + ": " + reason);
    }

    private void appendNumber(final ByteArrayOutputStream out, final double n)
    {
        if (Double.isNaN(n) || Double.isInfinite(n))
        {
            if (encodeInvalidNumbers == 0)
            {
                throw LuaLibraryError.error("Cannot serialise number: must not be NaN or Inf");
            }
            if (encodeInvalidNumbers == 2)
            {
                appendAscii(out, "null");
                return;
            }
            if (Double.isNaN(n))
            {
                appendAscii(out, "nan");
                return;
            }
        }
        appendAscii(out, CFormat.formatG(n, encodeNumberPrecision));
    }

    private static void appendAscii(final ByteArrayOutputStream out, final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            out.write(text.charAt(i));
        }
    }

    static void appendString(final ByteArrayOutputStream out, final byte[] s)
    {
        out.write('"');
        for (final byte b : s)
        {
            final int c = b & 0xff;
            switch (c)
            {
                case '"' -> appendAscii(out, "\\\"");
                case '\\' -> appendAscii(out, "\\\\");
                case '/' -> appendAscii(out, "\\/");
                case '\b' -> appendAscii(out, "\\b");
                case '\t' -> appendAscii(out, "\\t");
                case '\n' -> appendAscii(out, "\\n");
                case '\f' -> appendAscii(out, "\\f");
                case '\r' -> appendAscii(out, "\\r");
                default ->
                {
                    if (c < 0x20 || c == 0x7f)
                    {
                        appendAscii(out, "\\u00");
                        out.write(HEX[c >> 4]);
                        out.write(HEX[c & 15]);
                    }
                    else
                    {
                        out.write(c);
                    }
                }
            }
        }
        out.write('"');
    }

    private static boolean hasStack(final Lua lua, final int slots)
    {
        try
        {
            lua.checkStack(slots);
            return true;
        }
        catch (final RuntimeException e)
        {
            return false;
        }
    }

    /**
     * @return the largest key when every key is a positive integer (0 for an empty table), -1 for an object; an
     *     excessively sparse array is an error unless converting to an object is allowed.
     */
    private long arrayLength(final Lua lua)
    {
        double max = 0;
        long items = 0;
        lua.pushNil();
        while (lua.next(-2) != 0)
        {
            if (lua.type(-2) == Lua.LuaType.NUMBER)
            {
                final double k = lua.toNumber(-2);
                if (k != 0 && Math.floor(k) == k && k >= 1)
                {
                    max = Math.max(max, k);
                    items++;
                    lua.pop(1);
                    continue;
                }
            }
            lua.pop(2);
            return -1;
        }
        if (encodeSparseRatio > 0 && max > (double) items * encodeSparseRatio && max > encodeSparseSafe)
        {
            if (encodeSparseConvert == 0)
            {
                throw cannotSerialise(lua, -1, "excessively sparse array");
            }
            return -1;
        }
        return (long) max;
    }

    // ---------------------------------------------------------------- decode

    /** One token: its type, where it started (0-based) and, for errors, the text. */
    private static final class Token
    {
        int type;
        int index;
        String error;
        double number;
        boolean bool;
        byte[] string;
        int stringLength;
    }

    /** The input being decoded (a NUL byte ends it, as in C) and the nesting reached. */
    private static final class Parser
    {
        final byte[] data;
        int at;
        int depth;
        final double[] number = new double[1];
        byte[] scratch = new byte[64];
        /** Per open level: an object (true) or an array, and the array's next index. */
        boolean[] containers = new boolean[16];
        int[] arrayIndex = new int[16];

        Parser(final byte[] data)
        {
            this.data = data;
        }

        int peek(final int offset)
        {
            final int i = at + offset;
            return i < data.length ? data[i] & 0xff : 0;
        }
    }

    private int decode(final Lua lua)
    {
        if (lua.getTop() != 1)
        {
            throw LuaLibraryError.argument(1, "expected 1 argument");
        }
        final Parser parser = new Parser(LibrarySupport.checkBytes(lua, 1));
        if (parser.data.length >= 2 && (parser.data[0] == 0 || parser.data[1] == 0))
        {
            throw LuaLibraryError.error("JSON parser does not support UTF-16 or UTF-32");
        }
        final Token token = new Token();
        nextToken(parser, token);
        parseValue(lua, parser, token);
        nextToken(parser, token);
        if (token.type != T_END)
        {
            throw parseError("the end", token);
        }
        return 1;
    }

    private static LuaLibraryError parseError(final String expected, final Token token)
    {
        final String found = token.type == T_ERROR ? token.error : TOKEN_NAMES[token.type];
        return LuaLibraryError.error("Expected " + expected + " but found " + found + " at character "
            + (token.index + 1));
    }

    /**
     * Pushes the value starting at {@code token}, lua-cjson's grammar with an explicit stack of open containers
     * instead of recursion: each open array or object keeps its table on the Lua stack (an object's pending key
     * above it), and {@code parser.containers} says which kind each level is.
     */
    private void parseValue(final Lua lua, final Parser parser, final Token token)
    {
        while (true)
        {
            // a value is expected at token
            switch (token.type)
            {
                case T_STRING -> support.pushBytes(lua, token.string, 0, token.stringLength);
                case T_NUMBER -> lua.push(token.number);
                case T_BOOLEAN -> lua.push(token.bool);
                case T_NULL -> pushNull(lua);
                case T_OBJ_BEGIN ->
                {
                    open(lua, parser, true);
                    nextToken(parser, token);
                    if (token.type != T_OBJ_END)
                    {
                        objectKey(lua, parser, token);
                        continue;
                    }
                    parser.depth--;
                }
                case T_ARR_BEGIN ->
                {
                    open(lua, parser, false);
                    nextToken(parser, token);
                    if (token.type != T_ARR_END)
                    {
                        continue;
                    }
                    parser.depth--;
                }
                default -> throw parseError("value", token);
            }
            // a value is complete on top of the stack: store it in the open containers, closing those that end
            while (true)
            {
                if (parser.depth == 0)
                {
                    return;
                }
                final boolean object = parser.containers[parser.depth - 1];
                if (object)
                {
                    lua.rawSet(-3);
                }
                else
                {
                    lua.rawSetI(-2, parser.arrayIndex[parser.depth - 1]++);
                }
                nextToken(parser, token);
                if (token.type == (object ? T_OBJ_END : T_ARR_END))
                {
                    parser.depth--;
                    continue;
                }
                if (token.type != T_COMMA)
                {
                    throw parseError(object ? "comma or object end" : "comma or array end", token);
                }
                nextToken(parser, token);
                if (object)
                {
                    objectKey(lua, parser, token);
                }
                break;
            }
        }
    }

    /** Pushes the key at token, reads the colon and leaves the value's first token in token. */
    private void objectKey(final Lua lua, final Parser parser, final Token token)
    {
        if (token.type != T_STRING)
        {
            throw parseError("object key string", token);
        }
        support.pushBytes(lua, token.string, 0, token.stringLength);
        nextToken(parser, token);
        if (token.type != T_COLON)
        {
            throw parseError("colon", token);
        }
        nextToken(parser, token);
    }

    private void open(final Lua lua, final Parser parser, final boolean object)
    {
        parser.depth++;
        if (parser.depth > decodeMaxDepth || !hasStack(lua, object ? 3 : 2))
        {
            throw LuaLibraryError.error("Found too many nested data structures (" + parser.depth + ") at character "
                + parser.at);
        }
        if (parser.depth > parser.containers.length)
        {
            parser.containers = java.util.Arrays.copyOf(parser.containers, parser.depth * 2);
            parser.arrayIndex = java.util.Arrays.copyOf(parser.arrayIndex, parser.depth * 2);
        }
        parser.containers[parser.depth - 1] = object;
        parser.arrayIndex[parser.depth - 1] = 1;
        lua.newTable();
    }

    private void nextToken(final Parser p, final Token token)
    {
        int c = p.peek(0);
        while (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
            p.at++;
            c = p.peek(0);
        }
        token.index = p.at;
        switch (c)
        {
            case 0 ->
            {
                token.type = T_END;
                return;
            }
            case '{' -> single(p, token, T_OBJ_BEGIN);
            case '}' -> single(p, token, T_OBJ_END);
            case '[' -> single(p, token, T_ARR_BEGIN);
            case ']' -> single(p, token, T_ARR_END);
            case ':' -> single(p, token, T_COLON);
            case ',' -> single(p, token, T_COMMA);
            case '"' -> stringToken(p, token);
            default ->
            {
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    if (decodeInvalidNumbers == 0 && isInvalidNumber(p))
                    {
                        tokenError(p, token, "invalid number");
                        return;
                    }
                    numberToken(p, token);
                }
                else if (startsWith(p, "true"))
                {
                    token.type = T_BOOLEAN;
                    token.bool = true;
                    p.at += 4;
                }
                else if (startsWith(p, "false"))
                {
                    token.type = T_BOOLEAN;
                    token.bool = false;
                    p.at += 5;
                }
                else if (startsWith(p, "null"))
                {
                    token.type = T_NULL;
                    p.at += 4;
                }
                else if (decodeInvalidNumbers != 0 && isInvalidNumber(p))
                {
                    numberToken(p, token);
                }
                else
                {
                    tokenError(p, token, "invalid token");
                }
            }
        }
    }

    private static void single(final Parser p, final Token token, final int type)
    {
        token.type = type;
        p.at++;
    }

    private static void tokenError(final Parser p, final Token token, final String message)
    {
        token.type = T_ERROR;
        token.index = p.at;
        token.error = message;
    }

    private static boolean startsWith(final Parser p, final String word)
    {
        for (int i = 0; i < word.length(); i++)
        {
            if (p.peek(i) != word.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** JSON forbids these number forms (a plus sign, hex, leading zeros, inf, nan) that strtod accepts. */
    private static boolean isInvalidNumber(final Parser p)
    {
        int i = 0;
        if (p.peek(i) == '+')
        {
            return true;
        }
        if (p.peek(i) == '-')
        {
            i++;
        }
        final int c = p.peek(i);
        if (c == '0')
        {
            final int next = p.peek(i + 1);
            return (next | 0x20) == 'x' || (next >= '0' && next <= '9');
        }
        if (c <= '9')
        {
            return false;
        }
        return startsWithIgnoreCase(p, i, "inf") || startsWithIgnoreCase(p, i, "nan");
    }

    private static boolean startsWithIgnoreCase(final Parser p, final int from, final String word)
    {
        for (int i = 0; i < word.length(); i++)
        {
            if ((p.peek(from + i) | 0x20) != word.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private static void numberToken(final Parser p, final Token token)
    {
        final int end = nulTerminatedEnd(p);
        final byte[] view = end == p.data.length ? p.data : java.util.Arrays.copyOf(p.data, end);
        final int consumed = CFormat.strtod(view, p.at, p.number);
        if (consumed == 0)
        {
            tokenError(p, token, "invalid number");
            return;
        }
        token.type = T_NUMBER;
        token.number = p.number[0];
        p.at += consumed;
    }

    private static int nulTerminatedEnd(final Parser p)
    {
        for (int i = p.at; i < p.data.length; i++)
        {
            if (p.data[i] == 0)
            {
                return i;
            }
        }
        return p.data.length;
    }

    private static void stringToken(final Parser p, final Token token)
    {
        p.at++;
        int length = 0;
        int c;
        while ((c = p.peek(0)) != '"')
        {
            if (c == 0)
            {
                tokenError(p, token, "unexpected end of string");
                return;
            }
            if (p.scratch.length < length + 4)
            {
                p.scratch = java.util.Arrays.copyOf(p.scratch, p.scratch.length * 2);
            }
            if (c == '\\')
            {
                final int escaped = p.peek(1);
                final int translated = switch (escaped)
                {
                    case '"', '\\', '/' -> escaped;
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'u' -> 'u';
                    default -> 0;
                };
                if (translated == 'u' && escaped == 'u')
                {
                    final int written = unicodeEscape(p, p.scratch, length);
                    if (written < 0)
                    {
                        tokenError(p, token, "invalid unicode escape code");
                        return;
                    }
                    length += written;
                    continue;
                }
                if (translated == 0)
                {
                    tokenError(p, token, "invalid escape code");
                    return;
                }
                p.at++;
                c = translated;
            }
            p.scratch[length++] = (byte) c;
            p.at++;
        }
        p.at++;
        token.type = T_STRING;
        token.string = p.scratch;
        token.stringLength = length;
    }

    private static int hex4(final Parser p, final int offset)
    {
        int value = 0;
        for (int i = 0; i < 4; i++)
        {
            final int digit = Character.digit(p.peek(offset + i), 16);
            if (digit < 0 || p.peek(offset + i) > 0x7f)
            {
                return -1;
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    /** Decodes a backslash-u escape (and a following low surrogate) at the cursor into UTF-8; returns bytes written or -1. */
    private static int unicodeEscape(final Parser p, final byte[] out, final int at)
    {
        int codepoint = hex4(p, 2);
        if (codepoint < 0)
        {
            return -1;
        }
        int escapeLength = 6;
        if ((codepoint & 0xf800) == 0xd800)
        {
            if ((codepoint & 0xfc00) != 0xd800)
            {
                return -1;
            }
            if (p.peek(6) != '\\' || p.peek(7) != 'u')
            {
                return -1;
            }
            final int low = hex4(p, 8);
            if (low < 0 || (low & 0xfc00) != 0xdc00)
            {
                return -1;
            }
            codepoint = (((codepoint & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
            escapeLength = 12;
        }
        final int written;
        if (codepoint <= 0x7f)
        {
            out[at] = (byte) codepoint;
            written = 1;
        }
        else if (codepoint <= 0x7ff)
        {
            out[at] = (byte) (0xc0 | (codepoint >> 6));
            out[at + 1] = (byte) (0x80 | (codepoint & 0x3f));
            written = 2;
        }
        else if (codepoint <= 0xffff)
        {
            out[at] = (byte) (0xe0 | (codepoint >> 12));
            out[at + 1] = (byte) (0x80 | ((codepoint >> 6) & 0x3f));
            out[at + 2] = (byte) (0x80 | (codepoint & 0x3f));
            written = 3;
        }
        else
        {
            out[at] = (byte) (0xf0 | (codepoint >> 18));
            out[at + 1] = (byte) (0x80 | ((codepoint >> 12) & 0x3f));
            out[at + 2] = (byte) (0x80 | ((codepoint >> 6) & 0x3f));
            out[at + 3] = (byte) (0x80 | (codepoint & 0x3f));
            written = 4;
        }
        p.at += escapeLength;
        return written;
    }
}
