package io.ringkv.loadgen.protocol;

import java.nio.ByteBuffer;

/**
 * Parses JSON-lines replies: one JSON object per line. The reply is an error when its object has a top-level
 * {@code "error"} member ({@code {"error":"ERR ..."}}, perhaps with an {@code "id"}); the error text is its
 * string's raw bytes; it is nil when its top-level {@code "value"} is {@code null}. Values are skipped by structure, not decoded. Not threadsafe: one per connection.
 */
public final class JsonLineReplyParser implements ReplyParser
{
    private boolean error;
    private boolean nil;
    private int errorIndex;
    private int errorLength;

    @Override
    public int parse(final ByteBuffer buffer, final int index, final int limit)
    {
        error = false;
        nil = false;
        int lineEnd = -1;
        for (int i = index; i < limit; i++)
        {
            if (buffer.get(i) == '\n')
            {
                lineEnd = i;
                break;
            }
        }
        if (lineEnd < 0)
        {
            return NEED_MORE;
        }
        return object(buffer, index, lineEnd) ? lineEnd + 1 : MALFORMED;
    }

    @Override
    public boolean isError()
    {
        return error;
    }

    @Override
    public boolean isNil()
    {
        return nil;
    }

    @Override
    public int errorIndex()
    {
        return errorIndex;
    }

    @Override
    public int errorLength()
    {
        return errorLength;
    }

    private boolean object(final ByteBuffer buffer, final int index, final int end)
    {
        int i = skipSpace(buffer, index, end);
        if (i >= end || buffer.get(i) != '{')
        {
            return false;
        }
        i = skipSpace(buffer, i + 1, end);
        if (i < end && buffer.get(i) == '}')
        {
            return skipSpace(buffer, i + 1, end) == end;
        }
        while (true)
        {
            if (i >= end || buffer.get(i) != '"')
            {
                return false;
            }
            final int keyStart = i + 1;
            final int keyEnd = skipString(buffer, i, end);
            if (keyEnd < 0)
            {
                return false;
            }
            final boolean isErrorKey = keyEnd - 1 - keyStart == 5 && buffer.get(keyStart) == 'e'
                && buffer.get(keyStart + 1) == 'r' && buffer.get(keyStart + 2) == 'r'
                && buffer.get(keyStart + 3) == 'o' && buffer.get(keyStart + 4) == 'r';
            final boolean isValueKey = keyEnd - 1 - keyStart == 5 && buffer.get(keyStart) == 'v'
                && buffer.get(keyStart + 1) == 'a' && buffer.get(keyStart + 2) == 'l'
                && buffer.get(keyStart + 3) == 'u' && buffer.get(keyStart + 4) == 'e';
            i = skipSpace(buffer, keyEnd, end);
            if (i >= end || buffer.get(i) != ':')
            {
                return false;
            }
            i = skipSpace(buffer, i + 1, end);
            final int valueStart = i;
            i = skipValue(buffer, i, end);
            if (i < 0)
            {
                return false;
            }
            if (isErrorKey && buffer.get(valueStart) == '"')
            {
                error = true;
                errorIndex = valueStart + 1;
                errorLength = i - valueStart - 2;
            }
            if (isValueKey && i - valueStart == 4 && buffer.get(valueStart) == 'n' && buffer.get(valueStart + 1) == 'u'
                && buffer.get(valueStart + 2) == 'l' && buffer.get(valueStart + 3) == 'l')
            {
                nil = true;
            }
            i = skipSpace(buffer, i, end);
            if (i >= end)
            {
                return false;
            }
            final byte b = buffer.get(i);
            if (b == '}')
            {
                return skipSpace(buffer, i + 1, end) == end;
            }
            if (b != ',')
            {
                return false;
            }
            i = skipSpace(buffer, i + 1, end);
        }
    }

    /** Skips any JSON value; returns the index after it or -1. */
    private static int skipValue(final ByteBuffer buffer, final int index, final int end)
    {
        if (index >= end)
        {
            return -1;
        }
        final byte first = buffer.get(index);
        if (first == '"')
        {
            return skipString(buffer, index, end);
        }
        if (first == '{' || first == '[')
        {
            int depth = 0;
            int i = index;
            while (i < end)
            {
                final byte b = buffer.get(i);
                if (b == '"')
                {
                    i = skipString(buffer, i, end);
                    if (i < 0)
                    {
                        return -1;
                    }
                    continue;
                }
                if (b == '{' || b == '[')
                {
                    depth++;
                }
                else if (b == '}' || b == ']')
                {
                    if (--depth == 0)
                    {
                        return i + 1;
                    }
                }
                i++;
            }
            return -1;
        }
        int i = index;
        while (i < end)
        {
            final byte b = buffer.get(i);
            if (b == ',' || b == '}' || b == ']' || b == ' ' || b == '\t' || b == '\r')
            {
                break;
            }
            i++;
        }
        return i > index ? i : -1;
    }

    /** Skips a string starting at its opening quote; returns the index after the closing quote or -1. */
    private static int skipString(final ByteBuffer buffer, final int index, final int end)
    {
        for (int i = index + 1; i < end; i++)
        {
            final byte b = buffer.get(i);
            if (b == '\\')
            {
                i++;
            }
            else if (b == '"')
            {
                return i + 1;
            }
        }
        return -1;
    }

    private static int skipSpace(final ByteBuffer buffer, final int index, final int end)
    {
        int i = index;
        while (i < end)
        {
            final byte b = buffer.get(i);
            if (b != ' ' && b != '\t' && b != '\r')
            {
                break;
            }
            i++;
        }
        return i;
    }
}
