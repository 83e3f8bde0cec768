package io.ringkv.net.jsonline;

import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A validating JSON scanner over one line of a direct buffer: RFC 8259 grammar, strict UTF-8 inside strings,
 * {@code \\u} surrogate pairs, a nesting limit. It finds where values end, decodes strings and writes compact
 * text into a scratch buffer, and never builds a tree, so valid input allocates nothing. The first error is
 * kept as a reason and a byte offset within the line ({@link #errorText()}).
 * <p>
 * Not threadsafe: one per {@link JsonLineParser}.
 */
final class JsonScanner
{
    /** Returned by scanning methods when the input is not valid JSON. */
    static final int FAILED = -1;
    /** Deepest nesting of arrays and objects accepted. */
    static final int MAX_DEPTH = 128;

    private static final byte[] BASE64_KEY = "\"$base64\"".getBytes(StandardCharsets.US_ASCII);

    private MutableDirectBuffer line;
    private int lineStart;
    private String errorReason;
    private int errorIndex;
    private boolean numberIsInteger;

    /**
     * Scan a new line.
     *
     * @param line      buffer holding it.
     * @param lineStart index of its first byte (error offsets are counted from here).
     */
    void wrap(final MutableDirectBuffer line, final int lineStart)
    {
        this.line = line;
        this.lineStart = lineStart;
        errorReason = null;
    }

    /**
     * @return true when the last {@link #scanNumber(int, int)} (or number {@link #skipValue}) was an integer:
     * no fraction, no exponent.
     */
    boolean numberIsInteger()
    {
        return numberIsInteger;
    }

    /**
     * @return {@code ERR invalid JSON: <reason> at byte <offset in the line>} for the first error found.
     */
    String errorText()
    {
        return "ERR invalid JSON: " + errorReason + " at byte " + (errorIndex - lineStart);
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
    int compact(final int start, final int end, final MutableDirectBuffer scratch, final int destination)
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
     * @return the index after it, or {@link #FAILED} with {@link #errorText()} set.
     */
    int skipValue(final int p, final int end, final int depth)
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
        if (depth >= MAX_DEPTH)
        {
            return fail("nesting deeper than " + MAX_DEPTH, start);
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
    int scanNumber(final int start, final int end)
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
    int scanString(final int quoteIndex, final int end)
    {
        final MutableDirectBuffer line = this.line;
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
        if (index + 4 > limit)
        {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < 4; i++)
        {
            final int c = line.getByte(index + i);
            final int digit;
            if (c >= '0' && c <= '9')
            {
                digit = c - '0';
            }
            else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            {
                digit = (c | 0x20) - 'a' + 10;
            }
            else
            {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    private int hex4(final int index)
    {
        return hex4Checked(index, Integer.MAX_VALUE);
    }

    int skipWhitespace(final int from, final int end)
    {
        int p = from;
        while (p < end && isWhitespace(line.getByte(p)))
        {
            p++;
        }
        return p;
    }

    static boolean isWhitespace(final byte c)
    {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isDigit(final byte c)
    {
        return c >= '0' && c <= '9';
    }

    int fail(final String reason, final int index)
    {
        errorReason = reason;
        errorIndex = index;
        return FAILED;
    }

    private static int putUtf8(final MutableDirectBuffer scratch, final int index, final int codePoint)
    {
        if (codePoint < 0x80)
        {
            scratch.putByte(index, (byte)codePoint);
            return 1;
        }
        if (codePoint < 0x800)
        {
            scratch.putByte(index, (byte)(0xC0 | (codePoint >> 6)));
            scratch.putByte(index + 1, (byte)(0x80 | (codePoint & 0x3F)));
            return 2;
        }
        if (codePoint < 0x10000)
        {
            scratch.putByte(index, (byte)(0xE0 | (codePoint >> 12)));
            scratch.putByte(index + 1, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
            scratch.putByte(index + 2, (byte)(0x80 | (codePoint & 0x3F)));
            return 3;
        }
        scratch.putByte(index, (byte)(0xF0 | (codePoint >> 18)));
        scratch.putByte(index + 1, (byte)(0x80 | ((codePoint >> 12) & 0x3F)));
        scratch.putByte(index + 2, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
        scratch.putByte(index + 3, (byte)(0x80 | (codePoint & 0x3F)));
        return 4;
    }

    /**
     * Decode a validated JSON string (escapes, surrogate pairs) into {@code scratch}, which grows as needed.
     *
     * @return number of bytes written at {@code destination}.
     */
    int decodeString(final int quoteIndex, final MutableDirectBuffer scratch, final int destination)
    {
        final MutableDirectBuffer line = this.line;
        final int end = scanString(quoteIndex, Integer.MAX_VALUE) - 1;
        scratch.checkLimit(destination + (end - quoteIndex));
        int w = destination;
        int i = quoteIndex + 1;
        while (i < end)
        {
            final byte c = line.getByte(i);
            if (c != '\\')
            {
                scratch.putByte(w++, c);
                i++;
                continue;
            }
            final byte escaped = line.getByte(i + 1);
            i += 2;
            switch (escaped)
            {
                case 'b' -> scratch.putByte(w++, (byte)'\b');
                case 'f' -> scratch.putByte(w++, (byte)'\f');
                case 'n' -> scratch.putByte(w++, (byte)'\n');
                case 'r' -> scratch.putByte(w++, (byte)'\r');
                case 't' -> scratch.putByte(w++, (byte)'\t');
                case 'u' ->
                {
                    int codePoint = hex4(i);
                    i += 4;
                    if (Character.isHighSurrogate((char)codePoint))
                    {
                        codePoint = Character.toCodePoint((char)codePoint, (char)hex4(i + 2));
                        i += 6;
                    }
                    w += putUtf8(scratch, w, codePoint);
                }
                default -> scratch.putByte(w++, escaped);
            }
        }
        return w - destination;
    }

    /**
     * @return index of the opening quote of the string in an object that is exactly {@code {"$base64":"..."}},
     * or -1.
     */
    int base64Content(final int start, final int end)
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
