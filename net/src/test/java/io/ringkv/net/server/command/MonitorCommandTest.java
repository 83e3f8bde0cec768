package io.ringkv.net.server.command;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MONITOR on a real ringkv against a real redis-server 7.0, byte for byte with the timestamps and client ports
 * masked: which commands are fed (executed ones and QUIT, not refused or admin ones), the database after the call, the
 * escaping of arguments, passwords redacted, a monitor's own commands (reply first, then its line; keyspace
 * commands refused), a second MONITOR answered with nothing, RESET leaving monitor mode; in RESP2 and RESP3.
 */
class MonitorCommandTest
{
    @AutoClose
    private static TestServer ringkv;
    @AutoClose
    private static RedisServerProcess redis;

    @BeforeAll
    static void start() throws IOException, InterruptedException
    {
        ringkv = TestServer.start();
        redis = RedisServerProcess.start();
    }

    @Test
    void monitorStreamMatchesRedis() throws IOException
    {
        for (final String protocol : new String[]{"2", "3"})
        {
            final String ours = session(ringkv.port(), protocol);
            final String theirs = session(redis.port(), protocol);
            assertEquals(theirs, ours, "RESP" + protocol);
            assertTrue(ours.contains("\"set\" \"k\\\"1\" \"a\\\\b\\r\\n\\t\\a\\b\\x00\\xc3\\xa9 ~\""), ours);
            assertTrue(ours.contains("\"AUTH\" \"(redacted)\" \"(redacted)\""), ours);
        }
    }

    @Test
    void jsonLinesConnectionCannotMonitor() throws IOException
    {
        try (Socket json = new Socket("127.0.0.1", ringkv.port()))
        {
            json.setSoTimeout(5_000);
            final BufferedReader in =
                new BufferedReader(new InputStreamReader(json.getInputStream(), StandardCharsets.UTF_8));
            json.getOutputStream().write("{\"cmd\":\"MONITOR\"}\n{\"cmd\":\"PING\"}\n".getBytes(StandardCharsets.UTF_8));
            final String line = in.readLine();
            assertTrue(line.contains("MONITOR needs a RESP connection"), line);
            assertTrue(in.readLine().contains("PONG"), "the connection goes on");
        }
    }

    private static String session(final int port, final String protocol) throws IOException
    {
        final StringBuilder out = new StringBuilder();
        try (RawRespClient monitor = new RawRespClient(port);
            RawRespClient client = new RawRespClient(port))
        {
            monitor.call("HELLO", protocol);
            out.append(monitor.call("MONITOR"));
            final String[][] requests = {
                {"set", "k\"1", "a\\b\r\n\t\u0007\b\u0000\u00c3\u00a9 ~"},
                {"GET", "k\"1"},
                {"SELECT", "3"},
                {"PING"},
                {"AUTH", "wrong"},
                {"AUTH", "user", "pass"},
                {"HELLO", "3", "AUTH", "default", "pw"},
                {"HELLO", "2"},
                {"CONFIG", "GET", "maxmemory"},
                {"FOOBAR", "x"},
                {"GET"},
                {"CLIENT", "ID"},
                {"CLIENT", "LIST"},
                {"CLIENT", "SETNAME", "named"},
                {"DBSIZE"},
                {"SELECT", "0"},
                {"DEL", "k\"1"},
                {"QUIT"},
            };
            final List<String> unused = new ArrayList<>();
            for (final String[] request : requests)
            {
                unused.add(client.call(request));
            }
            assertTrue(client.closedByServer(), "QUIT closes the client");
            for (int i = 0; i < 14; i++)
            {
                out.append(mask(monitor.read()));
            }
            // The monitor's own commands: its reply, then its line; a keyspace command refused; MONITOR again
            // answers nothing; RESET leaves monitor mode.
            out.append(monitor.call("PING", "me")).append(mask(monitor.read()));
            out.append(monitor.call("GET", "x"));
            monitor.send("MONITOR");
            out.append(monitor.call("ECHO", "after")).append(mask(monitor.read()));
            out.append(monitor.call("RESET"));
            out.append(monitor.call("PING"));
            assertTrue(monitor.silentFor(200), "no line after RESET");
        }
        return out.toString();
    }

    /** The time and the client's port differ from run to run. */
    private static String mask(final String line)
    {
        return line.replaceFirst("^\\+\\d+\\.\\d{6} \\[(\\d+) 127\\.0\\.0\\.1:\\d+\\]", "+T [$1 ADDR]");
    }
}
