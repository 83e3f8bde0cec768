package io.ringkv.replication.replica;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A validating cursor over the members of one JSON object held in a buffer: each {@link #next()} steps to the next
 * member and exposes its name and its value's kind and byte span, so that values can be copied or decoded in place
 * without building a tree. Strings are decoded with {@link #decodeString}; nested objects and arrays are skipped
 * (and validated) as spans. Not threadsafe; reusable via {@link #wrap}.
 */
public final class JsonCursor
{
    public static final int STRING = 1;
    public static final int NUMBER = 2;
    public static final int OBJECT = 3;
    public static final int ARRAY = 4;
    public static final int TRUE = 5;
    public static final int FALSE = 6;
    public static final int NULL = 7;

    /** {@link #frameEnd}: no complete object yet. */
    public static final int INCOMPLETE = -1;
    /** {@link #frameEnd}: the bytes cannot start an object. */
    public static final int NOT_AN_OBJECT = -2;

    private static final int MAX_DEPTH = 128;

    private DirectBuffer buffer;
    private int position;
    private int end;
    private boolean first;
    private String error;

    private int nameStart;
    private int nameEnd;
    private int valueType;
    private int valueStart;
    private int valueEnd;

    /**
     * Framing: where the JSON object beginning at the first non-blank byte at or after {@code from} ends. Only
     * strings and nesting are tracked; {@link #wrap} validates the rest.
     *
     * @return the index after its closing brace, {@link #INCOMPLETE} or {@link #NOT_AN_OBJECT}.
     */
    public static int frameEnd(final DirectBuffer buffer, final int from, final int limit)
    {
        int i = skipBlank(buffer, from, limit);
        if (i == limit)
        {
            return INCOMPLETE;
        }
        if (buffer.getByte(i) != '{')
        {
            return NOT_AN_OBJECT;
        }
        // Bits of 'open' say which bracket each nesting level opened (1 = '['), so that a mismatched closer ends
        // the frame at once (then rejected as invalid JSON) instead of swallowing the messages after it.
        long open = 0;
        int depth = 0;
        boolean inString = false;
        for (; i < limit; i++)
        {
            final byte b = buffer.getByte(i);
            if (inString)
            {
                if (b == '\\')
                {
                    i++;
                }
                else if (b == '"')
                {
                    inString = false;
                }
            }
            else if (b == '"')
            {
                inString = true;
            }
            else if (b == '{' || b == '[')
            {
                if (depth < 64)
                {
                    open = b == '[' ? open | (1L << depth) : open & ~(1L << depth);
                }
                depth++;
            }
            else if (b == '}' || b == ']')
            {
                depth--;
                if (depth < 64 && ((open >>> depth & 1) == 1) != (b == ']'))
                {
                    return i + 1;
                }
                if (depth == 0)
                {
                    return i + 1;
                }
            }
        }
        return INCOMPLETE;
    }

    /**
     * @return index of the first byte at or after {@code from} that is not JSON white space, or {@code limit}.
     */
    public static int skipBlank(final DirectBuffer buffer, final int from, final int limit)
    {
        int i = from;
        while (i < limit)
        {
            final byte b = buffer.getByte(i);
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t')
            {
                break;
            }
            i++;
        }
        return i;
    }

    /**
     * Point the cursor at the object spanning {@code [start, end)} (leading blanks allowed).
     *
     * @return false (see {@link #error()}) when it does not start with '{'.
     */
    public boolean wrap(final DirectBuffer buffer, final int start, final int end)
    {
        this.buffer = buffer;
        this.end = end;
        this.error = null;
        position = skipBlank(buffer, start, end);
        if (position >= end || buffer.getByte(position) != '{')
        {
            return fail("expected '{'");
        }
        position++;
        first = true;
        return true;
    }

    /**
     * Step to the next member.
     *
     * @return true when positioned on a member; false at the end of the object or on an error ({@link #error()}).
     */
    public boolean next()
    {
        if (error != null)
        {
            return false;
        }
        position = skipBlank(buffer, position, end);
        if (position >= end)
        {
            return fail("unterminated object");
        }
        byte b = buffer.getByte(position);
        if (b == '}')
        {
            position++;
            return false;
        }
        if (!first)
        {
            if (b != ',')
            {
                return fail("expected ',' or '}'");
            }
            position = skipBlank(buffer, position + 1, end);
            if (position >= end)
            {
                return fail("unterminated object");
            }
            b = buffer.getByte(position);
        }
        first = false;
        if (b != '"')
        {
            return fail("expected a member name");
        }
        nameStart = position + 1;
        position = skipString(position);
        if (position < 0)
        {
            return fail("unterminated string");
        }
        nameEnd = position - 1;
        position = skipBlank(buffer, position, end);
        if (position >= end || buffer.getByte(position) != ':')
        {
            return fail("expected ':'");
        }
        position = skipBlank(buffer, position + 1, end);
        valueStart = position;
        final int after = skipValue(position, 0);
        if (after < 0)
        {
            return false;
        }
        valueEnd = after;
        position = after;
        return true;
    }

    /**
     * @return why the last call failed, or null.
     */
    public String error()
    {
        return error;
    }

    /**
     * @return index after the object's closing brace, once {@link #next()} has returned false without error.
     */
    public int position()
    {
        return position;
    }

    public boolean nameIs(final String name)
    {
        final int length = nameEnd - nameStart;
        if (length != name.length())
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(nameStart + i) != name.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    public int nameStart()
    {
        return nameStart;
    }

    public int nameEnd()
    {
        return nameEnd;
    }

    public int valueType()
    {
        return valueType;
    }

    public int valueStart()
    {
        return valueStart;
    }

    public int valueEnd()
    {
        return valueEnd;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return true when the current value is a JSON integer without fraction or exponent.
     */
    public boolean valueIsInteger()
    {
        if (valueType != NUMBER)
        {
            return false;
        }
        for (int i = valueStart; i < valueEnd; i++)
        {
            final byte b = buffer.getByte(i);
            if (b == '.' || b == 'e' || b == 'E')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the current value as a long; {@link Long#MIN_VALUE} when it is not an integer that fits.
     */
    public long valueAsLong()
    {
        if (!valueIsInteger())
        {
            return Long.MIN_VALUE;
        }
        try
        {
            return Long.parseLong(buffer.getStringWithoutLengthAscii(valueStart, valueEnd - valueStart));
        }
        catch (final NumberFormatException ex)
        {
            return Long.MIN_VALUE;
        }
    }

    /**
     * Decode the content of a JSON string (between its quotes), {@code [contentStart, contentEnd)}, into
     * {@code out} at {@code outOffset} as UTF-8.
     *
     * @return bytes written, or -1 for an invalid escape.
     */
    public static int decodeString(final DirectBuffer buffer, final int contentStart, final int contentEnd,
        final MutableDirectBuffer out, final int outOffset)
    {
        int o = outOffset;
        for (int i = contentStart; i < contentEnd; i++)
        {
            final byte b = buffer.getByte(i);
            if (b != '\\')
            {
                out.putByte(o++, b);
                continue;
            }
            if (++i >= contentEnd)
            {
                return -1;
            }
            final byte e = buffer.getByte(i);
            switch (e)
            {
                case '"', '\\', '/' -> out.putByte(o++, e);
                case 'b' -> out.putByte(o++, (byte)'\b');
                case 'f' -> out.putByte(o++, (byte)'\f');
                case 'n' -> out.putByte(o++, (byte)'\n');
                case 'r' -> out.putByte(o++, (byte)'\r');
                case 't' -> out.putByte(o++, (byte)'\t');
                case 'u' ->
                {
                    int codePoint = hex4(buffer, i + 1, contentEnd);
                    if (codePoint < 0)
                    {
                        return -1;
                    }
                    i += 4;
                    if (codePoint >= 0xD800 && codePoint <= 0xDBFF)
                    {
                        if (i + 6 >= contentEnd || buffer.getByte(i + 1) != '\\' ||
                            buffer.getByte(i + 2) != 'u')
                        {
                            return -1;
                        }
                        final int low = hex4(buffer, i + 3, contentEnd);
                        if (low < 0xDC00 || low > 0xDFFF)
                        {
                            return -1;
                        }
                        codePoint = 0x10000 + ((codePoint - 0xD800) << 10) + (low - 0xDC00);
                        i += 6;
                    }
                    else if (codePoint >= 0xDC00 && codePoint <= 0xDFFF)
                    {
                        return -1;
                    }
                    o += putUtf8(out, o, codePoint);
                }
                default ->
                {
                    return -1;
                }
            }
        }
        return o - outOffset;
    }

    private static int hex4(final DirectBuffer buffer, final int from, final int limit)
    {
        if (from + 4 > limit)
        {
            return -1;
        }
        int value = 0;
        for (int i = from; i < from + 4; i++)
        {
            final int digit = Character.digit(buffer.getByte(i), 16);
            if (digit < 0)
            {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    private static int putUtf8(final MutableDirectBuffer out, final int o, final int codePoint)
    {
        if (codePoint < 0x80)
        {
            out.putByte(o, (byte)codePoint);
            return 1;
        }
        if (codePoint < 0x800)
        {
            out.putByte(o, (byte)(0xC0 | codePoint >> 6));
            out.putByte(o + 1, (byte)(0x80 | codePoint & 0x3F));
            return 2;
        }
        if (codePoint < 0x10000)
        {
            out.putByte(o, (byte)(0xE0 | codePoint >> 12));
            out.putByte(o + 1, (byte)(0x80 | codePoint >> 6 & 0x3F));
            out.putByte(o + 2, (byte)(0x80 | codePoint & 0x3F));
            return 3;
        }
        out.putByte(o, (byte)(0xF0 | codePoint >> 18));
        out.putByte(o + 1, (byte)(0x80 | codePoint >> 12 & 0x3F));
        out.putByte(o + 2, (byte)(0x80 | codePoint >> 6 & 0x3F));
        out.putByte(o + 3, (byte)(0x80 | codePoint & 0x3F));
        return 4;
    }

    private int skipString(final int quote)
    {
        for (int i = quote + 1; i < end; i++)
        {
            final byte b = buffer.getByte(i);
            if (b == '\\')
            {
                i++;
            }
            else if (b == '"')
            {
                return i + 1;
            }
            else if (b >= 0 && b < 0x20)
            {
                return -1;
            }
        }
        return -1;
    }

    /**
     * Skip one value starting at {@code from}; sets {@link #valueType} for the top value.
     *
     * @return index after it, or -1 with {@link #error} set.
     */
    private int skipValue(final int from, final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            fail("nesting deeper than " + MAX_DEPTH);
            return -1;
        }
        if (from >= end)
        {
            fail("expected a value");
            return -1;
        }
        final byte b = buffer.getByte(from);
        int type;
        int after;
        switch (b)
        {
            case '"' ->
            {
                type = STRING;
                after = skipString(from);
                if (after < 0)
                {
                    fail("unterminated string");
                }
            }
            case '{', '[' ->
            {
                type = b == '{' ? OBJECT : ARRAY;
                after = skipContainer(from, depth, b == '{' ? (byte)'}' : (byte)']', b == '{');
            }
            case 't' ->
            {
                type = TRUE;
                after = literal(from, "true");
            }
            case 'f' ->
            {
                type = FALSE;
                after = literal(from, "false");
            }
            case 'n' ->
            {
                type = NULL;
                after = literal(from, "null");
            }
            default ->
            {
                type = NUMBER;
                after = skipNumber(from);
            }
        }
        if (depth == 0)
        {
            valueType = type;
        }
        return after;
    }

    private int skipContainer(final int open, final int depth, final byte close, final boolean object)
    {
        int i = skipBlank(buffer, open + 1, end);
        if (i < end && buffer.getByte(i) == close)
        {
            return i + 1;
        }
        while (true)
        {
            if (object)
            {
                if (i >= end || buffer.getByte(i) != '"')
                {
                    fail("expected a member name");
                    return -1;
                }
                i = skipString(i);
                if (i < 0)
                {
                    fail("unterminated string");
                    return -1;
                }
                i = skipBlank(buffer, i, end);
                if (i >= end || buffer.getByte(i) != ':')
                {
                    fail("expected ':'");
                    return -1;
                }
                i = skipBlank(buffer, i + 1, end);
            }
            i = skipValue(i, depth + 1);
            if (i < 0)
            {
                return -1;
            }
            i = skipBlank(buffer, i, end);
            if (i >= end)
            {
                fail("unterminated " + (object ? "object" : "array"));
                return -1;
            }
            final byte b = buffer.getByte(i);
            if (b == close)
            {
                return i + 1;
            }
            if (b != ',')
            {
                fail("expected ',' or '" + (char)close + "'");
                return -1;
            }
            i = skipBlank(buffer, i + 1, end);
        }
    }

    private int literal(final int from, final String word)
    {
        if (from + word.length() > end)
        {
            fail("invalid literal");
            return -1;
        }
        for (int i = 0; i < word.length(); i++)
        {
            if (buffer.getByte(from + i) != word.charAt(i))
            {
                fail("invalid literal");
                return -1;
            }
        }
        return from + word.length();
    }

    private int skipNumber(final int from)
    {
        int i = from;
        if (i < end && buffer.getByte(i) == '-')
        {
            i++;
        }
        final int digits = i;
        while (i < end && isDigit(buffer.getByte(i)))
        {
            i++;
        }
        if (i == digits || (buffer.getByte(digits) == '0' && i - digits > 1))
        {
            fail("invalid number");
            return -1;
        }
        if (i < end && buffer.getByte(i) == '.')
        {
            final int fraction = ++i;
            while (i < end && isDigit(buffer.getByte(i)))
            {
                i++;
            }
            if (i == fraction)
            {
                fail("invalid number");
                return -1;
            }
        }
        if (i < end && (buffer.getByte(i) == 'e' || buffer.getByte(i) == 'E'))
        {
            i++;
            if (i < end && (buffer.getByte(i) == '+' || buffer.getByte(i) == '-'))
            {
                i++;
            }
            final int exponent = i;
            while (i < end && isDigit(buffer.getByte(i)))
            {
                i++;
            }
            if (i == exponent)
            {
                fail("invalid number");
                return -1;
            }
        }
        return i;
    }

    private static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    private boolean fail(final String reason)
    {
        if (error == null)
        {
            error = reason + " at byte " + position;
        }
        return false;
    }
}
