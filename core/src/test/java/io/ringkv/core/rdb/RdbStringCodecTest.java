package io.ringkv.core.rdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class RdbStringCodecTest
{
    private final RdbStringEncoder encoder = new RdbStringEncoder();
    private final RdbStringDecoder decoder = new RdbStringDecoder();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();

    @Test
    void lengthsUseTheShortestOfRedisEncodings()
    {
        final long[] lengths = {0, 63, 64, 16383, 16384, 0xffff_ffffL, 0x1_0000_0000L, Long.MAX_VALUE};
        final String[] expected =
        {
            "00", "3f", "4040", "7fff", "8000004000", "80ffffffff", "810000000100000000", "817fffffffffffffff",
        };
        for (int i = 0; i < lengths.length; i++)
        {
            final int written = RdbStringDescriptor.putLength(buffer, 0, lengths[i]);
            assertEquals(RdbStringDescriptor.lengthEncodingLength(lengths[i]), written);
            final byte[] bytes = new byte[written];
            buffer.getBytes(0, bytes);
            assertEquals(expected[i], java.util.HexFormat.of().formatHex(bytes), "length " + lengths[i]);
        }
    }

    @Test
    void canonicalIntegersAreRecognisedExactlyAsRedisDoes()
    {
        final String[] integers = {"0", "-1", "1", "2147483647", "-2147483648", "100", "-100"};
        for (final String text : integers)
        {
            assertEquals(Long.parseLong(text), parse(text), text);
        }
        final String[] notIntegers =
        {
            "", "-", "-0", "00", "01", "+1", " 1", "1 ", "1a", "2147483648", "-2147483649", "99999999999",
            "123456789012", "0x1", "1.0", "\u0000",
        };
        for (final String text : notIntegers)
        {
            assertEquals(RdbStringEncoder.NOT_AN_INT, parse(text), "'" + text + "'");
        }
    }

    @Test
    void encodeLongEqualsEncodeOfItsDecimalTextAndDecodesBack()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final ExpandableArrayBuffer viaText = new ExpandableArrayBuffer();
        final ExpandableArrayBuffer decoded = new ExpandableArrayBuffer();
        for (int i = 0; i < 20_000; i++)
        {
            final long value = switch (i % 4)
            {
                case 0 -> random.nextLong();
                case 1 -> random.nextInt();
                case 2 -> (short)random.nextInt();
                default -> (byte)random.nextInt();
            };
            final byte[] text = Long.toString(value).getBytes(StandardCharsets.US_ASCII);
            final int length = encoder.encodeLong(value, buffer, 0);
            final int textLength = encoder.encode(new UnsafeBuffer(text), 0, text.length, viaText, 0);
            assertEquals(textLength, length, "seed=" + seed + " value=" + value);
            assertSameBytes(viaText, buffer, length, "seed=" + seed + " value=" + value);

            assertEquals(length, decoder.wrap(buffer, 0, length));
            assertEquals(text.length, decoder.valueLength());
            decoder.decodeTo(decoded, 0);
            assertEquals(Long.toString(value), decoded.getStringWithoutLengthAscii(0, text.length));
        }
    }

    @Test
    void compressionOffWritesRawLikeRdbcompressionNo()
    {
        final byte[] value = "a".repeat(100).getBytes(StandardCharsets.US_ASCII);
        final int length = new RdbStringEncoder(false).encode(new UnsafeBuffer(value), 0, value.length, buffer, 0);
        assertEquals(102, length);
        assertEquals(0x40, buffer.getByte(0));
        assertEquals(100, buffer.getByte(1));
        final int compressed = encoder.encode(new UnsafeBuffer(value), 0, value.length, buffer, 0);
        assertTrue(compressed < 20, "compressed " + compressed);
        assertEquals((byte)0xc3, buffer.getByte(0));
    }

    @Test
    void valuesBeyondTheRetainedScratchRoundTrip()
    {
        final int length = RdbStringEncoder.SCRATCH_RETAIN_LIMIT + 12345;
        final byte[] text = GoldenValues.text(new Random(9), length);
        final ExpandableDirectByteBuffer payload = new ExpandableDirectByteBuffer();
        final int payloadLength = new DumpPayloadWriter().writeString(new UnsafeBuffer(text), 0, length, payload, 0);
        assertTrue(payloadLength < length / 2, "compressed to " + payloadLength);
        final ExpandableDirectByteBuffer value = new ExpandableDirectByteBuffer();
        assertEquals(length, new DumpPayloadReader().read(payload, 0, payloadLength, value, 0));
        final byte[] decoded = new byte[length];
        value.getBytes(0, decoded);
        assertArrayEquals(text, decoded);
    }

    @Test
    void writerAllocatesNothingOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final DumpPayloadWriter writer = new DumpPayloadWriter();
        final DumpPayloadReader reader = new DumpPayloadReader();
        final ExpandableDirectByteBuffer payload = new ExpandableDirectByteBuffer();
        final ExpandableDirectByteBuffer value = new ExpandableDirectByteBuffer();
        final byte[] text = GoldenValues.text(new Random(5), 100_000);
        final UnsafeBuffer source = new UnsafeBuffer(text);
        for (int i = 0; i < 3; i++)
        {
            final int length = writer.writeString(source, 0, text.length, payload, 0);
            reader.read(payload, 0, length, value, 0);
            writer.writeLong(-123456789L, payload, 0);
        }
        threads.getCurrentThreadAllocatedBytes(); // the first call initialises (and allocates) lazily
        final long before = threads.getCurrentThreadAllocatedBytes();
        int decoded = 0;
        for (int i = 0; i < 10; i++)
        {
            final int length = writer.writeString(source, 0, text.length, payload, 0);
            decoded += reader.read(payload, 0, length, value, 0);
            writer.writeLong(-123456789L, payload, 0);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(10 * text.length, decoded);
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes in 10 warm DUMP/RESTORE round trips");
    }

    private static long parse(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return RdbStringEncoder.parseCanonicalInt(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static void assertSameBytes(
        final ExpandableArrayBuffer expected, final ExpandableArrayBuffer actual, final int length,
        final String context)
    {
        final byte[] x = new byte[length];
        final byte[] y = new byte[length];
        expected.getBytes(0, x);
        actual.getBytes(0, y);
        assertArrayEquals(x, y, context);
    }
}
