package io.ringkv.core.rdb;

import java.nio.charset.StandardCharsets;

/**
 * Layout of an RDB file as Redis 7.0 writes it (version 10): the magic "REDIS0010", then records, each an opcode
 * or a value type byte, ending in {@link #OPCODE_EOF} and a little-endian CRC-64 of every byte before it (0 when
 * written with {@code rdbchecksum no}).
 * <pre>
 *   REDIS0010
 *   AUX name value ...              (redis-ver, redis-bits, ctime, used-mem, repl-*, aof-base)
 *   FUNCTION2 library-code ...      (function libraries)
 *   SELECTDB n  RESIZEDB size expires
 *   [EXPIRETIME_MS t] type key value ...   (value: a DUMP payload's body, see DumpPayloadDescriptor)
 *   ...
 *   EOF crc64
 * </pre>
 * A key's value record is exactly a DUMP payload's type and body, so the file and DUMP share one serialization.
 * Constants only.
 */
public final class RdbFileDescriptor
{
    /** "REDIS" then the version as four ASCII digits. */
    public static final byte[] MAGIC = "REDIS".getBytes(StandardCharsets.US_ASCII);
    /** Length of the magic and version. */
    public static final int HEADER_LENGTH = 9;
    /** Oldest version read: Redis 2.x's files have other encodings RESTORE does not take either. */
    public static final int MIN_VERSION = 1;
    /** Version written, and the newest read. */
    public static final int VERSION = DumpPayloadDescriptor.RDB_VERSION;
    /** First version whose files end in a CRC-64. */
    public static final int CHECKSUM_VERSION = 5;

    /** RDB_OPCODE_FUNCTION2: a function library's code as one string. */
    public static final int OPCODE_FUNCTION2 = 0xF5;
    /** RDB_OPCODE_FUNCTION: Redis 7.0 release candidates' function format; not read. */
    public static final int OPCODE_FUNCTION_PRE_GA = 0xF6;
    /** RDB_OPCODE_MODULE_AUX: a module's data; not read. */
    public static final int OPCODE_MODULE_AUX = 0xF7;
    /** RDB_OPCODE_IDLE: the next key's LRU idle time in seconds (a length). */
    public static final int OPCODE_IDLE = 0xF8;
    /** RDB_OPCODE_FREQ: the next key's LFU counter (one byte). */
    public static final int OPCODE_FREQ = 0xF9;
    /** RDB_OPCODE_AUX: a name and a value string. */
    public static final int OPCODE_AUX = 0xFA;
    /** RDB_OPCODE_RESIZEDB: the database's key count and expiring-key count (lengths), a sizing hint. */
    public static final int OPCODE_RESIZEDB = 0xFB;
    /** RDB_OPCODE_EXPIRETIME_MS: the next key's expiry, int64 little-endian milliseconds. */
    public static final int OPCODE_EXPIRETIME_MS = 0xFC;
    /** RDB_OPCODE_EXPIRETIME: the next key's expiry, int32 little-endian seconds (old files). */
    public static final int OPCODE_EXPIRETIME = 0xFD;
    /** RDB_OPCODE_SELECTDB: the database the keys after it belong to (a length). */
    public static final int OPCODE_SELECTDB = 0xFE;
    /** RDB_OPCODE_EOF: the end, followed by the CRC-64 from version 5. */
    public static final int OPCODE_EOF = 0xFF;

    /** RDB_TYPE_LIST: a list as a count and its elements (Redis before 3.2). */
    public static final int TYPE_LIST = 1;
    /** RDB_TYPE_ZSET: a sorted set whose scores are strings (Redis before 2.8). */
    public static final int TYPE_ZSET = 3;
    /** RDB_TYPE_LIST_QUICKLIST: a count of ziplists (Redis 3.2 to 6.2). */
    public static final int TYPE_LIST_QUICKLIST = 14;

    private RdbFileDescriptor()
    {
    }
}
