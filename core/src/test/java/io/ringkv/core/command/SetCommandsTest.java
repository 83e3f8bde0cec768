package io.ringkv.core.command;

import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.RedisCollectionVectors;
import io.ringkv.core.store.ValueEncoding;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Set commands: redis-server 7.0.15's replies (taken side by side), DUMP of an intset equal to Redis's bytes in
 * whatever order the members came, the conversion to a table, DEBUG DIGEST-VALUE equal to Redis's, and a model test
 * against HashSet across both encodings, with SINTER, SUNION, SDIFF and their STORE forms.
 */
class SetCommandsTest
{
    @AutoClose
    private final EngineHarness kv = new EngineHarness();

    @Test
    void repliesAsRedis()
    {
        assertEquals(":4", kv.exec("SADD", "s", "3", "1", "2", "-70000", "1"));
        assertEquals("~[$-70000, $1, $2, $3]", kv.exec("SMEMBERS", "s"));
        assertEquals(ValueEncoding.SET_INTSET, encoding("s"));
        assertEquals(":1", kv.exec("SADD", "s", "x"));
        assertEquals(ValueEncoding.SET_TABLE, encoding("s"));
        assertEquals(":2", kv.exec("SADD", "sx", "a", "b", "a"));
        assertEquals(":1", kv.exec("SREM", "sx", "a", "c"));
        assertEquals(":1", kv.exec("SISMEMBER", "sx", "b"));
        assertEquals("[:0, :1]", kv.exec("SMISMEMBER", "sx", "a", "b"));
        assertEquals("[:0]", kv.exec("SMISMEMBER", "nokey", "a"));
        assertEquals(":1", kv.exec("SCARD", "sx"));
        assertEquals(":1", kv.exec("SREM", "sx", "b"));
        assertEquals(":0", kv.exec("EXISTS", "sx"), "the last member removed removes the key");
        assertEquals("-ERR wrong number of arguments for 'sadd' command", kv.exec("SADD", "s"));
        assertEquals("-ERR wrong number of arguments for 'srem' command", kv.exec("SREM", "s"));
        assertEquals("~[]", kv.exec("SMEMBERS", "nokey"));
        assertEquals(":0", kv.exec("SCARD", "nokey"));
        assertEquals(":0", kv.exec("SISMEMBER", "s", "007"), "007 is not the integer 7");
        assertEquals("+set", kv.exec("TYPE", "s"));
        kv.exec("SET", "str", "v");
        final String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        assertEquals(wrongType, kv.exec("SADD", "str", "a"));
        assertEquals(wrongType, kv.exec("SMEMBERS", "str"));
        assertEquals(wrongType, kv.exec("GET", "s"));
        assertEquals(wrongType, kv.exec("HGET", "s", "a"));
        kv.exec("HSET", "h", "a", "b");
        assertEquals(wrongType, kv.exec("SADD", "h", "a"));
    }

    @Test
    void randomPicksPopsMovesAndScans()
    {
        kv.exec("SADD", "p", "1", "2", "3");
        assertEquals("~[]", kv.exec("SPOP", "p", "0"));
        assertEquals("-ERR value is out of range, must be positive", kv.exec("SPOP", "p", "-1"));
        assertEquals("-ERR value is out of range, must be positive", kv.exec("SPOP", "p", "x"));
        assertEquals("-ERR syntax error", kv.exec("SPOP", "p", "1", "2"));
        assertEquals("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            kv.exec("SRANDMEMBER", "p", "-9223372036854775808"));
        assertEquals("(nil)", kv.exec("SRANDMEMBER", "nokey"));
        assertEquals("[]", kv.exec("SRANDMEMBER", "nokey", "3"));
        assertEquals("(nil)", kv.exec("SPOP", "nokey"));
        assertEquals("[$1, $2, $3]", kv.exec("SRANDMEMBER", "p", "10"), "the whole set when it is no larger");
        assertEquals(5, kv.exec("SRANDMEMBER", "p", "-5").split(", ").length);
        for (int round = 0; round < 30; round++)
        {
            final String two = kv.exec("SRANDMEMBER", "p", "2");
            final String[] members = two.substring(1, two.length() - 1).split(", ");
            assertTrue(!members[0].equals(members[1]), two);
        }
        assertEquals(":0", kv.exec("SMOVE", "p", "q", "9"));
        assertEquals(":1", kv.exec("SMOVE", "p", "q", "1"));
        assertEquals("~[$1]", kv.exec("SMEMBERS", "q"));
        assertEquals(":0", kv.exec("SMOVE", "nokey", "q", "1"));
        assertEquals(":1", kv.exec("SMOVE", "p", "p", "2"));
        kv.exec("SET", "str", "v");
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value", kv.exec("SMOVE", "p", "str", "2"));
        assertEquals("[$0, [$2, $3]]", kv.exec("SSCAN", "p", "0"));
        assertEquals("[$0, [$2]]", kv.exec("SSCAN", "p", "0", "MATCH", "2"));

        final Set<String> popped = new HashSet<>();
        assertEquals(":2", kv.exec("SCARD", "p"));
        popped.add(kv.exec("SPOP", "p"));
        popped.add(kv.exec("SPOP", "p"));
        assertEquals(Set.of("$2", "$3"), popped);
        assertEquals(":0", kv.exec("EXISTS", "p"), "the last pop removes the key");

        for (int i = 0; i < 1000; i++)
        {
            kv.exec("SADD", "t", "m" + i);
        }
        final String some = kv.exec("SPOP", "t", "10");
        assertEquals(10, new HashSet<>(List.of(some.substring(2, some.length() - 1).split(", "))).size());
        assertEquals(":990", kv.exec("SCARD", "t"));
        final Set<String> scanned = new HashSet<>();
        String cursor = "0";
        do
        {
            final String page = kv.exec("SSCAN", "t", cursor, "COUNT", "20");
            cursor = page.substring(2, page.indexOf(','));
            final String items = page.substring(page.indexOf('[', 1) + 1, page.length() - 2);
            for (final String item : items.isEmpty() ? new String[0] : items.split(", "))
            {
                scanned.add(item.substring(1));
            }
        }
        while (!cursor.equals("0"));
        assertEquals(990, scanned.size());
        kv.exec("SPOP", "t", "2000");
        assertEquals(":0", kv.exec("EXISTS", "t"));
    }

    @Test
    void intsetDumpsAsRedisWhateverTheOrderAndConvertsPast512()
    {
        kv.exec("SADD", "s1", "3", "-70000", "2", "1");
        assertEquals(payload(RedisCollectionVectors.SET_INT32), kv.exec("DUMP", "s1"));
        kv.exec("SADD", "s3", "99999999999", "5", "100000");
        assertEquals(payload(RedisCollectionVectors.SET_INT64), kv.exec("DUMP", "s3"));
        kv.exec("SADD", "neg", "-1");
        assertEquals(payload("0b0a0200000001000000ffff0a00ff1629382b6e2b5d"), kv.exec("DUMP", "neg"));
        for (int i = 1; i <= 512; i++)
        {
            kv.exec("SADD", "b", Integer.toString(i));
        }
        assertEquals(ValueEncoding.SET_INTSET, encoding("b"));
        kv.exec("SADD", "b", "513");
        assertEquals(ValueEncoding.SET_TABLE, encoding("b"));
        assertEquals(":513", kv.exec("SCARD", "b"));
        assertEquals(":1", kv.exec("SISMEMBER", "b", "77"));
        assertTrue(kv.exec("DUMP", "b").startsWith("$\u0002"), "a table dumps as RDB_TYPE_SET");
    }

    @Test
    void digestIsRedis()
    {
        final DatasetDigest digest = new DatasetDigest();
        kv.commands.register("digest", 2, 0, (context, args, reply) -> reply.simpleString(DatasetDigest.hex(
            digest.value(context.keyspace(), context.keyspace().peek(context.db(), args.buffer(), args.offset(1),
            args.length(1), context.nowMs()))).getBytes(StandardCharsets.US_ASCII)));
        kv.exec("SADD", "s2", "-70000", "3", "2", "1");
        assertEquals("+3f29aef9686ab7640c6e79734f56219f6f27dcac", kv.exec("digest", "s2"));
        kv.exec("SADD", "s5", "10", "b", "a");
        assertEquals("+6c4c4a8172124064173b70cedf712f77142f8623", kv.exec("digest", "s5"));
        for (int i = 513; i >= 1; i--)
        {
            kv.exec("SADD", "bigset", Integer.toString(i));
        }
        assertEquals("+fd851744e6ed5dfba330b733b4b3802336284e0e", kv.exec("digest", "bigset"));
    }

    @Test
    void behavesAsAHashSetAcrossEncodings()
    {
        final Random random = new Random(42);
        final Map<String, Set<String>> model = new HashMap<>();
        for (int op = 0; op < 1_000_000; op++)
        {
            final String key = "k" + random.nextInt(6);
            final String member = random.nextInt(50) == 0 ? "m" + random.nextInt(10) :
                Integer.toString(random.nextInt(random.nextBoolean() ? 40 : 1500) - 20);
            final Set<String> set = model.computeIfAbsent(key, k -> new HashSet<>());
            switch (random.nextInt(op % 10 == 0 ? 6 : 4))
            {
                case 0, 1 -> assertEquals(set.add(member) ? ":1" : ":0", kv.exec("SADD", key, member));
                case 2 -> assertEquals(set.remove(member) ? ":1" : ":0", kv.exec("SREM", key, member));
                case 3 -> assertEquals(set.contains(member) ? ":1" : ":0", kv.exec("SISMEMBER", key, member));
                default -> algebra(random, model, key);
            }
            if (model.containsKey(key) && model.get(key).isEmpty())
            {
                model.remove(key);
                assertEquals(":0", kv.exec("EXISTS", key));
            }
            else if (op % 97 == 0)
            {
                assertEquals(":" + model.get(key).size(), kv.exec("SCARD", key));
            }
        }
        for (final Map.Entry<String, Set<String>> set : model.entrySet())
        {
            final String members = kv.exec("SMEMBERS", set.getKey());
            final Set<String> read = new HashSet<>();
            for (final String item : members.substring(2, members.length() - 1).split(", "))
            {
                read.add(item.substring(1));
            }
            assertEquals(set.getValue(), read, set.getKey());
        }
    }

    /**
     * One SINTER, SUNION or SDIFF (or its STORE form into {@code destination}, which may be a source) over 1-3 random
     * keys, checked against the model's sets.
     */
    private void algebra(final Random random, final Map<String, Set<String>> model, final String destination)
    {
        final String operation = new String[]{"SINTER", "SUNION", "SDIFF"}[random.nextInt(3)];
        final List<String> keys = new java.util.ArrayList<>();
        Set<String> expected = null;
        for (int i = 1 + random.nextInt(3); i > 0; i--)
        {
            final String key = "k" + random.nextInt(7);
            keys.add(key);
            final Set<String> set = model.getOrDefault(key, Set.of());
            if (expected == null)
            {
                expected = new HashSet<>(set);
            }
            else if (operation.equals("SINTER"))
            {
                expected.retainAll(set);
            }
            else if (operation.equals("SUNION"))
            {
                expected.addAll(set);
            }
            else
            {
                expected.removeAll(set);
            }
        }
        if (random.nextBoolean())
        {
            assertEquals(expected, members(kv.exec(java.util.stream.Stream.concat(java.util.stream.Stream.of(operation),
                keys.stream()).toArray(String[]::new))), operation + keys);
            if (operation.equals("SINTER"))
            {
                final List<String> card = new java.util.ArrayList<>(List.of("SINTERCARD",
                    Integer.toString(keys.size())));
                card.addAll(keys);
                assertEquals(":" + expected.size(), kv.exec(card.toArray(String[]::new)));
            }
            return;
        }
        final List<String> store = new java.util.ArrayList<>(List.of(operation + "STORE", destination));
        store.addAll(keys);
        assertEquals(":" + expected.size(), kv.exec(store.toArray(String[]::new)), store.toString());
        model.put(destination, expected);
        if (!expected.isEmpty())
        {
            assertEquals(expected, members(kv.exec("SMEMBERS", destination)));
            final boolean integers = expected.size() <= 512 && expected.stream().allMatch(SetCommandsTest::isInteger);
            assertEquals(integers ? ValueEncoding.SET_INTSET : ValueEncoding.SET_TABLE, encoding(destination),
                "the encoding Redis's setTypeAdd into a new intset would reach");
        }
    }

    private static boolean isInteger(final String member)
    {
        try
        {
            return Long.toString(Long.parseLong(member)).equals(member);
        }
        catch (final NumberFormatException e)
        {
            return false;
        }
    }

    private static Set<String> members(final String reply)
    {
        final Set<String> read = new HashSet<>();
        if (!reply.equals("~[]"))
        {
            for (final String item : reply.substring(2, reply.length() - 1).split(", "))
            {
                read.add(item.substring(1));
            }
        }
        return read;
    }

    @Test
    void algebraAsRedis()
    {
        kv.exec("SADD", "a", "1", "2", "3");
        kv.exec("SADD", "b", "2", "3", "x");
        kv.exec("SET", "str", "v");
        final String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        // Redis 7.0.15 checks every key's type, even after a missing one.
        assertEquals(wrongType, kv.exec("SINTER", "nokey", "str"));
        assertEquals(wrongType, kv.exec("SUNION", "a", "str"));
        assertEquals(wrongType, kv.exec("SDIFF", "nokey", "str"));
        assertEquals(wrongType, kv.exec("SINTERCARD", "2", "str", "nokey"));
        assertEquals(wrongType, kv.exec("SINTERSTORE", "a", "nokey", "str"));
        assertEquals(":1", kv.exec("EXISTS", "a"), "a refused STORE leaves the destination");
        assertEquals("~[$2, $3]", kv.exec("SINTER", "a", "b"));
        assertEquals("~[]", kv.exec("SINTER", "a", "nokey"));
        assertEquals("~[$1]", kv.exec("SDIFF", "a", "b", "nokey"));
        assertEquals("~[]", kv.exec("SDIFF", "nokey", "a"));
        assertEquals(":2", kv.exec("SINTERCARD", "2", "a", "b"));
        assertEquals(":1", kv.exec("SINTERCARD", "2", "a", "b", "LIMIT", "1"));
        assertEquals(":2", kv.exec("SINTERCARD", "2", "a", "b", "LIMIT", "1", "limit", "0"), "the last LIMIT, 0 none");
        assertEquals(":0", kv.exec("SINTERCARD", "1", "nokey"));
        // SINTERCARD's argument errors, as redis-server 7.0.15 words them.
        final String numkeys = "-ERR numkeys should be greater than 0";
        assertEquals(numkeys, kv.exec("SINTERCARD", "0", "a"));
        assertEquals(numkeys, kv.exec("SINTERCARD", "-1", "a"));
        assertEquals(numkeys, kv.exec("SINTERCARD", "x", "a"));
        assertEquals(numkeys, kv.exec("SINTERCARD", "99999999999999999999", "a"));
        assertEquals("-ERR Number of keys can't be greater than number of args", kv.exec("SINTERCARD", "3", "a"));
        assertEquals("-ERR LIMIT can't be negative", kv.exec("SINTERCARD", "1", "a", "LIMIT", "-1"));
        assertEquals("-ERR LIMIT can't be negative", kv.exec("SINTERCARD", "1", "a", "LIMIT", "x"));
        assertEquals("-ERR syntax error", kv.exec("SINTERCARD", "1", "a", "LIMIT"));
        assertEquals("-ERR syntax error", kv.exec("SINTERCARD", "1", "a", "b"));
        assertEquals("-ERR syntax error", kv.exec("SINTERCARD", "1", "a", "FOO", "1"));
        for (final String command : List.of("sinter", "sunion", "sdiff"))
        {
            assertEquals("-ERR wrong number of arguments for '" + command + "' command", kv.exec(command));
            assertEquals("-ERR wrong number of arguments for '" + command + "store' command",
                kv.exec(command + "store", "d"));
        }
        assertEquals("-ERR wrong number of arguments for 'sintercard' command", kv.exec("SINTERCARD", "1"));
        // STORE: over another type, into a source, and an empty result deleting the destination.
        kv.exec("SET", "d", "v", "EX", "100");
        assertEquals(":4", kv.exec("SUNIONSTORE", "d", "a", "b"));
        assertEquals(ValueEncoding.SET_TABLE, encoding("d"));
        assertEquals(":-1", kv.exec("TTL", "d"), "the destination loses its old expiry");
        assertEquals(":3", kv.exec("SINTERSTORE", "d", "d", "a"));
        assertEquals(ValueEncoding.SET_INTSET, encoding("d"), "integers only: an intset, as Redis");
        assertEquals("~[$1, $2, $3]", kv.exec("SMEMBERS", "d"));
        assertEquals(":1", kv.exec("SDIFFSTORE", "a", "a", "b"));
        assertEquals("~[$1]", kv.exec("SMEMBERS", "a"));
        assertEquals(":0", kv.exec("SDIFFSTORE", "d", "d", "d"));
        assertEquals(":0", kv.exec("EXISTS", "d"));
        assertEquals(":0", kv.exec("SINTERSTORE", "d", "nokey"));
        kv.exec("SADD", "w", "-70000", "99999999999", "5");
        assertEquals(":4", kv.exec("SUNIONSTORE", "u", "w", "a"));
        // The intset at the widest member's width, byte for byte redis-server 7.0.15's DUMP of the same SUNIONSTORE.
        assertEquals(payload("0b28080000000400000090eefeffffffffff01000000000000000500000000000000ffe776481700" +
            "00000a00859625fbecbd24a5"), kv.exec("DUMP", "u"));
    }

    /**
     * A table that has just grown is being resized, and every lookup moves some of its buckets: the intersection
     * must still see each member once (walking it while looking members up in it found 62 of 71).
     */
    @Test
    void algebraOverATableBeingResized()
    {
        for (int i = 0; i < 70; i++)
        {
            kv.exec("SADD", "big", Integer.toString(i));
        }
        kv.exec("SADD", "big", "m");
        kv.exec("SADD", "d", "a", "b");
        assertEquals(":71", kv.exec("SINTERSTORE", "d", "big", "big"));
        assertEquals(":71", kv.exec("SCARD", "d"));
    }

    @Test
    void restoreReadsRedisSetPayloadsAndDumpRoundTrips()
    {
        assertEquals("+OK", kv.exec("RESTORE", "i", "0", CorruptPayloads.raw(RedisCollectionVectors.SET_INT32)));
        assertEquals(ValueEncoding.SET_INTSET, encoding("i"));
        assertEquals("~[$-70000, $1, $2, $3]", kv.exec("SMEMBERS", "i"));
        assertEquals(payload(RedisCollectionVectors.SET_INT32), kv.exec("DUMP", "i"), "the same bytes back");
        assertEquals("+OK", kv.exec("RESTORE", "i64", "0", CorruptPayloads.raw(RedisCollectionVectors.SET_INT64)));
        assertEquals(payload(RedisCollectionVectors.SET_INT64), kv.exec("DUMP", "i64"));

        assertEquals("+OK", kv.exec("RESTORE", "t", "100000", CorruptPayloads.raw(RedisCollectionVectors.SET_TABLE)));
        assertEquals(ValueEncoding.SET_TABLE, encoding("t"));
        assertEquals(Set.of("a", "1", "z".repeat(70), "-7"), members(kv.exec("SMEMBERS", "t")));
        assertTrue(Long.parseLong(kv.exec("PTTL", "t").substring(1)) > 99_000);
        assertEquals("+OK", kv.exec("RESTORE", "t2", "0", kv.exec("DUMP", "t").substring(1)));
        assertEquals(members(kv.exec("SMEMBERS", "t")), members(kv.exec("SMEMBERS", "t2")));

        assertEquals("+OK", kv.exec("RESTORE", "ti", "0",
            CorruptPayloads.raw(RedisCollectionVectors.SET_TABLE_OF_INTEGERS)));
        assertEquals(ValueEncoding.SET_INTSET, encoding("ti"), "integers only: loaded as an intset, as Redis");
        assertEquals("~[$1, $3]", kv.exec("SMEMBERS", "ti"));

        assertEquals("-BUSYKEY Target key name already exists.",
            kv.exec("RESTORE", "t", "0", CorruptPayloads.raw(RedisCollectionVectors.SET_TABLE)));
        kv.exec("SET", "str", "v");
        assertEquals("+OK", kv.exec("RESTORE", "str", "0", CorruptPayloads.raw(RedisCollectionVectors.SET_INT32),
            "REPLACE"));
        assertEquals("+set", kv.exec("TYPE", "str"));
        // Past set-max-intset-entries: a table, whichever payload type brought it.
        for (int i = 0; i < 600; i++)
        {
            kv.exec("SADD", "big", Integer.toString(i * 3));
        }
        assertEquals("+OK", kv.exec("RESTORE", "big2", "0", kv.exec("DUMP", "big").substring(1)));
        assertEquals(ValueEncoding.SET_TABLE, encoding("big2"));
        assertEquals(":600", kv.exec("SCARD", "big2"));
        assertEquals(":1", kv.exec("SISMEMBER", "big2", "1797"));
    }

    @Test
    void corruptSetPayloadsAreRefusedWithoutACrashOrAHalfMadeKey()
    {
        for (final String hex : new String[]{RedisCollectionVectors.SET_INT32, RedisCollectionVectors.SET_INT64,
            RedisCollectionVectors.SET_TABLE, RedisCollectionVectors.SET_TABLE_OF_INTEGERS})
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
                    final String type = kv.exec("TYPE", "x");
                    if (type.equals("+set"))
                    {
                        // Whatever was accepted is a whole, well-formed set.
                        final Set<String> members = members(kv.exec("SMEMBERS", "x"));
                        assertEquals(":" + members.size(), kv.exec("SCARD", "x"), "bit " + bit);
                        assertEquals("+OK", kv.exec("RESTORE", "y", "0", kv.exec("DUMP", "x").substring(1), "REPLACE"));
                        assertEquals(members, members(kv.exec("SMEMBERS", "y")), "bit " + bit);
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
        // An intset out of order, one with a member twice, an empty one; RDB_TYPE_SET with a member twice, a count
        // beyond its bytes, and none: refused, nothing made.
        for (final String body : new String[]{"0b1004000000020000000300000001000000",
            "0b1004000000020000000100000001000000",
            "0b080400000000000000", "0202c001c001", "0280ffffffff0161", "0200"})
        {
            assertEquals("-ERR Bad data format", kv.exec("RESTORE", "x", "0",
                CorruptPayloads.withCrc(HexFormat.of().parseHex(body + "0a00" + "0000000000000000"))), body);
            assertEquals(":0", kv.exec("EXISTS", "x"));
        }
    }

    /**
     * Raised thresholds never let a listpack or an intset outgrow the largest entry value: it converts to a table
     * first (without the check, the resize past it threw).
     */
    @Test
    void raisedThresholdsStopAtTheLargestEntryValue()
    {
        try (EngineHarness small = new EngineHarness(new io.ringkv.core.store.StoreConfig().maxValueLength(256), false,
            List.of()))
        {
            small.keyspace.collectionLimits().setMaxIntsetEntries(1_000_000);
            small.keyspace.collectionLimits().hashMaxListpackEntries(1_000_000);
            small.keyspace.collectionLimits().hashMaxListpackValue(1_000_000);
            for (int i = 0; i < 200; i++)
            {
                assertEquals(":1", small.exec("SADD", "s", Integer.toString(i)));
                assertEquals(":1", small.exec("HSET", "h", "f" + i, "v"));
            }
            assertEquals(":200", small.exec("SCARD", "s"));
            assertEquals(":200", small.exec("HLEN", "h"));
            assertEquals(ValueEncoding.SET_TABLE, encodingIn(small, "s"));
            assertEquals(ValueEncoding.HASH_TABLE, encodingIn(small, "h"));
            assertEquals(":200", small.exec("SUNIONSTORE", "u", "s"));
            assertEquals(ValueEncoding.SET_TABLE, encodingIn(small, "u"));
        }
        kv.keyspace.collectionLimits().setMaxIntsetEntries(2);
        kv.exec("SADD", "two", "1", "2");
        assertEquals(ValueEncoding.SET_INTSET, encoding("two"));
        kv.exec("SADD", "two", "3");
        assertEquals(ValueEncoding.SET_TABLE, encoding("two"), "set-max-intset-entries as configured");
    }

    private static byte encodingIn(final EngineHarness harness, final String key)
    {
        final UnsafeBuffer k = new UnsafeBuffer(key.getBytes(StandardCharsets.US_ASCII));
        final long address = harness.keyspace.lookup(0, k, 0, k.capacity());
        assertTrue(address != Keyspace.NOT_FOUND, key);
        return new EntryFlyweight().wrap(address).encoding();
    }

    private byte encoding(final String key)
    {
        return encodingIn(kv, key);
    }

    private static String payload(final String hex)
    {
        return "$" + new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1);
    }
}
