package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH against a real redis-server 7.0, byte for byte, in RESP2 and RESP3: queueing and
 * EXECABORT, refused commands, runtime errors inside EXEC, and every way a watched key is invalidated (or, as in
 * Redis, is not: SET NX on an existing key, DEL of a missing key...). Each scenario is a script of steps by two
 * clients; both servers must answer every step the same.
 */
class TransactionInteropTest
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

    /** Steps: "A cmd args..." or "B cmd args..." (client A or B), or "SLEEP ms". */
    private static final String[][] SCENARIOS = {
        // queueing, EXECABORT, nesting, refusals
        {"A MULTI", "A WATCH x", "A MULTI", "A SAVE", "A SET a 1", "A EXEC", "A GET a"},
        {"A EXEC", "A DISCARD", "A UNWATCH", "A MULTI", "A EXEC"},
        {"A MULTI", "A SET a", "A SET a 1", "A EXEC", "A EXISTS a"},
        {"A MULTI", "A foo bar", "A SET a 1", "A EXEC", "A EXISTS a"},
        {"A MULTI", "A INCR a", "A SADD a 1", "A GET a", "A EXEC"},
        {"A SET s text", "A MULTI", "A INCR s", "A SET t 1", "A SADD s x", "A EXEC", "A GET t"},
        {"A MULTI", "A SHUTDOWN", "A DISCARD", "A MULTI", "A UNWATCH", "A PING", "A EXEC"},
        {"A MULTI", "A EXEC extra", "A DISCARD extra", "A MULTI extra", "A DISCARD"},
        {"A MULTI", "A SELECT 100", "A SELECT 2", "A SET a 4", "A EXEC", "A GET a", "A SELECT 0", "A GET a"},
        {"A MULTI", "A DISCARD", "A DISCARD", "A MULTI", "A SET q 1", "A DISCARD", "A EXISTS q"},
        {"A MULTI", "A MULTI", "A SET a 1", "A EXEC"},
        {"A MULTI", "A SET a 1", "A WATCH a", "A EXEC"},
        {"A MULTI", "A PING hello", "A ECHO x", "A GET missing", "A HSET h f v", "A HGETALL h", "A SMEMBERS nothing",
            "A EXEC"},
        // WATCH: what invalidates
        {"A SET x 1", "A WATCH x", "B SET x 2", "A MULTI", "A SET y 1", "A EXEC", "A EXISTS y"},
        {"A SET x 1", "A WATCH x", "B SET x 1 NX", "A MULTI", "A PING", "A EXEC"},
        {"A WATCH x", "B DEL x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B DEL x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "A SET x 2", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B EXPIRE x 100", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B PERSIST x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1 EX 100", "A WATCH x", "B PERSIST x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B INCRBY x 0", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B GET x", "B EXISTS x", "B TTL x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B GETEX x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B GETDEL x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x abc", "A WATCH x", "B SETRANGE x 1 \"\"", "A MULTI", "A PING", "A EXEC"},
        {"A SET x abc", "A WATCH x", "B APPEND x z", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B RENAME x z", "A MULTI", "A PING", "A EXEC"},
        {"A SET z 1", "A WATCH x", "B RENAME z x", "A MULTI", "A PING", "A EXEC"},
        {"A SET z 1", "A WATCH x", "B COPY z x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B MOVE x 1", "A MULTI", "A PING", "A EXEC"},
        {"A SADD x a", "A WATCH x", "B SADD x a", "B SREM x b", "A MULTI", "A PING", "A EXEC"},
        {"A SADD x a", "A WATCH x", "B SADD x b", "A MULTI", "A PING", "A EXEC"},
        {"A HSET x f v", "A WATCH x", "B HDEL x g", "A MULTI", "A PING", "A EXEC"},
        {"A HSET x f v", "A WATCH x", "B HSET x f v", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B SELECT 1", "B SET x 2", "A MULTI", "A PING", "A EXEC"},
        {"A SELECT 1", "A SET x 1", "A WATCH x", "A SELECT 0", "B SELECT 1", "B SET x 2", "A MULTI", "A EXEC"},
        {"A SET x 1", "A WATCH x", "A UNWATCH", "B SET x 2", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B SET x 2", "A UNWATCH", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B SET x 2", "A MULTI", "A SET y 1", "A DISCARD", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B SET x 2", "A WATCH x y", "A MULTI", "A PING", "A EXEC"},
        {"A WATCH x", "B SET x 2", "A MULTI", "A SET w 1", "A EXEC", "A EXISTS w"},
        {"A SET x 1", "A WATCH x", "A MULTI", "B SET x 2", "A SET w 1", "A EXEC", "A EXISTS w"},
        // expiry
        {"A SET x 1 PX 100", "A WATCH x", "SLEEP 200", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1 PX 100", "A WATCH x", "SLEEP 200", "B GET x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1 PX 20", "SLEEP 100", "A WATCH x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1 PX 20", "SLEEP 100", "A WATCH x", "B GET x", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1 PX 20", "SLEEP 100", "A WATCH x", "B SET x 2", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1 PX 20", "SLEEP 100", "A WATCH x", "B DEL x", "A MULTI", "A PING", "A EXEC"},
        // flushes and SWAPDB
        {"A SET x 1", "A WATCH x", "B FLUSHDB", "A MULTI", "A PING", "A EXEC"},
        {"A WATCH x", "B SET other 1", "B FLUSHDB", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B SELECT 1", "B FLUSHDB", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B FLUSHALL", "A MULTI", "A PING", "A EXEC"},
        {"A WATCH x", "B FLUSHALL", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1 PX 20", "SLEEP 100", "A WATCH x", "B FLUSHALL", "A MULTI", "A PING", "A EXEC"},
        {"A WATCH x", "B SELECT 1", "B SET x 1", "B SWAPDB 0 1", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B SWAPDB 0 1", "A MULTI", "A PING", "A EXEC"},
        {"A WATCH x", "B SWAPDB 0 1", "A MULTI", "A PING", "A EXEC"},
        {"A SET x 1", "A WATCH x", "B SWAPDB 2 3", "A MULTI", "A PING", "A EXEC"},
        {"A WATCH x", "B SELECT 1", "B SET x 1 PX 20", "SLEEP 100", "B SWAPDB 0 1", "A MULTI", "A PING", "A EXEC"},
    };

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void everyScenarioAnswersAsRedis(final int protocol) throws IOException, InterruptedException
    {
        for (final String[] scenario : SCENARIOS)
        {
            assertEquals(transcript(redis.port(), protocol, scenario), transcript(ringkv.port(), protocol, scenario),
                String.join(" | ", scenario));
        }
    }

    private static List<String> transcript(final int port, final int protocol, final String[] scenario)
        throws IOException, InterruptedException
    {
        final List<String> replies = new ArrayList<>();
        try (RawRespClient a = new RawRespClient(port);
            RawRespClient b = new RawRespClient(port))
        {
            a.call("FLUSHALL");
            a.call("HELLO", Integer.toString(protocol));
            b.call("HELLO", Integer.toString(protocol));
            for (final String step : scenario)
            {
                final String[] words = step.split(" ");
                if (words[0].equals("SLEEP"))
                {
                    Thread.sleep(Long.parseLong(words[1]));
                    continue;
                }
                final String[] args = new String[words.length - 1];
                for (int i = 1; i < words.length; i++)
                {
                    args[i - 1] = words[i].equals("\"\"") ? "" : words[i];
                }
                final RawRespClient client = words[0].equals("A") ? a : b;
                replies.add(step + " -> " + client.call(args));
            }
        }
        return replies;
    }
}
