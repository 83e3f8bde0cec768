package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.RespConnection;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every sorted-set command side by side with a real redis-server 7.0.15, through both servers' RESP ports: the
 * replies' exact bytes must be equal, in RESP2 (scores as bulk strings, "%.17g") and RESP3 (doubles, nested
 * pairs). Random commands cover ZADD and its flags, ZINCRBY, ZREM, the reads, the whole ZRANGE family with LIMIT,
 * the ZREMRANGE commands, pops, ZMPOP, the algebra with WEIGHTS/AGGREGATE and plain sets as inputs, ZRANGESTORE,
 * OBJECT ENCODING across conversions; a fixed list covers hostile input (1e400, nan, "(" ranges, bad lex items, huge
 * counts, wrong types, arity). Lex ranges run on sets whose members share one score (Redis leaves other cases
 * undefined). ZRANDMEMBER and ZSCAN, whose answers depend on randomness or table layout, are compared by shape.
 * DUMP/RESTORE run both ways with byte-equal listpack payloads, and corrupt payloads are refused leaving no key.
 */
class ZSetDifferentialTest
{
    @AutoClose
    private static RedisServerProcess redisProcess;
    @AutoClose
    private static TestServer ringkvServer;

    @BeforeAll
    static void start() throws Exception
    {
        redisProcess = RedisServerProcess.start();
        ringkvServer = TestServer.start();
    }

    private static final String[] KEYS = {"z1", "z2", "z3"};

    @Test
    void randomCommandsReplyAsRedisInResp2AndResp3() throws Exception
    {
        for (final long seed : new long[]{1, 20261205})
        {
            run(seed, 2, 2_500);
            run(seed + 1, 3, 2_500);
        }
    }

    @Test
    @Tag("slow")
    void randomCommandsReplyAsRedisLong() throws Exception
    {
        run(Long.getLong("ringkv.test.seed", 7), 2, Integer.getInteger("ringkv.test.operations", 100_000));
    }

    private void run(final long seed, final int protocol, final int operations) throws Exception
    {
        try (RespConnection redis = new RespConnection(redisProcess.port(), protocol);
            RespConnection ringkv = new RespConnection(ringkvServer.port(), protocol))
        {
            redis.send("FLUSHALL");
            ringkv.send("FLUSHALL");
            final Random random = new Random(seed);
            final List<String> differences = new ArrayList<>();
            final List<String> history = new ArrayList<>();
            for (int i = 0; i < operations && differences.size() < 10; i++)
            {
                final String[] command = randomCommand(random);
                history.add(String.join(" ", command));
                final String theirs = redis.send(command);
                final String ours = ringkv.send(command);
                if (!theirs.equals(ours))
                {
                    differences.add("seed " + seed + " RESP" + protocol + " #" + i + " " + String.join(" ", command) +
                        "\n  redis:  " + theirs.replace("\r\n", " ").replace('\n', ' ') +
                        "\n  ringkv: " + ours.replace("\r\n", " ").replace('\n', ' ') + "\n  after: " +
                        String.join("\n    ", history.subList(Math.max(0, history.size() - 40), history.size())));
                }
            }
            assertEquals(List.of(), differences);
        }
    }

    private static String member(final Random random)
    {
        final int kind = random.nextInt(20);
        if (kind == 0)
        {
            return "long-" + "x".repeat(64) + random.nextInt(3);
        }
        if (kind < 3)
        {
            return Integer.toString(random.nextInt(100) - 50);
        }
        return "m" + random.nextInt(random.nextBoolean() ? 20 : 300);
    }

    private static String score(final Random random)
    {
        final int kind = random.nextInt(10);
        if (kind < 5)
        {
            return Integer.toString(random.nextInt(200) - 100);
        }
        if (kind < 8)
        {
            return String.format(java.util.Locale.ROOT, "%.3f", random.nextDouble() * 200 - 100);
        }
        final String[] odd = {"inf", "-inf", "+inf", "1e300", "-0", "0.1", "1.5e-7", "3.0000000000000004", "1e17",
            "123456789012345678", "0x10", "-Infinity"};
        return odd[random.nextInt(odd.length)];
    }

    private static String bound(final Random random)
    {
        if (random.nextInt(10) == 0)
        {
            return new String[]{"-inf", "+inf", "inf", "(inf", "(-inf"}[random.nextInt(5)];
        }
        return (random.nextInt(3) == 0 ? "(" : "") + (random.nextInt(200) - 100);
    }

    private static String lexBound(final Random random)
    {
        if (random.nextInt(6) == 0)
        {
            return random.nextBoolean() ? "-" : "+";
        }
        return (random.nextBoolean() ? "[" : "(") + "l" + random.nextInt(30);
    }

    private static String[] randomCommand(final Random random)
    {
        final String key = KEYS[random.nextInt(KEYS.length)];
        final String other = KEYS[random.nextInt(KEYS.length)];
        final int kind = random.nextInt(100);
        final List<String> c = new ArrayList<>();
        if (kind < 30)
        {
            c.add("ZADD");
            c.add(key);
            final String[] flags = {"NX", "XX", "GT", "LT", "CH", "INCR"};
            for (int i = random.nextInt(3); i > 0; i--)
            {
                c.add(flags[random.nextInt(flags.length)]);
            }
            for (int i = 1 + random.nextInt(random.nextBoolean() ? 3 : 12); i > 0; i--)
            {
                c.add(score(random));
                c.add(member(random));
            }
        }
        else if (kind < 34)
        {
            c.addAll(List.of("ZINCRBY", key, score(random), member(random)));
        }
        else if (kind < 39)
        {
            c.addAll(List.of("ZREM", key, member(random), member(random)));
        }
        else if (kind < 42)
        {
            c.addAll(List.of(random.nextBoolean() ? "ZSCORE" : "ZRANK", key, member(random)));
        }
        else if (kind < 44)
        {
            c.addAll(List.of(random.nextBoolean() ? "ZMSCORE" : "ZREVRANK", key, member(random)));
        }
        else if (kind < 47)
        {
            c.addAll(List.of("ZCOUNT", key, bound(random), bound(random)));
        }
        else if (kind < 52)
        {
            c.addAll(List.of("ZRANGE", key, Integer.toString(random.nextInt(400) - 200),
                Integer.toString(random.nextInt(400) - 200)));
            if (random.nextBoolean())
            {
                c.add("REV");
            }
            if (random.nextBoolean())
            {
                c.add("WITHSCORES");
            }
        }
        else if (kind < 57)
        {
            final boolean rev = random.nextBoolean();
            c.addAll(List.of(rev ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", key, bound(random), bound(random)));
            if (random.nextBoolean())
            {
                c.add("WITHSCORES");
            }
            if (random.nextBoolean())
            {
                c.addAll(List.of("LIMIT", Integer.toString(random.nextInt(6) - 1), Integer.toString(random.nextInt(25) - 2)));
            }
        }
        else if (kind < 60)
        {
            c.addAll(List.of("ZRANGE", key, bound(random), bound(random), "BYSCORE"));
            if (random.nextBoolean())
            {
                c.add("REV");
            }
            if (random.nextBoolean())
            {
                c.addAll(List.of("LIMIT", Integer.toString(random.nextInt(4)), Integer.toString(random.nextInt(8) - 1)));
            }
        }
        else if (kind < 66)
        {
            // Lex commands on "lex", whose members share a score.
            final String[] lex = {"ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT", "ZREMRANGEBYLEX"};
            final String name = random.nextInt(4) == 0 ? "ZADD" : lex[random.nextInt(random.nextInt(8) == 0 ? 4 : 3)];
            if (name.equals("ZADD"))
            {
                c.addAll(List.of("ZADD", "lex", "0", "l" + random.nextInt(30), "0", "l" + random.nextInt(30)));
            }
            else
            {
                c.addAll(List.of(name, "lex", lexBound(random), lexBound(random)));
                if (!name.equals("ZLEXCOUNT") && !name.equals("ZREMRANGEBYLEX") && random.nextBoolean())
                {
                    c.addAll(List.of("LIMIT", Integer.toString(random.nextInt(4)), Integer.toString(random.nextInt(8) - 1)));
                }
            }
        }
        else if (kind < 69)
        {
            c.addAll(List.of("ZREMRANGEBYSCORE", key, bound(random), bound(random)));
        }
        else if (kind < 71)
        {
            c.addAll(List.of("ZREMRANGEBYRANK", key, Integer.toString(random.nextInt(30) - 15),
                Integer.toString(random.nextInt(30) - 15)));
        }
        else if (kind < 75)
        {
            c.addAll(List.of(random.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX", key));
            if (random.nextBoolean())
            {
                c.add(Integer.toString(random.nextInt(5) - 1));
            }
        }
        else if (kind < 77)
        {
            c.addAll(List.of("ZMPOP", "2", key, other, random.nextBoolean() ? "MIN" : "MAX"));
            if (random.nextBoolean())
            {
                c.addAll(List.of("COUNT", Integer.toString(random.nextInt(5))));
            }
        }
        else if (kind < 85)
        {
            final String[] ops = {"ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"};
            final String op = ops[random.nextInt(ops.length)];
            c.add(op);
            final boolean store = op.endsWith("STORE");
            if (store)
            {
                c.add(KEYS[random.nextInt(KEYS.length)]);
            }
            c.add("2");
            c.add(key);
            c.add(random.nextInt(5) == 0 ? "plain" : other);
            if (!op.startsWith("ZDIFF") && random.nextBoolean())
            {
                c.addAll(List.of("WEIGHTS", new String[]{"1", "2", "-1", "0.5", "inf", "0"}[random.nextInt(6)],
                    new String[]{"1", "3", "-2"}[random.nextInt(3)]));
            }
            if (!op.startsWith("ZDIFF") && random.nextBoolean())
            {
                c.addAll(List.of("AGGREGATE", new String[]{"SUM", "MIN", "MAX"}[random.nextInt(3)]));
            }
            if (!store && random.nextBoolean())
            {
                c.add("WITHSCORES");
            }
        }
        else if (kind < 86)
        {
            c.addAll(List.of("SADD", "plain", member(random), Integer.toString(random.nextInt(40))));
        }
        else if (kind < 88)
        {
            c.addAll(List.of("ZINTERCARD", "2", key, other));
            if (random.nextBoolean())
            {
                c.addAll(List.of("LIMIT", Integer.toString(random.nextInt(4))));
            }
        }
        else if (kind < 90)
        {
            c.addAll(List.of("ZRANGESTORE", KEYS[random.nextInt(KEYS.length)], key, bound(random), bound(random),
                "BYSCORE"));
        }
        else if (kind < 93)
        {
            c.addAll(List.of("OBJECT", "ENCODING", key));
        }
        else if (kind < 95)
        {
            c.addAll(List.of(random.nextBoolean() ? "ZCARD" : "TYPE", key));
        }
        else if (kind < 96)
        {
            c.addAll(List.of("ZRANGE", key, "0", "-1", "WITHSCORES"));
        }
        else
        {
            c.addAll(List.of(random.nextBoolean() ? "DEL" : "UNLINK", key));
        }
        return c.toArray(new String[0]);
    }

    /** Hostile and edge input, each compared in both protocols. */
    private static final String[][] FIXED = {
        {"ZADD", "h", "1e400", "a"}, {"ZADD", "h", "nan", "a"}, {"ZADD", "h", "-nan", "a"}, {"ZADD", "h", "1e-400", "a"},
        {"ZADD", "h", " 1", "a"}, {"ZADD", "h", "1 ", "a"}, {"ZADD", "h", "", "a"}, {"ZADD", "h", "0x1p3", "a"},
        {"ZADD", "h", "1e", "a"}, {"ZADD", "h", "inf", "a", "-inf", "b", "1e-310", "c"}, {"ZADD", "h", "1"},
        {"ZADD", "h", "NX", "XX", "1", "a"}, {"ZADD", "h", "GT", "LT", "1", "a"}, {"ZADD", "h", "NX", "GT", "1", "a"},
        {"ZADD", "h", "INCR", "1", "a", "2", "b"}, {"ZADD", "h", "INCR", "-inf", "a"}, {"ZADD", "h", "INCR", "inf", "a"},
        {"ZINCRBY", "h", "nan", "a"}, {"ZINCRBY", "h", "abc", "a"}, {"ZRANGE", "h", "0", "-1", "WITHSCORES"},
        {"ZRANGEBYSCORE", "h", "(", "("}, {"ZRANGEBYSCORE", "h", "((1", "2"}, {"ZRANGEBYSCORE", "h", "nan", "1"},
        {"ZRANGEBYSCORE", "h", "1e400", "-1e400"}, {"ZRANGEBYSCORE", "h", "-1e400", "1e400", "WITHSCORES"},
        {"ZRANGEBYSCORE", "h", " 1", "2"}, {"ZRANGEBYSCORE", "h", "1", "2", "LIMIT", "0"},
        {"ZRANGEBYSCORE", "h", "-inf", "+inf", "LIMIT", "0", "9223372036854775807"},
        {"ZRANGEBYSCORE", "h", "-inf", "+inf", "LIMIT", "-9223372036854775808", "1"},
        {"ZRANGEBYSCORE", "h", "-inf", "+inf", "LIMIT", "x", "1"}, {"ZRANGEBYSCORE", "h", "-inf", "+inf", "REV"},
        {"ZRANGEBYLEX", "h", "a", "b"}, {"ZRANGEBYLEX", "h", "[a", "b"}, {"ZRANGEBYLEX", "h", "", "+"},
        {"ZRANGEBYLEX", "h", "-", "+", "WITHSCORES"}, {"ZLEXCOUNT", "h", "+", "-"},
        {"ZRANGE", "h", "0", "-1", "LIMIT", "0", "1"}, {"ZRANGE", "h", "0", "-1", "BYLEX", "WITHSCORES"},
        {"ZRANGE", "h", "0", "-1", "BYSCORE", "BYLEX"}, {"ZRANGE", "h", "0", "-1", "REV", "REV"},
        {"ZRANGE", "h", "-9223372036854775808", "9223372036854775807"}, {"ZRANGE", "h", "0", "x"},
        {"ZREVRANGE", "h", "0", "-1", "LIMIT", "0", "1"}, {"ZREVRANGE", "h", "0", "-1", "BYSCORE"},
        {"ZRANGESTORE", "d", "h", "0", "-1", "WITHSCORES"}, {"ZRANGESTORE", "d", "h", "0", "-1"},
        {"ZREMRANGEBYRANK", "d", "x", "1"}, {"ZREMRANGEBYSCORE", "d", "(x", "1"}, {"ZREMRANGEBYLEX", "d", "x", "y"},
        {"ZPOPMIN", "h", "-1"}, {"ZPOPMIN", "h", "x"}, {"ZPOPMIN", "h", "1", "2"},
        {"ZPOPMAX", "h", "9223372036854775807"}, {"ZMPOP", "0", "h", "MIN"}, {"ZMPOP", "-1", "h", "MIN"},
        {"ZMPOP", "5", "h", "MIN"}, {"ZMPOP", "1", "h", "MIN", "COUNT", "0"}, {"ZMPOP", "1", "h", "MIN", "COUNT"},
        {"ZMPOP", "1", "h", "MIN", "COUNT", "1", "COUNT", "2"}, {"ZMPOP", "1", "h", "LEFT"},
        {"ZMPOP", "abc", "h", "MIN"}, {"ZMPOP", "1", "h", "MIN", "COUNT", "abc"}, {"BZMPOP", "0", "abc", "h", "MIN"},
        {"BZMPOP", "0", "1", "h", "MIN", "COUNT", "x"},
        {"ZRANDMEMBER", "h", "0"}, {"ZRANDMEMBER", "h", "-9223372036854775808"},
        {"ZRANDMEMBER", "h", "-9223372036854775807", "WITHSCORES"}, {"ZRANDMEMBER", "h", "1", "WITHSCORE"},
        {"ZRANDMEMBER", "none", "5"}, {"ZRANDMEMBER", "none"},
        {"ZUNION", "0", "h"}, {"ZUNION", "x", "h"}, {"ZUNION", "3", "h"}, {"ZUNION", "1", "h", "WEIGHTS"},
        {"ZUNION", "1", "h", "WEIGHTS", "nan"}, {"ZUNION", "1", "h", "WEIGHTS", "1e400"},
        {"ZUNION", "1", "h", "AGGREGATE", "avg"}, {"ZDIFF", "1", "h", "WEIGHTS", "1"},
        {"ZUNIONSTORE", "d", "1", "h", "WITHSCORES"}, {"ZINTERCARD", "0", "h"}, {"ZINTERCARD", "1", "h", "LIMIT", "-1"},
        {"ZINTERCARD", "1", "h", "LIMIT"}, {"ZSCAN", "h", "x"}, {"ZSCAN", "h", "0", "COUNT", "0"},
        {"ZSCAN", "h", "0", "MATCH", "a*"}, {"SET", "s", "v"}, {"ZADD", "s", "1", "a"}, {"ZRANGE", "s", "0", "1"},
        {"ZUNION", "2", "h", "s"}, {"ZINTERCARD", "2", "h", "s"}, {"ZMPOP", "2", "none", "s", "MIN"},
        {"ZSCORE", "s", "a"}, {"ZCARD", "s"}, {"ZRANDMEMBER", "s"}, {"ZSCAN", "s", "0"}, {"ZCARD"},
        {"ZADD", "h"}, {"ZSCORE", "h"}, {"ZRANK", "h", "a", "b"}, {"TYPE", "h"}, {"OBJECT", "ENCODING", "h"},
    };

    @Test
    void hostileInputRepliesAsRedis() throws Exception
    {
        for (final int protocol : new int[]{2, 3})
        {
            try (RespConnection redis = new RespConnection(redisProcess.port(), protocol);
                RespConnection ringkv = new RespConnection(ringkvServer.port(), protocol))
            {
                redis.send("FLUSHALL");
                ringkv.send("FLUSHALL");
                final List<String> differences = new ArrayList<>();
                for (final String[] command : FIXED)
                {
                    final String theirs = redis.send(command);
                    final String ours = ringkv.send(command);
                    if (!theirs.equals(ours))
                    {
                        differences.add("RESP" + protocol + " " + String.join(" ", command) + "\n  redis:  " +
                            theirs.replace("\r\n", " ") + "\n  ringkv: " + ours.replace("\r\n", " "));
                    }
                }
                assertEquals(List.of(), differences);
            }
        }
    }

    @Test
    void dumpAndRestoreBothWaysWithByteEqualListpacks() throws Exception
    {
        try (RespConnection redis = new RespConnection(redisProcess.port(), 2);
            RespConnection ringkv = new RespConnection(ringkvServer.port(), 2))
        {
            final Random random = new Random(17);
            for (final int size : new int[]{1, 5, 128, 129, 1000})
            {
                for (final RespConnection from : List.of(redis, ringkv))
                {
                    final RespConnection to = from == redis ? ringkv : redis;
                    from.send("DEL", "d");
                    to.send("DEL", "d");
                    final List<String> zadd = new ArrayList<>(List.of("ZADD", "d"));
                    for (int i = 0; i < size; i++)
                    {
                        zadd.add(score(random).replace("0x10", "16"));
                        zadd.add(i == 0 && size == 5 ? "y".repeat(80) : "m" + i);
                    }
                    from.send(zadd.toArray(new String[0]));
                    final byte[] payload = payload(from.send("DUMP", "d"));
                    assertEquals("+OK\n", to.send("RESTORE", "d", "0", new String(payload, StandardCharsets.ISO_8859_1)));
                    assertEquals(from.send("ZRANGE", "d", "0", "-1", "WITHSCORES"),
                        to.send("ZRANGE", "d", "0", "-1", "WITHSCORES"), "size " + size);
                    assertEquals(from.send("OBJECT", "ENCODING", "d"), to.send("OBJECT", "ENCODING", "d"));
                    if (from.send("OBJECT", "ENCODING", "d").contains("listpack"))
                    {
                        assertTrue(Arrays.equals(payload, payload(to.send("DUMP", "d"))),
                            "a listpack's DUMP is Redis's bytes, size " + size);
                    }
                }
            }
        }
    }

    @Test
    void corruptPayloadsAreRefusedLeavingNoKey() throws Exception
    {
        try (RespConnection redis = new RespConnection(redisProcess.port(), 2);
            RespConnection ringkv = new RespConnection(ringkvServer.port(), 2))
        {
            for (final int size : new int[]{3, 200})
            {
                redis.send("DEL", "c");
                final List<String> zadd = new ArrayList<>(List.of("ZADD", "c"));
                for (int i = 0; i < size; i++)
                {
                    zadd.add(Double.toString(i * 1.5));
                    zadd.add("member" + i);
                }
                redis.send(zadd.toArray(new String[0]));
                final byte[] good = payload(redis.send("DUMP", "c"));
                int refused = 0;
                final int stride = Math.max(1, good.length * 8 / 1500);
                for (int bit = 0; bit < good.length * 8; bit += stride)
                {
                    final byte[] bad = good.clone();
                    bad[bit / 8] ^= (byte)(1 << (bit % 8));
                    refused += restoreRefusedLeavesNothing(ringkv, bad) ? 1 : 0;
                }
                for (int length = 0; length < good.length; length += Math.max(1, good.length / 300))
                {
                    assertTrue(restoreRefusedLeavesNothing(ringkv, Arrays.copyOf(good, length)), "truncated");
                }
                assertTrue(refused > 0);
            }
        }
    }

    /** @return true when RESTORE refused the payload (then no key may exist); a bit flip the CRC misses may pass. */
    private static boolean restoreRefusedLeavesNothing(final RespConnection ringkv, final byte[] payload) throws IOException
    {
        ringkv.send("DEL", "c2");
        final String reply = ringkv.send("RESTORE", "c2", "0", new String(payload, StandardCharsets.ISO_8859_1));
        if (reply.startsWith("-"))
        {
            assertEquals(":0\n", ringkv.send("EXISTS", "c2"), "a refused RESTORE leaves no key");
            return true;
        }
        return false;
    }

    private static byte[] payload(final String bulkReply)
    {
        final int newline = bulkReply.indexOf('\n');
        final int length = Integer.parseInt(bulkReply.substring(1, newline));
        return bulkReply.substring(newline + 1, newline + 1 + length).getBytes(StandardCharsets.ISO_8859_1);
    }
}
