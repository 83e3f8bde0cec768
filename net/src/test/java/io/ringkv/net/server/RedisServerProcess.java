package io.ringkv.net.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (Debian's redis-server package) on 127.0.0.1 and a free port, no persistence, for
 * differential tests: send the same bytes to it and to ringkv. Always close it.
 */
final class RedisServerProcess implements AutoCloseable
{
    private final Process process;
    private final Path directory;
    private final int port;

    private RedisServerProcess(final Process process, final Path directory, final int port)
    {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /**
     * @param options extra redis.conf options as command-line pairs, e.g. "--requirepass", "pw".
     */
    static RedisServerProcess start(final String... options) throws Exception
    {
        final Path directory = Files.createTempDirectory("ringkv-redis");
        for (int attempt = 0; attempt < 5; attempt++)
        {
            final int port;
            try (ServerSocket probe = new ServerSocket(0))
            {
                port = probe.getLocalPort();
            }
            final List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.toString()));
            command.addAll(List.of(options));
            final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("redis.log").toFile())
                .start();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (process.isAlive() && System.nanoTime() < deadlineNs)
            {
                try (RawConnection probe = new RawConnection(port))
                {
                    return new RedisServerProcess(process, directory, port);
                }
                catch (final IOException notYet)
                {
                    Thread.sleep(20);
                }
            }
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        throw new IllegalStateException("redis-server (Debian's redis-server package) must be installed and start");
    }

    int port()
    {
        return port;
    }

    @Override
    public void close() throws Exception
    {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.list(directory))
        {
            for (final Path file : files.toList())
            {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(directory);
    }
}
