package io.ringkv.core.store;

/**
 * Layout of one node of a large list's chain ({@link Quicklists}): one {@link SlabAllocator} block holding the
 * links, its capacity and a Redis 7.0 listpack of consecutive elements, which is exactly what DUMP writes for the
 * node (a PACKED node of RDB_TYPE_LIST_QUICKLIST_2). The capacity (the listpack bytes the block has room for, the
 * whole of its size class) lets an end node grow by doubling instead of passing through every size class on its way
 * to the node limit, each move leaving a block behind in a class that nothing else may use. Stateless constants;
 * any thread.
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
 *  |                 Capacity: listpack bytes the block holds          | 16
 *  +---------------------------------------------------------------+
 *  |                 Listpack: total bytes | count | elements | EOF ... 20
 *  +---------------------------------------------------------------+
 * </pre>
 * 20 bytes per node against Redis's 32-byte quicklistNode plus its listpack's separate allocation.
 */
public final class ListNodeDescriptor
{
    public static final int PREV_OFFSET = 0;
    public static final int NEXT_OFFSET = 8;
    public static final int CAPACITY_OFFSET = 16;
    public static final int LISTPACK_OFFSET = 20;

    private ListNodeDescriptor()
    {
    }

    /**
     * @param capacity listpack bytes the node has room for.
     * @return bytes of the node's block.
     */
    public static long nodeLength(final int capacity)
    {
        return LISTPACK_OFFSET + (long)capacity;
    }

    /**
     * @param listpackLength bytes wanted at least.
     * @return the capacity of the block that holds them: the rest of its size class too.
     */
    public static int capacityFor(final int listpackLength)
    {
        return (int)(SlabAllocator.blockLength(nodeLength(listpackLength)) - LISTPACK_OFFSET);
    }
}
