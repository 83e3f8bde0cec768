package io.ringkv.core.command;

import io.ringkv.core.testing.RedisServerProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Differential test of every list command against a real redis-server 7.0.15: the same random commands (good and
 * hostile arguments: indexes and counts out of range, at the limits of 64 bits, not numbers, options missing or
 * repeated, wrong types) go to Redis and to ringkv's engine, and every reply must be equal. Each seed runs with its
 * own node limit on both sides (list-max-listpack-size), so that lists cross from one listpack to node chains.
 * <p>
 * Every build runs a bounded version; the long one is tagged slow:
 * {@code -Dgroups=slow -Dsurefire.excludedGroups= -Dtest=ListDifferentialTest#repliesEqualRedisLong}.
 */
class ListDifferentialTest
{
    private static final String[] KEYS = {"l1", "l2", "l3", "s"};
    private static final String[] VALUES = {"a", "b", "c", "1", "-1", "10", "007", "", "9223372036854775807",
        "x".repeat(70), "y".repeat(300), "hello world"};
    private static final String[] NUMBERS = {"0", "1", "2", "3", "-1", "-2", "-3", "5", "10", "-10", "100", "-100",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "abc", "", "1.5", " 1", "+1"};
    private static final String[] COMMANDS = {"LPUSH", "LPUSH", "RPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LPOP", "RPOP",
        "LLEN", "LRANGE", "LRANGE", "LINDEX", "LSET", "LINSERT", "LREM", "LTRIM", "LPOS", "LPOS", "LMOVE",
        "RPOPLPUSH", "LMPOP", "TYPE", "EXISTS", "DEL", "SET"};
    private static final String[] FILLS = {"-2", "3", "-1", "1", "128", "0"};

    @Test
    void repliesEqualRedis() throws Exception
    {
        int fill = 0;
        for (final long seed : new long[]{11, 20261205, 5, 99, 1234, 77})
        {
            run(seed, 4_000, FILLS[fill++ % FILLS.length]);
        }
    }

    @Test
    @Tag("slow")
    void repliesEqualRedisLong() throws Exception
    {
        final long seed = Long.getLong("ringkv.test.seed", 11);
        run(seed, Integer.getInteger("ringkv.test.operations", 200_000), FILLS[(int)(seed % FILLS.length)]);
    }

    private void run(final long seed, final int operations, final String fill) throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.start("--list-max-listpack-size", fill);
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), redis.port());
            EngineHarness kv = new EngineHarness())
        {
            final RedisTranscriptClient client = new RedisTranscriptClient(socket);
            kv.keyspace.collectionLimits().listMaxListpackSize(Long.parseLong(fill));
            final Random random = new Random(seed);
            final List<String> differences = new ArrayList<>();
            final List<String> recent = new ArrayList<>();
            for (int i = 0; i < operations && differences.size() < 20; i++)
            {
                final String[] command = randomCommand(random);
                final String ours = kv.exec(command);
                final String theirs = client.send(command);
                if (!ours.equals(theirs))
                {
                    differences.add("after " + recent + ":\n" + String.join(" ", command) + "\n  redis:  " + theirs +
                        "\n  ringkv: " + ours);
                }
                recent.add(String.join(" ", command) + " -> " + theirs);
                if (recent.size() > 8)
                {
                    recent.remove(0);
                }
            }
            for (final String key : KEYS)
            {
                assertEquals(client.send("LRANGE", key, "0", "-1"), kv.exec("LRANGE", key, "0", "-1"), key);
            }
            assertEquals(List.of(), differences, "seed " + seed + ", list-max-listpack-size " + fill);
        }
    }

    private static String[] randomCommand(final Random random)
    {
        final String key = random.nextInt(12) == 0 ? "s" : KEYS[random.nextInt(3)];
        final String other = random.nextInt(12) == 0 ? "s" : KEYS[random.nextInt(3)];
        final String name = COMMANDS[random.nextInt(COMMANDS.length)];
        final List<String> command = new ArrayList<>();
        command.add(random.nextInt(10) == 0 ? name.toLowerCase(Locale.ROOT) : name);
        switch (name)
        {
            case "LPUSH", "RPUSH", "LPUSHX", "RPUSHX" ->
            {
                command.add(key);
                for (int n = 1 + random.nextInt(random.nextInt(8) == 0 ? 30 : 3); n > 0; n--)
                {
                    command.add(value(random));
                }
            }
            case "LPOP", "RPOP" ->
            {
                command.add(key);
                if (random.nextBoolean())
                {
                    command.add(number(random));
                }
                if (random.nextInt(30) == 0)
                {
                    command.add("1");
                }
            }
            case "LLEN", "TYPE", "EXISTS", "DEL" -> command.add(key);
            case "SET" -> command.addAll(List.of("s", "string"));
            case "LRANGE", "LTRIM" -> command.addAll(List.of(key, number(random), number(random)));
            case "LINDEX" -> command.addAll(List.of(key, number(random)));
            case "LSET" -> command.addAll(List.of(key, number(random), value(random)));
            case "LINSERT" -> command.addAll(List.of(key,
                new String[]{"BEFORE", "AFTER", "after", "middle"}[random.nextInt(4)], value(random), value(random)));
            case "LREM" -> command.addAll(List.of(key, number(random), value(random)));
            case "LPOS" ->
            {
                command.add(key);
                command.add(value(random));
                for (int n = random.nextInt(4); n > 0; n--)
                {
                    command.add(new String[]{"RANK", "COUNT", "MAXLEN", "rank", "FOO"}[random.nextInt(5)]);
                    if (random.nextInt(15) > 0)
                    {
                        command.add(number(random));
                    }
                }
            }
            case "LMOVE" -> command.addAll(List.of(key, other, side(random), side(random)));
            case "RPOPLPUSH" -> command.addAll(List.of(key, other));
            case "LMPOP" ->
            {
                final int keys = random.nextInt(4);
                command.add(random.nextInt(10) == 0 ? number(random) : Integer.toString(keys));
                for (int k = 0; k < keys; k++)
                {
                    command.add(random.nextInt(12) == 0 ? "s" : KEYS[random.nextInt(3)]);
                }
                if (random.nextInt(12) > 0)
                {
                    command.add(side(random));
                }
                if (random.nextBoolean())
                {
                    command.add("COUNT");
                    if (random.nextInt(10) > 0)
                    {
                        command.add(number(random));
                    }
                }
                if (random.nextInt(20) == 0)
                {
                    command.addAll(List.of("COUNT", "2"));
                }
            }
            default -> throw new IllegalStateException(name);
        }
        return command.toArray(new String[0]);
    }

    private static String value(final Random random)
    {
        return VALUES[random.nextInt(VALUES.length)];
    }

    private static String number(final Random random)
    {
        return NUMBERS[random.nextInt(NUMBERS.length)];
    }

    private static String side(final Random random)
    {
        return new String[]{"LEFT", "RIGHT", "left", "UP"}[random.nextInt(4)];
    }
}
