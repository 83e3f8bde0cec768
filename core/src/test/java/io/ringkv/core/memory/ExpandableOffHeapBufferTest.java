package io.ringkv.core.memory;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpandableOffHeapBufferTest
{
    @Test
    void growingKeepsTheContentsAndHoldsOnlyTheNewCapacity()
    {
        final long before = ExpandableOffHeapBuffer.allocatedBytes();
        try (ExpandableOffHeapBuffer buffer = new ExpandableOffHeapBuffer(0))
        {
            assertEquals(0, buffer.capacity());
            assertEquals(before, ExpandableOffHeapBuffer.allocatedBytes());
            for (int i = 0; i < 1 << 20; i += 4096)
            {
                buffer.putInt(i, i);
            }
            // What it grew out of was freed on the way: the process holds exactly the final capacity.
            assertEquals(before + buffer.capacity(), ExpandableOffHeapBuffer.allocatedBytes());
            for (int i = 0; i < 1 << 20; i += 4096)
            {
                assertEquals(i, buffer.getInt(i));
            }
        }
        assertEquals(before, ExpandableOffHeapBuffer.allocatedBytes());
    }

    @Test
    void shrinkFreesBeyondTheRetainedCapacityAndKeepsItsStart()
    {
        final long before = ExpandableOffHeapBuffer.allocatedBytes();
        try (ExpandableOffHeapBuffer buffer = new ExpandableOffHeapBuffer(256))
        {
            buffer.putLong(0, 42L);
            buffer.checkLimit(8 * 1024 * 1024);
            assertTrue(buffer.capacity() >= 8 * 1024 * 1024);
            assertTrue(buffer.shrink(1024));
            assertEquals(1024, buffer.capacity());
            assertEquals(42L, buffer.getLong(0));
            assertEquals(before + 1024, ExpandableOffHeapBuffer.allocatedBytes());
            assertFalse(buffer.shrink(1024));
            buffer.close();
            assertEquals(0, buffer.capacity());
            assertEquals(before, ExpandableOffHeapBuffer.allocatedBytes());
            buffer.putByte(100, (byte)1);
            assertEquals(1, buffer.getByte(100));
        }
        assertEquals(before, ExpandableOffHeapBuffer.allocatedBytes());
    }
}
