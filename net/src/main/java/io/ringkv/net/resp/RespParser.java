package io.ringkv.net.resp;

import io.ringkv.core.codec.InlineSplitter;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.BatchBoundary;
import io.ringkv.net.codec.RequestParser;
import org.agrona.MutableDirectBuffer;

/**
 * Parses RESP requests in place from a connection's read buffer: multibulk ({@code *N\r\n$len\r\n...}) when a
 * request starts with {@code *}, an inline command line otherwise, with Redis 7's limits and error texts
 * ({@code processMultibulkBuffer} / {@code processInlineBuffer}). Arguments are slices of the read buffer; no
 * byte is copied and nothing is allocated per request.
 * <p>
 * A trailing incomplete request is kept as parse state (arguments found so far, the bulk length announced,
 * where the scan stopped), relative to the request's first byte, so the next call resumes where this one
 * stopped even after the connection compacted its buffer: each byte is scanned once. When a bulk header
 * announces more bytes than have arrived, {@link #requiredLength()} says how many bytes the whole request needs,
 * so the connection can grow its buffer geometrically towards it as bytes arrive (see {@code ReadBuffer}) and the
 * argument never needs to be copied chunk by chunk.
 * <p>
 * Deliberate differences from Redis, both stricter: a header line's CR must be followed by LF, and a bulk's data
 * must be followed by CR LF ({@link #EXPECTED_CRLF}), where Redis skips whatever two bytes are there; a
 * non-{@code $} byte where a bulk header starts is rejected as soon as it arrives, not once its line is complete.
 * <p>
 * Not threadsafe: owned by one connection thread.
 */
public final class RespParser implements RequestParser
{
    /** Configuration key of the largest bulk argument accepted, in bytes (Redis's proto-max-bulk-len). */
    public static final String PROTO_MAX_BULK_LEN_PROP_NAME = "proto-max-bulk-len";
    /** Default of {@link #PROTO_MAX_BULK_LEN_PROP_NAME}: 512 MB, as Redis. */
    public static final long PROTO_MAX_BULK_LEN_DEFAULT = 512L * 1024 * 1024;
    /** Largest bulk length this implementation can hold in one int-indexed buffer with its header. */
    public static final long PROTO_MAX_BULK_LEN_LIMIT = Integer.MAX_VALUE - 1024 * 1024;
    /** Longest inline line, or header line without CR, accepted (Redis's PROTO_INLINE_MAX_SIZE). */
    public static final int INLINE_MAX_LENGTH = 64 * 1024;
    /** Most arguments of one multibulk request once authenticated (Redis 7: INT_MAX). */
    public static final long MULTIBULK_MAX_COUNT = Integer.MAX_VALUE;
    /** Most arguments of one multibulk request before AUTH when a password is required (Redis 7). */
    public static final long UNAUTHENTICATED_MULTIBULK_MAX_COUNT = 10;
    /** Longest bulk argument before AUTH when a password is required (Redis 7). */
    public static final long UNAUTHENTICATED_BULK_MAX_LENGTH = 16384;

    public static final String INVALID_MULTIBULK_LENGTH = "ERR Protocol error: invalid multibulk length";
    public static final String INVALID_BULK_LENGTH = "ERR Protocol error: invalid bulk length";
    public static final String UNAUTHENTICATED_MULTIBULK_LENGTH =
        "ERR Protocol error: unauthenticated multibulk length";
    public static final String UNAUTHENTICATED_BULK_LENGTH = "ERR Protocol error: unauthenticated bulk length";
    public static final String TOO_BIG_MBULK_COUNT = "ERR Protocol error: too big mbulk count string";
    public static final String TOO_BIG_BULK_COUNT = "ERR Protocol error: too big bulk count string";
    public static final String TOO_BIG_INLINE = "ERR Protocol error: too big inline request";
    public static final String UNBALANCED_QUOTES = "ERR Protocol error: unbalanced quotes in request";
    public static final String EXPECTED_CRLF = "ERR Protocol error: expected CRLF after bulk data";
    private static final String[] EXPECTED_DOLLAR = new String[256];

    static
    {
        for (int i = 0; i < 256; i++)
        {
            EXPECTED_DOLLAR[i] = "ERR Protocol error: expected '$', got '" + (char)i + "'";
        }
    }

    private static final int INCOMPLETE = -100;
    private static final int STOP_BATCH = -101;
    private static final int STOP_BATCH_AFTER = -102;
    private static final int NONE = 0;
    private static final int MULTIBULK = 1;
    private static final int INLINE = 2;

    private final long maxBulkLength;

    private int pendingKind = NONE;
    private int scanOffset;
    private int searchOffset;
    private long argsRemaining;
    private long bulkLength;
    private int argCount;
    private int[] argOffsets = new int[16];
    private int[] argLengths = new int[16];
    private boolean numberValid;

    private int consumed;
    private long requiredLength;
    private String errorText;
    private int batchRequestLimit = Integer.MAX_VALUE;

    /**
     * A parser with Redis's default proto-max-bulk-len.
     */
    public RespParser()
    {
        this(PROTO_MAX_BULK_LEN_DEFAULT);
    }

    /**
     * @param maxBulkLength largest bulk argument accepted, in bytes (proto-max-bulk-len).
     */
    public RespParser(final long maxBulkLength)
    {
        if (maxBulkLength < 1 || maxBulkLength > PROTO_MAX_BULK_LEN_LIMIT)
        {
            throw new IllegalArgumentException(
                PROTO_MAX_BULK_LEN_PROP_NAME + " must be in 1.." + PROTO_MAX_BULK_LEN_LIMIT + ": " + maxBulkLength);
        }
        this.maxBulkLength = maxBulkLength;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The limits for unauthenticated clients are read from {@code batch.session().authenticated()}. When a request
     * exceeds them after other requests of the same buffer (which may hold the AUTH), the batch ends before it with
     * {@link #PARSE_AGAIN}, so the request is judged with the session as those requests leave it, as Redis does.
     */
    public int parse(final MutableDirectBuffer buffer, final int start, final int limit, final RequestBatch batch)
    {
        batch.reset(buffer);
        errorText = null;
        if (pendingKind != MULTIBULK || bulkLength < 0)
        {
            requiredLength = 0;
        }
        final boolean authenticated = batch.session().authenticated();
        final int batchRequestLimit = this.batchRequestLimit;
        int position = start;
        int status = OK;
        while (position < limit)
        {
            if (batch.requestCount() >= batchRequestLimit && pendingKind == NONE)
            {
                status = PARSE_AGAIN;
                break;
            }
            final int kind = pendingKind != NONE ? pendingKind : (buffer.getByte(position) == '*' ? MULTIBULK : INLINE);
            final int result = kind == MULTIBULK ?
                parseMultibulk(buffer, position, limit, batch, authenticated) :
                parseInline(buffer, position, limit, batch);
            if (result >= 0)
            {
                position = result;
            }
            else
            {
                if (result == STOP_BATCH_AFTER)
                {
                    position = consumed;
                    status = PARSE_AGAIN;
                }
                else if (result == STOP_BATCH)
                {
                    status = PARSE_AGAIN;
                }
                else if (result != INCOMPLETE)
                {
                    status = result;
                }
                break;
            }
        }
        consumed = position;
        return status;
    }

    public int consumed()
    {
        return consumed;
    }

    public void batchRequestLimit(final int maxRequests)
    {
        batchRequestLimit = maxRequests;
    }

    public long requiredLength()
    {
        return requiredLength;
    }

    public String errorText()
    {
        return errorText;
    }

    public void reset()
    {
        pendingKind = NONE;
        argCount = 0;
        requiredLength = 0;
        errorText = null;
    }

    private int parseMultibulk(
        final MutableDirectBuffer buffer,
        final int requestStart,
        final int limit,
        final RequestBatch batch,
        final boolean authenticated)
    {
        if (pendingKind == NONE)
        {
            pendingKind = MULTIBULK;
            scanOffset = 0;
            searchOffset = 1;
            argsRemaining = -1;
            bulkLength = -1;
            argCount = 0;
        }
        int p = requestStart + scanOffset;

        if (argsRemaining < 0)
        {
            final int cr = findCr(buffer, requestStart + searchOffset, limit);
            if (cr < 0 || cr + 1 >= limit)
            {
                if (cr < 0 && limit - p > INLINE_MAX_LENGTH)
                {
                    return error(TOO_BIG_MBULK_COUNT);
                }
                searchOffset = (cr < 0 ? limit : cr) - requestStart;
                return INCOMPLETE;
            }
            final long count = parseNumber(buffer, p + 1, cr);
            if (!numberValid || count > MULTIBULK_MAX_COUNT || buffer.getByte(cr + 1) != '\n')
            {
                return error(INVALID_MULTIBULK_LENGTH);
            }
            if (count > UNAUTHENTICATED_MULTIBULK_MAX_COUNT && !authenticated)
            {
                return unauthenticated(batch, UNAUTHENTICATED_MULTIBULK_LENGTH);
            }
            p = cr + 2;
            if (count <= 0)
            {
                pendingKind = NONE;
                return p;
            }
            argsRemaining = count;
            searchOffset = p + 1 - requestStart;
        }

        while (argsRemaining > 0)
        {
            if (bulkLength < 0)
            {
                if (p >= limit)
                {
                    return incomplete(requestStart, p, p + 1);
                }
                final byte first = buffer.getByte(p);
                if (first != '$')
                {
                    return error(EXPECTED_DOLLAR[first & 0xFF]);
                }
                final int cr = findCr(buffer, Math.max(p + 1, requestStart + searchOffset), limit);
                if (cr < 0 || cr + 1 >= limit)
                {
                    if (cr < 0 && limit - p > INLINE_MAX_LENGTH)
                    {
                        return error(TOO_BIG_BULK_COUNT);
                    }
                    return incomplete(requestStart, p, cr < 0 ? limit : cr);
                }
                final long length = parseNumber(buffer, p + 1, cr);
                if (!numberValid || length < 0 || length > maxBulkLength || buffer.getByte(cr + 1) != '\n')
                {
                    return error(INVALID_BULK_LENGTH);
                }
                if (length > UNAUTHENTICATED_BULK_MAX_LENGTH && !authenticated)
                {
                    return unauthenticated(batch, UNAUTHENTICATED_BULK_LENGTH);
                }
                p = cr + 2;
                bulkLength = length;
            }

            final long needed = bulkLength + 2;
            if (limit - p < needed)
            {
                requiredLength = (p - requestStart) + needed;
                return incomplete(requestStart, p, p + 1);
            }
            final int dataEnd = p + (int)bulkLength;
            if (buffer.getByte(dataEnd) != '\r' || buffer.getByte(dataEnd + 1) != '\n')
            {
                return error(EXPECTED_CRLF);
            }
            addPendingArg(p - requestStart, (int)bulkLength);
            p = dataEnd + 2;
            bulkLength = -1;
            argsRemaining--;
        }

        final int count = argCount;
        final int[] offsets = argOffsets;
        final int[] lengths = argLengths;
        for (int i = 0; i < count; i++)
        {
            batch.addArg(requestStart + offsets[i], lengths[i]);
        }
        batch.endRequest(RequestBatch.VALUE_RAW);
        pendingKind = NONE;
        requiredLength = 0;
        if (BatchBoundary.endsConnection(batch))
        {
            consumed = p;
            return STOP_BATCH_AFTER;
        }
        return p;
    }

    private int parseInline(
        final MutableDirectBuffer buffer, final int requestStart, final int limit, final RequestBatch batch)
    {
        if (pendingKind == NONE)
        {
            pendingKind = INLINE;
            searchOffset = 0;
        }
        final int newline = findLf(buffer, requestStart + searchOffset, limit);
        if (newline < 0)
        {
            if (limit - requestStart > INLINE_MAX_LENGTH)
            {
                return error(TOO_BIG_INLINE);
            }
            searchOffset = limit - requestStart;
            return INCOMPLETE;
        }
        pendingKind = NONE;
        int lineEnd = newline;
        if (lineEnd > requestStart && buffer.getByte(lineEnd - 1) == '\r')
        {
            lineEnd--;
        }
        final int count = InlineSplitter.split(buffer, requestStart, lineEnd, batch);
        if (count < 0)
        {
            return error(UNBALANCED_QUOTES);
        }
        if (count > 0)
        {
            batch.endRequest(RequestBatch.VALUE_RAW);
            if (BatchBoundary.endsConnection(batch))
            {
                consumed = newline + 1;
                return STOP_BATCH_AFTER;
            }
        }
        return newline + 1;
    }

    private int incomplete(final int requestStart, final int position, final int searchFrom)
    {
        scanOffset = position - requestStart;
        searchOffset = searchFrom - requestStart;
        return INCOMPLETE;
    }

    private int error(final String text)
    {
        pendingKind = NONE;
        argCount = 0;
        requiredLength = 0;
        errorText = text;
        return PROTOCOL_ERROR;
    }

    private int unauthenticated(final RequestBatch batch, final String text)
    {
        if (batch.requestCount() > 0)
        {
            pendingKind = NONE;
            argCount = 0;
            requiredLength = 0;
            return STOP_BATCH;
        }
        return error(text);
    }

    private void addPendingArg(final int offset, final int length)
    {
        if (argCount == argOffsets.length)
        {
            argOffsets = java.util.Arrays.copyOf(argOffsets, argCount * 2);
            argLengths = java.util.Arrays.copyOf(argLengths, argCount * 2);
        }
        argOffsets[argCount] = offset;
        argLengths[argCount] = length;
        argCount++;
    }

    private static int findCr(final MutableDirectBuffer buffer, final int from, final int limit)
    {
        for (int i = from; i < limit; i++)
        {
            if (buffer.getByte(i) == '\r')
            {
                return i;
            }
        }
        return -1;
    }

    private static int findLf(final MutableDirectBuffer buffer, final int from, final int limit)
    {
        for (int i = from; i < limit; i++)
        {
            if (buffer.getByte(i) == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Redis's {@code string2ll}: optional '-', no '+', no leading zeros, no spaces, at most 20 chars, no overflow.
     * Sets {@link #numberValid}.
     */
    private long parseNumber(final MutableDirectBuffer buffer, final int from, final int to)
    {
        numberValid = false;
        final int length = to - from;
        if (length <= 0 || length > 20)
        {
            return 0;
        }
        int i = from;
        final boolean negative = buffer.getByte(i) == '-';
        if (negative)
        {
            i++;
            if (i == to)
            {
                return 0;
            }
        }
        int digit = buffer.getByte(i) - '0';
        if (digit == 0 && length == 1)
        {
            numberValid = true;
            return 0;
        }
        if (digit < 1 || digit > 9)
        {
            return 0;
        }
        long value = -digit;
        i++;
        for (; i < to; i++)
        {
            digit = buffer.getByte(i) - '0';
            if (digit < 0 || digit > 9 || value < (Long.MIN_VALUE + digit) / 10)
            {
                return 0;
            }
            value = value * 10 - digit;
        }
        if (!negative)
        {
            if (value == Long.MIN_VALUE)
            {
                return 0;
            }
            value = -value;
        }
        numberValid = true;
        return value;
    }
}
