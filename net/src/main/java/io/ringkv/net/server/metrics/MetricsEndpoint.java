package io.ringkv.net.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.ReplyBuffer;
import io.ringkv.net.resp.RespReply;
import io.ringkv.net.server.command.LatencyCommands;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * The optional Prometheus endpoint ({@code --ringkv-metrics-port N}): {@code GET /metrics} on the JDK's built-in
 * HTTP server answers with {@link PrometheusText} made from {@code INFO everything}; {@code GET /} serves the live
 * console ({@link ConsolePage}), which polls {@code GET /console.json}. The figures live on the engine
 * thread, so the endpoint never reads them itself: it publishes an INFO request through the engine's ring exactly
 * as a connection does and waits for its reply, so every figure of one scrape comes from one moment of the engine
 * (and scrapes count as INFO calls in commandstats, as an exporter's INFO does on Redis).
 * <p>
 * The figures are as private as INFO: when a credential is configured (the server's password, or a dedicated one)
 * a scrape must present it, as HTTP basic auth (any user name) or as a bearer token; otherwise it gets 401.
 * <p>
 * {@link #start} and {@link #close()} are called by the server's owning thread; scrapes run on the HTTP server's
 * own thread, one at a time.
 */
public final class MetricsEndpoint implements AutoCloseable
{
    private static final String[] INFO_EVERYTHING = {"INFO", "everything"};
    /** The sections the console draws from: only those, so that a poll holds the engine as briefly as it can. */
    private static final String[] CONSOLE_INFO = {"INFO", "server", "clients", "memory", "stats", "replication",
        "commandstats", "keyspace", LatencyCommands.CURVE_SECTION};
    private static final String[] CONSOLE_SLOWLOG = {"SLOWLOG", "GET", "32"};
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer http;
    private final Engine engine;
    private final Supplier<String> credential;

    private MetricsEndpoint(final HttpServer http, final Engine engine, final Supplier<String> credential)
    {
        this.http = http;
        this.engine = engine;
        this.credential = credential;
    }

    /**
     * @param address    where to listen.
     * @param port       TCP port.
     * @param engine     runs the INFO requests.
     * @param credential read at each scrape: the password a scrape must present, as bytes (one char each), or ""
     *                   when none is needed.
     * @return the started endpoint.
     * @throws IOException when the port cannot be bound.
     */
    public static MetricsEndpoint start(
        final InetAddress address, final int port, final Engine engine, final Supplier<String> credential)
        throws IOException
    {
        final HttpServer http = HttpServer.create(new InetSocketAddress(address, port), 16);
        final MetricsEndpoint endpoint = new MetricsEndpoint(http, engine, credential);
        http.createContext("/metrics", endpoint::serve);
        http.createContext("/console.json", endpoint::serveConsoleData);
        http.createContext("/", endpoint::serveConsole);
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

    /**
     * @return true when the request may go on: a GET or HEAD with the credential; otherwise the refusal is sent.
     */
    private boolean admitted(final HttpExchange exchange) throws IOException
    {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
        {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, "method not allowed\n");
            return false;
        }
        if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"), credential.get()))
        {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"ringkv\", charset=\"UTF-8\"");
            respond(exchange, 401, "unauthorized: give the password as basic auth or a bearer token\n");
            return false;
        }
        return true;
    }

    /**
     * {@code GET /}: the live console, one self-contained page ({@link ConsolePage}); anything else under / is 404.
     */
    private void serveConsole(final HttpExchange exchange) throws IOException
    {
        final String path = exchange.getRequestURI().getPath();
        if (!"/".equals(path) && !"/index.html".equals(path))
        {
            respond(exchange, 404, "not found: try / (the console) or /metrics\n");
            return;
        }
        if (!admitted(exchange))
        {
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Content-Security-Policy", ConsolePage.CONTENT_SECURITY_POLICY);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        respond(exchange, 200, ConsolePage.html());
    }

    /**
     * {@code GET /console.json}: what the console draws, read on the engine thread by two requests published like a
     * client's: {@code INFO} of the sections it draws (with {@code ringkv-latencycurve}) and {@code SLOWLOG GET 32}.
     */
    private void serveConsoleData(final HttpExchange exchange) throws IOException
    {
        if (!admitted(exchange))
        {
            return;
        }
        final String json;
        try
        {
            json = ConsolePage.data(System.currentTimeMillis(), bulkText(call(CONSOLE_INFO)), call(CONSOLE_SLOWLOG));
        }
        catch (final IllegalStateException ex)
        {
            respond(exchange, 503, "engine not running\n");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        respond(exchange, 200, json);
    }

    private void serve(final HttpExchange exchange) throws IOException
    {
        if (!admitted(exchange))
        {
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
        return bulkText(call(INFO_EVERYTHING));
    }

    /**
     * Run one request on the engine thread as a client would (RESP2) and return the reply's bytes.
     *
     * @param args the request's arguments.
     */
    private byte[] call(final String... args)
    {
        final ClientSession session = new ClientSession(0, true);
        session.peerAddress("metrics-endpoint");
        final ReplyBuffer output = new ReplyBuffer(64 * 1024);
        try
        {
            final RequestBatch batch = new RequestBatch(session, new RespReply(session, output));
            final byte[][] bytes = new byte[args.length][];
            int length = 0;
            for (int i = 0; i < args.length; i++)
            {
                bytes[i] = args[i].getBytes(StandardCharsets.US_ASCII);
                length += bytes[i].length;
            }
            final UnsafeBuffer request = new UnsafeBuffer(new byte[length]);
            batch.reset(request);
            int offset = 0;
            for (final byte[] arg : bytes)
            {
                request.putBytes(offset, arg);
                batch.addArg(offset, arg.length);
                offset += arg.length;
            }
            batch.endRequest(RequestBatch.VALUE_RAW);
            engine.execute(batch);
            final byte[] reply = new byte[output.position()];
            output.buffer().getBytes(0, reply);
            return reply;
        }
        finally
        {
            output.close();
        }
    }

    /**
     * @param reply a RESP2 bulk string ("$<length>\r\n<text>\r\n").
     * @return its text, or "" for any other reply.
     */
    private static String bulkText(final byte[] reply)
    {
        final String text = new String(reply, StandardCharsets.UTF_8);
        final int start = text.indexOf("\r\n") + 2;
        return text.startsWith("$") ? text.substring(start, text.length() - 2) : "";
    }

    /**
     * @param authorization the request's Authorization header, or null; the JDK's HTTP server reads header bytes
     *                      one char each, as the credential is held.
     * @param credential    the password needed, as bytes (one char each); "" when none is.
     * @return true when no credential is needed or the header presents it: {@code Bearer <password>}, or
     * {@code Basic base64(<user>:<password>)} with any user name.
     */
    static boolean authorized(final String authorization, final String credential)
    {
        if (credential.isEmpty())
        {
            return true;
        }
        if (null == authorization)
        {
            return false;
        }
        final byte[] expected = credential.getBytes(StandardCharsets.ISO_8859_1);
        final int space = authorization.indexOf(' ');
        final String scheme = space < 0 ? authorization : authorization.substring(0, space);
        final String value = space < 0 ? "" : authorization.substring(space + 1).strip();
        if ("Bearer".equalsIgnoreCase(scheme))
        {
            return MessageDigest.isEqual(expected, value.getBytes(StandardCharsets.ISO_8859_1));
        }
        if ("Basic".equalsIgnoreCase(scheme))
        {
            final byte[] decoded;
            try
            {
                decoded = Base64.getDecoder().decode(value);
            }
            catch (final IllegalArgumentException ex)
            {
                return false;
            }
            int colon = 0;
            while (colon < decoded.length && decoded[colon] != ':')
            {
                colon++;
            }
            return colon < decoded.length &&
                MessageDigest.isEqual(expected, Arrays.copyOfRange(decoded, colon + 1, decoded.length));
        }
        return false;
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
