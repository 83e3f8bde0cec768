package io.ringkv.net.server;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.ringkv.net.server.ServerProcesses.awaitPort;
import static io.ringkv.net.server.ServerProcesses.drain;
import static io.ringkv.net.server.ServerProcesses.javaCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real entry point, {@link ServerMain}, as a separate process (the JVM running the tests, its classpath): a
 * SIGTERM finishes the pipeline in flight and exits 0; bad start-ups say what is wrong and exit 1.
 */
class LauncherProcessTest
{
    @Test
    void sigtermAnswersThePipelineInFlightThenExitsZero() throws Exception
    {
        final Process process = start("--port", "0");
        try
        {
            final LinkedBlockingQueue<String> output = drain(process);
            final int port = awaitPort(process, output);
            try (RawConnection client = new RawConnection(port))
            {
                final int requests = 20_000;
                final String pipeline = PipelineEndToEndTest.multibulk("INCR", "counter").repeat(requests);
                client.send(pipeline);
                assertEquals(":1", client.readLine());
                signal(process, "TERM"); // not Process.destroy(): it closes the pipe the server's log is read from
                try
                {
                    for (int i = 2; i <= requests; i++)
                    {
                        assertEquals(":" + i, client.readLine(), "reply " + i);
                    }
                    assertTrue(client.closesWithin(10_000), "the server closes the connection once it has answered");
                }
                catch (final IOException | AssertionError ex)
                {
                    throw new AssertionError("server output:\n" + String.join("\n", output), ex);
                }
            }
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server exits");
            assertEquals(0, process.exitValue(), String.join("\n", output));
        }
        finally
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigintExitsZero() throws Exception
    {
        final Process process = start("--port", "0");
        try
        {
            final LinkedBlockingQueue<String> output = drain(process);
            final int port = awaitPort(process, output);
            try (RawConnection client = new RawConnection(port))
            {
                client.send("SET k v\r\n");
                assertEquals("+OK", client.readLine());
                signal(process, "INT");
                assertTrue(client.closesWithin(10_000), "the server closes idle connections");
            }
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server exits");
            assertEquals(0, process.exitValue(), String.join("\n", output));
        }
        finally
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * With a low file limit Redis lowers maxclients to fit it; so does ringkv. Before, the accept loop failed with
     * EMFILE on every attempt (spinning and logging) and clients beyond the limit hung unanswered.
     */
    @Test
    void maxclientsIsLoweredToFitTheFileLimitAndOneMoreIsRefused() throws Exception
    {
        final List<String> command = javaCommand("--port", "0");
        final List<String> shell = new ArrayList<>(List.of("bash", "-c", "ulimit -n 160 && exec \"$@\"", "bash"));
        shell.addAll(command);
        final Process limited = new ProcessBuilder(shell).redirectErrorStream(true).start();
        final List<RawConnection> clients = new ArrayList<>();
        try
        {
            final LinkedBlockingQueue<String> output = drain(limited);
            final int port = awaitPort(limited, output);
            final Matcher reduced = Pattern.compile("maxclients has been reduced to (\\d+)")
                .matcher(String.join("\n", output));
            assertTrue(reduced.find(), String.join("\n", output));
            final int maxclients = Integer.parseInt(reduced.group(1));
            assertTrue(maxclients > 10 && maxclients < 160, "maxclients " + maxclients);
            int admitted = 0;
            int refused = 0;
            for (int i = 0; i < maxclients + 5; i++)
            {
                final RawConnection client = new RawConnection(port);
                clients.add(client);
                final String reply = client.send("PING\r\n").readLine();
                if ("+PONG".equals(reply))
                {
                    admitted++;
                }
                else
                {
                    assertEquals("-ERR max number of clients reached", reply);
                    assertTrue(client.closesWithin(5_000));
                    refused++;
                }
            }
            assertEquals(maxclients, admitted);
            assertEquals(5, refused);
            clients.get(0).send("PING\r\n");
            assertEquals("+PONG", clients.get(0).readLine());
            // Raising it beyond what the file limit holds is refused with Redis 7.0.15's text (it was accepted).
            clients.get(0).send("CONFIG SET maxclients " + (maxclients + 1) + "\r\n");
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system " +
                "is not able to handle the specified number of clients, try with " + maxclients,
                clients.get(0).readLine());
            clients.get(0).send("CONFIG GET maxclients\r\n");
            assertEquals("*2", clients.get(0).readLine());
            assertEquals("$10", clients.get(0).readLine());
            assertEquals("maxclients", clients.get(0).readLine());
            clients.get(0).readLine();
            assertEquals(Integer.toString(maxclients), clients.get(0).readLine());
            clients.get(0).send("CONFIG SET maxclients " + maxclients + "\r\n");
            assertEquals("+OK", clients.get(0).readLine());
        }
        finally
        {
            for (final RawConnection client : clients)
            {
                client.close();
            }
            limited.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * DEBUG SLEEP 1e9 holds the engine for 31 years; before the watchdog a SIGTERM then waited for it for good.
     */
    @Test
    void sigtermEndsTheProcessWhileTheEngineIsStuck() throws Exception
    {
        final Process process = start("--port", "0", "--enable-debug-command", "yes", "--ringkv-shutdown-watchdog", "2");
        try
        {
            final LinkedBlockingQueue<String> output = drain(process);
            final int port = awaitPort(process, output);
            try (RawConnection client = new RawConnection(port))
            {
                client.send("PING\r\n");
                assertEquals("+PONG", client.readLine());
                client.send("DEBUG SLEEP 1e9\r\n");
                Thread.sleep(300); // the engine is asleep
                signal(process, "TERM"); // not Process.destroy(): it closes the pipe the server's log is read from
                assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server exits: " + output);
            }
            assertEquals(1, process.exitValue(), String.join("\n", output));
            assertLogged(output, "Shutdown did not finish within 2 s");
        }
        finally
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The JVM decodes the command line from the locale (UTF-8); the password must be those bytes, not '?'s.
     */
    @Test
    void commandLinePasswordBeyondLatin1IsItsUtf8Bytes() throws Exception
    {
        final String password = "口令🔒";
        final Process process = start("--port", "0", "--requirepass", password);
        try
        {
            final LinkedBlockingQueue<String> output = drain(process);
            final int port = awaitPort(process, output);
            try (RawConnection client = new RawConnection(port))
            {
                client.send("AUTH ???\r\n");
                assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", client.readLine());
                final byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
                client.send(("*2\r\n$4\r\nAUTH\r\n$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                client.send(bytes).send("\r\n");
                assertEquals("+OK", client.readLine());
            }
        }
        finally
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Out of file descriptors for a reason maxclients cannot see (here: idle connections to the metrics endpoint),
     * accept fails with EMFILE. Before, the client waited in the backlog for good while the accept loop retried;
     * now the spare descriptor lets the server tell it and close it, and the loop backs off.
     */
    @Test
    void aClientThatCannotBeAcceptedIsToldInsteadOfHanging() throws Exception
    {
        final int metricsPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            metricsPort = probe.getLocalPort();
        }
        final List<String> command = javaCommand("--port", "0", "--ringkv-metrics-port", Integer.toString(metricsPort));
        final List<String> shell = new ArrayList<>(List.of("bash", "-c", "ulimit -n 256 && exec \"$@\"", "bash"));
        shell.addAll(command);
        final Process limited = new ProcessBuilder(shell).redirectErrorStream(true).start();
        final List<java.net.Socket> hogs = new ArrayList<>();
        final List<RawConnection> clients = new ArrayList<>();
        try
        {
            final LinkedBlockingQueue<String> output = drain(limited);
            final int port = awaitPort(limited, output);
            try (RawConnection first = new RawConnection(port))
            {
                assertEquals("+PONG", first.send("PING\r\n").readLine());
                final Path fds = Path.of("/proc", Long.toString(limited.pid()), "fd");
                // Idle HTTP connections take the server's descriptors until none is left.
                long open = openFiles(fds);
                while (open < 250)
                {
                    assertTrue(hogs.size() < 400, "the server's descriptors do not run out: " + open);
                    final java.net.Socket hog = new java.net.Socket();
                    hogs.add(hog);
                    try
                    {
                        hog.connect(new java.net.InetSocketAddress("127.0.0.1", metricsPort), 2_000);
                    }
                    catch (final java.net.SocketTimeoutException httpServerOutOfFiles)
                    {
                        break;
                    }
                    final long before = open;
                    final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while ((open = openFiles(fds)) == before && System.nanoTime() < deadlineNs)
                    {
                        Thread.sleep(1); // until the HTTP server has accepted it
                    }
                }
                // The last free descriptors may still serve a client or two; then each one is told and closed.
                RawConnection.Received refusal = null;
                for (int i = 0; i < 10 && null == refusal; i++)
                {
                    final RawConnection client = new RawConnection(port);
                    clients.add(client);
                    final RawConnection.Received unasked = client.readUntilClosedOrQuiet(500);
                    if (unasked.closed())
                    {
                        refusal = unasked;
                    }
                    else
                    {
                        assertEquals("+PONG", client.send("PING\r\n").readLine(), "a client is served or told");
                    }
                }
                assertNotNull(refusal, "one of 10 clients is refused");
                assertEquals("-ERR max number of clients reached\r\n", refusal.text());
                assertEquals("+PONG", first.send("PING\r\n").readLine(), "served clients go on");
            }
            assertLogged(output, "Error accepting a client connection: Too many open files");
        }
        finally
        {
            for (final java.net.Socket hog : hogs)
            {
                hog.close();
            }
            for (final RawConnection client : clients)
            {
                client.close();
            }
            limited.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The server's output is read on another thread: wait a little for a line to arrive.
     */
    private static void assertLogged(final LinkedBlockingQueue<String> output, final String text) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!String.join("\n", output).contains(text) && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(10);
        }
        assertTrue(String.join("\n", output).contains(text), String.join("\n", output));
    }

    private static void signal(final Process process, final String signal) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0);
    }

    private static long openFiles(final Path fds) throws IOException
    {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(fds))
        {
            return files.count();
        }
    }

    /**
     * SIGTERM with save points set saves the RDB file before exiting (Redis's rule); the next start loads it; a
     * file cut short stops the start with exit status 1 and a message naming the offset.
     */
    @Test
    void sigtermSavesWithSavePointsAndAStartRefusesACutFile() throws Exception
    {
        final Path dir = java.nio.file.Files.createTempDirectory("ringkv-rdb");
        try
        {
            Process process = start("--port", "0", "--dir", dir.toString(), "--save", "3600 1");
            try
            {
                final LinkedBlockingQueue<String> output = drain(process);
                final int port = awaitPort(process, output);
                try (RawConnection client = new RawConnection(port))
                {
                    client.send("SET k v\r\n");
                    assertEquals("+OK", client.readLine());
                }
                signal(process, "TERM");
                assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server exits");
                assertEquals(0, process.exitValue(), String.join("\n", output));
                assertLogged(output, "DB saved on disk");
            }
            finally
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            final Path file = dir.resolve("dump.rdb");
            process = start("--port", "0", "--dir", dir.toString());
            try
            {
                final LinkedBlockingQueue<String> output = drain(process);
                awaitPort(process, output);
                assertLogged(output, "DB loaded from disk: 1 keys");
            }
            finally
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            final byte[] whole = java.nio.file.Files.readAllBytes(file);
            java.nio.file.Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 3));
            process = start("--port", "0", "--dir", dir.toString());
            final String output = readAll(process);
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(1, process.exitValue(), output);
            assertTrue(output.contains("ends early") && output.contains("at offset"), output);
        }
        finally
        {
            try (var files = java.nio.file.Files.list(dir))
            {
                for (final Path path : files.toList())
                {
                    java.nio.file.Files.delete(path);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void unknownOptionIsNamedAndExitsOne() throws Exception
    {
        final Process process = start("--port", "0", "--no-such-option", "1");
        final String output = readAll(process);
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.contains("no-such-option"), output);
    }

    @Test
    void portInUseSaysWhichAddressAndExitsOne() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final int port = taken.getLocalPort();
            final Process process = start("--port", Integer.toString(port));
            final String output = readAll(process);
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(1, process.exitValue(), output);
            assertTrue(output.contains("cannot listen on 127.0.0.1:" + port) && output.contains("in use"), output);
        }
    }

    @Test
    void withoutTheOpenPackageItNeedsItSaysWhichOptionAndExitsOne() throws Exception
    {
        final List<String> command = javaCommand("--port", "0");
        command.removeAll(List.of("--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = readAll(process);
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED"), output);
    }

    /**
     * The server's engine is a virtual thread on the connections' one carrier: while it frees an UNLINKed hash in
     * its spare time it must still let the connections run. It freed slice after slice without yielding the carrier,
     * so a command sent after the UNLINK waited for the whole free (2.5 s for 2M fields) and saw nothing pending.
     */
    @Test
    void aLazyFreeLeavesTheCarrierToTheConnections() throws Exception
    {
        final Process process = start("--port", "0");
        try
        {
            final LinkedBlockingQueue<String> output = drain(process);
            final int port = awaitPort(process, output);
            try (RawConnection client = new RawConnection(port))
            {
                final int commands = 1000;
                final int fieldsPerCommand = 1000;
                final StringBuilder pipeline = new StringBuilder();
                for (int c = 0; c < commands; c++)
                {
                    final String[] args = new String[2 + 2 * fieldsPerCommand];
                    args[0] = "HSET";
                    args[1] = "big";
                    for (int f = 0; f < fieldsPerCommand; f++)
                    {
                        args[2 + 2 * f] = "field:" + (c * fieldsPerCommand + f);
                        args[3 + 2 * f] = "v";
                    }
                    pipeline.append(PipelineEndToEndTest.multibulk(args));
                    if (c % 50 == 49)
                    {
                        client.send(pipeline.toString());
                        pipeline.setLength(0);
                        for (int r = 0; r < 50; r++)
                        {
                            assertEquals(":" + fieldsPerCommand, client.readLine());
                        }
                    }
                }
                client.send(PipelineEndToEndTest.multibulk("UNLINK", "big"));
                assertEquals(":1", client.readLine());
                assertEquals("1", infoMemoryField(client, "lazyfree_pending_objects"),
                    "a command sent after the UNLINK is answered while the hash is still being freed");
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!"0".equals(infoMemoryField(client, "lazyfree_pending_objects")) && System.nanoTime() < deadline)
                {
                    Thread.sleep(10);
                }
                assertEquals("0", infoMemoryField(client, "lazyfree_pending_objects"));
                assertEquals("1", infoMemoryField(client, "lazyfreed_objects"));
            }
        }
        finally
        {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static String infoMemoryField(final RawConnection client, final String name) throws IOException
    {
        client.send(PipelineEndToEndTest.multibulk("INFO", "memory"));
        final String header = client.readLine();
        assertTrue(header.startsWith("$"), header);
        final int length = Integer.parseInt(header.substring(1));
        int read = 0;
        String value = null;
        while (read < length)
        {
            final String line = client.readLine();
            read += line.length() + 2;
            if (line.startsWith(name + ":"))
            {
                value = line.substring(name.length() + 1);
            }
        }
        client.readLine(); // the bulk's closing CRLF
        return value;
    }

    static Process start(final String... options) throws IOException
    {
        return new ProcessBuilder(javaCommand(options)).redirectErrorStream(true).start();
    }

    /** The command bin/ringkv runs: its module options, then ServerMain with the given options. */

    private static String readAll(final Process process) throws IOException
    {
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertNotNull(output);
        return output;
    }
}
