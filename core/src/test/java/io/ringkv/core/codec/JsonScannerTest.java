package io.ringkv.core.codec;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonScannerTest
{
    private final JsonScanner scanner = new JsonScanner();

    @ParameterizedTest
    @ValueSource(strings = {
        "0", "-0", "12", "-1.5e+10", "1E-3", "0.25", "123456789012345678901234567890", "1e400", "-1e-400",
        "true", "false", "null", "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u00e9\\uD83D\\uDE00\"",
        "\"\u00e9\u20ac\ud83d\ude00\"", "[]", "{}", "[1,[2,[3,[]]],{\"a\":{}}]", " { \"a\" : [ 1 , 2 ] , \"b\":null } ",
        "[[1,2],[3]]", "{\"\":\"\"}"})
    void acceptsValidJson(final String text)
    {
        final UnsafeBuffer buffer = wrap(text);
        final int start = scanner.skipWhitespace(0, buffer.capacity());
        final int end = scanner.skipValue(start, buffer.capacity(), 0);
        assertNotEquals(JsonScanner.FAILED, end, () -> scanner.errorText());
        assertEquals(buffer.capacity(), scanner.skipWhitespace(end, buffer.capacity()), text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`\"\\x\"`|invalid escape|1",
        "`\"\\u12\"`|invalid \\u escape|1",
        "`\"\\u12G4\"`|invalid \\u escape|1",
        "`\"\\ud800\"`|unpaired surrogate in \\u escape|1",
        "`\"\\ud800\\u0041\"`|unpaired surrogate in \\u escape|1",
        "`\"\\udc00\\ud800\"`|unpaired surrogate in \\u escape|1",
        "`\"\\`|unterminated string|0",
        "`\"abc`|unterminated string|0",
        "`[1,2`|expected ',' or ']'|4",
        "`[1,]`|unexpected character|3",
        "`{\"a\" 1}`|expected ':'|5",
        "`{\"a\":1,}`|expected a field name|7",
        "`{a:1}`|expected a field name|1",
        "`tru`|invalid literal|0",
        "`nul`|invalid literal|0",
        "`-`|invalid number|0",
        "`1.`|invalid number|0",
        "`1e`|invalid number|0",
        "`1e+`|invalid number|0",
        "`.5`|unexpected character|0",
        "`+1`|unexpected character|0",
        "`'a'`|unexpected character|0",
        "``|expected a value|0"})
    void rejectsInvalidJsonWithTheReasonAndOffset(final String text, final String reason, final int offset)
    {
        final UnsafeBuffer buffer = wrap(text);
        assertEquals(JsonScanner.FAILED, scanner.skipValue(0, buffer.capacity(), 0), text);
        assertEquals(reason, scanner.errorReason());
        assertEquals(offset, scanner.errorOffset());
        assertEquals("ERR invalid JSON: " + reason + " at byte " + offset, scanner.errorText());
    }

    @Test
    void leadingZerosAndTrailingGarbageEndTheValueEarly()
    {
        for (final String text : new String[]{"01", "truex", "1.5.2", "nullnull", "{}}"})
        {
            final UnsafeBuffer buffer = wrap(text);
            final int end = scanner.skipValue(0, buffer.capacity(), 0);
            assertTrue(end > 0 && end < buffer.capacity(), text);
        }
    }

    @Test
    void rejectsRawControlCharactersAndInvalidUtf8InStrings()
    {
        for (final String hex : new String[]{
            "220122", "220a22", "221f22", // raw control characters
            "22c08022", "22eda08022", "22f490808022", "22e28222", "22ff22", "2280"}) // overlong, surrogate, > U+10FFFF,
        {                                                                             // truncated, invalid byte
            final byte[] bytes = HexFormat.of().parseHex(hex);
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            scanner.wrap(buffer, 0);
            assertEquals(JsonScanner.FAILED, scanner.skipValue(0, bytes.length, 0), hex);
        }
    }

    @Test
    void limitsNestingWithoutOverflowingTheStack()
    {
        final int max = JsonScanner.MAX_DEPTH;
        assertTrue(scanner.skipValue(0, wrap(nested(max)).capacity(), 0) > 0);
        final UnsafeBuffer tooDeep = wrap(nested(max + 1));
        assertEquals(JsonScanner.FAILED, scanner.skipValue(0, tooDeep.capacity(), 0));
        assertEquals("nesting deeper than " + max, scanner.errorReason());
        assertEquals(max, scanner.errorOffset());

        final UnsafeBuffer hostile = wrap("[{\"a\":".repeat(200_000));
        assertEquals(JsonScanner.FAILED, scanner.skipValue(0, hostile.capacity(), 0));
        assertEquals("nesting deeper than " + max, scanner.errorReason());
    }

    @Test
    void theNestingLimitCanBeRaised()
    {
        final JsonScanner deeper = new JsonScanner(JsonScanner.MAX_DEPTH + 1);
        final UnsafeBuffer buffer =
            new UnsafeBuffer(nested(JsonScanner.MAX_DEPTH + 1).getBytes(StandardCharsets.US_ASCII));
        deeper.wrap(buffer, 0);
        assertEquals(buffer.capacity(), deeper.skipValue(0, buffer.capacity(), 0));
        final UnsafeBuffer tooDeep =
            new UnsafeBuffer(nested(JsonScanner.MAX_DEPTH + 2).getBytes(StandardCharsets.US_ASCII));
        deeper.wrap(tooDeep, 0);
        assertEquals(JsonScanner.FAILED, deeper.skipValue(0, tooDeep.capacity(), 0));
        assertEquals("nesting deeper than " + (JsonScanner.MAX_DEPTH + 1), deeper.errorReason());
    }

    @Test
    void everyTruncationOfAContainerFails()
    {
        final String text =
            "{\"k\":[1,-2.5e3,\"s\\u00e9\\\"\",true,false,null,{\"n\":{}}],\"\u00e9\":\"\ud83d\ude00\"}";
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int length = 0; length < bytes.length; length++)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes, 0, length);
            scanner.wrap(buffer, 0);
            assertEquals(JsonScanner.FAILED, scanner.skipValue(0, length, 0), "length " + length);
        }
        scanner.wrap(new UnsafeBuffer(bytes), 0);
        assertEquals(bytes.length, scanner.skipValue(0, bytes.length, 0));
    }

    @ParameterizedTest
    @CsvSource({
        "0,0", "-0,0", "42,42", "-42,-42", "9223372036854775807,9223372036854775807",
        "-9223372036854775808,-9223372036854775808"})
    void parsesIntegersThatFitInALong(final String text, final long expected)
    {
        final UnsafeBuffer buffer = wrap(text);
        assertTrue(scanner.parseLong(0, buffer.capacity()));
        assertEquals(expected, scanner.longValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1.0", "1e3", "-", "01",
        "\"1\"", ""})
    void refusesNumbersThatAreNotLongs(final String text)
    {
        final UnsafeBuffer buffer = wrap(text);
        assertFalse(scanner.parseLong(0, buffer.capacity()), text);
    }

    @Test
    void compactsOutsideStringsOnlyAndDecodesStrings()
    {
        final UnsafeBuffer buffer = wrap(" [ 1 , { \"a b\" : \"c \\\" d\" } , [ ] ] ");
        final int start = scanner.skipWhitespace(0, buffer.capacity());
        final int end = scanner.skipValue(start, buffer.capacity(), 0);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4);
        final int length = scanner.compact(start, end, out, 2);
        assertEquals("[1,{\"a b\":\"c \\\" d\"},[]]", out.getStringWithoutLengthUtf8(2, length));

        final UnsafeBuffer string = wrap("\"x\\n\\u00e9\\ud83d\\ude00\"");
        final int decoded = scanner.decodeString(0, out, 0);
        assertEquals("x\n\u00e9\ud83d\ude00", out.getStringWithoutLengthUtf8(0, decoded));
        assertEquals(string.capacity(), scanner.scanString(0, string.capacity()));
    }

    @Test
    void compactsRandomDocumentsToTheirCanonicalText()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(64);
        for (int round = 0; round < 500; round++)
        {
            final StringBuilder compact = new StringBuilder();
            final StringBuilder spaced = new StringBuilder();
            generate(random, 0, compact, spaced);
            final UnsafeBuffer buffer = wrap(spaced.toString());
            final int start = scanner.skipWhitespace(0, buffer.capacity());
            final int end = scanner.skipValue(start, buffer.capacity(), 0);
            assertNotEquals(JsonScanner.FAILED, end, () -> "seed " + seed + ": " + scanner.errorText());
            final int length = scanner.compact(start, end, out, 0);
            assertEquals(compact.toString(), out.getStringWithoutLengthUtf8(0, length), "seed " + seed);
        }
    }

    @Test
    void findsTheContentOfABase64ObjectOnly()
    {
        final UnsafeBuffer exact = wrap("{ \"$base64\" : \"AAEC\" }");
        assertEquals(14, scanner.base64Content(0, exact.capacity()));
        for (final String other : new String[]{
            "{\"$base64\":\"AAEC\",\"x\":1}", "{\"x\":1,\"$base64\":\"AAEC\"}", "{\"$base64\":1}", "{}"})
        {
            final UnsafeBuffer buffer = wrap(other);
            assertEquals(-1, scanner.base64Content(0, buffer.capacity()), other);
        }
    }

    private UnsafeBuffer wrap(final String text)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
        scanner.wrap(buffer, 0);
        return buffer;
    }

    private static String nested(final int depth)
    {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static void generate(final Random random, final int depth, final StringBuilder compact,
        final StringBuilder spaced)
    {
        final int kind = depth > 4 ? random.nextInt(4) : random.nextInt(6);
        switch (kind)
        {
            case 0 -> both(compact, spaced, String.valueOf(random.nextLong()) + (random.nextBoolean() ? "" : ".5e-3"));
            case 1 -> both(compact, spaced, new String[]{"true", "false", "null"}[random.nextInt(3)]);
            case 2 -> both(compact, spaced, "\" a \\t\\\"\u00e9 " + random.nextInt(9) + " \"");
            case 3 -> both(compact, spaced, "\"\"");
            case 4, 5 ->
            {
                final boolean object = kind == 4;
                both(compact, spaced, object ? "{" : "[");
                final int members = random.nextInt(4);
                for (int i = 0; i < members; i++)
                {
                    if (i > 0)
                    {
                        both(compact, spaced, ",");
                    }
                    if (object)
                    {
                        both(compact, spaced, "\"k " + i + "\"");
                        both(compact, spaced, ":");
                    }
                    generate(random, depth + 1, compact, spaced);
                }
                both(compact, spaced, object ? "}" : "]");
            }
            default -> throw new AssertionError(kind);
        }
        spaced.append(" \t\r\n".repeat(random.nextInt(2)));
    }

    private static void both(final StringBuilder compact, final StringBuilder spaced, final String token)
    {
        compact.append(token);
        spaced.append(token);
        spaced.append(" \n".repeat(1 - (compact.length() & 1)));
    }
}
