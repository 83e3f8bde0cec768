package io.ringkv.core.codec;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8Test
{
    @ParameterizedTest
    @ValueSource(strings = {
        "", "61", "7f", "c280", "dfbf", "e0a080", "efbfbf", "ed9fbf", "ee8080", "f0908080", "f48fbfbf",
        "f09f9880", "e282ac", "c3a9616263646566676869"})
    void acceptsWellFormedSequencesAtEveryBoundary(final String hex)
    {
        final byte[] bytes = HexFormat.of().parseHex(hex);
        assertTrue(Utf8.isValid(new UnsafeBuffer(bytes), 0, bytes.length), hex);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "c080", "c1bf", "e08080", "e09fbf", "f0808080", "f08fbfbf", // overlong forms
        "eda080", "edbfbf", "eda0bdedb880", // UTF-16 surrogates, alone and paired
        "f4908080", "f5808080", "f7bfbfbf", "f888808080", "fc8480808080", // above U+10FFFF, 5- and 6-byte forms
        "c3", "e282", "f09f98", "61e2", // truncated
        "80", "bf", "c328", "e228a1", "e282c0", "f0289f80", "f09f2880", "f09f9828", // bad continuation bytes
        "fe", "ff"})
    void rejectsIllFormedSequences(final String hex)
    {
        final byte[] bytes = HexFormat.of().parseHex(hex);
        assertFalse(Utf8.isValid(new UnsafeBuffer(bytes), 0, bytes.length), hex);
    }

    @Test
    void findsAnInvalidByteAtEveryPositionOfTheAsciiFastPath()
    {
        for (int length = 1; length <= 24; length++)
        {
            for (int bad = 0; bad < length; bad++)
            {
                final byte[] bytes = new byte[length];
                java.util.Arrays.fill(bytes, (byte)'a');
                bytes[bad] = (byte)0xC0;
                assertFalse(Utf8.isValid(new UnsafeBuffer(bytes), 0, length), length + "/" + bad);
                // A valid two-byte sequence at the same place (when it fits) is accepted.
                if (bad + 1 < length)
                {
                    bytes[bad] = (byte)0xC3;
                    bytes[bad + 1] = (byte)0xA9;
                    assertTrue(Utf8.isValid(new UnsafeBuffer(bytes), 0, length), length + "/" + bad);
                }
            }
        }
    }

    @Test
    void checksOnlyTheGivenRange()
    {
        final byte[] bytes = {(byte)0xFF, 'a', 'b', (byte)0xE2, (byte)0x82, (byte)0xAC, (byte)0xFF};
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        assertTrue(Utf8.isValid(buffer, 1, 5));
        assertFalse(Utf8.isValid(buffer, 1, 4)); // cuts the euro sign
        assertEquals(3, Utf8.sequenceLength(buffer, 3, 6));
        assertEquals(Utf8.INVALID, Utf8.sequenceLength(buffer, 3, 5));
        assertEquals(Utf8.INVALID, Utf8.sequenceLength(buffer, 0, 7));
    }

    @Test
    void agreesWithTheJdksStrictDecoderOnRandomBytes()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final var decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int round = 0; round < 20_000; round++)
        {
            final byte[] bytes = new byte[random.nextInt(12)];
            for (int i = 0; i < bytes.length; i++)
            {
                // Mostly bytes that start or continue sequences, so that near misses are common.
                final int kind = random.nextInt(4);
                bytes[i] = (byte)(kind == 0 ? random.nextInt(0x80) : kind == 1 ? 0x80 + random.nextInt(0x40) :
                    0xC0 + random.nextInt(0x40));
            }
            boolean jdkValid = true;
            try
            {
                decoder.reset().decode(ByteBuffer.wrap(bytes));
            }
            catch (final CharacterCodingException ex)
            {
                jdkValid = false;
            }
            assertEquals(jdkValid, Utf8.isValid(new UnsafeBuffer(bytes), 0, bytes.length),
                "seed " + seed + ": " + HexFormat.of().formatHex(bytes));
        }
    }

    @Test
    void writesEveryCodePointAsTheJdkDoes()
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(8);
        for (int codePoint = 0; codePoint <= 0x10FFFF; codePoint += codePoint < 0x1000 ? 1 : 97)
        {
            if (codePoint >= 0xD800 && codePoint <= 0xDFFF)
            {
                continue;
            }
            final byte[] expected = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
            final int length = Utf8.putCodePoint(codePoint, out, 0);
            final byte[] actual = new byte[length];
            out.getBytes(0, actual);
            assertArrayEquals(expected, actual, Integer.toHexString(codePoint));
        }
        assertEquals(4, Utf8.putCodePoint(0x10FFFF, out, 0));
    }

    @Test
    void encodesCharsAsTheJdkAndLoneSurrogatesAsQuestionMarks()
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(8);
        for (final String text : new String[]{
            "", "abc", "\u00e9t\u00e9", "\u20ac", "\ud83d\ude00!", "a\u07ff\u0800\uffff"})
        {
            final byte[] expected = text.getBytes(StandardCharsets.UTF_8);
            assertEquals(expected.length, Utf8.encodedLength(text), text);
            final int length = Utf8.putChars(text, out, 1);
            assertEquals(expected.length, length, text);
            final byte[] actual = new byte[length];
            out.getBytes(1, actual);
            assertArrayEquals(expected, actual, text);
        }
        final String lone = "a\ud800b\udc00\ude00\ud83d";
        assertEquals(6, Utf8.encodedLength(lone));
        assertEquals(6, Utf8.putChars(lone, out, 0));
        assertEquals("a?b???", out.getStringWithoutLengthAscii(0, 6));
        assertEquals(4, Utf8.putChar("\ud83d\ude00", 0, out, 0), "a pair is one 4-byte character");
        assertEquals(1, Utf8.putChar("\ud83d\ude00", 1, out, 0), "a lone low surrogate is written as '?'");
    }
}
