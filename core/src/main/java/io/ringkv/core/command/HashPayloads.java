package io.ringkv.core.command;

import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.RdbStringDecoder;
import io.ringkv.core.store.Listpack;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads the body of a hash's DUMP payload (RDB_TYPE_HASH_LISTPACK or RDB_TYPE_HASH) into a listpack, checking all of
 * it first, as Redis's rdbLoadObject does with deep sanitization: a listpack that is malformed (see
 * {@link Listpack#validate}), odd, empty or holds a field twice, a count that lies, a string that does not decode,
 * bytes left over, all give {@link #BAD_FORMAT} and nothing is created. Only RESTORE uses it (engine thread); it
 * allocates, as RESTORE of a collection is no hot path.
 */
final class HashPayloads
{
    /** Not a valid hash body. */
    static final int BAD_FORMAT = -1;

    private final RdbStringDecoder decoder = new RdbStringDecoder();
    private final ExpandableArrayBuffer element = new ExpandableArrayBuffer(64);
    private final AsciiNumbers numbers = new AsciiNumbers();
    /** The decoded hash as a listpack. */
    final ExpandableArrayBuffer listpack = new ExpandableArrayBuffer(256);
    /** The longest field or value, for the encoding decision. */
    int longestElement;

    /**
     * @param type      the payload's type byte.
     * @param payload   holding the body.
     * @param bodyIndex of the body's first byte.
     * @param bodyEnd   index after the body.
     * @return the listpack's length in {@link #listpack}, or {@link #BAD_FORMAT}.
     */
    int read(final int type, final DirectBuffer payload, final int bodyIndex, final int bodyEnd)
    {
        longestElement = 0;
        if (type == DumpPayloadDescriptor.TYPE_HASH_LISTPACK)
        {
            final int consumed = decoder.wrap(payload, bodyIndex, bodyEnd);
            if (consumed != bodyEnd - bodyIndex || decoder.form() == RdbStringDecoder.INTEGER)
            {
                return BAD_FORMAT;
            }
            final int length = decoder.valueLength();
            decoder.decodeTo(listpack, 0);
            final int count = Listpack.validate(listpack, 0, length);
            return count > 0 && count % 2 == 0 && noDuplicateFields(length) ? length : BAD_FORMAT;
        }
        final int lengthBytes = decoder.wrapLength(payload, bodyIndex, bodyEnd);
        if (lengthBytes < 0)
        {
            return BAD_FORMAT;
        }
        final long pairs = decoder.lengthValue();
        // Every string takes at least one byte: a count beyond that is a lie, refused before any work.
        if (pairs <= 0 || pairs > (bodyEnd - bodyIndex) / 2)
        {
            return BAD_FORMAT;
        }
        int p = bodyIndex + lengthBytes;
        int at = Listpack.HEADER_LENGTH;
        for (long i = 0; i < pairs * 2; i++)
        {
            final int consumed = decoder.wrap(payload, p, bodyEnd);
            if (consumed < 0)
            {
                return BAD_FORMAT;
            }
            p += consumed;
            final int length = decoder.valueLength();
            decoder.decodeTo(element, 0);
            final boolean isInt = numbers.parseLong(element, 0, length);
            listpack.checkLimit(at + Listpack.elementLength(length, isInt, numbers.value()) + 1);
            at += Listpack.writeElement(listpack, at, element, 0, length, isInt, numbers.value());
            longestElement = Math.max(longestElement, length);
        }
        if (p != bodyEnd)
        {
            return BAD_FORMAT;
        }
        listpack.putByte(at++, (byte)Listpack.EOF);
        Listpack.header(listpack, 0, at, (int)Math.min(pairs * 2, Listpack.COUNT_UNKNOWN));
        return noDuplicateFields(at) ? at : BAD_FORMAT;
    }

    private boolean noDuplicateFields(final int length)
    {
        final Set<String> fields = new HashSet<>();
        for (int p = Listpack.first(listpack, 0); p != 0; )
        {
            final String field;
            if (Listpack.isInt(listpack, p))
            {
                field = Long.toString(Listpack.intValue(listpack, p));
                longestElement = Math.max(longestElement, field.length());
            }
            else
            {
                final byte[] bytes = new byte[Listpack.stringLength(listpack, p)];
                listpack.getBytes(Listpack.stringIndex(listpack, p), bytes);
                field = new String(bytes, StandardCharsets.ISO_8859_1);
                longestElement = Math.max(longestElement, field.length());
            }
            if (!fields.add(field))
            {
                return false;
            }
            final int q = Listpack.next(listpack, 0, p);
            if (!Listpack.isInt(listpack, q))
            {
                longestElement = Math.max(longestElement, Listpack.stringLength(listpack, q));
            }
            p = Listpack.next(listpack, 0, q);
        }
        return length > 0;
    }

    static boolean isHashType(final int type)
    {
        return type == DumpPayloadDescriptor.TYPE_HASH_LISTPACK || type == DumpPayloadDescriptor.TYPE_HASH;
    }
}
