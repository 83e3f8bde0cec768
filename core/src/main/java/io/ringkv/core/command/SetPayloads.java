package io.ringkv.core.command;

import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.RdbStringDecoder;
import io.ringkv.core.store.CollectionLimits;
import io.ringkv.core.store.Intset;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads the body of a set's DUMP payload (RDB_TYPE_SET_INTSET or RDB_TYPE_SET), checking all of it first, as Redis's
 * rdbLoadObject does with deep sanitization: an intset that is malformed (see {@link Intset#validate}) or empty, a
 * count that lies or is 0, a member twice, a string that does not decode, bytes left over, all give
 * {@link #BAD_FORMAT} and nothing is created. The result is the encoding Redis loads it into: an intset while every
 * member is an integer and there are at most {@code set-max-intset-entries}, else the members for a table. Only
 * RESTORE uses it (engine thread); it allocates, as RESTORE of a collection is no hot path.
 */
final class SetPayloads
{
    /** Not a valid set body. */
    static final int BAD_FORMAT = -1;

    private final RdbStringDecoder decoder = new RdbStringDecoder();
    private final AsciiNumbers numbers = new AsciiNumbers();
    /** The set as an intset, when {@link #isIntset}. */
    final ExpandableArrayBuffer intset = new ExpandableArrayBuffer(256);
    /** Otherwise its members back to back, at {@link #offsets} for {@link #lengths} bytes. */
    final ExpandableArrayBuffer members = new ExpandableArrayBuffer(256);
    int[] offsets = new int[16];
    int[] lengths = new int[16];
    boolean isIntset;
    int intsetLength;
    private long[] values = new long[16];

    /**
     * @param type             the payload's type byte.
     * @param payload          holding the body.
     * @param bodyIndex        of the body's first byte.
     * @param bodyEnd          index after the body.
     * @param limits           set-max-intset-entries.
     * @return the member count, or {@link #BAD_FORMAT}.
     */
    int read(final int type, final DirectBuffer payload, final int bodyIndex, final int bodyEnd,
        final CollectionLimits limits)
    {
        if (type == DumpPayloadDescriptor.TYPE_SET_INTSET)
        {
            final int consumed = decoder.wrap(payload, bodyIndex, bodyEnd);
            if (consumed != bodyEnd - bodyIndex || decoder.form() == RdbStringDecoder.INTEGER)
            {
                return BAD_FORMAT;
            }
            intsetLength = decoder.valueLength();
            intset.checkLimit(intsetLength);
            decoder.decodeTo(intset, 0);
            final int count = Intset.validate(intset, 0, intsetLength);
            if (count <= 0)
            {
                return BAD_FORMAT;
            }
            isIntset = count <= limits.setMaxIntsetEntries();
            if (!isIntset)
            {
                // Past the limit Redis converts on load: the members as their decimal texts.
                grow(count);
                int at = 0;
                for (int i = 0; i < count; i++)
                {
                    members.checkLimit(at + AsciiNumbers.MAX_LONG_DIGITS);
                    offsets[i] = at;
                    lengths[i] = members.putLongAscii(at, Intset.get(intset, 0, i));
                    at += lengths[i];
                }
            }
            return count;
        }
        final int lengthBytes = decoder.wrapLength(payload, bodyIndex, bodyEnd);
        if (lengthBytes < 0)
        {
            return BAD_FORMAT;
        }
        final long declared = decoder.lengthValue();
        // Every string takes at least one byte: a count beyond that is a lie, refused before any work.
        if (declared <= 0 || declared > bodyEnd - bodyIndex)
        {
            return BAD_FORMAT;
        }
        final int count = (int)declared;
        grow(count);
        final Set<String> seen = new HashSet<>();
        boolean integers = count <= limits.setMaxIntsetEntries() &&
            limits.fitsInEntry(Intset.HEADER_LENGTH + (long)count * Long.BYTES);
        int p = bodyIndex + lengthBytes;
        int at = 0;
        for (int i = 0; i < count; i++)
        {
            final int consumed = decoder.wrap(payload, p, bodyEnd);
            if (consumed < 0)
            {
                return BAD_FORMAT;
            }
            p += consumed;
            final int length = decoder.valueLength();
            members.checkLimit(at + length);
            decoder.decodeTo(members, at);
            final byte[] bytes = new byte[length];
            members.getBytes(at, bytes);
            if (!seen.add(new String(bytes, StandardCharsets.ISO_8859_1)))
            {
                return BAD_FORMAT;
            }
            offsets[i] = at;
            lengths[i] = length;
            if (integers && numbers.parseLong(members, at, length))
            {
                values[i] = numbers.value();
            }
            else
            {
                integers = false;
            }
            at += length;
        }
        if (p != bodyEnd)
        {
            return BAD_FORMAT;
        }
        isIntset = integers;
        if (integers)
        {
            writeIntset(count);
        }
        return count;
    }

    private void writeIntset(final int count)
    {
        Arrays.sort(values, 0, count);
        intsetLength = Intset.HEADER_LENGTH + count * Intset.widthFor(values, count);
        intset.checkLimit(intsetLength);
        Intset.writeSorted(intset, 0, values, count);
    }

    private void grow(final int count)
    {
        if (offsets.length < count)
        {
            offsets = new int[count];
            lengths = new int[count];
            values = new long[count];
        }
    }

    static boolean isSetType(final int type)
    {
        return type == DumpPayloadDescriptor.TYPE_SET_INTSET || type == DumpPayloadDescriptor.TYPE_SET;
    }
}
