package io.ringkv.core.store;

/**
 * Encoding tags stored in each entry's encoding byte. The command layer chooses them; the store reads only one fact
 * from them, {@link #isTable}: whether the value lives outside the entry, in an {@link ElementTables} table whose id
 * is the entry's 4 value bytes (so that deleting, replacing or flushing the key frees it). Every other encoding is
 * held whole in the entry's value bytes. Constants only; any thread.
 * <p>
 * Values are unique across types except for the in-entry forms of different types (JSON_TEXT and STRING_RAW are
 * both 0); the type byte tells them apart.
 */
public final class ValueEncoding
{
    /** String held as its raw bytes. */
    public static final byte STRING_RAW = 0;
    /** String holding a 64-bit integer, stored as an 8-byte little-endian long (INCR-able). */
    public static final byte STRING_INT = 1;
    /** JSON document held as compact JSON text. */
    public static final byte JSON_TEXT = 0;
    /** Small hash: a Redis 7.0 listpack of field, value, field, value... in the entry ({@link Listpack}). */
    public static final byte HASH_LISTPACK = 2;
    /** Small set of integers: a Redis 7.0 intset in the entry ({@link Intset}). */
    public static final byte SET_INTSET = 3;
    /** Small sorted set: a Redis 7.0 listpack of member, score, member, score... by score, in the entry. */
    public static final byte ZSET_LISTPACK = 4;

    /** Small list: one Redis 7.0 listpack of the elements in the entry ({@link Listpack}). */
    public static final byte LIST_LISTPACK = 5;

    /** Bit of the encodings whose value is an element table outside the entry. */
    public static final byte TABLE = 0x40;
    /** Large hash: an element table of fields with values. */
    public static final byte HASH_TABLE = TABLE | 1;
    /** Large set (or one with a non-integer member): an element table of members. */
    public static final byte SET_TABLE = TABLE | 2;
    /** Large sorted set: a sorted element table (members with scores, ordered by a {@link ZSkipList}). */
    public static final byte ZSET_SKIPLIST = TABLE | 3;

    /** Large list: a chain of listpack nodes ({@link Quicklists}), not an element table; the same 4-byte id. */
    public static final byte LIST_QUICKLIST = TABLE | 4;

    /** Bytes of the value of a {@link #TABLE} encoding: the table's id, little-endian. */
    public static final int TABLE_ID_LENGTH = Integer.BYTES;

    private ValueEncoding()
    {
    }

    /**
     * @param encoding an entry's encoding byte.
     * @return true when the value is an element table held outside the entry.
     */
    public static boolean isTable(final byte encoding)
    {
        return (encoding & TABLE) != 0;
    }

    /**
     * @param encoding an entry's encoding byte.
     * @return true when the outside value is a list's node chain in {@link Quicklists} rather than an element table.
     */
    public static boolean isQuicklist(final byte encoding)
    {
        return encoding == LIST_QUICKLIST;
    }
}
