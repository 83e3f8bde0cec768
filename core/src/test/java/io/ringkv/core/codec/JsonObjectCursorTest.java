package io.ringkv.core.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonObjectCursorTest
{
    private final JsonObjectCursor cursor = new JsonObjectCursor();

    @Test
    void walksEveryMemberWithItsTypeAndSpan()
    {
        final String text = " {\"s\":\"a\\\"b\", \"n\" : -12 ,\"f\":1.5,\"o\":{\"x\":[1]},\"a\":[{}],\"t\":true," +
            "\"F\":false,\"z\":null} tail";
        final UnsafeBuffer buffer = wrap(text);
        assertTrue(cursor.wrap(buffer, 0, buffer.capacity()));
        final String[] names = {"s", "n", "f", "o", "a", "t", "F", "z"};
        final int[] types = {
            JsonObjectCursor.STRING, JsonObjectCursor.NUMBER, JsonObjectCursor.NUMBER, JsonObjectCursor.OBJECT,
            JsonObjectCursor.ARRAY, JsonObjectCursor.TRUE, JsonObjectCursor.FALSE, JsonObjectCursor.NULL};
        final String[] values = {"\"a\\\"b\"", "-12", "1.5", "{\"x\":[1]}", "[{}]", "true", "false", "null"};
        for (int i = 0; i < names.length; i++)
        {
            assertTrue(cursor.next(), cursor.error());
            assertTrue(cursor.nameIs(names[i]), names[i]);
            assertFalse(cursor.nameIs(names[i] + "x"));
            assertEquals(types[i], cursor.valueType(), names[i]);
            assertEquals(values[i], buffer.getStringWithoutLengthUtf8(cursor.valueStart(),
                cursor.valueEnd() - cursor.valueStart()));
        }
        assertFalse(cursor.next());
        assertNull(cursor.error());
        assertEquals(text.indexOf(" tail"), cursor.position());
        assertFalse(cursor.next(), "stays at the end");
    }

    @Test
    void parsesIntegerMembersWithoutAllocatingStrings()
    {
        final UnsafeBuffer buffer = wrap("{\"a\":9223372036854775807,\"b\":9223372036854775808,\"c\":1e2,\"d\":\"1\"}");
        assertTrue(cursor.wrap(buffer, 0, buffer.capacity()));
        assertTrue(cursor.next());
        assertTrue(cursor.valueIsInteger());
        assertEquals(Long.MAX_VALUE, cursor.valueAsLong());
        assertTrue(cursor.next());
        assertTrue(cursor.valueIsInteger());
        assertEquals(Long.MIN_VALUE, cursor.valueAsLong(), "does not fit");
        assertTrue(cursor.next());
        assertFalse(cursor.valueIsInteger());
        assertEquals(Long.MIN_VALUE, cursor.valueAsLong());
        assertTrue(cursor.next());
        assertEquals(Long.MIN_VALUE, cursor.valueAsLong(), "a string is not a number");
        assertFalse(cursor.next());
        assertNull(cursor.error());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`[1]`|expected '{' at byte 0",
        "`  `|expected '{' at byte 2",
        "`{`|expected a field name at byte 1",
        "`{\"a\"`|expected ':' at byte 4",
        "`{\"a\":`|expected a value at byte 5",
        "`{\"a\":1`|expected ',' or '}' at byte 6",
        "`{\"a\":1,}`|expected a field name at byte 7",
        "`{\"a\":1 \"b\":2}`|expected ',' or '}' at byte 7",
        "`{\"a\":\"\\q\"}`|invalid escape at byte 6",
        "`{\"a\":[1,}`|unexpected character at byte 8",
        "`{\"a\":01}`|expected ',' or '}' at byte 6"})
    void reportsTheFirstErrorAndStops(final String text, final String error)
    {
        final UnsafeBuffer buffer = wrap(text);
        boolean members = cursor.wrap(buffer, 0, buffer.capacity());
        while (members)
        {
            members = cursor.next();
        }
        assertEquals(error, cursor.error());
        assertFalse(cursor.next());
    }

    @Test
    void rejectsInvalidUtf8InNamesAndValues()
    {
        final byte[] bytes = {'{', '"', (byte)0xC0, (byte)0x80, '"', ':', '1', '}'};
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        assertTrue(cursor.wrap(buffer, 0, bytes.length));
        assertFalse(cursor.next());
        assertEquals("invalid UTF-8 at byte 2", cursor.error());
    }

    @Test
    void framesObjectsInAStream()
    {
        final UnsafeBuffer buffer = wrap(" {\"a\":\"}\\\"{\",\"b\":[{}]}\n{\"c\":1");
        final int first = JsonObjectCursor.frameEnd(buffer, 0, buffer.capacity());
        assertEquals(" {\"a\":\"}\\\"{\",\"b\":[{}]}".length(), first);
        assertEquals(JsonObjectCursor.INCOMPLETE, JsonObjectCursor.frameEnd(buffer, first, buffer.capacity()));
        assertEquals(JsonObjectCursor.INCOMPLETE, JsonObjectCursor.frameEnd(buffer, 0, 0));
        final UnsafeBuffer notObject = wrap("  [1]");
        assertEquals(JsonObjectCursor.NOT_AN_OBJECT, JsonObjectCursor.frameEnd(notObject, 0, notObject.capacity()));
        final UnsafeBuffer mismatched = wrap("{\"a\":[1}{\"b\":2}");
        assertEquals(8, JsonObjectCursor.frameEnd(mismatched, 0, mismatched.capacity()),
            "a mismatched closer ends the frame instead of swallowing the next object");
    }

    private static UnsafeBuffer wrap(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }
}
