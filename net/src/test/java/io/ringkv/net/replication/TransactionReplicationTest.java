package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.cutLinkRepeatedly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A transaction reaches a replica as one group applied all or nothing: under a load of transactions that each move
 * both halves of an invariant (two counters incremented together, a key moved between two names), with the link cut
 * from either side in the middle of the stream, the replica's clients never see half a transaction, and the replica
 * ends equal to its master with exact counters.
 */
class TransactionReplicationTest
{
    private static final int PAIRS = 4;

    @Test
    void transactionsApplyWholeOnReplicasAcrossCutLinks() throws Exception
    {
        try (TestServer master = TestServer.start("repl-backlog-size", "32mb");
            TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port()))
        {
            awaitInSync(master, replica, 10_000);
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong transactions = new AtomicLong();
            final AtomicReference<String> torn = new AtomicReference<>();
            final Thread writer = Thread.ofPlatform().start(() -> writeTransactions(master.port(), stop, transactions));
            final Thread reader = Thread.ofPlatform().start(() -> readPairs(replica.port(), stop, torn));
            cutLinkRepeatedly(master, replica, 6, 150);
            Thread.sleep(100);
            stop.set(true);
            writer.join();
            reader.join();
            assertNull(torn.get(), "a replica client saw half a transaction");
            awaitInSync(master, replica, 20_000);
            assertSameContents(master, replica);
            try (Jedis r = new Jedis("127.0.0.1", replica.port()))
            {
                long total = 0;
                for (int p = 0; p < PAIRS; p++)
                {
                    final String a = r.get("a:" + p);
                    assertEquals(a, r.get("b:" + p), "pair " + p);
                    total += a == null ? 0 : Long.parseLong(a);
                }
                assertEquals(transactions.get(), total, "every transaction applied once");
            }
        }
    }

    /**
     * Transactions of five changes: both counters of a pair, a key moved from one name to the other (RENAME, so
     * exactly one of the two exists), a value and its expiry.
     */
    private static void writeTransactions(final int port, final AtomicBoolean stop, final AtomicLong done)
    {
        final Random random = new Random(12);
        try (Jedis jedis = new Jedis("127.0.0.1", port))
        {
            for (int p = 0; p < PAIRS; p++)
            {
                jedis.set("here:" + p, "token");
            }
            int n = 0;
            while (!stop.get())
            {
                final int pair = random.nextInt(PAIRS);
                final Transaction multi = jedis.multi();
                multi.incr("a:" + pair);
                multi.incr("b:" + pair);
                if (n % 2 == 0)
                {
                    multi.rename("here:" + pair, "there:" + pair);
                    multi.rename("there:" + pair, "here:" + pair);
                }
                multi.set("value:" + random.nextInt(1000), "v" + n);
                multi.pexpire("value:" + random.nextInt(1000), 1 + random.nextInt(100));
                final List<Object> replies = multi.exec();
                assertEquals(n % 2 == 0 ? 6 : 4, replies.size());
                done.incrementAndGet();
                n++;
            }
        }
        catch (final RuntimeException ex)
        {
            if (!stop.get())
            {
                throw ex;
            }
        }
    }

    /**
     * Reads each pair's two counters in one command: both come from the same state, so they are equal unless half a
     * transaction was applied.
     */
    private static void readPairs(final int port, final AtomicBoolean stop, final AtomicReference<String> torn)
    {
        try (Jedis jedis = new Jedis("127.0.0.1", port))
        {
            while (!stop.get())
            {
                for (int p = 0; p < PAIRS; p++)
                {
                    final List<String> pair = jedis.mget("a:" + p, "b:" + p, "here:" + p, "there:" + p);
                    if (!java.util.Objects.equals(pair.get(0), pair.get(1)) ||
                        (pair.get(2) == null) == (pair.get(3) == null) && pair.get(0) != null)
                    {
                        torn.compareAndSet(null, "pair " + p + ": " + pair);
                    }
                }
            }
        }
        catch (final RuntimeException ex)
        {
            if (!stop.get())
            {
                torn.compareAndSet(null, ex.toString());
            }
        }
    }
}
