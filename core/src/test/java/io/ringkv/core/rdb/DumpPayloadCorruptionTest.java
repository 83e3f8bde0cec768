package io.ringkv.core.rdb;

import static io.ringkv.core.rdb.DumpPayloadReader.BAD_DATA_FORMAT;
import static io.ringkv.core.rdb.DumpPayloadReader.VERSION_OR_CHECKSUM_WRONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Hostile and damaged payloads: every one is rejected with the right code, nothing throws, nothing is written to
 * the destination, the destination never grows, and nothing near a declared size is allocated.
 */
class DumpPayloadCorruptionTest
{
    private static final byte UNTOUCHED = (byte)0xa5;
    private static final int DST_CAPACITY = 32;
    private static final Map<String, byte[]> VALUES = GoldenValues.all();

    private final DumpPayloadWriter writer = new DumpPayloadWriter();
    private final DumpPayloadReader reader = new DumpPayloadReader();
    private final ExpandableArrayBuffer dst = new ExpandableArrayBuffer(DST_CAPACITY);

    @Test
    void everySingleBitFlipIsCaughtByTheFooterCheck()
    {
        for (final String name : List.of("text:12", "text:-32769", "text:2147483648", "repeat-a:22",
            "hello", "binary:300-nul-crlf", "text:10k", "mixed:0"))
        {
            final byte[] payload = payload(name);
            for (int bit = 0; bit < payload.length * 8; bit++)
            {
                payload[bit >>> 3] ^= (byte)(1 << (bit & 7));
                assertRejected(VERSION_OR_CHECKSUM_WRONG, payload, name + " bit " + bit);
                payload[bit >>> 3] ^= (byte)(1 << (bit & 7));
            }
            assertTrue(reader.read(new UnsafeBuffer(payload), 0, payload.length, new ExpandableArrayBuffer(), 0) >= 0);
        }
    }

    @Test
    void everyBitFlipInTheBodyWithARecomputedFooterIsDecodedOrRejectedCleanly()
    {
        for (final String name : List.of("text:12", "text:-32769", "repeat-a:22", "hello", "mixed:0",
            "text:10k"))
        {
            final byte[] payload = payload(name);
            final int bodyEnd = DumpPayloadDescriptor.footerIndex(0, payload.length);
            for (int bit = 0; bit < bodyEnd * 8; bit++)
            {
                final byte[] damaged = payload.clone();
                damaged[bit >>> 3] ^= (byte)(1 << (bit & 7));
                reseal(damaged, damaged.length, DumpPayloadDescriptor.RDB_VERSION);
                decodeOrReject(damaged, name + " bit " + bit);
            }
        }
    }

    @Test
    void everyTruncationIsRejected()
    {
        for (final String name : List.of("text:-1", "text:65536", "repeat-a:22", "hello", "text:10k"))
        {
            final byte[] payload = payload(name);
            for (int length = 0; length < payload.length; length++)
            {
                assertRejected(VERSION_OR_CHECKSUM_WRONG, Arrays.copyOf(payload, length), name + " cut " + length);
            }
        }
    }

    @Test
    void everyTruncatedBodyBehindAValidFooterIsBadDataFormat()
    {
        for (final String name : List.of("text:-1", "text:65536", "repeat-a:22", "hello", "random:16384",
            "text:10k"))
        {
            final byte[] payload = payload(name);
            final int bodyLength = DumpPayloadDescriptor.footerIndex(0, payload.length);
            for (int cut = 0; cut < bodyLength; cut += 1 + cut / 64)
            {
                final byte[] damaged = new byte[cut + DumpPayloadDescriptor.FOOTER_LENGTH];
                System.arraycopy(payload, 0, damaged, 0, cut);
                reseal(damaged, damaged.length, DumpPayloadDescriptor.RDB_VERSION);
                assertRejected(BAD_DATA_FORMAT, damaged, name + " body cut at " + cut);
            }
        }
    }

    @Test
    void versionsNewerThanOursAreRefusedOlderAccepted()
    {
        final byte[] payload = payload("hello");
        for (final int version : new int[] {11, 12, 0x100, 0x7fff, 0xffff})
        {
            reseal(payload, payload.length, version);
            assertRejected(VERSION_OR_CHECKSUM_WRONG, payload, "version " + version);
        }
        for (final int version : new int[] {0, 1, 6, 9, 10})
        {
            reseal(payload, payload.length, version);
            assertEquals(5, reader.read(new UnsafeBuffer(payload), 0, payload.length, dst, 0), "version " + version);
            assertEquals(version, reader.rdbVersion());
        }
    }

    @Test
    void hugeDeclaredLengthsAreRejectedWithoutAllocating()
    {
        final long[] rawLengths = {6, 1L << 20, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL};
        for (final long length : rawLengths)
        {
            assertRejectedWithoutAllocation(sealed(0, bytes(0x80, be32(length), 'a', 'b', 'c', 'd', 'e')),
                "32-bit length " + length);
        }
        for (final long length : new long[] {6, 1L << 32, 1L << 40, Long.MAX_VALUE, -1L})
        {
            assertRejectedWithoutAllocation(sealed(0, bytes(0x81, be64(length), 'a', 'b', 'c', 'd', 'e')),
                "64-bit length " + length);
        }
        // LZF: small compressed stream claiming a huge inflated length, and a huge compressed length.
        for (final long length : new long[] {1000, 1L << 30, 0x7fff_ffffL, 0xffff_ffffL})
        {
            assertRejectedWithoutAllocation(
                sealed(0, bytes(0xc3, 0x04, 0x80, be32(length), 0x01, 'a', 'a', 0xe0)), "LZF length " + length);
        }
        assertRejectedWithoutAllocation(sealed(0, bytes(0xc3, 0x81, be64(1L << 40), 0x06, 0x00, 'a')), "LZF clen");
        // A real stream that inflates to 265 bytes (1 literal, then a 264-byte reference), declared otherwise.
        for (final int length : new int[] {264, 266, 100_000})
        {
            assertRejectedWithoutAllocation(
                sealed(0, bytes(0xc3, 0x05, 0x40 | (length >>> 8), length & 0xff, 0x00, 'a', 0xe0, 0xff, 0x00)),
                "LZF declared " + length);
        }
        final byte[] valid = sealed(0, bytes(0xc3, 0x05, 0x41, 0x09, 0x00, 'a', 0xe0, 0xff, 0x00));
        assertEquals(265, reader.read(new UnsafeBuffer(valid), 0, valid.length, new ExpandableArrayBuffer(), 0));
    }

    @Test
    void malformedBodiesAreBadDataFormat()
    {
        for (int type = 1; type < 256; type++)
        {
            if (type != DumpPayloadDescriptor.TYPE_JSON)
            {
                assertRejected(BAD_DATA_FORMAT, sealed(type, bytes(0x01, 'x')), "type " + type);
            }
        }
        for (int encoding = 4; encoding < 64; encoding++)
        {
            assertRejected(BAD_DATA_FORMAT, sealed(0, bytes(0xc0 | encoding, 1, 2, 3, 4)), "encoding " + encoding);
        }
        for (int marker = 0x82; marker < 0xc0; marker++)
        {
            assertRejected(BAD_DATA_FORMAT, sealed(0, bytes(marker, 0, 0, 0, 0)), "length marker " + marker);
        }
        assertRejected(BAD_DATA_FORMAT, sealed(0, bytes()), "no body, just a type");
        assertRejected(BAD_DATA_FORMAT, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "footer only");
        assertRejected(BAD_DATA_FORMAT, sealed(0, bytes(0x01, 'x', 'y')), "trailing byte after the value");
        assertRejected(BAD_DATA_FORMAT, sealed(0, bytes(0xc0)), "INT8 without its byte");
        assertRejected(BAD_DATA_FORMAT, sealed(0, bytes(0xc1, 1)), "INT16 short");
        assertRejected(BAD_DATA_FORMAT, sealed(0, bytes(0xc2, 1, 2, 3)), "INT32 short");
        assertRejected(BAD_DATA_FORMAT, sealed(0, bytes(0x40)), "14-bit length short");
        assertRejected(BAD_DATA_FORMAT, sealed(0, bytes(0xc3, 0x02, 0x03, 0x20, 0x00)), "LZF reference before start");
        assertRejected(BAD_DATA_FORMAT, sealed(0, bytes(0xc3, 0x02, 0x05, 0x01, 'a')), "LZF literal cut short");
    }

    @Test
    void everyRedisLengthEncodingIsAccepted()
    {
        // The same 3-byte string behind 6-bit, 14-bit, 32-bit and 64-bit lengths; Redis reads them all.
        final byte[][] bodies =
        {
            bytes(0x03, 'a', 'b', 'c'),
            bytes(0x40, 0x03, 'a', 'b', 'c'),
            bytes(0x80, be32(3), 'a', 'b', 'c'),
            bytes(0x81, be64(3), 'a', 'b', 'c'),
            bytes(0xc3, 0x04, 0x03, 0x02, 'a', 'b', 'c'),
        };
        for (final byte[] body : bodies)
        {
            final byte[] payload = sealed(0, body);
            final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4);
            assertEquals(3, reader.read(new UnsafeBuffer(payload), 0, payload.length, out, 0));
            assertEquals("abc", out.getStringWithoutLengthAscii(0, 3));
        }
    }

    @Test
    void randomBodiesBehindValidFootersNeverThrow()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        for (int i = 0; i < 50_000; i++)
        {
            final byte[] body = new byte[1 + random.nextInt(40)];
            random.nextBytes(body);
            body[0] = (byte)(random.nextInt(4) == 0 ? DumpPayloadDescriptor.TYPE_JSON : 0);
            if (random.nextBoolean())
            {
                body[1 % body.length] = (byte)(0xc0 | random.nextInt(5));
            }
            final byte[] payload = Arrays.copyOf(body, body.length + DumpPayloadDescriptor.FOOTER_LENGTH);
            reseal(payload, payload.length, random.nextInt(11));
            decodeOrReject(payload, "seed=" + seed + " case " + i);
        }
    }

    @Test
    void accessorsRefuseAfterAFailedWrap()
    {
        final byte[] good = payload("hello");
        assertEquals(5, reader.wrap(new UnsafeBuffer(good), 0, good.length));
        final byte[] bad = good.clone();
        bad[2] ^= 1;
        assertEquals(VERSION_OR_CHECKSUM_WRONG, reader.wrap(new UnsafeBuffer(bad), 0, bad.length));
        assertThrows(IllegalStateException.class, reader::valueLength);
        assertThrows(IllegalStateException.class, () -> reader.decodeTo(dst, 0));
        assertEquals("ERR DUMP payload version or checksum are wrong",
            DumpPayloadReader.errorMessage(VERSION_OR_CHECKSUM_WRONG));
        assertEquals("ERR Bad data format", DumpPayloadReader.errorMessage(BAD_DATA_FORMAT));
    }

    private void decodeOrReject(final byte[] payload, final String context)
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(DST_CAPACITY);
        out.setMemory(0, DST_CAPACITY, UNTOUCHED);
        final int result = reader.read(new UnsafeBuffer(payload), 0, payload.length, out, 0);
        if (result < 0)
        {
            assertEquals(BAD_DATA_FORMAT, result, context);
            assertUntouched(out, context);
        }
        else
        {
            assertTrue(result <= payload.length * Lzf.MAX_EXPANSION_PER_INPUT_BYTE, context);
            assertEquals(result, reader.valueLength(), context);
        }
    }

    private void assertRejected(final int expected, final byte[] payload, final String context)
    {
        dst.setMemory(0, DST_CAPACITY, UNTOUCHED);
        final int result = reader.read(new UnsafeBuffer(payload), 0, payload.length, dst, 0);
        assertEquals(expected, result, context);
        assertUntouched(dst, context);
    }

    private void assertRejectedWithoutAllocation(final byte[] payload, final String context)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        dst.setMemory(0, DST_CAPACITY, UNTOUCHED);
        reader.read(buffer, 0, payload.length, dst, 0);
        threads.getCurrentThreadAllocatedBytes(); // the first call initialises (and allocates) lazily
        final long before = threads.getCurrentThreadAllocatedBytes();
        final int result = reader.read(buffer, 0, payload.length, dst, 0);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(BAD_DATA_FORMAT, result, context);
        assertTrue(allocated < 1024, context + ": allocated " + allocated + " bytes");
        assertUntouched(dst, context);
    }

    private static void assertUntouched(final ExpandableArrayBuffer buffer, final String context)
    {
        assertEquals(DST_CAPACITY, buffer.capacity(), context + ": destination grew");
        final byte[] expected = new byte[DST_CAPACITY];
        Arrays.fill(expected, UNTOUCHED);
        final byte[] actual = new byte[DST_CAPACITY];
        buffer.getBytes(0, actual);
        assertArrayEquals(expected, actual, context + ": destination written");
    }

    private byte[] payload(final String name)
    {
        final byte[] value = "hello".equals(name) ? new byte[] {'h', 'e', 'l', 'l', 'o'} : VALUES.get(name);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer();
        final int length = writer.writeString(new UnsafeBuffer(value), 0, value.length, out, 0);
        final byte[] payload = new byte[length];
        out.getBytes(0, payload);
        return payload;
    }

    private static byte[] sealed(final int type, final byte[] body)
    {
        final byte[] payload = new byte[1 + body.length + DumpPayloadDescriptor.FOOTER_LENGTH];
        payload[0] = (byte)type;
        System.arraycopy(body, 0, payload, 1, body.length);
        reseal(payload, payload.length, DumpPayloadDescriptor.RDB_VERSION);
        return payload;
    }

    /**
     * Write a version and a correct CRC-64 into a payload's footer.
     */
    static void reseal(final byte[] payload, final int length, final int version)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        buffer.putShort(DumpPayloadDescriptor.versionIndex(0, length), (short)version, ByteOrder.LITTLE_ENDIAN);
        final int crcIndex = DumpPayloadDescriptor.crcIndex(0, length);
        buffer.putLong(crcIndex, Crc64.compute(buffer, 0, crcIndex), ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] bytes(final Object... parts)
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer();
        int length = 0;
        for (final Object part : parts)
        {
            if (part instanceof byte[] array)
            {
                out.putBytes(length, array);
                length += array.length;
            }
            else if (part instanceof Character c)
            {
                out.putByte(length++, (byte)c.charValue());
            }
            else
            {
                out.putByte(length++, (byte)((Integer)part).intValue());
            }
        }
        final byte[] result = new byte[length];
        out.getBytes(0, result);
        return result;
    }

    private static byte[] be32(final long value)
    {
        final byte[] bytes = new byte[4];
        new UnsafeBuffer(bytes).putInt(0, (int)value, ByteOrder.BIG_ENDIAN);
        return bytes;
    }

    private static byte[] be64(final long value)
    {
        final byte[] bytes = new byte[8];
        new UnsafeBuffer(bytes).putLong(0, value, ByteOrder.BIG_ENDIAN);
        return bytes;
    }
}
