package io.ringkv.core.store;

/**
 * DUMP payloads of hashes and sets taken from redis-server 7.0.15, shared by the tests of the formats and of the
 * commands.
 */
public final class RedisCollectionVectors
{
    /** {@code HSET h2 a b; DUMP h2}: RDB_TYPE_HASH_LISTPACK. */
    public static final String HASH_SMALL = "100d0d0000000200816102816202ff0a00d93c7f0728f0edcc";
    /** {@link #HASH_FIELDS} set in order by one HSET, then DUMP: every listpack integer width, 6/12-bit strings. */
    public static final String HASH_ALL_ENCODINGS =
        "10c3409841151f15010000260081610200018162027f01816302c08002816402dfff02816502cf2005146602d00002816702f10010" +
        "03816802f1ff7f038169200d168003816a02f200800004816b02f2ffff7f04816c02f30020100505816d02f400400920000509816e" +
        "02f4ff8000037f09816f60194000068009817002bf78e035000640817102e04079e036000e4281720283303037048173028001ff0a00" +
        "d2435d036a61407f";
    /** Fields and values of {@link #HASH_ALL_ENCODINGS}, in order. */
    public static final String[] HASH_FIELDS =
    {
        "a", "0", "b", "127", "c", "128", "d", "-1", "e", "4095", "f", "-4096", "g", "4096", "h", "32767",
        "i", "-32768", "j", "32768", "k", "8388607", "l", "8388608", "m", "2147483648", "n", "9223372036854775807",
        "o", "-9223372036854775808", "p", "x".repeat(63), "q", "y".repeat(64), "r", "007", "s", "",
    };
    /** {@code HSET ht a 1 long <70 z> n -7; DUMP ht}: RDB_TYPE_HASH with LZF and INT strings. */
    public static final String HASH_TABLE =
        "0403016ec0f9046c6f6e67c3094046017a7ae03900017a7a0161c0010a00aba23da62eb5ac58";
    /** {@code SADD s1 1 2 3 -70000}: RDB_TYPE_SET_INTSET, 32-bit members. */
    public static final String SET_INT32 =
        "0b18040000000400000090eefeff0100000002000000030000000a00a8b63c622cbf2c9c";
    /** {@code SADD s3 5 100000 99999999999}: 64-bit members. */
    public static final String SET_INT64 =
        "0b2008000000030000000500000000000000a086010000000000ffe77648170000000a00ff6fed6839ba208f";
    /** {@code SADD st a 1 <70 z> -7}: RDB_TYPE_SET with INT and LZF strings. */
    public static final String SET_TABLE = "0204c0010161c3094046017a7ae03900017a7ac0f90a002b47d4f57fa9c8b7";
    /** {@code SADD sti 1 x 3; SREM sti x}: RDB_TYPE_SET of integers only (a hashtable that lost its string), which
     * Redis loads as an intset. */
    public static final String SET_TABLE_OF_INTEGERS = "0202c001c0030a003e00fc3a32036f3d";

    private RedisCollectionVectors()
    {
    }
}
