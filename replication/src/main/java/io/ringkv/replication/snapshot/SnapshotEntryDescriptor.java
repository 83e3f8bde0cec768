package io.ringkv.replication.snapshot;

/**
 * Layout of one captured entry as the engine writes it into a {@link Snapshot}'s ring for the replica's sender.
 * <pre>
 *   0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |              Db               |  Value Type   | Value Encoding|  0
 *  +-------------------------------+---------------+---------------+
 *  |                          Key Length                           |  4
 *  +---------------------------------------------------------------+
 *  |                  Expire At Ms (int64, 0 = none)               |  8
 *  +---------------------------------------------------------------+
 *  |              Key bytes ...   Value bytes ...                  | 16
 *  +---------------------------------------------------------------+
 * </pre>
 * The value length is the message length minus the header and the key. Stateless constants.
 */
public final class SnapshotEntryDescriptor
{
    /** Ring message type of a captured entry. */
    public static final int MSG_ENTRY = 1;
    /** Ring message type of the end of the snapshot (no body). */
    public static final int MSG_END = 2;

    public static final int DB_OFFSET;
    public static final int TYPE_OFFSET;
    public static final int ENCODING_OFFSET;
    public static final int KEY_LENGTH_OFFSET;
    public static final int EXPIRE_AT_MS_OFFSET;
    public static final int HEADER_LENGTH;

    static
    {
        int offset = 0;
        DB_OFFSET = offset;
        offset += Short.BYTES;
        TYPE_OFFSET = offset;
        offset += Byte.BYTES;
        ENCODING_OFFSET = offset;
        offset += Byte.BYTES;
        KEY_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        EXPIRE_AT_MS_OFFSET = offset;
        offset += Long.BYTES;
        HEADER_LENGTH = offset;
    }

    private SnapshotEntryDescriptor()
    {
    }
}
