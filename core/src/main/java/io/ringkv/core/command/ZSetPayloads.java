package io.ringkv.core.command;

import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.DumpPayloadWriter;
import io.ringkv.core.rdb.RdbStringDecoder;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ZSkipList;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * DUMP and RESTORE of sorted sets, byte-compatible with Redis 7.0: a listpack set is RDB_TYPE_ZSET_LISTPACK (17,
 * the listpack's bytes as one RDB string), a skip list set RDB_TYPE_ZSET_2 (5: the count, then from the highest
 * member down, as Redis's rdbSaveObject, each member as an RDB string and its score as an 8-byte little-endian
 * double). A payload is read and checked whole ({@link #read}) before anything is made: a listpack that fails
 * Listpack.validate, an odd or zero element count, a score that is not a valid float (or is NaN), a repeated member
 * or bytes left over are all refused. RESTORE only; it allocates (no hot path). Engine thread.
 */
final class ZSetPayloads
{
    static final int BAD_FORMAT = -1;

    private final RdbStringDecoder decoder = new RdbStringDecoder();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
    private final AsciiNumbers numbers = new AsciiNumbers();
    private final ZSetScores scores = new ZSetScores();
    /** The members {@link #read} found. */
    final ZSetBuilder members = new ZSetBuilder();
    /** Builds the restored value. */
    final ZSetValue value = new ZSetValue();
    /** Whether the payload was a listpack (Redis keeps it one unless it has too many members). */
    boolean fromListpack;

    static boolean isZsetType(final int type)
    {
        return type == DumpPayloadDescriptor.TYPE_ZSET_2 || type == DumpPayloadDescriptor.TYPE_ZSET_LISTPACK;
    }

    /**
     * Read a sorted set payload's body into {@code out} (cleared first).
     *
     * @return the member count, or {@link #BAD_FORMAT}.
     */
    int read(final int type, final DirectBuffer payload, final int bodyIndex, final int bodyEnd,
        final ZSetBuilder out)
    {
        out.clear();
        fromListpack = type == DumpPayloadDescriptor.TYPE_ZSET_LISTPACK;
        if (fromListpack)
        {
            final int consumed = decoder.wrap(payload, bodyIndex, bodyEnd);
            if (consumed != bodyEnd - bodyIndex || decoder.form() == RdbStringDecoder.INTEGER)
            {
                return BAD_FORMAT;
            }
            final int length = decoder.valueLength();
            scratch.checkLimit(length);
            decoder.decodeTo(scratch, 0);
            final int elements = Listpack.validate(scratch, 0, length);
            if (elements <= 0 || elements % 2 != 0)
            {
                return BAD_FORMAT;
            }
            final UnsafeBuffer text = memberText;
            for (int p = Listpack.first(scratch, 0); p != 0; )
            {
                final int q = Listpack.next(scratch, 0, p);
                final double score;
                if (Listpack.isInt(scratch, q))
                {
                    score = Listpack.intValue(scratch, q);
                }
                else if (scores.parseScore(scratch, Listpack.stringIndex(scratch, q), Listpack.stringLength(scratch, q)))
                {
                    score = scores.value();
                }
                else
                {
                    return BAD_FORMAT;
                }
                final DirectBuffer member;
                final int offset;
                final int memberLength;
                if (Listpack.isInt(scratch, p))
                {
                    member = text;
                    offset = 0;
                    memberLength = AsciiNumbers.putLong(text, 0, Listpack.intValue(scratch, p));
                }
                else
                {
                    member = scratch;
                    offset = Listpack.stringIndex(scratch, p);
                    memberLength = Listpack.stringLength(scratch, p);
                }
                if (out.find(member, offset, memberLength) >= 0)
                {
                    return BAD_FORMAT;
                }
                out.add(member, offset, memberLength, score);
                p = Listpack.next(scratch, 0, q);
            }
            return out.size();
        }
        final int lengthBytes = decoder.wrapLength(payload, bodyIndex, bodyEnd);
        if (lengthBytes < 0)
        {
            return BAD_FORMAT;
        }
        final long declared = decoder.lengthValue();
        // Each member takes at least 9 bytes (a string and a double): a count beyond that is a lie.
        if (declared <= 0 || declared > (bodyEnd - bodyIndex) / 9)
        {
            return BAD_FORMAT;
        }
        int p = bodyIndex + lengthBytes;
        for (long i = 0; i < declared; i++)
        {
            final int consumed = decoder.wrap(payload, p, bodyEnd);
            if (consumed < 0)
            {
                return BAD_FORMAT;
            }
            p += consumed;
            final int length = decoder.valueLength();
            scratch.checkLimit(length);
            decoder.decodeTo(scratch, 0);
            if (p + Double.BYTES > bodyEnd)
            {
                return BAD_FORMAT;
            }
            final double score = payload.getDouble(p, ByteOrder.LITTLE_ENDIAN);
            p += Double.BYTES;
            if (Double.isNaN(score) || out.find(scratch, 0, length) >= 0)
            {
                return BAD_FORMAT;
            }
            out.add(scratch, 0, length, score);
        }
        return p == bodyEnd ? out.size() : BAD_FORMAT;
    }

    private final UnsafeBuffer memberText = new UnsafeBuffer(new byte[AsciiNumbers.MAX_LONG_DIGITS]);

    /**
     * DUMP of a sorted set entry.
     */
    static int dump(final DumpPayloadWriter writer, final Keyspace keyspace, final EntryFlyweight entry,
        final MutableDirectBuffer dst, final int dstIndex)
    {
        if (entry.encoding() != ValueEncoding.ZSET_SKIPLIST)
        {
            return writer.writeBlob(DumpPayloadDescriptor.TYPE_ZSET_LISTPACK, entry.buffer(), entry.valueOffset(),
                entry.valueLength(), dst, dstIndex);
        }
        final int id = entry.buffer().getInt(entry.valueOffset());
        final ZSkipList skipList = keyspace.elementTables().skipList();
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        int position = writer.startCollection(DumpPayloadDescriptor.TYPE_ZSET_2, keyspace.elementTables().size(id),
            dst, dstIndex);
        for (long element = skipList.last(id); element != 0; element = ZSkipList.previous(element))
        {
            final int length = ZSkipList.memberLength(element);
            view.wrap(ZSkipList.memberAddress(element), length);
            position = writer.appendString(view, 0, length, dst, position);
            dst.checkLimit(position + Double.BYTES);
            dst.putDouble(position, ZSkipList.score(element), ByteOrder.LITTLE_ENDIAN);
            position += Double.BYTES;
        }
        return writer.finish(dst, dstIndex, position);
    }
}
