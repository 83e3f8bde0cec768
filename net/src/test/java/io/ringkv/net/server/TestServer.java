package io.ringkv.net.server;

import io.ringkv.net.server.config.ConfigException;
import io.ringkv.net.server.config.ConfigLoader;
import io.ringkv.net.server.config.ServerConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * An in-JVM ringkv server on 127.0.0.1 and an ephemeral port, for end-to-end tests; always close it. Like the
 * servers of Redis's own test suite (its tests/assets/default.conf), it runs with {@code enable-debug-command yes},
 * because tests compare data sets with DEBUG DIGEST and stall the engine with DEBUG SLEEP; a test of the
 * production defaults builds its configuration itself and uses {@link #start(ServerConfig)}.
 * <pre>
 *   try (TestServer server = TestServer.start("requirepass", "pw"))
 *   {
 *       new Jedis("127.0.0.1", server.port());
 *   }
 * </pre>
 */
public final class TestServer implements AutoCloseable
{
    private final RingkvServer server;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();

    private TestServer(final ServerConfig config, final Predicate<InetAddress> localPeer) throws IOException
    {
        server = new RingkvServer(config, new ServerLog(new PrintStream(logBytes, true), ServerLog.NOTICE), localPeer);
        server.start();
    }

    /**
     * @param nameValuePairs options to set before start, e.g. "requirepass", "pw".
     * @return a started server.
     * @throws IOException when it cannot bind.
     */
    public static TestServer start(final String... nameValuePairs) throws IOException
    {
        final ServerConfig config = new ServerConfig();
        String error = config.setAll(List.of("port", "0", "bind", "127.0.0.1", "enable-debug-command", "yes"), false);
        if (null == error && nameValuePairs.length > 0)
        {
            error = config.setAll(List.of(nameValuePairs), false);
        }
        if (null != error)
        {
            throw new IllegalArgumentException(error);
        }
        return new TestServer(config, ClientAdmission::isLocal);
    }

    /**
     * @param config a configuration filled by the caller (e.g. through {@link
     *               io.ringkv.net.server.config.ConfigLoader}); it should bind 127.0.0.1 and port 0.
     * @return a started server.
     * @throws IOException when it cannot bind.
     */
    public static TestServer start(final ServerConfig config) throws IOException
    {
        return new TestServer(config, ClientAdmission::isLocal);
    }

    /**
     * @param config    as for {@link #start(ServerConfig)}.
     * @param localPeer which client addresses the server takes for local (all are loopback in a test): a test of
     *                  what non-local clients get calls some of them remote.
     * @return a started server.
     * @throws IOException when it cannot bind.
     */
    public static TestServer start(final ServerConfig config, final Predicate<InetAddress> localPeer) throws IOException
    {
        return new TestServer(config, localPeer);
    }

    /**
     * @param options command-line options, e.g. "--requirepass", "pw".
     * @return the configuration the launcher would build from them (production defaults, not this fixture's),
     * bound to 127.0.0.1 on an ephemeral port.
     * @throws ConfigException when an option is bad.
     */
    public static ServerConfig commandLine(final String... options) throws ConfigException
    {
        final String[] args = Arrays.copyOf(options, options.length + 4);
        System.arraycopy(new String[]{ "--port", "0", "--bind", "127.0.0.1" }, 0, args, options.length, 4);
        final ServerConfig config = new ServerConfig();
        new ConfigLoader(config).load(args);
        return config;
    }

    public int port()
    {
        return server.port();
    }

    public RingkvServer server()
    {
        return server;
    }

    /**
     * @return what the server logged so far.
     */
    public String log()
    {
        return logBytes.toString();
    }

    @Override
    public void close()
    {
        server.close();
    }
}
