package io.ringkv.core.rdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * ringkv's payloads against the ones a real redis-server 7.0.15 produced for the same values.
 */
class DumpPayloadGoldenTest
{
    private static final List<DumpVectors.Vector> VECTORS = DumpVectors.load();
    private static final Map<String, byte[]> VALUES = GoldenValues.all();

    private final DumpPayloadWriter writer = new DumpPayloadWriter();
    private final DumpPayloadReader reader = new DumpPayloadReader();
    private final ExpandableDirectByteBuffer payloadBuffer = new ExpandableDirectByteBuffer(64);
    private final ExpandableArrayBuffer valueBuffer = new ExpandableArrayBuffer(64);

    @Test
    void everyValueWasRecorded()
    {
        final long recorded = VECTORS.stream().filter(v -> !v.name().startsWith("!")).count();
        assertEquals(VALUES.size(), recorded);
        assertTrue(recorded > 200);
    }

    @Test
    void writerIsByteIdenticalToRedisForEveryValue()
    {
        for (final DumpVectors.Vector vector : VECTORS)
        {
            final byte[] value = VALUES.get(vector.name());
            if (value == null)
            {
                continue;
            }
            final int length = writer.writeString(new UnsafeBuffer(value), 0, value.length, payloadBuffer, 0);
            final byte[] payload = new byte[length];
            payloadBuffer.getBytes(0, payload);
            assertTrue(vector.matches(payload), () -> vector.name() + ": ringkv wrote " +
                (payload.length <= 4096 ? HexFormat.of().formatHex(payload) : payload.length + " bytes"));
        }
    }

    @Test
    void writerAtAnOffsetInAReusedBufferWritesTheSameBytes()
    {
        final byte[] value = VALUES.get("text:10k");
        final DumpVectors.Vector vector = vector("text:10k");
        final int offset = 13;
        for (int round = 0; round < 3; round++)
        {
            final int length = writer.writeString(new UnsafeBuffer(value), 0, value.length, payloadBuffer, offset);
            final byte[] payload = new byte[length];
            payloadBuffer.getBytes(offset, payload);
            assertTrue(vector.matches(payload));
        }
    }

    @Test
    void integerWriterMatchesRedisForIntegerValues()
    {
        int compared = 0;
        for (final DumpVectors.Vector vector : VECTORS)
        {
            final byte[] value = VALUES.get(vector.name());
            if (value == null || !isCanonicalLong(value))
            {
                continue;
            }
            final long number = Long.parseLong(new String(value, StandardCharsets.US_ASCII));
            final int length = writer.writeLong(number, payloadBuffer, 0);
            final byte[] payload = new byte[length];
            payloadBuffer.getBytes(0, payload);
            assertArrayEquals(vector.payload(), payload, vector.name());
            compared++;
        }
        assertTrue(compared >= 20, "compared " + compared);
    }

    @Test
    void readerDecodesEveryRedisPayloadToTheOriginalBytes()
    {
        int read = 0;
        for (final DumpVectors.Vector vector : VECTORS)
        {
            final byte[] value = VALUES.get(vector.name());
            if (value == null || vector.payload() == null)
            {
                continue;
            }
            final UnsafeBuffer payload = new UnsafeBuffer(vector.payload());
            final int length = reader.read(payload, 0, payload.capacity(), valueBuffer, 5);
            assertEquals(value.length, length, vector.name());
            assertEquals(DumpPayloadDescriptor.TYPE_STRING, reader.type());
            final byte[] decoded = new byte[length];
            valueBuffer.getBytes(5, decoded);
            assertArrayEquals(value, decoded, vector.name());
            read++;
        }
        assertTrue(read > 200, "read " + read);
    }

    @Test
    void readerDecodesLargeValuesFromTheByteIdenticalPayloads()
    {
        // Large payloads are stored as digests; the writer test proves these bytes are Redis's.
        for (final String name : List.of("random:1m", "text:1m", "random:70000", "random:16384", "zeros:100k"))
        {
            final byte[] value = VALUES.get(name);
            final int length = writer.writeString(new UnsafeBuffer(value), 0, value.length, payloadBuffer, 0);
            final byte[] payload = new byte[length];
            payloadBuffer.getBytes(0, payload);
            assertTrue(vector(name).matches(payload), name);
            assertEquals(value.length, reader.read(new UnsafeBuffer(payload), 0, length, valueBuffer, 0), name);
            final byte[] decoded = new byte[value.length];
            valueBuffer.getBytes(0, decoded);
            assertArrayEquals(value, decoded, name);
        }
    }

    @Test
    void integerPayloadsExposeTheirValue()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(vector("text:-32769").payload());
        assertEquals(6, reader.wrap(payload, 0, payload.capacity()));
        assertTrue(reader.isInteger());
        assertEquals(-32769L, reader.integerValue());

        final UnsafeBuffer raw = new UnsafeBuffer(vector("text:2147483648").payload());
        assertEquals(10, reader.wrap(raw, 0, raw.capacity()));
        assertFalse(reader.isInteger());
    }

    @Test
    void redis7015WritesRdbVersion10AndSoDoWe()
    {
        for (final DumpVectors.Vector vector : VECTORS)
        {
            if (vector.payload() == null)
            {
                continue;
            }
            final UnsafeBuffer payload = new UnsafeBuffer(vector.payload());
            final int version = payload.getShort(
                DumpPayloadDescriptor.versionIndex(0, payload.capacity()), ByteOrder.LITTLE_ENDIAN);
            assertEquals(10, version, vector.name());
        }
        assertEquals(10, DumpPayloadDescriptor.RDB_VERSION);
    }

    @Test
    void lzfOutputIsByteIdenticalToRedisForEveryCompressedValue()
    {
        final Lzf lzf = new Lzf();
        int compared = 0;
        for (final DumpVectors.Vector vector : VECTORS)
        {
            final byte[] value = VALUES.get(vector.name());
            if (value == null || vector.payload() == null || (vector.payload()[1] & 0xff) != 0xc3)
            {
                continue;
            }
            final RdbStringDecoder decoder = new RdbStringDecoder();
            final UnsafeBuffer payload = new UnsafeBuffer(vector.payload());
            final int bodyEnd = DumpPayloadDescriptor.footerIndex(0, payload.capacity());
            assertEquals(bodyEnd - 1, decoder.wrap(payload, 1, bodyEnd));
            assertEquals(RdbStringDecoder.COMPRESSED, decoder.form());
            final byte[] out = new byte[value.length];
            final int length =
                lzf.compress(new UnsafeBuffer(value), 0, value.length, new UnsafeBuffer(out), 0, value.length - 4);
            final byte[] redisCompressed = Arrays.copyOfRange(vector.payload(), bodyEnd - length, bodyEnd);
            assertArrayEquals(redisCompressed, Arrays.copyOf(out, length), vector.name());
            compared++;
        }
        assertTrue(compared >= 100, "compared " + compared);
    }

    @Test
    void jsonPayloadRoundTripsAndRedisRefusedIt()
    {
        final DumpVectors.Vector vector = vector("!restore-json");
        assertEquals(DumpPayloadReader.BAD_DATA_FORMAT_MESSAGE, vector.extra(),
            "what redis-server 7.0.15 answered to RESTORE of this payload");
        final byte[] json = "{\"a\":[1,2,{\"b\":null}]}".getBytes(StandardCharsets.UTF_8);
        final int length = writer.writeJson(new UnsafeBuffer(json), 0, json.length, payloadBuffer, 0);
        final byte[] payload = new byte[length];
        payloadBuffer.getBytes(0, payload);
        assertArrayEquals(vector.payload(), payload);
        assertEquals(DumpPayloadDescriptor.TYPE_JSON, payload[0] & 0xff);

        assertEquals(json.length, reader.read(new UnsafeBuffer(payload), 0, length, valueBuffer, 0));
        assertEquals(DumpPayloadDescriptor.TYPE_JSON, reader.type());
        final byte[] decoded = new byte[json.length];
        valueBuffer.getBytes(0, decoded);
        assertArrayEquals(json, decoded);
    }

    private static DumpVectors.Vector vector(final String name)
    {
        final DumpVectors.Vector vector = VECTORS.stream().filter(v -> v.name().equals(name)).findFirst()
            .orElse(null);
        assertNotNull(vector, name);
        return vector;
    }

    private static boolean isCanonicalLong(final byte[] value)
    {
        final String text = new String(value, StandardCharsets.US_ASCII);
        try
        {
            return Long.toString(Long.parseLong(text)).equals(text);
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }
}
