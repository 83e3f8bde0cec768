package io.ringkv.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The JSON reader of the JSON-lines protocol, the replication stream and stored documents (which it validates
 * before {@code core/json} re-serializes them): validates JSON text in place in a buffer (RFC 8259 grammar,
 * strict UTF-8 inside strings, well-formed escapes, paired {@code \\u} surrogates, a nesting limit). It finds
 * where values end, decodes strings, parses integers and writes compact text, and never builds a tree, so valid
 * input allocates nothing. The first error is kept as a reason and a byte offset from the wrapped start
 * ({@link #errorText()}).
 * <p>
 * Scanning methods take the index to start at and the index their value must end before, and return the index
 * after the value or {@link #FAILED}. {@link JsonObjectCursor} walks an object's members with it.
 * <p>
 * Not threadsafe: one per parsing thread (a connection's parser, a replication link), reused with {@link #wrap}.
 */
public final class JsonScanner
{
    /** Returned by scanning methods when the input is not valid JSON. */
    public static final int FAILED = -1;
    /** Deepest nesting of arrays and objects accepted by default. */
    public static final int MAX_DEPTH = 128;

    private static final byte[] BASE64_KEY = "\"$base64\"".getBytes(StandardCharsets.US_ASCII);

    private final int maxDepth;
    private final String depthError;
    private DirectBuffer line;
    private int lineStart;
    private String errorReason;
    private int errorIndex;
    private boolean numberIsInteger;
    private long longValue;

    /**
     * A scanner that accepts nesting up to {@link #MAX_DEPTH}.
     */
    public JsonScanner()
    {
        this(MAX_DEPTH);
    }

    /**
     * @param maxDepth deepest nesting of arrays and objects accepted: the limit keeps the recursion of
     *                 {@link #skipValue} bounded.
     */
    public JsonScanner(final int maxDepth)
    {
        this.maxDepth = maxDepth;
        depthError = "nesting deeper than " + maxDepth;
    }

    /**
     * Scan new text.
     *
     * @param line      buffer holding it.
     * @param lineStart index of its first byte (error offsets are counted from here).
     */
    public void wrap(final DirectBuffer line, final int lineStart)
    {
        this.line = line;
        this.lineStart = lineStart;
        errorReason = null;
    }

    /**
     * @return the buffer being scanned.
     */
    public DirectBuffer buffer()
    {
        return line;
    }

    /**
     * @return true when the last {@link #scanNumber(int, int)} (or number {@link #skipValue}) was an integer:
     * no fraction, no exponent.
     */
    public boolean numberIsInteger()
    {
        return numberIsInteger;
    }

    /**
     * @return {@code ERR invalid JSON: <reason> at byte <offset>} for the first error found.
     */
    public String errorText()
    {
        return "ERR invalid JSON: " + errorReason + " at byte " + errorOffset();
    }

    /**
     * @return why scanning failed (a constant text), or null when it has not since {@link #wrap}.
     */
    public String errorReason()
    {
        return errorReason;
    }

    /**
     * @return where scanning failed, counted from the wrapped start.
     */
    public int errorOffset()
    {
        return errorIndex - lineStart;
    }

    /**
     * Parse a number that {@link #skipValue} or {@link #scanNumber} accepted as a 64-bit integer, without
     * allocating; the value is then {@link #longValue()}.
     *
     * @param start index of the number's first byte.
     * @param end   index after its last byte.
     * @return false when it has a fraction or an exponent, or does not fit in a long.
     */
    public boolean parseLong(final int start, final int end)
    {
        final DirectBuffer line = this.line;
        if (start >= end || scanNumber(start, end) != end || !numberIsInteger)
        {
            return false;
        }
        final boolean negative = line.getByte(start) == '-';
        long value = 0; // accumulated negatively: Long.MIN_VALUE has no positive counterpart
        for (int i = negative ? start + 1 : start; i < end; i++)
        {
            final int digit = line.getByte(i) - '0';
            if (value < (Long.MIN_VALUE + digit) / 10)
            {
                return false;
            }
            value = value * 10 - digit;
        }
        if (!negative)
        {
            if (value == Long.MIN_VALUE)
            {
                return false;
            }
            value = -value;
        }
        longValue = value;
        return true;
    }

    /**
     * @return the value of the last {@link #parseLong} that returned true.
     */
    public long longValue()
    {
        return longValue;
    }

    /**
     * Copy a validated value without the white space outside its strings.
     *
     * @param start       index of the value's first byte.
     * @param end         index after its last byte.
     * @param scratch     to write to; grows as needed.
     * @param destination index in scratch.
     * @return bytes written.
     */
    public int compact(final int start, final int end, final MutableDirectBuffer scratch, final int destination)
    {
        scratch.checkLimit(destination + (end - start));
        int w = destination;
        int i = start;
        while (i < end)
        {
            final byte c = line.getByte(i);
            if (c == '"')
            {
                final int stringEnd = scanString(i, end);
                scratch.putBytes(w, line, i, stringEnd - i);
                w += stringEnd - i;
                i = stringEnd;
            }
            else
            {
                if (!isWhitespace(c))
                {
                    scratch.putByte(w++, c);
                }
                i++;
            }
        }
        return w - destination;
    }

    /**
     * Validate the JSON value at {@code p}.
     *
     * @param p     index of its first byte (not white space).
     * @param end   index it must end before.
     * @param depth nesting level of the value: 0 at the top, 1 for a member of a top-level object.
     * @return the index after it, or {@link #FAILED} with {@link #errorText()} set.
     */
    public int skipValue(final int p, final int end, final int depth)
    {
        if (p >= end)
        {
            return fail("expected a value", p);
        }
        final byte c = line.getByte(p);
        switch (c)
        {
            case '"':
                return scanString(p, end);
            case '{':
            case '[':
                return skipContainer(p, end, depth, c == '{');
            case 't':
                return literal(p, end, "true");
            case 'f':
                return literal(p, end, "false");
            case 'n':
                return literal(p, end, "null");
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return scanNumber(p, end);
                }
                return fail("unexpected character", p);
        }
    }

    private int skipContainer(final int start, final int end, final int depth, final boolean object)
    {
        if (depth >= maxDepth)
        {
            return fail(depthError, start);
        }
        final byte close = object ? (byte)'}' : (byte)']';
        int p = skipWhitespace(start + 1, end);
        if (p < end && line.getByte(p) == close)
        {
            return p + 1;
        }
        while (true)
        {
            if (object)
            {
                if (p >= end || line.getByte(p) != '"')
                {
                    return fail("expected a field name", p);
                }
                p = scanString(p, end);
                if (p < 0)
                {
                    return FAILED;
                }
                p = skipWhitespace(p, end);
                if (p >= end || line.getByte(p) != ':')
                {
                    return fail("expected ':'", p);
                }
                p = skipWhitespace(p + 1, end);
            }
            p = skipValue(p, end, depth + 1);
            if (p < 0)
            {
                return FAILED;
            }
            p = skipWhitespace(p, end);
            if (p < end && line.getByte(p) == ',')
            {
                p = skipWhitespace(p + 1, end);
                continue;
            }
            if (p < end && line.getByte(p) == close)
            {
                return p + 1;
            }
            return fail(object ? "expected ',' or '}'" : "expected ',' or ']'", p);
        }
    }

    private int literal(final int p, final int end, final String text)
    {
        final int length = text.length();
        if (end - p < length)
        {
            return fail("invalid literal", p);
        }
        for (int i = 0; i < length; i++)
        {
            if (line.getByte(p + i) != text.charAt(i))
            {
                return fail("invalid literal", p);
            }
        }
        return p + length;
    }

    /**
     * Validate a JSON number, setting {@link #numberIsInteger}.
     *
     * @return the index after it, or {@link #FAILED}.
     */
    public int scanNumber(final int start, final int end)
    {
        int p = start;
        numberIsInteger = true;
        if (line.getByte(p) == '-')
        {
            p++;
        }
        if (p >= end || !isDigit(line.getByte(p)))
        {
            return fail("invalid number", start);
        }
        if (line.getByte(p) == '0')
        {
            p++;
        }
        else
        {
            while (p < end && isDigit(line.getByte(p)))
            {
                p++;
            }
        }
        if (p < end && line.getByte(p) == '.')
        {
            numberIsInteger = false;
            p++;
            if (p >= end || !isDigit(line.getByte(p)))
            {
                return fail("invalid number", start);
            }
            while (p < end && isDigit(line.getByte(p)))
            {
                p++;
            }
        }
        if (p < end && (line.getByte(p) | 0x20) == 'e')
        {
            numberIsInteger = false;
            p++;
            if (p < end && (line.getByte(p) == '+' || line.getByte(p) == '-'))
            {
                p++;
            }
            if (p >= end || !isDigit(line.getByte(p)))
            {
                return fail("invalid number", start);
            }
            while (p < end && isDigit(line.getByte(p)))
            {
                p++;
            }
        }
        return p;
    }

    /**
     * Validate a JSON string starting at its opening quote: escapes, \\u surrogate pairs, strict UTF-8, no raw
     * control characters.
     *
     * @return the index after its closing quote, or {@link #FAILED}.
     */
    public int scanString(final int quoteIndex, final int end)
    {
        final DirectBuffer line = this.line;
        final int limit = Math.min(end, line.capacity());
        int p = quoteIndex + 1;
        while (p < limit)
        {
            final byte c = line.getByte(p);
            if (c == '"')
            {
                return p + 1;
            }
            if (c == '\\')
            {
                if (p + 1 >= limit)
                {
                    break;
                }
                final byte escaped = line.getByte(p + 1);
                if (escaped == 'u')
                {
                    final int unit = hex4Checked(p + 2, limit);
                    if (unit < 0)
                    {
                        return fail("invalid \\u escape", p);
                    }
                    if (Character.isHighSurrogate((char)unit))
                    {
                        if (p + 7 >= limit || line.getByte(p + 6) != '\\' || line.getByte(p + 7) != 'u' ||
                            !Character.isLowSurrogate((char)hex4Checked(p + 8, limit)))
                        {
                            return fail("unpaired surrogate in \\u escape", p);
                        }
                        p += 12;
                    }
                    else if (Character.isLowSurrogate((char)unit))
                    {
                        return fail("unpaired surrogate in \\u escape", p);
                    }
                    else
                    {
                        p += 6;
                    }
                    continue;
                }
                if (escaped != '"' && escaped != '\\' && escaped != '/' && escaped != 'b' && escaped != 'f' &&
                    escaped != 'n' && escaped != 'r' && escaped != 't')
                {
                    return fail("invalid escape", p);
                }
                p += 2;
                continue;
            }
            if (c >= 0 && c < 0x20)
            {
                return fail("control character in string", p);
            }
            if (c < 0)
            {
                final int length = Utf8.sequenceLength(line, p, limit);
                if (length < 0)
                {
                    return fail("invalid UTF-8", p);
                }
                p += length;
                continue;
            }
            p++;
        }
        return fail("unterminated string", quoteIndex);
    }

    private int hex4Checked(final int index, final int limit)
    {
        return index + 4 > limit ? -1 : JsonString.hex4(line, index);
    }

    /**
     * @return index of the first byte at or after {@code from} that is not JSON white space, or {@code end}.
     */
    public int skipWhitespace(final int from, final int end)
    {
        return skipWhitespace(line, from, end);
    }

    /**
     * @return index of the first byte at or after {@code from} that is not JSON white space, or {@code end}.
     */
    public static int skipWhitespace(final DirectBuffer buffer, final int from, final int end)
    {
        int p = from;
        while (p < end && isWhitespace(buffer.getByte(p)))
        {
            p++;
        }
        return p;
    }

    /**
     * @return true for the four JSON white-space bytes.
     */
    public static boolean isWhitespace(final byte c)
    {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isDigit(final byte c)
    {
        return c >= '0' && c <= '9';
    }

    /**
     * Record an error found by the caller (a grammar above JSON's, e.g. a request's shape) like the scanner's own.
     *
     * @param reason constant text.
     * @param index  where it was found.
     * @return {@link #FAILED}.
     */
    public int fail(final String reason, final int index)
    {
        errorReason = reason;
        errorIndex = index;
        return FAILED;
    }

    /**
     * Decode a validated JSON string (escapes, surrogate pairs) into {@code scratch}, which grows as needed.
     *
     * @param quoteIndex  index of its opening quote.
     * @param scratch     to write to.
     * @param destination index in scratch.
     * @return number of bytes written at {@code destination}.
     */
    public int decodeString(final int quoteIndex, final MutableDirectBuffer scratch, final int destination)
    {
        final int end = scanString(quoteIndex, Integer.MAX_VALUE) - 1;
        scratch.checkLimit(destination + (end - quoteIndex));
        return JsonString.unescape(line, quoteIndex + 1, end, scratch, destination);
    }

    /**
     * @return index of the opening quote of the string in an object that is exactly {@code {"$base64":"..."}},
     * or -1.
     */
    public int base64Content(final int start, final int end)
    {
        int p = skipWhitespace(start + 1, end);
        for (final byte b : BASE64_KEY)
        {
            if (p >= end || line.getByte(p) != b)
            {
                return -1;
            }
            p++;
        }
        p = skipWhitespace(p, end);
        if (p >= end || line.getByte(p) != ':')
        {
            return -1;
        }
        p = skipWhitespace(p + 1, end);
        if (p >= end || line.getByte(p) != '"')
        {
            return -1;
        }
        final int quote = p;
        p = skipWhitespace(scanString(p, end), end);
        return p == end - 1 && line.getByte(p) == '}' ? quote : -1;
    }
}
