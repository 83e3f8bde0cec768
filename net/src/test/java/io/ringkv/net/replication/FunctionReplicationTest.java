package io.ringkv.net.replication;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.FunctionRestorePolicy;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Function libraries reach replicas both ways: FUNCTION LOAD, DELETE, FLUSH and RESTORE streamed as the commands
 * themselves, and a full sync's dump carrying the libraries (replacing whatever the replica held); FCALL's writes
 * reach them as the writes. A replica refuses FUNCTION LOAD and functions that write, and runs no-writes ones.
 */
class FunctionReplicationTest
{
    private static final String COUNTER = "#!lua name=counter\n" +
        "redis.register_function('bump', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)\n" +
        "redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) " +
        "end, flags={'no-writes'}}";
    private static final String ECHO = "#!lua name=echo\n" +
        "server.register_function{function_name='echo', callback=function(keys, args) return args[1] end, " +
        "flags={'no-writes'}}";

    @Test
    void librariesStreamAndFullSyncToReplicas() throws Exception
    {
        try (TestServer master = TestServer.start();
            TestServer streamed = TestServer.start("replicaof", "127.0.0.1 " + master.port());
            Jedis jedis = new Jedis("127.0.0.1", master.port(), 20_000);
            Jedis onStreamed = new Jedis("127.0.0.1", streamed.port(), 20_000))
        {
            awaitInSync(master, streamed, 20_000);
            assertEquals("counter", jedis.functionLoad(COUNTER));
            assertEquals("echo", jedis.functionLoad(ECHO));
            for (int i = 0; i < 100; i++)
            {
                jedis.fcall("bump", List.of("n"), List.of(Integer.toString(i)));
            }
            awaitInSync(master, streamed, 20_000);
            assertSameContents(master, streamed);
            awaitSameLibraries(jedis, onStreamed);
            assertEquals("4950", onStreamed.fcallReadonly("peek", List.of("n"), List.of()));
            assertEquals("hi", onStreamed.fcall("echo", List.of(), List.of("hi")), "a no-writes function runs");

            // a replica refuses what writes
            final JedisDataException load = assertThrows(JedisDataException.class, () -> onStreamed.functionLoad(
                "#!lua name=x\nredis.register_function('x', function() return 1 end)"));
            assertEquals("READONLY You can't write against a read only replica.", load.getMessage());
            final JedisDataException bump = assertThrows(JedisDataException.class,
                () -> onStreamed.fcall("bump", List.of("n"), List.of("1")));
            assertEquals("READONLY You can't write against a read only replica.", bump.getMessage());

            // DELETE, RESTORE (binary payload) and LOAD REPLACE stream too
            final byte[] dump = jedis.functionDump();
            assertEquals("OK", jedis.functionDelete("echo"));
            awaitInSync(master, streamed, 20_000);
            awaitSameLibraries(jedis, onStreamed);
            assertEquals("OK", jedis.functionRestore(dump, FunctionRestorePolicy.REPLACE));
            jedis.functionLoadReplace(ECHO.replace("args[1]", "'v2'"));
            awaitInSync(master, streamed, 20_000);
            awaitSameLibraries(jedis, onStreamed);
            assertEquals("v2", onStreamed.fcall("echo", List.of(), List.of("hi")));
            assertArrayEquals(jedis.functionDump(), onStreamed.functionDump());

            // a new replica, and one that held other libraries, get exactly the master's in the full sync
            try (TestServer synced = TestServer.start();
                Jedis onSynced = new Jedis("127.0.0.1", synced.port(), 20_000))
            {
                onSynced.functionLoad("#!lua name=stale\nredis.register_function('stale', function() return 1 end)");
                onSynced.functionLoad(ECHO);
                onSynced.replicaof("127.0.0.1", master.port());
                awaitInSync(master, synced, 20_000);
                awaitSameLibraries(jedis, onSynced);
                assertArrayEquals(jedis.functionDump(), onSynced.functionDump());
                assertEquals("v2", onSynced.fcall("echo", List.of(), List.of("hi")));
                assertSameContents(master, synced);

                assertEquals("OK", jedis.functionFlush());
                awaitInSync(master, synced, 20_000);
                awaitInSync(master, streamed, 20_000);
                awaitSameLibraries(jedis, onSynced);
                awaitSameLibraries(jedis, onStreamed);
                assertEquals(List.of(), codes(onSynced));
            }
        }
    }

    /**
     * awaitInSync compares the link's offset with the master's published one, which can trail the master's reply by a
     * moment (seen: a DELETE answered, the offset not yet moved, the check passing early), so the libraries are
     * compared until they agree.
     */
    private static void awaitSameLibraries(final Jedis master, final Jedis replica)
    {
        ReplicationFixture.await("the replica's libraries", 20_000, () -> codes(master).equals(codes(replica)));
    }

    private static List<String> codes(final Jedis jedis)
    {
        return jedis.functionListWithCode().stream().map(library -> library.getLibraryCode()).sorted().toList();
    }
}
