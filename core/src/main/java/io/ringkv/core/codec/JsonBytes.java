package io.ringkv.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * How a byte string travels in JSON (docs/json-protocol.md, docs/replication-protocol.md), for every JSON writer:
 * bytes that are valid UTF-8 as a JSON string, any others as the object {@code {"$base64":"<base64>"}}, and as an
 * object key (which must be a string) as {@code "$base64:<base64>"}. A key that is valid UTF-8 but begins with
 * {@code $base64:} is written the base64 way too, so that every key reads back as exactly its bytes.
 * <p>
 * A writer asks {@link #isString} first, so that it can reserve room for the form it will write, then writes it.
 * Stateless; any thread; allocates nothing.
 */
public final class JsonBytes
{
    /** Prefix of an object key that stands for base64-encoded bytes. */
    public static final byte[] BASE64_KEY_PREFIX = ascii("$base64:");

    private static final byte[] BASE64_VALUE_OPEN = ascii("{\"$base64\":\"");
    private static final byte[] BASE64_VALUE_CLOSE = ascii("\"}");
    private static final byte[] BASE64_KEY_OPEN = ascii("\"$base64:");
    private static final byte[] BASE64_KEY_CLOSE = ascii("\"");

    private JsonBytes()
    {
    }

    /**
     * @param key true for an object key, false for a value.
     * @return true when the bytes are written as a JSON string ({@link #putString}), false when the base64 way
     * ({@link #putBase64}).
     */
    public static boolean isString(final DirectBuffer source, final int index, final int length, final boolean key)
    {
        return !(key && startsWithBase64Prefix(source, index, length)) && Utf8.isValid(source, index, length);
    }

    /**
     * @return true when the bytes begin with {@link #BASE64_KEY_PREFIX}.
     */
    public static boolean startsWithBase64Prefix(final DirectBuffer source, final int index, final int length)
    {
        final byte[] prefix = BASE64_KEY_PREFIX;
        if (length < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (source.getByte(index + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Write bytes that {@link #isString} accepted as a quoted JSON string.
     *
     * @param destination must have room for {@code length + 2} bytes and grow itself for escapes (an
     *                    {@link org.agrona.ExpandableDirectByteBuffer} does).
     * @return bytes written.
     */
    public static int putString(
        final DirectBuffer source,
        final int index,
        final int length,
        final MutableDirectBuffer destination,
        final int destinationIndex)
    {
        destination.putByte(destinationIndex, (byte)'"');
        final int end = destinationIndex + 1 + JsonString.escape(source, index, length, destination,
            destinationIndex + 1);
        destination.putByte(end, (byte)'"');
        return end + 1 - destinationIndex;
    }

    /**
     * @param length bytes to encode.
     * @param key    true for an object key, false for a value.
     * @return what {@link #putBase64} writes for them.
     */
    public static int base64Length(final int length, final boolean key)
    {
        return (key ? 2 + BASE64_KEY_PREFIX.length : BASE64_VALUE_OPEN.length + BASE64_VALUE_CLOSE.length) +
            Base64.encodedLength(length);
    }

    /**
     * Write bytes as the value {@code {"$base64":"<base64>"}} or the key {@code "$base64:<base64>"}.
     *
     * @param key         true for an object key, false for a value.
     * @param destination must have room for {@link #base64Length(int, boolean)} bytes.
     * @return bytes written.
     */
    public static int putBase64(
        final DirectBuffer source,
        final int index,
        final int length,
        final boolean key,
        final MutableDirectBuffer destination,
        final int destinationIndex)
    {
        final byte[] open = key ? BASE64_KEY_OPEN : BASE64_VALUE_OPEN;
        final byte[] close = key ? BASE64_KEY_CLOSE : BASE64_VALUE_CLOSE;
        int w = destinationIndex;
        destination.putBytes(w, open);
        w += open.length;
        w += Base64.encode(source, index, length, destination, w);
        destination.putBytes(w, close);
        return w + close.length - destinationIndex;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
