package io.ringkv.net.codec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connection buffers free what they give up at once. Before, the reply buffer grew through Agrona's expandable
 * buffer, which leaves every buffer it grew out of to the GC, and a closed connection's buffers waited for the GC too.
 */
class ConnectionBuffersTest
{
    @Test
    void aReplyBufferHoldsOnlyItsCurrentCapacityWhileGrowingAndNothingOnceClosed()
    {
        final long before = ConnectionBuffers.allocatedBytes();
        final ReplyBuffer output = new ReplyBuffer(1024);
        final byte[] chunk = new byte[1000];
        for (int i = 0; i < 8 * 1024; i++)
        {
            output.putBytes(chunk);
        }
        assertEquals(8 * 1024 * 1000, output.position());
        final int grown = output.buffer().capacity();
        assertTrue(grown >= 8 * 1024 * 1000);
        assertEquals(before + grown, ConnectionBuffers.allocatedBytes());
        output.clear();
        assertTrue(output.shrinkIfEmpty());
        assertEquals(before + 1024, ConnectionBuffers.allocatedBytes());
        output.close();
        assertEquals(before, ConnectionBuffers.allocatedBytes());
    }

    @Test
    void aReadBufferFreesWhatItGrewOnShrinkAndEverythingOnClose()
    {
        final long before = ConnectionBuffers.allocatedBytes();
        final ReadBuffer input = new ReadBuffer(1024, 64 * 1024 * 1024);
        final byte[] chunk = new byte[1024];
        while (input.limit() < 16 * 1024 * 1024)
        {
            assertEquals(ReadBuffer.ROOM, input.ensureRoom(32 * 1024 * 1024));
            input.append(chunk, 0, chunk.length);
        }
        assertEquals(before + input.capacity(), ConnectionBuffers.allocatedBytes());
        input.compact(input.limit());
        assertTrue(input.shrinkIfEmpty());
        assertEquals(before + 1024, ConnectionBuffers.allocatedBytes());
        input.close();
        assertEquals(before, ConnectionBuffers.allocatedBytes());
    }
}
