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
 * The value length is the message length minus the header and the key.
 * <p>
 * A big collection (an element table or a node-chain list) travels as {@link #MSG_BEGIN}, then any number of
 * {@link #MSG_PART}s, then {@link #MSG_VALUE_END}, contiguous (no other message between them). BEGIN has the
 * header above with the element count at the snapshot's offset after it, then the key:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |        Db, Type, Encoding, Key Length, Expire At Ms (as above) |  0
 *  +---------------------------------------------------------------+
 *  |           Element Count (int64: fields, members, elements)     | 16
 *  +---------------------------------------------------------------+
 *  |           Part Count (int64, -1 = not known in advance)        | 24
 *  +---------------------------------------------------------------+
 *  |              Key bytes ...                                     | 32
 *  +---------------------------------------------------------------+
 * </pre>
 * A PART's body is one listpack of whole elements: field, value pairs of a hash; member, score (Redis's text)
 * pairs of a sorted set; members of a set; a list's elements in order. The parts of one value together hold
 * exactly its Element Count elements, in no useful order but a list's. /work/wt/SNAPSHOT-FORMAT.md and
 * docs/replication-protocol.md describe the contract. Stateless constants.
 */
public final class SnapshotEntryDescriptor
{
    /** Ring message type of a captured entry. */
    public static final int MSG_ENTRY = 1;
    /** Ring message type of the end of the snapshot (no body). */
    public static final int MSG_END = 2;
    /** Ring message type that opens a big collection. */
    public static final int MSG_BEGIN = 3;
    /** Ring message type of a listpack chunk of the open big collection. */
    public static final int MSG_PART = 4;
    /** Ring message type that closes the open big collection (no body). */
    public static final int MSG_VALUE_END = 5;

    public static final int DB_OFFSET;
    public static final int TYPE_OFFSET;
    public static final int ENCODING_OFFSET;
    public static final int KEY_LENGTH_OFFSET;
    public static final int EXPIRE_AT_MS_OFFSET;
    public static final int HEADER_LENGTH;
    /** Offset of a BEGIN message's element count. */
    public static final int COUNT_OFFSET;
    /** Offset of a BEGIN message's part count (-1 when not known in advance). */
    public static final int PART_COUNT_OFFSET;
    /** Bytes before a BEGIN message's key. */
    public static final int BEGIN_HEADER_LENGTH;

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
        COUNT_OFFSET = offset;
        offset += Long.BYTES;
        PART_COUNT_OFFSET = offset;
        offset += Long.BYTES;
        BEGIN_HEADER_LENGTH = offset;
    }

    private SnapshotEntryDescriptor()
    {
    }
}
