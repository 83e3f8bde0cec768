package io.ringkv.net.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReadBufferTest
{
    @Test
    void readsFromAChannelAfterWhatIsKept() throws Exception
    {
        final Pipe pipe = Pipe.open();
        final Pipe.SinkChannel sink = pipe.sink();
        try (Pipe.SourceChannel source = pipe.source())
        {
            final ReadBuffer buffer = new ReadBuffer(64, 1024);
            sink.write(ByteBuffer.wrap("hello world".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(11, buffer.readFrom(source));
            buffer.compact(6);
            assertEquals(5, buffer.limit());
            sink.write(ByteBuffer.wrap("!!".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(2, buffer.readFrom(source));
            assertEquals("world!!", buffer.buffer().getStringWithoutLengthAscii(0, buffer.limit()));
            sink.close();
            assertEquals(-1, buffer.readFrom(source));
        }
    }

    @Test
    void growsOnlyWhenFullDoublingTowardsTheRequiredLength()
    {
        final ReadBuffer buffer = new ReadBuffer(16, 1000);
        final UnsafeBuffer view = buffer.buffer();
        buffer.append(new byte[10], 0, 10);
        assertEquals(ReadBuffer.ROOM, buffer.ensureRoom(900));
        assertEquals(16, buffer.capacity(), "not full: no growth whatever is announced");
        buffer.append(new byte[6], 0, 6);
        assertEquals(ReadBuffer.ROOM, buffer.ensureRoom(900));
        assertEquals(32, buffer.capacity());
        assertSame(view, buffer.buffer(), "batches keep slicing the same view");
        buffer.append(new byte[16], 0, 16);
        assertEquals(ReadBuffer.ROOM, buffer.ensureRoom(40));
        assertEquals(40, buffer.capacity(), "never beyond what the request needs");
        buffer.append(new byte[8], 0, 8);
        assertEquals(ReadBuffer.ROOM, buffer.ensureRoom(0));
        assertEquals(80, buffer.capacity(), "unknown need: doubles");
        assertEquals(ReadBuffer.QUERY_BUFFER_LIMIT_EXCEEDED, buffer.ensureRoom(1001));
    }

    @Test
    void stopsAtTheQueryBufferLimit()
    {
        final ReadBuffer buffer = new ReadBuffer(16, 40);
        buffer.append(new byte[16], 0, 16);
        assertEquals(ReadBuffer.ROOM, buffer.ensureRoom(0));
        buffer.append(new byte[16], 0, 16);
        assertEquals(ReadBuffer.ROOM, buffer.ensureRoom(0));
        assertEquals(40, buffer.capacity());
        buffer.append(new byte[8], 0, 8);
        assertEquals(ReadBuffer.QUERY_BUFFER_LIMIT_EXCEEDED, buffer.ensureRoom(0));
    }

    @Test
    void keepsContentWhenGrowingAndShrinksWhenEmpty()
    {
        final ReadBuffer buffer = new ReadBuffer(16, 1 << 20);
        final byte[] bytes = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        buffer.append(bytes, 0, 16);
        buffer.ensureRoom(0);
        assertEquals("0123456789abcdef", buffer.buffer().getStringWithoutLengthAscii(0, 16));
        assertFalse(buffer.shrinkIfEmpty());
        buffer.compact(16);
        assertEquals(true, buffer.shrinkIfEmpty());
        assertEquals(16, buffer.capacity());
    }

    @Test
    void rejectsNonsenseSizes()
    {
        assertThrows(IllegalArgumentException.class, () -> new ReadBuffer(8, 1024));
        assertThrows(IllegalArgumentException.class, () -> new ReadBuffer(64, 32));
    }
}
