package io.ringkv.net.server.command;

import io.ringkv.core.rdb.Crc64;
import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.RestoreParams;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.ringkv.net.server.command.RespCalls.call;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DUMP and RESTORE between ringkv and a real redis-server 7.0.15, in both directions, through the servers' RESP
 * ports: values survive both trips, ringkv's payloads are byte-identical to Redis's, and RESTORE answers exactly
 * what Redis answers for the same requests (options, TTLs, bad payloads), changing nothing on errors.
 */
class DumpRestoreInteropTest
{
    @AutoClose
    private static RedisServerProcess redisProcess;
    @AutoClose
    private static TestServer ringkvServer;
    @AutoClose
    private static Jedis redis;
    @AutoClose
    private static Jedis ringkv;

    @BeforeAll
    static void start() throws Exception
    {
        redisProcess = RedisServerProcess.start();
        ringkvServer = TestServer.start();
        redis = new Jedis("127.0.0.1", redisProcess.port(), 10_000);
        ringkv = new Jedis("127.0.0.1", ringkvServer.port(), 10_000);
    }

    /**
     * Every value shape the issue names: all go through Redis's deterministic encoder (INT, raw, LZF).
     */
    static Map<String, byte[]> shapes()
    {
        final Map<String, byte[]> shapes = new LinkedHashMap<>();
        for (final String text : List.of("", "0", "1", "-1", "12", "127", "128", "-128", "-129", "32767", "32768",
            "-32768", "-32769", "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807",
            "-9223372036854775808", "99999999999999999999", "007", "+1", "-0", " 1", "3.14"))
        {
            shapes.put("text " + text, ascii(text));
        }
        shapes.put("20 bytes of a", ascii("a".repeat(20)));
        shapes.put("21 bytes of a", ascii("a".repeat(21)));
        shapes.put("22 bytes of a", ascii("a".repeat(22)));
        shapes.put("21 bytes, incompressible", ascii("hello, dumping world!"));
        shapes.put("20 bytes, incompressible", ascii("hello, dumping world"));
        final StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 10 * 1024; i++)
        {
            text.append("line ").append(i).append(": the quick brown fox jumps over the lazy dog\n");
        }
        shapes.put("10 KB compressible", ascii(text.substring(0, 10 * 1024)));
        final byte[] random = new byte[1024 * 1024];
        new Random(42).nextBytes(random);
        shapes.put("1 MB random", random);
        shapes.put("binary with NULs and CRLF", new byte[]{0, 1, 0, '\r', '\n', (byte)0xff, 0, 0, (byte)0x80, 0});
        final byte[] zeros = new byte[4096];
        shapes.put("4 KB of NULs", zeros);
        return shapes;
    }

    @Test
    void payloadsTravelBothWaysAndAreByteIdentical()
    {
        for (final Map.Entry<String, byte[]> shape : shapes().entrySet())
        {
            final String name = shape.getKey();
            final byte[] value = shape.getValue();
            final byte[] key = ascii("shape:" + name);

            assertEquals("OK", redis.set(key, value));
            final byte[] redisPayload = redis.dump(key);
            assertNotNull(redisPayload, name);

            // Redis -> ringkv
            assertEquals("OK", ringkv.restore(key, 0, redisPayload, RestoreParams.restoreParams().replace()), name);
            assertArrayEquals(value, ringkv.get(key), name);
            assertArrayEquals(redisPayload, ringkv.dump(key), name + ": DUMP of the restored value");

            // ringkv -> Redis
            final byte[] setKey = ascii("set:" + name);
            assertEquals("OK", ringkv.set(setKey, value));
            final byte[] ringkvPayload = ringkv.dump(setKey);
            assertArrayEquals(redisPayload, ringkvPayload, name + ": payload differs from Redis's");
            assertEquals("OK", redis.restore(setKey, 0, ringkvPayload), name);
            assertArrayEquals(value, redis.get(setKey), name);
        }
    }

    @Test
    void hashesTravelBothWays()
    {
        final Random random = new Random(5);
        for (final int fields : new int[]{1, 3, 100, 512, 513, 2000})
        {
            final Map<String, String> hash = new java.util.HashMap<>();
            for (int i = 0; i < fields; i++)
            {
                hash.put("field:" + i, random.nextBoolean() ? Integer.toString(random.nextInt()) :
                    "v".repeat(random.nextInt(fields == 3 ? 80 : 60)));
            }
            final String key = "hash" + fields;
            redis.del(key);
            ringkv.del(key);
            redis.hset(key, hash);
            ringkv.hset(key, hash);
            assertEquals(redis.objectEncoding(key), ringkv.objectEncoding(key), key);
            final byte[] fromRedis = redis.dump(key);
            final byte[] fromRingkv = ringkv.dump(key);
            if ("listpack".equals(redis.objectEncoding(key)))
            {
                assertArrayEquals(fromRedis, fromRingkv, key + ": a listpack hash dumps to Redis's bytes");
            }
            redis.del(key);
            ringkv.del(key);
            assertEquals("OK", redis.restore(key, 0, fromRingkv));
            assertEquals("OK", ringkv.restore(key, 0, fromRedis));
            assertEquals(hash, redis.hgetAll(key), key + " in Redis, from ringkv");
            assertEquals(hash, ringkv.hgetAll(key), key + " in ringkv, from Redis");
            assertEquals(redis.objectEncoding(key), ringkv.objectEncoding(key), key);
        }
    }

    /**
     * Sets both ways, every encoding each side can reach: intsets of each width (byte-identical), at and past
     * set-max-intset-entries, tables of strings and of integers only; each side loads the other's payload into the
     * same members and the same encoding.
     */
    @Test
    void setsTravelBothWays()
    {
        final Random random = new Random(6);
        for (final int members : new int[]{1, 3, 100, 512, 513, 5000})
        {
            for (final int kind : new int[]{0, 1, 2, 3})
            {
                final java.util.Set<String> set = new java.util.HashSet<>();
                while (set.size() < members)
                {
                    set.add(switch (kind)
                    {
                        case 0 -> Integer.toString(random.nextInt(30_000) - 15_000);
                        case 1 -> Long.toString(random.nextLong());
                        case 2 -> Integer.toString(random.nextInt());
                        default -> "x".repeat(random.nextInt(40)) + random.nextInt();
                    });
                }
                final String key = "set" + members + "." + kind;
                for (final Jedis side : List.of(redis, ringkv))
                {
                    side.del(key);
                    side.sadd(key, set.toArray(String[]::new));
                    if (kind == 2)
                    {
                        // A table of integers only: dumped as RDB_TYPE_SET, loaded as an intset up to the limit.
                        side.sadd(key, "drop");
                        side.srem(key, "drop");
                    }
                }
                assertEquals(redis.objectEncoding(key), ringkv.objectEncoding(key), key);
                final String loadedEncoding = kind == 2 && members <= 512 ? "intset" : redis.objectEncoding(key);
                final byte[] fromRedis = redis.dump(key);
                final byte[] fromRingkv = ringkv.dump(key);
                if ("intset".equals(redis.objectEncoding(key)))
                {
                    assertArrayEquals(fromRedis, fromRingkv, key + ": an intset dumps to Redis's bytes");
                }
                redis.del(key);
                ringkv.del(key);
                assertEquals("OK", redis.restore(key, 0, fromRingkv));
                assertEquals("OK", ringkv.restore(key, 0, fromRedis));
                assertEquals(set, redis.smembers(key), key + " in Redis, from ringkv");
                assertEquals(set, ringkv.smembers(key), key + " in ringkv, from Redis");
                assertEquals(loadedEncoding, redis.objectEncoding(key), key);
                assertEquals(loadedEncoding, ringkv.objectEncoding(key), key);
            }
        }
    }

    @Test
    void dumpOfMissingKeyIsNil()
    {
        assertEquals(call(redis, "DUMP", "no-such-key"), call(ringkv, "DUMP", "no-such-key"));
        assertEquals("(nil)", call(ringkv, "DUMP", "no-such-key"));
    }

    @Test
    void restoreAnswersLikeRedis()
    {
        final byte[] payload = dumpFromRedis("hello");
        final List<Object[]> requests = new ArrayList<>();
        requests.add(new Object[]{"SET", "r:busy", "old"});
        requests.add(new Object[]{"RESTORE", "r:busy", "0", payload});
        requests.add(new Object[]{"GET", "r:busy"});
        requests.add(new Object[]{"RESTORE", "r:busy", "0", payload, "REPLACE"});
        requests.add(new Object[]{"GET", "r:busy"});
        requests.add(new Object[]{"RESTORE", "r:ttl", "-1", payload});
        requests.add(new Object[]{"RESTORE", "r:ttl", "abc", payload});
        requests.add(new Object[]{"RESTORE", "r:ttl", "0", payload, "BOGUS"});
        requests.add(new Object[]{"RESTORE", "r:ttl", "0", payload, "IDLETIME"});
        requests.add(new Object[]{"RESTORE", "r:ttl", "0", payload, "IDLETIME", "-1"});
        requests.add(new Object[]{"RESTORE", "r:ttl", "0", payload, "IDLETIME", "x"});
        requests.add(new Object[]{"RESTORE", "r:ttl", "0", payload, "FREQ", "256"});
        requests.add(new Object[]{"RESTORE", "r:ttl", "0", payload, "FREQ", "-1"});
        requests.add(new Object[]{"RESTORE", "r:ttl", "0", payload, "IDLETIME", "1", "FREQ", "2"});
        requests.add(new Object[]{"RESTORE", "r:ttl", "0", payload, "FREQ", "2", "IDLETIME", "1"});
        requests.add(new Object[]{"EXISTS", "r:ttl"});
        requests.add(new Object[]{"RESTORE", "r:idle", "0", payload, "IDLETIME", "100"});
        requests.add(new Object[]{"RESTORE", "r:freq", "0", payload, "FREQ", "200", "replace"});
        requests.add(new Object[]{"RESTORE", "r:ttl", "100000", payload});
        requests.add(new Object[]{"RESTORE", "r:abs", "1", payload, "ABSTTL"});
        requests.add(new Object[]{"EXISTS", "r:abs"});
        requests.add(new Object[]{"SET", "r:gone", "x"});
        requests.add(new Object[]{"RESTORE", "r:gone", "1", payload, "ABSTTL", "REPLACE"});
        requests.add(new Object[]{"EXISTS", "r:gone"});
        requests.add(new Object[]{"RESTORE", "r:never", "0", payload, "ABSTTL"});
        requests.add(new Object[]{"TTL", "r:never"});
        requests.add(new Object[]{"RESTORE", "r:far", "99999999999999", payload, "ABSTTL"});
        requests.add(new Object[]{"EXPIRETIME", "r:far"});
        requests.add(new Object[]{"RESTORE", "r:arity", "0"});
        for (final Object[] request : requests)
        {
            assertEquals(call(redis, request), call(ringkv, request), Arrays.toString(request));
        }
        final long pttl = ringkv.pttl("r:ttl");
        assertTrue(pttl > 90_000 && pttl <= 100_000, "PTTL after RESTORE with ttl 100000: " + pttl);
        assertEquals("hello", ringkv.get("r:never"));
    }

    @Test
    void corruptPayloadsGetRedisErrorsAndChangeNothing()
    {
        final byte[] good = dumpFromRedis("the value that a corrupt payload must not replace, long enough to LZF? no");
        final List<byte[]> bad = new ArrayList<>();
        for (final int index : new int[]{0, 1, 5, good.length - 10, good.length - 9, good.length - 1})
        {
            final byte[] flipped = good.clone();
            flipped[index] ^= 0x10;
            bad.add(flipped);
        }
        for (final int length : new int[]{0, 1, 9, 10, good.length - 1})
        {
            bad.add(Arrays.copyOf(good, length));
        }
        bad.add(withFooter(new byte[]{0, 1, 'a'}, 11));            // newer RDB version
        bad.add(withFooter(new byte[]{(byte)0xc3, 5, 100, 1}, 10)); // LZF claims too much
        bad.add(withFooter(new byte[]{1, 0}, 10));                 // a list (type 1): Redis rejects, so do we
        assertEquals("OK", redis.set("victim", "kept"));
        assertEquals("OK", ringkv.set("victim", "kept"));
        for (final byte[] payload : bad)
        {
            final String label = hex(payload);
            final Object ringkvReply = call(ringkv, "RESTORE", "victim", "0", payload, "REPLACE");
            assertEquals(call(redis, "RESTORE", "victim", "0", payload, "REPLACE"), ringkvReply, label);
            assertTrue(String.valueOf(ringkvReply).startsWith("(error) ERR "), label + " -> " + ringkvReply);
            assertEquals("kept", ringkv.get("victim"), label);
        }

        // Stricter than Redis (docs/dump-format.md): Redis reads a short body on into the footer and ignores bytes
        // after the value; ringkv's reader wants the body to be exactly one value.
        for (final byte[] payload : List.of(withFooter(new byte[]{0, 5, 'a', 'b'}, 10),
            withFooter(new byte[]{0, 1, 'a', 'b'}, 10), withFooter(new byte[]{0, (byte)0xc0}, 10)))
        {
            assertEquals("(error) ERR Bad data format", call(ringkv, "RESTORE", "victim", "0", payload, "REPLACE"));
            assertEquals("OK", call(redis, "RESTORE", "victim", "0", payload, "REPLACE"));
            assertEquals("kept", ringkv.get("victim"));
        }
        final byte[] badJson = withFooter(new byte[]{(byte)0x80, 3, '{', 'a', '}'}, 10);
        assertEquals("(error) ERR Bad data format", call(ringkv, "RESTORE", "victim", "0", badJson, "REPLACE"));
        assertEquals("kept", ringkv.get("victim"));
    }

    @Test
    void jsonDocumentsRestoreInRingkvAndAreRefusedByRedis() throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", ringkvServer.port()))
        {
            final OutputStream out = socket.getOutputStream();
            final BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.write("{\"cmd\":\"set\",\"key\":\"doc\",\"value\":{\"a\":[1,2,{\"b\":null}]}}\n"
                .getBytes(StandardCharsets.UTF_8));
            assertEquals("{}", in.readLine());
        }
        final byte[] payload = ringkv.dump(ascii("doc"));
        assertEquals((byte)0x80, payload[0]);
        assertEquals("(error) ERR Bad data format", call(redis, "RESTORE", "doc", "0", payload));
        assertEquals("0", String.valueOf(call(redis, "EXISTS", "doc")));

        assertEquals("OK", call(ringkv, "RESTORE", "doc2", "0", payload));
        assertEquals("json", call(ringkv, "TYPE", "doc2"));
        assertEquals("{\"a\":[1,2,{\"b\":null}]}", ringkv.get("doc2"));
        assertArrayEquals(payload, ringkv.dump(ascii("doc2")));
    }

    @Test
    void restoreOverTheMemoryBudgetIsOomAndChangesNothing() throws Exception
    {
        final byte[] big = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(big);
        assertEquals("OK", redis.set(ascii("big"), big));
        final byte[] payload = redis.dump(ascii("big"));
        try (TestServer small = TestServer.start("maxmemory", "4mb");
            Jedis jedis = new Jedis("127.0.0.1", small.port(), 10_000))
        {
            assertEquals("OK", jedis.set("big", "small"));
            assertEquals("(error) OOM command not allowed when used memory > 'maxmemory'.",
                call(jedis, "RESTORE", "big", "0", payload, "REPLACE"));
            assertEquals("small", jedis.get("big"));
        }
    }

    private static byte[] dumpFromRedis(final String value)
    {
        redis.set("dump-source", value);
        return redis.dump(ascii("dump-source"));
    }

    /**
     * @return body + little-endian version + CRC-64 of both: a payload whose footer is right.
     */
    private static byte[] withFooter(final byte[] body, final int version)
    {
        final byte[] payload = Arrays.copyOf(body, body.length + 10);
        final ByteBuffer footer = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        footer.putShort(body.length, (short)version);
        footer.putLong(body.length + 2, Crc64.compute(new UnsafeBuffer(payload), 0, body.length + 2));
        return payload;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String hex(final byte[] bytes)
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 40); i++)
        {
            out.append(String.format("%02x", bytes[i] & 0xff));
        }
        return out.toString();
    }
}
