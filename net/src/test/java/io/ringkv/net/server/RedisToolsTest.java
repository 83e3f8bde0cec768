package io.ringkv.net.server;

import io.ringkv.core.testing.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ringkv.net.server.PipelineEndToEndTest.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scripted sessions with Redis's own tools (Debian's redis-tools, which CI installs): redis-cli one-shot commands,
 * a session on standard input, {@code --pipe} mass insertion, and a short redis-benchmark run.
 */
class RedisToolsTest
{
    @Test
    void redisCliCommandsAndSessionAsWithRedis() throws Exception
    {
        final String session = "SET n 1\nINCR n\nINCRBY n 10\nGET n\nGET missing\nSET k v\nINCR k\nMGET n k missing\n" +
            "EXISTS n k missing\nDEL n k\nEXPIRE missing 10\nTTL missing\nPING\nECHO \"two words\"\nBOGUS 1\n";
        final String expected;
        try (RedisServerProcess redis = RedisServerProcess.start())
        {
            expected = run(session, "redis-cli", "-p", Integer.toString(redis.port()), "--no-raw");
        }
        try (TestServer server = TestServer.start())
        {
            final String port = Integer.toString(server.port());
            assertEquals("OK\n", run(null, "redis-cli", "-p", port, "SET", "k", "v"));
            assertEquals("v\n", run(null, "redis-cli", "-p", port, "GET", "k"));
            assertEquals(1, run(null, "redis-cli", "-p", port, "DEL", "k").trim().length());
            assertEquals(expected, run(session, "redis-cli", "-p", port, "--no-raw"));
        }
    }

    /**
     * The seed's example (002-valkey-function-dump.txt) typed into redis-cli as its transcript shows it: LOAD with
     * server.register_function, DUMP, FLUSH, RESTORE of the payload DUMP printed, LIST (the seed's lines, whose
     * indentation the transcript lost); the payload the seed prints is refused (its CRC no longer matches its bytes).
     */
    @Test
    void theSeedsFunctionDumpExampleRunsInRedisCli() throws Exception
    {
        try (TestServer server = TestServer.start())
        {
            final String port = Integer.toString(server.port());
            final String load = "FUNCTION LOAD \"#!lua name=mylib \\n server.register_function('myfunc', " +
                "function(keys, args) return args[1] end)\"\n";
            final String[] first = run(load + "FUNCTION DUMP\n", "redis-cli", "-p", port, "--no-raw").split("\n");
            assertEquals("\"mylib\"", first[0]);
            final String printedDump = first[1];
            final String listed = run("FUNCTION FLUSH\nFUNCTION RESTORE " + printedDump + "\nFUNCTION LIST\n",
                "redis-cli", "-p", port, "--no-raw");
            assertEquals(String.join("\n", "OK", "OK", "1) 1) \"library_name\"", "2) \"mylib\"", "3) \"engine\"",
                "4) \"LUA\"", "5) \"functions\"", "6) 1) 1) \"name\"", "2) \"myfunc\"", "3) \"description\"",
                "4) (nil)", "5) \"flags\"", "6) (empty array)"), listed.strip().replaceAll("\n\\s+", "\n"), printedDump);
            final String seedPayload = "\"\\xf5\\xc3@X@]\\x1f#!lua name=mylib \\n server.registe\\rr_function(" +
                "'my@\\x0b\\x02', @\\x06`\\x12\\nkeys, args) 6\\x03turn`\\x0c\\a[1] end)\\x0c\\x00\\xba" +
                "\\x98\\xc2\\xa2\\x13\\x0e$\\a\"";
            assertEquals("(error) ERR DUMP payload version or checksum are wrong\n",
                run("FUNCTION RESTORE " + seedPayload + "\n", "redis-cli", "-p", port, "--no-raw"));
        }
    }

    @Test
    void redisCliPipeMassInsertion() throws Exception
    {
        final int commands = 10_000;
        final StringBuilder input = new StringBuilder();
        for (int i = 0; i < commands; i++)
        {
            input.append(multibulk("SET", "mass:" + i, "value:" + i));
        }
        try (TestServer server = TestServer.start(); Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final String output = run(input.toString(), "redis-cli", "-p", Integer.toString(server.port()), "--pipe");
            assertTrue(output.contains("errors: 0, replies: " + commands), output);
            assertEquals(commands, jedis.dbSize());
            assertEquals("value:9999", jedis.get("mass:9999"));
        }
    }

    @Test
    void redisBenchmarkCompletes() throws Exception
    {
        try (TestServer server = TestServer.start())
        {
            final String output = run(null, "redis-benchmark", "-p", Integer.toString(server.port()),
                "-t", "set,get", "-n", "2000", "-c", "10", "-q");
            assertTrue(output.contains("SET: ") && output.contains("GET: ") && output.contains("requests per second"),
                output);
        }
    }

    /**
     * @return the tool's standard output (standard error is appended); fails unless it exits 0 within 60 s.
     */
    private static String run(final String stdin, final String... command) throws Exception
    {
        final Path in = Files.createTempFile("ringkv-tool", ".in");
        final Path out = Files.createTempFile("ringkv-tool", ".out");
        try
        {
            Files.writeString(in, null == stdin ? "" : stdin, StandardCharsets.UTF_8);
            final Process process = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(new File(out + ".err")))
                .start();
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish");
            }
            final String output = Files.readString(out, StandardCharsets.UTF_8);
            final Path err = Path.of(out + ".err");
            final String error = Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8) : "";
            assertEquals(0, process.exitValue(), output + error);
            return output + error;
        }
        finally
        {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(Path.of(out + ".err"));
        }
    }
}
