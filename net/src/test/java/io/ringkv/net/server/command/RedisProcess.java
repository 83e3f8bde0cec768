package io.ringkv.net.server.command;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real {@code redis-server} (Debian's 7.0) on 127.0.0.1 and a free port, without persistence; always close it.
 * A missing binary fails the test with a clear message (CI installs it); it is never skipped.
 */
final class RedisProcess implements AutoCloseable
{
    private final Process process;
    private final int port;
    private final Path log;

    private RedisProcess(final Process process, final int port, final Path log)
    {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * @param extraArgs more redis-server options, e.g. "--requirepass", "pw".
     * @return a running server.
     */
    static RedisProcess start(final String... extraArgs) throws IOException, InterruptedException
    {
        final Path binary = Path.of("/usr/bin/redis-server");
        if (!Files.isExecutable(binary))
        {
            fail("redis-server 7.0 is not installed at /usr/bin/redis-server: the DUMP/RESTORE/MIGRATE interop " +
                "tests need it (apt-get install redis-server; .ci/run installs it)");
        }
        final int port = freePort();
        final Path log = Files.createTempFile("ringkv-dump-redis", ".log");
        final List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"));
        command.addAll(List.of(extraArgs));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        final RedisProcess redis = new RedisProcess(process, port, log);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadlineNs)
        {
            if (!process.isAlive())
            {
                final String output = Files.readString(log);
                redis.close();
                fail("redis-server exited at start:\n" + output);
            }
            try
            {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return redis;
            }
            catch (final IOException notYet)
            {
                Thread.sleep(20);
            }
        }
        redis.close();
        fail("redis-server did not accept connections within 10 s on port " + port);
        return null;
    }

    /**
     * @return a loopback port nobody listens on (just released).
     */
    static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return probe.getLocalPort();
        }
    }

    int port()
    {
        return port;
    }

    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        catch (final IOException ignore)
        {
            // A leftover temp file is harmless.
        }
    }
}
