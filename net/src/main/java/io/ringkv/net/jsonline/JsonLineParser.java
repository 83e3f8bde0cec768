package io.ringkv.net.jsonline;

import io.ringkv.core.codec.Base64;
import io.ringkv.core.codec.JsonObjectCursor;
import io.ringkv.core.codec.JsonScanner;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.memory.ExpandableOffHeapBuffer;
import io.ringkv.net.codec.BatchBoundary;
import io.ringkv.net.codec.RequestParser;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Parses JSON-lines requests (one UTF-8 JSON object per line, see docs/json-protocol.md) into a
 * {@link RequestBatch}: seed-style objects with named fields ({@code {"cmd":"set","key":"k","value":...}}) and
 * the generic form ({@code {"cmd":"<NAME>","args":[...]}}) become the same argument lists a RESP client would
 * send. Strings are decoded (escapes, {@code {"$base64":"..."}} values) into one scratch buffer per connection,
 * which becomes the batch's argument buffer, so arguments are still {@code (offset, length)} slices.
 * <p>
 * The validating scanner shared with replication ({@link JsonScanner} in core.codec: RFC 8259, strict UTF-8,
 * nesting limit) works straight on the read buffer and allocates nothing on good input. It is used rather than
 * DSL-JSON because DSL-JSON's reader parses byte arrays: each line would first be copied off the direct read
 * buffer, and its values would need a second pass to produce the compact text and the decoded slices the scanner
 * writes in one.
 * <p>
 * A line that is not valid JSON, not a request object, or has a wrong-typed or unknown field ends the batch
 * with {@link #LINE_ERROR}: the connection replies {@link #errorText()} (echoing the line's id when it could be
 * read) and parses on. A line longer than the limit is answered once and then skipped up to its newline without
 * being buffered. Before AUTH (when a password is required) lines are limited
 * to {@link #UNAUTHENTICATED_MAX_LINE_LENGTH}; a longer line after other requests of the same read ends the batch
 * with {@link #PARSE_AGAIN}, so it is judged once those (possibly an AUTH) have executed.
 * <p>
 * Not threadsafe: owned by one connection thread.
 */
public final class JsonLineParser implements RequestParser
{
    /** Default of the json-max-line-length option: room for a proto-max-bulk-len value and its request. */
    public static final int JSON_MAX_LINE_LENGTH_DEFAULT = 512 * 1024 * 1024 + 64 * 1024;
    /** Default of the proto-max-bulk-len option: the longest argument or value a request may carry. */
    public static final long MAX_BULK_LENGTH_DEFAULT = 512L * 1024 * 1024;
    /**
     * Longest line accepted before AUTH when a password is required, so that an unauthenticated client cannot
     * make the server buffer more (Redis's inline limit; Redis bounds unauthenticated RESP requests likewise).
     */
    public static final int UNAUTHENTICATED_MAX_LINE_LENGTH = 64 * 1024;
    /** Deepest nesting of arrays and objects accepted in a line. */
    public static final int MAX_DEPTH = JsonScanner.MAX_DEPTH;

    public static final String NOT_AN_OBJECT = "ERR invalid request: a line must hold one JSON object";
    public static final String MISSING_CMD = "ERR invalid request: missing field 'cmd'";
    public static final String CMD_NOT_STRING = "ERR invalid request: field 'cmd' must be a string";
    public static final String INVALID_ID =
        "ERR invalid request: field 'id' must be a string, number, true, false or null";
    public static final String INVALID_BASE64 = "ERR invalid request: invalid base64 in a '$base64' value";
    public static final String INVALID_ARG =
        "ERR invalid request: 'args' elements must be strings, numbers or {\"$base64\":\"...\"} objects";

    private static final int FIELD_CMD = 0;
    private static final int FIELD_ID = 1;
    private static final int FIELD_KEY = 2;
    private static final int FIELD_KEYS = 3;
    private static final int FIELD_VALUE = 4;
    private static final int FIELD_ARGS = 5;
    private static final int FIELD_EX = 6;
    private static final int FIELD_PX = 7;
    private static final int FIELD_NX = 8;
    private static final int FIELD_XX = 9;
    private static final int FIELD_BY = 10;
    private static final int FIELD_SECONDS = 11;
    private static final int FIELD_MESSAGE = 12;
    private static final int FIELD_CHANNELS = 13;
    private static final int FIELD_CHANNEL = 14;
    private static final String[] FIELD_NAMES =
        {"cmd", "id", "key", "keys", "value", "args", "ex", "px", "nx", "xx", "by", "seconds", "message", "channels",
            "channel"};
    private static final byte[][] FIELD_NAME_BYTES = new byte[FIELD_NAMES.length][];

    private static final int SEED_NONE = -1;
    private static final String[] SEED_NAMES = {"set", "get", "incr", "decr", "del", "exists", "expire", "ttl", "ping",
        "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "publish"};
    private static final byte[][] SEED_NAME_BYTES = new byte[SEED_NAMES.length][];
    private static final int SEED_SET = 0;
    private static final int SEED_GET = 1;
    private static final int SEED_INCR = 2;
    private static final int SEED_DECR = 3;
    private static final int SEED_DEL = 4;
    private static final int SEED_EXISTS = 5;
    private static final int SEED_EXPIRE = 6;
    private static final int SEED_TTL = 7;
    private static final int SEED_PING = 8;
    /** SUBSCRIBE ... SUNSUBSCRIBE: {@code "channels":[...]} (patterns for the P forms); none unsubscribes all. */
    private static final int SEED_FIRST_SUBSCRIBE = 9;
    private static final int SEED_LAST_SUBSCRIBE = 14;
    private static final int SEED_PUBLISH = 15;
    private static final byte[][] SEED_COMMAND_BYTES = new byte[SEED_NAMES.length][];
    private static final int[] SEED_FIELDS = {
        bits(FIELD_KEY, FIELD_VALUE, FIELD_EX, FIELD_PX, FIELD_NX, FIELD_XX),
        bits(FIELD_KEY),
        bits(FIELD_KEY, FIELD_BY),
        bits(FIELD_KEY, FIELD_BY),
        bits(FIELD_KEY, FIELD_KEYS),
        bits(FIELD_KEY, FIELD_KEYS),
        bits(FIELD_KEY, FIELD_SECONDS),
        bits(FIELD_KEY),
        bits(FIELD_MESSAGE),
        bits(FIELD_CHANNELS), bits(FIELD_CHANNELS), bits(FIELD_CHANNELS), bits(FIELD_CHANNELS), bits(FIELD_CHANNELS),
        bits(FIELD_CHANNELS),
        bits(FIELD_CHANNEL, FIELD_MESSAGE)};
    private static final int GENERIC_FIELDS = bits(FIELD_ARGS);
    private static final int ALWAYS_FIELDS = bits(FIELD_CMD, FIELD_ID);

    private static final byte[] SET = ascii("SET");
    private static final byte[] GET = ascii("GET");
    private static final byte[] INCR = ascii("INCR");
    private static final byte[] INCRBY = ascii("INCRBY");
    private static final byte[] DECR = ascii("DECR");
    private static final byte[] DECRBY = ascii("DECRBY");
    private static final byte[] DEL = ascii("DEL");
    private static final byte[] EXISTS = ascii("EXISTS");
    private static final byte[] EXPIRE = ascii("EXPIRE");
    private static final byte[] TTL = ascii("TTL");
    private static final byte[] PING = ascii("PING");
    private static final byte[] EX = ascii("EX");
    private static final byte[] PX = ascii("PX");
    private static final byte[] NX = ascii("NX");
    private static final byte[] XX = ascii("XX");

    static
    {
        for (int i = 0; i < FIELD_NAMES.length; i++)
        {
            FIELD_NAME_BYTES[i] = ascii(FIELD_NAMES[i]);
        }
        for (int i = 0; i < SEED_NAMES.length; i++)
        {
            SEED_NAME_BYTES[i] = ascii(SEED_NAMES[i]);
            SEED_COMMAND_BYTES[i] = ascii(SEED_NAMES[i].toUpperCase(java.util.Locale.ROOT));
        }
    }

    private static final byte T_STRING = JsonObjectCursor.STRING;
    private static final byte T_NUMBER = JsonObjectCursor.NUMBER;
    private static final byte T_OBJECT = JsonObjectCursor.OBJECT;
    private static final byte T_ARRAY = JsonObjectCursor.ARRAY;
    private static final byte T_TRUE = JsonObjectCursor.TRUE;
    private static final byte T_FALSE = JsonObjectCursor.FALSE;


    private static final int SCRATCH_INITIAL_CAPACITY = 4096;

    private final int maxLineLength;
    private final long maxBulkLength;
    private final ExpandableOffHeapBuffer scratch;
    private final JsonRequestTable requests;
    private int scratchPosition;

    private int searchOffset;
    private boolean skipping;
    private int consumed;
    private int batchRequestLimit = Integer.MAX_VALUE;
    private String errorText;
    private int errorIdOffset;
    private int errorIdLength;

    private final JsonObjectCursor cursor = new JsonObjectCursor();
    private final JsonScanner scanner = cursor.scanner();
    private final int[] fieldStart = new int[FIELD_NAMES.length];
    private final int[] fieldEnd = new int[FIELD_NAMES.length];
    private final byte[] fieldType = new byte[FIELD_NAMES.length];
    private int fieldsPresent;
    private String shapeError;

    private MutableDirectBuffer line;

    /**
     * A parser with the default line limit.
     *
     * @param requests the connection's request table, shared with its {@link JsonLineReply}.
     */
    public JsonLineParser(final JsonRequestTable requests)
    {
        this(requests, JSON_MAX_LINE_LENGTH_DEFAULT);
    }

    /**
     * @param requests      the connection's request table, shared with its {@link JsonLineReply}.
     * @param maxLineLength longest line accepted in bytes, its newline excluded.
     */
    public JsonLineParser(final JsonRequestTable requests, final int maxLineLength)
    {
        this(requests, maxLineLength, MAX_BULK_LENGTH_DEFAULT);
    }

    /**
     * @param requests      the connection's request table, shared with its {@link JsonLineReply}.
     * @param maxLineLength longest line accepted in bytes, its newline excluded (json-max-line-length).
     * @param maxBulkLength longest argument or value a request may carry once decoded (proto-max-bulk-len).
     */
    public JsonLineParser(final JsonRequestTable requests, final int maxLineLength, final long maxBulkLength)
    {
        this.requests = requests;
        this.maxLineLength = maxLineLength;
        this.maxBulkLength = maxBulkLength;
        this.scratch = new ExpandableOffHeapBuffer(SCRATCH_INITIAL_CAPACITY);
    }

    @Override
    public void shrink()
    {
        scratch.shrink(SCRATCH_INITIAL_CAPACITY);
    }

    @Override
    public void close()
    {
        scratch.close();
    }

    /**
     * @return the scratch buffer arguments and ids are decoded into (the batch's argument buffer).
     */
    public DirectBuffer scratch()
    {
        return scratch;
    }

    /**
     * @return offset in {@link #scratch()} of the id's JSON text of the line rejected by the last
     * {@link #LINE_ERROR}; valid until the next parse.
     */
    public int errorIdOffset()
    {
        return errorIdOffset;
    }

    /**
     * @return length of the rejected line's id text, 0 when it has none or it could not be read.
     */
    public int errorIdLength()
    {
        return errorIdLength;
    }

    public int consumed()
    {
        return consumed;
    }

    public long requiredLength()
    {
        return 0;
    }

    public void batchRequestLimit(final int maxRequests)
    {
        batchRequestLimit = maxRequests;
    }

    public String errorText()
    {
        return errorText;
    }

    public void reset()
    {
        searchOffset = 0;
        skipping = false;
        errorText = null;
    }

    public int parse(final MutableDirectBuffer buffer, final int start, final int limit, final RequestBatch batch)
    {
        batch.reset(scratch);
        requests.reset(scratch);
        scratchPosition = 0;
        errorText = null;
        errorIdLength = 0;
        final boolean authenticated = batch.session().authenticated();
        final int lineLimit = authenticated ? maxLineLength : Math.min(maxLineLength, UNAUTHENTICATED_MAX_LINE_LENGTH);
        int position = start;
        while (position < limit)
        {
            if (skipping)
            {
                final int newline = findLf(buffer, position, limit);
                if (newline < 0)
                {
                    position = limit;
                    break;
                }
                skipping = false;
                position = newline + 1;
                continue;
            }
            final int newline = findLf(buffer, position + searchOffset, limit);
            final int lineLength = (newline < 0 ? limit : newline) - position;
            if (lineLength > lineLimit)
            {
                if (!authenticated && batch.requestCount() > 0)
                {
                    // the requests before it may hold the AUTH: judge this line once they have executed
                    searchOffset = 0;
                    consumed = position;
                    return PARSE_AGAIN;
                }
                searchOffset = 0;
                errorText = lineTooLong(lineLimit, authenticated);
                if (newline < 0)
                {
                    skipping = true;
                    consumed = limit;
                }
                else
                {
                    consumed = newline + 1;
                }
                return LINE_ERROR;
            }
            if (newline < 0)
            {
                searchOffset = limit - position;
                break;
            }
            searchOffset = 0;
            if (!parseLine(buffer, position, newline, batch))
            {
                consumed = newline + 1;
                return LINE_ERROR;
            }
            position = newline + 1;
            final int requestCount = batch.requestCount();
            if (requestCount > 0 && (requestCount >= batchRequestLimit || BatchBoundary.endsConnection(batch)))
            {
                consumed = position;
                return PARSE_AGAIN;
            }
        }
        consumed = position;
        return OK;
    }

    private static String lineTooLong(final int lineLimit, final boolean authenticated)
    {
        return "ERR invalid request: line longer than " + lineLimit + " bytes" +
            (authenticated ? "" : " before AUTH");
    }

    /**
     * Parse one line {@code [start, end)} (its LF excluded) into a request; empty lines are skipped.
     *
     * @return false with {@link #errorText} set when the line is rejected.
     */
    private boolean parseLine(
        final MutableDirectBuffer buffer, final int start, final int end, final RequestBatch batch)
    {
        line = buffer;
        scanner.wrap(buffer, start);
        errorIdLength = 0;
        final int p = scanner.skipWhitespace(start, end);
        if (p == end)
        {
            return true;
        }
        if (buffer.getByte(p) != '{')
        {
            final int valueEnd = scanner.skipValue(p, end, 0);
            if (valueEnd < 0)
            {
                return invalidJson();
            }
            if (scanner.skipWhitespace(valueEnd, end) != end)
            {
                jsonError("unexpected data after the JSON value", scanner.skipWhitespace(valueEnd, end));
                return invalidJson();
            }
            return reject(NOT_AN_OBJECT);
        }
        if (!scanRequestObject(start, end))
        {
            return invalidJson();
        }

        final int idLength = copyId();
        final int idOffset = scratchPosition - idLength;
        if (idLength < 0)
        {
            return reject(INVALID_ID);
        }
        errorIdOffset = idOffset;
        errorIdLength = idLength;
        if (shapeError != null)
        {
            return reject(shapeError);
        }
        if (!has(FIELD_CMD))
        {
            return reject(MISSING_CMD);
        }
        if (fieldType[FIELD_CMD] != T_STRING)
        {
            return reject(CMD_NOT_STRING);
        }

        final int seed = has(FIELD_ARGS) ? SEED_NONE : seedCommand();
        final int allowed = ALWAYS_FIELDS | (seed == SEED_NONE ? GENERIC_FIELDS : SEED_FIELDS[seed]);
        if ((fieldsPresent & ~allowed) != 0)
        {
            final int field = Integer.numberOfTrailingZeros(fieldsPresent & ~allowed);
            return reject("ERR invalid request: field '" + FIELD_NAMES[field] + "' is not allowed with 'cmd' '" +
                (seed == SEED_NONE ? cmdText() : SEED_NAMES[seed]) + "'");
        }

        final long mark = batch.mark();
        final boolean built = seed == SEED_NONE ? buildGeneric(batch) : buildSeed(seed, batch);
        if (!built)
        {
            batch.abandonRequest();
            return false;
        }
        if (longestArgument(batch, batch.requestCount() - 1) > maxBulkLength)
        {
            batch.rollback(mark);
            return reject("ERR invalid request: an argument or value is longer than proto-max-bulk-len (" +
                maxBulkLength + " bytes)");
        }
        requests.add(seed == SEED_NONE ? JsonRequestTable.STYLE_GENERIC : JsonRequestTable.STYLE_SEED,
            idOffset, idLength);
        return true;
    }

    private static int longestArgument(final RequestBatch batch, final int requestIndex)
    {
        final int first = batch.firstArg(requestIndex);
        final int end = first + batch.argCount(requestIndex);
        int longest = 0;
        for (int arg = first; arg < end; arg++)
        {
            longest = Math.max(longest, batch.argLength(arg));
        }
        return longest;
    }

    private boolean buildGeneric(final RequestBatch batch)
    {
        addDecodedString(batch, fieldStart[FIELD_CMD]);
        if (has(FIELD_ARGS))
        {
            if (fieldType[FIELD_ARGS] != T_ARRAY)
            {
                return reject("ERR invalid request: field 'args' must be an array");
            }
            if (!addArrayElements(batch, FIELD_ARGS, true))
            {
                return reject(errorText != null ? errorText : INVALID_ARG);
            }
        }
        batch.endRequest(RequestBatch.VALUE_RAW);
        return true;
    }

    private boolean buildSeed(final int seed, final RequestBatch batch)
    {
        byte valueKind = RequestBatch.VALUE_RAW;
        switch (seed)
        {
            case SEED_SET ->
            {
                if (!requireKey("set"))
                {
                    return false;
                }
                if (!has(FIELD_VALUE))
                {
                    return reject("ERR invalid request: 'set' needs field 'value'");
                }
                addConstant(batch, SET);
                addKeyOrArg(batch, FIELD_KEY);
                valueKind = addValue(batch);
                if (valueKind < 0)
                {
                    return false;
                }
                if (!addIntegerOption(batch, FIELD_EX, EX) || !addIntegerOption(batch, FIELD_PX, PX) ||
                    !addFlag(batch, FIELD_NX, NX) || !addFlag(batch, FIELD_XX, XX))
                {
                    return false;
                }
            }
            case SEED_GET, SEED_TTL ->
            {
                if (!requireKey(SEED_NAMES[seed]))
                {
                    return false;
                }
                addConstant(batch, seed == SEED_GET ? GET : TTL);
                addKeyOrArg(batch, FIELD_KEY);
            }
            case SEED_INCR, SEED_DECR ->
            {
                if (!requireKey(SEED_NAMES[seed]))
                {
                    return false;
                }
                final boolean incr = seed == SEED_INCR;
                if (has(FIELD_BY))
                {
                    if (!isInteger(FIELD_BY))
                    {
                        return mustBeInteger(FIELD_BY);
                    }
                    addConstant(batch, incr ? INCRBY : DECRBY);
                    addKeyOrArg(batch, FIELD_KEY);
                    addRaw(batch, FIELD_BY);
                }
                else
                {
                    addConstant(batch, incr ? INCR : DECR);
                    addKeyOrArg(batch, FIELD_KEY);
                }
            }
            case SEED_DEL, SEED_EXISTS ->
            {
                if (has(FIELD_KEY) == has(FIELD_KEYS))
                {
                    return reject("ERR invalid request: '" + SEED_NAMES[seed] +
                        "' needs exactly one of 'key' or 'keys'");
                }
                addConstant(batch, seed == SEED_DEL ? DEL : EXISTS);
                if (has(FIELD_KEY))
                {
                    if (!isStringLike(FIELD_KEY))
                    {
                        return mustBeString(FIELD_KEY);
                    }
                    addKeyOrArg(batch, FIELD_KEY);
                }
                else
                {
                    if (fieldType[FIELD_KEYS] != T_ARRAY)
                    {
                        return reject("ERR invalid request: field 'keys' must be an array of strings");
                    }
                    if (!addArrayElements(batch, FIELD_KEYS, false))
                    {
                        return reject(errorText != null ? errorText :
                            "ERR invalid request: field 'keys' must be an array of strings");
                    }
                }
            }
            case SEED_EXPIRE ->
            {
                if (!requireKey("expire"))
                {
                    return false;
                }
                if (!has(FIELD_SECONDS))
                {
                    return reject("ERR invalid request: 'expire' needs field 'seconds'");
                }
                if (!isInteger(FIELD_SECONDS))
                {
                    return mustBeInteger(FIELD_SECONDS);
                }
                addConstant(batch, EXPIRE);
                addKeyOrArg(batch, FIELD_KEY);
                addRaw(batch, FIELD_SECONDS);
            }
            case SEED_PUBLISH ->
            {
                if (!has(FIELD_CHANNEL) || !has(FIELD_MESSAGE))
                {
                    return reject("ERR invalid request: 'publish' needs fields 'channel' and 'message'");
                }
                if (!isStringLike(FIELD_CHANNEL))
                {
                    return mustBeString(FIELD_CHANNEL);
                }
                if (!isStringLike(FIELD_MESSAGE))
                {
                    return mustBeString(FIELD_MESSAGE);
                }
                addConstant(batch, SEED_COMMAND_BYTES[seed]);
                addKeyOrArg(batch, FIELD_CHANNEL);
                addKeyOrArg(batch, FIELD_MESSAGE);
            }
            case SEED_FIRST_SUBSCRIBE, SEED_FIRST_SUBSCRIBE + 1, SEED_FIRST_SUBSCRIBE + 2, SEED_FIRST_SUBSCRIBE + 3,
                SEED_FIRST_SUBSCRIBE + 4, SEED_LAST_SUBSCRIBE ->
            {
                addConstant(batch, SEED_COMMAND_BYTES[seed]);
                if (has(FIELD_CHANNELS))
                {
                    if (fieldType[FIELD_CHANNELS] != T_ARRAY || !addArrayElements(batch, FIELD_CHANNELS, false))
                    {
                        return reject(errorText != null ? errorText :
                            "ERR invalid request: field 'channels' must be an array of strings");
                    }
                }
            }
            default ->
            {
                addConstant(batch, PING);
                if (has(FIELD_MESSAGE))
                {
                    if (!isStringLike(FIELD_MESSAGE))
                    {
                        return mustBeString(FIELD_MESSAGE);
                    }
                    addKeyOrArg(batch, FIELD_MESSAGE);
                }
            }
        }
        batch.endRequest(valueKind);
        return true;
    }

    private boolean requireKey(final String command)
    {
        if (!has(FIELD_KEY))
        {
            return reject("ERR invalid request: '" + command + "' needs field 'key'");
        }
        if (!isStringLike(FIELD_KEY))
        {
            return mustBeString(FIELD_KEY);
        }
        return true;
    }

    /**
     * The value of a set: string → its bytes (raw), 64-bit integer → its digits, anything else → compact JSON.
     *
     * @return the batch value kind, or -1 after a rejection.
     */
    private byte addValue(final RequestBatch batch)
    {
        final int start = fieldStart[FIELD_VALUE];
        final int end = fieldEnd[FIELD_VALUE];
        switch (fieldType[FIELD_VALUE])
        {
            case T_STRING ->
            {
                addDecodedString(batch, start);
                return RequestBatch.VALUE_RAW;
            }
            case T_NUMBER ->
            {
                if (addCanonicalInteger(batch, start, end))
                {
                    return RequestBatch.VALUE_INTEGER;
                }
            }
            case T_OBJECT ->
            {
                final int base64 = scanner.base64Content(start, end);
                if (base64 >= 0)
                {
                    return addBase64(batch, base64) ? RequestBatch.VALUE_RAW : -1;
                }
            }
            default ->
            {
            }
        }
        addCompact(batch, start, end);
        return RequestBatch.VALUE_JSON;
    }

    private boolean addIntegerOption(final RequestBatch batch, final int field, final byte[] token)
    {
        if (!has(field))
        {
            return true;
        }
        if (!isInteger(field))
        {
            return mustBeInteger(field);
        }
        addConstant(batch, token);
        addRaw(batch, field);
        return true;
    }

    private boolean addFlag(final RequestBatch batch, final int field, final byte[] token)
    {
        if (!has(field))
        {
            return true;
        }
        final byte type = fieldType[field];
        if (type != T_TRUE && type != T_FALSE)
        {
            return reject("ERR invalid request: field '" + FIELD_NAMES[field] + "' must be true or false");
        }
        if (type == T_TRUE)
        {
            addConstant(batch, token);
        }
        return true;
    }

    /**
     * Add the elements of an array field as arguments.
     *
     * @param numbersAllowed whether numbers are accepted (generic args) or only strings (keys).
     * @return false when an element has a wrong type ({@link #errorText} may name the problem).
     */
    private boolean addArrayElements(final RequestBatch batch, final int field, final boolean numbersAllowed)
    {
        final int end = fieldEnd[field];
        int p = scanner.skipWhitespace(fieldStart[field] + 1, end);
        if (line.getByte(p) == ']')
        {
            return true;
        }
        while (true)
        {
            final int elementEnd = scanner.skipValue(p, end, 1);
            final byte c = line.getByte(p);
            if (c == '"')
            {
                addDecodedString(batch, p);
            }
            else if (c == '{')
            {
                final int base64 = scanner.base64Content(p, elementEnd);
                if (base64 < 0)
                {
                    return false;
                }
                if (!addBase64(batch, base64))
                {
                    return false;
                }
            }
            else if (numbersAllowed && (c == '-' || (c >= '0' && c <= '9')))
            {
                if (!scanner.numberIsInteger() || !addCanonicalInteger(batch, p, elementEnd))
                {
                    addSlice(batch, p, elementEnd);
                }
            }
            else
            {
                return false;
            }
            p = scanner.skipWhitespace(elementEnd, end);
            if (line.getByte(p) == ']')
            {
                return true;
            }
            p = scanner.skipWhitespace(p + 1, end);
        }
    }

    private void addKeyOrArg(final RequestBatch batch, final int field)
    {
        final int start = fieldStart[field];
        if (fieldType[field] == T_STRING)
        {
            addDecodedString(batch, start);
        }
        else
        {
            addBase64(batch, scanner.base64Content(start, fieldEnd[field]));
        }
    }

    private boolean isStringLike(final int field)
    {
        return fieldType[field] == T_STRING ||
            (fieldType[field] == T_OBJECT && scanner.base64Content(fieldStart[field], fieldEnd[field]) >= 0);
    }

    private boolean isInteger(final int field)
    {
        if (fieldType[field] != T_NUMBER)
        {
            return false;
        }
        scanner.scanNumber(fieldStart[field], fieldEnd[field]);
        return scanner.numberIsInteger();
    }

    private boolean mustBeInteger(final int field)
    {
        return reject("ERR invalid request: field '" + FIELD_NAMES[field] + "' must be an integer");
    }

    private boolean mustBeString(final int field)
    {
        return reject("ERR invalid request: field '" + FIELD_NAMES[field] +
            "' must be a string or a {\"$base64\":\"...\"} object");
    }

    private void addConstant(final RequestBatch batch, final byte[] token)
    {
        scratch.putBytes(scratchPosition, token);
        batch.addArg(scratchPosition, token.length);
        scratchPosition += token.length;
    }

    private void addRaw(final RequestBatch batch, final int field)
    {
        addSlice(batch, fieldStart[field], fieldEnd[field]);
    }

    private void addSlice(final RequestBatch batch, final int start, final int end)
    {
        final int length = end - start;
        scratch.putBytes(scratchPosition, line, start, length);
        batch.addArg(scratchPosition, length);
        scratchPosition += length;
    }

    /**
     * Add a JSON number's value as canonical decimal digits when it is an integer that fits in 64 bits.
     *
     * @return false (nothing added) when it is not such an integer.
     */
    private boolean addCanonicalInteger(final RequestBatch batch, final int start, final int end)
    {
        if (!scanner.parseLong(start, end))
        {
            return false;
        }
        final int length = scratch.putLongAscii(scratchPosition, scanner.longValue());
        batch.addArg(scratchPosition, length);
        scratchPosition += length;
        return true;
    }

    private void addCompact(final RequestBatch batch, final int start, final int end)
    {
        final int length = scanner.compact(start, end, scratch, scratchPosition);
        batch.addArg(scratchPosition, length);
        scratchPosition += length;
    }

    private boolean addBase64(final RequestBatch batch, final int quoteIndex)
    {
        final int contentStart = quoteIndex + 1;
        final int contentEnd = scanner.scanString(quoteIndex, Integer.MAX_VALUE) - 1;
        scratch.checkLimit(scratchPosition + (contentEnd - contentStart));
        final int length = Base64.decode(line, contentStart, contentEnd - contentStart, scratch, scratchPosition);
        if (length < 0)
        {
            return reject(INVALID_BASE64);
        }
        batch.addArg(scratchPosition, length);
        scratchPosition += length;
        return true;
    }


    private void addDecodedString(final RequestBatch batch, final int quoteIndex)
    {
        final int length = scanner.decodeString(quoteIndex, scratch, scratchPosition);
        batch.addArg(scratchPosition, length);
        scratchPosition += length;
    }



    /**
     * Copy the id's JSON text into the scratch buffer.
     *
     * @return its length (0 when absent), or -1 when the id is not a scalar.
     */
    private int copyId()
    {
        if (!has(FIELD_ID))
        {
            return 0;
        }
        final byte type = fieldType[FIELD_ID];
        if (type == T_OBJECT || type == T_ARRAY)
        {
            return -1;
        }
        final int length = fieldEnd[FIELD_ID] - fieldStart[FIELD_ID];
        scratch.putBytes(scratchPosition, line, fieldStart[FIELD_ID], length);
        scratchPosition += length;
        return length;
    }

    private int seedCommand()
    {
        final int start = fieldStart[FIELD_CMD] + 1;
        final int length = fieldEnd[FIELD_CMD] - 1 - start;
        for (int s = 0; s < SEED_NAME_BYTES.length; s++)
        {
            final byte[] name = SEED_NAME_BYTES[s];
            if (name.length != length)
            {
                continue;
            }
            boolean equal = true;
            for (int i = 0; i < length; i++)
            {
                if ((line.getByte(start + i) | 0x20) != name[i])
                {
                    equal = false;
                    break;
                }
            }
            if (equal)
            {
                return s;
            }
        }
        return SEED_NONE;
    }

    private String cmdText()
    {
        final int start = fieldStart[FIELD_CMD];
        return line.getStringWithoutLengthUtf8(start + 1, fieldEnd[FIELD_CMD] - start - 2);
    }

    /**
     * Scan the line's request object, validating all of it and recording the span of each known field.
     * Unknown and duplicate fields are noted in {@link #shapeError} (reported after the id is known).
     *
     * @return false when the line is not valid JSON (the scanner holds the reason).
     */
    private boolean scanRequestObject(final int lineStart, final int end)
    {
        fieldsPresent = 0;
        shapeError = null;
        final JsonObjectCursor cursor = this.cursor;
        cursor.wrap(line, lineStart, end);
        while (cursor.next())
        {
            recordField(cursor.nameStart() - 1, cursor.nameEnd() + 1, cursor.valueStart(), cursor.valueEnd(),
                (byte)cursor.valueType());
        }
        if (cursor.error() != null)
        {
            return false;
        }
        final int p = scanner.skipWhitespace(cursor.position(), end);
        if (p != end)
        {
            return jsonError("unexpected data after the JSON value", p);
        }
        return true;
    }

    private void recordField(
        final int keyStart, final int keyEnd, final int valueStart, final int valueEnd, final byte valueType)
    {
        final int field = fieldIndex(keyStart + 1, keyEnd - 1);
        if (field < 0)
        {
            if (shapeError == null)
            {
                final int length = scanner.decodeString(keyStart, scratch, scratchPosition);
                shapeError = "ERR invalid request: unknown field '" +
                    scratch.getStringWithoutLengthUtf8(scratchPosition, length) + "'";
            }
            return;
        }
        if ((fieldsPresent & (1 << field)) != 0)
        {
            if (shapeError == null)
            {
                shapeError = "ERR invalid request: duplicate field '" + FIELD_NAMES[field] + "'";
            }
            return;
        }
        fieldsPresent |= 1 << field;
        fieldStart[field] = valueStart;
        fieldEnd[field] = valueEnd;
        fieldType[field] = valueType;
    }

    private int fieldIndex(final int start, final int end)
    {
        final int length = end - start;
        for (int f = 0; f < FIELD_NAME_BYTES.length; f++)
        {
            final byte[] name = FIELD_NAME_BYTES[f];
            if (name.length != length)
            {
                continue;
            }
            boolean equal = true;
            for (int i = 0; i < length; i++)
            {
                if (line.getByte(start + i) != name[i])
                {
                    equal = false;
                    break;
                }
            }
            if (equal)
            {
                return f;
            }
        }
        return -1;
    }












    private boolean has(final int field)
    {
        return (fieldsPresent & (1 << field)) != 0;
    }


    private boolean jsonError(final String reason, final int index)
    {
        scanner.fail(reason, index);
        return false;
    }

    private boolean invalidJson()
    {
        return reject(scanner.errorText());
    }

    private boolean reject(final String text)
    {
        errorText = text;
        return false;
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

    private static int bits(final int... fields)
    {
        int mask = 0;
        for (final int field : fields)
        {
            mask |= 1 << field;
        }
        return mask;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
