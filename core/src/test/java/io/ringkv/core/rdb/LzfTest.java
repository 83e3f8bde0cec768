package io.ringkv.core.rdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class LzfTest
{
    private static final byte GUARD = (byte)0x5a;

    private final Lzf lzf = new Lzf();

    @Test
    void roundTripsRandomAndCompressibleDataOfManySizes()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        for (int length = 1; length < 70_000; length += 1 + length / 3)
        {
            for (int kind = 0; kind < 4; kind++)
            {
                final byte[] input = sample(random, kind, length);
                roundTrip(input, "seed=" + seed + " kind=" + kind + " length=" + length);
            }
        }
        roundTrip(sample(random, 2, 1 << 20), "seed=" + seed + " 1 MiB text");
        roundTrip(sample(random, 0, 1 << 20), "seed=" + seed + " 1 MiB random");
    }

    @Test
    void compressesRunsAndFailsWhenOutputTooSmall()
    {
        final byte[] zeros = new byte[10_000];
        final byte[] out = new byte[200];
        final int length = compress(lzf, zeros, 0, zeros.length, out, 0, 199);
        assertTrue(length > 0 && length < 199, "10k zeros compress into a few dozen bytes: " + length);

        final byte[] random = sample(new Random(7), 0, 1000);
        final byte[] small = new byte[1001];
        assertEquals(0, compress(lzf, random, 0, random.length, small, 0, 996), "random data cannot save 4 bytes");
        assertEquals(0, compress(lzf, random, 0, 0, small, 0, 996));
        assertEquals(0, compress(lzf, random, 0, 10, small, 0, 0));
    }

    @Test
    void compressorStateDoesNotLeakBetweenCalls()
    {
        final Random random = new Random(11);
        final byte[] first = sample(random, 1, 5000);
        final byte[] second = sample(random, 1, 3000);
        final byte[] expected = new byte[4000];
        final int expectedLength = compress(new Lzf(), second, 0, second.length, expected, 0, 3999);

        final byte[] out = new byte[8000];
        compress(lzf, first, 0, first.length, out, 0, 7999);
        final int length = compress(lzf, second, 0, second.length, out, 0, 3999);
        assertEquals(expectedLength, length);
        assertArrayEquals(Arrays.copyOf(expected, expectedLength), Arrays.copyOf(out, length));
    }

    @Test
    void rejectsTruncatedStreamsAndReferencesBeforeTheStart()
    {
        // literal of 3 bytes announced, 2 present
        assertCorrupt(new byte[] {2, 'a', 'b'}, 100);
        // back reference with its offset byte missing
        assertCorrupt(new byte[] {0, 'a', (byte)0x20}, 100);
        // long back reference with its length byte and offset byte missing
        assertCorrupt(new byte[] {0, 'a', (byte)0xe0}, 100);
        assertCorrupt(new byte[] {0, 'a', (byte)0xe0, 1}, 100);
        // back reference one byte before the output's start
        assertCorrupt(new byte[] {0, 'a', (byte)0x20, 1}, 100);
        // back reference as the first token
        assertCorrupt(new byte[] {(byte)0x20, 0}, 100);
    }

    @Test
    void neverWritesPastTheDeclaredOutputLength()
    {
        final byte[] input = sample(new Random(3), 1, 5000);
        final byte[] compressed = new byte[6000];
        final int compressedLength = compress(lzf, input, 0, input.length, compressed, 0, 5999);
        final UnsafeBuffer in = new UnsafeBuffer(compressed, 0, compressedLength);
        for (int outLength = 0; outLength < input.length; outLength += 1 + outLength / 10)
        {
            assertEquals(Lzf.OUTPUT_TOO_SMALL, Lzf.decompressedLength(in, 0, compressedLength, outLength));
            final byte[] out = new byte[outLength + 64];
            Arrays.fill(out, GUARD);
            assertEquals(Lzf.OUTPUT_TOO_SMALL,
                Lzf.decompress(in, 0, compressedLength, new UnsafeBuffer(out), 0, outLength));
            for (int i = outLength; i < out.length; i++)
            {
                assertEquals(GUARD, out[i], "byte " + i + " past outLength " + outLength);
            }
        }
    }

    @Test
    void hostileStreamsNeverThrowNorOverrun()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            final int outLength = random.nextInt(300);
            final byte[] out = new byte[outLength + 16];
            Arrays.fill(out, GUARD);
            final UnsafeBuffer in = new UnsafeBuffer(garbage);
            final int expected = Lzf.decompressedLength(in, 0, garbage.length, outLength);
            final int produced = Lzf.decompress(in, 0, garbage.length, new UnsafeBuffer(out), 0, outLength);
            assertEquals(expected, produced, "seed=" + seed + " case " + i);
            assertTrue(produced <= outLength, "seed=" + seed);
            for (int j = outLength; j < out.length; j++)
            {
                assertEquals(GUARD, out[j], "seed=" + seed + " case " + i);
            }
        }
    }

    private void roundTrip(final byte[] input, final String context)
    {
        final int offset = 3;
        final byte[] out = new byte[offset + input.length + input.length / 16 + 64];
        final int length = compress(lzf, input, 0, input.length, out, offset, out.length - offset - 1);
        assertTrue(length > 0, context);
        final UnsafeBuffer compressed = new UnsafeBuffer(out);
        assertEquals(input.length, Lzf.decompressedLength(compressed, offset, length, input.length), context);
        final byte[] restored = new byte[input.length + 8];
        Arrays.fill(restored, GUARD);
        assertEquals(input.length,
            Lzf.decompress(compressed, offset, length, new UnsafeBuffer(restored), 4, input.length), context);
        assertArrayEquals(input, Arrays.copyOfRange(restored, 4, 4 + input.length), context);
    }

    private static void assertCorrupt(final byte[] stream, final int outLength)
    {
        final UnsafeBuffer in = new UnsafeBuffer(stream);
        assertEquals(Lzf.CORRUPT, Lzf.decompressedLength(in, 0, stream.length, outLength));
        assertEquals(Lzf.CORRUPT, Lzf.decompress(in, 0, stream.length, new UnsafeBuffer(new byte[outLength]), 0,
            outLength));
    }

    static byte[] sample(final Random random, final int kind, final int length)
    {
        switch (kind)
        {
            case 0:
                return GoldenValues.randomBytes(random, length);
            case 1:
                return GoldenValues.mixed(random, length);
            case 2:
                return GoldenValues.text(random, length);
            default:
                final byte[] runs = new byte[length];
                for (int i = 0; i < length; i++)
                {
                    runs[i] = (byte)((i / (1 + (i % 300))) % 3);
                }
                return runs;
        }
    }

    private static int compress(
        final Lzf lzf, final byte[] in, final int inOffset, final int inLength, final byte[] out, final int outOffset,
        final int outLength)
    {
        return lzf.compress(new UnsafeBuffer(in), inOffset, inLength, new UnsafeBuffer(out), outOffset, outLength);
    }
}
