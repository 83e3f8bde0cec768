package io.ringkv.core.codec;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class Base64Test
{
    @Test
    void encodesAsTheJdkAndDecodesBothPaddedAndUnpadded()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final ExpandableArrayBuffer text = new ExpandableArrayBuffer(64);
        final ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(64);
        for (int length = 0; length < 200; length++)
        {
            final byte[] input = new byte[length];
            random.nextBytes(input);
            final String expected = java.util.Base64.getEncoder().encodeToString(input);
            final int textLength = Base64.encode(new UnsafeBuffer(input), 0, length, text, 3);
            assertEquals(Base64.encodedLength(length), textLength);
            assertEquals(expected, text.getStringWithoutLengthAscii(3, textLength), "seed " + seed);

            assertDecodes(input, expected);
            assertDecodes(input, expected.replace("=", ""));
        }
    }

    @Test
    void decodesInPlace()
    {
        final byte[] text = "aGVsbG8gd29ybGQ=".getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(text);
        final int length = Base64.decode(buffer, 0, text.length, buffer, 0);
        assertEquals("hello world", buffer.getStringWithoutLengthAscii(0, length));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "A", "QUJDR", "QUJDRUZHS", // a length that is 1 mod 4
        "QQ=", "Q===", "====", "QQ==QQ==", "=QQQ", "QQ=Q", "QUJD=", "QUJDRA===", // misplaced or extra padding
        "QR==", "QUJ=", "QR", "QUJ", // non-zero bits after the last byte (not canonical)
        "QU JD", "QUJD\n", " QUJD", "QU-D", "QU_D", "QU.D", "QUJ\u00e9"})
    void rejectsWhatIsNotCanonicalBase64(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(Base64.INVALID, Base64.decode(new UnsafeBuffer(bytes), 0, bytes.length,
            new ExpandableArrayBuffer(16), 0), text);
    }

    @Test
    void rejectsEveryByteOutsideTheAlphabetInEveryPosition()
    {
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int b = 0; b < 256; b++)
        {
            if (alphabet.indexOf(b) >= 0)
            {
                continue;
            }
            for (int position = 0; position < 8; position++)
            {
                final byte[] text = "QUJDREVG".getBytes(StandardCharsets.US_ASCII);
                text[position] = (byte)b;
                assertEquals(Base64.INVALID, Base64.decode(new UnsafeBuffer(text), 0, 8,
                    new ExpandableArrayBuffer(16), 0), b + "@" + position);
            }
        }
    }

    @Test
    void emptyTextIsNoBytes()
    {
        assertEquals(0, Base64.decode(new UnsafeBuffer(new byte[0]), 0, 0, new ExpandableArrayBuffer(1), 0));
        assertEquals(0, Base64.encode(new UnsafeBuffer(new byte[0]), 0, 0, new ExpandableArrayBuffer(1), 0));
    }

    private static void assertDecodes(final byte[] expected, final String text)
    {
        final byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(ascii.length + 1);
        final int length = Base64.decode(new UnsafeBuffer(ascii), 0, ascii.length, out, 1);
        assertEquals(expected.length, length, text);
        final byte[] actual = new byte[length];
        out.getBytes(1, actual);
        assertArrayEquals(expected, actual, text);
    }
}
