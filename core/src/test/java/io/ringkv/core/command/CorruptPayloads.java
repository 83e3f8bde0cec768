package io.ringkv.core.command;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DUMP payloads for RESTORE tests: from hex, re-checksummed after a change (so the body's parser, not the CRC, has to
 * catch the damage), and the checks every collection payload must pass when cut short or badly checksummed.
 */
final class CorruptPayloads
{
    private CorruptPayloads()
    {
    }

    /**
     * @return the payload, its CRC-64 footer recomputed, as a RESTORE argument.
     */
    static String withCrc(final byte[] payload)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        final int crcIndex = payload.length - 8;
        buffer.putLong(crcIndex, io.ringkv.core.rdb.Crc64.compute(buffer, 0, crcIndex), ByteOrder.LITTLE_ENDIAN);
        return new String(payload, StandardCharsets.ISO_8859_1);
    }

    /**
     * @return the bytes of {@code hex} as a RESTORE argument.
     */
    static String raw(final String hex)
    {
        return new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1);
    }

    /**
     * Every truncation of the body (footer kept, checksum fixed) is {@code ERR Bad data format} and makes no key; a
     * wrong checksum is refused as Redis words it.
     */
    static void assertTruncationsAndBadCrcRefused(final EngineHarness kv, final byte[] payload)
    {
        for (int length = 1; length < payload.length - 10; length++)
        {
            final byte[] truncated = new byte[length + 10];
            System.arraycopy(payload, 0, truncated, 0, length);
            System.arraycopy(payload, payload.length - 10, truncated, length, 10);
            assertEquals("-ERR Bad data format", kv.exec("RESTORE", "x", "0", withCrc(truncated)),
                "truncated to " + length);
            assertEquals(":0", kv.exec("EXISTS", "x"));
        }
        final byte[] badCrc = payload.clone();
        badCrc[badCrc.length - 1] ^= 1;
        assertEquals("-ERR DUMP payload version or checksum are wrong",
            kv.exec("RESTORE", "x", "0", new String(badCrc, StandardCharsets.ISO_8859_1)));
    }
}
