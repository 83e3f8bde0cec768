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
        for (int i = 0; i < blocks.length; i++)
        {
            allocator.free(blocks[i], 16 + (i % 300));
        }
        assertEquals(0, allocator.blockBytes());
        assertEquals(0, allocator.requestedBytes());
        final long reserved = allocator.reservedBytes();
        for (int i = 0; i < blocks.length; i++)
        {
            allocator.allocate(16 + (i % 300));
        }
        assertEquals(reserved, allocator.reservedBytes(), "the same mix again needs no new pages");
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
