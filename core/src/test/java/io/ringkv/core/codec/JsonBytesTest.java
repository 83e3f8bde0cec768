package io.ringkv.core.codec;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonBytesTest
{
    @Test
    void utf8TravelsAsAStringAndAnythingElseAsBase64()
    {
        assertEquals("\"caf\u00e9 \\\"x\\\"\"", value("caf\u00e9 \"x\"".getBytes(StandardCharsets.UTF_8)));
        assertEquals("{\"$base64\":\"/wBh\"}", value(new byte[]{(byte)0xFF, 0, 'a'}));
        assertEquals("{\"$base64\":\"7aCA\"}", value(new byte[]{(byte)0xED, (byte)0xA0, (byte)0x80}),
            "a surrogate's bytes are not UTF-8");
        assertEquals("\"$base64:AA==\"", value("$base64:AA==".getBytes(StandardCharsets.US_ASCII)),
            "as a value the prefix means nothing");
        assertEquals("\"\"", value(new byte[0]));
    }

    @Test
    void aKeyWithTheBase64PrefixIsEncodedToo()
    {
        assertEquals("\"k\"", key("k".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("\"$base64:/w==\"", key(new byte[]{(byte)0xFF}));
        assertEquals("\"$base64:JGJhc2U2NDp4\"", key("$base64:x".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("\"$base64\"", key("$base64".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(JsonBytes.startsWithBase64Prefix(new UnsafeBuffer("$base64:".getBytes()), 0, 8));
        assertFalse(JsonBytes.startsWithBase64Prefix(new UnsafeBuffer("$base64:".getBytes()), 0, 7));
    }

    private static String value(final byte[] bytes)
    {
        return write(bytes, false);
    }

    private static String key(final byte[] bytes)
    {
        return write(bytes, true);
    }

    private static String write(final byte[] bytes, final boolean key)
    {
        final UnsafeBuffer source = new UnsafeBuffer(bytes);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4);
        final int length;
        if (JsonBytes.isString(source, 0, bytes.length, key))
        {
            length = JsonBytes.putString(source, 0, bytes.length, out, 2);
        }
        else
        {
            length = JsonBytes.putBase64(source, 0, bytes.length, key, out, 2);
            assertEquals(JsonBytes.base64Length(bytes.length, key), length);
        }
        return out.getStringWithoutLengthUtf8(2, length);
    }
}
