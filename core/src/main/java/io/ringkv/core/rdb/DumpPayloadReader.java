package io.ringkv.core.rdb;

import static io.ringkv.core.rdb.DumpPayloadDescriptor.BODY_OFFSET;
import static io.ringkv.core.rdb.DumpPayloadDescriptor.MIN_PAYLOAD_LENGTH;
import static io.ringkv.core.rdb.DumpPayloadDescriptor.RDB_VERSION;
import static io.ringkv.core.rdb.DumpPayloadDescriptor.TYPE_OFFSET;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Verifies and decodes a DUMP payload ({@link DumpPayloadDescriptor}) as RESTORE needs it: footer first (length,
 * version, CRC-64, exactly Redis 7.0's {@code verifyDumpPayload}), then the type and the RDB string body.
 * <p>
 * Bad input is an expected outcome, answered with a negative code, never an exception:
 * {@link #VERSION_OR_CHECKSUM_WRONG} and {@link #BAD_DATA_FORMAT}, which RESTORE turns into
 * {@link #VERSION_OR_CHECKSUM_WRONG_MESSAGE} and {@link #BAD_DATA_FORMAT_MESSAGE}. {@link #wrap} validates the
 * whole payload without writing anything and without sizing anything from a declared length; only then does
 * the caller reserve exactly {@link #valueLength()} bytes (e.g. in the store) and {@link #decodeTo} them, so a
 * failed RESTORE changes nothing. Stricter than Redis in one way: the value must fill the body exactly (Redis
 * ignores bytes after the object and would read a short body on into the footer; its own DUMP never produces
 * either).
 * <p>
 * Not threadsafe: one instance per thread (the engine thread for RESTORE), reused for every payload.
 * <pre>
 *   final int length = reader.wrap(payload, index, payloadLength);
 *   if (length &lt; 0) { reply.error(DumpPayloadReader.errorMessage(length)); return; }
 *   ... reserve length bytes for reader.type() ...
 *   reader.decodeTo(valueBuffer, valueIndex);
 * </pre>
 */
public final class DumpPayloadReader
{
    /**
     * Payload too short, version newer than ours, or CRC-64 mismatch.
     */
    public static final int VERSION_OR_CHECKSUM_WRONG = -1;

    /**
     * Footer fine, but the body is not a value ringkv can load.
     */
    public static final int BAD_DATA_FORMAT = -2;

    /**
     * Redis 7's error text for {@link #VERSION_OR_CHECKSUM_WRONG}.
     */
    public static final String VERSION_OR_CHECKSUM_WRONG_MESSAGE = "ERR DUMP payload version or checksum are wrong";

    /**
     * Redis 7's error text for {@link #BAD_DATA_FORMAT}.
     */
    public static final String BAD_DATA_FORMAT_MESSAGE = "ERR Bad data format";

    private final RdbStringDecoder decoder = new RdbStringDecoder();
    private int type = -1;
    private int rdbVersion;

    /**
     * Check length, version and CRC-64 of a payload, as Redis's {@code verifyDumpPayload}.
     *
     * @param payload holding the payload.
     * @param index   of its first byte.
     * @param length  of the payload.
     * @return 0 when the footer is good, else {@link #VERSION_OR_CHECKSUM_WRONG}.
     */
    public static int verifyFooter(final DirectBuffer payload, final int index, final int length)
    {
        if (length < MIN_PAYLOAD_LENGTH)
        {
            return VERSION_OR_CHECKSUM_WRONG;
        }
        final int version = payload.getShort(
            DumpPayloadDescriptor.versionIndex(index, length), ByteOrder.LITTLE_ENDIAN) & 0xffff;
        if (version > RDB_VERSION)
        {
            return VERSION_OR_CHECKSUM_WRONG;
        }
        return verifyChecksum(payload, index, length);
    }

    /**
     * Check only the CRC-64 of a payload at least {@link DumpPayloadDescriptor#MIN_PAYLOAD_LENGTH} long (FUNCTION
     * RESTORE judges the version by its own rule).
     *
     * @param payload holding the payload.
     * @param index   of its first byte.
     * @param length  of the payload.
     * @return 0 when the CRC-64 matches, else {@link #VERSION_OR_CHECKSUM_WRONG}.
     */
    public static int verifyChecksum(final DirectBuffer payload, final int index, final int length)
    {
        final int crcIndex = DumpPayloadDescriptor.crcIndex(index, length);
        final long expected = payload.getLong(crcIndex, ByteOrder.LITTLE_ENDIAN);
        return Crc64.compute(payload, index, crcIndex - index) == expected ? 0 : VERSION_OR_CHECKSUM_WRONG;
    }

    /**
     * The RESTORE error text for a code returned by {@link #wrap} or {@link #read}.
     *
     * @param code {@link #VERSION_OR_CHECKSUM_WRONG} or {@link #BAD_DATA_FORMAT}.
     * @return the error text, starting with its error code.
     */
    public static String errorMessage(final int code)
    {
        return code == VERSION_OR_CHECKSUM_WRONG ? VERSION_OR_CHECKSUM_WRONG_MESSAGE : BAD_DATA_FORMAT_MESSAGE;
    }

    /**
     * Verify and parse a whole payload without writing anything. On success {@link #type()},
     * {@link #valueLength()} and friends describe the value until the next call; on failure the reader is left
     * unwrapped.
     *
     * @param payload holding the payload.
     * @param index   of its first byte.
     * @param length  of the payload.
     * @return the value's decoded length (0 or more), {@link #VERSION_OR_CHECKSUM_WRONG} or
     * {@link #BAD_DATA_FORMAT}.
     */
    public int wrap(final DirectBuffer payload, final int index, final int length)
    {
        type = -1;
        if (verifyFooter(payload, index, length) != 0)
        {
            return VERSION_OR_CHECKSUM_WRONG;
        }
        final int bodyEnd = DumpPayloadDescriptor.footerIndex(index, length);
        if (bodyEnd - index < BODY_OFFSET)
        {
            return BAD_DATA_FORMAT;
        }
        final int valueType = payload.getByte(index + TYPE_OFFSET) & 0xff;
        if (!DumpPayloadDescriptor.isKnownType(valueType))
        {
            return BAD_DATA_FORMAT;
        }
        final int bodyIndex = index + BODY_OFFSET;
        final int consumed = decoder.wrap(payload, bodyIndex, bodyEnd);
        if (consumed != bodyEnd - bodyIndex)
        {
            return BAD_DATA_FORMAT;
        }
        rdbVersion = payload.getShort(DumpPayloadDescriptor.versionIndex(index, length), ByteOrder.LITTLE_ENDIAN);
        type = valueType;
        return decoder.valueLength();
    }

    /**
     * {@link #wrap} then {@link #decodeTo}: verify, then write the value at {@code dst[dstIndex]} (an expandable
     * buffer grows to fit). Nothing is written when the payload is rejected.
     *
     * @param payload  holding the payload.
     * @param index    of its first byte.
     * @param length   of the payload.
     * @param dst      to write the value to.
     * @param dstIndex of the value's first byte.
     * @return the value's length, {@link #VERSION_OR_CHECKSUM_WRONG} or {@link #BAD_DATA_FORMAT}.
     */
    public int read(
        final DirectBuffer payload, final int index, final int length, final MutableDirectBuffer dst,
        final int dstIndex)
    {
        final int valueLength = wrap(payload, index, length);
        if (valueLength >= 0)
        {
            decodeTo(dst, dstIndex);
        }
        return valueLength;
    }

    /**
     * Write the wrapped value's {@link #valueLength()} bytes: the string, or the JSON text.
     *
     * @param dst      to write to; needs the room (an expandable buffer grows).
     * @param dstIndex of the first byte.
     */
    public void decodeTo(final MutableDirectBuffer dst, final int dstIndex)
    {
        checkWrapped();
        decoder.decodeTo(dst, dstIndex);
    }

    /**
     * @return {@link DumpPayloadDescriptor#TYPE_STRING} or {@link DumpPayloadDescriptor#TYPE_JSON}.
     */
    public int type()
    {
        checkWrapped();
        return type;
    }

    /**
     * @return RDB version in the wrapped payload's footer, at most {@link DumpPayloadDescriptor#RDB_VERSION}.
     */
    public int rdbVersion()
    {
        checkWrapped();
        return rdbVersion;
    }

    /**
     * @return decoded length of the wrapped value.
     */
    public int valueLength()
    {
        checkWrapped();
        return decoder.valueLength();
    }

    /**
     * @return true when the wrapped string is INT-encoded, so the store may keep it as {@link #integerValue()}.
     */
    public boolean isInteger()
    {
        checkWrapped();
        return decoder.form() == RdbStringDecoder.INTEGER;
    }

    /**
     * @return the integer when {@link #isInteger()}.
     */
    public long integerValue()
    {
        checkWrapped();
        return decoder.integerValue();
    }

    private void checkWrapped()
    {
        if (type < 0)
        {
            throw new IllegalStateException("no payload wrapped");
        }
    }
}
