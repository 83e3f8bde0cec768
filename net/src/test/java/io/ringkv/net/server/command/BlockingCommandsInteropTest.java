package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocking list commands on a real ringkv against a real redis-server 7.0.15, byte for byte: each scenario runs
 * on both servers with the same connections and steps, and the transcripts of every reply must be equal. A step
 * that blocks a client waits until the server reports it blocked (INFO blocked_clients), so the order in which
 * clients block is the order the test gives on both servers.
 */
class BlockingCommandsInteropTest
{
    @AutoClose
    private static TestServer ringkv;
    @AutoClose
    private static RedisServerProcess redis;

    @BeforeAll
    static void start() throws IOException, InterruptedException
    {
        ringkv = TestServer.start();
        redis = RedisServerProcess.start();
    }

    /** One scenario, run against one server. */
    @FunctionalInterface
    interface Scenario
    {
        void run(Clients clients) throws Exception;
    }

    /** Connections to one server and the transcript of what they received. */
    static final class Clients implements AutoCloseable
    {
        final int port;
        final List<RawRespClient> open = new ArrayList<>();
        final List<String> transcript = new ArrayList<>();
        final RawRespClient control;

        Clients(final int port) throws IOException
        {
            this.port = port;
            this.control = connect();
            control.call("FLUSHALL");
        }

        RawRespClient connect() throws IOException
        {
            final RawRespClient client = new RawRespClient(port);
            open.add(client);
            return client;
        }

        /** Send a request that blocks, and wait until the server counts {@code blocked} blocked clients. */
        void block(final RawRespClient client, final int blocked, final String... request) throws Exception
        {
            client.send(request);
            awaitBlocked(blocked);
        }

        void awaitBlocked(final int blocked) throws Exception
        {
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (blockedClients() != blocked)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("blocked_clients never reached " + blocked + " on " +
                        (port == redis.port() ? "redis" : "ringkv") + ": " + control.call("CLIENT", "LIST"));
                }
                Thread.sleep(2);
            }
        }

        int blockedClients() throws IOException
        {
            final String info = control.call("INFO", "clients");
            final int at = info.indexOf("blocked_clients:");
            return Integer.parseInt(info.substring(at + 16, info.indexOf('\r', at)));
        }

        void record(final String label, final String reply)
        {
            transcript.add(label + " " + reply);
        }

        /** Call on the control connection and record the reply. */
        void call(final String... request) throws IOException
        {
            record(String.join(" ", request), control.call(request));
        }

        void read(final String label, final RawRespClient client) throws IOException
        {
            record(label, client.read());
        }

        @Override
        public void close() throws IOException
        {
            for (final RawRespClient client : open)
            {
                client.close();
            }
        }
    }

    private static void assertSameTranscript(final Scenario scenario) throws Exception
    {
        final List<String> theirs;
        try (Clients clients = new Clients(redis.port()))
        {
            scenario.run(clients);
            theirs = clients.transcript;
        }
        try (Clients clients = new Clients(ringkv.port()))
        {
            scenario.run(clients);
            assertEquals(String.join("\n", theirs), String.join("\n", clients.transcript));
        }
        for (final int port : new int[] {redis.port(), ringkv.port()})
        {
            // Every client of the scenario is gone: none may stay blocked (the registry forgets them all).
            try (Clients clients = new Clients(port))
            {
                clients.awaitBlocked(0);
            }
        }
    }

    @Test
    void longestWaitingClientIsServedFirst() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final List<RawRespClient> waiters = new ArrayList<>();
            for (int i = 0; i < 10; i++)
            {
                final RawRespClient waiter = clients.connect();
                clients.block(waiter, i + 1, i % 2 == 0 ? "BLPOP" : "BRPOP", "q", "0");
                waiters.add(waiter);
            }
            clients.call("RPUSH", "q", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11");
            for (int i = 0; i < waiters.size(); i++)
            {
                clients.read("waiter " + i, waiters.get(i));
            }
            clients.call("LRANGE", "q", "0", "-1");
            clients.awaitBlocked(0);
        });
    }

    @Test
    void aClientOnSeveralKeysIsServedFromTheKeyMadeReady() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient a = clients.connect();
            final RawRespClient b = clients.connect();
            final RawRespClient c = clients.connect();
            clients.block(a, 1, "BLPOP", "k1", "k2", "k3", "0");
            clients.block(b, 2, "BRPOP", "k2", "0");
            clients.block(c, 3, "BLMPOP", "0", "2", "k3", "k2", "RIGHT", "COUNT", "2");
            clients.call("RPUSH", "k2", "x", "y", "z", "w");
            clients.read("a", a);
            clients.read("b", b);
            clients.read("c", c);
            clients.call("LRANGE", "k2", "0", "-1");
            clients.call("EXISTS", "k2");
        });
    }

    @Test
    void aPipelinedPushServesWaitersBetweenItsCommands() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient waiter = clients.connect();
            clients.block(waiter, 1, "BLPOP", "q", "0");
            final RawRespClient producer = clients.connect();
            producer.sendRaw("*3\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$1\r\na\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nq\r\n" +
                "*4\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$1\r\nb\r\n$1\r\nc\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nq\r\n");
            for (int i = 0; i < 4; i++)
            {
                clients.read("producer " + i, producer);
            }
            clients.read("waiter", waiter);
        });
    }

    @Test
    void requestsPipelinedAfterABlockedCommandWaitBehindIt() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient waiter = clients.connect();
            waiter.sendRaw("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n" +
                "*2\r\n$4\r\nLLEN\r\n$1\r\nq\r\n*3\r\n$5\r\nBRPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nq\r\n");
            clients.awaitBlocked(1);
            assertTrue(waiter.silentFor(150), "nothing answered while BLPOP waits");
            clients.call("RPUSH", "q", "x", "y");
            for (int i = 0; i < 5; i++)
            {
                clients.read("waiter " + i, waiter);
            }
            // Blocked again by the second pop of the pipeline when the list is empty.
            waiter.sendRaw("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n");
            clients.awaitBlocked(1);
            clients.call("LPUSH", "q", "last");
            clients.read("again", waiter);
            clients.read("ping", waiter);
        });
    }

    @Test
    void timeoutsAnswerNullAfterTheirTime() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient waiter = clients.connect();
            final long startNs = System.nanoTime();
            clients.record("blpop", waiter.call("BLPOP", "q", "0.15"));
            final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            assertTrue(elapsedMs >= 140 && elapsedMs < 3_000, "timed out after " + elapsedMs + " ms");
            clients.record("brpop", waiter.call("BRPOP", "q", "q2", "0.01"));
            clients.record("blmove", waiter.call("BLMOVE", "q", "d", "LEFT", "RIGHT", "0.01"));
            clients.record("brpoplpush", waiter.call("BRPOPLPUSH", "q", "d", "0.01"));
            clients.record("blmpop", waiter.call("BLMPOP", "0.01", "2", "q", "q2", "LEFT", "COUNT", "3"));
            clients.record("sub-millisecond", waiter.call("BLPOP", "q", "0.0001"));
            clients.record("hello", String.valueOf(waiter.call("HELLO", "3").length() > 0));
            clients.record("resp3", waiter.call("BLPOP", "q", "0.01"));
            clients.record("resp3 blmove", waiter.call("BLMOVE", "q", "d", "LEFT", "RIGHT", "0.01"));
            clients.call("EXISTS", "q", "d");
            clients.awaitBlocked(0);
        });
    }

    @Test
    void clientUnblockAnswersAsATimeoutOrAnError() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient waiter = clients.connect();
            final String id = waiter.call("CLIENT", "ID").substring(1).strip();
            clients.block(waiter, 1, "BLPOP", "q", "0");
            clients.record("unblock", clients.control.call("CLIENT", "UNBLOCK", id));
            clients.read("unblocked", waiter);
            clients.block(waiter, 1, "BLMOVE", "q", "d", "LEFT", "LEFT", "0");
            clients.record("unblock error", clients.control.call("CLIENT", "UNBLOCK", id, "error"));
            clients.read("unblocked", waiter);
            clients.block(waiter, 1, "BRPOP", "q", "100");
            clients.record("unblock timeout", clients.control.call("CLIENT", "UNBLOCK", id, "TIMEOUT"));
            clients.read("unblocked", waiter);
            clients.record("not blocked", clients.control.call("CLIENT", "UNBLOCK", id));
            clients.call("CLIENT", "UNBLOCK", "999999");
            clients.record("bad reason", clients.control.call("CLIENT", "UNBLOCK", id, "maybe"));
            clients.call("CLIENT", "UNBLOCK", "x");
            clients.record("extra", clients.control.call("CLIENT", "UNBLOCK", id, "error", "extra"));
            clients.call("CLIENT", "UNBLOCK");
            clients.call("INFO", "nosuchsection");
            clients.record("after", waiter.call("PING"));
        });
    }

    @Test
    void blmoveHandsTheElementOverToTheNextWaiter() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient mover = clients.connect();
            final RawRespClient popper = clients.connect();
            final RawRespClient second = clients.connect();
            clients.block(mover, 1, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
            clients.block(popper, 2, "BLPOP", "dst", "0");
            clients.block(second, 3, "BRPOPLPUSH", "dst", "third", "0");
            clients.call("RPUSH", "src", "a", "b");
            clients.read("mover", mover);
            clients.read("popper", popper);
            clients.call("LRANGE", "src", "0", "-1");
            clients.call("EXISTS", "dst");
            clients.call("RPUSH", "dst", "c");
            clients.read("second", second);
            clients.call("LRANGE", "third", "0", "-1");
            // A destination of the wrong type: the served client gets WRONGTYPE, the element stays.
            clients.call("SET", "str", "v");
            clients.block(mover, 1, "BLMOVE", "src2", "str", "LEFT", "LEFT", "0");
            clients.call("RPUSH", "src2", "e");
            clients.read("wrongtype", mover);
            clients.call("LRANGE", "src2", "0", "-1");
        });
    }

    @Test
    void aKeyOfAnotherTypeServesNobody() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient waiter = clients.connect();
            clients.block(waiter, 1, "BLPOP", "k", "0");
            clients.call("SET", "k", "string");
            clients.call("SADD", "k2", "m");
            clients.call("RENAME", "k2", "k3");
            assertTrue(waiter.silentFor(100), "a string or a set does not serve a list waiter");
            clients.call("DEL", "k");
            clients.call("RPUSH", "tmp", "moved");
            clients.call("RENAME", "tmp", "k");
            clients.read("served by a rename", waiter);
            clients.call("BLPOP", "k3", "0");
        });
    }

    @Test
    void hostileArgumentsGetRedisErrors() throws Exception
    {
        final StringBuilder manyKeys = new StringBuilder();
        assertSameTranscript(clients ->
        {
            for (final String timeout : new String[] {"-1", "abc", "1e400", "inf", "-inf", "nan", "", " 1", "1 ",
                "1e20", "9223372036854775807", "-0.5", "0x", "1e"})
            {
                clients.call("BLPOP", "q", timeout);
            }
            clients.call("BLPOP", "q");
            clients.call("BRPOP");
            clients.call("BLMOVE", "a", "b", "UP", "LEFT", "0");
            clients.call("BLMOVE", "a", "b", "LEFT", "DOWN", "-1");
            clients.call("BLMOVE", "a", "b", "LEFT", "LEFT", "-1");
            clients.call("BRPOPLPUSH", "a", "b", "x");
            clients.call("BLMPOP", "0", "0", "a", "LEFT");
            clients.call("BLMPOP", "0", "1", "a", "MIDDLE");
            clients.call("BLMPOP", "0", "5", "a", "LEFT");
            clients.call("BLMPOP", "0", "1", "a", "LEFT", "COUNT", "0");
            clients.call("BLMPOP", "0", "1", "a", "LEFT", "COUNT", "1", "COUNT", "2");
            clients.call("BLMPOP", "-1", "1", "a", "LEFT");
            clients.call("BLMPOP", "x", "1", "a", "LEFT", "COUNT", "-5");
            clients.call("BLMPOP", "0", "99999999999999999999", "a", "LEFT");
            clients.call("SET", "s", "v");
            clients.call("BLPOP", "missing", "s", "0");
            clients.call("BLMPOP", "0", "2", "missing", "s", "LEFT");
            clients.call("BLMOVE", "s", "d", "LEFT", "LEFT", "0");
            clients.call("RPUSH", "l", "1");
            clients.call("BLMOVE", "l", "s", "LEFT", "LEFT", "0");
            clients.call("LRANGE", "l", "0", "-1");
            clients.call("BLPOP", "l", "l", "l", "0");
            clients.call("EXISTS", "l");
        });
    }

    @Test
    void thousandsOfKeysInOneRequest() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final String[] request = new String[5002];
            request[0] = "BLPOP";
            for (int i = 1; i <= 5000; i++)
            {
                request[i] = "key:" + (i % 4000); // some keys twice
            }
            request[5001] = "0";
            final RawRespClient waiter = clients.connect();
            clients.block(waiter, 1, request);
            clients.call("RPUSH", "key:3999", "v");
            clients.read("served", waiter);
            clients.awaitBlocked(0);
            clients.block(waiter, 1, request);
            waiter.close();
            clients.awaitBlocked(0);
            clients.call("RPUSH", "key:1", "kept");
            clients.call("LRANGE", "key:1", "0", "-1");
        });
    }

    @Test
    void aDisconnectOrAKillForgetsTheClientAndLosesNoElement() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient leaving = clients.connect();
            clients.block(leaving, 1, "BLPOP", "q", "0");
            leaving.close();
            clients.awaitBlocked(0);
            clients.call("RPUSH", "q", "kept");
            clients.call("LRANGE", "q", "0", "-1");
            final RawRespClient killed = clients.connect();
            final String id = killed.call("CLIENT", "ID").substring(1).strip();
            clients.block(killed, 1, "BRPOP", "q2", "0");
            clients.record("kill", clients.control.call("CLIENT", "KILL", "ID", id));
            clients.record("blocked right after the kill", String.valueOf(clients.blockedClients()));
            clients.record("killed connection closed", String.valueOf(killed.closedByServer()));
            clients.call("RPUSH", "q2", "kept");
            clients.call("LRANGE", "q2", "0", "-1");
        });
    }

    @Test
    void flushallLeavesClientsBlockedAndSwapdbServesThem() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient waiter = clients.connect();
            clients.block(waiter, 1, "BLPOP", "q", "0");
            clients.call("FLUSHALL");
            clients.record("still blocked", String.valueOf(clients.blockedClients()));
            clients.call("SELECT", "1");
            clients.call("RPUSH", "q", "from db 1");
            clients.call("SWAPDB", "0", "1");
            clients.read("served by swapdb", waiter);
            clients.call("SELECT", "0");
        });
    }

    @Test
    void becomingAReplicaReleasesBlockedClientsWithAnError() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient waiter = clients.connect();
            clients.block(waiter, 1, "BLPOP", "q", "0");
            final RawRespClient pipelined = clients.connect();
            pipelined.sendRaw("*3\r\n$5\r\nBRPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n");
            clients.awaitBlocked(2);
            clients.record("replicaof", clients.control.call("REPLICAOF", "127.0.0.1",
                String.valueOf(RedisServerProcess.freePort())));
            clients.read("unblocked", waiter);
            clients.record("closed", String.valueOf(waiter.closedByServer()));
            clients.read("pipelined", pipelined);
            clients.record("closed before its PING", String.valueOf(pipelined.closedByServer()));
            clients.call("REPLICAOF", "NO", "ONE");
            clients.record("blocked", String.valueOf(clients.blockedClients()));
        });
    }

    @Test
    void sortedSetWaitersAreServedInOrderAndListWaitersWaitOn() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient min = clients.connect();
            final RawRespClient list = clients.connect();
            final RawRespClient max = clients.connect();
            final RawRespClient multi = clients.connect();
            clients.block(min, 1, "BZPOPMIN", "z1", "z", "0");
            clients.block(list, 2, "BLPOP", "z", "0");
            clients.block(max, 3, "BZPOPMAX", "z", "0");
            clients.block(multi, 4, "BZMPOP", "0", "2", "z2", "z", "MIN", "COUNT", "10");
            clients.call("ZADD", "z", "1", "a", "2.5", "b", "-inf", "c", "3", "d", "4", "e");
            clients.read("min", min);
            clients.read("max", max);
            clients.read("multi", multi);
            clients.call("EXISTS", "z");
            clients.record("list waiter still blocked", String.valueOf(clients.blockedClients()));
            clients.call("RPUSH", "z", "x");
            clients.read("list", list);
            clients.record("hello", String.valueOf(min.call("HELLO", "3").length() > 0));
            clients.block(min, 1, "BZPOPMIN", "z3", "0");
            clients.call("ZADD", "z3", "1.5", "m");
            clients.read("resp3 score", min);
            clients.record("resp3 timeout", min.call("BZMPOP", "0.01", "1", "z3", "MAX"));
            clients.record("resp3 bzpopmax timeout", min.call("BZPOPMAX", "z3", "0.01"));
        });
    }

    @Test
    void sortedSetHostileArgumentsAndImmediatePops() throws Exception
    {
        assertSameTranscript(clients ->
        {
            clients.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
            clients.call("BZPOPMIN", "missing", "z", "0");
            clients.call("BZPOPMAX", "z", "0");
            clients.call("BZMPOP", "0", "1", "z", "MAX", "COUNT", "5");
            clients.call("EXISTS", "z");
            clients.call("BZPOPMIN", "z", "0.01");
            clients.call("BZMPOP", "0.01", "1", "z", "MIN");
            clients.call("BZPOPMIN", "z", "-1");
            clients.call("BZPOPMIN", "z", "nan");
            clients.call("BZPOPMIN", "z", "1e400");
            clients.call("BZPOPMIN", "z");
            clients.call("BZMPOP", "0", "0", "z", "MIN");
            clients.call("BZMPOP", "0", "1", "z", "LEFT");
            clients.call("BZMPOP", "0", "2", "z", "MIN");
            clients.call("BZMPOP", "0", "1", "z", "MIN", "COUNT", "0");
            clients.call("BZMPOP", "-2", "1", "z", "MIN");
            clients.call("BZMPOP", "x", "1", "z", "MIN", "COUNT", "2");
            clients.call("RPUSH", "l", "1");
            clients.call("BZPOPMIN", "missing", "l", "0");
            clients.call("BZMPOP", "0", "1", "l", "MAX");
            clients.call("BLPOP", "missing", "l", "0");
        });
    }

    @Test
    void aTransactionWakesWaitersOnlyWithWhatItLeavesAndNeverBlocks() throws Exception
    {
        assertSameTranscript(clients ->
        {
            final RawRespClient waiter = clients.connect();
            clients.block(waiter, 1, "BLPOP", "q", "0");
            // Pushed and popped inside one EXEC: the key never exists between commands, nobody wakes.
            clients.call("MULTI");
            clients.call("LPUSH", "q", "gone");
            clients.call("LPOP", "q");
            clients.call("EXEC");
            clients.record("still blocked", String.valueOf(clients.blockedClients()));
            // Inside EXEC the blocking commands answer at once, as on a timeout.
            clients.call("MULTI");
            clients.call("RPUSH", "q", "first", "second");
            clients.call("BLPOP", "none", "0");
            clients.call("BLMOVE", "none", "d", "LEFT", "LEFT", "0");
            clients.call("BRPOPLPUSH", "none", "d", "0");
            clients.call("BLMPOP", "0", "1", "none", "LEFT");
            clients.call("BZPOPMIN", "none", "0");
            clients.call("BZMPOP", "0", "1", "none", "MIN");
            clients.call("LLEN", "q");
            clients.call("EXEC");
            // Served once the EXEC is done, with what it left.
            clients.read("waiter", waiter);
            clients.call("LRANGE", "q", "0", "-1");
        });
    }
}
