package io.ringkv.core.rdb;

/**
 * Layout of a DUMP payload, the serialized value {@code DUMP} returns and {@code RESTORE} accepts; the same as
 * Redis's so payloads travel between ringkv and Redis in both directions.
 * <pre>
 *   0        1                                    N+1          N+3                              N+11
 *   +--------+------------------------------------+------------+--------------------------------+
 *   |  type  |  body: the value in RDB encoding   |  version   |             CRC-64             |
 *   | 1 byte |  (N bytes; for strings and JSON an  |  2 bytes   |  8 bytes, little-endian, of    |
 *   |        |  RdbStringDescriptor encoding)     |  LE uint16 |  every byte before it          |
 *   +--------+------------------------------------+------------+--------------------------------+
 *   |&lt;------------- covered by the CRC ------------------------&gt;|
 * </pre>
 * The footer (version and CRC) sits at the end, so its position depends on the payload's length: see
 * {@link #versionIndex(int, int)} and {@link #crcIndex(int, int)}. Redis rejects a payload shorter than
 * {@link #MIN_PAYLOAD_LENGTH} or with a version newer than its own before looking at the body; so do we.
 * <p>
 * Constants only; any thread may use them.
 */
public final class DumpPayloadDescriptor
{
    /**
     * Offset of the object type byte.
     */
    public static final int TYPE_OFFSET;

    /**
     * Length of the object type.
     */
    public static final int TYPE_LENGTH = 1;

    /**
     * Offset of the body (the encoded value).
     */
    public static final int BODY_OFFSET;

    /**
     * Offset of the RDB version within the footer.
     */
    public static final int FOOTER_VERSION_OFFSET;

    /**
     * Length of the RDB version.
     */
    public static final int VERSION_LENGTH = 2;

    /**
     * Offset of the CRC-64 within the footer.
     */
    public static final int FOOTER_CRC_OFFSET;

    /**
     * Length of the CRC-64.
     */
    public static final int CRC_LENGTH = 8;

    /**
     * Length of the footer: version and CRC.
     */
    public static final int FOOTER_LENGTH;

    /**
     * Shortest payload Redis looks at ({@code verifyDumpPayload}: "at least 2 bytes of RDB version and 8 of
     * CRC64"); anything shorter has a wrong version or checksum by definition.
     */
    public static final int MIN_PAYLOAD_LENGTH;

    /**
     * Bytes a payload adds around the encoded value: type and footer.
     */
    public static final int FRAMING_LENGTH;

    /**
     * The RDB version ringkv writes: what Redis 7.0 writes (checked against Debian's redis-server 7.0.15).
     * Payloads of this version or older are accepted, newer ones refused, as Redis does.
     */
    public static final int RDB_VERSION = 10;

    /**
     * Redis's object type for strings ({@code RDB_TYPE_STRING}).
     */
    public static final int TYPE_STRING = 0;

    /**
     * ringkv's own object type for JSON documents: 0x80, far from Redis's object types (0 upwards, 0..19 in 7.0)
     * and its opcodes (0xFF downwards, 0xF5..0xFF in 7.0), so neither will grow into it soon. Redis's RESTORE
     * answers "Bad data format" for it, as it does for any type it does not know.
     */
    public static final int TYPE_JSON = 0x80;

    /** Redis's {@code RDB_TYPE_SET}: a set as its member count and members. */
    public static final int TYPE_SET = 2;
    /** Redis's {@code RDB_TYPE_HASH}: a hash as its pair count and fields and values. */
    public static final int TYPE_HASH = 4;
    /** Redis's {@code RDB_TYPE_SET_INTSET}: a set as one string holding an intset. */
    public static final int TYPE_SET_INTSET = 11;
    /** Redis's {@code RDB_TYPE_HASH_LISTPACK}: a hash as one string holding a listpack. */
    public static final int TYPE_HASH_LISTPACK = 16;
    /** RDB_TYPE_LIST_QUICKLIST_2: a node count, then per node its container and its listpack (or plain element). */
    public static final int TYPE_LIST_QUICKLIST_2 = 18;
    /** A quicklist node holding one element as raw bytes (QUICKLIST_NODE_CONTAINER_PLAIN). */
    public static final int QUICKLIST_NODE_PLAIN = 1;
    /** A quicklist node holding a listpack (QUICKLIST_NODE_CONTAINER_PACKED). */
    public static final int QUICKLIST_NODE_PACKED = 2;
    /** Redis's {@code RDB_TYPE_ZSET_2}: a sorted set as a count, then member strings each with an 8-byte double. */
    public static final int TYPE_ZSET_2 = 5;
    /** Redis's {@code RDB_TYPE_ZSET_LISTPACK}: a sorted set as one string holding a listpack. */
    public static final int TYPE_ZSET_LISTPACK = 17;

    static
    {
        int offset = 0;
        TYPE_OFFSET = offset;
        offset += TYPE_LENGTH;
        BODY_OFFSET = offset;

        int footerOffset = 0;
        FOOTER_VERSION_OFFSET = footerOffset;
        footerOffset += VERSION_LENGTH;
        FOOTER_CRC_OFFSET = footerOffset;
        footerOffset += CRC_LENGTH;
        FOOTER_LENGTH = footerOffset;

        MIN_PAYLOAD_LENGTH = FOOTER_LENGTH;
        FRAMING_LENGTH = TYPE_LENGTH + FOOTER_LENGTH;
    }

    private DumpPayloadDescriptor()
    {
    }

    /**
     * Index of the body's end (exclusive), which is where the footer starts.
     *
     * @param index  of the payload's first byte.
     * @param length of the payload, at least {@link #MIN_PAYLOAD_LENGTH}.
     * @return index of the first footer byte.
     */
    public static int footerIndex(final int index, final int length)
    {
        return index + length - FOOTER_LENGTH;
    }

    /**
     * Index of the little-endian RDB version.
     *
     * @param index  of the payload's first byte.
     * @param length of the payload, at least {@link #MIN_PAYLOAD_LENGTH}.
     * @return index of the version's first byte.
     */
    public static int versionIndex(final int index, final int length)
    {
        return footerIndex(index, length) + FOOTER_VERSION_OFFSET;
    }

    /**
     * Index of the little-endian CRC-64; the CRC covers every byte before this index.
     *
     * @param index  of the payload's first byte.
     * @param length of the payload, at least {@link #MIN_PAYLOAD_LENGTH}.
     * @return index of the CRC's first byte.
     */
    public static int crcIndex(final int index, final int length)
    {
        return footerIndex(index, length) + FOOTER_CRC_OFFSET;
    }

    /**
     * Is this an object type the reader understands?
     *
     * @param type the type byte, 0..255.
     * @return true for {@link #TYPE_STRING} and {@link #TYPE_JSON}.
     */
    public static boolean isKnownType(final int type)
    {
        return type == TYPE_STRING || type == TYPE_JSON;
    }
}
