package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scripted sessions with Debian's redis-cli (installed by .ci/run), the tool people point at a server first.
 */
class RedisCliSessionTest
{
    private static final String REDIS_CLI = "/usr/bin/redis-cli";

    @Test
    void infoConfigClientListAndCommandDocs() throws Exception
    {
        try (TestServer server = TestServer.start("maxmemory", "3mb"))
        {
            final int port = server.port();
            assertEquals("OK\n", cli(port, "SET", "k", "v"));
            assertEquals("# Keyspace\ndb0:keys=1,expires=0,avg_ttl=0\n\n".strip(),
                cli(port, "--no-raw", "INFO", "keyspace").replace("\r", "").strip());
            assertEquals("1) \"maxmemory\"\n2) \"3145728\"\n", cli(port, "--no-raw", "CONFIG", "GET", "maxmemory"));
            final String clients = cli(port, "CLIENT", "LIST");
            assertTrue(clients.startsWith("id=") && clients.contains(" cmd=client|list "), clients);
            final String docs = cli(port, "COMMAND", "DOCS", "GET");
            assertTrue(docs.contains("Get the value of a key") && docs.contains("string"), docs);
            assertEquals("PONG\n", cli(port, "PING"));
        }
    }

    @Test
    void commandsFedOnStdinRunInOrder() throws Exception
    {
        try (TestServer server = TestServer.start())
        {
            // Fed on stdin (not a terminal), redis-cli runs one command per line and prints each reply.
            final String output = run(List.of(REDIS_CLI, "-p", Integer.toString(server.port())),
                "SET greeting hi\nGET greeting\nDBSIZE\n");
            assertEquals("OK\nhi\n1\n", output);
        }
    }

    private static String cli(final int port, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(REDIS_CLI, "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        return run(command, "");
    }

    private static String run(final List<String> command, final String stdin) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("redis-cli did not finish: " + command);
        }
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
