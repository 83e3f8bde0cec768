package io.ringkv.core.script.function;

import static io.ringkv.core.rdb.DumpPayloadDescriptor.FOOTER_LENGTH;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.DumpPayloadReader;
import io.ringkv.core.rdb.DumpPayloadWriter;
import io.ringkv.core.rdb.RdbStringDecoder;
import io.ringkv.core.rdb.RdbStringDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * FUNCTION DUMP's payload, byte for byte Redis 7.0's (functionDumpCommand): one record per library, then the
 * footer that DUMP payloads of keys end with ({@link DumpPayloadDescriptor}: RDB version 10 and CRC-64).
 * <pre>
 *   +------+-------------------------+------+-------------------------+ ... +---------+--------+
 *   | 0xF5 | library code, RDB string| 0xF5 | library code, RDB string|     | version | CRC-64 |
 *   +------+-------------------------+------+-------------------------+ ... +---------+--------+
 * </pre>
 * A record is how RDB files hold a library too (RDB_OPCODE_FUNCTION2), so {@link #appendRecord} and
 * {@link #readLibrary} serve RDB writers and readers as well.
 * <p>
 * Reading accepts RDB versions up to {@link #MAX_RDB_VERSION}: Redis 7.2 (11), 7.4 and Valkey 8 (12) write function
 * payloads exactly as 7.0 does, so their payloads are understood whenever every record in them is a library. Redis
 * 7.0 itself refuses any version above 10; accepting the newer ones is ringkv's choice (issue 14). Not threadsafe
 * (the writer's encoder); the engine thread uses one.
 */
public final class FunctionPayload
{
    /** Redis's RDB_OPCODE_FUNCTION2: a library as its code. */
    public static final int OPCODE_FUNCTION2 = 0xF5;
    /** Redis's RDB_OPCODE_FUNCTION: the 7.0 release candidates' form, still read by 7.0.15 (see readLibrary). */
    public static final int OPCODE_FUNCTION_PRE_GA = 0xF6;
    /** Newest RDB version whose function payloads are read (Redis 7.4, Valkey 8). */
    public static final int MAX_RDB_VERSION = 12;

    /** Redis's error for a bad footer (length, version or CRC-64). */
    public static final String VERSION_OR_CHECKSUM_WRONG = "DUMP payload version or checksum are wrong";

    /** Length of an empty payload (no library): the footer alone. */
    public static final int MIN_LENGTH = FOOTER_LENGTH;

    private final RdbStringDecoder decoder = new RdbStringDecoder();
    private int position;

    /**
     * Write FUNCTION DUMP's payload of these libraries.
     *
     * @param codes  the libraries' codes, in the order to write them.
     * @param writer encodes the strings and the footer.
     * @param dst    to write to (an expandable buffer grows).
     * @param index  of the payload's first byte.
     * @return the payload's length.
     */
    public static int write(final List<byte[]> codes, final DumpPayloadWriter writer, final MutableDirectBuffer dst,
        final int index)
    {
        int position = index;
        for (final byte[] code : codes)
        {
            position = appendRecord(writer, code, dst, position);
        }
        return writer.finish(dst, index, position);
    }

    /**
     * Write one library record: the opcode and the code as an RDB string (compressed as Redis would).
     *
     * @param writer   encodes the string.
     * @param code     the library's code.
     * @param dst      to write to (an expandable buffer grows).
     * @param position where the record begins.
     * @return the position after it.
     */
    public static int appendRecord(final DumpPayloadWriter writer, final byte[] code, final MutableDirectBuffer dst,
        final int position)
    {
        dst.checkLimit(position + 1);
        dst.putByte(position, (byte)OPCODE_FUNCTION2);
        final UnsafeBuffer view = new UnsafeBuffer(code);
        return writer.appendString(view, 0, code.length, dst, position + 1);
    }

    /**
     * Verify a FUNCTION RESTORE payload and read its libraries' codes, as Redis's functionRestoreCommand does: the
     * footer first (length, version, CRC-64), then records until the footer, each of which must be a library.
     *
     * @param payload holding the payload.
     * @param index   of its first byte.
     * @param length  of the payload.
     * @return the codes, in payload order.
     * @throws FunctionException with Redis's text; nothing was decoded then.
     */
    public List<byte[]> read(final DirectBuffer payload, final int index, final int length)
        throws FunctionException
    {
        if (length < DumpPayloadDescriptor.MIN_PAYLOAD_LENGTH ||
            (payload.getShort(DumpPayloadDescriptor.versionIndex(index, length), ByteOrder.LITTLE_ENDIAN) & 0xffff) >
                MAX_RDB_VERSION ||
            DumpPayloadReader.verifyChecksum(payload, index, length) != 0)
        {
            throw new FunctionException(VERSION_OR_CHECKSUM_WRONG);
        }
        final int end = index + length - FOOTER_LENGTH;
        final List<byte[]> codes = new ArrayList<>();
        position = index;
        while (position < end)
        {
            codes.add(readLibrary(payload, end));
        }
        return codes;
    }

    /**
     * Read one library record at {@link #position()} and move past it (an RDB reader sets the position with
     * {@link #position(int)} after the opcode's byte... or at it: the opcode is read here).
     * <p>
     * A 0xF6 record (Redis 7.0's release candidates: name, engine, an optional description, the code without its
     * "#!" line) is turned into the library Redis 7.0.15 makes of it: {@code #!<engine> name=<name>\n<code>}, the
     * description dropped.
     *
     * @param buffer holding the record.
     * @param limit  index the record must end by.
     * @return the library's code.
     * @throws FunctionException with Redis's text when the record is not a library or is cut short.
     */
    public byte[] readLibrary(final DirectBuffer buffer, final int limit) throws FunctionException
    {
        final int opcode = buffer.getByte(position) & 0xff;
        position++;
        if (opcode == OPCODE_FUNCTION2)
        {
            return readString(buffer, limit, "Failed loading library payload");
        }
        if (opcode != OPCODE_FUNCTION_PRE_GA)
        {
            throw new FunctionException("given type is not a function");
        }
        final byte[] name = readString(buffer, limit, "Failed loading library name");
        final byte[] engine = readString(buffer, limit, "Failed loading engine name");
        final int lengthBytes = decoder.wrapLength(buffer, position, limit);
        if (lengthBytes < 0)
        {
            throw new FunctionException("Failed loading library description");
        }
        position += lengthBytes;
        if (decoder.lengthValue() != 0)
        {
            readString(buffer, limit, "Failed loading library description");
        }
        final byte[] body = readString(buffer, limit, "Failed loading library blob");
        final byte[] header = ("#!" + iso(engine) + " name=" + iso(name) + "\n").getBytes(
            StandardCharsets.ISO_8859_1);
        final byte[] code = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, code, header.length, body.length);
        return code;
    }

    /**
     * @return the index the next {@link #readLibrary} reads from.
     */
    public int position()
    {
        return position;
    }

    /**
     * @param position the index of the next record's opcode.
     */
    public void position(final int position)
    {
        this.position = position;
    }

    private byte[] readString(final DirectBuffer buffer, final int limit, final String error)
        throws FunctionException
    {
        final int consumed = decoder.wrap(buffer, position, limit);
        if (consumed < 0)
        {
            throw new FunctionException(error);
        }
        final byte[] bytes = new byte[decoder.valueLength()];
        decoder.decodeTo(new UnsafeBuffer(bytes), 0);
        position += consumed;
        return bytes;
    }

    private static String iso(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /**
     * @param codeLength a library's code length.
     * @return room its record may need.
     */
    public static int maxRecordLength(final int codeLength)
    {
        return 1 + RdbStringDescriptor.maxEncodedLength(codeLength);
    }
}
