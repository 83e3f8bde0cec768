package io.ringkv.core.rdb;

import static io.ringkv.core.rdb.DumpPayloadDescriptor.BODY_OFFSET;
import static io.ringkv.core.rdb.DumpPayloadDescriptor.FOOTER_LENGTH;
import static io.ringkv.core.rdb.DumpPayloadDescriptor.FRAMING_LENGTH;
import static io.ringkv.core.rdb.DumpPayloadDescriptor.RDB_VERSION;
import static io.ringkv.core.rdb.DumpPayloadDescriptor.TYPE_JSON;
import static io.ringkv.core.rdb.DumpPayloadDescriptor.TYPE_OFFSET;
import static io.ringkv.core.rdb.DumpPayloadDescriptor.TYPE_STRING;
import static io.ringkv.core.rdb.DumpPayloadDescriptor.VERSION_LENGTH;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Serializes one value into a DUMP payload ({@link DumpPayloadDescriptor}) byte-identical to Redis 7.0's for
 * strings: type byte, {@link RdbStringEncoder} body, RDB version 10 and CRC-64, little-endian.
 * <p>
 * Writes straight into a caller's buffer and allocates nothing once its encoder's scratch has grown to the
 * largest value seen. The destination needs {@link #maxPayloadLength(int)} bytes of room from the index; an
 * expandable buffer ({@code ExpandableDirectByteBuffer}, {@code ExpandableArrayBuffer}) grows by itself, so
 * keep one per thread and reuse it. Not threadsafe: one instance per thread (the engine thread for DUMP).
 * <pre>
 *   final int length = writer.writeString(valueBuffer, valueIndex, valueLength, scratch, 0);
 *   reply.bulk(scratch, 0, length);
 * </pre>
 */
public final class DumpPayloadWriter
{
    private final RdbStringEncoder encoder;

    /**
     * A writer that compresses like Redis's default ({@code rdbcompression yes}).
     */
    public DumpPayloadWriter()
    {
        this(new RdbStringEncoder());
    }

    /**
     * @param encoder to encode values with; owned by this writer from now on.
     */
    public DumpPayloadWriter(final RdbStringEncoder encoder)
    {
        this.encoder = encoder;
    }

    /**
     * Room a payload for a value of {@code valueLength} bytes may need.
     *
     * @param valueLength of the string or JSON text.
     * @return an upper bound of the payload's length.
     */
    public static int maxPayloadLength(final int valueLength)
    {
        return FRAMING_LENGTH + RdbStringDescriptor.maxEncodedLength(valueLength);
    }

    /**
     * DUMP of a string value held as bytes.
     *
     * @param value    holding the string.
     * @param index    of its first byte.
     * @param length   of the string.
     * @param dst      to write the payload to.
     * @param dstIndex of the payload's first byte.
     * @return length of the payload.
     */
    public int writeString(
        final DirectBuffer value, final int index, final int length, final MutableDirectBuffer dst, final int dstIndex)
    {
        dst.checkLimit(dstIndex + maxPayloadLength(length));
        dst.putByte(dstIndex + TYPE_OFFSET, (byte)TYPE_STRING);
        final int bodyLength = encoder.encode(value, index, length, dst, dstIndex + BODY_OFFSET);
        return putFooter(dst, dstIndex, BODY_OFFSET + bodyLength);
    }

    /**
     * DUMP of a string value held as an integer (Redis's "int" encoding); the same bytes as
     * {@link #writeString} of its canonical decimal text.
     *
     * @param value    the integer.
     * @param dst      to write the payload to.
     * @param dstIndex of the payload's first byte.
     * @return length of the payload.
     */
    public int writeLong(final long value, final MutableDirectBuffer dst, final int dstIndex)
    {
        dst.checkLimit(dstIndex + maxPayloadLength(20));
        dst.putByte(dstIndex + TYPE_OFFSET, (byte)TYPE_STRING);
        final int bodyLength = encoder.encodeLong(value, dst, dstIndex + BODY_OFFSET);
        return putFooter(dst, dstIndex, BODY_OFFSET + bodyLength);
    }

    /**
     * DUMP of a JSON document: ringkv's type {@link DumpPayloadDescriptor#TYPE_JSON}, body the document's compact
     * JSON text in RDB string encoding.
     *
     * @param json     holding the compact JSON text (UTF-8).
     * @param index    of its first byte.
     * @param length   of the text.
     * @param dst      to write the payload to.
     * @param dstIndex of the payload's first byte.
     * @return length of the payload.
     */
    public int writeJson(
        final DirectBuffer json, final int index, final int length, final MutableDirectBuffer dst, final int dstIndex)
    {
        dst.checkLimit(dstIndex + maxPayloadLength(length));
        dst.putByte(dstIndex + TYPE_OFFSET, (byte)TYPE_JSON);
        final int bodyLength = encoder.encode(json, index, length, dst, dstIndex + BODY_OFFSET);
        return putFooter(dst, dstIndex, BODY_OFFSET + bodyLength);
    }

    /**
     * DUMP of a collection held in one of Redis's small formats (a listpack hash: RDB_TYPE_HASH_LISTPACK; an
     * intset: RDB_TYPE_SET_INTSET): the type, then the format's bytes as one RDB string, as Redis's rdbSaveObject
     * writes them.
     *
     * @param rdbType  the payload's type byte.
     * @param blob     holding the listpack or intset.
     * @param index    of its first byte.
     * @param length   of it.
     * @param dst      to write the payload to.
     * @param dstIndex of the payload's first byte.
     * @return length of the payload.
     */
    public int writeBlob(final int rdbType, final DirectBuffer blob, final int index, final int length,
        final MutableDirectBuffer dst, final int dstIndex)
    {
        dst.checkLimit(dstIndex + maxPayloadLength(length));
        dst.putByte(dstIndex + TYPE_OFFSET, (byte)rdbType);
        final int bodyLength = encoder.encode(blob, index, length, dst, dstIndex + BODY_OFFSET);
        return putFooter(dst, dstIndex, BODY_OFFSET + bodyLength);
    }

    /**
     * Start the DUMP of a collection written element by element (RDB_TYPE_HASH: field, value, field, value...;
     * RDB_TYPE_SET: members): the type and the element count, as Redis's rdbSaveObject writes a hash table.
     * Follow with {@link #appendString} per string, then {@link #finish}.
     *
     * @param rdbType  the payload's type byte.
     * @param count    pairs of a hash, members of a set.
     * @param dst      to write the payload to.
     * @param dstIndex of the payload's first byte.
     * @return the index to append the first string at.
     */
    public int startCollection(final int rdbType, final long count, final MutableDirectBuffer dst,
        final int dstIndex)
    {
        dst.checkLimit(dstIndex + BODY_OFFSET + 9);
        dst.putByte(dstIndex + TYPE_OFFSET, (byte)rdbType);
        return dstIndex + BODY_OFFSET + RdbStringDescriptor.putLength(dst, dstIndex + BODY_OFFSET, count);
    }

    /**
     * @param value    holding the next string.
     * @param index    of its first byte.
     * @param length   of it.
     * @param dst      the payload's buffer.
     * @param position where it goes, from {@link #startCollection} or the previous call.
     * @return the position after it.
     */
    public int appendString(final DirectBuffer value, final int index, final int length,
        final MutableDirectBuffer dst, final int position)
    {
        dst.checkLimit(position + RdbStringDescriptor.maxEncodedLength(length));
        return position + encoder.encode(value, index, length, dst, position);
    }

    /**
     * Close a payload begun with {@link #startCollection}.
     *
     * @param dst      the payload's buffer.
     * @param dstIndex of the payload's first byte.
     * @param position after the last string.
     * @return length of the payload.
     */
    public int finish(final MutableDirectBuffer dst, final int dstIndex, final int position)
    {
        dst.checkLimit(position + FOOTER_LENGTH);
        return putFooter(dst, dstIndex, position - dstIndex);
    }

    private static int putFooter(final MutableDirectBuffer dst, final int dstIndex, final int footerOffset)
    {
        final int versionIndex = dstIndex + footerOffset;
        dst.putShort(versionIndex, (short)RDB_VERSION, ByteOrder.LITTLE_ENDIAN);
        final int crcIndex = versionIndex + VERSION_LENGTH;
        final long crc = Crc64.compute(dst, dstIndex, crcIndex - dstIndex);
        dst.putLong(crcIndex, crc, ByteOrder.LITTLE_ENDIAN);
        return footerOffset + FOOTER_LENGTH;
    }
}
