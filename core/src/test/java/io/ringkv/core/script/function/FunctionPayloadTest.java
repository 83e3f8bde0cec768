package io.ringkv.core.script.function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.ringkv.core.command.RedisTranscriptClient;
import io.ringkv.core.rdb.Crc64;
import io.ringkv.core.rdb.DumpPayloadWriter;
import io.ringkv.core.testing.RedisServerProcess;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FUNCTION DUMP's payload against a real redis-server 7.0.15, byte for byte: what ringkv writes for a set of
 * libraries is exactly what Redis's FUNCTION DUMP returns for them (in Redis's order, which is a seeded hash table's),
 * ringkv reads Redis's payloads back to the same codes, Redis RESTOREs ringkv's payloads, and every corruption (each
 * bit flip, each truncation, the seed's printed transcript) is refused with Redis's error.
 */
class FunctionPayloadTest
{
    /** The seed's library (002-valkey-function-dump.txt), with Redis 7.0's name for the API table. */
    static final String SEED_LIBRARY = "#!lua name=mylib \n redis.register_function('myfunc', function(keys, args) " +
        "return args[1] end)";

    /** The seed's payload exactly as its transcript prints it (redis-cli's escapes). */
    static final String SEED_PRINTED = "\\xf5\\xc3@X@]\\x1f#!lua name=mylib \\n server.registe\\rr_function('my@" +
        "\\x0b\\x02', @\\x06`\\x12\\nkeys, args) 6\\x03turn`\\x0c\\a[1] end)\\x0c\\x00\\xba\\x98\\xc2\\xa2\\x13\\x0e$\\a";

    @AutoClose
    private static RedisServerProcess redis;
    @AutoClose
    private static Socket socket;
    private static RedisTranscriptClient client;

    @BeforeAll
    static void start() throws IOException, InterruptedException
    {
        redis = RedisServerProcess.start();
        socket = new Socket(InetAddress.getLoopbackAddress(), redis.port());
        client = new RedisTranscriptClient(socket);
    }

    static List<String> libraries()
    {
        final List<String> libraries = new ArrayList<>();
        libraries.add(SEED_LIBRARY);
        libraries.add("#!lua name=s\nredis.register_function('s1', function() return 1 end)");
        libraries.add("#!lua name=bin\n-- \u00ff\u00fe\u0001 not UTF-8\nredis.register_function('b', function() " +
            "return '\u0080' end)");
        final StringBuilder big = new StringBuilder("#!lua name=big\n");
        for (int i = 0; i < 1500; i++)
        {
            big.append("redis.register_function('big_").append(i).append("', function(keys, args) return ")
                .append(i).append(" end)\n");
        }
        libraries.add(big.toString());
        final StringBuilder random = new StringBuilder("#!lua name=noise\nlocal t = '");
        final java.util.Random rng = new java.util.Random(14);
        for (int i = 0; i < 3000; i++)
        {
            random.append((char)('a' + rng.nextInt(26)));
        }
        libraries.add(random.append("'\nredis.register_function('noise', function() return #t end)").toString());
        return libraries;
    }

    @Test
    void eachLibraryDumpsToRedisBytes() throws IOException
    {
        for (final String library : libraries())
        {
            assertEquals("+OK", client.send("FUNCTION", "FLUSH"));
            client.send("FUNCTION", "LOAD", library);
            final byte[] theirs = bulk(client.send("FUNCTION", "DUMP"));
            final byte[] ours = write(List.of(iso(library)), 10);
            assertArrayEquals(theirs, ours, library.substring(0, 20));
        }
    }

    @Test
    void allLibrariesReadBackAndRewriteToRedisBytes() throws Exception
    {
        assertEquals("+OK", client.send("FUNCTION", "FLUSH"));
        for (final String library : libraries())
        {
            client.send("FUNCTION", "LOAD", library);
        }
        final byte[] theirs = bulk(client.send("FUNCTION", "DUMP"));
        final List<byte[]> codes = new FunctionPayload().read(new UnsafeBuffer(theirs), 0, theirs.length);
        assertArrayEquals(theirs, write(codes, 10), "the same libraries in Redis's order give Redis's bytes");
        final List<String> read = new ArrayList<>();
        for (final byte[] code : codes)
        {
            read.add(new String(code, StandardCharsets.ISO_8859_1));
        }
        read.sort(Comparator.naturalOrder());
        final List<String> loaded = new ArrayList<>(libraries());
        loaded.sort(Comparator.naturalOrder());
        assertEquals(loaded, read);
    }

    @Test
    void redisRestoresOurPayload() throws IOException
    {
        final List<byte[]> codes = new ArrayList<>();
        for (final String library : libraries())
        {
            codes.add(iso(library));
        }
        assertEquals("+OK", client.send("FUNCTION", "FLUSH"));
        assertEquals("+OK", client.send("FUNCTION", "RESTORE", iso(write(codes, 10))));
        final String listed = client.send("FUNCTION", "LIST", "WITHCODE");
        for (final String library : libraries())
        {
            assertTrue(listed.contains("$" + library + "]"), library.substring(0, 20));
        }
        assertEquals("+OK", client.send("FUNCTION", "FLUSH"));
        assertEquals("+OK", client.send("FUNCTION", "RESTORE", iso(write(List.of(), 10))), "an empty payload");
        assertEquals("[]", client.send("FUNCTION", "LIST"));
    }

    @Test
    void everyBitFlipAndTruncationIsRefusedAsRedisRefusesIt() throws IOException
    {
        final byte[] payload = write(List.of(iso(SEED_LIBRARY), iso(libraries().get(1))), 10);
        final FunctionPayload reader = new FunctionPayload();
        final String redisError = client.send("FUNCTION", "RESTORE", iso(flip(payload, 3)));
        assertEquals("-ERR DUMP payload version or checksum are wrong", redisError);
        for (int bit = 0; bit < payload.length * 8; bit++)
        {
            final byte[] corrupt = flip(payload, bit);
            final FunctionException refused = assertThrows(FunctionException.class,
                () -> reader.read(new UnsafeBuffer(corrupt), 0, corrupt.length), "bit " + bit);
            assertEquals(redisError.substring(1), refused.reply(), "bit " + bit);
        }
        for (int length = 0; length < payload.length; length++)
        {
            final int cut = length;
            final FunctionException refused = assertThrows(FunctionException.class,
                () -> reader.read(new UnsafeBuffer(payload), 0, cut), "length " + length);
            assertEquals(redisError.substring(1), refused.reply(), "length " + length);
        }
    }

    @Test
    void theSeedsPrintedPayloadIsCorruptAndRefused() throws IOException
    {
        final byte[] printed = unescape(SEED_PRINTED);
        assertEquals(12, printed[printed.length - 10], "the seed's payload says RDB version 12");
        final FunctionException refused = assertThrows(FunctionException.class,
            () -> new FunctionPayload().read(new UnsafeBuffer(printed), 0, printed.length));
        assertEquals("ERR DUMP payload version or checksum are wrong", refused.reply());
        assertEquals("-ERR DUMP payload version or checksum are wrong",
            client.send("FUNCTION", "RESTORE", iso(printed)), "Redis 7.0 refuses it too");
    }

    @Test
    void newerRdbVersionsAreReadWhenTheyHoldOnlyLibrariesAndRefusedBeyondTwelve() throws Exception
    {
        final FunctionPayload reader = new FunctionPayload();
        for (final int version : new int[]{1, 9, 10, 11, 12})
        {
            final byte[] payload = write(List.of(iso(SEED_LIBRARY)), version);
            final List<byte[]> codes = reader.read(new UnsafeBuffer(payload), 0, payload.length);
            assertEquals(1, codes.size());
            assertArrayEquals(iso(SEED_LIBRARY), codes.get(0), "version " + version);
        }
        for (final int version : new int[]{13, 255, 0xffff})
        {
            final byte[] payload = write(List.of(iso(SEED_LIBRARY)), version);
            final FunctionException refused = assertThrows(FunctionException.class,
                () -> reader.read(new UnsafeBuffer(payload), 0, payload.length), "version " + version);
            assertEquals("ERR DUMP payload version or checksum are wrong", refused.reply());
        }
        final byte[] keyPayload = withFooter(new byte[]{0, 3, 'a', 'b', 'c'}, 12);
        final FunctionException notFunction = assertThrows(FunctionException.class,
            () -> reader.read(new UnsafeBuffer(keyPayload), 0, keyPayload.length));
        assertEquals("ERR given type is not a function", notFunction.reply(), "a version-12 key payload");
    }

    @Test
    void wellFramedPayloadsOfOtherRecordsGetRedisErrors() throws IOException
    {
        final byte[][] bodies = {
            {0, 3, 'a', 'b', 'c'},                                         // a string key's value
            {(byte)0xF6, 3, 'a', 'b', 'c'},                                // a 7.0 RC record cut after its name
            {(byte)0xF5, (byte)0xC3},                                      // an LZF header cut short
            {(byte)0xF5},                                                  // an opcode alone
            {},                                                            // nothing: no library
        };
        final FunctionPayload reader = new FunctionPayload();
        for (final byte[] body : bodies)
        {
            final byte[] payload = withFooter(body, 10);
            assertEquals("+OK", client.send("FUNCTION", "FLUSH"));
            assertEquals(client.send("FUNCTION", "RESTORE", iso(payload)), outcome(reader, payload),
                java.util.HexFormat.of().formatHex(body));
        }
        // Where Redis reads a record on into the footer (it parses the whole buffer), ringkv stops at the footer:
        // both refuse, with different words.
        final byte[] cutString = withFooter(new byte[]{(byte)0xF5, 5, 'a', 'b'}, 10);
        assertEquals("-ERR Missing library metadata", client.send("FUNCTION", "RESTORE", iso(cutString)));
        assertEquals("-ERR Failed loading library payload", outcome(reader, cutString));
    }

    @Test
    void aReleaseCandidateRecordBecomesTheLibraryRedisMakesOfIt() throws Exception
    {
        final byte[] code = iso("redis.register_function('pf', function() return 7 end)");
        final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(0xF6);
        body.write(5);
        body.write(iso("prega"));
        body.write(3);
        body.write(iso("LUA"));
        body.write(1);                  // a description follows; Redis drops it
        body.write(4);
        body.write(iso("desc"));
        body.write(code.length);
        body.write(code);
        final byte[] payload = withFooter(body.toByteArray(), 10);
        assertEquals("+OK", client.send("FUNCTION", "FLUSH"));
        assertEquals("+OK", client.send("FUNCTION", "RESTORE", iso(payload)));
        final String listed = client.send("FUNCTION", "LIST", "WITHCODE");
        final List<byte[]> codes = new FunctionPayload().read(new UnsafeBuffer(payload), 0, payload.length);
        assertEquals(1, codes.size());
        assertEquals("#!LUA name=prega\n" + iso(code), iso(codes.get(0)));
        assertTrue(listed.contains("$" + iso(codes.get(0)) + "]"), listed);
    }

    private static String outcome(final FunctionPayload reader, final byte[] payload)
    {
        try
        {
            final List<byte[]> codes = reader.read(new UnsafeBuffer(payload), 0, payload.length);
            return codes.isEmpty() ? "+OK" : "read " + codes.size();
        }
        catch (final FunctionException ex)
        {
            return "-" + ex.reply();
        }
    }

    static byte[] write(final List<byte[]> codes, final int version)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        final int length = FunctionPayload.write(codes, new DumpPayloadWriter(), buffer, 0);
        final byte[] payload = new byte[length];
        buffer.getBytes(0, payload);
        return version == 10 ? payload : withFooter(java.util.Arrays.copyOf(payload, length - 10), version);
    }

    static byte[] withFooter(final byte[] body, final int version)
    {
        final byte[] payload = java.util.Arrays.copyOf(body, body.length + 10);
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        buffer.putShort(body.length, (short)version, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(body.length + 2, Crc64.compute(buffer, 0, body.length + 2), ByteOrder.LITTLE_ENDIAN);
        return payload;
    }

    static byte[] flip(final byte[] payload, final int bit)
    {
        final byte[] copy = payload.clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    static byte[] bulk(final String transcript)
    {
        assertTrue(transcript.startsWith("$"), transcript);
        return iso(transcript.substring(1));
    }

    static byte[] iso(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String iso(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** redis-cli's escapes (sdscatrepr's output read back). */
    static byte[] unescape(final String printed)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < printed.length(); i++)
        {
            final char c = printed.charAt(i);
            if (c != '\\')
            {
                out.write(c);
                continue;
            }
            final char e = printed.charAt(++i);
            switch (e)
            {
                case 'x' ->
                {
                    out.write(Integer.parseInt(printed.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'a' -> out.write(7);
                case 'b' -> out.write('\b');
                default -> out.write(e);
            }
        }
        return out.toByteArray();
    }
}
