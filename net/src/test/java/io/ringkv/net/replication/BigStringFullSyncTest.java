package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static io.ringkv.net.replication.ReplicationFixture.await;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.digest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strings larger than a snapshot ring message (4 MB of the default 32 MB ring) reach a ringkv replica in a JSON full
 * sync: the first part as the key's value, the later ones as {"$append":...} in dump messages of their own, as text
 * where a part is UTF-8 and as $base64 where not (a part may cut a character in two).
 */
class BigStringFullSyncTest
{
    private static final int BIG = 20 * 1024 * 1024;

    @Test
    void bigStringsArriveWhole() throws Exception
    {
        final byte[] binary = new byte[BIG];
        new Random(7).nextBytes(binary);
        final byte[] text = "ringkv-\u00e9\u4e2d-\"quoted\"\n".repeat(BIG / 24).getBytes(StandardCharsets.UTF_8);
        try (TestServer master = TestServer.start();
            Jedis m = new Jedis("127.0.0.1", master.port(), 60_000))
        {
            m.set("binary".getBytes(), binary);
            m.set("text".getBytes(), text);
            m.pexpire("text", 3_600_000);
            m.set("small", "s");
            try (TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port());
                Jedis r = new Jedis("127.0.0.1", replica.port(), 60_000))
            {
                await("the replica's link up", 60_000, () ->
                    ReplicationFixture.info(replica).contains("master_link_status:up\r\n"));
                // A change after the sync reaches the big string too.
                m.append("binary".getBytes(), "tail".getBytes());
                // The reply can come before the master publishes the record's offset: wait for the value itself.
                await("the APPEND on the replica", 60_000, () -> r.strlen("binary") == BIG + 4);
                awaitInSync(master, replica, 60_000);
                final byte[] expected = Arrays.copyOf(binary, BIG + 4);
                System.arraycopy("tail".getBytes(), 0, expected, BIG, 4);
                assertArrayEquals(expected, r.get("binary".getBytes()));
                assertArrayEquals(text, r.get("text".getBytes()));
                assertTrue(r.pttl("text") > 3_000_000);
                assertEquals("s", r.get("small"));
                assertEquals(digest(master), digest(replica));
            }
        }
    }
}
