package io.ringkv.loadgen;

import io.ringkv.loadgen.report.SummaryJson;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogProcessor;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole invocations through {@link LoadGeneratorMain}: the files a run writes read back with HdrHistogram's
 * own readers and DSL-JSON, and agree with each other and with the server's request count.
 */
class LoadSessionTest
{
    private static final Pattern TOTAL_COUNT = Pattern.compile("Total count\\s*=\\s*(\\d+)");

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void filesParseBackAndAgree() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(200_000))
        {
            final Path out = dir.resolve("run");
            final Invocation run = invoke("-p", Integer.toString(server.port()), "-c", "2", "-d", "1.5s",
                "--warmup", "0", "--mix", "set=1,get=1", "--out", out.toString());
            assertEquals(0, run.status, run.err);
            assertTrue(run.out.contains("[main    1.0s]"), run.out);
            assertTrue(run.out.contains("== main 127.0.0.1:" + server.port()), run.out);

            final Map<String, Object> summary = SummaryJson.read(out.resolve("summary.json"));
            final Map<String, Object> firstRun = (Map<String, Object>)((List<Object>)summary.get("runs")).get(0);
            final long requests = number(firstRun.get("requests"));
            final Map<String, Object> sent = (Map<String, Object>)firstRun.get("sentByCommand");
            assertEquals(server.requests(), number(sent.get("GET")) + number(sent.get("SET")));
            assertEquals(server.requests(), requests);
            assertEquals(0, number(((Map<String, Object>)firstRun.get("errors")).get("total")));
            final Map<String, Object> latency = (Map<String, Object>)firstRun.get("latencyUs");
            final long gets = number(((Map<String, Object>)latency.get("GET")).get("count"));
            assertEquals(requests, gets + number(((Map<String, Object>)latency.get("SET")).get("count")));
            final Map<String, Object> main =
                (Map<String, Object>)((Map<String, Object>)summary.get("targets")).get("main");
            final List<Object> curve = (List<Object>)((Map<String, Object>)main.get("curve")).get("ALL");
            assertTrue(curve.size() > 10, "curve " + curve);

            // The interval log: untagged intervals add up to the run, tagged ones to each command.
            long untagged = 0;
            long taggedGet = 0;
            int intervals = 0;
            final HistogramLogReader reader = new HistogramLogReader(out.resolve("main.hlog").toFile());
            EncodableHistogram interval;
            while ((interval = reader.nextIntervalHistogram()) != null)
            {
                final long count = ((org.HdrHistogram.Histogram)interval).getTotalCount();
                if (interval.getTag() == null)
                {
                    untagged += count;
                    intervals++;
                }
                else if ("GET".equals(interval.getTag()))
                {
                    taggedGet += count;
                }
            }
            assertEquals(requests, untagged);
            assertEquals(gets, taggedGet);
            assertTrue(intervals >= 2, "intervals " + intervals);

            // HdrHistogram's own log processor turns the log into a percentile file with the same total.
            final Path processed = dir.resolve("processed");
            new HistogramLogProcessor(new String[] {"-i", out.resolve("main.hlog").toString(), "-o",
                processed.toString()}).run();
            assertEquals(requests, totalCount(Path.of(processed + ".hgrm")));

            // Our .hgrm: HdrHistogram's percentile table, in microseconds.
            final Path hgrm = out.resolve("main.hgrm");
            assertEquals(requests, totalCount(hgrm));
            final List<double[]> rows = hgrmRows(hgrm);
            assertTrue(rows.size() > 10);
            for (int i = 1; i < rows.size(); i++)
            {
                assertTrue(rows.get(i)[0] >= rows.get(i - 1)[0] && rows.get(i)[1] >= rows.get(i - 1)[1]);
            }
            final double p50 = number(((Map<String, Object>)latency.get("ALL")).get("p50"));
            final double hgrmP50 = rows.stream().filter(r -> r[1] >= 0.5).findFirst().orElseThrow()[0];
            assertEquals(p50, hgrmP50, p50 * 0.01 + 0.01);
            assertTrue(p50 >= 200, "p50 " + p50 + " us below the injected 200 us");
            assertEquals(gets, totalCount(out.resolve("main-GET.hgrm")));

            final String html = Files.readString(out.resolve("chart.html"));
            assertTrue(html.contains("<svg") && html.contains("<polyline"), html);
            for (final String series : List.of(">main<", ">main GET<", ">main SET<"))
            {
                assertTrue(html.contains(series), series);
            }
            for (final String tick : List.of(">0%<", ">90%<", ">99%<", ">99.9%<"))
            {
                assertTrue(html.contains(tick), "x axis tick " + tick);
            }
            assertFalse(html.contains("<script"), "scripts");
            assertFalse(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").contains("http"), "external links");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void compareThenOverlayChart() throws Exception
    {
        try (FakeRespServer fast = new FakeRespServer(0); FakeRespServer slow = new FakeRespServer(3_000_000))
        {
            final Path out = dir.resolve("ab");
            final Invocation ab = invoke("-p", Integer.toString(fast.port()), "--compare",
                "127.0.0.1:" + slow.port(), "--label", "fast", "--compare-label", "slow", "--rounds", "2", "-c", "2",
                "-d", "300ms", "--warmup", "100ms", "--no-progress", "--out", out.toString());
            assertEquals(0, ab.status, ab.err);
            assertTrue(ab.out.contains("comparison, medians over 2 round(s): fast"), ab.out);
            for (final String file : List.of("fast-round1.hlog", "fast-round2.hlog", "slow-round1.hlog",
                "slow-round2.hlog", "fast.hgrm", "slow.hgrm", "summary.json", "chart.html"))
            {
                assertTrue(Files.isRegularFile(out.resolve(file)), file);
            }
            final Map<String, Object> summary = SummaryJson.read(out.resolve("summary.json"));
            assertEquals(4, ((List<Object>)summary.get("runs")).size());
            final Map<String, Object> ratios = (Map<String, Object>)((Map<String, Object>)
                ((Map<String, Object>)summary.get("compare")).get("ratios")).get("ALL");
            assertTrue(number(ratios.get("p50")) < 0.5, "p50 ratio " + ratios);
            assertTrue(number(ratios.get("throughput")) > 2, "throughput ratio " + ratios);
            final String html = Files.readString(out.resolve("chart.html"));
            assertTrue(html.contains("fast / slow") && html.contains(">fast<") && html.contains(">slow<"));

            final Path single = dir.resolve("single");
            assertEquals(0, invoke("-p", Integer.toString(slow.port()), "-c", "1", "-n", "200", "--warmup", "0",
                "--label", "solo", "--no-progress", "--out", single.toString()).status);
            final Path charts = dir.resolve("charts");
            final Invocation chart = invoke("--out", charts.toString(), "--chart",
                out.resolve("summary.json").toString(), single.resolve("summary.json").toString());
            assertEquals(0, chart.status, chart.err);
            final String overlay = Files.readString(charts.resolve("chart.html"));
            for (final String series :
                List.of("ab/summary.json fast", "ab/summary.json slow", "single/summary.json solo"))
            {
                assertTrue(overlay.contains(series), series);
            }
            final Invocation missing =
                invoke("--out", charts.toString(), "--chart", dir.resolve("nope.json").toString());
            assertEquals(1, missing.status);
            assertTrue(missing.err.contains("--chart: no such file"), missing.err);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void cacheAsideComparisonReportsHitRatiosAndTheirRatioEverywhere() throws Exception
    {
        try (FakeRespServer better = new FakeRespServer(0); FakeRespServer worse = new FakeRespServer(0))
        {
            // Closed loop, batches of 4 GETs per connection: exactly one miss per batch (0.75), or two (0.5).
            better.missEvery(4);
            worse.missEvery(2);
            final Path out = dir.resolve("cache");
            final Invocation ab = invoke("-p", Integer.toString(better.port()), "--compare",
                "127.0.0.1:" + worse.port(), "--label", "better", "--compare-label", "worse", "--rounds", "2",
                "-c", "2", "-P", "4", "-d", "1.2s", "--warmup", "0", "--cache-aside", "--out", out.toString());
            assertEquals(0, ab.status, ab.err);
            assertTrue(Pattern.compile("\\[better +1\\.0s].*errors 0  hit ratio 0\\.7\\d{3}").matcher(ab.out).find(),
                ab.out);
            assertTrue(ab.out.contains("hit ratio 0.7500"), ab.out);
            assertTrue(Pattern.compile("ALL +hit ratio +0\\.7500 +0\\.5000 +1\\.500").matcher(ab.out).find(), ab.out);
            assertEquals(0, better.otherSets());
            assertEquals(0, worse.otherSets());
            assertEquals(better.getMisses(), better.setsOfMissedKeys());
            assertEquals(worse.getMisses(), worse.setsOfMissedKeys());

            final Map<String, Object> summary = SummaryJson.read(out.resolve("summary.json"));
            assertEquals(true, ((Map<String, Object>)summary.get("workload")).get("cacheAside"));
            final Map<String, Object> ratios = (Map<String, Object>)((Map<String, Object>)
                ((Map<String, Object>)summary.get("compare")).get("ratios")).get("ALL");
            assertEquals(1.5, ((Number)ratios.get("hitRatio")).doubleValue(), 1e-9);
            final Map<String, Object> targets = (Map<String, Object>)summary.get("targets");
            final Map<String, Object> worseTarget = (Map<String, Object>)targets.get("worse");
            assertEquals(0.5, ((Number)worseTarget.get("hitRatio")).doubleValue(), 1e-9);
            final List<Object> byRound = (List<Object>)worseTarget.get("hitRatioByInterval");
            assertEquals(2, byRound.size());
            for (final Object round : byRound)
            {
                final double first = ((Number)((List<Object>)round).get(0)).doubleValue();
                assertEquals(0.5, first, 0.01, "the first second's ratio of round " + round);
            }
            long gets = 0;
            for (final Object value : (List<Object>)summary.get("runs"))
            {
                final Map<String, Object> run = (Map<String, Object>)value;
                final Map<String, Object> cache = (Map<String, Object>)run.get("cacheAside");
                gets += number(cache.get("gets"));
                assertEquals(number(cache.get("misses")), number(((Map<String, Object>)run.get("sentByCommand"))
                    .get("SET")));
            }
            assertEquals(better.gets() + worse.gets(), gets);

            final String html = Files.readString(out.resolve("chart.html"));
            for (final String expected : List.of("Hit ratio per second", "better (hit ratio 0.7500)",
                "worse (hit ratio 0.5000)", "<th>hit ratio</th>", "better round 2"))
            {
                assertTrue(html.contains(expected), expected);
            }
        }
    }

    @Test
    void aLostServerStillGetsASummaryAndExitStatusOne() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(0))
        {
            server.closeAfter(20);
            final Path out = dir.resolve("lost");
            final Invocation run = invoke("-p", Integer.toString(server.port()), "-c", "2", "-d", "20s",
                "--warmup", "0", "--no-progress", "--out", out.toString());
            assertEquals(1, run.status);
            assertTrue(run.out.contains("connections lost: 2"), run.out);
            assertTrue(run.out.contains("CONNECTION"), run.out);
            assertFalse((run.out + run.err).contains("Exception"), run.out + run.err);
            assertTrue(Files.isRegularFile(out.resolve("summary.json")));
        }
    }

    private static long totalCount(final Path hgrm) throws IOException
    {
        final Matcher matcher = TOTAL_COUNT.matcher(Files.readString(hgrm));
        assertTrue(matcher.find(), "no total count in " + hgrm);
        return Long.parseLong(matcher.group(1));
    }

    private static List<double[]> hgrmRows(final Path hgrm) throws IOException
    {
        final List<double[]> rows = new ArrayList<>();
        for (final String line : Files.readAllLines(hgrm))
        {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length >= 3 && !line.startsWith("#") && Character.isDigit(fields[0].charAt(0)))
            {
                rows.add(new double[] {Double.parseDouble(fields[0]), Double.parseDouble(fields[1])});
            }
        }
        return rows;
    }

    private static long number(final Object value)
    {
        return ((Number)value).longValue();
    }

    private record Invocation(int status, String out, String err)
    {
    }

    private static Invocation invoke(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = LoadGeneratorMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Invocation(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
