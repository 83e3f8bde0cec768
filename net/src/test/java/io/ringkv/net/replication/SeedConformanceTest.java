package io.ringkv.net.replication;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seeds' two example messages, sent verbatim (pretty-printed as in the seed files) by a fake master over a raw
 * socket: the replica answers {} to each and ends with exactly the state they describe.
 */
class SeedConformanceTest
{
    static final String SEED_DUMP = """
        {
            "cmd": "dump",
            "data": {
                "some_key1": 1,
                "some_key5": [1, 2, 5],
                "some_key145": {
                    "a": 1,
                    "b": 5,
                    "c": 8
                }
            }
        }""";

    static final String SEED_LOG = """
        {
            "cmd": "log",
            "operation": "set",
            "key": "some_key5",
            "value": [1, 5, 9]
        }""";

    @Test
    void replicaGivenTheSeedMessagesEndsInTheirState() throws Exception
    {
        assertSeedsMatchTheSeedFiles();
        try (ServerSocket fakeMaster = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            TestServer replica = TestServer.start("replica-protocol", "json");
            LineClient client = new LineClient(replica.port()))
        {
            assertEquals("{\"value\":\"OK\"}",
                client.command("replicaof", "127.0.0.1", Integer.toString(fakeMaster.getLocalPort())));
            try (LineClient link = new LineClient(fakeMaster.accept()))
            {
                final String sync = link.readLine();
                assertEquals("{\"cmd\":\"sync\",\"args\":[\"?\",-1," + replica.port() + "]}", sync);

                link.send(SEED_DUMP + "\n");
                assertEquals("{}", link.readLine());
                link.send(SEED_LOG + "\n");
                assertEquals("{}", link.readLine());

                assertEquals("{\"value\":3}", client.command("dbsize"));
                assertEquals("{\"value\":1}", client.call("{\"cmd\":\"get\",\"key\":\"some_key1\"}"));
                assertEquals("{\"value\":[1,5,9]}", client.call("{\"cmd\":\"get\",\"key\":\"some_key5\"}"));
                assertEquals("{\"value\":{\"a\":1,\"b\":5,\"c\":8}}",
                    client.call("{\"cmd\":\"get\",\"key\":\"some_key145\"}"));
                assertEquals("{\"value\":\"string\"}", client.command("type", "some_key1"));
                assertEquals("{\"value\":\"json\"}", client.command("type", "some_key5"));
                assertEquals("{\"value\":-1}", client.command("ttl", "some_key145"));

                // A replica refuses writes from clients, with Redis's text, and nothing changes.
                assertEquals("{\"error\":\"READONLY You can't write against a read only replica.\"}",
                    client.call("{\"cmd\":\"set\",\"key\":\"some_key1\",\"value\":2}"));
                assertEquals("{\"value\":1}", client.call("{\"cmd\":\"get\",\"key\":\"some_key1\"}"));
            }
        }
    }

    /**
     * The texts above are the seed files' request examples.
     */
    private static void assertSeedsMatchTheSeedFiles() throws Exception
    {
        final Path seeds = Path.of("/work/shared/seeds");
        if (!Files.isDirectory(seeds))
        {
            return; // a fresh clone elsewhere: the copies above stand
        }
        final String dump = Files.readString(seeds.resolve("000-replication-dump.md"));
        final String log = Files.readString(seeds.resolve("001-replication-log.md"));
        assertTrue(dump.contains(SEED_DUMP), "dump example differs from the seed");
        assertTrue(log.contains(SEED_LOG), "log example differs from the seed");
    }
}
