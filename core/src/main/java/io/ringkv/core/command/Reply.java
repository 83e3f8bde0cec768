package io.ringkv.core.command;

import org.agrona.DirectBuffer;

/**
 * Protocol-neutral sink for command replies. The RESP2/RESP3 and JSON-lines encoders in {@code net}
 * implement it; commands in {@code core} only ever speak to this interface, so they know no wire format.
 * <p>
 * Only the engine thread calls a {@code Reply}, and only while the connection that owns it is waiting for
 * its batch to complete, so implementations need no synchronisation. Implementations must not allocate on
 * the common paths ({@link #ok()}, {@link #integer(long)}, {@link #bulk(DirectBuffer, int, int)},
 * {@link #nil()}, headers).
 * <p>
 * Every request of a batch produces exactly one top-level reply between {@link #startRequest(int)} and
 * {@link #endRequest(int)}; aggregates announce their element count up front, then that many elements follow.
 * <pre>
 *   reply.startRequest(i);
 *   reply.arrayHeader(2);
 *   reply.bulk(buffer, index, length);
 *   reply.nil();
 *   reply.endRequest(i);
 * </pre>
 */
public interface Reply
{
    /**
     * Called before request {@code requestIndex} of the current batch executes.
     *
     * @param requestIndex index of the request within its {@code RequestBatch}.
     */
    void startRequest(int requestIndex);

    /**
     * Called after request {@code requestIndex} has written its whole reply.
     *
     * @param requestIndex index of the request within its {@code RequestBatch}.
     */
    void endRequest(int requestIndex);

    /**
     * The status reply "OK".
     */
    void ok();

    /**
     * A status reply such as "PONG" or "QUEUED".
     *
     * @param asciiText the status text, ASCII, no CR or LF.
     */
    void simpleString(byte[] asciiText);

    /**
     * An error reply. The text starts with its Redis error code and is exactly Redis 7's text,
     * e.g. {@code "ERR syntax error"} or {@code "WRONGTYPE Operation against a key holding the wrong kind of value"}.
     *
     * @param message error code and message, ASCII, no CR or LF.
     */
    void error(String message);

    /**
     * An integer reply.
     *
     * @param value the integer.
     */
    void integer(long value);

    /**
     * A binary-safe bulk string copied from a buffer.
     *
     * @param buffer holding the bytes.
     * @param index  of the first byte in the buffer.
     * @param length number of bytes.
     */
    void bulk(DirectBuffer buffer, int index, int length);

    /**
     * A binary-safe bulk string from a byte array.
     *
     * @param bytes the whole array is the string.
     */
    void bulk(byte[] bytes);

    /**
     * A string value that holds a 64-bit integer: RESP writes it as a bulk string of its decimal digits,
     * the JSON encoder as a JSON number (see docs/data-model.md).
     *
     * @param value the integer held by the string.
     */
    void bulkInteger(long value);

    /**
     * A JSON document value held in its compact text form: RESP writes it as a bulk string, the JSON encoder
     * inlines it as JSON.
     *
     * @param buffer holding the compact JSON text.
     * @param index  of the first byte.
     * @param length number of bytes.
     */
    void json(DirectBuffer buffer, int index, int length);

    /**
     * The null bulk string (RESP2 {@code $-1}, RESP3 {@code _}, JSON {@code null}).
     */
    void nil();

    /**
     * The null array (RESP2 {@code *-1}, RESP3 {@code _}, JSON {@code null}).
     */
    void nilArray();

    /**
     * Announces an array; {@code count} element replies follow.
     *
     * @param count number of elements.
     */
    void arrayHeader(int count);

    /**
     * The header of an out-of-band message of {@code count} elements (Pub/Sub's subscribe confirmations): RESP3's
     * push type {@code >}; an array in RESP2 and JSON.
     *
     * @param count elements that follow.
     */
    default void pushHeader(final int count)
    {
        arrayHeader(count);
    }


    /**
     * Announces a map; {@code pairs} key and value replies follow, alternating. RESP2 sends it as a flat array.
     *
     * @param pairs number of key/value pairs.
     */
    void mapHeader(int pairs);

    /**
     * Announces a set; {@code count} element replies follow. RESP2 sends it as an array.
     *
     * @param count number of elements.
     */
    void setHeader(int count);

    /**
     * A double (RESP3 {@code ,}; RESP2 a bulk string in Redis's formatting; JSON a number).
     *
     * @param value the double.
     */
    void doubleValue(double value);

    /**
     * A boolean (RESP3 {@code #t}/{@code #f}; RESP2 the integer 1 or 0; JSON true/false).
     *
     * @param value the boolean.
     */
    void bool(boolean value);

    /**
     * A long free-form text such as INFO's (RESP3 verbatim {@code =txt:}; RESP2 a bulk string; JSON a string).
     * Not for hot paths.
     *
     * @param text the text.
     */
    void verbatimText(CharSequence text);

    /**
     * A big number (RESP3 {@code (}; RESP2 and JSON a string of its digits). Scripts return them as
     * {@code {big_number = "..."}}.
     *
     * @param digits the number's decimal text, ASCII.
     */
    default void bigNumber(final CharSequence digits)
    {
        bulk(digits.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /**
     * The current request's reply will be written later, by the connection's own thread through a
     * {@link ConnectionHandover} (WAIT): write nothing for it now. Encoders that write framing around every
     * request (JSON lines) must take that framing back.
     */
    /**
     * Whether member-score pairs (ZRANGE ... WITHSCORES, ZPOPMIN with a count) go as nested two-element arrays, as
     * Redis answers RESP3 clients (and as the JSON-lines protocol shows them), rather than one flat array (RESP2).
     *
     * @return true to nest pairs.
     */
    default boolean nestsPairs()
    {
        return false;
    }

    default void deferred()
    {
    }

    /**
     * @return the connection's own reply behind any wrapper the engine puts around it for one request; what a
     * deferred reply must be written to later.
     */
    default Reply connectionReply()
    {
        return this;
    }
}
