package io.ringkv.core.command;

import io.ringkv.core.store.StoreConfig;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatcher's counters (INFO commandstats and stats), the keyspace's hit/miss/expiry counters, the run-time
 * memory budget and the dataset digest, through the engine.
 */
class CommandStatsTest
{
    private static final String NIL = "(nil)";

    @AutoClose
    private final EngineHarness kv = new EngineHarness(new StoreConfig(), false, List.of());

    @Test
    void callsFailuresAndRejectionsAreCountedPerCommand()
    {
        kv.exec("SET", "k", "v");
        kv.exec("SET", "n", "1");
        assertEquals("-ERR syntax error", kv.exec("SET", "k", "v", "BOGUS"));
        assertEquals("-ERR wrong number of arguments for 'set' command", kv.exec("SET", "k"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("INCR", "k"));
        kv.session.authenticated(false);
        assertEquals("-NOAUTH Authentication required.", kv.exec("GET", "k"));
        kv.session.authenticated(true);

        final Command set = kv.commands.lookup("set");
        assertEquals(3, set.calls());
        assertEquals(1, set.failedCalls());
        assertEquals(1, set.rejectedCalls());
        assertTrue(set.durationNs() > 0);
        final Command incr = kv.commands.lookup("incr");
        assertEquals(1, incr.calls());
        assertEquals(1, incr.failedCalls());
        final Command get = kv.commands.lookup("get");
        assertEquals(0, get.calls());
        assertEquals(1, get.rejectedCalls());

        set.resetStats();
        assertEquals(0, set.calls() + set.failedCalls() + set.rejectedCalls() + set.durationNs());
    }

    @Test
    void errorRepliesAreCountedByCode()
    {
        kv.exec("SET", "k", "v");
        kv.exec("INCR", "k");
        kv.exec("GET");
        kv.exec("NOSUCH");
        kv.session.authenticated(false);
        kv.exec("GET", "k");
        kv.session.authenticated(true);
        final ErrorStats[] holder = new ErrorStats[1];
        kv.commands.register("errors", 1, 0, (context, args, reply) ->
        {
            holder[0] = context.errorStats();
            reply.ok();
        });
        kv.exec("errors");
        final ErrorStats errors = holder[0];
        assertEquals(4, errors.total());
        assertEquals(2, errors.size());
        assertEquals("ERR", errors.code(0));
        assertEquals(3, errors.count(0));
        assertEquals("NOAUTH", errors.code(1));
        assertEquals(1, errors.count(1));
    }

    @Test
    void errorStatsTrackAtMostRedissNumberOfCodes()
    {
        final ErrorStats errors = new ErrorStats();
        for (int i = 0; i < ErrorStats.MAX_CODES + 10; i++)
        {
            errors.record("CODE" + i + " text");
        }
        errors.record("CODE0");
        assertEquals(ErrorStats.MAX_CODES, errors.size());
        assertEquals(ErrorStats.MAX_CODES + 11, errors.total());
        assertEquals("CODE0", errors.code(0));
        assertEquals(2, errors.count(0));
        errors.reset();
        assertEquals(0, errors.size() + errors.total());
    }

    @Test
    void onlyReadOnlyCommandsCountKeyspaceHitsAndMisses()
    {
        kv.exec("SET", "a", "1");
        kv.exec("GET", "a");
        kv.exec("GET", "missing");
        kv.exec("MGET", "a", "a", "nope");
        kv.exec("EXISTS", "a");
        kv.exec("INCR", "a");
        kv.exec("SET", "a", "2");
        kv.exec("GETDEL", "nope");
        assertEquals(4, kv.keyspace.keyspaceHits());
        assertEquals(2, kv.keyspace.keyspaceMisses());
    }

    @Test
    void expiredKeysAreCountedWhenRemoved()
    {
        kv.exec("SET", "a", "1", "PX", "10");
        kv.exec("SET", "b", "1", "PX", "10");
        kv.advanceMs(20);
        assertEquals(NIL, kv.exec("GET", "a"));
        assertEquals(1, kv.keyspace.expiredKeys());
        assertEquals(1, kv.keyspace.keyspaceMisses());
        kv.keyspace.resetStats();
        assertEquals(0, kv.keyspace.expiredKeys() + kv.keyspace.keyspaceMisses() + kv.keyspace.keyspaceHits());
    }

    @Test
    void memoryBudgetChangesAtRunTime()
    {
        kv.commands.register("budget", 2, 0, (context, args, reply) ->
        {
            context.keyspace().maxMemoryBytes(Long.parseLong(args.asString(1)));
            reply.ok();
        });
        assertEquals("+OK", kv.exec("SET", "a", "x".repeat(1000)));
        assertEquals("+OK", kv.exec("budget", "1"));
        assertEquals("-OOM command not allowed when used memory > 'maxmemory'.", kv.exec("SET", "b", "v"));
        assertEquals("$" + "x".repeat(1000), kv.exec("GET", "a"));
        assertEquals(1, kv.commands.lookup("set").rejectedCalls());
        assertEquals("+OK", kv.exec("budget", "0"));
        assertEquals("+OK", kv.exec("SET", "b", "v"));
    }

    @Test
    void digestMatchesRedis7sForTheSameStrings()
    {
        final DatasetDigest digest = new DatasetDigest();
        kv.commands.register("digest", -1, 0, (context, args, reply) ->
        {
            if (args.count() == 1)
            {
                reply.simpleString(DatasetDigest.hex(digest.dataset(context.keyspace(), context.nowMs())).getBytes());
                return;
            }
            final long entry = context.keyspace().peek(
                context.db(), args.buffer(), args.offset(1), args.length(1), context.nowMs());
            reply.simpleString(DatasetDigest.hex(digest.value(context.keyspace(), entry)).getBytes());
        });
        assertEquals("+" + "0".repeat(40), kv.exec("digest"));
        // Reference values from redis-server 7.0.15: SET a 1, SET b hello; DEBUG DIGEST; DEBUG DIGEST-VALUE a b.
        kv.exec("SET", "b", "hello");
        kv.exec("SET", "a", "1");
        assertEquals("+2539797405e828ad7a3aa48c536b3eaf2803a421", kv.exec("digest"));
        assertEquals("+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da", kv.exec("digest", "a"));
        assertEquals("+36b23a1456b2dce2c3ed252c456761301dba8060", kv.exec("digest", "b"));
        assertEquals("+" + "0".repeat(40), kv.exec("digest", "zz"));
        // A TTL counts by its presence, not its value (EXPIRE b 100 in Redis).
        kv.exec("EXPIRE", "b", "100");
        assertEquals("+669dc7955c0119edb82e7cfeb40ea4a28f89f902", kv.exec("digest"));
        kv.exec("EXPIRE", "b", "5000");
        assertEquals("+669dc7955c0119edb82e7cfeb40ea4a28f89f902", kv.exec("digest"));
        // An integer-encoded string digests as its digits, like the raw string it reads as.
        kv.exec("INCR", "a");
        kv.exec("DECR", "a");
        assertEquals("+669dc7955c0119edb82e7cfeb40ea4a28f89f902", kv.exec("digest"));
        // The same data in another database digests differently; order of insertion does not matter.
        kv.exec("FLUSHALL");
        assertEquals("+" + "0".repeat(40), kv.exec("digest"));
        kv.exec("SELECT", "1");
        kv.exec("SET", "a", "1");
        kv.exec("SET", "b", "hello");
        final String inDb1 = kv.exec("digest");
        assertTrue(!inDb1.equals("+2539797405e828ad7a3aa48c536b3eaf2803a421"), inDb1);
        kv.exec("SELECT", "0");

        // Hashes, reference values from redis-server 7.0.15 (DEBUG DIGEST-VALUE): order-independent, the same for
        // the listpack and the table encoding.
        kv.exec("HSET", "h2", "a", "b");
        assertEquals("+e74b6918422998016f954e98a1a8c89a0e1e4a25", kv.exec("digest", "h2"));
        kv.exec("HSET", "hb", "f2", "2", "f1", "v1");
        assertEquals("+fc076e867f7dbf566ea58172a151d82d78b8f845", kv.exec("digest", "hb"));
        kv.exec("HSET", "h3", "b", "x", "a", "1");
        kv.exec("PEXPIRE", "h3", "100000");
        assertEquals("+eca4e809c9fc9db11073b5b97ff5fa1ae3bae21e", kv.exec("digest", "h3"));
        for (int i = 599; i >= 0; i--)
        {
            kv.exec("HSET", "huge", "f" + i, Integer.toString(i));
        }
        assertEquals("+1905108a639d28e90e7c8476c6dd6dcdf7a15271", kv.exec("digest", "huge"));
    }
}
