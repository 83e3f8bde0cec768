package io.ringkv.core.command;

import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DUMP and RESTORE of lists (RDB_TYPE_LIST_QUICKLIST_2) against payloads redis-server 7.0.15 wrote: every node
 * container and string form loads, a one-node list dumps back byte for byte, and corrupt payloads (every bit flip,
 * every truncation, lying counts, empty lists) are refused without a crash or a half-made key.
 */
final class ListDumpTest
{
    /** RPUSH small a b c 1 -70000 9223372036854775807 "" (one PACKED node). */
    static final String SMALL = "120102232300000007008161028162028163020101f290eefe04f4ffffffffffffff7f098001ff0a00" +
        "af16d1c958f2f11e";
    /** Eight elements with list-max-listpack-size 3: three nodes. */
    static final String MULTI = "12030213130000000300826530038265310382653203ff0213130000000300826533038265340382" +
        "653503ff020f0f00000002008265360382653703ff0a00e1eef01989675ddb";
    /** A node whose listpack Redis compressed with LZF. */
    static final String LZF = "120102c31a407b077b0000000300a878e01e000029e02129019e79e01400011fff0a00ecfda42121d7de80";
    /** A PLAIN node (an element past quicklist-packed-threshold) between two PACKED ones. */
    static final String PLAIN = "1203020a0a0000000100816102ff01c3094096017a7ae08900017a7a020a0a0000000100816202ff" +
        "0a00f81f1763c18cd8e1";

    private final EngineHarness kv = new EngineHarness();

    @AfterEach
    void close()
    {
        kv.close();
    }

    @Test
    void restoreReadsRedisListPayloadsAndDumpRoundTrips()
    {
        assertEquals("+OK", kv.exec("RESTORE", "small", "0", CorruptPayloads.raw(SMALL)));
        assertEquals("[$a, $b, $c, $1, $-70000, $9223372036854775807, $]", kv.exec("LRANGE", "small", "0", "-1"));
        assertEquals(ValueEncoding.LIST_LISTPACK, encoding("small"));
        assertEquals(payload(SMALL), kv.exec("DUMP", "small"), "the same bytes back");

        assertEquals("+OK", kv.exec("RESTORE", "multi", "0", CorruptPayloads.raw(MULTI)));
        assertEquals(ValueEncoding.LIST_QUICKLIST, encoding("multi"));
        assertEquals("[$e0, $e1, $e2, $e3, $e4, $e5, $e6, $e7]", kv.exec("LRANGE", "multi", "0", "-1"));
        assertEquals(payload(MULTI), kv.exec("DUMP", "multi"), "three nodes, dumped as three nodes");
        assertEquals("$e5", kv.exec("LINDEX", "multi", "5"));
        assertEquals(":9", kv.exec("RPUSH", "multi", "e8"));

        assertEquals("+OK", kv.exec("RESTORE", "lzf", "0", CorruptPayloads.raw(LZF)));
        assertEquals("[$" + "x".repeat(40) + ", $" + "x".repeat(40) + ", $" + "y".repeat(30) + "]",
            kv.exec("LRANGE", "lzf", "0", "-1"));
        assertEquals(payload(LZF), kv.exec("DUMP", "lzf"), "compressed as Redis compresses");

        assertEquals("+OK", kv.exec("RESTORE", "plain", "0", CorruptPayloads.raw(PLAIN)));
        assertEquals("[$a, $" + "z".repeat(150) + ", $b]", kv.exec("LRANGE", "plain", "0", "-1"));
        assertEquals("+OK", kv.exec("RESTORE", "plain2", "0", kv.exec("DUMP", "plain").substring(1)));
        assertEquals(kv.exec("LRANGE", "plain", "0", "-1"), kv.exec("LRANGE", "plain2", "0", "-1"));

        assertEquals("-BUSYKEY Target key name already exists.",
            kv.exec("RESTORE", "small", "0", CorruptPayloads.raw(MULTI)));
        kv.exec("SET", "str", "v");
        assertEquals("+OK", kv.exec("RESTORE", "str", "0", CorruptPayloads.raw(MULTI), "REPLACE"));
        assertEquals("+list", kv.exec("TYPE", "str"));
        assertEquals(":8", kv.exec("LLEN", "str"));
    }

    @Test
    void bigListsRoundTripThroughDump()
    {
        for (int i = 0; i < 20_000; i++)
        {
            kv.exec("RPUSH", "big", i % 3 == 0 ? Integer.toString(i) : "element-" + i);
        }
        assertEquals(ValueEncoding.LIST_QUICKLIST, encoding("big"));
        assertEquals("+OK", kv.exec("RESTORE", "copy", "0", kv.exec("DUMP", "big").substring(1)));
        assertEquals(kv.exec("LRANGE", "big", "0", "-1"), kv.exec("LRANGE", "copy", "0", "-1"));
        assertEquals(":1", kv.exec("COPY", "big", "copy2"));
        assertEquals(kv.exec("LRANGE", "big", "0", "-1"), kv.exec("LRANGE", "copy2", "0", "-1"));
        kv.exec("LPOP", "big", "5000");
        assertEquals(":20000", kv.exec("LLEN", "copy2"), "the copy has its own nodes");
        assertEquals(":15000", kv.exec("LLEN", "big"));
        assertEquals("$element-5000", kv.exec("LINDEX", "copy2", "5000"));
    }

    @Test
    void corruptListPayloadsAreRefusedWithoutACrashOrAHalfMadeKey()
    {
        for (final String hex : new String[]{SMALL, MULTI, LZF, PLAIN})
        {
            final byte[] payload = HexFormat.of().parseHex(hex);
            int accepted = 0;
            for (int bit = 0; bit < (payload.length - 10) * 8; bit++)
            {
                final byte[] flipped = payload.clone();
                flipped[bit / 8] ^= (byte)(1 << (bit % 8));
                // A fresh checksum, so that the body's parser (not the CRC) has to catch the damage.
                final String reply = kv.exec("RESTORE", "x", "0", CorruptPayloads.withCrc(flipped), "REPLACE");
                if (reply.equals("+OK"))
                {
                    accepted++;
                    if (kv.exec("TYPE", "x").equals("+list"))
                    {
                        // Whatever was accepted is a whole, well-formed list that every command can walk.
                        final String all = kv.exec("LRANGE", "x", "0", "-1");
                        final long length = Long.parseLong(kv.exec("LLEN", "x").substring(1));
                        assertTrue(length > 0, "bit " + bit);
                        assertEquals(":" + length, kv.exec("LREM", "x", "0", "no such element").equals(":0") ?
                            ":" + length : "changed", "bit " + bit);
                        assertEquals("+OK", kv.exec("RESTORE", "y", "0", kv.exec("DUMP", "x").substring(1),
                            "REPLACE"), "bit " + bit);
                        assertEquals(all, kv.exec("LRANGE", "y", "0", "-1"), "bit " + bit);
                        kv.exec("RPUSH", "x", "more");
                        kv.exec("LPOP", "x", "2");
                        kv.exec("RPOP", "x", "1000");
                    }
                    kv.exec("DEL", "x");
                }
                else
                {
                    assertTrue(reply.equals("-ERR Bad data format") || bit < 8 && reply.startsWith("-"),
                        "bit " + bit + ": " + reply);
                    assertEquals(":0", kv.exec("EXISTS", "x"), "bit " + bit);
                }
            }
            assertTrue(accepted < payload.length * 8);
            CorruptPayloads.assertTruncationsAndBadCrcRefused(kv, payload);
        }
        // No node; a node count beyond the bytes; only an empty listpack node; an unknown container; a PACKED node
        // that is an integer; a listpack whose header lies about its length: refused, nothing made.
        for (final String body : new String[]{"1200", "12ff", "120102070700000000 00ff".replace(" ", ""),
            "12010307070000000000ff", "120102c07b", "120102081300000001000161ff"})
        {
            assertEquals("-ERR Bad data format", kv.exec("RESTORE", "x", "0",
                CorruptPayloads.withCrc(HexFormat.of().parseHex(body + "0a00" + "0000000000000000"))), body);
            assertEquals(":0", kv.exec("EXISTS", "x"));
        }
    }

    private byte encoding(final String key)
    {
        final long address = kv.keyspace.lookup(0, new UnsafeBuffer(key.getBytes(StandardCharsets.US_ASCII)), 0,
            key.length());
        return address == Keyspace.NOT_FOUND ? -1 : new EntryFlyweight().wrap(address).encoding();
    }

    private static String payload(final String hex)
    {
        return "$" + new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1);
    }
}
