package io.ringkv.loadgen.protocol;

import java.nio.ByteBuffer;

/**
 * Finds where one complete reply ends in received bytes, and whether it is an error, without allocating.
 * A reply split over several reads yields {@link #NEED_MORE} until its last byte is in the buffer; the caller
 * then calls again from the same start with more bytes. Not threadsafe: one per connection.
 */
public interface ReplyParser
{
    /** The bytes hold only the start of a reply. */
    int NEED_MORE = -1;
    /** The bytes are not a valid reply in this protocol. */
    int MALFORMED = -2;

    /**
     * Parses one reply.
     *
     * @param buffer received bytes.
     * @param index  where the reply starts.
     * @param limit  end of the received bytes (exclusive).
     * @return the index after the reply, {@link #NEED_MORE} or {@link #MALFORMED}.
     */
    int parse(ByteBuffer buffer, int index, int limit);

    /**
     * @return whether the reply last parsed was an error.
     */
    boolean isError();

    /**
     * @return whether the reply last parsed was a top-level nil (RESP {@code $-1}, {@code *-1} or {@code _};
     *         JSON lines {@code {"value":null}}): a GET's miss.
     */
    boolean isNil();

    /**
     * @return where the last error's text starts in the buffer (valid only when {@link #isError()}).
     */
    int errorIndex();

    /**
     * @return the length of the last error's text (valid only when {@link #isError()}).
     */
    int errorLength();
}
