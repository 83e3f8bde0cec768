package io.ringkv.net.replication;

import io.ringkv.net.jsonline.JsonLineParser;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static io.ringkv.net.replication.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad or hostile messages on the replication path are answered with an error and change nothing.
 */
class HostileReplicationMessagesTest
{
    @Test
    void clientsCannotPoseAsAMasterOrAReplicaWithBadRequests() throws Exception
    {
        try (TestServer master = TestServer.start();
            LineClient client = new LineClient(master.port()))
        {
            assertEquals("{}", client.call("{\"cmd\":\"set\",\"key\":\"a\",\"value\":\"kept\"}"));
            assertTrue(client.call("{\"cmd\":\"dump\",\"data\":{\"a\":\"overwritten\"}}").startsWith("{\"error\":"));
            assertTrue(client.call("{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"a\",\"value\":1}")
                .startsWith("{\"error\":"));
            assertEquals("{\"error\":\"ERR invalid replication offset: abc\"}",
                client.command("sync", "some-replid", "abc"));
            assertEquals("{\"error\":\"ERR invalid replication offset: -7\"}",
                client.command("sync", "some-replid", "-7"));
            assertEquals("{\"error\":\"ERR invalid port: 70000\"}", client.command("sync", "x", "1", "70000"));
            assertEquals("{\"error\":\"ERR SYNC needs a RESP connection\"}", client.command("sync"));
            assertEquals("{\"error\":\"ERR PSYNC needs a RESP connection\"}", client.command("psync", "?", "-1"));
            assertEquals("{\"value\":\"kept\"}", client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
            assertEquals("{\"value\":1}", client.command("dbsize"));
        }
    }

    @Test
    void replicaRejectsMalformedAndOutOfOrderMessagesFromItsMasterWithoutTouchingData() throws Exception
    {
        try (FakeMaster fakeMaster = new FakeMaster())
        {
            final LineClient client = fakeMaster.client();
            try (LineClient link = fakeMaster.acceptLink())
            {
                assertTrue(link.readLine().startsWith("{\"cmd\":\"sync\",\"args\":[\"?\",-1,"));
                link.send("{\"value\":{\"sync\":\"full\",\"replid\":\"r1\",\"offset\":10}}\n");
                assertEquals("{\"offset\":10}", link.call("{\"cmd\":\"dump\",\"data\":{\"a\":\"1\",\"n\":5}," +
                    "\"offset\":10}"));
                assertEquals("{\"offset\":11}", link.call("{\"cmd\":\"log\",\"operation\":\"incr\",\"key\":\"n\"," +
                    "\"offset\":11}"));

                assertTrue(link.call("{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"a\",\"value\":[1,2}")
                    .startsWith("{\"error\":\"ERR invalid JSON"));
                assertTrue(link.call("not json at all").startsWith("{\"error\":\"ERR invalid JSON"));
                assertEquals("{\"error\":\"ERR invalid log: unknown operation 'explode'\"}",
                    link.call("{\"cmd\":\"log\",\"operation\":\"explode\",\"key\":\"a\",\"offset\":12}"));
                assertEquals("{\"error\":\"ERR invalid dump: 'data' must be an object\"}",
                    link.call("{\"cmd\":\"dump\",\"data\":[1]}"));
                assertEquals("{\"error\":\"ERR invalid dump: bad value\"}",
                    link.call("{\"cmd\":\"dump\",\"data\":{\"a\":\"2\",\"b\":{\"$base64\":\"%%%\"}}}"));
                assertEquals("{\"error\":\"ERR invalid log: 'set' needs 'value'\"}",
                    link.call("{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"a\",\"offset\":12}"));
                assertEquals("{\"value\":\"1\"}", client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
                assertEquals("{\"value\":6}", client.call("{\"cmd\":\"get\",\"key\":\"n\"}"));
                assertEquals("{\"value\":2}", client.command("dbsize"));

                // A gap in the offsets breaks the link: answered, not applied, and the replica resyncs from 11.
                assertEquals("{\"error\":\"ERR replication offset gap: expected 12, got 13\"}",
                    link.call("{\"cmd\":\"log\",\"operation\":\"del\",\"key\":\"a\",\"offset\":13}"));
                assertNull(link.readLine());
            }
            assertEquals("{\"value\":\"1\"}", client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
            try (LineClient link = fakeMaster.acceptLink())
            {
                assertEquals("{\"cmd\":\"sync\",\"args\":[\"r1\",11," + fakeMaster.replica().port() + "]}",
                    link.readLine());
                link.send("{\"value\":{\"sync\":\"continue\",\"replid\":\"r1\",\"offset\":11}}\n");
                assertEquals("{\"offset\":12}", link.call("{\"cmd\":\"log\",\"operation\":\"del\",\"key\":\"a\"," +
                    "\"offset\":12}"));
                await("the delete", 5_000, () ->
                {
                    try
                    {
                        return "{\"value\":null}".equals(client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
                    }
                    catch (final Exception ex)
                    {
                        throw new AssertionError(ex);
                    }
                });
            }
            // A client of the replica cannot feed it a dump either.
            assertTrue(client.call("{\"cmd\":\"dump\",\"data\":{\"n\":1}}").startsWith("{\"error\":"));
            assertEquals("{\"value\":6}", client.call("{\"cmd\":\"get\",\"key\":\"n\"}"));
        }
    }

    @Test
    void aBigCollectionSpreadOverSeveralDumpMessagesIsAddedToNotReplaced() throws Exception
    {
        try (FakeMaster fakeMaster = new FakeMaster())
        {
            final LineClient client = fakeMaster.client();
            try (LineClient link = fakeMaster.acceptLink())
            {
                assertTrue(link.readLine().startsWith("{\"cmd\":\"sync\""));
                link.send("{\"value\":{\"sync\":\"full\",\"replid\":\"r1\",\"offset\":10}}\n");
                assertFalse(link.call("{\"cmd\":\"dump\",\"data\":{\"h\":{\"$hash\":{\"a\":\"1\"}}," +
                    "\"l\":{\"$list\":[\"x\",\"y\"]}},\"pxat\":{\"h\":4102444800000},\"more\":true}")
                    .startsWith("{\"error\""));
                // A continuation that is not the collection's form is refused, and nothing of its message applies.
                assertEquals("{\"error\":\"ERR invalid dump: bad hash\"}",
                    link.call("{\"cmd\":\"dump\",\"data\":{\"h\":{\"$hash+\":{\"b\":5}}},\"more\":true}"));
                assertFalse(link.call("{\"cmd\":\"dump\",\"data\":{\"h\":{\"$hash+\":{\"b\":\"2\"}}," +
                    "\"s\":{\"$set\":[\"m\"]},\"z\":{\"$zset\":{\"p\":\"1.5\"}}},\"more\":true}")
                    .startsWith("{\"error\""));
                assertEquals("{\"offset\":10}", link.call("{\"cmd\":\"dump\",\"data\":{\"s\":{\"$set+\":" +
                    "[\"n\"]},\"z\":{\"$zset+\":{\"q\":\"-inf\"}},\"l\":{\"$list+\":[\"z\"]}},\"offset\":10}"));
                assertEquals("{\"value\":{\"a\":\"1\",\"b\":\"2\"}}", client.command("hgetall", "h"));
                assertTrue(Long.parseLong(client.command("pttl", "h").replaceAll("\\D", "")) > 0);
                assertEquals("{\"value\":2}", client.command("scard", "s"));
                assertEquals("{\"value\":[\"q\",\"p\"]}", client.command("zrange", "z", "0", "-1"));
                assertEquals("{\"value\":[\"x\",\"y\",\"z\"]}", client.command("lrange", "l", "0", "-1"));
            }
        }
    }

    @Test
    void aGroupAppliesWholeOrNotAtAllAndAResyncStartsBeforeIt() throws Exception
    {
        final String incrA = "{\"cmd\":\"log\",\"operation\":\"incr\",\"key\":\"a\",\"multi\":3,\"offset\":11}\n";
        final String incrB = "{\"cmd\":\"log\",\"operation\":\"incr\",\"key\":\"b\",\"offset\":12}\n";
        final String setC = "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"c\",\"value\":\"x\",\"offset\":13}\n";
        try (FakeMaster fakeMaster = new FakeMaster())
        {
            final LineClient client = fakeMaster.client();
            try (LineClient link = fakeMaster.acceptLink())
            {
                assertTrue(link.readLine().startsWith("{\"cmd\":\"sync\",\"args\":[\"?\",-1,"));
                link.send("{\"value\":{\"sync\":\"full\",\"replid\":\"r1\",\"offset\":10}}\n");
                assertEquals("{\"offset\":10}", link.call("{\"cmd\":\"dump\",\"data\":{\"a\":1,\"b\":1},\"offset\":10}"));
                // Two of the group's three lines: queued in the link's transaction, neither applied nor acknowledged.
                link.send(incrA + incrB);
                Thread.sleep(300);
                assertEquals("{\"value\":1}", client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
                assertEquals("{\"value\":1}", client.call("{\"cmd\":\"get\",\"key\":\"b\"}"));
            }
            // The link was cut inside the group: the replica resumes from before it, having applied none of it.
            try (LineClient link = fakeMaster.acceptLink())
            {
                assertEquals("{\"cmd\":\"sync\",\"args\":[\"r1\",10," + fakeMaster.replica().port() + "]}",
                    link.readLine());
                link.send("{\"value\":{\"sync\":\"continue\",\"replid\":\"r1\",\"offset\":10}}\n");
                link.send(incrA + incrB);
                Thread.sleep(100);
                assertEquals("{\"value\":1}", client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
                link.send(setC);
                assertEquals("{\"offset\":11}", link.readLine());
                assertEquals("{\"offset\":12}", link.readLine());
                assertEquals("{\"offset\":13}", link.readLine());
                assertEquals("{\"value\":2}", client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
                assertEquals("{\"value\":2}", client.call("{\"cmd\":\"get\",\"key\":\"b\"}"));
                assertEquals("{\"value\":\"x\"}", client.call("{\"cmd\":\"get\",\"key\":\"c\"}"));
                // A refused line inside a group breaks the stream: nothing of the group applies.
                link.send("{\"cmd\":\"log\",\"operation\":\"incr\",\"key\":\"a\",\"multi\":2,\"offset\":14}\n");
                assertEquals("{\"error\":\"ERR invalid log: unknown operation 'explode'\"}",
                    link.call("{\"cmd\":\"log\",\"operation\":\"explode\",\"key\":\"a\",\"offset\":15}"));
                assertNull(link.readLine());
            }
            try (LineClient link = fakeMaster.acceptLink())
            {
                assertEquals("{\"cmd\":\"sync\",\"args\":[\"r1\",13," + fakeMaster.replica().port() + "]}",
                    link.readLine());
            }
            assertEquals("{\"value\":2}", client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
        }
    }

    @Test
    void replicaReadsJsonByTheJsonLinesRules() throws Exception
    {
        // A JSON-lines request nests its value one level down, so the deepest value a client can store has
        // MAX_DEPTH - 1 levels; in a dump that value sits one level deeper still (under "data").
        final int depth = JsonLineParser.MAX_DEPTH - 1;
        final String deepest = "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
        try (FakeMaster fakeMaster = new FakeMaster())
        {
            final LineClient client = fakeMaster.client();
            try (LineClient link = fakeMaster.acceptLink())
            {
                link.readLine();
                assertEquals("{}", link.call("{\"cmd\":\"dump\",\"data\":{\"a\":\"1\",\"deep\":" + deepest + "}}"));
                assertEquals("{\"error\":\"ERR invalid JSON: nesting deeper than " + (JsonLineParser.MAX_DEPTH + 1) +
                    " at byte " + (32 + 5 * (depth - 1)) + "\"}", link.call("{\"cmd\":\"dump\",\"data\":{\"deeper\":[" +
                    deepest + "]}}"));

                // An overlong '/' (C0 AF) inside a JSON string: not UTF-8, so not a JSON string either.
                final byte[] prefix = "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"a\",\"value\":\"x"
                    .getBytes(StandardCharsets.US_ASCII);
                final byte[] overlong = new byte[prefix.length + 5];
                System.arraycopy(prefix, 0, overlong, 0, prefix.length);
                overlong[prefix.length] = (byte)0xC0;
                overlong[prefix.length + 1] = (byte)0xAF;
                overlong[prefix.length + 2] = '"';
                overlong[prefix.length + 3] = '}';
                overlong[prefix.length + 4] = '\n';
                link.sendBytes(overlong);
                assertEquals("{\"error\":\"ERR invalid JSON: invalid UTF-8 at byte " + (prefix.length) + "\"}",
                    link.readLine());
                assertEquals("{\"error\":\"ERR invalid JSON: invalid escape at byte 50\"}",
                    link.call("{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"a\",\"value\":\"\\q\"}"));
                // "QR==" would decode to "A" with bits left over: only "QQ==" is that byte's base64.
                assertEquals("{\"error\":\"ERR invalid log: bad 'value'\"}",
                    link.call("{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"a\",\"value\":" +
                        "{\"$base64\":\"QR==\"}}"));
                assertEquals("{}", link.call("{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"b\",\"value\":" +
                    "{\"$base64\":\"QQ==\"}}"));
            }
            assertEquals("{\"value\":\"1\"}", client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
            assertEquals("{\"value\":\"A\"}", client.call("{\"cmd\":\"get\",\"key\":\"b\"}"));
            assertEquals("{\"value\":" + deepest + "}", client.call("{\"cmd\":\"get\",\"key\":\"deep\"}"));
        }
    }

    @Test
    void aSelectInTheLogSetsTheDatabaseOfTheEntriesThatFollow() throws Exception
    {
        try (FakeMaster fakeMaster = new FakeMaster())
        {
            final LineClient client = fakeMaster.client();
            try (LineClient link = fakeMaster.acceptLink())
            {
                link.readLine();
                assertEquals("{}", link.call("{\"cmd\":\"dump\",\"data\":{}}"));
                assertEquals("{}", link.call("{\"cmd\":\"log\",\"operation\":\"select\",\"db\":3}"));
                assertEquals("{}", link.call("{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"k\",\"value\":\"v\"}"));
                assertEquals("{}", link.call("{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"z\",\"value\":1," +
                    "\"db\":0}"));
            }
            assertEquals("{\"value\":\"OK\"}", client.command("select", "3"));
            assertEquals("{\"value\":\"v\"}", client.call("{\"cmd\":\"get\",\"key\":\"k\"}"));
            assertEquals("{\"value\":\"OK\"}", client.command("select", "0"));
            assertEquals("{\"value\":1}", client.call("{\"cmd\":\"get\",\"key\":\"z\"}"));
        }
    }

    @Test
    void clientsGetLoadingWhileAFullSyncLoads() throws Exception
    {
        try (FakeMaster fakeMaster = new FakeMaster())
        {
            final LineClient client = fakeMaster.client();
            try (LineClient link = fakeMaster.acceptLink())
            {
                link.readLine();
                link.send("{\"value\":{\"sync\":\"full\",\"replid\":\"r9\",\"offset\":4}}\n");
                assertEquals("{}", link.call("{\"cmd\":\"dump\",\"data\":{\"a\":\"1\"},\"more\":true}"));
                assertEquals("{\"error\":\"LOADING Redis is loading the dataset in memory\"}",
                    client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
                assertEquals("{\"value\":\"PONG\"}", client.call("{\"cmd\":\"ping\"}"));
                assertEquals("{\"offset\":4}", link.call("{\"cmd\":\"dump\",\"data\":{\"b\":\"2\"},\"offset\":4}"));
                assertEquals("{\"value\":\"1\"}", client.call("{\"cmd\":\"get\",\"key\":\"a\"}"));
                assertEquals("{\"value\":\"2\"}", client.call("{\"cmd\":\"get\",\"key\":\"b\"}"));
            }
        }
    }

    /**
     * A replica told REPLICAOF a socket on which the test plays the master; {@link #client()} is a client of the
     * replica.
     */
    private static final class FakeMaster implements AutoCloseable
    {
        private final ServerSocket socket;
        private final TestServer replica;
        private final LineClient client;

        FakeMaster() throws Exception
        {
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            TestServer started = null;
            LineClient connected = null;
            try
            {
                started = TestServer.start("replica-protocol", "json");
                connected = new LineClient(started.port());
                connected.command("replicaof", "127.0.0.1", Integer.toString(socket.getLocalPort()));
            }
            catch (final Exception ex)
            {
                if (connected != null)
                {
                    connected.close();
                }
                if (started != null)
                {
                    started.close();
                }
                socket.close();
                throw ex;
            }
            replica = started;
            client = connected;
        }

        LineClient acceptLink() throws IOException
        {
            return new LineClient(socket.accept());
        }

        TestServer replica()
        {
            return replica;
        }

        LineClient client()
        {
            return client;
        }

        @Override
        public void close() throws Exception
        {
            try
            {
                client.close();
            }
            finally
            {
                try
                {
                    replica.close();
                }
                finally
                {
                    socket.close();
                }
            }
        }
    }
}
