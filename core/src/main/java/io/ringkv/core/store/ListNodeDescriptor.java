package io.ringkv.core.store;

/**
 * Layout of one node of a large list's chain ({@link Quicklists}): one {@link SlabAllocator} block holding the
 * links and a Redis 7.0 listpack of consecutive elements, which is exactly what DUMP writes for the node (a PACKED
 * node of RDB_TYPE_LIST_QUICKLIST_2). The block's length follows from the listpack's total bytes field, so the
 * node keeps no length of its own. Stateless constants; any thread.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Previous node (address, 0 at the head)        |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Next node (address, 0 at the tail)            |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Listpack: total bytes | count | elements | EOF ... 16
 *  +---------------------------------------------------------------+
 * </pre>
 * 16 bytes per node against Redis's 32-byte quicklistNode plus its listpack's separate allocation.
 */
public final class ListNodeDescriptor
{
    public static final int PREV_OFFSET = 0;
    public static final int NEXT_OFFSET = 8;
    public static final int LISTPACK_OFFSET = 16;

    private ListNodeDescriptor()
    {
    }

    /**
     * @param listpackLength bytes of the node's listpack.
     * @return bytes of the node's block contents.
     */
    public static long nodeLength(final int listpackLength)
    {
        return LISTPACK_OFFSET + (long)listpackLength;
    }
}
