package io.ringkv.net.server;

import io.ringkv.loadgen.LoadGeneratorMain;
import io.ringkv.loadgen.report.SummaryJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load generator against a real ringkv: a short, bounded closed-loop load (2 s, 4 connections, SET/GET/INCR),
 * whose summary and files must be complete and agree with the server's own counters: INFO commandstats, the
 * failures it counted, and the calls in LATENCY HISTOGRAM and INFO latencystats.
 */
class LoadgenEndToEndTest
{
    private static final Pattern CMDSTAT = Pattern.compile("cmdstat_(\\w+):calls=(\\d+),.*?failed_calls=(\\d+)");

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void summaryAndFilesAgreeWithTheServersCounters() throws Exception
    {
        try (TestServer server = TestServer.start())
        {
            final Path out = dir.resolve("ringkv");
            final ByteArrayOutputStream console = new ByteArrayOutputStream();
            final int status = LoadGeneratorMain.run(new String[]{"-p", Integer.toString(server.port()), "-c", "4",
                "-d", "2s", "--warmup", "0", "--keyspace", "1000", "--mix", "set=2,get=2,incr=1", "--out",
                out.toString()}, new PrintStream(console, true, StandardCharsets.UTF_8), System.err);
            final String text = console.toString(StandardCharsets.UTF_8);
            assertEquals(0, status, text);

            for (final String file : List.of("main.hgrm", "main-GET.hgrm", "main-SET.hgrm", "main-INCR.hgrm",
                "main.hlog", "summary.json", "chart.html"))
            {
                assertTrue(Files.size(out.resolve(file)) > 0, file + " is empty");
            }
            assertTrue(Files.readString(out.resolve("chart.html")).contains("<svg"), "chart has its SVG");
            assertTrue(Files.readString(out.resolve("main.hgrm")).contains("#[Max"), "hgrm has its footer");

            final Map<String, Object> summary = SummaryJson.read(out.resolve("summary.json"));
            final Map<String, Object> run = (Map<String, Object>)((List<Object>)summary.get("runs")).get(0);
            final Map<String, Object> sent = (Map<String, Object>)run.get("sentByCommand");
            final long requests = ((Number)run.get("requests")).longValue();
            assertTrue(requests > 1000, "a 2 s load answered only " + requests + " requests");

            try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
            {
                final String info = jedis.info("commandstats");
                final Map<String, long[]> stats = new HashMap<>();
                final Matcher matcher = CMDSTAT.matcher(info);
                while (matcher.find())
                {
                    stats.put(matcher.group(1).toUpperCase(Locale.ROOT),
                        new long[]{Long.parseLong(matcher.group(2)), Long.parseLong(matcher.group(3))});
                }
                long total = 0;
                for (final String command : List.of("SET", "GET", "INCR"))
                {
                    final long ours = ((Number)sent.get(command)).longValue();
                    assertEquals(ours, stats.get(command)[0], command + " calls; INFO said:\n" + info);
                    total += ours;
                    assertEquals(ours, latencyCalls(jedis, command), command + " calls in LATENCY HISTOGRAM");
                }
                assertEquals(requests, total, "every answered request is a server call, and no other");
                // INCR on a key SET to random bytes fails; every such failure is an error in the summary.
                final Map<String, Object> errors = (Map<String, Object>)run.get("errors");
                final long failedIncr = stats.get("INCR")[1];
                assertEquals(failedIncr, ((Number)errors.get("total")).longValue());

                final String latencystats = jedis.info("latencystats");
                for (final String command : List.of("set", "get", "incr"))
                {
                    assertTrue(latencystats.contains("latency_percentiles_usec_" + command + ":p50="), latencystats);
                    assertTrue(latencystats.contains("ringkv_service_percentiles_usec_" + command + ":p50="),
                        latencystats);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static long latencyCalls(final Jedis jedis, final String command)
    {
        final List<Object> reply = (List<Object>)jedis.sendCommand(
            () -> "LATENCY".getBytes(StandardCharsets.US_ASCII), "HISTOGRAM", command);
        final List<Object> fields = (List<Object>)reply.get(1);
        assertEquals("calls", new String((byte[])fields.get(0), StandardCharsets.UTF_8));
        return (Long)fields.get(1);
    }
}
