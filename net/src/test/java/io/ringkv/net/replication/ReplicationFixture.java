package io.ringkv.net.replication;

import io.ringkv.core.command.ClientSession;
import io.ringkv.net.server.TestServer;
import io.ringkv.replication.ReplicationNode;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;
import io.ringkv.replication.replica.MasterLink;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Helpers for replication tests: waiting for a replica to catch up and comparing two servers key by key.
 */
final class ReplicationFixture
{
    /** Keys whose state is pipelined before their replies are read: small enough to fit the socket buffers. */
    private static final int KEYS_PER_CHUNK = 256;

    private ReplicationFixture()
    {
    }

    /**
     * Cut an established replication link {@code cuts} times, {@code pauseMs} apart, alternately from the master's
     * side (its senders closed) and the replica's (its link disconnected); each cut waits for the link to be up again,
     * so it hits an established stream (a cut during the previous reconnect's handshake may rightly need a full sync,
     * in Redis too).
     */
    static void cutLinkRepeatedly(final TestServer master, final TestServer replica, final int cuts, final long pauseMs)
        throws InterruptedException
    {
        for (int cut = 0; cut < cuts; cut++)
        {
            Thread.sleep(pauseMs);
            await("the link is up again before cut " + cut, 10_000, () ->
                info(replica).contains("master_link_status:up\r\n") && info(master).contains(",state=online,"));
            if (cut % 2 == 0)
            {
                for (final io.ringkv.replication.master.ReplicaSender sender : master.server().replication().replicas())
                {
                    sender.close();
                }
            }
            else
            {
                replica.server().replication().link().disconnect(0);
            }
        }
    }

    static void await(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }

    /**
     * Wait until the replica's link is up and it has applied everything the master logged.
     */
    static void awaitInSync(final TestServer master, final TestServer replica, final long timeoutMs)
    {
        final ReplicationNode masterNode = master.server().replication();
        final ReplicationNode replicaNode = replica.server().replication();
        final long target = masterOffset(master);
        await("replica at the master's offset " + target, timeoutMs, () ->
        {
            final MasterLink link = replicaNode.link();
            return link != null && "up".equals(link.linkStatus()) && link.offset() >= target &&
                masterNode.replid().equals(link.replid());
        });
    }

    /**
     * The master's offset with every write it has answered counted: read after a PING run through its engine's ring,
     * which comes after every earlier slot published its records' offset (a reply can leave before the engine
     * publishes its slot's offset, so the offset read at once may be one record short).
     */
    static long masterOffset(final TestServer master)
    {
        final ReplicationNode node = master.server().replication();
        final CommandBatchBuilder ping = new CommandBatchBuilder(new ClientSession(-2, true), new ApplyReply());
        ping.arg("PING").end();
        ping.execute(node.engine());
        return node.engine().replicationOffset();
    }

    static String info(final TestServer server)
    {
        final StringBuilder out = new StringBuilder();
        server.server().replication().writeInfo(out);
        return out.toString();
    }

    /**
     * Every key of every database with its type, value (as JSON-lines GET shows it, so an integer-encoded
     * string differs from its raw text) and absolute expiry.
     */
    static Map<String, String> contents(final TestServer server, final int databases) throws Exception
    {
        final Map<String, String> contents = new TreeMap<>();
        try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 20_000);
            LineClient client = new LineClient(server.port()))
        {
            for (int db = 0; db < databases; db++)
            {
                jedis.select(db);
                final Set<byte[]> keys = jedis.keys("*".getBytes());
                if (keys.isEmpty())
                {
                    continue;
                }
                assertEquals("{\"value\":\"OK\"}", client.command("select", Integer.toString(db)));
                // Pipelined in bounded chunks, each read back before the next is sent: one pipeline of the whole data
                // set deadlocks once the replies fill both socket buffers (the client is still writing, so it never
                // reads, and the server blocks writing its replies).
                final List<byte[]> all = new ArrayList<>(keys);
                for (int from = 0; from < all.size(); from += KEYS_PER_CHUNK)
                {
                    final List<String> names = new ArrayList<>();
                    final StringBuilder batch = new StringBuilder();
                    for (final byte[] key : all.subList(from, Math.min(all.size(), from + KEYS_PER_CHUNK)))
                    {
                        final String base64 = Base64.getEncoder().encodeToString(key);
                        final String arg = "{\"$base64\":\"" + base64 + "\"}";
                        names.add(db + "/" + base64);
                        batch.append("{\"cmd\":\"type\",\"args\":[").append(arg).append("]}\n");
                        batch.append("{\"cmd\":\"get\",\"key\":").append(arg).append("}\n");
                        batch.append("{\"cmd\":\"pexpiretime\",\"args\":[").append(arg).append("]}\n");
                    }
                    client.send(batch.toString());
                    for (final String name : names)
                    {
                        final String state = client.readLine() + " " + client.readLine() + " " + client.readLine();
                        // A key that expired between KEYS and TYPE is as good as absent.
                        if (!state.startsWith("{\"value\":\"none\"}"))
                        {
                            contents.put(name, state);
                        }
                    }
                }
            }
        }
        return contents;
    }

    /**
     * DEBUG DIGEST of a server (Redis's data set digest).
     */
    static String digest(final TestServer server)
    {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 20_000))
        {
            final Object reply = jedis.sendCommand(() -> "DEBUG".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                "DIGEST");
            return reply instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.US_ASCII) :
                String.valueOf(reply);
        }
    }

    /**
     * Master and replica hold the same data: DEBUG DIGEST equal and every key equal (type, value as JSON lines shows
     * it, absolute expiry). Retried briefly, since deletes of keys expiring at the master may still be on their way.
     */
    static void assertSameContents(final TestServer master, final TestServer replica) throws Exception
    {
        String difference = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                difference = difference(master, replica);
            }
            catch (final redis.clients.jedis.exceptions.JedisDataException ex)
            {
                // The replica started another full sync (the master dropped it): compare once it has loaded.
                difference = ex.getMessage() + "\nMASTER LOG\n" + master.log() + "\nREPLICA LOG\n" + replica.log();
                awaitInSync(master, replica, 20_000);
                continue;
            }
            if (difference == null)
            {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError(difference);
    }

    private static String difference(final TestServer master, final TestServer replica) throws Exception
    {
        final Map<String, String> expected = contents(master, 16);
        final Map<String, String> actual = contents(replica, 16);
        if (!expected.equals(actual))
        {
            final StringBuilder diff = new StringBuilder();
            int shown = 0;
            for (final Map.Entry<String, String> entry : expected.entrySet())
            {
                final String other = actual.get(entry.getKey());
                if (!entry.getValue().equals(other) && shown++ < 10)
                {
                    diff.append(entry.getKey()).append(": master ").append(entry.getValue()).append(" replica ")
                        .append(other).append('\n');
                }
            }
            for (final String key : actual.keySet())
            {
                if (!expected.containsKey(key) && shown++ < 20)
                {
                    diff.append(key).append(": only on the replica: ").append(actual.get(key)).append('\n');
                }
            }
            return "master has " + expected.size() + " keys, replica " + actual.size() + "\n" + diff;
        }
        final String masterDigest = digest(master);
        final String replicaDigest = digest(replica);
        return masterDigest.equals(replicaDigest) ? null :
            "DEBUG DIGEST differs: master " + masterDigest + " replica " + replicaDigest;
    }

    /**
     * @return the {@code name:value} lines of an INFO reply.
     */
    static Map<String, String> fields(final String info)
    {
        final Map<String, String> fields = new java.util.HashMap<>();
        final java.util.regex.Matcher matcher =
            java.util.regex.Pattern.compile("^([a-z_0-9]+):(.*?)\\r?$", java.util.regex.Pattern.MULTILINE).matcher(info);
        while (matcher.find())
        {
            fields.put(matcher.group(1), matcher.group(2));
        }
        return fields;
    }
}
