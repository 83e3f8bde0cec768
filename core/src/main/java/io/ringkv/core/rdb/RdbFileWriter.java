package io.ringkv.core.rdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes an RDB file ({@link RdbFileDescriptor}) to a channel, record by record: header, aux fields, databases,
 * keys with their values, EOF and CRC-64. Values are written with the same primitives as DUMP payloads
 * ({@link RdbStringEncoder} for every string, {@link RdbStringDescriptor#putLength} for counts), so a key's
 * record here is byte for byte a DUMP payload's type and body.
 * <p>
 * Buffers about {@link #FLUSH_THRESHOLD} bytes before each write and checksums what it writes as it goes.
 * Not threadsafe: one instance per file being written.
 * <pre>
 *   writer.start(channel); writer.aux("redis-ver", "7.0.15"); writer.selectDb(0); writer.resizeDb(n, e);
 *   writer.key(expireAtMs, DumpPayloadDescriptor.TYPE_STRING, key, 0, keyLength); writer.string(value, 0, length);
 *   final long bytes = writer.finish();
 * </pre>
 */
public final class RdbFileWriter
{
    /** Bytes buffered before a write to the channel. */
    public static final int FLUSH_THRESHOLD = 1 << 20;

    private final RdbStringEncoder encoder;
    private final boolean checksum;
    private ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(FLUSH_THRESHOLD + 4096);
    private final UnsafeBuffer text = new UnsafeBuffer(new byte[0]);
    private WritableByteChannel channel;
    private int position;
    private long crc;
    private long written;

    /**
     * @param compression LZF-compress strings as Redis does ({@code rdbcompression}).
     * @param checksum    end the file with its CRC-64, else with 0 ({@code rdbchecksum}).
     */
    public RdbFileWriter(final boolean compression, final boolean checksum)
    {
        this.encoder = new RdbStringEncoder(compression);
        this.checksum = checksum;
    }

    /**
     * Begin a file: the magic and version.
     *
     * @param channel to write to; the caller opens, syncs and closes it.
     */
    public void start(final WritableByteChannel channel) throws IOException
    {
        this.channel = channel;
        position = 0;
        crc = 0;
        written = 0;
        buffer.putBytes(0, RdbFileDescriptor.MAGIC);
        buffer.putStringWithoutLengthAscii(
            RdbFileDescriptor.MAGIC.length, String.format("%04d", RdbFileDescriptor.VERSION));
        position = RdbFileDescriptor.HEADER_LENGTH;
    }

    /**
     * An aux field with a text value.
     */
    public void aux(final String name, final String value) throws IOException
    {
        opcode(RdbFileDescriptor.OPCODE_AUX);
        text(name);
        text(value);
        maybeFlush();
    }

    /**
     * An aux field with an integer value (written INT-encoded when it fits, as Redis's rdbSaveAuxFieldStrInt).
     */
    public void aux(final String name, final long value) throws IOException
    {
        opcode(RdbFileDescriptor.OPCODE_AUX);
        text(name);
        longString(value);
        maybeFlush();
    }

    /**
     * A function library (RDB_OPCODE_FUNCTION2): its code, as FUNCTION DUMP and Redis's file carry it.
     */
    public void function(final DirectBuffer code, final int index, final int length) throws IOException
    {
        opcode(RdbFileDescriptor.OPCODE_FUNCTION2);
        string(code, index, length);
        maybeFlush();
    }

    /**
     * Switch to database {@code db}.
     */
    public void selectDb(final int db)
    {
        opcode(RdbFileDescriptor.OPCODE_SELECTDB);
        length(db);
    }

    /**
     * The sizing hint Redis writes after SELECTDB: keys and keys with an expiry.
     */
    public void resizeDb(final long keys, final long expires)
    {
        opcode(RdbFileDescriptor.OPCODE_RESIZEDB);
        length(keys);
        length(expires);
    }

    /**
     * Begin a key's record: its expiry (when it has one), its value's RDB type, its name. Follow with the value's
     * body ({@link #string}, {@link #length}, {@link #binaryDouble}...).
     *
     * @param expireAtMs absolute expiry in Unix milliseconds, or 0 for none.
     * @param rdbType    the value's type byte (a {@link DumpPayloadDescriptor} TYPE_).
     */
    public void key(final long expireAtMs, final int rdbType, final DirectBuffer key, final int index,
        final int length) throws IOException
    {
        maybeFlush();
        if (expireAtMs != 0)
        {
            opcode(RdbFileDescriptor.OPCODE_EXPIRETIME_MS);
            buffer.putLong(position, expireAtMs, ByteOrder.LITTLE_ENDIAN);
            position += Long.BYTES;
        }
        opcode(rdbType);
        string(key, index, length);
    }

    /**
     * A string in RDB string encoding (INT-encoded or LZF-compressed when Redis would).
     */
    public void string(final DirectBuffer value, final int index, final int length)
    {
        position += encoder.encode(value, index, length, buffer, position);
    }

    /**
     * Bytes as they are: a piece of a long string's body whose {@link #length} was written first. Writes out what
     * is buffered first, so a long string passes through in pieces.
     */
    public void raw(final DirectBuffer bytes, final int index, final int length) throws IOException
    {
        maybeFlush();
        buffer.putBytes(position, bytes, index, length);
        position += length;
        maybeFlush();
    }

    /**
     * A string held as an integer, the bytes of {@link #string} of its decimal text.
     */
    public void longString(final long value)
    {
        position += encoder.encodeLong(value, buffer, position);
    }

    /**
     * An RDB length (a count).
     */
    public void length(final long value)
    {
        buffer.checkLimit(position + RdbStringDescriptor.MAX_LENGTH_ENCODING_LENGTH);
        position += RdbStringDescriptor.putLength(buffer, position, value);
    }

    /**
     * A score as RDB_TYPE_ZSET_2 stores it: 8 bytes, little-endian IEEE 754.
     */
    public void binaryDouble(final double value)
    {
        buffer.putDouble(position, value, ByteOrder.LITTLE_ENDIAN);
        position += Double.BYTES;
    }

    /**
     * Write what is buffered once past {@link #FLUSH_THRESHOLD}; call between elements of a large value.
     */
    public void maybeFlush() throws IOException
    {
        if (position >= FLUSH_THRESHOLD)
        {
            flush();
        }
    }

    /**
     * End the file: EOF and the CRC-64 (or 0), everything written to the channel.
     *
     * @return the file's length in bytes.
     */
    public long finish() throws IOException
    {
        opcode(RdbFileDescriptor.OPCODE_EOF);
        crc = Crc64.update(crc, buffer, 0, position);
        buffer.putLong(position, checksum ? crc : 0, ByteOrder.LITTLE_ENDIAN);
        position += Long.BYTES;
        writeOut(position);
        position = 0;
        return written;
    }

    /**
     * @return bytes written to the channel so far.
     */
    public long written()
    {
        return written;
    }

    private void opcode(final int opcode)
    {
        buffer.putByte(position++, (byte)opcode);
    }

    private void text(final String value)
    {
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        text.wrap(bytes);
        string(text, 0, bytes.length);
    }

    private void flush() throws IOException
    {
        crc = Crc64.update(crc, buffer, 0, position);
        writeOut(position);
        position = 0;
    }

    private void writeOut(final int length) throws IOException
    {
        final ByteBuffer out = buffer.byteBuffer().duplicate().clear().limit(length);
        while (out.hasRemaining())
        {
            channel.write(out);
        }
        written += length;
        if (buffer.capacity() > 4 * FLUSH_THRESHOLD)
        {
            // A huge value grew the buffer: do not keep that memory for the rest of the file.
            buffer = new ExpandableDirectByteBuffer(FLUSH_THRESHOLD + 4096);
        }
    }
}
