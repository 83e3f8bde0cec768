package io.ringkv.core.codec;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonStringTest
{
    @Test
    void escapesQuotesBackslashesAndEveryControlCharacter()
    {
        assertEquals("a\\\"b\\\\c", escape("a\"b\\c"));
        assertEquals("\\n\\r\\t\\b\\f", escape("\n\r\t\b\f"));
        assertEquals("\\u0000\\u0001\\u001f\\u000b", escape("\u0000\u0001\u001f\u000b"));
        assertEquals("/ \u007f \u00e9 \u20ac \ud83d\ude00", escape("/ \u007f \u00e9 \u20ac \ud83d\ude00"));
        assertEquals("", escape(""));
    }

    @Test
    void findsACharacterToEscapeAtEveryPositionOfAWord()
    {
        for (final char special : new char[]{'"', '\\', '\n', '\u0000', '\u001f'})
        {
            for (int length = 1; length <= 20; length++)
            {
                for (int at = 0; at < length; at++)
                {
                    final StringBuilder text = new StringBuilder("\u00e9".repeat(length));
                    text.setCharAt(at, special);
                    final String expected = reference(text.toString());
                    assertEquals(expected, escape(text.toString()), (int)special + "@" + at + "/" + length);
                }
            }
        }
    }

    @Test
    void unescapeReversesEscapeOnRandomText()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final ExpandableArrayBuffer escaped = new ExpandableArrayBuffer(64);
        final ExpandableArrayBuffer decoded = new ExpandableArrayBuffer(64);
        for (int round = 0; round < 2_000; round++)
        {
            final StringBuilder text = new StringBuilder();
            final int length = random.nextInt(40);
            for (int i = 0; i < length; i++)
            {
                switch (random.nextInt(5))
                {
                    case 0 -> text.append((char)random.nextInt(0x20));
                    case 1 -> text.append("\"\\/".charAt(random.nextInt(3)));
                    case 2 -> text.appendCodePoint(0x80 + random.nextInt(0xD800 - 0x80));
                    case 3 -> text.appendCodePoint(0x10000 + random.nextInt(0x100000));
                    default -> text.append((char)(0x20 + random.nextInt(0x60)));
                }
            }
            final byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            final int escapedLength = JsonString.escape(new UnsafeBuffer(bytes), 0, bytes.length, escaped, 1);
            assertEquals(reference(text.toString()), escaped.getStringWithoutLengthUtf8(1, escapedLength),
                "seed " + seed);
            final int decodedLength = JsonString.unescape(escaped, 1, 1 + escapedLength, decoded, 0);
            assertEquals(text.toString(), decoded.getStringWithoutLengthUtf8(0, decodedLength), "seed " + seed);
        }
    }

    @Test
    void unescapesEveryEscapeForm()
    {
        assertEquals("\"\\/\b\f\n\r\t", unescape("\\\"\\\\\\/\\b\\f\\n\\r\\t"));
        assertEquals("A\u00e9\u20ac\u0000", unescape("\\u0041\\u00E9\\u20ac\\u0000"));
        assertEquals("x\ud83d\ude00y", unescape("x\\ud83d\\uDE00y"));
        assertEquals("plain \u00e9", unescape("plain \u00e9"));
    }

    @Test
    void escapesAsciiOneCharacterAtATime()
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(8);
        assertEquals(1, JsonString.escapeAscii((byte)'a', out, 0));
        assertEquals("a", out.getStringWithoutLengthAscii(0, 1));
        assertEquals(2, JsonString.escapeAscii((byte)'"', out, 0));
        assertEquals("\\\"", out.getStringWithoutLengthAscii(0, 2));
        assertEquals(6, JsonString.escapeAscii((byte)0x1b, out, 0));
        assertEquals("\\u001b", out.getStringWithoutLengthAscii(0, 6));
    }

    @Test
    void escapedLengthIsWhatEscapeWrites()
    {
        final Random random = new Random(7);
        for (int round = 0; round < 2_000; round++)
        {
            final byte[] bytes = new byte[random.nextInt(64)];
            for (int i = 0; i < bytes.length; i++)
            {
                // Mostly plain ASCII, with quotes, backslashes and control characters mixed in.
                final int pick = random.nextInt(10);
                bytes[i] = pick == 0 ? (byte)random.nextInt(0x20) : pick == 1 ? (byte)'"' : pick == 2 ? (byte)'\\' :
                    (byte)(0x20 + random.nextInt(0x5f));
            }
            final UnsafeBuffer source = new UnsafeBuffer(bytes);
            final int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            final int length = bytes.length - offset;
            final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4);
            assertEquals(JsonString.escape(source, offset, length, out, 0),
                JsonString.escapedLength(source, offset, length));
        }
    }

    private static String escape(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4);
        final int length = JsonString.escape(new UnsafeBuffer(bytes), 0, bytes.length, out, 0);
        return out.getStringWithoutLengthUtf8(0, length);
    }

    private static String unescape(final String content)
    {
        final byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(bytes.length + 1);
        final int length = JsonString.unescape(new UnsafeBuffer(bytes), 0, bytes.length, out, 0);
        return out.getStringWithoutLengthUtf8(0, length);
    }

    /** The escaping RFC 8259 asks for, written the slow and obvious way. */
    private static String reference(final String text)
    {
        final StringBuilder out = new StringBuilder();
        for (final char c : text.toCharArray())
        {
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int)c) : String.valueOf(c));
            }
        }
        return out.toString();
    }
}
