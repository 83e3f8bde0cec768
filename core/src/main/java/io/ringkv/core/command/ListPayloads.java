package io.ringkv.core.command;

import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.RdbStringDecoder;
import io.ringkv.core.store.Listpack;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * Reads the body of a list's DUMP payload (RDB_TYPE_LIST_QUICKLIST_2: a node count, then per node its container,
 * PLAIN or PACKED, and its string) into listpacks, checking all of it first: a node count that lies, an unknown
 * container, a string that does not decode, a listpack that is malformed ({@link Listpack#validate}), bytes left
 * over, or no element at all give {@link #BAD_FORMAT} and nothing is created. Empty listpack nodes are skipped, as
 * Redis's loader skips them; a PLAIN node (one element stored raw) becomes a one-element listpack. Only RESTORE uses
 * it (engine thread).
 */
final class ListPayloads
{
    /** Not a valid list body. */
    static final int BAD_FORMAT = -1;

    private final RdbStringDecoder decoder = new RdbStringDecoder();
    private final ExpandableArrayBuffer element = new ExpandableArrayBuffer(64);
    private final AsciiNumbers numbers = new AsciiNumbers();
    /** The nodes' listpacks, one after another. */
    final ExpandableArrayBuffer listpacks = new ExpandableArrayBuffer(256);
    /** Index of each node's listpack in {@link #listpacks}. */
    int[] offsets = new int[16];
    /** Elements of each node. */
    int[] counts = new int[16];

    /**
     * @param payload   holding the body.
     * @param bodyIndex of the body's first byte.
     * @param bodyEnd   index after the body.
     * @return the number of nodes read (at least 1), or {@link #BAD_FORMAT}.
     */
    int read(final DirectBuffer payload, final int bodyIndex, final int bodyEnd)
    {
        int lengthBytes = decoder.wrapLength(payload, bodyIndex, bodyEnd);
        if (lengthBytes < 0)
        {
            return BAD_FORMAT;
        }
        final long declared = decoder.lengthValue();
        // Every node takes at least two bytes: a count beyond that is a lie, refused before any work.
        if (declared <= 0 || declared > (bodyEnd - bodyIndex) / 2)
        {
            return BAD_FORMAT;
        }
        int p = bodyIndex + lengthBytes;
        int nodes = 0;
        int at = 0;
        for (long i = 0; i < declared; i++)
        {
            lengthBytes = decoder.wrapLength(payload, p, bodyEnd);
            if (lengthBytes < 0)
            {
                return BAD_FORMAT;
            }
            final long container = decoder.lengthValue();
            p += lengthBytes;
            final int consumed = decoder.wrap(payload, p, bodyEnd);
            if (consumed < 0 || container != DumpPayloadDescriptor.QUICKLIST_NODE_PLAIN &&
                container != DumpPayloadDescriptor.QUICKLIST_NODE_PACKED)
            {
                return BAD_FORMAT;
            }
            p += consumed;
            final int length = decoder.valueLength();
            final int count;
            final int listpackLength;
            if (container == DumpPayloadDescriptor.QUICKLIST_NODE_PACKED)
            {
                if (decoder.form() == RdbStringDecoder.INTEGER)
                {
                    return BAD_FORMAT;
                }
                listpacks.checkLimit(at + length);
                decoder.decodeTo(listpacks, at);
                count = Listpack.validate(listpacks, at, length);
                if (count < 0)
                {
                    return BAD_FORMAT;
                }
                listpackLength = length;
            }
            else
            {
                decoder.decodeTo(element, 0);
                final boolean isInt = numbers.parseLong(element, 0, length);
                final long elementLength = Listpack.elementLength(length, isInt, numbers.value());
                listpackLength = (int)Math.min(Integer.MAX_VALUE, Listpack.EMPTY_LENGTH + elementLength);
                listpacks.checkLimit(at + listpackLength);
                Listpack.writeElement(listpacks, at + Listpack.HEADER_LENGTH, element, 0, length, isInt,
                    numbers.value());
                listpacks.putByte(at + listpackLength - 1, (byte)Listpack.EOF);
                Listpack.header(listpacks, at, listpackLength, 1);
                count = 1;
            }
            if (count == 0)
            {
                continue;   // as Redis's loader: an empty node is skipped
            }
            if (nodes == offsets.length)
            {
                offsets = Arrays.copyOf(offsets, nodes * 2);
                counts = Arrays.copyOf(counts, nodes * 2);
            }
            offsets[nodes] = at;
            counts[nodes] = count;
            nodes++;
            at += listpackLength;
        }
        return p == bodyEnd && nodes > 0 ? nodes : BAD_FORMAT;
    }

    /**
     * @return bytes of node {@code i}'s listpack.
     */
    int length(final int i)
    {
        return Listpack.totalBytes(listpacks, offsets[i]);
    }

    static boolean isListType(final int type)
    {
        return type == DumpPayloadDescriptor.TYPE_LIST_QUICKLIST_2;
    }
}
