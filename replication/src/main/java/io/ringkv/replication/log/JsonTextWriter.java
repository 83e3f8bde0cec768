package io.ringkv.replication.log;

import io.ringkv.core.codec.Base64;
import io.ringkv.core.codec.JsonString;
import io.ringkv.core.codec.Utf8;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Appends JSON text to a reusable off-heap buffer without allocating: ASCII tokens, integers, and byte strings
 * under docs/json-protocol.md's rule (valid UTF-8 as a JSON string, anything else as {@code {"$base64":"..."}},
 * or as the map key {@code "$base64:<base64>"}). Not threadsafe: one per writing thread.
 */
public final class JsonTextWriter
{
    /** Prefix of a map key that stands for base64-encoded bytes. */
    public static final byte[] BASE64_KEY_PREFIX = "$base64:".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] BASE64_OPEN = "{\"$base64\":\"".getBytes(StandardCharsets.US_ASCII);

    private final ExpandableDirectByteBuffer buffer;
    private int position;

    /**
     * @param initialCapacity bytes reserved up front; the buffer grows when a line needs more.
     */
    public JsonTextWriter(final int initialCapacity)
    {
        buffer = new ExpandableDirectByteBuffer(initialCapacity);
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return bytes written since the last {@link #reset()}.
     */
    public int length()
    {
        return position;
    }

    public void reset()
    {
        position = 0;
    }

    /**
     * Drop everything after {@code length} bytes (undo a partly written element).
     *
     * @param length bytes to keep.
     */
    public void truncate(final int length)
    {
        position = length;
    }

    public JsonTextWriter ascii(final byte[] text)
    {
        buffer.putBytes(position, text);
        position += text.length;
        return this;
    }

    public JsonTextWriter ascii(final byte c)
    {
        buffer.putByte(position++, c);
        return this;
    }

    public JsonTextWriter number(final long value)
    {
        position += buffer.putLongAscii(position, value);
        return this;
    }

    /**
     * Copy bytes as they are (compact JSON text of a stored document).
     */
    public JsonTextWriter raw(final DirectBuffer source, final int offset, final int length)
    {
        buffer.putBytes(position, source, offset, length);
        position += length;
        return this;
    }

    /**
     * Write bytes as a JSON string when they are valid UTF-8, else as {@code {"$base64":"..."}}.
     */
    public JsonTextWriter bytes(final DirectBuffer source, final int offset, final int length)
    {
        if (Utf8.isValid(source, offset, length))
        {
            return quoted(source, offset, length);
        }
        ascii(BASE64_OPEN);
        base64(source, offset, length);
        buffer.putByte(position++, (byte)'"');
        buffer.putByte(position++, (byte)'}');
        return this;
    }

    /**
     * Write bytes as an object key: a JSON string when they are valid UTF-8 and do not start with
     * {@code $base64:}, else the string {@code "$base64:<base64>"}, so every key decodes to exactly its bytes.
     */
    public JsonTextWriter key(final DirectBuffer source, final int offset, final int length)
    {
        if (!startsWithBase64Prefix(source, offset, length) && Utf8.isValid(source, offset, length))
        {
            return quoted(source, offset, length);
        }
        buffer.putByte(position++, (byte)'"');
        ascii(BASE64_KEY_PREFIX);
        base64(source, offset, length);
        buffer.putByte(position++, (byte)'"');
        return this;
    }

    /**
     * @return true when the bytes begin with {@link #BASE64_KEY_PREFIX}.
     */
    public static boolean startsWithBase64Prefix(final DirectBuffer source, final int offset, final int length)
    {
        final byte[] prefix = BASE64_KEY_PREFIX;
        if (length < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (source.getByte(offset + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    private JsonTextWriter quoted(final DirectBuffer source, final int offset, final int length)
    {
        final ExpandableDirectByteBuffer buffer = this.buffer;
        buffer.checkLimit(position + length + 2);
        buffer.putByte(position, (byte)'"');
        position += 1 + JsonString.escape(source, offset, length, buffer, position + 1);
        buffer.putByte(position++, (byte)'"');
        return this;
    }

    private void base64(final DirectBuffer source, final int offset, final int length)
    {
        buffer.checkLimit(position + Base64.encodedLength(length));
        position += Base64.encode(source, offset, length, buffer, position);
    }
}
