package io.ringkv.replication.log;

import io.ringkv.core.codec.JsonBytes;
import io.ringkv.core.codec.JsonString;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Appends JSON text to a reusable off-heap buffer without allocating: ASCII tokens, integers, and byte strings
 * under docs/json-protocol.md's rule (valid UTF-8 as a JSON string, anything else as {@code {"$base64":"..."}},
 * or as the map key {@code "$base64:<base64>"}). Not threadsafe: one per writing thread.
 */
public final class JsonTextWriter
{
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
     * Write bytes as a JSON string when they are valid UTF-8, else as {@code {"$base64":"..."}} ({@link JsonBytes}).
     */
    public JsonTextWriter bytes(final DirectBuffer source, final int offset, final int length)
    {
        return bytes(source, offset, length, false);
    }

    /**
     * Write bytes as an object key: a JSON string when they are valid UTF-8 and do not start with
     * {@code $base64:}, else the string {@code "$base64:<base64>"}, so every key decodes to exactly its bytes.
     */
    public JsonTextWriter key(final DirectBuffer source, final int offset, final int length)
    {
        return bytes(source, offset, length, true);
    }

    private JsonTextWriter bytes(final DirectBuffer source, final int offset, final int length, final boolean key)
    {
        final ExpandableDirectByteBuffer buffer = this.buffer;
        if (JsonBytes.isString(source, offset, length, key))
        {
            // A long string is measured first so the buffer grows once: each growth of Agrona's buffer leaves the
            // old memory to the GC, and a string of control characters is six times its length escaped.
            final long quotedLength = 2L + (length > EXACT_SIZING_LENGTH ?
                JsonString.escapedLength(source, offset, length) : length);
            buffer.checkLimit((int)Math.min(ExpandableDirectByteBuffer.MAX_BUFFER_LENGTH, position + quotedLength));
            position += JsonBytes.putString(source, offset, length, buffer, position);
        }
        else
        {
            buffer.checkLimit(position + JsonBytes.base64Length(length, key));
            position += JsonBytes.putBase64(source, offset, length, key, buffer, position);
        }
        return this;
    }
}
