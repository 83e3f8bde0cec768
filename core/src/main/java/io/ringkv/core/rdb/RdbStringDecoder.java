package io.ringkv.core.rdb;

import static io.ringkv.core.rdb.RdbStringDescriptor.ENCODED_VALUE;
import static io.ringkv.core.rdb.RdbStringDescriptor.ENCODING_INT16;
import static io.ringkv.core.rdb.RdbStringDescriptor.ENCODING_INT32;
import static io.ringkv.core.rdb.RdbStringDescriptor.ENCODING_INT8;
import static io.ringkv.core.rdb.RdbStringDescriptor.ENCODING_LZF;
import static io.ringkv.core.rdb.RdbStringDescriptor.LENGTH_14BIT;
import static io.ringkv.core.rdb.RdbStringDescriptor.LENGTH_32BIT_MARKER;
import static io.ringkv.core.rdb.RdbStringDescriptor.LENGTH_64BIT_MARKER;
import static io.ringkv.core.rdb.RdbStringDescriptor.LENGTH_6BIT;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over one RDB-encoded string ({@link RdbStringDescriptor}): {@link #wrap} parses and fully validates
 * it against the bytes actually present, {@link #decodeTo} then writes the string's bytes.
 * <p>
 * Every encoding Redis 7.0 can write is read: 6/14/32/64-bit lengths, INT8/16/32 and LZF. Nothing is sized from
 * a declared length until the input has proven it: a raw length must fit in the bytes present, an LZF stream is
 * walked once ({@link Lzf#decompressedLength}) and must inflate to exactly its declared length. Not threadsafe;
 * reuse one per thread.
 * <pre>
 *   final int consumed = decoder.wrap(buffer, index, limit);
 *   if (consumed &lt; 0) { ... BAD_FORMAT ... }
 *   dst.checkLimit(dstIndex + decoder.valueLength());
 *   decoder.decodeTo(dst, dstIndex);
 * </pre>
 */
public final class RdbStringDecoder
{
    /**
     * The bytes are not a valid RDB string encoding (or claim more bytes than are present).
     */
    public static final int BAD_FORMAT = -1;

    /**
     * Longest string the decoder accepts: about the most a Java array or Agrona buffer can index. Redis's own
     * bulk strings stop far below it (proto-max-bulk-len, 512 MB by default).
     */
    public static final int MAX_VALUE_LENGTH = Integer.MAX_VALUE - 16;

    /**
     * Wrapped string is stored raw.
     */
    public static final int RAW = 0;

    /**
     * Wrapped string is an INT8/16/32 encoding.
     */
    public static final int INTEGER = 1;

    /**
     * Wrapped string is LZF-compressed.
     */
    public static final int COMPRESSED = 2;

    private static final int NOT_WRAPPED = -1;

    private DirectBuffer buffer;
    private int form = NOT_WRAPPED;
    private int dataIndex;
    private int dataLength;
    private int valueLength;
    private long integerValue;

    // Scratch for length parsing: the parsed length and the index after it.
    private long parsedLength;
    private int parsedEnd;

    /**
     * Parse and validate the encoded string starting at {@code index}, reading nothing at or past {@code limit}.
     * On failure the decoder is left unwrapped and nothing is written anywhere.
     *
     * @param buffer holding the encoding.
     * @param index  of its first byte.
     * @param limit  index one past the last byte that may be read.
     * @return bytes the encoding occupies, or {@link #BAD_FORMAT}.
     */
    public int wrap(final DirectBuffer buffer, final int index, final int limit)
    {
        form = NOT_WRAPPED;
        if (index >= limit)
        {
            return BAD_FORMAT;
        }
        final int first = buffer.getByte(index) & 0xff;
        if ((first >>> 6) == ENCODED_VALUE)
        {
            final int encoding = first & 0x3f;
            switch (encoding)
            {
                case ENCODING_INT8:
                    return wrapInteger(buffer, index, limit, 1);
                case ENCODING_INT16:
                    return wrapInteger(buffer, index, limit, 2);
                case ENCODING_INT32:
                    return wrapInteger(buffer, index, limit, 4);
                case ENCODING_LZF:
                    return wrapCompressed(buffer, index, limit);
                default:
                    return BAD_FORMAT;
            }
        }

        if (!parseLength(buffer, index, limit))
        {
            return BAD_FORMAT;
        }
        final long length = parsedLength;
        final int start = parsedEnd;
        if (length > limit - start)
        {
            return BAD_FORMAT;
        }
        wrapped(buffer, RAW, start, (int)length, (int)length, 0);
        return start + (int)length - index;
    }

    /**
     * Parse an RDB length that is not a string's (a collection's element count), as Redis's rdbLoadLen.
     *
     * @param buffer holding it.
     * @param index  of its first byte.
     * @param limit  index it must end before.
     * @return bytes it takes, or {@link #BAD_FORMAT}; the value is then {@link #lengthValue()}.
     */
    public int wrapLength(final DirectBuffer buffer, final int index, final int limit)
    {
        form = NOT_WRAPPED;
        return parseLength(buffer, index, limit) ? parsedEnd - index : BAD_FORMAT;
    }

    /**
     * @return the length {@link #wrapLength} parsed.
     */
    public long lengthValue()
    {
        return parsedLength;
    }

    /**
     * @return {@link #RAW}, {@link #INTEGER} or {@link #COMPRESSED} for the wrapped string.
     */
    public int form()
    {
        checkWrapped();
        return form;
    }

    /**
     * @return length in bytes of the wrapped string once decoded.
     */
    public int valueLength()
    {
        checkWrapped();
        return valueLength;
    }

    /**
     * @return the integer, when {@link #form()} is {@link #INTEGER}.
     */
    public long integerValue()
    {
        checkWrapped();
        return integerValue;
    }

    /**
     * Write the wrapped string's {@link #valueLength()} bytes. The destination must have the room (an expandable
     * buffer grows).
     *
     * @param dst      to write to.
     * @param dstIndex of the first byte to write.
     */
    public void decodeTo(final MutableDirectBuffer dst, final int dstIndex)
    {
        checkWrapped();
        dst.checkLimit(dstIndex + valueLength);
        switch (form)
        {
            case RAW:
                dst.putBytes(dstIndex, buffer, dataIndex, valueLength);
                break;
            case INTEGER:
                dst.putLongAscii(dstIndex, integerValue);
                break;
            default:
                inflate(dst, dstIndex);
                break;
        }
    }

    private void inflate(final MutableDirectBuffer dst, final int dstIndex)
    {
        // Straight into the destination (the store's entry or the caller's scratch): no copy on the heap, so a
        // huge value takes no memory beyond its own and leaves nothing behind for a collector.
        final int produced = Lzf.decompress(buffer, dataIndex, dataLength, dst, dstIndex, valueLength);
        if (produced != valueLength)
        {
            throw new IllegalStateException("LZF stream changed after validation: " + produced);
        }
    }

    private int wrapInteger(final DirectBuffer buffer, final int index, final int limit, final int width)
    {
        final int start = index + 1;
        if (width > limit - start)
        {
            return BAD_FORMAT;
        }
        final long value;
        switch (width)
        {
            case 1:
                value = buffer.getByte(start);
                break;
            case 2:
                value = buffer.getShort(start, ByteOrder.LITTLE_ENDIAN);
                break;
            default:
                value = buffer.getInt(start, ByteOrder.LITTLE_ENDIAN);
                break;
        }
        wrapped(buffer, INTEGER, start, width, decimalLength(value), value);
        return 1 + width;
    }

    private int wrapCompressed(final DirectBuffer buffer, final int index, final int limit)
    {
        if (!parseLength(buffer, index + 1, limit))
        {
            return BAD_FORMAT;
        }
        final long compressedLength = parsedLength;
        if (!parseLength(buffer, parsedEnd, limit))
        {
            return BAD_FORMAT;
        }
        final long length = parsedLength;
        final int start = parsedEnd;
        if (compressedLength > limit - start ||
            length > MAX_VALUE_LENGTH ||
            length > compressedLength * Lzf.MAX_EXPANSION_PER_INPUT_BYTE)
        {
            return BAD_FORMAT;
        }
        final int inflated = Lzf.decompressedLength(buffer, start, (int)compressedLength, (int)length);
        if (inflated != length)
        {
            return BAD_FORMAT;
        }
        wrapped(buffer, COMPRESSED, start, (int)compressedLength, (int)length, 0);
        return start + (int)compressedLength - index;
    }

    /**
     * Parse a length as {@code rdbLoadLen} does, into {@link #parsedLength} and {@link #parsedEnd}. Like Redis,
     * a length field whose high bits say "encoded value" reads as its low six bits (only reachable inside LZF
     * headers; a string's own first byte is dispatched before).
     */
    private boolean parseLength(final DirectBuffer buffer, final int index, final int limit)
    {
        if (index >= limit)
        {
            return false;
        }
        final int first = buffer.getByte(index) & 0xff;
        final int kind = first >>> 6;
        if (kind == LENGTH_6BIT || kind == RdbStringDescriptor.ENCODED_VALUE)
        {
            parsedLength = first & 0x3f;
            parsedEnd = index + 1;
            return true;
        }
        if (kind == LENGTH_14BIT)
        {
            if (limit - index < 2)
            {
                return false;
            }
            parsedLength = ((first & 0x3f) << 8) | (buffer.getByte(index + 1) & 0xff);
            parsedEnd = index + 2;
            return true;
        }
        if (first == LENGTH_32BIT_MARKER)
        {
            if (limit - index < 5)
            {
                return false;
            }
            parsedLength = buffer.getInt(index + 1, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
            parsedEnd = index + 5;
            return true;
        }
        if (first == LENGTH_64BIT_MARKER)
        {
            if (limit - index < 9)
            {
                return false;
            }
            final long length = buffer.getLong(index + 1, ByteOrder.BIG_ENDIAN);
            if (length < 0)
            {
                return false;
            }
            parsedLength = length;
            parsedEnd = index + 9;
            return true;
        }
        return false;
    }

    private void wrapped(
        final DirectBuffer buffer, final int form, final int dataIndex, final int dataLength, final int valueLength,
        final long integerValue)
    {
        this.buffer = buffer;
        this.dataIndex = dataIndex;
        this.dataLength = dataLength;
        this.valueLength = valueLength;
        this.integerValue = integerValue;
        this.form = form;
    }

    private void checkWrapped()
    {
        if (form == NOT_WRAPPED)
        {
            throw new IllegalStateException("no string wrapped");
        }
    }

    static int decimalLength(final long value)
    {
        long magnitude = value < 0 ? -value : value;
        int digits = 1;
        while (magnitude >= 10)
        {
            magnitude /= 10;
            digits++;
        }
        return value < 0 ? digits + 1 : digits;
    }
}
