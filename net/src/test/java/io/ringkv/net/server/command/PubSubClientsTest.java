package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pub/Sub as applications use it, through real client libraries: Jedis's JedisPubSub (RESP2 subscribed mode,
 * patterns, unsubscribe-all ending the subscription loop, PING while subscribed) and redis-py's PubSub (Debian's
 * python3-redis, RESP2), with messages from a publisher arriving in publish order.
 */
class PubSubClientsTest
{
    private static final int MESSAGES = 2000;

    @AutoClose
    private static TestServer ringkv;

    @BeforeAll
    static void start() throws IOException
    {
        ringkv = TestServer.start();
    }

    @Test
    void jedisSubscribesReceivesInOrderAndUnsubscribes() throws Exception
    {
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch subscribed = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final List<String> pongs = Collections.synchronizedList(new ArrayList<>());
        final Thread subscriber = Thread.ofPlatform().start(() ->
        {
            try (Jedis jedis = new Jedis("127.0.0.1", ringkv.port()))
            {
                jedis.subscribe(new JedisPubSub()
                {
                    @Override
                    public void onSubscribe(final String channel, final int count)
                    {
                        psubscribe("orders.*");
                        subscribed.countDown();
                    }

                    @Override
                    public void onMessage(final String channel, final String message)
                    {
                        received.add(channel + "=" + message);
                        if (message.equals("last"))
                        {
                            ping("still-there");
                        }
                    }

                    @Override
                    public void onPMessage(final String pattern, final String channel, final String message)
                    {
                        received.add(pattern + ":" + channel + "=" + message);
                    }

                    @Override
                    public void onPong(final String message)
                    {
                        pongs.add(message);
                        unsubscribe();
                        punsubscribe();
                    }
                }, "events");
                done.countDown();
            }
        });
        assertTrue(subscribed.await(10, TimeUnit.SECONDS));
        try (Jedis publisher = new Jedis("127.0.0.1", ringkv.port()))
        {
            // The pattern subscription may still be on its way: wait until the server counts it.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (publisher.pubsubNumPat() < 1 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertEquals(Map.of("events", 1L), publisher.pubsubNumSub("events"));
            for (int i = 0; i < MESSAGES; i++)
            {
                assertEquals(1, publisher.publish("events", "m" + i));
            }
            assertEquals(1, publisher.publish("orders.new", "o1"));
            assertEquals(1, publisher.publish("events", "last"));
            assertTrue(done.await(10, TimeUnit.SECONDS), "the subscription loop ended after unsubscribe-all");
            subscriber.join();
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++)
            {
                expected.add("events=m" + i);
            }
            expected.add("orders.*:orders.new=o1");
            expected.add("events=last");
            assertEquals(expected, received);
            assertEquals(List.of("still-there"), pongs);
            assertEquals(Map.of("events", 0L), publisher.pubsubNumSub("events"));
        }
    }

    @Test
    void redisPySubscribesAndReadsMessages(@org.junit.jupiter.api.io.TempDir final Path dir) throws Exception
    {
        final Path script = dir.resolve("pubsub.py");
        Files.writeString(script, String.join("\n",
            "import sys, threading, time, redis",
            "port = int(sys.argv[1])",
            "r = redis.Redis(host='127.0.0.1', port=port)",
            "p = r.pubsub()",
            "p.subscribe('py:news')",
            "p.psubscribe('py:*:x')",
            "print(p.get_message(timeout=5)['type'], p.get_message(timeout=5)['type'])",
            "def publish():",
            "    pub = redis.Redis(host='127.0.0.1', port=port)",
            "    for i in range(500):",
            "        pub.publish('py:news', 'n%d' % i)",
            "    pub.publish('py:a:x', 'px')",
            "threading.Thread(target=publish).start()",
            "got = []",
            "while len(got) < 501:",
            "    m = p.get_message(timeout=5)",
            "    if m is None: break",
            "    got.append(m)",
            "ok = [m['data'].decode() for m in got[:500]] == ['n%d' % i for i in range(500)]",
            "print('ordered', ok)",
            "print(got[500]['type'], got[500]['pattern'].decode(), got[500]['channel'].decode(), got[500]['data'].decode())",
            "print(r.pubsub_numsub('py:news'), r.pubsub_numpat())",
            "p.ping()",
            "print(p.get_message(timeout=5)['type'])",
            "p.unsubscribe()",
            "p.punsubscribe()",
            "print(p.get_message(timeout=5)['type'], p.get_message(timeout=5)['type'])",
            "print(r.pubsub_numsub('py:news'), r.pubsub_numpat())",
            "p.close()",
            ""));
        final Process process = new ProcessBuilder("/usr/bin/python3", script.toString(),
            Integer.toString(ringkv.port())).redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "redis-py finished");
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        assertEquals(String.join("\n",
            "subscribe psubscribe",
            "ordered True",
            "pmessage py:*:x py:a:x px",
            "[(b'py:news', 1)] 1",
            "pong",
            "unsubscribe punsubscribe",
            "[(b'py:news', 0)] 0",
            ""), output);
    }
}
