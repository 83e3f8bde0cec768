package io.ringkv.core.rdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class Crc64Test
{
    @Test
    void checkValueFromRedisCrc64Tests()
    {
        final byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xe9c6d914c4b8d9caL, Crc64.compute(new UnsafeBuffer(check), 0, check.length));
    }

    @Test
    void footerOfTheDumpExampleInSeed003()
    {
        // DUMP greeting from the seed's "hello, dumping world!" example (written by an RDB version 6 Redis):
        // "\x00\x15hello, dumping world!\x06\x00E\xa0Z\x82\xd8r\xc1\xde"; the last 8 bytes are the CRC, LE.
        final byte[] text = "hello, dumping world!".getBytes(StandardCharsets.US_ASCII);
        final byte[] covered = new byte[2 + text.length + 2];
        covered[1] = 0x15;
        System.arraycopy(text, 0, covered, 2, text.length);
        covered[covered.length - 2] = 6;
        final long crc = Crc64.compute(new UnsafeBuffer(covered), 0, covered.length);
        assertEquals(0xdec172d8825aa045L, crc);
    }

    @Test
    void emptyInputIsZero()
    {
        assertEquals(0L, Crc64.compute(new UnsafeBuffer(new byte[0]), 0, 0));
    }

    @Test
    void slicedMatchesBitwiseReferenceAtEveryLengthAndAlignment()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final byte[] bytes = new byte[600];
        random.nextBytes(bytes);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        for (int offset = 0; offset < 9; offset++)
        {
            for (int length = 0; length + offset <= bytes.length; length += 1 + length / 16)
            {
                assertEquals(bitwise(bytes, offset, length), Crc64.compute(buffer, offset, length),
                    "seed=" + seed + " offset=" + offset + " length=" + length);
            }
        }
    }

    @Test
    void updateContinuesAcrossPieces()
    {
        final byte[] bytes = new byte[1000];
        new Random(42).nextBytes(bytes);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final long whole = Crc64.compute(buffer, 0, bytes.length);
        for (int split = 0; split <= bytes.length; split += 37)
        {
            assertEquals(whole, Crc64.update(Crc64.compute(buffer, 0, split), buffer, split, bytes.length - split));
        }
    }

    /**
     * Redis's bit-at-a-time definition ({@code _crc64}): input bits reflected into a left-shifting register with
     * the Jones polynomial, result reflected.
     */
    private static long bitwise(final byte[] bytes, final int offset, final int length)
    {
        long crc = 0;
        for (int i = offset; i < offset + length; i++)
        {
            final int c = bytes[i] & 0xff;
            for (int bitMask = 1; bitMask <= 0x80; bitMask <<= 1)
            {
                boolean bit = crc < 0;
                if ((c & bitMask) != 0)
                {
                    bit = !bit;
                }
                crc <<= 1;
                if (bit)
                {
                    crc ^= 0xad93d23594c935a9L;
                }
            }
        }
        return Long.reverse(crc);
    }
}
