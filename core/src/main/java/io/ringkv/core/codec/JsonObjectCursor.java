package io.ringkv.core.codec;

import org.agrona.DirectBuffer;

/**
 * Walks the members of one JSON object held in a buffer: each {@link #next()} validates the next member with a
 * {@link JsonScanner} and exposes its name, its value's {@link #valueType() type} and byte span, so values can be
 * copied, decoded or parsed in place without building a tree. Allocates nothing on valid input.
 * <pre>
 * if (cursor.wrap(buffer, start, end))
 * {
 *     while (cursor.next())
 *     {
 *         if (cursor.nameIs("key")) ...
 *     }
 * }
 * if (cursor.error() != null) ... // invalid JSON
 * </pre>
 * Not threadsafe: one per parsing thread, reused with {@link #wrap}.
 */
public final class JsonObjectCursor
{
    /** {@link #valueType()} of a string. Zero is no type, for callers that keep "absent" in the same field. */
    public static final int STRING = 1;
    /** {@link #valueType()} of a number. */
    public static final int NUMBER = 2;
    /** {@link #valueType()} of an object. */
    public static final int OBJECT = 3;
    /** {@link #valueType()} of an array. */
    public static final int ARRAY = 4;
    /** {@link #valueType()} of {@code true}. */
    public static final int TRUE = 5;
    /** {@link #valueType()} of {@code false}. */
    public static final int FALSE = 6;
    /** {@link #valueType()} of {@code null}. */
    public static final int NULL = 7;

    /** {@link #frameEnd}: no complete object yet. */
    public static final int INCOMPLETE = -1;
    /** {@link #frameEnd}: the bytes cannot start an object. */
    public static final int NOT_AN_OBJECT = -2;

    private final JsonScanner scanner;
    private DirectBuffer buffer;
    private int position;
    private int end;
    private boolean first;
    private boolean failed;

    private int nameStart;
    private int nameEnd;
    private int valueType;
    private int valueStart;
    private int valueEnd;
    private boolean valueIsInteger;

    /**
     * A cursor whose scanner accepts nesting up to {@link JsonScanner#MAX_DEPTH}, the object itself counting as one.
     */
    public JsonObjectCursor()
    {
        this(JsonScanner.MAX_DEPTH);
    }

    /**
     * @param maxDepth deepest nesting accepted, the object itself counting as one.
     */
    public JsonObjectCursor(final int maxDepth)
    {
        scanner = new JsonScanner(maxDepth);
    }

    /**
     * Framing for a stream of objects: where the object beginning at the first non-blank byte at or after
     * {@code from} ends. Only strings and nesting are tracked; {@link #wrap} and {@link #next} validate the rest.
     *
     * @return the index after its closing brace, {@link #INCOMPLETE} or {@link #NOT_AN_OBJECT}.
     */
    public static int frameEnd(final DirectBuffer buffer, final int from, final int limit)
    {
        int i = JsonScanner.skipWhitespace(buffer, from, limit);
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
     * Point the cursor at the object spanning {@code [start, end)} (blanks around it allowed); error offsets are
     * counted from {@code start}.
     *
     * @return false (see {@link #error()}) when it does not start with '{'.
     */
    public boolean wrap(final DirectBuffer buffer, final int start, final int end)
    {
        this.buffer = buffer;
        this.end = end;
        failed = false;
        scanner.wrap(buffer, start);
        position = scanner.skipWhitespace(start, end);
        if (position >= end || buffer.getByte(position) != '{')
        {
            return fail("expected '{'", position);
        }
        position++;
        first = true;
        return true;
    }

    /**
     * Step to the next member, validating it whole.
     *
     * @return true when positioned on a member; false at the end of the object or on an error ({@link #error()}).
     */
    public boolean next()
    {
        if (failed)
        {
            return false;
        }
        final JsonScanner scanner = this.scanner;
        int p = scanner.skipWhitespace(position, end);
        if (p < end && buffer.getByte(p) == '}')
        {
            position = p + 1;
            return false;
        }
        if (!first)
        {
            if (p >= end || buffer.getByte(p) != ',')
            {
                return fail("expected ',' or '}'", p);
            }
            p = scanner.skipWhitespace(p + 1, end);
        }
        first = false;
        if (p >= end || buffer.getByte(p) != '"')
        {
            return fail("expected a field name", p);
        }
        final int nameEnd = scanner.scanString(p, end);
        if (nameEnd < 0)
        {
            return failed();
        }
        nameStart = p + 1;
        this.nameEnd = nameEnd - 1;
        p = scanner.skipWhitespace(nameEnd, end);
        if (p >= end || buffer.getByte(p) != ':')
        {
            return fail("expected ':'", p);
        }
        p = scanner.skipWhitespace(p + 1, end);
        final int after = scanner.skipValue(p, end, 1);
        if (after < 0)
        {
            return failed();
        }
        valueType = typeOf(buffer.getByte(p));
        valueIsInteger = valueType == NUMBER && scanner.numberIsInteger();
        valueStart = p;
        valueEnd = after;
        position = after;
        return true;
    }

    /**
     * @return {@code <reason> at byte <offset from the wrapped start>} when the object is not valid JSON, or null.
     */
    public String error()
    {
        return failed ? scanner.errorReason() + " at byte " + scanner.errorOffset() : null;
    }

    /**
     * @return index after the object's closing brace, once {@link #next()} has returned false without error.
     */
    public int position()
    {
        return position;
    }

    /**
     * @param name ASCII name to compare with.
     * @return true when the current member's name, as written (escapes not decoded), is {@code name}.
     */
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

    /**
     * @return index of the first byte of the current member's name, after its opening quote.
     */
    public int nameStart()
    {
        return nameStart;
    }

    /**
     * @return index of the closing quote of the current member's name.
     */
    public int nameEnd()
    {
        return nameEnd;
    }

    /**
     * @return {@link #STRING} ... {@link #NULL}.
     */
    public int valueType()
    {
        return valueType;
    }

    /**
     * @return index of the current value's first byte (a string's opening quote).
     */
    public int valueStart()
    {
        return valueStart;
    }

    /**
     * @return index after the current value's last byte.
     */
    public int valueEnd()
    {
        return valueEnd;
    }

    /**
     * @return the buffer being walked.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return true when the current value is a JSON number without fraction or exponent.
     */
    public boolean valueIsInteger()
    {
        return valueIsInteger;
    }

    /**
     * @return the current value as a long; {@link Long#MIN_VALUE} when it is not an integer that fits.
     */
    public long valueAsLong()
    {
        return valueIsInteger && scanner.parseLong(valueStart, valueEnd) ? scanner.longValue() : Long.MIN_VALUE;
    }

    /**
     * @return the scanner positioned on the wrapped buffer, to decode or parse the spans this cursor found.
     */
    public JsonScanner scanner()
    {
        return scanner;
    }

    private static int typeOf(final byte first)
    {
        return switch (first)
        {
            case '"' -> STRING;
            case '{' -> OBJECT;
            case '[' -> ARRAY;
            case 't' -> TRUE;
            case 'f' -> FALSE;
            case 'n' -> NULL;
            default -> NUMBER;
        };
    }

    private boolean fail(final String reason, final int index)
    {
        scanner.fail(reason, index);
        return failed();
    }

    private boolean failed()
    {
        failed = true;
        return false;
    }
}
