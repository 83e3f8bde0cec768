package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.cutLinkRepeatedly;
import static io.ringkv.net.replication.ReplicationFixture.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A script's writes reach replicas as the group of its effects, applied all or nothing: scripts (EVAL and EVALSHA)
 * that move both halves of an invariant, under cut links, are never seen half-applied by the replica's clients, and
 * the replica ends digest-equal to its master. A replica refuses a script's writes with READONLY, refuses a script
 * declaring writes up front, and runs read-only ones.
 */
class ScriptReplicationTest
{
    private static final int PAIRS = 4;
    private static final String MOVE = "redis.call('incr', KEYS[1])\n" +
        "local v = redis.call('get', KEYS[1])\n" +
        "redis.call('set', KEYS[2], v)\n" +
        "redis.call('hset', 'h:' .. ARGV[1], 'f' .. ARGV[2], v)\n" +
        "if tonumber(v) % 3 == 0 then redis.call('pexpire', 'tmp:' .. ARGV[1], 50) else " +
        "redis.call('set', 'tmp:' .. ARGV[1], v) end\n" +
        "return tonumber(v)";

    @Test
    void scriptEffectsApplyWholeOnReplicas() throws Exception
    {
        try (TestServer master = TestServer.start("repl-backlog-size", "32mb");
            TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port()))
        {
            awaitInSync(master, replica, 10_000);
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong scripts = new AtomicLong();
            final AtomicReference<String> torn = new AtomicReference<>();
            final Thread writer = Thread.ofPlatform().start(() -> writeScripts(master.port(), stop, scripts));
            final Thread reader = Thread.ofPlatform().start(() -> readPairs(replica.port(), stop, torn));
            cutLinkRepeatedly(master, replica, 4, 150);
            Thread.sleep(100);
            stop.set(true);
            writer.join();
            reader.join();
            assertNull(torn.get(), "a replica client saw half a script");
            assertTrue(scripts.get() > 0);
            awaitInSync(master, replica, 20_000);
            assertSameContents(master, replica);
            assertEquals(digest(master), digest(replica));
            try (Jedis r = new Jedis("127.0.0.1", replica.port()))
            {
                long total = 0;
                for (int p = 0; p < PAIRS; p++)
                {
                    final String a = r.get("a:" + p);
                    total += a == null ? 0 : Long.parseLong(a);
                }
                assertEquals(scripts.get(), total, "every script applied once");
                final JedisDataException readonly = assertThrows(JedisDataException.class,
                    () -> r.eval("return redis.call('set', 'x', '1')", 0));
                assertTrue(readonly.getMessage().startsWith(
                    "READONLY You can't write against a read only replica. script: "), readonly.getMessage());
                final JedisDataException declared = assertThrows(JedisDataException.class,
                    () -> r.eval("#!lua\nreturn 1", 0));
                assertEquals("READONLY You can't write against a read only replica.", declared.getMessage());
                assertEquals("READONLY You can't write against a read only replica.", assertThrows(
                    JedisDataException.class, () -> r.evalReadonly("#!lua\nreturn 1", List.of(), List.of()))
                    .getMessage(), "the replica's refusal comes before EVAL_RO's");
                assertEquals(r.get("a:0"), r.eval("#!lua flags=no-writes\nreturn redis.call('get', 'a:0')", 0));
                assertEquals(r.get("b:0"), r.evalReadonly("return redis.call('get', KEYS[1])", List.of("b:0"),
                    List.of()));
            }
        }
    }

    private static void writeScripts(final int port, final AtomicBoolean stop, final AtomicLong done)
    {
        final Random random = new Random(14);
        try (Jedis jedis = new Jedis("127.0.0.1", port))
        {
            final String sha = jedis.scriptLoad(MOVE);
            int n = 0;
            while (!stop.get())
            {
                final int pair = random.nextInt(PAIRS);
                final List<String> keys = List.of("a:" + pair, "b:" + pair);
                final List<String> args = List.of(Integer.toString(pair), Integer.toString(n % 7));
                if (n % 2 == 0)
                {
                    jedis.eval(MOVE, keys, args);
                }
                else
                {
                    jedis.evalsha(sha, keys, args);
                }
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

    private static void readPairs(final int port, final AtomicBoolean stop, final AtomicReference<String> torn)
    {
        try (Jedis jedis = new Jedis("127.0.0.1", port))
        {
            while (!stop.get())
            {
                for (int p = 0; p < PAIRS; p++)
                {
                    final List<String> pair = jedis.mget("a:" + p, "b:" + p);
                    if (!Objects.equals(pair.get(0), pair.get(1)))
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
