package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.List;

import static io.ringkv.net.replication.ReplicationFixture.assertSameContents;
import static io.ringkv.net.replication.ReplicationFixture.awaitInSync;
import static io.ringkv.net.replication.ReplicationFixture.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationTest
{
    @Test
    void fullSyncCopiesEveryKindOfEntryThenTheLogKeepsTheReplicaEqual() throws Exception
    {
        try (TestServer master = TestServer.start();
            Jedis m = new Jedis("127.0.0.1", master.port());
            LineClient json = new LineClient(master.port()))
        {
            final Pipeline pipeline = m.pipelined();
            for (int i = 0; i < 3000; i++)
            {
                pipeline.set("key:" + i, "value-" + i);
            }
            pipeline.sync();
            m.incrBy("counter", 41);
            m.set("raw-number", "10");
            m.pexpire("key:7", 600_000);
            m.set("temp", "t", redis.clients.jedis.params.SetParams.setParams().px(900_000));
            m.set(new byte[]{(byte)0xff, 0, 'k'}, new byte[]{(byte)0xfe, 1});
            m.set("$base64:looks-encoded", "plain");
            assertEquals("{}", json.call("{\"cmd\":\"set\",\"key\":\"doc\",\"value\":{\"a\":[1,2.50,true,null]}}"));
            assertEquals("{}", json.call("{\"cmd\":\"set\",\"key\":\"int\",\"value\":7}"));
            m.select(3);
            m.set("in-db-3", "x");
            m.select(0);

            try (TestServer replica = TestServer.start("replicaof", "127.0.0.1 " + master.port());
                Jedis r = new Jedis("127.0.0.1", replica.port()))
            {
                awaitInSync(master, replica, 20_000);
                assertSameContents(master, replica);
                assertEquals("41", r.get("counter"));

                m.incr("counter");
                m.decrBy("counter", 5);
                m.append("key:1", "-appended");
                m.setrange("key:2", 20, "far");
                m.rename("key:3", "renamed");
                m.copy("key:4", "copied", true);
                m.expire("key:5", 1000);
                m.persist("key:7");
                m.del("key:6");
                m.incrByFloat("float", 1.5);
                m.getSet("key:8", "swapped");
                m.select(3);
                m.flushDB();
                m.set("after-flush", "y");
                m.set("swapped-with-ttl", "z", redis.clients.jedis.params.SetParams.setParams().px(800_000));
                m.swapDB(3, 4);
                m.select(0);
                m.pexpire("key:9", 700_000);
                assertEquals(1, m.move("key:9", 5));
                awaitInSync(master, replica, 20_000);
                assertSameContents(master, replica);
                assertEquals("37", r.get("counter"));
                r.select(4);
                assertEquals("y", r.get("after-flush"));
                assertTrue(r.pttl("swapped-with-ttl") > 700_000, "the TTL moved with the key");
                r.select(5);
                assertEquals("value-9", r.get("key:9"));
                assertTrue(r.pttl("key:9") > 600_000, "MOVE keeps the TTL");
                r.select(0);

                final List<Object> role = r.role();
                assertEquals("slave", text(role.get(0)));
                assertEquals("connected", text(role.get(3)));
                final List<Object> masterRole = m.role();
                assertEquals("master", text(masterRole.get(0)));
                assertEquals(1, ((List<?>)masterRole.get(2)).size());
                final String replicaInfo = info(replica);
                assertTrue(replicaInfo.contains("role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:" +
                    master.port() + "\r\nmaster_link_status:up\r\n"), replicaInfo);
                final String masterInfo = info(master);
                assertTrue(masterInfo.contains("connected_slaves:1\r\nslave0:ip=127.0.0.1,port=" + replica.port() +
                    ",state=online,offset="), masterInfo);
                assertTrue(masterInfo.contains("ringkv_repl_full_syncs:1\r\n"), masterInfo);
                // The same section over the wire: INFO replication.
                final String wireInfo = m.info("replication");
                assertTrue(wireInfo.startsWith("# Replication\r\nrole:master\r\nconnected_slaves:1\r\n" +
                    "slave0:ip=127.0.0.1,port=" + replica.port() + ",state=online,offset="), wireInfo);
                assertTrue(r.info("replication").contains("master_link_status:up\r\n"));

                final JedisDataException readOnly = assertThrows(JedisDataException.class, () -> r.set("x", "y"));
                assertEquals("READONLY You can't write against a read only replica.", readOnly.getMessage());

                // Promotion: writable, new replication id, data kept.
                assertEquals("OK", r.replicaofNoOne());
                r.set("x", "y");
                assertEquals("37", r.get("counter"));
                assertTrue(info(replica).startsWith("role:master\r\n"));
            }
        }
    }

    @Test
    void waitCountsTheReplicasThatAcknowledgedEveryPriorWrite() throws Exception
    {
        try (TestServer master = TestServer.start();
            Jedis m = new Jedis("127.0.0.1", master.port());
            LineClient json = new LineClient(master.port()))
        {
            m.set("a", "1");
            assertEquals(0L, m.waitReplicas(0, 0));
            final long startNs = System.nanoTime();
            assertEquals(0L, m.waitReplicas(1, 200));
            assertTrue(System.nanoTime() - startNs >= 150_000_000L, "WAIT returned before its timeout");
            assertEquals("{\"error\":\"ERR timeout is negative\"}", json.command("wait", "1", "-1"));
            try (TestServer first = TestServer.start("replicaof", "127.0.0.1 " + master.port());
                TestServer second = TestServer.start("replicaof", "127.0.0.1 " + master.port());
                Jedis r = new Jedis("127.0.0.1", first.port()))
            {
                awaitInSync(master, first, 10_000);
                awaitInSync(master, second, 10_000);
                for (int i = 0; i < 20; i++)
                {
                    m.incr("n");
                    assertEquals(2L, m.waitReplicas(2, 5_000));
                }
                assertEquals("20", r.get("n"));
                m.incr("n");
                assertEquals("{\"value\":2}", json.command("wait", "2", "5000"));
                // Pipelined after other requests but last in its batch: deferred and answered in order.
                json.send("{\"cmd\":\"incr\",\"key\":\"n\"}\n{\"id\":9,\"cmd\":\"wait\",\"args\":[2,5000]}\n");
                assertEquals("{\"value\":22}", json.readLine());
                assertEquals("{\"id\":9,\"value\":2}", json.readLine());
                final JedisDataException onReplica = assertThrows(JedisDataException.class, () -> r.waitReplicas(1, 10));
                assertTrue(onReplica.getMessage().startsWith("ERR WAIT cannot be used with replica instances."));
            }
        }
    }

    static String text(final Object reply)
    {
        return reply instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) :
            String.valueOf(reply);
    }
}
