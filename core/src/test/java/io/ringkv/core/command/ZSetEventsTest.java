package io.ringkv.core.command;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sorted-set commands report Redis 7.0's keyspace events (t_zset.c's names): zadd, zincr, zrem,
 * zremrangebyrank/score/lex, zpopmin/zpopmax, zunionstore/zinterstore/zdiffstore/zrangestore, "del" when a set is
 * emptied or a STORE's empty result deletes its destination, and nothing when nothing changed.
 */
class ZSetEventsTest
{
    private final EngineHarness kv = new EngineHarness();
    private final List<String> events = new ArrayList<>();

    @AfterEach
    void close()
    {
        kv.close();
    }

    private List<String> run(final String... command)
    {
        events.clear();
        kv.exec(command);
        return List.copyOf(events);
    }

    /**
     * "keymiss" (class m) as redis-server 7.0.15 publishes it for missing keys, checked live with PSUBSCRIBE
     * __keyevent@0__:keymiss: the read commands of sorted sets and lists (and the sources of ZRANGESTORE and the
     * algebra) report it; the writes (ZREM, ZPOPMIN, ZINCRBY, ZMPOP, LPOP, LMOVE, LREM, LMPOP) do not.
     */
    @Test
    void readsOfMissingSortedSetsAndListsAreKeyMisses()
    {
        kv.commands.register("listen", 1, 0, (context, args, reply) ->
        {
            context.keyspaceEvents().mask(KeyspaceEvents.KEY_MISS | KeyspaceEvents.KEYEVENT);
            context.keyspaceEvents().sink((type, event, db, key, offset, length) ->
                events.add(event + ":" + key.getStringWithoutLengthAscii(offset, length)));
            reply.ok();
        });
        kv.exec("listen");
        for (final String[] read : new String[][]{{"ZCARD", "m"}, {"ZSCORE", "m", "a"}, {"ZMSCORE", "m", "a"},
            {"ZRANK", "m", "a"}, {"ZCOUNT", "m", "0", "1"}, {"ZLEXCOUNT", "m", "-", "+"}, {"ZRANGE", "m", "0", "-1"},
            {"ZREVRANGE", "m", "0", "1"}, {"ZRANGEBYSCORE", "m", "0", "1"}, {"ZRANDMEMBER", "m"}, {"ZSCAN", "m", "0"},
            {"ZRANGESTORE", "d", "m", "0", "-1"}, {"ZUNIONSTORE", "d", "1", "m"}, {"ZUNION", "1", "m"},
            {"ZINTERCARD", "1", "m"}, {"LLEN", "m"}, {"LRANGE", "m", "0", "-1"}, {"LINDEX", "m", "0"},
            {"LPOS", "m", "a"}})
        {
            assertEquals(List.of("keymiss:m"), run(read), String.join(" ", read));
        }
        for (final String[] write : new String[][]{{"ZREM", "m", "a"}, {"ZPOPMIN", "m"}, {"ZMPOP", "1", "m", "MIN"},
            {"LPOP", "m"}, {"LMOVE", "m", "x", "LEFT", "LEFT"}, {"LREM", "m", "0", "a"}, {"LMPOP", "1", "m", "LEFT"}})
        {
            assertEquals(List.of(), run(write), String.join(" ", write));
        }
    }

    @Test
    void eventsAsRedis()
    {
        kv.commands.register("listen", 1, 0, (context, args, reply) ->
        {
            context.keyspaceEvents().mask(KeyspaceEvents.ZSET | KeyspaceEvents.GENERIC | KeyspaceEvents.KEYEVENT);
            context.keyspaceEvents().sink((type, event, db, key, offset, length) ->
                events.add(event + ":" + key.getStringWithoutLengthAscii(offset, length)));
            reply.ok();
        });
        kv.exec("listen");
        assertEquals(List.of("zadd:z"), run("ZADD", "z", "1", "a", "2", "b", "3", "c"));
        assertEquals(List.of(), run("ZADD", "z", "NX", "5", "a"));
        assertEquals(List.of("zincr:z"), run("ZINCRBY", "z", "1", "a"));
        assertEquals(List.of("zincr:z"), run("ZADD", "z", "INCR", "1", "a"));
        assertEquals(List.of("zrem:z"), run("ZREM", "z", "a", "nope"));
        assertEquals(List.of(), run("ZREM", "z", "nope"));
        assertEquals(List.of("zpopmin:z"), run("ZPOPMIN", "z"));
        assertEquals(List.of("zunionstore:u"), run("ZUNIONSTORE", "u", "1", "z"));
        assertEquals(List.of("zinterstore:i"), run("ZINTERSTORE", "i", "2", "z", "u"));
        assertEquals(List.of("del:i"), run("ZDIFFSTORE", "i", "2", "z", "u"));
        assertEquals(List.of("zrangestore:r"), run("ZRANGESTORE", "r", "z", "0", "-1"));
        assertEquals(List.of("zadd:u"), run("ZADD", "u", "1", "x", "2", "y"));
        assertEquals(List.of(), run("ZREMRANGEBYSCORE", "u", "-inf", "(1"));
        assertEquals(List.of("zremrangebyscore:u"), run("ZREMRANGEBYSCORE", "u", "-inf", "1"));
        assertEquals(List.of("zremrangebylex:u", "del:u"), run("ZREMRANGEBYLEX", "u", "-", "+"));
        assertEquals(List.of("zremrangebyrank:r", "del:r"), run("ZREMRANGEBYRANK", "r", "0", "0"));
        assertEquals(List.of("zpopmax:z", "del:z"), run("ZPOPMAX", "z", "5"));
        assertEquals(List.of(), run("ZPOPMAX", "z", "5"));
    }
}
