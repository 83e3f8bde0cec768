package io.ringkv.core.changelog;

/**
 * Binary layout of one change record: a data change the engine applied, as later ring consumers (replication)
 * read it. Records are written back to back, each aligned to {@link #ALIGNMENT}, into the change area of the
 * {@link CommandEvent} whose command (or tick) made the change. Little-endian, like every Agrona buffer.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Record Length (incl. header)              |  0
 *  +---------------+---------------+---------------+---------------+
 *  |      Op       |  Value Type   | Value Encoding|    Flags      |  4
 *  +---------------+---------------+---------------+---------------+
 *  |              Db               |           Target Db           |  8
 *  +-------------------------------+-------------------------------+
 *  |                          Key Length                           | 12
 *  +---------------------------------------------------------------+
 *  |                         Value Length                          | 16
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            | 20
 *  +---------------------------------------------------------------+
 *  |                  Replication Offset (int64)                   | 24
 *  +---------------------------------------------------------------+
 *  |                  Expire At Ms (int64, 0 = none)               | 32
 *  +---------------------------------------------------------------+
 *  |                      Argument (int64)                         | 40
 *  +---------------------------------------------------------------+
 *  |                 Key bytes ...   Value bytes ...   padding     | 48
 *  +---------------------------------------------------------------+
 * </pre>
 * What each op uses (unused fields are zero):
 * <pre>
 *   SET       db, key, value, type, encoding, expireAtMs   full state of the key after the change
 *   DEL       db, key                                      also for keys removed by expiry or eviction
 *   EXPIREAT  db, key, expireAtMs                          absolute Unix time in ms
 *   PERSIST   db, key
 *   INCRBY    db, key, argument = delta                    result is an integer string (INT encoding);
 *                                                          the key keeps its TTL
 *   APPEND    db, key, value = appended bytes              result is a raw string
 *   SETRANGE  db, key, argument = offset, value = bytes    zero-padded like Redis; result is a raw string
 *   RENAME    db, key = source, value = destination key    the destination is replaced, TTL moves with it
 *   COPY      db, key = source, targetDb, value = dest.    flags: {@link #FLAG_REPLACE}
 *   FLUSHDB   db
 *   FLUSHALL
 *   SWAPDB    db, targetDb                                  the two databases trade their keys (TTLs move along)
 * </pre>
 * The replication offset is the record's sequence number: 1 for the first record the engine ever logged, then
 * +1 per record, in ring order. A consumer that has applied every record up to offset N is at offset N.
 */
public final class ChangeRecordDescriptor
{
    public static final byte OP_SET = 1;
    public static final byte OP_DEL = 2;
    public static final byte OP_EXPIREAT = 3;
    public static final byte OP_PERSIST = 4;
    public static final byte OP_INCRBY = 5;
    public static final byte OP_APPEND = 6;
    public static final byte OP_SETRANGE = 7;
    public static final byte OP_RENAME = 8;
    public static final byte OP_COPY = 9;
    public static final byte OP_FLUSHDB = 10;
    public static final byte OP_FLUSHALL = 11;
    public static final byte OP_SWAPDB = 12;

    /** COPY: the destination was replaced (COPY ... REPLACE). */
    public static final byte FLAG_REPLACE = 1;
    /** DEL: the key was removed because it expired (not by a command). */
    public static final byte FLAG_EXPIRED = 1 << 1;
    /** DEL: the key was evicted for the memory budget (not by a command); replicated as a plain delete. */
    public static final byte FLAG_EVICTED = 1 << 2;

    public static final int RECORD_LENGTH_OFFSET;
    public static final int OP_OFFSET;
    public static final int TYPE_OFFSET;
    public static final int ENCODING_OFFSET;
    public static final int FLAGS_OFFSET;
    public static final int DB_OFFSET;
    public static final int TARGET_DB_OFFSET;
    public static final int KEY_LENGTH_OFFSET;
    public static final int VALUE_LENGTH_OFFSET;
    public static final int RESERVED_OFFSET;
    public static final int REPLICATION_OFFSET_OFFSET;
    public static final int EXPIRE_AT_MS_OFFSET;
    public static final int ARGUMENT_OFFSET;
    public static final int HEADER_LENGTH;

    /** Records start at multiples of this. */
    public static final int ALIGNMENT = 8;

    static
    {
        int offset = 0;
        RECORD_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        OP_OFFSET = offset;
        offset += Byte.BYTES;
        TYPE_OFFSET = offset;
        offset += Byte.BYTES;
        ENCODING_OFFSET = offset;
        offset += Byte.BYTES;
        FLAGS_OFFSET = offset;
        offset += Byte.BYTES;
        DB_OFFSET = offset;
        offset += Short.BYTES;
        TARGET_DB_OFFSET = offset;
        offset += Short.BYTES;
        KEY_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        VALUE_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        RESERVED_OFFSET = offset;
        offset += Integer.BYTES;
        REPLICATION_OFFSET_OFFSET = offset;
        offset += Long.BYTES;
        EXPIRE_AT_MS_OFFSET = offset;
        offset += Long.BYTES;
        ARGUMENT_OFFSET = offset;
        offset += Long.BYTES;
        HEADER_LENGTH = offset;
    }

    private ChangeRecordDescriptor()
    {
    }

    /**
     * @param keyLength   key bytes.
     * @param valueLength value bytes.
     * @return the aligned length of a record holding them.
     */
    public static int recordLength(final int keyLength, final int valueLength)
    {
        final long length = (long)HEADER_LENGTH + keyLength + valueLength;
        final long aligned = (length + ALIGNMENT - 1) & -ALIGNMENT;
        if (aligned > Integer.MAX_VALUE - ALIGNMENT)
        {
            throw new IllegalArgumentException("change record too large: " + length);
        }
        return (int)aligned;
    }

    /**
     * @param op an OP_* constant.
     * @return its name, e.g. "SET".
     */
    public static String opName(final byte op)
    {
        return switch (op)
        {
            case OP_SET -> "SET";
            case OP_DEL -> "DEL";
            case OP_EXPIREAT -> "EXPIREAT";
            case OP_PERSIST -> "PERSIST";
            case OP_INCRBY -> "INCRBY";
            case OP_APPEND -> "APPEND";
            case OP_SETRANGE -> "SETRANGE";
            case OP_RENAME -> "RENAME";
            case OP_COPY -> "COPY";
            case OP_FLUSHDB -> "FLUSHDB";
            case OP_FLUSHALL -> "FLUSHALL";
            case OP_SWAPDB -> "SWAPDB";
            default -> "UNKNOWN(" + op + ")";
        };
    }
}
