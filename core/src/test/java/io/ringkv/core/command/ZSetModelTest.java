package io.ringkv.core.command;

import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sorted sets against a model (a HashMap member to score plus a TreeSet ordered by score then member, as Redis
 * orders), through the command layer, across listpack to skip list conversions (small limits so conversions and
 * big skip lists both happen often): ZADD (with flags), ZINCRBY, ZREM, ZPOPMIN/MAX, ZREMRANGEBYRANK/SCORE, and
 * every read (ZSCORE, ZRANK, ZREVRANK, ZCOUNT, ZRANGE by rank/score, COPY of a key) checked against the model.
 * The bounded run is a million operations (about 25 s); the slow-tagged one runs three million.
 */
class ZSetModelTest
{
    private final EngineHarness kv = new EngineHarness();

    @AfterEach
    void close()
    {
        kv.close();
    }

    private record Member(String name, double score)
    {
    }

    private static final Comparator<Member> ORDER = Comparator.comparingDouble(Member::score)
        .thenComparing(Member::name, ZSetModelTest::compareBytes);

    private static int compareBytes(final String a, final String b)
    {
        final byte[] x = a.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        final byte[] y = b.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return java.util.Arrays.compareUnsigned(x, y);
    }

    /** One sorted set's model. */
    private static final class Model
    {
        final Map<String, Double> scores = new HashMap<>();
        final TreeSet<Member> order = new TreeSet<>(ORDER);

        void put(final String member, final double score)
        {
            final Double old = scores.put(member, score);
            if (old != null)
            {
                order.remove(new Member(member, old));
            }
            order.add(new Member(member, score));
        }

        void remove(final String member)
        {
            final Double old = scores.remove(member);
            if (old != null)
            {
                order.remove(new Member(member, old));
            }
        }

        List<Member> list()
        {
            return new ArrayList<>(order);
        }
    }

    @Test
    void behavesAsTheModelAcrossEncodings()
    {
        run(20261205L, 1_000_000);
    }

    @Test
    @Tag("slow")
    void behavesAsTheModelLong()
    {
        run(Long.getLong("ringkv.test.seed", 7), Integer.getInteger("ringkv.test.operations", 3_000_000));
    }

    private static String score(final double d)
    {
        return Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : Double.toString(d);
    }

    private static double parseReplyDouble(final String reply)
    {
        final String text = reply.substring(1);
        return text.equals("Infinity") ? Double.POSITIVE_INFINITY : text.equals("-Infinity") ?
            Double.NEGATIVE_INFINITY : Double.parseDouble(text);
    }

    private void run(final long seed, final int operations)
    {
        kv.keyspace.collectionLimits().zsetMaxListpackEntries(16);
        final Random random = new Random(seed);
        final Map<String, Model> models = new HashMap<>();
        int conversions = 0;
        for (int op = 0; op < operations; op++)
        {
            final String key = "z" + random.nextInt(6);
            final Model model = models.computeIfAbsent(key, k -> new Model());
            // Keys 0-2 stay mostly small, 3-5 grow into the thousands.
            final int range = key.charAt(1) < '3' ? 24 : 3000;
            final String member = random.nextInt(50) == 0 ? "long-" + "x".repeat(70) + random.nextInt(4) :
                "m" + random.nextInt(range);
            final double s = random.nextInt(20) == 0 ? (random.nextBoolean() ? Double.POSITIVE_INFINITY :
                Double.NEGATIVE_INFINITY) : random.nextInt(8) == 0 ? random.nextInt(10) : random.nextInt(2000) / 8.0;
            final int kind = random.nextInt(100);
            if (kind < 40)
            {
                final boolean existed = model.scores.containsKey(member);
                assertEquals(existed ? ":0" : ":1", kv.exec("ZADD", key, score(s), member));
                model.put(member, s);
            }
            else if (kind < 45)
            {
                final Double old = model.scores.get(member);
                final boolean gt = random.nextBoolean();
                final boolean update = old == null || (gt ? s > old : s < old);
                assertEquals(update && !(old != null && old == s) ? ":1" : ":0",
                    kv.exec("ZADD", key, gt ? "GT" : "LT", "CH", score(s), member));
                if (update)
                {
                    model.put(member, s);
                }
            }
            else if (kind < 50)
            {
                final Double old = model.scores.get(member);
                final double result = (old == null ? 0 : old) + s;
                final String reply = kv.exec("ZINCRBY", key, score(s), member);
                if (Double.isNaN(result))
                {
                    assertEquals("-" + ZSetCommands.NAN_RESULT, reply);
                }
                else
                {
                    assertEquals(result, parseReplyDouble(reply), reply);
                    model.put(member, result);
                }
            }
            else if (kind < 62)
            {
                final boolean existed = model.scores.containsKey(member);
                assertEquals(existed ? ":1" : ":0", kv.exec("ZREM", key, member));
                model.remove(member);
            }
            else if (kind < 66)
            {
                final boolean max = random.nextBoolean();
                final int count = 1 + random.nextInt(3);
                final List<Member> list = model.list();
                final StringBuilder expected = new StringBuilder("[");
                for (int i = 0; i < Math.min(count, list.size()); i++)
                {
                    final Member m = max ? list.get(list.size() - 1 - i) : list.get(i);
                    expected.append(i > 0 ? ", " : "").append('$').append(m.name).append(", ,").append(m.score);
                    model.remove(m.name);
                }
                assertEquals(expected.append(']').toString(),
                    kv.exec(max ? "ZPOPMAX" : "ZPOPMIN", key, Integer.toString(count)));
            }
            else if (kind < 70)
            {
                final Double old = model.scores.get(member);
                assertEquals(old == null ? "(nil)" : "," + old, kv.exec("ZSCORE", key, member));
            }
            else if (kind < 76)
            {
                final List<Member> list = model.list();
                final Double old = model.scores.get(member);
                final int rank = old == null ? -1 : list.indexOf(new Member(member, old));
                assertEquals(old == null ? "(nil)" : ":" + rank, kv.exec("ZRANK", key, member));
                assertEquals(old == null ? "(nil)" : ":" + (list.size() - 1 - rank), kv.exec("ZREVRANK", key, member));
            }
            else if (kind < 82)
            {
                final double min = random.nextInt(2000) / 8.0;
                final double max = min + random.nextInt(400) / 8.0;
                final long count = model.scores.values().stream().filter(v -> v > min && v <= max).count();
                assertEquals(":" + count, kv.exec("ZCOUNT", key, "(" + min, Double.toString(max)));
                final StringBuilder expected = new StringBuilder("[");
                boolean first = true;
                for (final Member m : model.list())
                {
                    if (m.score > min && m.score <= max)
                    {
                        expected.append(first ? "" : ", ").append('$').append(m.name);
                        first = false;
                    }
                }
                assertEquals(expected.append(']').toString(),
                    kv.exec("ZRANGEBYSCORE", key, "(" + min, Double.toString(max)));
            }
            else if (kind < 88)
            {
                final List<Member> list = model.list();
                final int start = random.nextInt(40) - 20;
                final int stop = random.nextInt(60) - 20;
                final boolean rev = random.nextBoolean();
                final StringBuilder expected = new StringBuilder("[");
                int s0 = start < 0 ? list.size() + start : start;
                int e0 = stop < 0 ? list.size() + stop : stop;
                s0 = Math.max(s0, 0);
                e0 = Math.min(e0, list.size() - 1);
                for (int r = s0; r <= e0; r++)
                {
                    final Member m = rev ? list.get(list.size() - 1 - r) : list.get(r);
                    expected.append(r > s0 ? ", " : "").append('$').append(m.name);
                }
                assertEquals(expected.append(']').toString(), rev ?
                    kv.exec("ZREVRANGE", key, Integer.toString(start), Integer.toString(stop)) :
                    kv.exec("ZRANGE", key, Integer.toString(start), Integer.toString(stop)));
            }
            else if (kind < 90)
            {
                final List<Member> list = model.list();
                final int start = random.nextInt(10);
                final int stop = start + random.nextInt(10);
                int removed = 0;
                for (int r = start; r <= Math.min(stop, list.size() - 1); r++)
                {
                    model.remove(list.get(r).name);
                    removed++;
                }
                assertEquals(":" + removed, kv.exec("ZREMRANGEBYRANK", key, Integer.toString(start),
                    Integer.toString(stop)));
            }
            else if (kind < 91)
            {
                // COPY must copy the order as well as the members.
                kv.exec("DEL", "copy");
                kv.exec("COPY", key, "copy");
                assertEquals(kv.exec("ZRANGE", key, "0", "-1", "WITHSCORES"),
                    kv.exec("ZRANGE", "copy", "0", "-1", "WITHSCORES"));
            }
            else
            {
                assertEquals(":" + model.scores.size(), kv.exec("ZCARD", key));
            }
            final String type = kv.exec("TYPE", key);
            assertEquals(model.scores.isEmpty() ? "+none" : "+zset", type, "an empty sorted set never exists");
            if (op % 997 == 0)
            {
                conversions += encoding(key) == ValueEncoding.ZSET_SKIPLIST ? 1 : 0;
                final StringBuilder expected = new StringBuilder("[");
                boolean first = true;
                for (final Member m : model.list())
                {
                    expected.append(first ? "" : ", ").append('$').append(m.name).append(", ,").append(m.score);
                    first = false;
                }
                assertEquals(expected.append(']').toString(), kv.exec("ZRANGE", key, "0", "-1", "WITHSCORES"));
            }
        }
        assertTrue(conversions > 0, "skip lists were exercised");
    }

    private byte encoding(final String key)
    {
        final org.agrona.concurrent.UnsafeBuffer k = new org.agrona.concurrent.UnsafeBuffer(key.getBytes());
        final long address = kv.keyspace.lookup(0, k, 0, k.capacity());
        return address == Keyspace.NOT_FOUND ? -1 : new EntryFlyweight().wrap(address).encoding();
    }
}
