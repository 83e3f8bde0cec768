package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Transaction;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model of interleavings: concurrent clients run transactions, pipelined plain commands and WATCH-guarded
 * read-modify-write transfers against one server, and the outcome is checked against what atomic, serial execution
 * allows. A transaction's first and last APPEND to a shared log must be adjacent in it (no other client's command,
 * transactional or not, between them); committed WATCH transfers keep the accounts' total and are exactly the ones
 * whose EXEC answered; a transaction's replies are its own commands' results in order.
 */
class TransactionModelTest
{
    private static final int ACCOUNTS = 5;
    private static final long INITIAL_BALANCE = 1_000;

    @AutoClose
    private static TestServer ringkv;

    @BeforeAll
    static void start() throws IOException
    {
        ringkv = TestServer.start();
    }

    @Test
    void concurrentTransactionsBehaveAsIfRunAlone() throws Exception
    {
        try (Jedis setup = jedis())
        {
            setup.flushAll();
            for (int a = 0; a < ACCOUNTS; a++)
            {
                setup.set("account:" + a, Long.toString(INITIAL_BALANCE));
            }
        }
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicInteger transfers = new AtomicInteger();
        final Map<Integer, Long> committedDeltas = new HashMap<>();
        final List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < 3; c++)
        {
            final int client = c;
            threads.add(start(failure, () -> logTransactions(client, 200)));
        }
        for (int c = 0; c < 2; c++)
        {
            final int client = c;
            threads.add(start(failure, () -> pipelinedNoise(client, 100)));
        }
        for (int c = 0; c < 3; c++)
        {
            final int seed = c;
            threads.add(start(failure, () ->
            {
                final Map<Integer, Long> deltas = transfer(seed, 150, transfers);
                synchronized (committedDeltas)
                {
                    deltas.forEach((account, delta) -> committedDeltas.merge(account, delta, Long::sum));
                }
            }));
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertNull(failure.get(), () -> "a client failed: " + failure.get());

        try (Jedis check = jedis())
        {
            final String[] entries = check.get("log").split(",");
            int transactions = 0;
            for (int i = 0; i < entries.length; i++)
            {
                if (entries[i].endsWith(":begin"))
                {
                    final String id = entries[i].substring(0, entries[i].length() - ":begin".length());
                    assertTrue(i + 2 < entries.length, "a transaction's log is cut short");
                    assertEquals(id + ":middle", entries[i + 1], "something interleaved a transaction at " + i);
                    assertEquals(id + ":end", entries[i + 2], "something interleaved a transaction at " + i);
                    transactions++;
                    i += 2;
                }
                else
                {
                    assertTrue(entries[i].startsWith("noise"), "an entry out of place: " + entries[i]);
                }
            }
            assertEquals(3 * 200, transactions);
            long total = 0;
            for (int a = 0; a < ACCOUNTS; a++)
            {
                final long balance = Long.parseLong(check.get("account:" + a));
                assertEquals(INITIAL_BALANCE + committedDeltas.getOrDefault(a, 0L), balance, "account " + a);
                total += balance;
            }
            assertEquals(ACCOUNTS * INITIAL_BALANCE, total, "transfers moved money, they did not make it");
            assertEquals(Integer.toString(transfers.get()), check.get("transfers"));
        }
    }

    /** Transactions that append three entries to one log and read their own writes back. */
    private static void logTransactions(final int client, final int count)
    {
        try (Jedis jedis = jedis())
        {
            for (int n = 0; n < count; n++)
            {
                final String id = "t" + client + "." + n;
                final Transaction multi = jedis.multi();
                multi.append("log", id + ":begin,");
                multi.set("own:" + client, id);
                multi.append("log", id + ":middle,");
                multi.get("own:" + client);
                multi.append("log", id + ":end,");
                final List<Object> replies = multi.exec();
                assertEquals(5, replies.size());
                assertEquals("OK", replies.get(1));
                assertEquals(id, replies.get(3), "a transaction reads its own write");
            }
        }
    }

    /** Plain appends, pipelined 20 at a time, between which no transaction may be split. */
    private static void pipelinedNoise(final int client, final int rounds)
    {
        try (Jedis jedis = jedis())
        {
            for (int n = 0; n < rounds; n++)
            {
                final Pipeline pipeline = jedis.pipelined();
                for (int i = 0; i < 20; i++)
                {
                    pipeline.append("log", "noise" + client + ",");
                }
                pipeline.sync();
            }
        }
    }

    /**
     * WATCH two accounts, read them, and move an amount from one to the other if the source can pay; retried when
     * EXEC answers null. Returns the committed change of each account.
     */
    private static Map<Integer, Long> transfer(final int seed, final int count, final AtomicInteger transfers)
    {
        final Random random = new Random(seed);
        final Map<Integer, Long> deltas = new HashMap<>();
        try (Jedis jedis = jedis())
        {
            for (int n = 0; n < count; n++)
            {
                final int from = random.nextInt(ACCOUNTS);
                final int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                final long amount = 1 + random.nextInt(50);
                while (true)
                {
                    jedis.watch("account:" + from, "account:" + to);
                    final long balance = Long.parseLong(jedis.get("account:" + from));
                    if (balance < amount)
                    {
                        jedis.unwatch();
                        break;
                    }
                    final long target = Long.parseLong(jedis.get("account:" + to));
                    final Transaction multi = jedis.multi();
                    multi.set("account:" + from, Long.toString(balance - amount));
                    multi.set("account:" + to, Long.toString(target + amount));
                    multi.incr("transfers");
                    final List<Object> replies = multi.exec();
                    if (replies != null)
                    {
                        deltas.merge(from, -amount, Long::sum);
                        deltas.merge(to, amount, Long::sum);
                        transfers.incrementAndGet();
                        break;
                    }
                }
            }
        }
        return deltas;
    }

    private static Thread start(final AtomicReference<Throwable> failure, final Runnable body)
    {
        return Thread.ofPlatform().start(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        });
    }

    private static Jedis jedis()
    {
        return new Jedis("127.0.0.1", ringkv.port(), 10_000);
    }
}
