package io.ringkv.net.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.ReplyBuffer;
import io.ringkv.net.resp.RespReply;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The optional Prometheus endpoint ({@code --ringkv-metrics-port N}): {@code GET /metrics} on the JDK's built-in
 * HTTP server answers with {@link PrometheusText} made from {@code INFO everything}. The figures live on the engine
 * thread, so the endpoint never reads them itself: it publishes an INFO request through the engine's ring exactly
 * as a connection does and waits for its reply, so every figure of one scrape comes from one moment of the engine
 * (and scrapes count as INFO calls in commandstats, as an exporter's INFO does on Redis).
 * <p>
 * {@link #start} and {@link #close()} are called by the server's owning thread; scrapes run on the HTTP server's
 * own thread, one at a time.
 */
public final class MetricsEndpoint implements AutoCloseable
{
    private static final byte[] INFO_EVERYTHING = "INFOeverything".getBytes(StandardCharsets.US_ASCII);
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer http;
    private final Engine engine;

    private MetricsEndpoint(final HttpServer http, final Engine engine)
    {
        this.http = http;
        this.engine = engine;
    }

    /**
     * @param address where to listen (the server's first bind address).
     * @param port    TCP port.
     * @param engine  runs the INFO requests.
     * @return the started endpoint.
     * @throws IOException when the port cannot be bound.
     */
    public static MetricsEndpoint start(final InetAddress address, final int port, final Engine engine)
        throws IOException
    {
        final HttpServer http = HttpServer.create(new InetSocketAddress(address, port), 16);
        final MetricsEndpoint endpoint = new MetricsEndpoint(http, engine);
        http.createContext("/metrics", endpoint::serve);
        http.createContext("/", exchange -> respond(exchange, 404, "not found: try /metrics\n"));
        http.start();
        return endpoint;
    }

    /**
     * @return the port it listens on.
     */
    public int port()
    {
        return http.getAddress().getPort();
    }

    private void serve(final HttpExchange exchange) throws IOException
    {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
        {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, "method not allowed\n");
            return;
        }
        final String metrics;
        try
        {
            metrics = PrometheusText.fromInfo(infoThroughEngine());
        }
        catch (final IllegalStateException ex)
        {
            respond(exchange, 503, "engine not running\n");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        respond(exchange, 200, metrics);
    }

    /**
     * Run {@code INFO everything} on the engine thread as a client would, and return its text.
     */
    private String infoThroughEngine()
    {
        final ClientSession session = new ClientSession(0, true);
        final ReplyBuffer output = new ReplyBuffer(64 * 1024);
        final RequestBatch batch = new RequestBatch(session, new RespReply(session, output));
        batch.reset(new UnsafeBuffer(INFO_EVERYTHING));
        batch.addArg(0, 4);
        batch.addArg(4, INFO_EVERYTHING.length - 4);
        batch.endRequest(RequestBatch.VALUE_RAW);
        engine.execute(batch);
        // RESP2 bulk string: "$<length>\r\n<text>\r\n".
        final byte[] reply = new byte[output.position()];
        output.buffer().getBytes(0, reply);
        final String text = new String(reply, StandardCharsets.UTF_8);
        final int start = text.indexOf("\r\n") + 2;
        return text.startsWith("$") ? text.substring(start, text.length() - 2) : "";
    }

    private static void respond(final HttpExchange exchange, final int status, final String body) throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            if (!head)
            {
                out.write(bytes);
            }
        }
    }

    /**
     * Stop listening; a scrape in progress gets up to a second to finish.
     */
    @Override
    public void close()
    {
        http.stop(1);
    }
}
