package io.ringkv.core.rdb;

import java.io.IOException;

/**
 * An RDB file refused: cut short, checksum wrong, or holding something ringkv cannot load; the message names the
 * file offset where the problem is.
 */
public final class RdbFormatException extends IOException
{
    private final long offset;

    /**
     * @param offset of the byte (usually the record) the problem is at.
     * @param reason what is wrong there.
     */
    public RdbFormatException(final long offset, final String reason)
    {
        super(reason + " (at offset " + offset + ")");
        this.offset = offset;
    }

    /**
     * @return the file offset the problem is at.
     */
    public long offset()
    {
        return offset;
    }
}
