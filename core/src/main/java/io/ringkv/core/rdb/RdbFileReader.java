package io.ringkv.core.rdb;

import static io.ringkv.core.rdb.RdbFileDescriptor.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads an RDB file ({@link RdbFileDescriptor}) record by record and hands each to a {@link Handler}: aux
 * fields, database switches, function libraries, and every key with its value as a complete DUMP payload (type,
 * body, version, CRC-64), so the caller loads it exactly as RESTORE would and the file shares DUMP's decoding.
 * <p>
 * A record is handed over only once all of it has been read; a file that ends early, has a wrong checksum, an
 * unknown version, opcode or value type is refused with a {@link RdbFormatException} naming the offset. Values
 * are checked here only for their extent: the handler's RESTORE path checks their content. The file's length is
 * given up front, so a corrupt length is found to run past the end without reading (or allocating) that much.
 * <p>
 * Reads through a window that grows to the largest record. Not threadsafe: one instance per file being read.
 */
public final class RdbFileReader
{
    /**
     * What a file holds, record by record. Throw {@link RdbFormatException} to refuse it.
     */
    public interface Handler
    {
        /**
         * An aux field.
         */
        default void aux(final String name, final String value, final long offset) throws IOException
        {
        }

        /**
         * SELECTDB: the keys after this belong to {@code db}.
         */
        void selectDb(long db, long offset) throws IOException;

        /**
         * RESIZEDB: a sizing hint for the database selected last.
         *
         * @param keys    keys it holds.
         * @param expires keys with an expiry it holds.
         */
        default void resizeDb(final long keys, final long expires) throws IOException
        {
        }

        /**
         * A function library (RDB_OPCODE_FUNCTION2): its code.
         */
        void function(DirectBuffer code, int index, int length, long offset) throws IOException;

        /**
         * A key and its value.
         *
         * @param expireAtMs  absolute expiry in Unix milliseconds, or 0 for none.
         * @param idleSeconds LRU idle time from an IDLE opcode, or -1.
         * @param frequency   LFU counter from a FREQ opcode, or -1.
         * @param payload     the value as a DUMP payload (valid until the next record).
         * @param offset      of the key's record (its expiry or type byte).
         */
        void entry(long expireAtMs, long idleSeconds, int frequency, DirectBuffer key, int keyIndex, int keyLength,
            DirectBuffer payload, int payloadIndex, int payloadLength, long offset) throws IOException;
    }

    private static final int INITIAL_WINDOW = 1 << 20;

    /** Thrown (preallocated, no stack) when a record runs past the window; the window is refilled and it retried. */
    private static final class NeedMore extends RuntimeException
    {
        NeedMore()
        {
            super(null, null, false, false);
        }
    }

    private static final NeedMore NEED_MORE = new NeedMore();

    private final RdbStringDecoder decoder = new RdbStringDecoder();
    private final ExpandableArrayBuffer key = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(4096);
    private final UnsafeBuffer window = new UnsafeBuffer(new byte[INITIAL_WINDOW]);
    private ReadableByteChannel channel;
    private long fileSize;
    private long base;
    private int limit;
    private boolean endOfChannel;
    private long neededEnd;
    private long lengthValue;
    private int version;
    private long crc;
    private long endOffset;

    /**
     * Read a whole file.
     *
     * @param channel  positioned at the file's start.
     * @param fileSize the file's length in bytes.
     * @param handler  to hand records to.
     * @return the file's RDB version.
     * @throws RdbFormatException when the file is refused.
     * @throws IOException        when reading fails.
     */
    public int read(final ReadableByteChannel channel, final long fileSize, final Handler handler)
        throws IOException
    {
        this.channel = channel;
        this.fileSize = fileSize;
        base = 0;
        limit = 0;
        endOfChannel = false;
        crc = 0;
        int p = 0;
        fill(HEADER_LENGTH, 0);
        for (int i = 0; i < MAGIC.length; i++)
        {
            if (window.getByte(i) != MAGIC[i])
            {
                throw new RdbFormatException(0, "not an RDB file: it does not start with REDIS");
            }
        }
        version = 0;
        for (int i = MAGIC.length; i < HEADER_LENGTH; i++)
        {
            final int digit = window.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                throw new RdbFormatException(i, "not an RDB file: the version is not four digits");
            }
            version = version * 10 + digit;
        }
        if (version < MIN_VERSION || version > VERSION)
        {
            throw new RdbFormatException(MAGIC.length, "can't handle RDB format version " + version +
                " (this build reads versions " + MIN_VERSION + " to " + VERSION + ", what Redis 7.0 writes)");
        }
        crc = Crc64.update(crc, window, 0, HEADER_LENGTH);
        p = HEADER_LENGTH;
        long expireAtMs = 0;
        long idleSeconds = -1;
        int frequency = -1;
        long recordOffset = -1;
        while (true)
        {
            final int start = p;
            final int type;
            try
            {
                require(p, 1);
                type = window.getByte(p) & 0xff;
                if (recordOffset < 0)
                {
                    recordOffset = base + p;
                }
                switch (type)
                {
                    case OPCODE_EOF:
                    {
                        final int end = version >= CHECKSUM_VERSION ? p + 1 + Long.BYTES : p + 1;
                        require(p, end - p);
                        crc = Crc64.update(crc, window, p, 1);
                        if (version >= CHECKSUM_VERSION)
                        {
                            final long stored = window.getLong(p + 1, ByteOrder.LITTLE_ENDIAN);
                            if (stored != 0 && stored != crc)
                            {
                                throw new RdbFormatException(base + p + 1, String.format(
                                    "wrong RDB checksum: the file says %016x, its bytes give %016x", stored, crc));
                            }
                        }
                        endOffset = base + end;
                        return version;
                    }
                    case OPCODE_SELECTDB:
                        p = readLength(p + 1);
                        crc = Crc64.update(crc, window, start, p - start);
                        handler.selectDb(lengthValue, base + start);
                        recordOffset = -1;
                        continue;
                    case OPCODE_RESIZEDB:
                    {
                        p = readLength(p + 1);
                        final long keys = lengthValue;
                        p = readLength(p);
                        handler.resizeDb(keys, lengthValue);
                        break;
                    }
                    case OPCODE_AUX:
                    {
                        final int nameEnd = skipString(p + 1);
                        final int valueEnd = skipString(nameEnd);
                        final String name = text(p + 1, nameEnd);
                        final String value = text(nameEnd, valueEnd);
                        p = valueEnd;
                        crc = Crc64.update(crc, window, start, p - start);
                        handler.aux(name, value, base + start);
                        recordOffset = -1;
                        continue;
                    }
                    case OPCODE_FUNCTION2:
                    {
                        final int end = skipString(p + 1);
                        final int codeLength = decode(p + 1, end, payload);
                        p = end;
                        crc = Crc64.update(crc, window, start, p - start);
                        handler.function(payload, 0, codeLength, base + start);
                        recordOffset = -1;
                        continue;
                    }
                    case OPCODE_EXPIRETIME_MS:
                        require(p, 1 + Long.BYTES);
                        expireAtMs = window.getLong(p + 1, ByteOrder.LITTLE_ENDIAN);
                        p += 1 + Long.BYTES;
                        break;
                    case OPCODE_EXPIRETIME:
                        require(p, 1 + Integer.BYTES);
                        expireAtMs = (window.getInt(p + 1, ByteOrder.LITTLE_ENDIAN) & 0xffffffffL) * 1000;
                        p += 1 + Integer.BYTES;
                        break;
                    case OPCODE_IDLE:
                        p = readLength(p + 1);
                        idleSeconds = lengthValue;
                        break;
                    case OPCODE_FREQ:
                        require(p, 2);
                        frequency = window.getByte(p + 1) & 0xff;
                        p += 2;
                        break;
                    case OPCODE_FUNCTION_PRE_GA:
                        throw new RdbFormatException(base + p, "function libraries in Redis 7.0 release " +
                            "candidates' format (opcode 0xF6) cannot be loaded");
                    case OPCODE_MODULE_AUX:
                        throw new RdbFormatException(base + p, "module data (opcode 0xF7) cannot be loaded: " +
                            "ringkv has no modules");
                    default:
                    {
                        final int keyEnd = skipString(p + 1);
                        final int valueEnd = skipValue(type, keyEnd, base + p);
                        final int keyLength = decode(p + 1, keyEnd, key);
                        final int payloadLength = payload(type, keyEnd, valueEnd);
                        p = valueEnd;
                        crc = Crc64.update(crc, window, start, p - start);
                        handler.entry(expireAtMs, idleSeconds, frequency, key, 0, keyLength, payload, 0,
                            payloadLength, recordOffset);
                        expireAtMs = 0;
                        idleSeconds = -1;
                        frequency = -1;
                        recordOffset = -1;
                        continue;
                    }
                }
                crc = Crc64.update(crc, window, start, p - start);
            }
            catch (final NeedMore ex)
            {
                final long needed = neededEnd;
                p = fill(needed, start);
            }
        }
    }

    /**
     * @return the offset just past the last file's EOF record (and checksum): where what follows an RDB preamble
     * in an append-only file begins.
     */
    public long endOffset()
    {
        return endOffset;
    }

    /**
     * @return the version of the file last read.
     */
    public int version()
    {
        return version;
    }

    private int payload(final int type, final int bodyStart, final int bodyEnd)
    {
        final int bodyLength = bodyEnd - bodyStart;
        final ExpandableArrayBuffer payload = this.payload;
        payload.checkLimit(DumpPayloadDescriptor.FRAMING_LENGTH + bodyLength);
        payload.putByte(DumpPayloadDescriptor.TYPE_OFFSET, (byte)type);
        payload.putBytes(DumpPayloadDescriptor.BODY_OFFSET, window, bodyStart, bodyLength);
        final int versionIndex = DumpPayloadDescriptor.BODY_OFFSET + bodyLength;
        payload.putShort(versionIndex, (short)version, ByteOrder.LITTLE_ENDIAN);
        final int crcIndex = versionIndex + DumpPayloadDescriptor.VERSION_LENGTH;
        payload.putLong(crcIndex, Crc64.compute(payload, 0, crcIndex), ByteOrder.LITTLE_ENDIAN);
        return crcIndex + DumpPayloadDescriptor.CRC_LENGTH;
    }

    private int skipValue(final int type, final int p, final long recordOffset) throws RdbFormatException
    {
        switch (type)
        {
            case DumpPayloadDescriptor.TYPE_STRING:
            case DumpPayloadDescriptor.TYPE_JSON:
            case DumpPayloadDescriptor.TYPE_SET_INTSET:
            case DumpPayloadDescriptor.TYPE_HASH_LISTPACK:
            case DumpPayloadDescriptor.TYPE_ZSET_LISTPACK:
                return skipString(p);
            case DumpPayloadDescriptor.TYPE_SET:
            case DumpPayloadDescriptor.TYPE_HASH:
            {
                int q = readLength(p);
                final long strings = type == DumpPayloadDescriptor.TYPE_HASH ? 2 * lengthValue : lengthValue;
                for (long i = 0; i < strings; i++)
                {
                    q = skipString(q);
                }
                return q;
            }
            case DumpPayloadDescriptor.TYPE_ZSET_2:
            {
                int q = readLength(p);
                for (long i = 0, n = lengthValue; i < n; i++)
                {
                    q = skipString(q);
                    require(q, Double.BYTES);
                    q += Double.BYTES;
                }
                return q;
            }
            case DumpPayloadDescriptor.TYPE_LIST_QUICKLIST_2:
            {
                int q = readLength(p);
                for (long i = 0, n = lengthValue; i < n; i++)
                {
                    q = skipString(readLength(q));
                }
                return q;
            }
            default:
                throw new RdbFormatException(recordOffset, "value type " + type + " cannot be loaded: ringkv " +
                    "reads the types Redis 7.0 writes for strings, lists, sets, sorted sets and hashes");
        }
    }

    /**
     * @return the index after the RDB string at {@code p}.
     */
    private int skipString(final int p) throws RdbFormatException
    {
        require(p, 1);
        final int first = window.getByte(p) & 0xff;
        if ((first >>> 6) == RdbStringDescriptor.ENCODED_VALUE)
        {
            switch (first & 0x3f)
            {
                case RdbStringDescriptor.ENCODING_INT8:
                    return advance(p, 2);
                case RdbStringDescriptor.ENCODING_INT16:
                    return advance(p, 3);
                case RdbStringDescriptor.ENCODING_INT32:
                    return advance(p, 5);
                case RdbStringDescriptor.ENCODING_LZF:
                {
                    final int q = readLength(p + 1);
                    final long compressedLength = lengthValue;
                    return advance(readLength(q), compressedLength);
                }
                default:
                    throw new RdbFormatException(base + p, "unknown string encoding " + (first & 0x3f));
            }
        }
        final int q = readLength(p);
        return advance(q, lengthValue);
    }

    /**
     * Parse an RDB length at {@code p} into {@link #lengthValue}, with the decoder DUMP payloads use.
     *
     * @return the index after it.
     */
    private int readLength(final int p) throws RdbFormatException
    {
        final int consumed = decoder.wrapLength(window, p, limit);
        if (consumed < 0)
        {
            // Cut by the window's end (have the record retried with more), or bad where it stands.
            final long available =
                Math.max(1, Math.min(RdbStringDescriptor.MAX_LENGTH_ENCODING_LENGTH, fileSize - base - p));
            if (limit - p < available)
            {
                require(p, available);
            }
            throw new RdbFormatException(base + p, "bad length encoding");
        }
        lengthValue = decoder.lengthValue();
        if (lengthValue < 0)
        {
            throw new RdbFormatException(base + p, "negative length");
        }
        return p + consumed;
    }

    private int advance(final int p, final long length)
    {
        require(p, length);
        return (int)(p + length);
    }

    /**
     * Make sure {@code length} bytes from window index {@code p} are in the window, else have the record retried
     * once they are.
     */
    private void require(final int p, final long length)
    {
        if (p + length > limit)
        {
            neededEnd = p + length;
            throw NEED_MORE;
        }
    }

    /**
     * Bring window bytes up to index {@code neededEnd} in, keeping the record that starts at {@code recordStart}.
     *
     * @return the record's index in the window after compaction.
     */
    private int fill(final long neededEnd, final int recordStart) throws IOException
    {
        if (base + neededEnd > fileSize || (endOfChannel && neededEnd > limit))
        {
            throw new RdbFormatException(base + recordStart, "the RDB file ends early: the record here needs " +
                (neededEnd - recordStart) + " bytes, the file has " + (fileSize - base - recordStart) +
                " left (a truncated file)");
        }
        // Keep the record, drop what is before it, grow for a record larger than the window.
        final int kept = limit - recordStart;
        final long needed = neededEnd - recordStart;
        byte[] bytes = window.byteArray();
        if (needed > bytes.length)
        {
            final byte[] larger = new byte[(int)Math.min(Integer.MAX_VALUE - 16, Math.max(needed, 2L * bytes.length))];
            System.arraycopy(bytes, recordStart, larger, 0, kept);
            window.wrap(larger);
            bytes = larger;
        }
        else if (recordStart > 0)
        {
            System.arraycopy(bytes, recordStart, bytes, 0, kept);
        }
        base += recordStart;
        limit = kept;
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        while (limit < needed)
        {
            in.limit(bytes.length).position(limit);
            final int read = channel.read(in);
            if (read < 0)
            {
                endOfChannel = true;
                throw new RdbFormatException(base, "the RDB file ends early: the record here needs " + needed +
                    " bytes, the file has " + limit + " left (a truncated file)");
            }
            limit += read;
        }
        return 0;
    }

    private int decode(final int p, final int end, final ExpandableArrayBuffer dst) throws RdbFormatException
    {
        if (decoder.wrap(window, p, end) != end - p)
        {
            throw new RdbFormatException(base + p, "bad string encoding");
        }
        final int length = decoder.valueLength();
        decoder.decodeTo(dst, 0);
        return length;
    }

    private String text(final int p, final int end) throws RdbFormatException
    {
        final int length = decode(p, end, payload);
        return payload.getStringWithoutLengthUtf8(0, length);
    }
}
