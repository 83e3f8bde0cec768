package io.ringkv.core.json;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Validates JSON documents (RFC 8259 grammar) and rewrites them in compact form: the same text without
 * insignificant whitespace. Nothing is parsed into objects: strings, numbers and literals are copied byte for byte
 * once checked, so every JSON value round-trips exactly (any nesting of arrays and objects, numbers of any size and
 * spelling such as {@code 1.10} or {@code -1E+400}, escapes as written). The bytes inside strings are copied as
 * they are; checking that they are UTF-8 is the protocol's job (the JSON-lines scanner does it).
 * <p>
 * Not threadsafe: the engine thread owns one. Allocates nothing once its buffers are large enough; nesting is
 * tracked in a bit stack, so depth costs no recursion.
 */
public final class JsonDocuments
{
    /** Returned by {@link #compact} for input that is not exactly one JSON value. */
    public static final int INVALID = -1;
    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 1024;

    private static final int RETAINED_CAPACITY = 1024 * 1024;

    /** Bit i set: the container at depth i is an object, else an array. */
    private final long[] objectAtDepth = new long[MAX_DEPTH / Long.SIZE];
    private ExpandableDirectByteBuffer compacted = new ExpandableDirectByteBuffer(256);
    private DirectBuffer source;
    private MutableDirectBuffer out;
    private int position;
    private int end;
    private int outIndex;
    private String lastError = "";

    /**
     * Check that {@code length} bytes are exactly one JSON value (whitespace around it allowed) and write its
     * compact text to {@link #compacted()}.
     *
     * @param source buffer holding the JSON text.
     * @param offset of its first byte.
     * @param length of the text.
     * @return the compact length, or {@link #INVALID} ({@link #lastError()} then says why).
     */
    public int compact(final DirectBuffer source, final int offset, final int length)
    {
        if (compacted.capacity() > RETAINED_CAPACITY && length <= RETAINED_CAPACITY)
        {
            BufferUtil.free(compacted.byteBuffer());
            compacted = new ExpandableDirectByteBuffer(256);
        }
        compacted.checkLimit(length); // compact text is never longer than its source
        this.source = source;
        this.out = compacted;
        this.position = offset;
        this.end = offset + length;
        this.outIndex = 0;
        try
        {
            if (!scanDocument())
            {
                return INVALID;
            }
            return outIndex;
        }
        finally
        {
            this.source = null;
        }
    }

    /**
     * @return the compact text of the last valid document, from index 0.
     */
    public DirectBuffer compacted()
    {
        return compacted;
    }

    /**
     * @return why the last {@link #compact} returned {@link #INVALID}.
     */
    public String lastError()
    {
        return lastError;
    }

    private boolean scanDocument()
    {
        final int start = position;
        int depth = 0;
        skipWhitespace();
        while (true)
        {
            // A value is expected here.
            if (position >= end)
            {
                return fail("unexpected end of input", start);
            }
            final byte b = source.getByte(position);
            if (b == '{' || b == '[')
            {
                if (depth == MAX_DEPTH)
                {
                    return fail("nesting deeper than " + MAX_DEPTH, start);
                }
                final boolean object = b == '{';
                emit(b);
                position++;
                skipWhitespace();
                if (position < end && source.getByte(position) == (object ? '}' : ']'))
                {
                    emit(source.getByte(position++));
                }
                else
                {
                    setObject(depth++, object);
                    if (object && !scanMemberName(start))
                    {
                        return false;
                    }
                    continue;
                }
            }
            else if (!scanScalar(b, start))
            {
                return false;
            }
            // After a value: close containers, or go on to the next element or member.
            while (true)
            {
                skipWhitespace();
                if (depth == 0)
                {
                    if (position != end)
                    {
                        return fail("unexpected content after the JSON value", start);
                    }
                    return true;
                }
                if (position >= end)
                {
                    return fail("unexpected end of input", start);
                }
                final boolean object = isObject(depth - 1);
                final byte next = source.getByte(position);
                if (next == (object ? '}' : ']'))
                {
                    emit(next);
                    position++;
                    depth--;
                    continue;
                }
                if (next != ',')
                {
                    return fail(object ? "expected ',' or '}'" : "expected ',' or ']'", start);
                }
                emit(next);
                position++;
                skipWhitespace();
                if (object && !scanMemberName(start))
                {
                    return false;
                }
                break;
            }
        }
    }

    /**
     * An object member's name and its colon, whitespace skipped after both.
     */
    private boolean scanMemberName(final int start)
    {
        if (position >= end || source.getByte(position) != '"')
        {
            return fail("expected a member name", start);
        }
        if (!scanString(start))
        {
            return false;
        }
        skipWhitespace();
        if (position >= end || source.getByte(position) != ':')
        {
            return fail("expected ':'", start);
        }
        emit((byte)':');
        position++;
        skipWhitespace();
        return true;
    }

    private boolean scanScalar(final byte b, final int start)
    {
        switch (b)
        {
            case '"':
                return scanString(start);
            case 't':
                return scanLiteral("true", start);
            case 'f':
                return scanLiteral("false", start);
            case 'n':
                return scanLiteral("null", start);
            default:
                if (b == '-' || (b >= '0' && b <= '9'))
                {
                    return scanNumber(start);
                }
                return fail("unexpected character", start);
        }
    }

    private boolean scanLiteral(final String literal, final int start)
    {
        final int length = literal.length();
        if (end - position < length)
        {
            return fail("invalid literal", start);
        }
        for (int i = 0; i < length; i++)
        {
            if (source.getByte(position + i) != literal.charAt(i))
            {
                return fail("invalid literal", start);
            }
        }
        copy(position, length);
        position += length;
        return true;
    }

    /**
     * RFC 8259's number: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}, copied as written.
     */
    private boolean scanNumber(final int start)
    {
        final int first = position;
        int i = position;
        if (source.getByte(i) == '-')
        {
            i++;
        }
        if (i >= end || !isDigit(source.getByte(i)))
        {
            return fail("invalid number", start);
        }
        if (source.getByte(i) == '0')
        {
            i++;
        }
        else
        {
            while (i < end && isDigit(source.getByte(i)))
            {
                i++;
            }
        }
        if (i < end && source.getByte(i) == '.')
        {
            i++;
            if (i >= end || !isDigit(source.getByte(i)))
            {
                return fail("invalid number", start);
            }
            while (i < end && isDigit(source.getByte(i)))
            {
                i++;
            }
        }
        if (i < end && (source.getByte(i) == 'e' || source.getByte(i) == 'E'))
        {
            i++;
            if (i < end && (source.getByte(i) == '+' || source.getByte(i) == '-'))
            {
                i++;
            }
            if (i >= end || !isDigit(source.getByte(i)))
            {
                return fail("invalid number", start);
            }
            while (i < end && isDigit(source.getByte(i)))
            {
                i++;
            }
        }
        copy(first, i - first);
        position = i;
        return true;
    }

    /**
     * A string from its opening quote: no raw control characters, only RFC 8259's escapes ({@code \"  \\  \/  \b
     * \f  \n  \r  \t  \\uXXXX}); copied as written.
     */
    private boolean scanString(final int start)
    {
        final int first = position;
        int i = position + 1;
        while (true)
        {
            if (i >= end)
            {
                return fail("unterminated string", start);
            }
            final byte b = source.getByte(i);
            if (b == '"')
            {
                break;
            }
            if ((b & 0xFF) < 0x20)
            {
                return fail("control character in string", start);
            }
            if (b == '\\')
            {
                if (i + 1 >= end)
                {
                    return fail("unterminated string", start);
                }
                final byte escaped = source.getByte(i + 1);
                if (escaped == 'u')
                {
                    if (i + 6 > end)
                    {
                        return fail("invalid \\u escape", start);
                    }
                    for (int h = i + 2; h < i + 6; h++)
                    {
                        if (!isHexDigit(source.getByte(h)))
                        {
                            return fail("invalid \\u escape", start);
                        }
                    }
                    i += 6;
                    continue;
                }
                if (escaped != '"' && escaped != '\\' && escaped != '/' && escaped != 'b' && escaped != 'f' &&
                    escaped != 'n' && escaped != 'r' && escaped != 't')
                {
                    return fail("invalid escape", start);
                }
                i += 2;
                continue;
            }
            i++;
        }
        copy(first, i + 1 - first);
        position = i + 1;
        return true;
    }

    private void skipWhitespace()
    {
        int i = position;
        while (i < end)
        {
            final byte b = source.getByte(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r')
            {
                break;
            }
            i++;
        }
        position = i;
    }

    private void emit(final byte b)
    {
        out.putByte(outIndex++, b);
    }

    private void copy(final int from, final int length)
    {
        out.putBytes(outIndex, source, from, length);
        outIndex += length;
    }

    private void setObject(final int depth, final boolean object)
    {
        final long bit = 1L << depth;
        final int word = depth >>> 6;
        objectAtDepth[word] = object ? objectAtDepth[word] | bit : objectAtDepth[word] & ~bit;
    }

    private boolean isObject(final int depth)
    {
        return (objectAtDepth[depth >>> 6] & (1L << depth)) != 0;
    }

    private boolean fail(final String reason, final int start)
    {
        lastError = reason + " at position " + (position - start);
        return false;
    }

    private static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    private static boolean isHexDigit(final byte b)
    {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }
}
