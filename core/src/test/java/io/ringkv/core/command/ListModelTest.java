package io.ringkv.core.command;

import io.ringkv.core.store.ValueEncoding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The list commands against a model (an ArrayDeque per key, copied to an ArrayList for positional operations):
 * a million random operations with a fixed seed over a few keys whose lists grow to thousands of elements and
 * shrink to nothing, while the node limit (list-max-listpack-size) changes between small counts and byte limits,
 * so every path of the in-entry listpack, its conversion to a node chain, node splits and node removals is taken.
 * After every operation the reply matches the model's; at the end every list reads back whole.
 */
final class ListModelTest
{
    private final EngineHarness kv = new EngineHarness();

    @AfterEach
    void close()
    {
        kv.close();
    }

    @Test
    void behavesAsAnArrayDequeAcrossEncodings()
    {
        final Random random = new Random(20261205);
        final Map<String, ArrayDeque<String>> model = new HashMap<>();
        final long[] fills = {-2, -1, 3, 7, 1, -5, 128};
        boolean sawChain = false;
        for (int op = 0; op < 1_000_000; op++)
        {
            if (op % 20_000 == 0)
            {
                kv.keyspace.collectionLimits().listMaxListpackSize(fills[random.nextInt(fills.length)]);
            }
            final String key = "k" + random.nextInt(4);
            final ArrayDeque<String> list = model.computeIfAbsent(key, k -> new ArrayDeque<>());
            final int size = list.size();
            final boolean grow = size < 50 || (size < 3000 && random.nextInt(100) < 52);
            final int kind = random.nextInt(100);
            if (kind < 30 && (grow || kind < 5))
            {
                final boolean left = random.nextBoolean();
                final int n = 1 + random.nextInt(random.nextInt(10) == 0 ? 40 : 3);
                final String[] args = new String[2 + n];
                args[0] = left ? "LPUSH" : "RPUSH";
                args[1] = key;
                for (int i = 0; i < n; i++)
                {
                    args[2 + i] = element(random, op);
                    if (left)
                    {
                        list.addFirst(args[2 + i]);
                    }
                    else
                    {
                        list.addLast(args[2 + i]);
                    }
                }
                assertEquals(":" + list.size(), kv.exec(args), "op " + op);
            }
            else if (kind < 42)
            {
                final boolean left = random.nextBoolean();
                if (random.nextBoolean())
                {
                    final String expected = list.isEmpty() ? "(nil)" : "$" + (left ? list.pollFirst() : list.pollLast());
                    assertEquals(expected, kv.exec(left ? "LPOP" : "RPOP", key), "op " + op);
                }
                else
                {
                    final int count = random.nextInt(random.nextInt(20) == 0 ? 5000 : 5);
                    final String reply = kv.exec(left ? "LPOP" : "RPOP", key, Integer.toString(count));
                    if (list.isEmpty())
                    {
                        assertEquals("(nil)", reply.replace("*-1", "(nil)").replace("*(nil)", "(nil)"), "op " + op);
                    }
                    else
                    {
                        final List<String> popped = new ArrayList<>();
                        for (int i = 0; i < count && !list.isEmpty(); i++)
                        {
                            popped.add(left ? list.pollFirst() : list.pollLast());
                        }
                        assertEquals(array(popped), reply, "op " + op);
                    }
                }
            }
            else if (kind < 52)
            {
                final int start = randomIndex(random, size);
                final int stop = randomIndex(random, size);
                assertEquals(array(range(new ArrayList<>(list), start, stop)),
                    kv.exec("LRANGE", key, Integer.toString(start), Integer.toString(stop)), "op " + op);
            }
            else if (kind < 58)
            {
                final int index = randomIndex(random, size);
                final int at = index < 0 ? size + index : index;
                final String expected = at < 0 || at >= size ? "(nil)" : "$" + new ArrayList<>(list).get(at);
                assertEquals(expected, kv.exec("LINDEX", key, Integer.toString(index)), "op " + op);
            }
            else if (kind < 64)
            {
                final int index = randomIndex(random, size);
                final int at = index < 0 ? size + index : index;
                final String value = element(random, op);
                final String reply = kv.exec("LSET", key, Integer.toString(index), value);
                if (size == 0)
                {
                    assertEquals("-ERR no such key", reply, "op " + op);
                }
                else if (at < 0 || at >= size)
                {
                    assertEquals("-ERR index out of range", reply, "op " + op);
                }
                else
                {
                    assertEquals("+OK", reply, "op " + op);
                    final List<String> copy = new ArrayList<>(list);
                    copy.set(at, value);
                    replace(list, copy);
                }
            }
            else if (kind < 70 && grow)
            {
                final List<String> copy = new ArrayList<>(list);
                final String pivot = size > 0 && random.nextInt(5) > 0 ? copy.get(random.nextInt(size)) : "absent";
                final boolean after = random.nextBoolean();
                final String value = element(random, op);
                final String reply = kv.exec("LINSERT", key, after ? "AFTER" : "BEFORE", pivot, value);
                final int at = copy.indexOf(pivot);
                if (size == 0)
                {
                    assertEquals(":0", reply, "op " + op);
                }
                else if (at < 0)
                {
                    assertEquals(":-1", reply, "op " + op);
                }
                else
                {
                    copy.add(after ? at + 1 : at, value);
                    replace(list, copy);
                    assertEquals(":" + list.size(), reply, "op " + op);
                }
            }
            else if (kind < 76)
            {
                final List<String> copy = new ArrayList<>(list);
                final String value = size > 0 && random.nextBoolean() ? copy.get(random.nextInt(size)) : "1";
                final int count = random.nextInt(7) - 3;
                int removed = 0;
                if (count >= 0)
                {
                    for (int i = 0; i < copy.size() && (count == 0 || removed < count); )
                    {
                        if (copy.get(i).equals(value))
                        {
                            copy.remove(i);
                            removed++;
                        }
                        else
                        {
                            i++;
                        }
                    }
                }
                else
                {
                    for (int i = copy.size() - 1; i >= 0 && removed < -count; i--)
                    {
                        if (copy.get(i).equals(value))
                        {
                            copy.remove(i);
                            removed++;
                        }
                    }
                }
                replace(list, copy);
                assertEquals(":" + removed, kv.exec("LREM", key, Integer.toString(count), value), "op " + op);
            }
            else if (kind < 79 && !grow)
            {
                final int start = randomIndex(random, size) / 4;
                final int stop = random.nextInt(4) == 0 ? -1 - random.nextInt(3) : size - 1 - random.nextInt(size / 3 + 1);
                final List<String> kept = range(new ArrayList<>(list), start, stop);
                replace(list, kept);
                assertEquals("+OK", kv.exec("LTRIM", key, Integer.toString(start), Integer.toString(stop)), "op " + op);
            }
            else if (kind < 85)
            {
                final List<String> copy = new ArrayList<>(list);
                final String value = size > 0 && random.nextBoolean() ? copy.get(random.nextInt(size)) : "1";
                final int[] ranks = {1, 2, 3, -1, -2, -3};
                final int rank = ranks[random.nextInt(ranks.length)];
                final int count = random.nextInt(4);
                final int maxlen = random.nextInt(3) == 0 ? random.nextInt(size + 1) : 0;
                final List<Integer> matches = positions(copy, value, rank, count == 0 ? Integer.MAX_VALUE : count, maxlen);
                final StringJoiner expected = new StringJoiner(", ", "[", "]");
                matches.forEach(m -> expected.add(":" + m));
                assertEquals(expected.toString(), kv.exec("LPOS", key, value, "RANK", Integer.toString(rank),
                    "COUNT", Integer.toString(count), "MAXLEN", Integer.toString(maxlen)), "op " + op);
            }
            else if (kind < 93)
            {
                final String destination = "k" + random.nextInt(4);
                final ArrayDeque<String> target = model.computeIfAbsent(destination, k -> new ArrayDeque<>());
                final boolean fromLeft = random.nextBoolean();
                final boolean toLeft = random.nextBoolean();
                final String reply = kv.exec("LMOVE", key, destination, fromLeft ? "LEFT" : "RIGHT",
                    toLeft ? "LEFT" : "RIGHT");
                if (list.isEmpty())
                {
                    assertEquals("(nil)", reply, "op " + op);
                }
                else
                {
                    final String moved = fromLeft ? list.pollFirst() : list.pollLast();
                    if (toLeft)
                    {
                        target.addFirst(moved);
                    }
                    else
                    {
                        target.addLast(moved);
                    }
                    assertEquals("$" + moved, reply, "op " + op);
                }
            }
            else
            {
                assertEquals(":" + size, kv.exec("LLEN", key), "op " + op);
            }
            for (final Map.Entry<String, ArrayDeque<String>> e : model.entrySet())
            {
                if (e.getValue().isEmpty() && op % 7 == 0)
                {
                    assertEquals(":0", kv.exec("EXISTS", e.getKey()), "op " + op);
                }
            }
            sawChain |= encodingOf(key) == ValueEncoding.LIST_QUICKLIST;
        }
        for (final Map.Entry<String, ArrayDeque<String>> e : model.entrySet())
        {
            assertEquals(array(new ArrayList<>(e.getValue())), kv.exec("LRANGE", e.getKey(), "0", "-1"), e.getKey());
        }
        assertTrue(sawChain, "some list became a node chain");
    }

    private byte encodingOf(final String key)
    {
        final long address = kv.keyspace.lookup(0, new org.agrona.concurrent.UnsafeBuffer(key.getBytes()), 0,
            key.length());
        return address == io.ringkv.core.store.Keyspace.NOT_FOUND ? -1 :
            new io.ringkv.core.store.EntryFlyweight().wrap(address).encoding();
    }

    private static String element(final Random random, final int op)
    {
        return switch (random.nextInt(20))
        {
            case 0 -> "L" + "x".repeat(random.nextInt(3) == 0 ? 9000 : 100 + random.nextInt(300));
            case 1, 2, 3, 4, 5 -> Integer.toString(random.nextInt(2000) - 1000);
            case 6 -> Long.toString(random.nextLong());
            case 7 -> "";
            default -> "e" + random.nextInt(op % 3 == 0 ? 30 : 100_000);
        };
    }

    private static int randomIndex(final Random random, final int size)
    {
        final int bound = size + 3;
        return random.nextInt(2 * bound) - bound;
    }

    private static List<String> range(final List<String> list, long start, long end)
    {
        final long length = list.size();
        start = start < 0 ? Math.max(0, length + start) : start;
        end = end < 0 ? length + end : end;
        if (start > end || start >= length)
        {
            return Collections.emptyList();
        }
        end = Math.min(end, length - 1);
        return new ArrayList<>(list.subList((int)start, (int)end + 1));
    }

    private static List<Integer> positions(final List<String> list, final String value, final int rank,
        final int count, final int maxlen)
    {
        final List<Integer> found = new ArrayList<>();
        int matches = 0;
        for (int n = 0; n < list.size() && (maxlen == 0 || n < maxlen); n++)
        {
            final int i = rank > 0 ? n : list.size() - 1 - n;
            if (list.get(i).equals(value) && ++matches >= Math.abs(rank))
            {
                found.add(i);
                if (found.size() >= count)
                {
                    break;
                }
            }
        }
        return found;
    }

    private static void replace(final ArrayDeque<String> list, final List<String> with)
    {
        list.clear();
        list.addAll(with);
    }

    private static String array(final List<String> items)
    {
        final StringJoiner joiner = new StringJoiner(", ", "[", "]");
        items.forEach(item -> joiner.add("$" + item));
        return joiner.toString();
    }
}
