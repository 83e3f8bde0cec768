package io.ringkv.replication.snapshot;

import io.ringkv.core.rdb.RdbFileWriter;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.ValueType;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot ring contract: a big collection's elements may arrive as any number of listpack chunks with the
 * count known up front; the RDB bytes must not depend on how the elements were cut.
 */
class RdbSnapshotWriterTest
{
    private static final UnsafeBuffer KEY = new UnsafeBuffer("key".getBytes(StandardCharsets.US_ASCII));

    @Test
    void aCollectionCutIntoChunksWritesTheSameBytesAsOneChunk() throws IOException
    {
        for (final byte type : new byte[]{ValueType.HASH, ValueType.SET, ValueType.ZSET, ValueType.LIST})
        {
            final List<String> elements = new ArrayList<>();
            for (int i = 0; i < 1000; i++)
            {
                elements.add(type == ValueType.ZSET && (i & 1) == 1 ? Double.toString(i * 0.5) :
                    (i % 3 == 0 ? Integer.toString(i) : "element-" + i));
            }
            final byte[] whole = write(type, List.of(elements));
            final byte[] chunked = write(type, List.of(elements.subList(0, 2), elements.subList(2, 300),
                elements.subList(300, 302), elements.subList(302, 1000)));
            assertArrayEquals(whole, chunked, "type " + type);
            assertTrue(whole.length > 1000);
        }
    }

    @Test
    void fewerElementsThanAnnouncedIsAnError() throws IOException
    {
        final RdbSnapshotWriter writer = new RdbSnapshotWriter(new RdbFileWriter(false, true), new long[1],
            new long[1]);
        writer.beginCollection(ValueType.SET, 0, KEY, 0, 3, 3);
        writer.collectionPart(listpack(List.of("a", "b")), 0);
        assertThrows(IllegalStateException.class, writer::endCollection);
    }

    private static byte[] write(final byte type, final List<List<String>> chunks) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final RdbFileWriter file = new RdbFileWriter(true, true);
        file.start(Channels.newChannel(out));
        final RdbSnapshotWriter writer = new RdbSnapshotWriter(file, new long[1], new long[1]);
        long count = 0;
        for (final List<String> chunk : chunks)
        {
            count += chunk.size();
        }
        writer.beginCollection(type, 0, KEY, 0, 3, count);
        for (final List<String> chunk : chunks)
        {
            writer.collectionPart(listpack(chunk), 0);
        }
        writer.endCollection();
        file.finish();
        return out.toByteArray();
    }

    private static ExpandableArrayBuffer listpack(final List<String> elements)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        int p = Listpack.HEADER_LENGTH;
        for (final String element : elements)
        {
            final byte[] bytes = element.getBytes(StandardCharsets.US_ASCII);
            buffer.checkLimit(p + bytes.length + 16);
            p += Listpack.writeElement(buffer, p, new UnsafeBuffer(bytes), 0, bytes.length, false, 0);
        }
        buffer.putByte(p, (byte)Listpack.EOF);
        Listpack.header(buffer, 0, p + 1, elements.size());
        return buffer;
    }
}
