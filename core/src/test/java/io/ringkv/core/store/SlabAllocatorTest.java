package io.ringkv.core.store;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlabAllocatorTest
{
    private static final int PAGE_SIZE = 64 * 1024;

    private final SlabAllocator allocator = new SlabAllocator(PAGE_SIZE);

    @AfterEach
    void release()
    {
        allocator.releaseAll();
    }

    @Test
    void sizeClassesAreIncreasingEightByteMultiplesWithBoundedRounding()
    {
        int previous = 0;
        for (int c = 0; c < SlabAllocator.classCount(); c++)
        {
            final int length = SlabAllocator.classLength(c);
            assertTrue(length > previous);
            assertEquals(0, length % 8);
            previous = length;
        }
        assertEquals(SlabAllocator.HUGE_LENGTH, previous);
        assertTrue(SlabAllocator.classCount() < 128, "classes fit a byte lookup table");
        for (int length = 1; length <= SlabAllocator.HUGE_LENGTH; length++)
        {
            final long block = SlabAllocator.blockLength(length);
            assertTrue(block >= length);
            final long waste = block - length;
            if (length <= 128)
            {
                assertTrue(waste < 8 || length < 16, "length " + length);
            }
            else if (length <= 512)
            {
                assertTrue(waste < 16, "length " + length);
            }
            else
            {
                assertTrue(waste * 8 <= length, "length " + length + " block " + block);
            }
            final int sizeClass = SlabAllocator.sizeClass(length);
            assertTrue(sizeClass == 0 || SlabAllocator.classLength(sizeClass - 1) < length, "smallest fitting class");
        }
        assertEquals(SlabAllocator.HUGE_LENGTH + 1L, SlabAllocator.blockLength(SlabAllocator.HUGE_LENGTH + 1L));
    }

    @Test
    void freedBlocksAreReusedBeforeNewPages()
    {
        final long a = allocator.allocate(100);
        final long b = allocator.allocate(100);
        assertNotEquals(a, b);
        final long block = SlabAllocator.blockLength(100);
        assertEquals(104, block);
        assertEquals(PAGE_SIZE / block * block, allocator.reservedBytes());
        allocator.free(a, 100);
        assertEquals(0, allocator.reservationFor(100));
        assertEquals(a, allocator.allocate(97), "same class reuses the freed block");
        assertEquals(2 * block, allocator.blockBytes());
        assertEquals(197, allocator.requestedBytes());
        final int sizeClass = SlabAllocator.sizeClass(100);
        assertEquals(2, allocator.liveBlocks(sizeClass));
        assertEquals(0, allocator.freeBlocks(sizeClass));
    }

    @Test
    void blocksDoNotOverlapAndKeepTheirBytes()
    {
        final long[] blocks = new long[5000];
        final Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < blocks.length; i++)
        {
            final int length = 16 + (i % 300);
            blocks[i] = allocator.allocate(length);
            assertTrue(distinct.add(blocks[i]));
            assertEquals(0, blocks[i] & 7, "8-byte aligned");
            UnsafeApi.setMemory(blocks[i], length, (byte)i);
        }
        for (int i = 0; i < blocks.length; i++)
        {
            final int length = 16 + (i % 300);
            for (int j = 0; j < length; j++)
            {
                assertEquals((byte)i, UnsafeApi.getByte(blocks[i] + j));
            }
        }
        final long reserved = allocator.reservedBytes();
        for (int i = 0; i < blocks.length; i++)
        {
            allocator.free(blocks[i], 16 + (i % 300));
        }
        assertEquals(0, allocator.blockBytes());
        assertEquals(0, allocator.requestedBytes());
        for (int sizeClass = 0; sizeClass < SlabAllocator.classCount(); sizeClass++)
        {
            assertTrue(allocator.reservedBytes(sizeClass) <= PAGE_SIZE, "an emptied class keeps one page at most");
        }
        for (int i = 0; i < blocks.length; i++)
        {
            allocator.allocate(16 + (i % 300));
        }
        assertEquals(reserved, allocator.reservedBytes(), "the same mix again takes the same pages");
    }

    /**
     * Deleting a large value or many keys gives their pages back: a page whose last live block is freed is
     * released, except its class's only page; a page with one live block left is kept.
     */
    @Test
    void emptyPagesGoBackToTheSystem()
    {
        final int length = 100;
        final int sizeClass = SlabAllocator.sizeClass(length);
        final long pageLength = PAGE_SIZE / SlabAllocator.blockLength(length) * SlabAllocator.blockLength(length);
        final int perPage = (int)(pageLength / SlabAllocator.blockLength(length));
        final long[] blocks = new long[perPage * 10];
        for (int i = 0; i < blocks.length; i++)
        {
            blocks[i] = allocator.allocate(length);
        }
        assertEquals(10 * pageLength, allocator.reservedBytes());

        // One live block per page keeps every page.
        for (int i = 0; i < blocks.length; i++)
        {
            if (i % perPage != 0)
            {
                allocator.free(blocks[i], length);
            }
        }
        assertEquals(10 * pageLength, allocator.reservedBytes());
        assertEquals(10L * (perPage - 1), allocator.freeBlocks(sizeClass));
        assertEquals(0, allocator.reservationFor(length), "pages with room serve the class");

        for (int i = 0; i < blocks.length; i += perPage)
        {
            allocator.free(blocks[i], length);
        }
        assertEquals(pageLength, allocator.reservedBytes(), "nine pages released, the class's last one kept");
        assertEquals(pageLength, allocator.pageBytes());
        assertEquals(perPage, allocator.freeBlocks(sizeClass));
        assertEquals(0, allocator.liveBlocks(sizeClass));
        assertEquals(0, allocator.blockBytes());
        assertEquals(0, allocator.reservationFor(length));
    }

    /**
     * Random allocations and frees of mixed lengths against a model of the live blocks: no two live blocks overlap,
     * each keeps its bytes until freed, and the per-class counts add up; freeing everything leaves at most one page
     * per class.
     */
    @Test
    void randomAllocationsAndFreesKeepBlocksIntactAndReleasePages()
    {
        final java.util.Random random = new java.util.Random(42);
        final java.util.List<long[]> live = new java.util.ArrayList<>(); // {address, length, fill}
        for (int step = 0; step < 200_000; step++)
        {
            if (live.isEmpty() || random.nextInt(100) < (step < 100_000 ? 60 : 35))
            {
                final int length = random.nextInt(8) == 0 ? 1 + random.nextInt(200_000) : 1 + random.nextInt(300);
                final long address = allocator.allocate(length);
                final byte fill = (byte)random.nextInt();
                UnsafeApi.setMemory(address, length, fill);
                live.add(new long[]{address, length, fill});
            }
            else
            {
                final int index = random.nextInt(live.size());
                final long[] block = live.get(index);
                assertEquals((byte)block[2], UnsafeApi.getByte(block[0]), "first byte intact");
                assertEquals((byte)block[2], UnsafeApi.getByte(block[0] + block[1] - 1), "last byte intact");
                allocator.free(block[0], block[1]);
                live.set(index, live.get(live.size() - 1));
                live.remove(live.size() - 1);
            }
        }
        long blockBytes = 0;
        for (final long[] block : live)
        {
            blockBytes += SlabAllocator.blockLength(block[1]);
        }
        assertEquals(blockBytes, allocator.blockBytes());
        live.sort(java.util.Comparator.comparingLong(block -> block[0]));
        for (int i = 1; i < live.size(); i++)
        {
            assertTrue(live.get(i - 1)[0] + SlabAllocator.blockLength(live.get(i - 1)[1]) <= live.get(i)[0],
                "live blocks do not overlap");
        }
        for (final long[] block : live)
        {
            assertEquals((byte)block[2], UnsafeApi.getByte(block[0] + block[1] / 2));
            allocator.free(block[0], block[1]);
        }
        assertEquals(0, allocator.blockBytes());
        for (int sizeClass = 0; sizeClass < SlabAllocator.classCount(); sizeClass++)
        {
            assertEquals(0, allocator.liveBlocks(sizeClass));
            assertTrue(allocator.reservedBytes(sizeClass) <= Math.max(PAGE_SIZE, SlabAllocator.classLength(sizeClass)),
                "an emptied class keeps one page at most");
        }
    }

    @Test
    void hugeBlocksAreSeparateAndFreedAtOnce()
    {
        final long length = SlabAllocator.HUGE_LENGTH + 12345L;
        assertEquals(length, allocator.reservationFor(length));
        final long block = allocator.allocate(length);
        UnsafeApi.setMemory(block, length, (byte)7);
        assertEquals(length, allocator.hugeBytes());
        assertEquals(length, allocator.reservedBytes());
        allocator.free(block, length);
        assertEquals(0, allocator.hugeBytes());
        assertEquals(0, allocator.reservedBytes());

        allocator.allocate(length);
        allocator.allocate(64);
        allocator.releaseAll();
        assertEquals(0, allocator.reservedBytes());
        assertEquals(0, allocator.blockBytes());
    }

    @Test
    void rejectsTinyPages()
    {
        assertThrows(IllegalArgumentException.class, () -> new SlabAllocator(1024));
    }
}
