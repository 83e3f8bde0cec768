package io.ringkv.core.store;

import org.agrona.UnsafeApi;
import org.agrona.collections.Long2LongHashMap;

/**
 * Allocates the variable-size blocks that hold entries, from off-heap memory it takes with Agrona's
 * {@link UnsafeApi#allocateMemory(long)}, and tells how much it holds.
 * <p>
 * Lengths up to {@link #HUGE_LENGTH} are rounded up to a size class: 8-byte steps up to 128 bytes, 16-byte steps up
 * to 512, then steps of about 1/8 (a multiple of 64) up to 1 MiB. Each class carves its blocks from its own pages
 * (about {@code pageSize} bytes, a whole number of blocks) and keeps a free list threaded through the first 8 bytes
 * of freed blocks, so a freed block is reused by the next allocation of the same class in O(1). Pages are only given
 * back to the system by {@link #releaseAll()}. Longer lengths are huge: each is its own allocation of exactly that
 * length, returned to the system as soon as it is freed (from {@link HugeBlockReleaser#MIN_LENGTH} on, by the
 * {@link HugeBlockReleaser}'s thread, so that the engine does not wait for the system to unmap it).
 * <p>
 * The caller remembers each block's requested length and passes it back to {@link #free(long, long)}: there is no
 * per-block header. Blocks are 8-byte aligned. Not threadsafe: only the engine thread calls this.
 */
public final class SlabAllocator
{
    /** Blocks longer than this are allocated individually. */
    public static final int HUGE_LENGTH = 1024 * 1024;

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

    private final int pageSize;
    private final long[] freeHead = new long[CLASS_LENGTHS.length];
    private final long[] carveCursor = new long[CLASS_LENGTHS.length];
    private final long[] carveLimit = new long[CLASS_LENGTHS.length];
    private final long[] liveBlocks = new long[CLASS_LENGTHS.length];
    private final long[] freeBlocks = new long[CLASS_LENGTHS.length];
    private final long[] requestedBytesByClass = new long[CLASS_LENGTHS.length];
    private final long[] reservedBytesByClass = new long[CLASS_LENGTHS.length];
    private final Long2LongHashMap hugeLengthByAddress = new Long2LongHashMap(0);
    private final HugeBlockReleaser releaser = new HugeBlockReleaser();

    private long[] pages = new long[64];
    private int pageCount;
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
        if (freeHead[sizeClass] != 0 || carveCursor[sizeClass] < carveLimit[sizeClass])
        {
            return 0;
        }
        return pageLength(CLASS_LENGTHS[sizeClass]);
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
        long address = freeHead[sizeClass];
        if (address != 0)
        {
            freeHead[sizeClass] = UnsafeApi.getLong(address);
            freeBlocks[sizeClass]--;
        }
        else
        {
            if (carveCursor[sizeClass] >= carveLimit[sizeClass])
            {
                newPage(sizeClass, classLength);
            }
            address = carveCursor[sizeClass];
            carveCursor[sizeClass] = address + classLength;
        }
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
        UnsafeApi.putLong(address, freeHead[sizeClass]);
        freeHead[sizeClass] = address;
        freeBlocks[sizeClass]++;
        liveBlocks[sizeClass]--;
        requestedBytesByClass[sizeClass] -= length;
        blockBytes -= CLASS_LENGTHS[sizeClass];
        requestedBytes -= length;
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
        for (int i = 0; i < pageCount; i++)
        {
            UnsafeApi.freeMemory(pages[i]);
            pages[i] = 0;
        }
        pageCount = 0;
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
        java.util.Arrays.fill(freeHead, 0);
        java.util.Arrays.fill(carveCursor, 0);
        java.util.Arrays.fill(carveLimit, 0);
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

    private void newPage(final int sizeClass, final int classLength)
    {
        final long length = pageLength(classLength);
        final long page = UnsafeApi.allocateMemory(length);
        if (pageCount == pages.length)
        {
            pages = java.util.Arrays.copyOf(pages, pageCount * 2);
        }
        pages[pageCount++] = page;
        pageBytes += length;
        reservedBytesByClass[sizeClass] += length;
        carveCursor[sizeClass] = page;
        carveLimit[sizeClass] = page + length;
    }
}
