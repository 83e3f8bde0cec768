package io.ringkv.core.rdb;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RdbFileWriter and RdbFileReader: records round-trip, values reach the handler as valid DUMP payloads, and
 * every hostile file (cut at each offset, each bit flipped, an unknown version, opcode or type, a wrong checksum)
 * is refused with an {@link RdbFormatException} naming an offset, never another exception.
 */
class RdbFileReaderTest
{
    @Test
    void recordsRoundTripAsDumpPayloads() throws IOException
    {
        final byte[] file = smallFile(true);
        final List<String> events = read(file);
        assertEquals(List.of(
            "aux redis-ver=7.0.15", "aux redis-bits=64", "function #!lua name=lib\nredis.register_function('f', " +
                "function() return 1 end)", "select 0",
            "entry key=greeting expire=0 payload=" + hex(dump("hello")),
            "entry key=n expire=1700000000000 payload=" + hex(dumpLong(42)),
            "select 3",
            "entry key=big expire=0 payload=" + hex(dump("x".repeat(3_000_000)))), events);
    }

    @Test
    void aFileWithoutChecksumIsRead() throws IOException
    {
        final byte[] file = smallFile(false);
        assertEquals(0, new UnsafeBuffer(file).getLong(file.length - 8, ByteOrder.LITTLE_ENDIAN));
        assertEquals(8, read(file).size());
    }

    @Test
    void everyTruncationIsRefusedWithItsOffset() throws IOException
    {
        final byte[] file = tinyFile();
        for (int length = 0; length < file.length; length++)
        {
            final byte[] cut = Arrays.copyOf(file, length);
            final RdbFormatException ex = assertThrows(RdbFormatException.class, () -> read(cut), "length " + length);
            assertTrue(ex.getMessage().contains("at offset"), ex.getMessage());
            assertTrue(ex.offset() >= 0 && ex.offset() <= length, ex.getMessage());
            assertTrue(ex.getMessage().contains("ends early") || length < RdbFileDescriptor.HEADER_LENGTH,
                ex.getMessage());
        }
    }

    @Test
    void everyBitFlipIsRefused() throws IOException
    {
        final byte[] file = tinyFile();
        for (int i = 0; i < file.length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                final byte[] flipped = file.clone();
                flipped[i] ^= (byte)(1 << bit);
                if (i >= file.length - 8 && isZero(flipped, file.length - 8))
                {
                    continue; // cannot happen with one flip of a non-zero checksum, but stay honest
                }
                final int at = i;
                final int b = bit;
                final RdbFormatException ex = assertThrows(RdbFormatException.class, () -> read(flipped),
                    "byte " + at + " bit " + b);
                assertTrue(ex.getMessage().contains("at offset"), ex.getMessage());
            }
        }
    }

    @Test
    void unknownVersionOpcodeAndTypeAreRefused() throws IOException
    {
        final byte[] file = tinyFile();
        final byte[] newer = file.clone();
        newer[8] = '1';
        System.arraycopy("0011".getBytes(StandardCharsets.US_ASCII), 0, newer, 5, 4);
        assertTrue(assertThrows(RdbFormatException.class, () -> read(newer)).getMessage()
            .contains("can't handle RDB format version 11"));

        final byte[] notRdb = file.clone();
        notRdb[0] = 'X';
        assertTrue(assertThrows(RdbFormatException.class, () -> read(notRdb)).getMessage().contains("not an RDB"));

        for (final int type : new int[]{1, 3, 6, 7, 8, 9, 10, 12, 13, 14, 15, 19, 20, 0x7f, 0xF6, 0xF7})
        {
            final byte[] odd = withRecord(new byte[]{(byte)type, 1, 'k', 1, 'v'});
            final RdbFormatException ex = assertThrows(RdbFormatException.class, () -> read(odd), "type " + type);
            assertEquals(RdbFileDescriptor.HEADER_LENGTH, ex.offset(), ex.getMessage());
        }
    }

    @Test
    void aWrongChecksumIsRefusedNamingBothValues() throws IOException
    {
        final byte[] file = tinyFile();
        file[file.length - 1] ^= 0x10;
        final RdbFormatException ex = assertThrows(RdbFormatException.class, () -> read(file));
        assertTrue(ex.getMessage().contains("wrong RDB checksum"), ex.getMessage());
        assertEquals(file.length - 8, ex.offset());
    }

    @Test
    void aHugeDeclaredLengthIsFoundTooLongWithoutAllocatingIt() throws IOException
    {
        // A string claiming 2^62 bytes: refused as running past the end, not an OutOfMemoryError.
        final byte[] file = withRecord(new byte[]{0, 1, 'k', (byte)0x81, 0x40, 0, 0, 0, 0, 0, 0, 0});
        assertTrue(assertThrows(RdbFormatException.class, () -> read(file)).getMessage().contains("ends early"));
    }

    private static byte[] withRecord(final byte[] record) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("REDIS0010".getBytes(StandardCharsets.US_ASCII));
        out.write(record);
        out.write(0xFF);
        final byte[] body = out.toByteArray();
        final long crc = Crc64.compute(new UnsafeBuffer(body), 0, body.length);
        final byte[] file = Arrays.copyOf(body, body.length + 8);
        new UnsafeBuffer(file).putLong(body.length, crc, ByteOrder.LITTLE_ENDIAN);
        return file;
    }

    private static boolean isZero(final byte[] bytes, final int from)
    {
        for (int i = from; i < bytes.length; i++)
        {
            if (bytes[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    static byte[] tinyFile() throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final RdbFileWriter writer = new RdbFileWriter(true, true);
        writer.start(Channels.newChannel(out));
        writer.aux("redis-bits", 64);
        writer.selectDb(0);
        writer.resizeDb(2, 1);
        writer.key(1_700_000_000_000L, DumpPayloadDescriptor.TYPE_STRING, text("k1"), 0, 2);
        writer.string(text("value one"), 0, 9);
        writer.key(0, DumpPayloadDescriptor.TYPE_SET, text("s"), 0, 1);
        writer.length(2);
        writer.string(text("a"), 0, 1);
        writer.longString(7);
        writer.finish();
        return out.toByteArray();
    }

    private static byte[] smallFile(final boolean checksum) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final RdbFileWriter writer = new RdbFileWriter(false, checksum);
        writer.start(Channels.newChannel(out));
        writer.aux("redis-ver", "7.0.15");
        writer.aux("redis-bits", 64);
        final String library = "#!lua name=lib\nredis.register_function('f', function() return 1 end)";
        writer.function(text(library), 0, library.length());
        writer.selectDb(0);
        writer.resizeDb(2, 1);
        writer.key(0, DumpPayloadDescriptor.TYPE_STRING, text("greeting"), 0, 8);
        writer.string(text("hello"), 0, 5);
        writer.key(1_700_000_000_000L, DumpPayloadDescriptor.TYPE_STRING, text("n"), 0, 1);
        writer.longString(42);
        writer.selectDb(3);
        final String big = "x".repeat(3_000_000);
        writer.key(0, DumpPayloadDescriptor.TYPE_STRING, text("big"), 0, 3);
        writer.string(text(big), 0, big.length());
        final long length = writer.finish();
        assertEquals(out.size(), length);
        return out.toByteArray();
    }

    private static byte[] dump(final String value)
    {
        final org.agrona.ExpandableArrayBuffer buffer = new org.agrona.ExpandableArrayBuffer();
        final int length = new DumpPayloadWriter(new RdbStringEncoder(false)).writeString(text(value), 0,
            value.length(), buffer, 0);
        return Arrays.copyOf(buffer.byteArray(), length);
    }

    private static byte[] dumpLong(final long value)
    {
        final org.agrona.ExpandableArrayBuffer buffer = new org.agrona.ExpandableArrayBuffer();
        final int length = new DumpPayloadWriter().writeLong(value, buffer, 0);
        return Arrays.copyOf(buffer.byteArray(), length);
    }

    private static UnsafeBuffer text(final String value)
    {
        return new UnsafeBuffer(value.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(final byte[] bytes)
    {
        return bytes.length > 64 ? bytes.length + " bytes, crc " + Long.toHexString(
            Crc64.compute(new UnsafeBuffer(bytes), 0, bytes.length)) : java.util.HexFormat.of().formatHex(bytes);
    }

    static List<String> read(final byte[] file) throws IOException
    {
        final List<String> events = new ArrayList<>();
        // A channel that hands out at most 7 bytes per read: every record crosses reads.
        final java.io.InputStream in = new java.io.ByteArrayInputStream(file);
        final ReadableByteChannel channel = new ReadableByteChannel()
        {
            public int read(final java.nio.ByteBuffer dst) throws IOException
            {
                final byte[] chunk = new byte[Math.min(dst.remaining(), 7)];
                final int read = in.read(chunk);
                if (read > 0)
                {
                    dst.put(chunk, 0, read);
                }
                return read;
            }

            public boolean isOpen()
            {
                return true;
            }

            public void close()
            {
            }
        };
        new RdbFileReader().read(channel, file.length, new RdbFileReader.Handler()
        {
            public void aux(final String name, final String value, final long offset)
            {
                events.add("aux " + name + "=" + value);
            }

            public void selectDb(final long db, final long offset)
            {
                events.add("select " + db);
            }

            public void function(final DirectBuffer code, final int index, final int length, final long offset)
            {
                events.add("function " + code.getStringWithoutLengthUtf8(index, length));
            }

            public void entry(final long expireAtMs, final long idleSeconds, final int frequency,
                final DirectBuffer key, final int keyIndex, final int keyLength, final DirectBuffer payload,
                final int payloadIndex, final int payloadLength, final long offset)
            {
                final byte[] bytes = new byte[payloadLength];
                payload.getBytes(payloadIndex, bytes);
                assertEquals(0, DumpPayloadReader.verifyFooter(payload, payloadIndex, payloadLength));
                events.add("entry key=" + key.getStringWithoutLengthUtf8(keyIndex, keyLength) + " expire=" +
                    expireAtMs + " payload=" + hex(bytes));
            }
        });
        return events;
    }
}
