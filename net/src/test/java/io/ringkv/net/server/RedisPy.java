package io.ringkv.net.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a redis-py script (Debian's python3-redis, through /usr/bin/python3) against a server's port.
 */
public final class RedisPy
{
    private RedisPy()
    {
    }

    /**
     * @param script the Python file; it gets the port as its one argument.
     * @param port   the server's port on loopback.
     * @return what the script printed (stdout and stderr), stripped.
     */
    public static String run(final Path script, final int port) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("/usr/bin/python3", script.toString(), Integer.toString(port))
            .redirectErrorStream(true).start();
        final boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited)
        {
            process.destroyForcibly();
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(exited, "redis-py did not finish: " + output);
        return output;
    }
}
