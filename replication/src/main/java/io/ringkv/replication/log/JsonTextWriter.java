package io.ringkv.replication.log;

import org.agrona.BufferUtil;
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
    private static final byte[] BASE64_ALPHABET =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** Strings longer than this are measured before they are written, so that the buffer grows only once. */
    private static final int EXACT_SIZING_LENGTH = 4096;

    private final int initialCapacity;
    private ExpandableDirectByteBuffer buffer;
    private int position;

    /**
     * @param initialCapacity bytes reserved up front; the buffer grows when a line needs more.
     */
    public JsonTextWriter(final int initialCapacity)
    {
        this.initialCapacity = initialCapacity;
        buffer = new ExpandableDirectByteBuffer(initialCapacity);
    }

    /**
     * Free, at once rather than at the next GC, a buffer that a long line grew past {@code retainedCapacity}, and
     * start again with the initial capacity; what was written is dropped. {@link #buffer()} then returns a new one.
     *
     * @param retainedCapacity largest capacity kept.
     * @return true when memory was freed.
     */
    public boolean shrink(final int retainedCapacity)
    {
        if (buffer.capacity() <= retainedCapacity)
        {
            return false;
        }
        final ExpandableDirectByteBuffer old = buffer;
        buffer = new ExpandableDirectByteBuffer(initialCapacity);
        BufferUtil.free(old.byteBuffer());
        position = 0;
        return true;
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
        if (Utf8Validator.isValid(source, offset, length))
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
        if (!startsWithBase64Prefix(source, offset, length) && Utf8Validator.isValid(source, offset, length))
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
        // A long string is measured first so the buffer grows once: each growth of Agrona's buffer leaves the old
        // memory to the GC, and a string of control characters is six times its length escaped.
        final long quotedLength = length > EXACT_SIZING_LENGTH ? quotedLength(source, offset, length) : length + 2L;
        buffer.checkLimit((int)Math.min(ExpandableDirectByteBuffer.MAX_BUFFER_LENGTH, position + quotedLength));
        final MutableDirectBuffer out = buffer;
        int p = position;
        out.putByte(p++, (byte)'"');
        for (int i = 0; i < length; i++)
        {
            final byte b = source.getByte(offset + i);
            if (b == '"' || b == '\\')
            {
                out.putByte(p++, (byte)'\\');
                out.putByte(p++, b);
            }
            else if (b >= 0 && b < 0x20)
            {
                switch (b)
                {
                    case '\n' -> p = escape(out, p, (byte)'n');
                    case '\r' -> p = escape(out, p, (byte)'r');
                    case '\t' -> p = escape(out, p, (byte)'t');
                    case '\b' -> p = escape(out, p, (byte)'b');
                    case '\f' -> p = escape(out, p, (byte)'f');
                    default ->
                    {
                        out.putByte(p++, (byte)'\\');
                        out.putByte(p++, (byte)'u');
                        out.putByte(p++, (byte)'0');
                        out.putByte(p++, (byte)'0');
                        out.putByte(p++, HEX[b >> 4]);
                        out.putByte(p++, HEX[b & 0xF]);
                    }
                }
            }
            else
            {
                out.putByte(p++, b);
            }
        }
        out.putByte(p++, (byte)'"');
        position = p;
        return this;
    }

    private static long quotedLength(final DirectBuffer source, final int offset, final int length)
    {
        long quoted = length + 2L;
        for (int i = 0; i < length; i++)
        {
            final byte b = source.getByte(offset + i);
            if (b == '"' || b == '\\' || b == '\n' || b == '\r' || b == '\t' || b == '\b' || b == '\f')
            {
                quoted += 1;
            }
            else if (b >= 0 && b < 0x20)
            {
                quoted += 5;
            }
        }
        return quoted;
    }

    private static int escape(final MutableDirectBuffer out, final int p, final byte c)
    {
        out.putByte(p, (byte)'\\');
        out.putByte(p + 1, c);
        return p + 2;
    }

    private void base64(final DirectBuffer source, final int offset, final int length)
    {
        final MutableDirectBuffer out = buffer;
        buffer.checkLimit(position + ((length + 2) / 3) * 4);
        int p = position;
        int i = 0;
        for (; i + 2 < length; i += 3)
        {
            final int bits = (source.getByte(offset + i) & 0xFF) << 16 |
                (source.getByte(offset + i + 1) & 0xFF) << 8 | (source.getByte(offset + i + 2) & 0xFF);
            out.putByte(p++, BASE64_ALPHABET[bits >>> 18]);
            out.putByte(p++, BASE64_ALPHABET[(bits >>> 12) & 0x3F]);
            out.putByte(p++, BASE64_ALPHABET[(bits >>> 6) & 0x3F]);
            out.putByte(p++, BASE64_ALPHABET[bits & 0x3F]);
        }
        final int rest = length - i;
        if (rest > 0)
        {
            final int bits = (source.getByte(offset + i) & 0xFF) << 16 |
                (rest == 2 ? (source.getByte(offset + i + 1) & 0xFF) << 8 : 0);
            out.putByte(p++, BASE64_ALPHABET[bits >>> 18]);
            out.putByte(p++, BASE64_ALPHABET[(bits >>> 12) & 0x3F]);
            out.putByte(p++, rest == 2 ? BASE64_ALPHABET[(bits >>> 6) & 0x3F] : (byte)'=');
            out.putByte(p++, (byte)'=');
        }
        position = p;
    }
}
