package io.ringkv.core.command;

import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.RedisCollectionVectors;
import io.ringkv.core.store.ValueEncoding;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hash commands: Redis 7.0.15's replies and error texts (taken side by side with redis-server), DUMP byte for byte
 * equal to Redis's for the listpack encoding, the conversion to a table and back to nothing, and a model test
 * against HashMap across both encodings.
 */
class HashCommandsTest
{
    private static final String DUMP_SMALL = RedisCollectionVectors.HASH_SMALL;
    private static final String DUMP_ALL_ENCODINGS = RedisCollectionVectors.HASH_ALL_ENCODINGS;
    private static final String[] FIELDS = RedisCollectionVectors.HASH_FIELDS;
    private static final String DUMP_TABLE = RedisCollectionVectors.HASH_TABLE;

    @AutoClose
    private final EngineHarness kv = new EngineHarness();

    @Test
    void repliesAndErrorsAsRedis()
    {
        assertEquals(":2", kv.exec("HSET", "h", "f", "1", "g", "x"));
        assertEquals(":0", kv.exec("HSET", "h", "f", "2"));
        assertEquals("+OK", kv.exec("HMSET", "h", "z", "9"));
        assertEquals("$2", kv.exec("HGET", "h", "f"));
        assertEquals("(nil)", kv.exec("HGET", "h", "nope"));
        assertEquals("(nil)", kv.exec("HGET", "nokey", "f"));
        assertEquals("[$2, (nil), $x]", kv.exec("HMGET", "h", "f", "nope", "g"));
        assertEquals("[(nil), (nil)]", kv.exec("HMGET", "nokey", "a", "b"));
        assertEquals(":3", kv.exec("HLEN", "h"));
        assertEquals(":0", kv.exec("HLEN", "nokey"));
        assertEquals(":1", kv.exec("HEXISTS", "h", "z"));
        assertEquals(":0", kv.exec("HEXISTS", "h", "y"));
        assertEquals(":0", kv.exec("HSETNX", "h", "z", "new"));
        assertEquals(":1", kv.exec("HSETNX", "h", "w", "new"));
        assertEquals(":3", kv.exec("HSTRLEN", "h", "w"));
        assertEquals(":0", kv.exec("HSTRLEN", "h", "nope"));
        assertEquals(":1", kv.exec("HSTRLEN", "h", "z"));
        assertEquals("[$f, $g, $z, $w]", kv.exec("HKEYS", "h"));
        assertEquals("[$2, $x, $9, $new]", kv.exec("HVALS", "h"));
        assertEquals(":12", kv.exec("HINCRBY", "h", "z", "3"));
        assertEquals(":-5", kv.exec("HINCRBY", "h", "n", "-5"));
        assertEquals("-ERR hash value is not an integer", kv.exec("HINCRBY", "h", "g", "1"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("HINCRBY", "h", "z", "x"));
        kv.exec("HSET", "h", "max", "9223372036854775807");
        assertEquals("-ERR increment or decrement would overflow", kv.exec("HINCRBY", "h", "max", "1"));
        assertEquals("$10.5", kv.exec("HINCRBYFLOAT", "h", "fl", "10.5"));
        assertEquals("$10.6", kv.exec("HINCRBYFLOAT", "h", "fl", "0.1"));
        assertEquals("-ERR hash value is not a float", kv.exec("HINCRBYFLOAT", "h", "g", "1"));
        assertEquals("-ERR value is not a valid float", kv.exec("HINCRBYFLOAT", "h", "fl", "abc"));
        assertEquals("-ERR value is NaN or Infinity", kv.exec("HINCRBYFLOAT", "h", "fl", "inf"));
        assertEquals(":2", kv.exec("HDEL", "h", "f", "g", "nope"));
        assertEquals(":0", kv.exec("HDEL", "nokey", "f"));

        assertEquals("-ERR wrong number of arguments for 'hset' command", kv.exec("HSET", "h", "a"));
        assertEquals("-ERR wrong number of arguments for 'hset' command", kv.exec("HSET", "h", "a", "b", "c"));
        assertEquals("-ERR wrong number of arguments for 'hmset' command", kv.exec("HMSET", "h", "a"));
        assertEquals("-ERR wrong number of arguments for 'hsetnx' command", kv.exec("HSETNX", "h"));
        assertEquals("-ERR wrong number of arguments for 'hdel' command", kv.exec("HDEL", "h"));

        kv.exec("SET", "s", "v");
        final String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        for (final String[] command : new String[][]{
            {"HSET", "s", "a", "b"}, {"HGET", "s", "a"}, {"HMGET", "s", "a"}, {"HGETALL", "s"}, {"HLEN", "s"},
            {"HDEL", "s", "a"}, {"HINCRBY", "s", "a", "1"}, {"HINCRBYFLOAT", "s", "a", "1"}, {"HSETNX", "s", "a", "b"},
            {"HKEYS", "s"}, {"HVALS", "s"}, {"HEXISTS", "s", "a"}, {"HSTRLEN", "s", "a"}})
        {
            assertEquals(wrongType, kv.exec(command), String.join(" ", command));
        }
        assertEquals(wrongType, kv.exec("GET", "h"));
        assertEquals(wrongType, kv.exec("APPEND", "h", "x"));
        assertEquals("+hash", kv.exec("TYPE", "h"));
        assertEquals("+OK", kv.exec("SET", "h", "now a string"));
        assertEquals("+string", kv.exec("TYPE", "h"));
    }

    @Test
    void hrandfieldAndHscanAsRedis()
    {
        assertEquals("(nil)", kv.exec("HRANDFIELD", "r"));
        assertEquals("[]", kv.exec("HRANDFIELD", "r", "5"));
        kv.exec("HSET", "r", "a", "1", "b", "2", "c", "3");
        assertEquals("[]", kv.exec("HRANDFIELD", "r", "0"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("HRANDFIELD", "r", "x"));
        assertEquals("-ERR syntax error", kv.exec("HRANDFIELD", "r", "1", "foo"));
        assertEquals("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            kv.exec("HRANDFIELD", "r", "-9223372036854775808"));
        assertEquals("-ERR value is out of range", kv.exec("HRANDFIELD", "r", "-9223372036854775807", "WITHVALUES"));
        assertEquals("[$a, $1, $b, $2, $c, $3]", kv.exec("HRANDFIELD", "r", "5", "withvalues"), "all when count >= size");
        for (int round = 0; round < 50; round++)
        {
            final String two = kv.exec("HRANDFIELD", "r", "2");
            final String[] fields = two.substring(1, two.length() - 1).split(", ");
            assertEquals(2, fields.length);
            assertTrue(!fields[0].equals(fields[1]), "a positive count picks distinct fields: " + two);
            assertTrue(kv.exec("HRANDFIELD", "r").matches("\\$[abc]"));
        }
        final String repeated = kv.exec("HRANDFIELD", "r", "-7", "WITHVALUES");
        assertEquals(14, repeated.split(", ").length, repeated);

        assertEquals("[$0, [$a, $1, $b, $2, $c, $3]]", kv.exec("HSCAN", "r", "0"));
        assertEquals("[$0, [$a, $1]]", kv.exec("HSCAN", "r", "0", "MATCH", "a*"));
        assertEquals("-ERR invalid cursor", kv.exec("HSCAN", "r", "x"));
        assertEquals("-ERR syntax error", kv.exec("HSCAN", "r", "0", "COUNT", "0"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("HSCAN", "r", "0", "COUNT", "x"));
        assertEquals("-ERR syntax error", kv.exec("HSCAN", "r", "0", "foo", "bar"));
        assertEquals("[$0, []]", kv.exec("HSCAN", "nokey", "0", "foo"));

        final java.util.Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < 2000; i++)
        {
            kv.exec("HSET", "t", "field" + i, "v");
            expected.add("field" + i);
        }
        final java.util.Set<String> scanned = new java.util.HashSet<>();
        String cursor = "0";
        do
        {
            final String page = kv.exec("HSCAN", "t", cursor, "COUNT", "50");
            cursor = page.substring(2, page.indexOf(','));
            final String items = page.substring(page.indexOf('[', 1) + 1, page.length() - 2);
            final String[] parts = items.isEmpty() ? new String[0] : items.split(", ");
            for (int i = 0; i < parts.length; i += 2)
            {
                scanned.add(parts[i].substring(1));
            }
        }
        while (!cursor.equals("0"));
        assertEquals(expected, scanned);
        final String sample = kv.exec("HRANDFIELD", "t", "3", "WITHVALUES");
        assertEquals(6, sample.split(", ").length, sample);
    }

    @Test
    void theLastFieldDeletedDeletesTheKeyAndFailedCreationsLeaveNoKey()
    {
        kv.exec("HSET", "h", "a", "1", "b", "2");
        assertEquals(":2", kv.exec("HDEL", "h", "a", "b"));
        assertEquals(":0", kv.exec("EXISTS", "h"));
        assertEquals("-ERR value is NaN or Infinity", kv.exec("HINCRBYFLOAT", "n", "f", "-inf"));
        assertEquals("-ERR value is not a valid float", kv.exec("HINCRBYFLOAT", "n2", "f", "1e5000"));
        assertEquals(":0", kv.exec("EXISTS", "n", "n2"));
        kv.exec("HSET", "n3", "f", "1.18e4932");
        assertEquals("-ERR increment would produce NaN or Infinity",
            kv.exec("HINCRBYFLOAT", "n3", "f", "1.18e4932"));
        assertEquals("$1.18e4932", kv.exec("HGET", "n3", "f"));
    }

    @Test
    void dumpOfAListpackHashIsRedisBytes()
    {
        kv.exec("HSET", "h2", "a", "b");
        assertEquals(payload(DUMP_SMALL), kv.exec("DUMP", "h2"));
        final List<String> args = new ArrayList<>(List.of("HSET", "h3"));
        args.addAll(List.of(FIELDS));
        kv.exec(args.toArray(new String[0]));
        assertEquals(ValueEncoding.HASH_LISTPACK, encoding("h3"));
        assertEquals(payload(DUMP_ALL_ENCODINGS), kv.exec("DUMP", "h3"));
    }

    @Test
    void restoreReadsRedisHashPayloadsAndDumpRoundTrips()
    {
        assertEquals("+OK", kv.exec("RESTORE", "h3", "0", CorruptPayloads.raw(DUMP_ALL_ENCODINGS)));
        assertEquals(ValueEncoding.HASH_LISTPACK, encoding("h3"));
        assertEquals("$9223372036854775807", kv.exec("HGET", "h3", "n"));
        assertEquals("$007", kv.exec("HGET", "h3", "r"));
        assertEquals(payload(DUMP_ALL_ENCODINGS), kv.exec("DUMP", "h3"), "RESTORE then DUMP is the same bytes");

        assertEquals("+OK", kv.exec("RESTORE", "ht", "100000", CorruptPayloads.raw(DUMP_TABLE)));
        assertEquals(ValueEncoding.HASH_TABLE, encoding("ht"), "a 70-byte value needs the table, as in Redis");
        assertEquals("$-7", kv.exec("HGET", "ht", "n"));
        assertEquals("$" + "z".repeat(70), kv.exec("HGET", "ht", "long"));
        assertEquals(":3", kv.exec("HLEN", "ht"));
        assertTrue(Long.parseLong(kv.exec("PTTL", "ht").substring(1)) > 99_000);
        final String dumped = kv.exec("DUMP", "ht");
        assertEquals("+OK", kv.exec("RESTORE", "ht2", "0", dumped.substring(1)));
        assertEquals(sortedItems(kv.exec("HGETALL", "ht")), sortedItems(kv.exec("HGETALL", "ht2")));
        assertEquals("-BUSYKEY Target key name already exists.",
            kv.exec("RESTORE", "ht", "0", CorruptPayloads.raw(DUMP_TABLE)));
        assertEquals("+OK", kv.exec("RESTORE", "h2", "0", CorruptPayloads.raw(DUMP_SMALL), "REPLACE"));
        assertEquals("+OK", kv.exec("RESTORE", "h2", "0", CorruptPayloads.raw(DUMP_TABLE), "REPLACE"));
        assertEquals(":3", kv.exec("HLEN", "h2"));
    }

    @Test
    void corruptHashPayloadsAreRefusedWithoutACrashOrAHalfMadeKey()
    {
        for (final String hex : new String[]{DUMP_ALL_ENCODINGS, DUMP_TABLE, DUMP_SMALL})
        {
            final byte[] payload = HexFormat.of().parseHex(hex);
            int accepted = 0;
            for (int bit = 8; bit < (payload.length - 10) * 8; bit++)
            {
                final byte[] flipped = payload.clone();
                flipped[bit / 8] ^= (byte)(1 << (bit % 8));
                // A fresh checksum, so that the body's parser (not the CRC) has to catch the damage.
                final String reply = kv.exec("RESTORE", "x", "0", CorruptPayloads.withCrc(flipped), "REPLACE");
                if (reply.equals("+OK"))
                {
                    accepted++;
                    assertEquals("+hash", kv.exec("TYPE", "x"));
                    kv.exec("HGETALL", "x");
                    kv.exec("DUMP", "x");
                    kv.exec("DEL", "x");
                }
                else
                {
                    assertEquals("-ERR Bad data format", reply, "bit " + bit);
                    assertEquals(":0", kv.exec("EXISTS", "x"), "bit " + bit);
                }
            }
            assertTrue(accepted < payload.length * 8);
            CorruptPayloads.assertTruncationsAndBadCrcRefused(kv, payload);
        }
        // A listpack whose header lies about its count, and one with a field twice: refused.
        kv.exec("HSET", "src", "a", "1", "b", "2");
        final byte[] lying = kv.exec("DUMP", "src").substring(1).getBytes(StandardCharsets.ISO_8859_1);
        lying[1 + 1 + 4] = 6;    // type, RDB length byte, 4 bytes of total: the count says 6, 4 follow
        assertEquals("-ERR Bad data format", kv.exec("RESTORE", "x", "0", CorruptPayloads.withCrc(lying)));
        kv.exec("HSET", "dup", "a", "1", "b", "2");
        final byte[] twice = kv.exec("DUMP", "dup").substring(1).getBytes(StandardCharsets.ISO_8859_1);
        twice[1 + 1 + 6 + 4] = 'a';    // the second field's byte: b becomes a
        assertEquals("-ERR Bad data format", kv.exec("RESTORE", "x", "0", CorruptPayloads.withCrc(twice)));
        // RDB_TYPE_HASH whose count claims more pairs than the bytes could hold, and an empty one.
        assertEquals("-ERR Bad data format", kv.exec("RESTORE", "x", "0",
            CorruptPayloads.withCrc(HexFormat.of().parseHex("0480ffffffff01610162" + "0a00" + "0000000000000000"))));
        assertEquals("-ERR Bad data format", kv.exec("RESTORE", "x", "0",
            CorruptPayloads.withCrc(HexFormat.of().parseHex("0400" + "0a00" + "0000000000000000"))));
        assertEquals(":0", kv.exec("EXISTS", "x"));
    }

    /** The elements of a transcript aggregate, sorted (a table's order is its own). */
    private static List<String> sortedItems(final String transcript)
    {
        final List<String> items = new ArrayList<>(List.of(transcript.substring(2, transcript.length() - 1)
            .split(", ")));
        java.util.Collections.sort(items);
        return items;
    }

    @Test
    void convertsToATableAsRedisDoesAndNeverBack()
    {
        for (int i = 0; i < 512; i++)
        {
            kv.exec("HSET", "big", "f" + i, "v" + i);
        }
        assertEquals(ValueEncoding.HASH_LISTPACK, encoding("big"), "512 fields still fit (redis-server 7.0.15)");
        kv.exec("HSET", "big", "f512", "v");
        assertEquals(ValueEncoding.HASH_TABLE, encoding("big"));
        assertEquals(":513", kv.exec("HLEN", "big"));
        assertEquals("$v7", kv.exec("HGET", "big", "f7"));
        for (int i = 0; i < 513; i++)
        {
            kv.exec("HDEL", "big", "f" + i);
        }
        assertEquals(":0", kv.exec("EXISTS", "big"));

        kv.exec("HSET", "long", "a", "1");
        kv.exec("HSET", "long", "b", "x".repeat(64));
        assertEquals(ValueEncoding.HASH_LISTPACK, encoding("long"), "64 bytes still fit");
        kv.exec("HSETNX", "long", "a", "y".repeat(65));
        assertEquals(ValueEncoding.HASH_TABLE, encoding("long"), "HSETNX converts before it looks, as Redis");
        assertEquals("$1", kv.exec("HGET", "long", "a"));

        kv.exec("HSET", "incr", "a", "1");
        kv.exec("HINCRBY", "incr", "f".repeat(65), "1");
        assertEquals(ValueEncoding.HASH_TABLE, encoding("incr"));
        assertEquals(":1", kv.exec("HGET", "incr", "f".repeat(65)).replace('$', ':'));
    }

    @Test
    void behavesAsAHashMapAcrossEncodings()
    {
        final Random random = new Random(20261204);
        final Map<String, Map<String, String>> model = new HashMap<>();
        for (int op = 0; op < 1_000_000; op++)
        {
            final String key = "k" + random.nextInt(8);
            final int fieldRange = random.nextBoolean() ? 20 : 1200;
            final String field = "f" + random.nextInt(fieldRange);
            final Map<String, String> hash = model.computeIfAbsent(key, k -> new HashMap<>());
            switch (random.nextInt(6))
            {
                case 0, 1 ->
                {
                    final String value = random.nextInt(10) == 0 ? "v".repeat(70) :
                        random.nextBoolean() ? Integer.toString(random.nextInt(100000) - 50000) : "s" + op;
                    assertEquals(hash.containsKey(field) ? ":0" : ":1", kv.exec("HSET", key, field, value));
                    hash.put(field, value);
                }
                case 2 -> assertEquals(hash.remove(field) != null ? ":1" : ":0", kv.exec("HDEL", key, field));
                case 3 ->
                {
                    final String current = hash.get(field);
                    final String reply = kv.exec("HINCRBY", key, field, "7");
                    if (current == null || isLong(current))
                    {
                        final long result = (current == null ? 0 : Long.parseLong(current)) + 7;
                        assertEquals(":" + result, reply);
                        hash.put(field, Long.toString(result));
                    }
                    else
                    {
                        assertEquals("-ERR hash value is not an integer", reply);
                    }
                }
                case 4 -> assertEquals(hash.containsKey(field) ? "$" + hash.get(field) : "(nil)",
                    kv.exec("HGET", key, field));
                default -> assertEquals(":" + hash.size(), kv.exec("HLEN", key));
            }
            if (hash.isEmpty())
            {
                model.remove(key);
                assertEquals(":0", kv.exec("EXISTS", key));
            }
        }
        for (final Map.Entry<String, Map<String, String>> hash : model.entrySet())
        {
            final Map<String, String> read = new HashMap<>();
            final String all = kv.exec("HGETALL", hash.getKey());
            final String[] items = all.substring(2, all.length() - 1).split(", ");
            for (int i = 0; i < items.length; i += 2)
            {
                read.put(items[i].substring(1), items[i + 1].substring(1));
            }
            assertEquals(hash.getValue(), read, hash.getKey());
        }
        assertTrue(model.size() > 0);
    }

    private static boolean isLong(final String text)
    {
        try
        {
            return Long.toString(Long.parseLong(text)).equals(text);
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    private byte encoding(final String key)
    {
        final UnsafeBuffer k = new UnsafeBuffer(key.getBytes(StandardCharsets.US_ASCII));
        final long address = kv.keyspace.lookup(0, k, 0, k.capacity());
        assertTrue(address != Keyspace.NOT_FOUND, key);
        return new EntryFlyweight().wrap(address).encoding();
    }

    private static String payload(final String hex)
    {
        return "$" + new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1);
    }
}
