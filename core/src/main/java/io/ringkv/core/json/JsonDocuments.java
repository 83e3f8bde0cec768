package io.ringkv.core.json;

import io.ringkv.core.codec.JsonScanner;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Validates JSON documents (RFC 8259 grammar, strict UTF-8 inside strings) and rewrites them in compact form: the
 * same text without insignificant whitespace. Nothing is parsed into objects: strings, numbers and literals are
 * copied byte for byte once checked, so every JSON value round-trips exactly (any nesting of arrays and objects,
 * numbers of any size and spelling such as {@code 1.10} or {@code -1E+400}, escapes as written).
 * <p>
 * The reading is the shared {@link JsonScanner}'s, with its nesting limit: a document stored here is one that a
 * JSON-lines client can send and a replica can receive in a dump, whichever way (SET, RESTORE, MIGRATE) it came in.
 * <p>
 * Not threadsafe: the engine thread owns one. Allocates nothing once its buffer is large enough.
 */
public final class JsonDocuments
{
    /** Returned by {@link #compact} for input that is not exactly one JSON value. */
    public static final int INVALID = -1;
    /** Deepest nesting of arrays and objects accepted: the JSON-lines protocol's. */
    public static final int MAX_DEPTH = JsonScanner.MAX_DEPTH;

    private static final int RETAINED_CAPACITY = 1024 * 1024;

    private final JsonScanner scanner = new JsonScanner(MAX_DEPTH);
    private ExpandableDirectByteBuffer compacted = new ExpandableDirectByteBuffer(256);
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
        final JsonScanner scanner = this.scanner;
        final int end = offset + length;
        scanner.wrap(source, offset);
        final int start = scanner.skipWhitespace(offset, end);
        final int valueEnd = scanner.skipValue(start, end, 0);
        if (valueEnd < 0)
        {
            lastError = scanner.errorReason() + " at position " + scanner.errorOffset();
            return INVALID;
        }
        final int trailing = scanner.skipWhitespace(valueEnd, end);
        if (trailing != end)
        {
            lastError = "unexpected content after the JSON value at position " + (trailing - offset);
            return INVALID;
        }
        if (compacted.capacity() > RETAINED_CAPACITY && length <= RETAINED_CAPACITY)
        {
            BufferUtil.free(compacted.byteBuffer());
            compacted = new ExpandableDirectByteBuffer(256);
        }
        return scanner.compact(start, valueEnd, compacted, 0);
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
}
