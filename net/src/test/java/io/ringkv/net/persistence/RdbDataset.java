package io.ringkv.net.persistence;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset with every type in every encoding Redis 7.0 has for it, expiry times and several databases, written
 * through any RESP server (ringkv or redis-server) so the two can be compared after a save and a load.
 */
final class RdbDataset
{
    static final ProtocolCommand DEBUG = () -> SafeEncoder.encode("DEBUG");

    private RdbDataset()
    {
    }

    /**
     * @return the keys written per database.
     */
    static Map<Integer, List<String>> write(final Jedis jedis)
    {
        final Map<Integer, List<String>> keys = new LinkedHashMap<>();
        jedis.select(0);
        final List<String> db0 = new ArrayList<>();
        keys.put(0, db0);
        set(jedis, db0, "s:raw", "hello world");
        set(jedis, db0, "s:int", "12345");
        set(jedis, db0, "s:negative", "-9223372036854775808");
        set(jedis, db0, "s:int64", "4294967296000");
        set(jedis, db0, "s:lzf", "abcdefgh".repeat(200));
        set(jedis, db0, "s:empty", "");
        db0.add("s:binary");
        jedis.set("s:binary".getBytes(StandardCharsets.UTF_8), new byte[]{0, 1, 2, (byte)0xff, 0, '\r', '\n'});
        set(jedis, db0, "s:ttl", "expires later");
        jedis.pexpireAt("s:ttl", System.currentTimeMillis() + 3_600_000);
        set(jedis, db0, "1234", "an integer-looking key");

        db0.add("h:small");
        jedis.hset("h:small", Map.of("f1", "v1", "f2", "2", "f3", "-3"));
        db0.add("h:big");
        final Map<String, String> big = new LinkedHashMap<>();
        for (int i = 0; i < 600; i++)
        {
            big.put("field:" + i, i % 3 == 0 ? Integer.toString(i) : "value-" + i);
        }
        jedis.hset("h:big", big);
        db0.add("h:longvalue");
        jedis.hset("h:longvalue", Map.of("f", "x".repeat(100), "g", "short"));
        jedis.pexpireAt("h:longvalue", System.currentTimeMillis() + 7_200_000);

        db0.add("set:intset");
        jedis.sadd("set:intset", "1", "2", "3", "-5", "100000", "9223372036854775807");
        db0.add("set:bigints");
        for (int i = 0; i < 600; i += 100)
        {
            final String[] members = new String[100];
            for (int j = 0; j < 100; j++)
            {
                members[j] = Integer.toString(i + j);
            }
            jedis.sadd("set:bigints", members);
        }
        db0.add("set:strings");
        jedis.sadd("set:strings", "a", "b", "c", "12");
        db0.add("set:big");
        for (int i = 0; i < 700; i++)
        {
            jedis.sadd("set:big", "member-" + i);
        }

        db0.add("z:small");
        jedis.zadd("z:small", Map.of("a", 1.5, "b", -2.0, "c", 1e300, "d", Double.POSITIVE_INFINITY,
            "e", Double.NEGATIVE_INFINITY, "f", 0.1, "12", 12.0));
        db0.add("z:big");
        for (int i = 0; i < 300; i++)
        {
            jedis.zadd("z:big", i * 1.25 - 100, "m" + i);
        }
        db0.add("z:longmember");
        jedis.zadd("z:longmember", 1, "y".repeat(80));

        db0.add("l:small");
        jedis.rpush("l:small", "a", "b", "1", "-2", "9223372036854775807", "");
        db0.add("l:big");
        for (int i = 0; i < 2000; i += 100)
        {
            final String[] elements = new String[100];
            for (int j = 0; j < 100; j++)
            {
                elements[j] = (i + j) % 2 == 0 ? Integer.toString(i + j) : "element-" + (i + j);
            }
            jedis.rpush("l:big", elements);
        }
        db0.add("l:hugeelement");
        jedis.rpush("l:hugeelement", "z".repeat(10_000), "small");
        jedis.pexpireAt("l:hugeelement", System.currentTimeMillis() + 9_000_000);

        jedis.select(1);
        final List<String> db1 = new ArrayList<>();
        keys.put(1, db1);
        set(jedis, db1, "s:raw", "the same name in db 1");
        db1.add("z:small");
        jedis.zadd("z:small", 3, "x");
        jedis.pexpireAt("z:small", System.currentTimeMillis() + 100_000_000);

        jedis.select(5);
        final List<String> db5 = new ArrayList<>();
        keys.put(5, db5);
        db5.add("h:small");
        jedis.hset("h:small", "k", "v");
        jedis.select(0);
        return keys;
    }

    private static void set(final Jedis jedis, final List<String> keys, final String key, final String value)
    {
        keys.add(key);
        jedis.set(key, value);
    }

    static String digest(final Jedis jedis)
    {
        return new String((byte[])jedis.sendCommand(DEBUG, "DIGEST"), StandardCharsets.UTF_8);
    }

    /**
     * @return per database and key: its DEBUG DIGEST-VALUE, OBJECT ENCODING and PTTL presence.
     */
    static Map<String, String> describe(final Jedis jedis, final Map<Integer, List<String>> keys)
    {
        final Map<String, String> out = new LinkedHashMap<>();
        for (final Map.Entry<Integer, List<String>> db : keys.entrySet())
        {
            jedis.select(db.getKey());
            for (final String key : db.getValue())
            {
                @SuppressWarnings("unchecked")
                final List<byte[]> digest = (List<byte[]>)jedis.sendCommand(DEBUG, "DIGEST-VALUE", key);
                out.put(db.getKey() + "/" + key, new String(digest.get(0), StandardCharsets.UTF_8) + " " +
                    jedis.objectEncoding(key) + " " + (jedis.pttl(key) > 0 ? "ttl" : "persistent"));
            }
        }
        jedis.select(0);
        return out;
    }
}
