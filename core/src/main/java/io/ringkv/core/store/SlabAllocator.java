package io.ringkv.core.store;

import org.agrona.UnsafeApi;
import org.agrona.collections.Long2LongHashMap;

/**
 * Allocates the variable-size blocks that hold entries, from off-heap memory it takes with Agrona's
 * {@link UnsafeApi#allocateMemory(long)}, and tells how much it holds.
 * <p>
 * Lengths up to {@link #HUGE_LENGTH} (8 KiB) are rounded up to a size class: 8-byte steps up to 128 bytes, 16-byte
 * steps up to 512, then steps of about 1/8 (a multiple of 64) up to 8 KiB. Each class carves its blocks from its own pages
 * (about {@code pageSize} bytes, a whole number of blocks). Each page keeps its own free list threaded through the
 * first 8 bytes of its freed blocks and a count of its live blocks; a class allocates from its pages that have room
 * (most recently freed into first), in O(1). A page whose last live block is freed goes back to the system at once,
 * unless it is its class's only page, so deleting a large value or many keys returns its memory instead of keeping
 * it reserved for one size class (memcached's slab calcification). A block's page is found from its address: pages
 * are allocated {@code pageSize} bytes each, so at most one page starts in any aligned chunk of the largest power
 * of two not above {@code pageSize}, and a map from chunk to page finds it in one or two probes. Longer lengths are
 * huge: each is its own allocation of exactly that length, returned to the system as soon as it is freed (from
 * {@link HugeBlockReleaser#MIN_LENGTH} on, by the {@link HugeBlockReleaser}'s thread, so that the engine does not
 * wait for the system to unmap it). {@link #releaseAll()} gives everything back at once.
 * <p>
 * The caller remembers each block's requested length and passes it back to {@link #free(long, long)}: there is no
 * per-block header. Blocks are 8-byte aligned. Not threadsafe: only the engine thread calls this.
 */
public final class SlabAllocator
{
    /**
     * Blocks longer than this are allocated individually (malloc), so that a page always holds several blocks and
     * a size class used by a few large blocks does not hold whole pages (a listpack growing through the classes
     * left one 1 MiB page in each of fifty classes when pages went up to 1 MiB blocks).
     */
    public static final int HUGE_LENGTH = 8 * 1024;

    private static final int SMALL_LIMIT = 512;
    private static final int MIN_BLOCK = 16;

    private static final int[] CLASS_LENGTHS;
    private static final byte[] SMALL_CLASS_BY_EIGHTS;
    private static final byte[] LARGE_CLASS_BY_SIXTY_FOURS;

    static
    {
        final int[] lengths = new int[256];
        int count = 0;
        int length = MIN_BLOCK;
        while (length < 128)
        {
            lengths[count++] = length;
            length += 8;
        }
        while (length < SMALL_LIMIT)
        {
            lengths[count++] = length;
            length += 16;
        }
        while (length < HUGE_LENGTH)
        {
            lengths[count++] = length;
            length = (int)((length + (length >> 3)) & ~63L);
        }
        lengths[count++] = HUGE_LENGTH;
        CLASS_LENGTHS = java.util.Arrays.copyOf(lengths, count);

        SMALL_CLASS_BY_EIGHTS = new byte[SMALL_LIMIT / 8 + 1];
        int c = 0;
        for (int i = 0; i < SMALL_CLASS_BY_EIGHTS.length; i++)
        {
            while (CLASS_LENGTHS[c] < i * 8)
            {
                c++;
            }
            SMALL_CLASS_BY_EIGHTS[i] = (byte)c;
        }
        LARGE_CLASS_BY_SIXTY_FOURS = new byte[HUGE_LENGTH / 64 + 1];
        c = 0;
        for (int i = 0; i < LARGE_CLASS_BY_SIXTY_FOURS.length; i++)
        {
            while (CLASS_LENGTHS[c] < i * 64)
            {
                c++;
            }
            LARGE_CLASS_BY_SIXTY_FOURS[i] = (byte)c;
        }
    }

    private static final int NO_PAGE = -1;
    private static final int INITIAL_PAGES = 64;

    private final int pageSize;
    private final int chunkShift;
    /** Per class: its first page with room (a free or uncarved block), or {@link #NO_PAGE}. */
    private final int[] roomyHead = new int[CLASS_LENGTHS.length];
    private final int[] pagesByClass = new int[CLASS_LENGTHS.length];
    private final long[] liveBlocks = new long[CLASS_LENGTHS.length];
    private final long[] freeBlocks = new long[CLASS_LENGTHS.length];
    private final long[] requestedBytesByClass = new long[CLASS_LENGTHS.length];
    private final long[] reservedBytesByClass = new long[CLASS_LENGTHS.length];
    private final Long2LongHashMap hugeLengthByAddress = new Long2LongHashMap(0);
    /** Chunk index (address >>> chunkShift) of each page's start, to the page's id. */
    private final Long2LongHashMap pageByChunk = new Long2LongHashMap(NO_PAGE);
    private final HugeBlockReleaser releaser = new HugeBlockReleaser();

    // Pages by id (ids of released pages are reused): start address, class, live blocks, free list head, carve
    // cursor and end, and links of the class's list of pages with room (prev == NO_PAGE and not the head: absent).
    private long[] pageStart = new long[INITIAL_PAGES];
    private int[] pageClass = new int[INITIAL_PAGES];
    private int[] pageLive = new int[INITIAL_PAGES];
    private long[] pageFreeHead = new long[INITIAL_PAGES];
    private long[] pageCarve = new long[INITIAL_PAGES];
    private long[] pageEnd = new long[INITIAL_PAGES];
    private int[] roomyNext = new int[INITIAL_PAGES];
    private int[] roomyPrev = new int[INITIAL_PAGES];
    private boolean[] roomy = new boolean[INITIAL_PAGES];
    private int[] freeIds = new int[INITIAL_PAGES];
    private int freeIdCount;
    private int nextPageId;
    private long pageBytes;
    private long hugeBytes;
    private long blockBytes;
    private long requestedBytes;

    /**
     * @param pageSize bytes of each page carved into blocks (at least 4096).
     */
    public SlabAllocator(final int pageSize)
    {
        if (pageSize < 4096)
        {
            throw new IllegalArgumentException("pageSize must be >= 4096: " + pageSize);
        }
        this.pageSize = pageSize;
        this.chunkShift = 31 - Integer.numberOfLeadingZeros(pageSize);
        java.util.Arrays.fill(roomyHead, NO_PAGE);
    }

    /**
     * @return number of size classes.
     */
    public static int classCount()
    {
        return CLASS_LENGTHS.length;
    }

    /**
     * @param sizeClass index, 0 until {@link #classCount()}.
     * @return block length of that class.
     */
    public static int classLength(final int sizeClass)
    {
        return CLASS_LENGTHS[sizeClass];
    }

    /**
     * @param length requested bytes, at most {@link #HUGE_LENGTH}.
     * @return the smallest size class whose blocks hold {@code length} bytes.
     */
    public static int sizeClass(final long length)
    {
        if (length <= SMALL_LIMIT)
        {
            return SMALL_CLASS_BY_EIGHTS[(int)((length + 7) >>> 3)];
        }
        return LARGE_CLASS_BY_SIXTY_FOURS[(int)((length + 63) >>> 6)] & 0xFF;
    }

    /**
     * @param length requested bytes.
     * @return bytes of the block that holds them: the class length, or the length itself when huge.
     */
    public static long blockLength(final long length)
    {
        return length > HUGE_LENGTH ? length : CLASS_LENGTHS[sizeClass(length)];
    }

    /**
     * @param length requested bytes.
     * @return bytes this allocator would newly reserve from the system to allocate {@code length}: 0 when a free
     * or uncarved block of its class is at hand, else a page or the huge length.
     */
    public long reservationFor(final long length)
    {
        if (length > HUGE_LENGTH)
        {
            return length;
        }
        final int sizeClass = sizeClass(length);
        return roomyHead[sizeClass] != NO_PAGE ? 0 : pageLength(CLASS_LENGTHS[sizeClass]);
    }

    /**
     * Allocate a block. Its contents are undefined.
     *
     * @param length bytes wanted, at least 1.
     * @return absolute address of the block, never 0.
     */
    public long allocate(final long length)
    {
        if (length > HUGE_LENGTH)
        {
            final long address = UnsafeApi.allocateMemory(length);
            hugeLengthByAddress.put(address, length);
            hugeBytes += length;
            blockBytes += length;
            requestedBytes += length;
            return address;
        }

        final int sizeClass = sizeClass(length);
        final int classLength = CLASS_LENGTHS[sizeClass];
        int page = roomyHead[sizeClass];
        if (page == NO_PAGE)
        {
            page = newPage(sizeClass, classLength);
        }
        long address = pageFreeHead[page];
        if (address != 0)
        {
            pageFreeHead[page] = UnsafeApi.getLong(address);
            freeBlocks[sizeClass]--;
        }
        else
        {
            address = pageCarve[page];
            pageCarve[page] = address + classLength;
        }
        if (pageFreeHead[page] == 0 && pageCarve[page] >= pageEnd[page])
        {
            unlinkRoomy(page);
        }
        pageLive[page]++;
        liveBlocks[sizeClass]++;
        requestedBytesByClass[sizeClass] += length;
        blockBytes += classLength;
        requestedBytes += length;
        return address;
    }

    /**
     * Free a block.
     *
     * @param address returned by {@link #allocate(long)}.
     * @param length  the length it was allocated with.
     */
    public void free(final long address, final long length)
    {
        if (length > HUGE_LENGTH)
        {
            hugeLengthByAddress.remove(address);
            if (length < HugeBlockReleaser.MIN_LENGTH || !releaser.offer(address))
            {
                UnsafeApi.freeMemory(address);
            }
            hugeBytes -= length;
            blockBytes -= length;
            requestedBytes -= length;
            return;
        }

        final int sizeClass = sizeClass(length);
        final int page = pageOf(address);
        UnsafeApi.putLong(address, pageFreeHead[page]);
        pageFreeHead[page] = address;
        freeBlocks[sizeClass]++;
        liveBlocks[sizeClass]--;
        requestedBytesByClass[sizeClass] -= length;
        blockBytes -= CLASS_LENGTHS[sizeClass];
        requestedBytes -= length;
        if (--pageLive[page] == 0 && pagesByClass[sizeClass] > 1)
        {
            releasePage(page);
        }
        else if (!roomy[page])
        {
            linkRoomy(page);
        }
    }

    /**
     * Account for a live block now holding {@code newLength} bytes instead of {@code oldLength}, in place; both
     * lengths must have the same {@link #blockLength(long)}.
     *
     * @param oldLength length the block was allocated or last resized with.
     * @param newLength length it holds now, to be passed to {@link #free(long, long)} later.
     */
    public void resized(final long oldLength, final long newLength)
    {
        requestedBytes += newLength - oldLength;
        if (oldLength <= HUGE_LENGTH)
        {
            requestedBytesByClass[sizeClass(oldLength)] += newLength - oldLength;
        }
    }

    /**
     * Give every page and huge block back to the system, so every block ever allocated becomes invalid.
     * Used by FLUSHALL, which drops every entry at once.
     */
    public void releaseAll()
    {
        for (int page = 0; page < nextPageId; page++)
        {
            if (pageStart[page] != 0)
            {
                UnsafeApi.freeMemory(pageStart[page]);
                pageStart[page] = 0;
            }
        }
        nextPageId = 0;
        freeIdCount = 0;
        pageByChunk.clear();
        java.util.Arrays.fill(roomyHead, NO_PAGE);
        java.util.Arrays.fill(pagesByClass, 0);
        pageBytes = 0;
        final Long2LongHashMap.KeyIterator iterator = hugeLengthByAddress.keySet().iterator();
        while (iterator.hasNext())
        {
            UnsafeApi.freeMemory(iterator.nextValue());
        }
        hugeLengthByAddress.clear();
        hugeBytes = 0;
        blockBytes = 0;
        requestedBytes = 0;
        java.util.Arrays.fill(liveBlocks, 0);
        java.util.Arrays.fill(freeBlocks, 0);
        java.util.Arrays.fill(requestedBytesByClass, 0);
        java.util.Arrays.fill(reservedBytesByClass, 0);
    }

    /**
     * Give everything back, including blocks still queued for the releaser thread, and stop that thread; the
     * allocator is unusable afterwards.
     */
    public void close()
    {
        releaseAll();
        releaser.close();
    }

    long lazilyFreedBlocks()
    {
        return releaser.freedBlocks();
    }

    /**
     * MEMORY MALLOC-STATS: the allocator's totals, then one line per size class that holds pages.
     *
     * @return the report, one line per figure.
     */
    public String report()
    {
        final StringBuilder report = new StringBuilder(4096);
        report.append("___ Begin ringkv slab allocator statistics ___\n")
            .append("page size: ").append(pageSize).append('\n')
            .append("reserved (pages + huge blocks): ").append(reservedBytes()).append('\n')
            .append("pages: ").append(pageBytes).append('\n')
            .append("live blocks (class lengths): ").append(blockBytes).append('\n')
            .append("requested by callers: ").append(requestedBytes).append('\n')
            .append("huge blocks (over ").append(HUGE_LENGTH).append(" bytes, malloc'd each): ").append(hugeBytes)
            .append('\n')
            .append("lazily freed huge blocks: ").append(lazilyFreedBlocks()).append('\n')
            .append(String.format(java.util.Locale.ROOT, "%8s %10s %10s %14s %14s %6s%n",
                "class", "live", "free", "requested", "reserved", "util"));
        for (int sizeClass = 0; sizeClass < CLASS_LENGTHS.length; sizeClass++)
        {
            final long reserved = reservedBytesByClass[sizeClass];
            if (reserved == 0)
            {
                continue;
            }
            report.append(String.format(java.util.Locale.ROOT, "%8d %10d %10d %14d %14d %5.1f%%%n",
                CLASS_LENGTHS[sizeClass], liveBlocks[sizeClass], freeBlocks[sizeClass],
                requestedBytesByClass[sizeClass], reserved,
                100.0 * liveBlocks[sizeClass] * CLASS_LENGTHS[sizeClass] / reserved));
        }
        return report.append("___ End ringkv slab allocator statistics ___\n").toString();
    }

    /**
     * @return bytes taken from the system: pages plus huge blocks.
     */
    public long reservedBytes()
    {
        return pageBytes + hugeBytes;
    }

    /**
     * @return bytes of live blocks (requested lengths rounded up to their class).
     */
    public long blockBytes()
    {
        return blockBytes;
    }

    /**
     * @return bytes the callers asked for in live blocks.
     */
    public long requestedBytes()
    {
        return requestedBytes;
    }

    /**
     * @return bytes of pages, excluding huge blocks.
     */
    public long pageBytes()
    {
        return pageBytes;
    }

    /**
     * @return bytes of live huge blocks.
     */
    public long hugeBytes()
    {
        return hugeBytes;
    }

    /**
     * @param sizeClass index.
     * @return live blocks of that class.
     */
    public long liveBlocks(final int sizeClass)
    {
        return liveBlocks[sizeClass];
    }

    /**
     * @param sizeClass index.
     * @return blocks of that class on its free list.
     */
    public long freeBlocks(final int sizeClass)
    {
        return freeBlocks[sizeClass];
    }

    /**
     * @param sizeClass index.
     * @return bytes requested by the live blocks of that class.
     */
    public long requestedBytes(final int sizeClass)
    {
        return requestedBytesByClass[sizeClass];
    }

    /**
     * @param sizeClass index.
     * @return bytes of pages owned by that class.
     */
    public long reservedBytes(final int sizeClass)
    {
        return reservedBytesByClass[sizeClass];
    }

    private long pageLength(final int classLength)
    {
        return (long)Math.max(1, pageSize / classLength) * classLength;
    }

    /**
     * Take a page for a class from the system and make it the class's first page with room.
     *
     * @return the page's id.
     */
    private int newPage(final int sizeClass, final int classLength)
    {
        final long length = pageLength(classLength);
        // At least pageSize bytes, so that two pages never start in the same chunk (pageOf relies on it); the tail
        // past the last whole block is never touched, so it costs address space, not resident memory. A class
        // longer than a page gets pages of one block each.
        final long start = UnsafeApi.allocateMemory(Math.max(pageSize, length));
        final int page = freeIdCount > 0 ? freeIds[--freeIdCount] : nextPageId();
        pageStart[page] = start;
        pageClass[page] = sizeClass;
        pageLive[page] = 0;
        pageFreeHead[page] = 0;
        pageCarve[page] = start;
        pageEnd[page] = start + length;
        pageByChunk.put(start >>> chunkShift, page);
        pagesByClass[sizeClass]++;
        pageBytes += length;
        reservedBytesByClass[sizeClass] += length;
        linkRoomy(page);
        return page;
    }

    private int nextPageId()
    {
        if (nextPageId == pageStart.length)
        {
            final int capacity = nextPageId * 2;
            pageStart = java.util.Arrays.copyOf(pageStart, capacity);
            pageClass = java.util.Arrays.copyOf(pageClass, capacity);
            pageLive = java.util.Arrays.copyOf(pageLive, capacity);
            pageFreeHead = java.util.Arrays.copyOf(pageFreeHead, capacity);
            pageCarve = java.util.Arrays.copyOf(pageCarve, capacity);
            pageEnd = java.util.Arrays.copyOf(pageEnd, capacity);
            roomyNext = java.util.Arrays.copyOf(roomyNext, capacity);
            roomyPrev = java.util.Arrays.copyOf(roomyPrev, capacity);
            roomy = java.util.Arrays.copyOf(roomy, capacity);
            freeIds = java.util.Arrays.copyOf(freeIds, capacity);
        }
        return nextPageId++;
    }

    /**
     * Give an empty page back to the system: its free blocks leave the class's count with it.
     */
    private void releasePage(final int page)
    {
        final int sizeClass = pageClass[page];
        if (roomy[page])
        {
            unlinkRoomy(page);
        }
        final long start = pageStart[page];
        final long length = pageEnd[page] - start;
        freeBlocks[sizeClass] -= (pageCarve[page] - start) / CLASS_LENGTHS[sizeClass];
        pageByChunk.remove(start >>> chunkShift);
        pagesByClass[sizeClass]--;
        pageBytes -= length;
        reservedBytesByClass[sizeClass] -= length;
        UnsafeApi.freeMemory(start);
        pageStart[page] = 0;
        freeIds[freeIdCount++] = page;
    }

    /**
     * The page holding a block: the page that starts in the block's chunk, or in one of the two before it (a page
     * of {@code pageSize} bytes spans at most three chunks of the largest power of two not above it; a longer page
     * holds one block, at its start).
     */
    private int pageOf(final long address)
    {
        final long chunk = address >>> chunkShift;
        for (long back = 0; back <= 2; back++)
        {
            final int page = (int)pageByChunk.get(chunk - back);
            if (page != NO_PAGE && address - pageStart[page] >= 0 && address - pageEnd[page] < 0)
            {
                return page;
            }
        }
        throw new IllegalArgumentException("not a block of this allocator: " + address);
    }

    private void linkRoomy(final int page)
    {
        final int sizeClass = pageClass[page];
        final int head = roomyHead[sizeClass];
        roomyNext[page] = head;
        roomyPrev[page] = NO_PAGE;
        if (head != NO_PAGE)
        {
            roomyPrev[head] = page;
        }
        roomyHead[sizeClass] = page;
        roomy[page] = true;
    }

    private void unlinkRoomy(final int page)
    {
        final int next = roomyNext[page];
        final int prev = roomyPrev[page];
        if (prev != NO_PAGE)
        {
            roomyNext[prev] = next;
        }
        else
        {
            roomyHead[pageClass[page]] = next;
        }
        if (next != NO_PAGE)
        {
            roomyPrev[next] = prev;
        }
        roomy[page] = false;
    }
}
