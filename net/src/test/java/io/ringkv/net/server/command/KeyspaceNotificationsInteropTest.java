package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keyspace notifications on the wire, against redis-server 7.0.15: the same commands go to both servers, each has a
 * subscriber on {@code __key*__:*} (PSUBSCRIBE, RESP2), and after every command the messages each subscriber
 * received up to a marker PUBLISHed after the command must be the same bytes: channels {@code __keyspace@<db>__:key}
 * and {@code __keyevent@<db>__:event}, payloads, order. Keys expire only by commands here (active expiry is off on
 * Redis; the TTLs ringkv's tick could reach are far away).
 */
class KeyspaceNotificationsInteropTest
{
    private static final String MARKER = "__keyspace@0__:interop-marker";
    private static final String[] KEYS = {"a", "b", "c"};
    private static final String[] MEMBERS = {"1", "2", "x"};

    @Test
    void subscribersReceiveTheSameMessagesAsFromRedis() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.start("--enable-debug-command", "local");
            TestServer server = TestServer.start();
            RawRespClient theirs = new RawRespClient(redis.port());
            RawRespClient ours = new RawRespClient(server.port());
            RawRespClient theirSubscriber = new RawRespClient(redis.port());
            RawRespClient ourSubscriber = new RawRespClient(server.port()))
        {
            assertEquals("+OK\r\n", theirs.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
            for (final RawRespClient client : new RawRespClient[]{theirs, ours})
            {
                assertEquals("+OK\r\n", client.call("CONFIG", "SET", "notify-keyspace-events", "KEA$nm"));
            }
            for (final RawRespClient subscriber : new RawRespClient[]{theirSubscriber, ourSubscriber})
            {
                assertEquals("*3\r\n$10\r\npsubscribe\r\n$10\r\n__key*__:*\r\n:1\r\n",
                    subscriber.call("PSUBSCRIBE", "__key*__:*"));
            }
            final List<String[]> commands = new ArrayList<>(List.of(
                new String[]{"SET", "k", "v", "EX", "100"}, new String[]{"GET", "nokey"},
                new String[]{"SADD", "s", "a", "b", "c"}, new String[]{"SPOP", "s", "5"},
                new String[]{"HSET", "h", "f", "1"}, new String[]{"HDEL", "h", "f"},
                new String[]{"COPY", "k", "k2", "DB", "3"}, new String[]{"MOVE", "k", "2"},
                new String[]{"SELECT", "2"}, new String[]{"RENAME", "k", "k3"}, new String[]{"SELECT", "0"},
                new String[]{"CONFIG", "SET", "notify-keyspace-events", "Kg"}, new String[]{"SET", "n", "1"},
                new String[]{"DEL", "n"}, new String[]{"CONFIG", "SET", "notify-keyspace-events", "Eh$"},
                new String[]{"HSET", "h2", "f", "1"}, new String[]{"DEL", "h2"},
                new String[]{"CONFIG", "SET", "notify-keyspace-events", "AKEnm"}));
            final Random random = new Random(20261204);
            for (int i = 0; i < 2_000; i++)
            {
                commands.add(randomCommand(random));
            }
            int n = 0;
            for (final String[] command : commands)
            {
                theirs.call(command);
                ours.call(command);
                final String context = "command " + n++ + ": " + String.join(" ", command);
                assertEquals(messages(theirs, theirSubscriber), messages(ours, ourSubscriber), context);
            }
        }
    }

    /**
     * @return the messages the subscriber received before the marker published now, as their wire bytes.
     */
    private static String messages(final RawRespClient client, final RawRespClient subscriber) throws IOException
    {
        assertEquals(":1\r\n", client.call("PUBLISH", MARKER, "-"));
        final StringBuilder messages = new StringBuilder();
        while (true)
        {
            final String message = subscriber.read();
            if (message.contains(MARKER))
            {
                return messages.toString();
            }
            messages.append(message);
        }
    }

    private static String[] randomCommand(final Random random)
    {
        final String key = KEYS[random.nextInt(KEYS.length)];
        final String other = KEYS[random.nextInt(KEYS.length)];
        final String member = MEMBERS[random.nextInt(MEMBERS.length)];
        return switch (random.nextInt(22))
        {
            case 0 -> new String[]{"SET", key, member};
            case 1 -> new String[]{"SET", key, member, "PX", "100000", "GET"};
            case 2 -> new String[]{"GET", key};
            case 3 -> new String[]{"DEL", key, other};
            case 4 -> new String[]{"APPEND", key, member};
            case 5 -> new String[]{"INCRBY", key, member};
            case 6 -> new String[]{"HSET", key, member, "v"};
            case 7 -> new String[]{"HDEL", key, member};
            case 8 -> new String[]{"HINCRBYFLOAT", key, member, "1.5"};
            case 9 -> new String[]{"SADD", key, member};
            case 10 -> new String[]{"SREM", key, member};
            case 11 -> new String[]{"SMOVE", key, other, member};
            case 12 -> new String[]{"EXPIRE", key, random.nextBoolean() ? "1000" : "-1"};
            case 13 -> new String[]{"PERSIST", key};
            case 14 -> new String[]{"RENAME", key, other};
            case 15 -> new String[]{"COPY", key, other, "REPLACE"};
            case 16 -> new String[]{"MOVE", key, "1"};
            case 17 -> new String[]{"SELECT", random.nextBoolean() ? "0" : "1"};
            case 18 -> new String[]{"SUNIONSTORE", key, other};
            case 19 -> new String[]{"GETDEL", key};
            case 20 -> new String[]{"SETRANGE", key, "2", member};
            default -> new String[]{"EXISTS", key, other};
        };
    }
}
