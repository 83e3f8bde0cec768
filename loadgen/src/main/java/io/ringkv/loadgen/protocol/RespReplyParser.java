package io.ringkv.loadgen.protocol;

import java.nio.ByteBuffer;

/**
 * Parses RESP2 replies (simple string, error, integer, bulk string, array, nil) and the RESP3 types (null,
 * boolean, double, big number, blob error, verbatim string, map, set, push, attribute). Only a top-level
 * error (simple or blob) makes the reply an error; errors nested in arrays, as EXEC returns them, belong to
 * the reply's content. Not threadsafe: one per connection.
 */
public final class RespReplyParser implements ReplyParser
{
    private static final int MAX_DEPTH = 128;
    private static final long MAX_BULK_LENGTH = 1L << 31;

    private boolean error;
    private boolean nil;
    private int errorIndex;
    private int errorLength;

    @Override
    public int parse(final ByteBuffer buffer, final int index, final int limit)
    {
        error = false;
        nil = false;
        return value(buffer, index, limit, 0);
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

    private int value(final ByteBuffer buffer, final int index, final int limit, final int depth)
    {
        if (index >= limit)
        {
            return NEED_MORE;
        }
        if (depth > MAX_DEPTH)
        {
            return MALFORMED;
        }
        final byte type = buffer.get(index);
        if (!isType(type))
        {
            return MALFORMED;
        }
        final int lineEnd = lineEnd(buffer, index + 1, limit);
        if (lineEnd < 0)
        {
            return lineEnd;
        }
        final int next = lineEnd + 2;
        switch (type)
        {
            case '_':
                nil = depth == 0;
                return next;
            case '+', ':', ',', '(', '#':
                return next;
            case '-':
                if (depth == 0)
                {
                    error = true;
                    errorIndex = index + 1;
                    errorLength = lineEnd - index - 1;
                }
                return next;
            case '$', '=', '!':
            {
                final long length = number(buffer, index + 1, lineEnd);
                if (length == -1 && type == '$')
                {
                    nil = depth == 0;
                    return next;
                }
                if (length < 0 || length > MAX_BULK_LENGTH)
                {
                    return MALFORMED;
                }
                final long end = next + length + 2;
                if (end > limit)
                {
                    return NEED_MORE;
                }
                if (buffer.get((int)end - 2) != '\r' || buffer.get((int)end - 1) != '\n')
                {
                    return MALFORMED;
                }
                if (type == '!' && depth == 0)
                {
                    error = true;
                    errorIndex = next;
                    errorLength = (int)length;
                }
                return (int)end;
            }
            case '*', '~', '>', '%', '|':
            {
                final long count = number(buffer, index + 1, lineEnd);
                if (count == -1 && type == '*')
                {
                    nil = depth == 0;
                    return next;
                }
                if (count < 0 || count > Integer.MAX_VALUE / 2)
                {
                    return MALFORMED;
                }
                final long elements = type == '%' || type == '|' ? 2 * count : count;
                int i = next;
                for (long e = 0; e < elements; e++)
                {
                    i = value(buffer, i, limit, depth + 1);
                    if (i < 0)
                    {
                        return i;
                    }
                }
                // An attribute annotates the reply that follows it; together they are one reply.
                return type == '|' ? value(buffer, i, limit, depth) : i;
            }
            default:
                return MALFORMED;
        }
    }

    private static boolean isType(final byte type)
    {
        return switch (type)
        {
            case '+', '-', ':', '$', '*', '_', '#', ',', '(', '!', '=', '%', '~', '>', '|' -> true;
            default -> false;
        };
    }

    /** Index of the CR of the CRLF ending the line that starts at {@code index}. */
    private static int lineEnd(final ByteBuffer buffer, final int index, final int limit)
    {
        for (int i = index; i < limit; i++)
        {
            if (buffer.get(i) == '\r')
            {
                if (i + 1 >= limit)
                {
                    return NEED_MORE;
                }
                return buffer.get(i + 1) == '\n' ? i : MALFORMED;
            }
        }
        return NEED_MORE;
    }

    /** A signed decimal in {@code [index, end)}, or {@link Long#MIN_VALUE} if malformed. */
    private static long number(final ByteBuffer buffer, final int index, final int end)
    {
        int i = index;
        boolean negative = false;
        if (i < end && buffer.get(i) == '-')
        {
            negative = true;
            i++;
        }
        if (i == end || end - i > 18)
        {
            return Long.MIN_VALUE;
        }
        long value = 0;
        for (; i < end; i++)
        {
            final int digit = buffer.get(i) - '0';
            if (digit < 0 || digit > 9)
            {
                return Long.MIN_VALUE;
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }
}
