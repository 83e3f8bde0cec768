package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pub/Sub against a real redis-server 7.0, byte for byte: subscribe and unsubscribe replies (one channel at a time,
 * all at once, from nothing), RESP2's subscribed mode and its PING, RESP3 pushes between replies, pattern and shard
 * messages, PUBSUB's introspection, hostile input; then what only ringkv can be asked: the output buffer limit on a
 * subscriber that never reads and the registry after a subscriber disconnects.
 */
class PubSubCommandsTest
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

    /** One step: a client (0 subscriber, 1 publisher) sends a request, then reads {@code replies} values. */
    private record Step(int client, int replies, String... request)
    {
    }

    private static Step sub(final int replies, final String... request)
    {
        return new Step(0, replies, request);
    }

    private static Step pub(final int replies, final String... request)
    {
        return new Step(1, replies, request);
    }

    /** The subscriber reads values nobody asked for (messages). */
    private static Step messages(final int count)
    {
        return new Step(0, count);
    }

    private static String transcript(final int port, final List<Step> steps) throws IOException
    {
        try (RawRespClient subscriber = new RawRespClient(port);
            RawRespClient publisher = new RawRespClient(port))
        {
            final StringBuilder out = new StringBuilder();
            for (final Step step : steps)
            {
                final RawRespClient client = step.client() == 0 ? subscriber : publisher;
                if (step.request().length > 0)
                {
                    client.send(step.request());
                }
                out.append(step.client()).append(' ').append(String.join(" ", step.request())).append(" -> ");
                for (int i = 0; i < step.replies(); i++)
                {
                    final String reply = client.read();
                    out.append(step.request().length > 0 && "HELLO".equals(step.request()[0]) ? "(hello: names the client id)" : reply);
                }
                out.append('\n');
            }
            return out.toString();
        }
    }

    private static void assertSameAsRedis(final List<Step> steps) throws IOException
    {
        assertEquals(transcript(redis.port(), steps), transcript(ringkv.port(), steps));
    }

    @Test
    void resp2SubscribedModeMatchesRedis() throws IOException
    {
        assertSameAsRedis(List.of(
            sub(1, "UNSUBSCRIBE"),
            sub(1, "PUNSUBSCRIBE"),
            sub(1, "SUNSUBSCRIBE"),
            sub(2, "SUBSCRIBE", "news", "sport"),
            sub(1, "SUBSCRIBE", "news"),
            sub(1, "GET", "x"),
            sub(1, "PUBLISH", "news", "x"),
            sub(1, "PUBSUB", "NUMSUB"),
            sub(1, "PING"),
            sub(1, "PING", "hello"),
            sub(1, "PING", "a", "b"),
            pub(1, "PUBLISH", "news", "breaking"),
            messages(1),
            pub(1, "PUBSUB", "NUMSUB", "news", "sport", "none"),
            pub(1, "PUBSUB", "CHANNELS", "n*"),
            pub(1, "PUBSUB", "NUMPAT"),
            sub(1, "PSUBSCRIBE", "n?ws"),
            sub(1, "PSUBSCRIBE", "[a-m]*"),
            pub(1, "PUBSUB", "NUMPAT"),
            pub(1, "PUBLISH", "news", "twice"),
            messages(2),
            pub(1, "PUBLISH", "hello", "pattern"),
            messages(1),
            sub(1, "PUNSUBSCRIBE", "nope"),
            sub(1, "PUNSUBSCRIBE", "[a-m]*"),
            sub(1, "UNSUBSCRIBE", "news"),
            sub(1, "SSUBSCRIBE", "shard"),
            pub(1, "SPUBLISH", "shard", "s1"),
            messages(1),
            pub(1, "PUBLISH", "shard", "not a shard message"),
            pub(1, "PUBSUB", "SHARDNUMSUB", "shard", "x"),
            pub(1, "PUBSUB", "SHARDCHANNELS"),
            sub(1, "SUNSUBSCRIBE"),
            sub(1, "PUNSUBSCRIBE"),
            sub(1, "UNSUBSCRIBE"),
            sub(1, "UNSUBSCRIBE"),
            sub(1, "GET", "x"),
            pub(1, "PUBLISH", "news"),
            pub(1, "PUBLISH", "news", "a", "b"),
            pub(1, "SUBSCRIBE"),
            pub(1, "PUBSUB"),
            pub(1, "PUBSUB", "NOPE"),
            pub(1, "PUBSUB", "NUMPAT", "extra"),
            pub(1, "PUBSUB", "HELP"),
            sub(2, "SUBSCRIBE", "a", "b"),
            sub(1, "RESET"),
            sub(1, "GET", "x"),
            pub(1, "PUBSUB", "NUMSUB", "a", "b")));
    }

    @Test
    void resp3PushesInterleaveWithRepliesAsInRedis() throws IOException
    {
        final List<Step> steps = new ArrayList<>();
        steps.add(sub(1, "HELLO", "3"));
        steps.add(sub(1, "SUBSCRIBE", "ch"));
        steps.add(sub(1, "GET", "x"));
        steps.add(sub(1, "PING"));
        steps.add(sub(2, "PUBLISH", "ch", "to myself")); // the message first, then PUBLISH's reply
        steps.add(pub(1, "PUBLISH", "ch", "from another"));
        steps.add(messages(1));
        steps.add(sub(1, "PSUBSCRIBE", "c*"));
        steps.add(pub(1, "PUBLISH", "ch", "both"));
        steps.add(messages(2));
        steps.add(sub(1, "SSUBSCRIBE", "s"));
        steps.add(pub(1, "SPUBLISH", "s", "shard"));
        steps.add(messages(1));
        steps.add(sub(1, "UNSUBSCRIBE", "ch"));
        steps.add(sub(1, "UNSUBSCRIBE"));
        steps.add(sub(1, "PUNSUBSCRIBE"));
        steps.add(sub(1, "SUNSUBSCRIBE"));
        steps.add(sub(1, "PUNSUBSCRIBE"));
        assertSameAsRedis(steps);
    }

    @Test
    void pipelinedSubscribeAndPublishKeepRedisOrder() throws IOException
    {
        // One read holds the whole pipeline: replies and the messages made between them leave in order.
        final String pipeline = "HELLO 3\r\nSUBSCRIBE a\r\nPUBLISH a one\r\nGET x\r\nPSUBSCRIBE *\r\nPUBLISH a two\r\n" +
            "UNSUBSCRIBE\r\nPUNSUBSCRIBE\r\nPING\r\n";
        assertEquals(rawExchange(redis.port(), pipeline, 12), rawExchange(ringkv.port(), pipeline, 12));
        final String resp2 = "SUBSCRIBE a b\r\nPING\r\nUNSUBSCRIBE a\r\nPSUBSCRIBE x\r\nUNSUBSCRIBE\r\nQUIT\r\n";
        assertEquals(rawExchange(redis.port(), resp2, 7), rawExchange(ringkv.port(), resp2, 7));
    }

    private static String rawExchange(final int port, final String pipeline, final int replies) throws IOException
    {
        try (RawRespClient client = new RawRespClient(port))
        {
            client.sendRaw(pipeline);
            final StringBuilder out = new StringBuilder();
            for (int i = 0; i < replies; i++)
            {
                out.append(client.read().replace("\r\n", "|").replaceAll("proto\\|.*modules\\|\\*0\\|", ""));
            }
            return out.toString();
        }
    }

    @Test
    void outputBufferLimitConfigMatchesRedis() throws IOException
    {
        final String[][] requests = {
            {"CONFIG", "GET", "client-output-buffer-limit"},
            {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 5"},
            {"CONFIG", "GET", "client-output-buffer-limit"},
            {"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2 3 replica 4 5 6"},
            {"CONFIG", "GET", "client-output-buffer-limit"},
            {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1"},
            {"CONFIG", "SET", "client-output-buffer-limit", "master 1 2 3"},
            {"CONFIG", "SET", "client-output-buffer-limit", "pubsub x 2 3"},
            {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 2 -3"},
            {"CONFIG", "GET", "client-output-buffer-limit"},
            {"CONFIG", "SET", "client-output-buffer-limit",
                "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
            {"CONFIG", "GET", "client-output-buffer-limit"}};
        RawRespClient.assertSameReplies(ringkv.port(), redis.port(), requests);
    }

    @Test
    void hostileInputIsRefusedOrServedWithoutHarm() throws IOException
    {
        try (RawRespClient subscriber = new RawRespClient(ringkv.port());
            RawRespClient publisher = new RawRespClient(ringkv.port()))
        {
            final String huge = "c".repeat(4 * 1024 * 1024);
            assertEquals("*3\r\n$9\r\nsubscribe\r\n$" + huge.length() + "\r\n" + huge + "\r\n:1\r\n",
                subscriber.call("SUBSCRIBE", huge));
            assertEquals(":1\r\n", publisher.call("PUBLISH", huge, "m"));
            assertEquals("*3\r\n$7\r\nmessage\r\n$" + huge.length() + "\r\n" + huge + "\r\n$1\r\nm\r\n",
                subscriber.read());
            // Thousands of patterns on one connection, with pathological ones among them.
            final String[] patterns = new String[5001];
            patterns[0] = "PSUBSCRIBE";
            for (int i = 1; i < patterns.length; i++)
            {
                patterns[i] = i % 100 == 0 ? "*a*a*a*a*a*a*a*a*a*a*a*a*b" + i : "p" + i + "*";
            }
            subscriber.send(patterns);
            for (int i = 1; i < patterns.length; i++)
            {
                assertEquals(":" + (i + 1) + "\r\n", tail(subscriber.read()));
            }
            assertEquals(":5000\r\n", publisher.call("PUBSUB", "NUMPAT"));
            assertEquals(":0\r\n", publisher.call("PUBLISH", "a".repeat(64) + "c", "x"), "no pattern matches");
            // p4*, p49*, p499* and p4999* match.
            assertEquals(":4\r\n", publisher.call("PUBLISH", "p4999xyz", "x"));
            final String received = subscriber.read() + subscriber.read() + subscriber.read() + subscriber.read();
            for (final String pattern : new String[] {"p4*", "p49*", "p499*", "p4999*"})
            {
                assertTrue(received.contains("pmessage\r\n$" + pattern.length() + "\r\n" + pattern + "\r\n"));
            }
            assertEquals("-ERR wrong number of arguments for 'publish' command\r\n", publisher.call("PUBLISH", "a"));
            assertEquals("-ERR wrong number of arguments for 'spublish' command\r\n",
                publisher.call("SPUBLISH", "a", "b", "c"));
            assertEquals("-ERR wrong number of arguments for 'pubsub|numpat' command\r\n",
                publisher.call("PUBSUB", "NUMPAT", "x"));
            // Binary channel names and messages travel untouched.
            final String binary = "\u0000\u00ff\r\n*$";
            assertEquals(":5002\r\n", tail(subscriber.call("SUBSCRIBE", binary)));
            assertEquals(":1\r\n", publisher.call("PUBLISH", binary, binary));
            assertEquals("*3\r\n$7\r\nmessage\r\n$6\r\n" + binary + "\r\n$6\r\n" + binary + "\r\n",
                subscriber.read());
            assertEquals("+PONG\r\n", publisher.call("PING"));
        }
        try (RawRespClient admin = new RawRespClient(ringkv.port()))
        {
            assertEquals(":0\r\n", poll(admin, ":0\r\n", "PUBSUB", "NUMPAT"), "a closed subscriber's patterns go");
        }
    }

    private static String tail(final String reply)
    {
        return reply.substring(reply.lastIndexOf(':'));
    }

    @Test
    void manyChannelsAndSubscribersStayConsistent() throws IOException
    {
        final int channels = 2000;
        try (RawRespClient a = new RawRespClient(ringkv.port());
            RawRespClient b = new RawRespClient(ringkv.port());
            RawRespClient publisher = new RawRespClient(ringkv.port()))
        {
            final String[] subscribe = new String[channels + 1];
            subscribe[0] = "SUBSCRIBE";
            for (int i = 1; i <= channels; i++)
            {
                subscribe[i] = "many:" + i;
            }
            a.send(subscribe);
            b.send(subscribe);
            for (int i = 1; i <= channels; i++)
            {
                assertEquals(":" + i + "\r\n", tail(a.read()));
                assertEquals(":" + i + "\r\n", tail(b.read()));
            }
            for (int i = 1; i <= channels; i += 97)
            {
                assertEquals(":2\r\n", publisher.call("PUBLISH", "many:" + i, "m" + i));
                assertTrue(a.read().endsWith("$" + ("m" + i).length() + "\r\nm" + i + "\r\n"));
                assertTrue(b.read().endsWith("$" + ("m" + i).length() + "\r\nm" + i + "\r\n"));
            }
            // Unsubscribe-all answers once per channel, counting down to zero.
            a.send("UNSUBSCRIBE");
            for (int i = channels - 1; i >= 0; i--)
            {
                assertEquals(":" + i + "\r\n", tail(a.read()));
            }
            assertEquals("*4\r\n$6\r\nmany:1\r\n:1\r\n$7\r\nmany:98\r\n:1\r\n",
                publisher.call("PUBSUB", "NUMSUB", "many:1", "many:98"));
        }
    }

    @Test
    void disconnectedSubscriberLeavesTheRegistry() throws IOException
    {
        try (RawRespClient admin = new RawRespClient(ringkv.port()))
        {
            final RawRespClient gone = new RawRespClient(ringkv.port());
            final RawRespClient stays = new RawRespClient(ringkv.port());
            gone.call("SUBSCRIBE", "leave:ch");
            gone.call("PSUBSCRIBE", "leave:*");
            gone.call("SSUBSCRIBE", "leave:s");
            stays.call("SUBSCRIBE", "leave:ch");
            assertEquals("*2\r\n$8\r\nleave:ch\r\n:2\r\n", admin.call("PUBSUB", "NUMSUB", "leave:ch"));
            gone.close();
            assertEquals("*2\r\n$8\r\nleave:ch\r\n:1\r\n",
                poll(admin, "*2\r\n$8\r\nleave:ch\r\n:1\r\n", "PUBSUB", "NUMSUB", "leave:ch"));
            assertEquals(":0\r\n", admin.call("PUBSUB", "NUMPAT"));
            assertEquals("*0\r\n", admin.call("PUBSUB", "SHARDCHANNELS"));
            assertEquals(":1\r\n", admin.call("PUBLISH", "leave:ch", "still here"));
            assertTrue(stays.read().contains("still here"));
            stays.close();
        }
    }

    @Test
    void subscriberThatNeverReadsIsDisconnectedAtTheLimit() throws IOException, InterruptedException
    {
        try (RawRespClient admin = new RawRespClient(ringkv.port());
            Socket subscriber = new Socket())
        {
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"));
            try
            {
                subscriber.setReceiveBufferSize(4096);
                subscriber.connect(new InetSocketAddress("127.0.0.1", ringkv.port()));
                final OutputStream out = subscriber.getOutputStream();
                out.write("SUBSCRIBE slow\r\n".getBytes(StandardCharsets.US_ASCII));
                final InputStream in = subscriber.getInputStream();
                final byte[] confirmation = new byte["*3\r\n$9\r\nsubscribe\r\n$4\r\nslow\r\n:1\r\n".length()];
                assertEquals(confirmation.length, in.readNBytes(confirmation, 0, confirmation.length));
                final String message = "m".repeat(8 * 1024);
                int published = 0;
                boolean dropped = false;
                // 64 MB would be sent to a reader that never reads: far past 1 MB plus the socket buffers.
                while (published < 8 * 1024 && !dropped)
                {
                    final String receivers = admin.call("PUBLISH", "slow", message);
                    dropped = ":0\r\n".equals(receivers);
                    published++;
                }
                assertTrue(dropped, "the subscriber was dropped after " + published + " messages");
                assertEquals("*2\r\n$4\r\nslow\r\n:0\r\n", admin.call("PUBSUB", "NUMSUB", "slow"));
                // The server closed the connection: after the bytes that reached the socket, the stream ends.
                subscriber.setSoTimeout(10_000);
                long received = 0;
                try
                {
                    final byte[] chunk = new byte[64 * 1024];
                    for (int n; (n = in.read(chunk)) > 0; )
                    {
                        received += n;
                    }
                }
                catch (final IOException reset)
                {
                    // a reset ends it too
                }
                assertFalse(received > 8L * 1024 * 1024, "at most the limit plus socket buffers: " + received);
                assertEquals("+PONG\r\n", admin.call("PING"));
            }
            finally
            {
                admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60");
            }
        }
    }

    @Test
    void jsonLinesSubscribersGetMessagesAsJsonLines() throws IOException
    {
        try (Socket subscriber = new Socket("127.0.0.1", ringkv.port());
            RawRespClient publisher = new RawRespClient(ringkv.port()))
        {
            subscriber.setSoTimeout(5_000);
            final OutputStream out = subscriber.getOutputStream();
            final java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(subscriber.getInputStream(), StandardCharsets.UTF_8));
            out.write(("{\"id\":1,\"cmd\":\"subscribe\",\"channels\":[\"j:a\",\"j:b\"]}\n" +
                "{\"id\":2,\"cmd\":\"psubscribe\",\"channels\":[\"j:*\"]}\n").getBytes(StandardCharsets.UTF_8));
            assertEquals("{\"id\":1,\"value\":[[\"subscribe\",\"j:a\",1],[\"subscribe\",\"j:b\",2]]}", in.readLine());
            assertEquals("{\"id\":2,\"value\":[[\"psubscribe\",\"j:*\",3]]}", in.readLine());
            // The raw client sends ISO-8859-1: these are the UTF-8 bytes of "hé\"llo".
            assertEquals(":2\r\n", publisher.call("PUBLISH", "j:a", "h\u00c3\u00a9\"llo"));
            final String first = in.readLine();
            final String second = in.readLine();
            final List<String> both = List.of(first, second);
            assertTrue(both.contains("{\"channel\":\"j:a\",\"message\":\"h\u00e9\\\"llo\"}"), both.toString());
            assertTrue(both.contains("{\"pattern\":\"j:*\",\"channel\":\"j:a\",\"message\":\"h\u00e9\\\"llo\"}"),
                both.toString());
            // Not UTF-8: base64, as JSON-lines replies write such strings.
            assertEquals(":1\r\n", publisher.call("PUBLISH", "j:zz", "\u00ff"));
            assertEquals("{\"pattern\":\"j:*\",\"channel\":\"j:zz\",\"message\":{\"$base64\":\"/w==\"}}",
                in.readLine());
            // Other commands still run while subscribed; publish from JSON too.
            out.write(("{\"id\":3,\"cmd\":\"publish\",\"channel\":\"j:b\",\"message\":\"self\"}\n" +
                "{\"id\":4,\"cmd\":\"punsubscribe\"}\n{\"id\":5,\"cmd\":\"unsubscribe\"}\n" +
                "{\"id\":6,\"cmd\":\"unsubscribe\"}\n{\"id\":7,\"cmd\":\"monitor\",\"args\":[]}\n")
                .getBytes(StandardCharsets.UTF_8));
            assertEquals("{\"channel\":\"j:b\",\"message\":\"self\"}", in.readLine());
            assertEquals("{\"pattern\":\"j:*\",\"channel\":\"j:b\",\"message\":\"self\"}", in.readLine());
            assertEquals("{\"id\":3,\"value\":2}", in.readLine());
            assertEquals("{\"id\":4,\"value\":[[\"punsubscribe\",\"j:*\",2]]}", in.readLine());
            assertEquals("{\"id\":5,\"value\":[[\"unsubscribe\",\"j:a\",1],[\"unsubscribe\",\"j:b\",0]]}",
                in.readLine());
            assertEquals("{\"id\":6,\"value\":[[\"unsubscribe\",null,0]]}", in.readLine());
            assertEquals("{\"id\":7,\"error\":\"ERR MONITOR needs a RESP connection\"}", in.readLine());
        }
    }

    @Test
    void softLimitDisconnectsOnlyAfterItsSeconds() throws IOException, InterruptedException
    {
        try (RawRespClient admin = new RawRespClient(ringkv.port());
            Socket subscriber = new Socket())
        {
            assertEquals("+OK\r\n", admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 256kb 1"));
            try
            {
                subscriber.setReceiveBufferSize(4096);
                subscriber.connect(new InetSocketAddress("127.0.0.1", ringkv.port()));
                subscriber.getOutputStream().write("SUBSCRIBE soft\r\n".getBytes(StandardCharsets.US_ASCII));
                subscriber.getInputStream().readNBytes("*3\r\n$9\r\nsubscribe\r\n$4\r\nsoft\r\n:1\r\n".length());
                final String message = "s".repeat(16 * 1024);
                // 16 MB at once: the socket's buffers fill and far more than the soft limit is queued, but no hard
                // limit is set, so the subscriber stays for now.
                for (int i = 0; i < 1024; i++)
                {
                    assertEquals(":1\r\n", admin.call("PUBLISH", "soft", message), "message " + i);
                }
                assertEquals("*2\r\n$4\r\nsoft\r\n:1\r\n", admin.call("PUBSUB", "NUMSUB", "soft"));
                // Still over it more than a second later (Redis counts whole seconds): the next message drops it.
                final long deadline = System.nanoTime() + 10_000_000_000L;
                String receivers = ":1\r\n";
                while (":1\r\n".equals(receivers) && System.nanoTime() < deadline)
                {
                    Thread.sleep(100);
                    receivers = admin.call("PUBLISH", "soft", "tick");
                }
                assertEquals(":0\r\n", receivers, "dropped once over the soft limit for longer than 1 s");
            }
            finally
            {
                admin.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60");
            }
        }
    }

    private static String poll(final RawRespClient client, final String expected, final String... request)
        throws IOException
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        String reply = client.call(request);
        while (!expected.equals(reply) && System.nanoTime() < deadline)
        {
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
            reply = client.call(request);
        }
        return reply;
    }
}
