package io.ringkv.core.store;

/**
 * Layout of one element of a large collection (a field and value of a hash, a member of a set), one block from the
 * shared {@link SlabAllocator}, chained in its collection's own {@link OffHeapTable} (see {@link ElementTables}).
 * Stateless constants; any thread may read them.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Next element in bucket chain (address)        |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Hash (low 32 bits of the 64-bit hash)         |  8
 *  +---------------------------------------------------------------+
 *  |                 Key length (field or member)                  | 12
 *  +---------------------------------------------------------------+
 *  |                 Key bytes ...                                ... 16
 *  +---------------------------------------------------------------+
 *  |                 Value length (hash elements only)             | 16 + key length
 *  +---------------------------------------------------------------+
 *  |                 Value bytes ...                              ... 20 + key length
 *  +---------------------------------------------------------------+
 * </pre>
 * A set member costs 16 bytes of header, a hash field and value 20: less than Redis's 24-byte dictEntry plus two sds
 * headers, and no heap object. The value length sits behind the key, so both kinds share the key offset and one
 * table implementation; it is unaligned, which x86-64 and AArch64 read at full speed.
 */
public final class ElementDescriptor
{
    public static final int NEXT_OFFSET = 0;
    public static final int HASH_OFFSET = 8;
    public static final int KEY_LENGTH_OFFSET = 12;
    public static final int KEY_OFFSET = 16;
    /** Bytes of the value length field that follows the key in hash elements. */
    public static final int VALUE_LENGTH_LENGTH = Integer.BYTES;

    private ElementDescriptor()
    {
    }

    /**
     * @param keyLength   bytes of field or member.
     * @param valueLength bytes of value, or -1 for an element without one (a set member).
     * @return bytes of the element's block contents.
     */
    public static long elementLength(final int keyLength, final int valueLength)
    {
        return KEY_OFFSET + (long)keyLength + (valueLength < 0 ? 0 : VALUE_LENGTH_LENGTH + (long)valueLength);
    }

    /**
     * @param keyLength bytes of the element's key.
     * @return offset of a hash element's value length field.
     */
    public static int valueLengthOffset(final int keyLength)
    {
        return KEY_OFFSET + keyLength;
    }

    /**
     * @param keyLength bytes of the element's key.
     * @return offset of a hash element's value bytes.
     */
    public static int valueOffset(final int keyLength)
    {
        return KEY_OFFSET + keyLength + VALUE_LENGTH_LENGTH;
    }
}
