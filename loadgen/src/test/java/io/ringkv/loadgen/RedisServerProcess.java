package io.ringkv.loadgen;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real {@code redis-server} on 127.0.0.1 and a free port, without persistence, stopped by {@link #close()}.
 * A missing binary fails the test (CI installs it); it is never skipped.
 * <p>
 * Deliberately a copy of core's {@code io.ringkv.core.testing.RedisServerProcess}: loadgen is standalone (it must
 * build, test and ship without any other ringkv module), so it cannot depend on core's test-jar. Keep the two in
 * step when changing how a test redis-server is started.
 */
final class RedisServerProcess implements AutoCloseable
{
    private final Process process;
    private final int port;
    private final Path log;

    private RedisServerProcess(final Process process, final int port, final Path log)
    {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static RedisServerProcess start(final String... extraArgs) throws IOException, InterruptedException
    {
        final Path binary = findBinary();
        final int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = probe.getLocalPort();
        }
        final Path log = Files.createTempFile("loadgen-redis", ".log");
        final List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--dir", Files.createTempDirectory("loadgen-redis").toString()));
        command.addAll(List.of(extraArgs));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        final RedisServerProcess server = new RedisServerProcess(process, port, log);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadlineNs)
        {
            if (!process.isAlive())
            {
                fail("redis-server exited at start:\n" + Files.readString(log));
            }
            try
            {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return server;
            }
            catch (final IOException notYet)
            {
                Thread.sleep(20);
            }
        }
        server.close();
        fail("redis-server did not accept connections within 10 s on port " + port);
        return null;
    }

    private static Path findBinary()
    {
        final Path standard = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(standard))
        {
            return standard;
        }
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            final Path candidate = Path.of(dir, "redis-server");
            if (!dir.isEmpty() && Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        fail("redis-server is not installed: this end-to-end test needs it "
            + "(apt-get install redis-server; .ci/run installs it)");
        return null;
    }

    int port()
    {
        return port;
    }

    /**
     * Sends commands on one fresh connection and returns the last reply as text.
     */
    String commands(final String[]... commands) throws IOException
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port))
        {
            socket.setSoTimeout(5000);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            String reply = null;
            for (final String[] words : commands)
            {
                final StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
                for (final String word : words)
                {
                    request.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                        .append(word).append("\r\n");
                }
                out.write(request.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                final String line = line(in);
                if (line.startsWith("$") && !line.equals("$-1"))
                {
                    final int length = Integer.parseInt(line.substring(1));
                    reply = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                    in.readNBytes(2);
                }
                else
                {
                    reply = line;
                }
            }
            return reply;
        }
    }

    private static String line(final InputStream in) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        int b;
        while ((b = in.read()) != '\r')
        {
            if (b == -1)
            {
                throw new IOException("redis closed the connection");
            }
            text.append((char)b);
        }
        in.read();
        return text.toString();
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
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try
        {
            Files.deleteIfExists(log);
        }
        catch (final IOException ignore)
        {
            // A temp file left behind is harmless.
        }
    }
}
