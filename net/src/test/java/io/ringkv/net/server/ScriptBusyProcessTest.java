package io.ringkv.net.server;

import io.ringkv.core.testing.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.ringkv.net.server.PipelineEndToEndTest.multibulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A script that runs past busy-reply-threshold, in a real ringkv process ({@link ServerMain}) and in redis-server
 * 7.0.15 side by side: other clients get BUSY (answered without the engine, which runs the script), SCRIPT KILL
 * stops a script that has not written, a script that has written is UNKILLABLE, and SHUTDOWN NOSAVE still stops
 * the server (exit status 0).
 */
class ScriptBusyProcessTest
{
    private static final String THRESHOLD_MS = "200";

    @Test
    void aBusyScriptIsAnsweredForThenKilledAsInRedis() throws Exception
    {
        final List<String> expected;
        try (RedisServerProcess redis = RedisServerProcess.start("--busy-reply-threshold", THRESHOLD_MS))
        {
            expected = killScenario(redis.port());
        }
        assertEquals(expected,
            onRingkvProcess(ScriptBusyProcessTest::killScenario, false, "--lua-time-limit", THRESHOLD_MS));
    }

    private static List<String> killScenario(final int port) throws Exception
    {
        final List<String> replies = new ArrayList<>();
        try (RawConnection caller = new RawConnection(port); RawConnection other = new RawConnection(port))
        {
            // The Lua state exists once a first script ran: a command published to the engine before the script
            // starts waits behind it (docs/scripting.md), so the scenario starts it without such a window.
            replies.add(call(caller, "EVAL", "return 1", "0"));
            final long sentNs = System.nanoTime();
            caller.send(multibulk("EVAL", "local i = 0 while true do i = i + 1 end", "0"));
            Thread.sleep(50); // the script is running; the threshold has not passed yet
            replies.add(call(other, "PING"));
            final long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNs);
            assertTrue(answeredMs >= 150, "answered once the script is past the threshold: " + answeredMs + " ms");
            replies.add(call(other, "GET", "k"));
            replies.add(call(other, "FUNCTION", "KILL"));
            replies.add(call(other, "EXEC"));
            replies.add(call(other, "SHUTDOWN"));
            replies.add(call(other, "CONFIG", "GET", "lua-time-limit"));
            replies.add(call(other, "SCRIPT", "KILL"));
            replies.add(caller.readLine());
            replies.add(call(other, "PING"));
            replies.add(call(other, "SCRIPT", "KILL"));
            replies.add(call(caller, "EXISTS", "k"));
        }
        return replies;
    }

    @Test
    void aScriptThatWroteIsUnkillableAndShutdownNosaveStillStopsTheServer() throws Exception
    {
        final List<String> expected;
        try (RedisServerProcess redis = RedisServerProcess.start("--busy-reply-threshold", THRESHOLD_MS))
        {
            expected = unkillableScenario(redis.port());
            assertThrows(ConnectException.class, () -> new RawConnection(redis.port()).close(), "redis has stopped");
        }
        assertEquals(expected,
            onRingkvProcess(ScriptBusyProcessTest::unkillableScenario, true, "--busy-reply-threshold", THRESHOLD_MS));
    }

    /** A scenario's replies, from a server on the given port. */
    private interface Scenario
    {
        List<String> run(int port) throws Exception;
    }

    /**
     * Runs the scenario against a ringkv process started with {@code options}.
     *
     * @param exits true when the scenario stops the server: it must then exit with status 0.
     */
    private static List<String> onRingkvProcess(final Scenario scenario, final boolean exits, final String... options)
        throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("--port", "0"));
        command.addAll(List.of(options));
        final Process process = LauncherProcessTest.start(command.toArray(new String[0]));
        try
        {
            final LinkedBlockingQueue<String> output = ServerProcesses.drain(process);
            final List<String> replies = scenario.run(ServerProcesses.awaitPort(process, output));
            if (exits)
            {
                assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server exits: " + String.join("\n", output));
                assertEquals(0, process.exitValue(), String.join("\n", output));
            }
            return replies;
        }
        finally
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> unkillableScenario(final int port) throws Exception
    {
        final List<String> replies = new ArrayList<>();
        try (RawConnection caller = new RawConnection(port); RawConnection other = new RawConnection(port))
        {
            replies.add(call(caller, "EVAL", "return 1", "0"));
            caller.send(multibulk("EVAL", "redis.call('SET', KEYS[1], 'v') while true do end", "1", "k"));
            Thread.sleep(100);
            replies.add(call(other, "SCRIPT", "KILL"));
            replies.add(call(other, "FUNCTION", "KILL"));
            replies.add(call(other, "GET", "k"));
            replies.add(call(other, "SHUTDOWN", "SAVE"));
            other.send(multibulk("SHUTDOWN", "NOSAVE"));
            replies.add("closed: " + other.closesWithin(20_000));
            // The script's own client is disconnected too (ringkv may first tell it the script was stopped).
            replies.add("caller closed: " + caller.closesWithin(20_000));
        }
        return replies;
    }

    private static String call(final RawConnection connection, final String... args) throws IOException
    {
        connection.send(multibulk(args));
        final String line = connection.readLine();
        if (line.startsWith("$") && !line.equals("$-1"))
        {
            return line + " " + connection.readLine();
        }
        if (line.startsWith("*"))
        {
            final StringBuilder all = new StringBuilder(line);
            for (int i = 0, n = Integer.parseInt(line.substring(1)); i < n; i++)
            {
                all.append(' ').append(call(connection));
            }
            return all.toString();
        }
        return line;
    }

    /** Reads the next reply (an element of an array). */
    private static String call(final RawConnection connection) throws IOException
    {
        final String line = connection.readLine();
        return line.startsWith("$") && !line.equals("$-1") ? line + " " + connection.readLine() : line;
    }
}
