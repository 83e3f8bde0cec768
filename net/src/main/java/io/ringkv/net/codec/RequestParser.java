package io.ringkv.net.codec;

import io.ringkv.core.engine.RequestBatch;
import org.agrona.MutableDirectBuffer;

/**
 * A wire-protocol request parser: turns the complete requests found in a connection's read buffer into one
 * {@link RequestBatch} and says how far it got. Implementations keep the state of a trailing incomplete request
 * between calls, so each byte is scanned once however the request is split across reads.
 * <p>
 * Not threadsafe: owned by one connection thread.
 * <pre>
 *   status = parser.parse(readBuffer.buffer(), start, readBuffer.limit(), batch);
 *   execute batch if batch.requestCount() &gt; 0
 *   OK             : everything before parser.consumed() is done; compact, grow by requiredLength(), read more
 *   PARSE_AGAIN    : call parse again from parser.consumed() before reading (the batch hit its request limit,
 *                    ended at a QUIT, or session state changed the limits)
 *   LINE_ERROR     : reply parser.errorText() for the bad request, then parse again from parser.consumed()
 *   PROTOCOL_ERROR : reply parser.errorText(), flush, close the connection (as Redis does)
 * </pre>
 * The {@code start} given to a call must be the index of the first byte not yet consumed by the previous call:
 * the bytes from there on must be the same bytes (they may have been moved by compaction).
 */
public interface RequestParser
{
    /** Every complete request is in the batch; the rest (if any) needs more bytes. */
    int OK = 0;
    /** The batch ends early on purpose: execute it, then parse again from {@link #consumed()} without reading. */
    int PARSE_AGAIN = 1;
    /** The stream cannot be parsed further: reply {@link #errorText()} and close after the batch's replies. */
    int PROTOCOL_ERROR = -1;
    /** One request was rejected: reply {@link #errorText()} after the batch's replies and parse on. */
    int LINE_ERROR = -2;

    /**
     * Parse the requests in {@code [start, limit)} of {@code buffer} into {@code batch} (which is reset first).
     *
     * @param buffer the connection's read buffer; parsers may rewrite bytes of complete requests in place.
     * @param start  index of the first byte not consumed by the previous call.
     * @param limit  index after the last byte read.
     * @param batch  the connection's batch, reset by this call.
     * @return {@link #OK}, {@link #PARSE_AGAIN}, {@link #PROTOCOL_ERROR} or {@link #LINE_ERROR}.
     */
    int parse(MutableDirectBuffer buffer, int start, int limit, RequestBatch batch);

    /**
     * @return index of the first byte the connection must keep (the start of a pending request, or limit).
     */
    int consumed();

    /**
     * @return the number of bytes, counted from {@link #consumed()}, that the pending request is known to need
     * (e.g. a bulk header announced its length); 0 when unknown or nothing is pending.
     */
    long requiredLength();

    /**
     * @return the error text (with its Redis error code) after {@link #PROTOCOL_ERROR} or {@link #LINE_ERROR}.
     */
    String errorText();

    /**
     * Bound the number of requests one {@link #parse} call puts in a batch: at the limit the call returns
     * {@link #PARSE_AGAIN} (as it does after a QUIT, see {@link BatchBoundary}), so a connection can execute and
     * flush a long pipeline in slices and its batch and reply buffer stay bounded.
     *
     * @param maxRequests at least 1; {@link Integer#MAX_VALUE} (the default) for no limit.
     */
    void batchRequestLimit(int maxRequests);

    /**
     * Forget any pending request, e.g. when the connection is reset.
     */
    void reset();

    /**
     * Give back memory a large request made the parser grow; called when nothing is pending (the read buffer is
     * empty).
     */
    default void shrink()
    {
    }

    /**
     * Free the parser's memory when the connection ends; the parser must not be used afterwards.
     */
    default void close()
    {
    }
}
