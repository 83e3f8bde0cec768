package io.ringkv.core.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's 7.0 package) for differential and interop tests: on 127.0.0.1 and a free
 * port ({@link #start}) or on a private unix socket only ({@link #startOnUnixSocket}), with {@code --save ''
 * --appendonly no} and its own temporary directory, stopped and cleaned up by {@link #close()}. Not threadsafe: the
 * test that starts it owns it.
 * <p>
 * A missing binary or a server that does not start fails with an {@link AssertionError} that says why (CI installs
 * the package); it never skips. The class needs nothing but the JDK, so hand-run tools such as
 * {@code RedisDumpVectorGenerator} can use it without JUnit on the class path.
 * <pre>
 *   try (RedisServerProcess redis = RedisServerProcess.start("--requirepass", "pw"))
 *   {
 *       talkTo(redis.port());
 *   }
 * </pre>
 */
public final class RedisServerProcess implements AutoCloseable
{
    private static final long START_TIMEOUT_MS = 10_000;
    private static final long STOP_TIMEOUT_MS = 10_000;
    private static final int START_ATTEMPTS = 3;

    private final Process process;
    private final Path directory;
    private final int port;
    private final Path unixSocket;

    private RedisServerProcess(final Process process, final Path directory, final int port, final Path unixSocket)
    {
        this.process = process;
        this.directory = directory;
        this.port = port;
        this.unixSocket = unixSocket;
    }

    /**
     * Starts redis-server on 127.0.0.1 and a free port; a port taken between probing and binding is retried.
     *
     * @param extraArgs more redis-server options as command-line pairs, e.g. "--requirepass", "pw".
     * @return a server that accepts connections.
     */
    public static RedisServerProcess start(final String... extraArgs) throws IOException, InterruptedException
    {
        String lastOutput = "";
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++)
        {
            final int port = freePort();
            final RedisServerProcess redis = launch(port, null, extraArgs);
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
            while (redis.process.isAlive() && System.nanoTime() < deadlineNs)
            {
                try
                {
                    new Socket(InetAddress.getLoopbackAddress(), port).close();
                    // redis-server accepts connections while it still loads its RDB or AOF (answering DEBUG
                    // DIGEST on partial data); it logs "Ready to accept connections" once the load is done.
                    while (redis.process.isAlive() && System.nanoTime() < deadlineNs &&
                        !redis.output().contains("Ready to accept connections"))
                    {
                        Thread.sleep(10);
                    }
                    return redis;
                }
                catch (final IOException notYet)
                {
                    Thread.sleep(20);
                }
            }
            lastOutput = redis.output();
            redis.close();
        }
        throw new AssertionError("redis-server did not accept connections on 127.0.0.1 within " +
            START_TIMEOUT_MS + " ms (" + START_ATTEMPTS + " attempts); its output:\n" + lastOutput);
    }

    /**
     * Starts redis-server listening on a unix socket in its private directory and on no TCP port at all.
     *
     * @param extraArgs more redis-server options as command-line pairs, e.g. "--requirepass", "pw".
     * @return a server whose {@link #unixSocket()} exists.
     */
    public static RedisServerProcess startOnUnixSocket(final String... extraArgs)
        throws IOException, InterruptedException
    {
        final RedisServerProcess redis = launch(0, "redis.sock", extraArgs);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (!Files.exists(redis.unixSocket))
        {
            if (!redis.process.isAlive() || System.nanoTime() > deadlineNs)
            {
                final String output = redis.output();
                redis.close();
                throw new AssertionError("redis-server did not create its unix socket within " + START_TIMEOUT_MS +
                    " ms; its output:\n" + output);
            }
            Thread.sleep(20);
        }
        return redis;
    }

    /**
     * @return a loopback port nobody listens on (just released).
     */
    public static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return probe.getLocalPort();
        }
    }

    /**
     * @return the TCP port on 127.0.0.1, or 0 for a server started with {@link #startOnUnixSocket}.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return the unix socket path, or null for a server started with {@link #start}.
     */
    public Path unixSocket()
    {
        return unixSocket;
    }

    /**
     * Stops the server (SIGTERM, then SIGKILL after {@value #STOP_TIMEOUT_MS} ms) and deletes its directory.
     */
    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (var files = Files.list(directory))
        {
            for (final Path file : files.toList())
            {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        }
        catch (final IOException ignore)
        {
            // A temp file left behind is harmless.
        }
    }

    private static RedisServerProcess launch(final int port, final String socketName, final String... extraArgs)
        throws IOException
    {
        final Path binary = findBinary();
        final Path directory = Files.createTempDirectory("ringkv-redis");
        final Path socket = null == socketName ? null : directory.resolve(socketName);
        final List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", directory.toString()));
        if (null == socket)
        {
            command.addAll(List.of("--bind", "127.0.0.1"));
        }
        else
        {
            command.addAll(List.of("--unixsocket", socket.toString()));
        }
        command.addAll(List.of(extraArgs));
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("redis.log").toFile())
            .start();
        return new RedisServerProcess(process, directory, port, socket);
    }

    private static Path findBinary()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        final Path standard = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(standard))
        {
            return standard;
        }
        throw new AssertionError("redis-server 7.0 is not installed (not on PATH, not /usr/bin/redis-server): " +
            "differential and interop tests need it (apt-get install redis-server; .ci/run installs it)");
    }

    private String output()
    {
        try
        {
            return Files.readString(directory.resolve("redis.log"));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
