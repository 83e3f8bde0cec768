package io.ringkv.net.server.metrics;

import io.ringkv.net.server.TestServer;
import io.ringkv.net.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
                URI.create("http://127.0.0.1:" + metricsPort + "/nosuch")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
        }
    }

    @Test
    void consoleIsOneSelfContainedPageFedByConsoleJson() throws Exception
    {
        final int metricsPort = freePort();
        try (TestServer server = TestServer.start("ringkv-metrics-port", Integer.toString(metricsPort),
            "slowlog-log-slower-than", "0");
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            jedis.set("console:k", "v");
            jedis.get("console:k");
            jedis.clientSetname("console-test");
            final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            final HttpResponse<String> page = get(http, URI.create("http://127.0.0.1:" + metricsPort + "/"), null);
            assertEquals(200, page.statusCode());
            assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
            final String html = page.body();
            assertTrue(html.contains("fetch(\"console.json\"") && html.length() < 32 * 1024, "small page");
            assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "nothing fetched from elsewhere");

            final HttpResponse<String> data =
                get(http, URI.create("http://127.0.0.1:" + metricsPort + "/console.json"), null);
            assertEquals(200, data.statusCode());
            assertEquals("application/json; charset=utf-8", data.headers().firstValue("Content-Type").orElse(""));
            final String json = data.body();
            assertTrue(json.startsWith("{\"nowMs\":"), json);
            assertTrue(json.contains("cmdstat_get:calls=1,"), json);
            assertTrue(json.contains("ringkv_service_curve_usec_set:calls=1,p0="), json);
            assertTrue(json.contains("p99.999="), json);
            // The slow log as arrays: [id, time, micros, [args...], address, name], newest first (the console's own
            // INFO, logged under slowlog-log-slower-than 0, comes first).
            assertTrue(json.matches("(?s).*\"slowlog\":\\[\\[3,\\d+,\\d+,\\[\"INFO\".*" +
                "\\[2,\\d+,\\d+,\\[\"CLIENT\",\"SETNAME\"," +
                "\"console-test\"],\"127\\.0\\.0\\.1:\\d+\",\"console-test\"].*"), json);
            // The curves are only for the console: INFO everything leaves them out.
            assertFalse(jedis.info("everything").contains("ringkv_service_curve"));
            assertTrue(jedis.info("ringkv-latencycurve").contains("ringkv_service_curve_usec_get:calls=1,"));
        }
    }

    /**
     * Before, the endpoint listened on the server's bind address and served keyspace sizes and command counts to
     * anyone, even with a password set.
     */
    @Test
    void aScrapeMustGiveThePasswordWhenOneIsSet() throws Exception
    {
        final int metricsPort = freePort();
        final URI uri = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (TestServer server = TestServer.start("ringkv-metrics-port", Integer.toString(metricsPort),
            "requirepass", "s3cret");
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final HttpResponse<String> anonymous = get(http, uri, null);
            assertEquals(401, anonymous.statusCode());
            assertFalse(anonymous.body().contains("ringkv_"), anonymous.body());
            assertEquals("Basic realm=\"ringkv\", charset=\"UTF-8\"",
                anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals(401, get(http, uri, basic("prometheus", "wrong")).statusCode());
            assertEquals(401, get(http, uri, "Bearer wrong").statusCode());
            assertEquals(200, get(http, uri, basic("prometheus", "s3cret")).statusCode());
            assertEquals(200, get(http, uri, "Bearer s3cret").statusCode());
            // The console and its data are as private as the metrics.
            for (final String path : new String[]{"/", "/console.json"})
            {
                final URI console = URI.create("http://127.0.0.1:" + metricsPort + path);
                final HttpResponse<String> refused = get(http, console, null);
                assertEquals(401, refused.statusCode(), path);
                assertFalse(refused.body().contains("ringkv_") || refused.body().contains("<script"), path);
                assertEquals(200, get(http, console, basic("ops", "s3cret")).statusCode(), path);
            }

            // A dedicated password replaces requirepass for scrapes; both are read at each scrape.
            jedis.auth("s3cret");
            assertEquals("OK", jedis.configSet("ringkv-metrics-password", "scrape-only"));
            assertEquals(401, get(http, uri, "Bearer s3cret").statusCode());
            assertEquals(200, get(http, uri, basic("", "scrape-only")).statusCode());
            assertEquals("OK", jedis.configSet("ringkv-metrics-password", "", "requirepass", ""));
            assertEquals(200, get(http, uri, null).statusCode(), "no password at all: loopback scrapes are free");
        }
    }

    @Test
    void listensOnLoopbackByDefaultAndNeverBeyondItWithoutAPassword() throws Exception
    {
        assertEquals("127.0.0.1", new ServerConfig().metricsBind.text());
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestServer.start(
            "ringkv-metrics-port", Integer.toString(freePort()), "ringkv-metrics-bind", "0.0.0.0"));
        assertTrue(refused.getMessage().startsWith("refusing to serve metrics on 0.0.0.0 without a password"),
            refused.getMessage());
    }

    @Test
    void credentialsAreCheckedAsBasicAuthOrBearerBytes()
    {
        final String password = new String("пароль🔑".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertTrue(MetricsEndpoint.authorized(null, ""));
        assertTrue(MetricsEndpoint.authorized("Bearer anything", ""));
        assertFalse(MetricsEndpoint.authorized(null, password));
        assertTrue(MetricsEndpoint.authorized("Bearer " + password, password));
        assertTrue(MetricsEndpoint.authorized("bearer " + password, password));
        assertFalse(MetricsEndpoint.authorized("Bearer " + password + "x", password));
        assertTrue(MetricsEndpoint.authorized("basic " + Base64.getEncoder().encodeToString(
            ("user:" + password).getBytes(StandardCharsets.ISO_8859_1)), password));
        assertFalse(MetricsEndpoint.authorized("Basic " + Base64.getEncoder().encodeToString(
            ("u:ser:" + password).getBytes(StandardCharsets.ISO_8859_1)), password), "the user ends at the first ':'");
        assertFalse(MetricsEndpoint.authorized("Basic " + Base64.getEncoder().encodeToString(
            password.getBytes(StandardCharsets.ISO_8859_1)), password), "no colon: no password");
        assertFalse(MetricsEndpoint.authorized("Basic !!!", password));
        assertFalse(MetricsEndpoint.authorized("Digest " + password, password));
        assertFalse(MetricsEndpoint.authorized("", password));
    }

    private static String basic(final String user, final String password)
    {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(final HttpClient http, final URI uri, final String authorization)
        throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5));
        if (null != authorization)
        {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return probe.getLocalPort();
        }
    }
}
