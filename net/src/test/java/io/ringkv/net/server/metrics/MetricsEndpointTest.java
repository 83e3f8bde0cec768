package io.ringkv.net.server.metrics;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Prometheus endpoint of a real ringkv, read with the JDK's HTTP client.
 */
class MetricsEndpointTest
{
    /** Every line of the text format: a HELP or TYPE comment, or a sample "name{labels} value". */
    private static final String LINE =
        "# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\\{[a-z]+=\"[^\"]*\"(,[a-z]+=\"[^\"]*\")*})? -?[0-9]+(\\.[0-9]+)?";

    @Test
    void servesCommandsLatencyMemoryKeysConnectionsAndReplicationOffset() throws Exception
    {
        final int metricsPort = freePort();
        try (TestServer server = TestServer.start("ringkv-metrics-port", Integer.toString(metricsPort),
            "maxmemory", "64mb");
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("a", "1");
            jedis.set("b", "2");
            jedis.set("c", "3");
            jedis.get("a");
            jedis.select(3);
            jedis.set("x", "y");
            jedis.expire("x", 100);

            final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8",
                response.headers().firstValue("Content-Type").orElse(""));
            final String body = response.body();
            for (final String line : body.split("\n"))
            {
                assertTrue(line.matches(LINE), "not Prometheus text: " + line);
            }
            assertTrue(body.contains("\nringkv_commands_total{cmd=\"set\"} 4\n"), body);
            assertTrue(body.contains("\nringkv_commands_total{cmd=\"get\"} 1\n"), body);
            assertTrue(body.contains("\nringkv_command_latency_seconds_count{cmd=\"set\"} 4\n"), body);
            for (final String quantile : new String[]{"0.5", "0.99", "0.999"})
            {
                final String labels = "{cmd=\"get\",quantile=\"" + quantile + "\"} ";
                assertTrue(body.contains("\nringkv_command_latency_seconds" + labels), body);
                assertTrue(body.contains("\nringkv_command_service_seconds" + labels), body);
            }
            assertTrue(body.contains("\nringkv_keys{db=\"0\"} 3\n"), body);
            assertTrue(body.contains("\nringkv_keys{db=\"3\"} 1\n"), body);
            assertTrue(body.contains("\nringkv_expiring_keys{db=\"3\"} 1\n"), body);
            assertTrue(body.contains("\nringkv_connected_clients 1\n"), body);
            assertTrue(body.contains("\nringkv_memory_max_bytes 67108864\n"), body);
            assertTrue(body.matches("(?s).*\nringkv_memory_used_bytes [1-9][0-9]*\n.*"), body);
            assertTrue(body.matches("(?s).*\nringkv_memory_resident_bytes [1-9][0-9]*\n.*"), body);
            assertTrue(body.contains("\nringkv_replication_offset " + server.server().engine().replicationOffset() +
                "\n"), body);
            assertTrue(server.server().engine().replicationOffset() >= 5);

            final HttpResponse<String> post = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            final HttpResponse<String> other = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metricsPort + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return probe.getLocalPort();
        }
    }
}
