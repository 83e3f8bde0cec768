package io.ringkv.core.command;

import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * How string and json values sit in an entry and how they are read back (see docs/data-model.md):
 * a string is raw bytes ({@code STRING_RAW}) or a 64-bit integer ({@code STRING_INT}, 8 bytes little-endian);
 * a json document is its compact JSON text ({@code JSON_TEXT}). Stateless; only the engine thread calls it.
 */
public final class StringValues
{
    /** Byte order of STRING_INT values. */
    public static final ByteOrder INT_ORDER = ByteOrder.LITTLE_ENDIAN;
    /** Value length of an integer-encoded string. */
    public static final int INT_LENGTH = Long.BYTES;

    private StringValues()
    {
    }

    /**
     * @param type an entry's type.
     * @return true for the types GET and its family return whole: string and json.
     */
    public static boolean isReadableAsString(final byte type)
    {
        return type == ValueType.STRING || type == ValueType.JSON;
    }

    /**
     * @param entry wrapped at a string entry.
     * @return true when the value is integer-encoded.
     */
    public static boolean isInt(final EntryFlyweight entry)
    {
        return entry.type() == ValueType.STRING && entry.encoding() == ValueEncoding.STRING_INT;
    }

    /**
     * @param entry wrapped at an integer-encoded string.
     * @return its integer.
     */
    public static long intValue(final EntryFlyweight entry)
    {
        return entry.buffer().getLong(entry.valueOffset(), INT_ORDER);
    }

    /**
     * Reply with a string or json value: bulk bytes, {@link Reply#bulkInteger} or {@link Reply#json}.
     *
     * @param entry wrapped at the entry.
     * @param reply sink.
     */
    public static void reply(final EntryFlyweight entry, final Reply reply)
    {
        if (entry.type() == ValueType.JSON)
        {
            reply.json(entry.buffer(), entry.valueOffset(), entry.valueLength());
        }
        else if (entry.encoding() == ValueEncoding.STRING_INT)
        {
            reply.bulkInteger(intValue(entry));
        }
        else
        {
            reply.bulk(entry.buffer(), entry.valueOffset(), entry.valueLength());
        }
    }

    /**
     * @param entry wrapped at a string or json entry.
     * @return the length of the value as text (the decimal digits of an integer).
     */
    public static int textLength(final EntryFlyweight entry)
    {
        return isInt(entry) ? AsciiNumbers.decimalLength(intValue(entry)) : entry.valueLength();
    }

    /**
     * Copy the value as text.
     *
     * @param entry       wrapped at a string or json entry.
     * @param destination to write to.
     * @param index       where.
     * @return bytes written ({@link #textLength}).
     */
    public static int copyText(final EntryFlyweight entry, final MutableDirectBuffer destination, final int index)
    {
        if (isInt(entry))
        {
            return AsciiNumbers.putLong(destination, index, intValue(entry));
        }
        final int length = entry.valueLength();
        destination.putBytes(index, entry.buffer(), entry.valueOffset(), length);
        return length;
    }

    /**
     * Write {@code length} bytes into a value at {@code position}.
     */
    static void putValueBytes(final EntryFlyweight entry, final int position, final DirectBuffer source,
        final int offset, final int length)
    {
        if (length > 0)
        {
            entry.buffer().putBytes(entry.valueOffset() + position, source, offset, length);
        }
    }
}
