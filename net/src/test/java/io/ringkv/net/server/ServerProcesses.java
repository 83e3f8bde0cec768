package io.ringkv.net.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real entry point, {@link ServerMain}, as a separate process started with the test JVM's classpath: its command
 * line, its output read on another thread, the port it announces once ready.
 */
public final class ServerProcesses
{
    private static final Pattern READY = Pattern.compile("Ready to accept connections tcp on [^ ]*:(\\d+)");

    private ServerProcesses()
    {
    }

    public static List<String> javaCommand(final String... options)
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-Xmx256m", "-XX:MaxDirectMemorySize=1g",
            "-cp", System.getProperty("java.class.path"),
            ServerMain.class.getName()));
        command.addAll(List.of(options));
        return command;
    }

    public static LinkedBlockingQueue<String> drain(final Process process)
    {
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() ->
        {
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignore)
            {
                // the process ended
            }
        });
        return lines;
    }

    public static int awaitPort(final Process process, final LinkedBlockingQueue<String> output) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        final List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadlineNs)
        {
            final String line = output.poll(100, TimeUnit.MILLISECONDS);
            if (null == line)
            {
                assertTrue(process.isAlive(), "server exited: " + seen);
                continue;
            }
            seen.add(line);
            final Matcher ready = READY.matcher(line);
            if (ready.find())
            {
                output.addAll(seen);
                return Integer.parseInt(ready.group(1));
            }
        }
        throw new AssertionError("no ready line: " + seen);
    }
}
