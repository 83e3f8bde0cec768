package io.ringkv.loadgen.report;

import io.ringkv.loadgen.run.LoadFailedException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws latency by percentile as a self-contained HTML page with inline SVG (no scripts, no fonts, no network):
 * the x axis counts nines like HdrHistogram's plotter (0%, 90%, 99%, 99.9% ... equally spaced), the y axis is
 * logarithmic. Every target of every summary given is a solid line; with a single summary each command is
 * also drawn, dashed. Below the chart, a table of the percentiles and, for a comparison, the ratio table.
 * The chart is made from summary documents, so a live run and {@code --chart} draw the same thing.
 * Stateless; any thread.
 */
public final class LatencyChart
{
    private static final String[] COLORS =
        {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"};
    private static final int WIDTH = 960;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 30;
    private static final int BOTTOM = 60;

    /**
     * One line of the chart.
     *
     * @param name   legend text.
     * @param points {@code [percentile, microseconds]} pairs.
     * @param dashed whether dashed (per-command lines).
     * @param stats  count, p50 ... max in microseconds, for the table.
     * @param throughput requests per second, or -1.
     */
    public record Series(String name, List<double[]> points, boolean dashed, Map<String, Object> stats,
        double throughput)
    {
    }

    private LatencyChart()
    {
    }

    /**
     * Writes the chart of some summaries.
     *
     * @param sources   a name for each summary (file name, or empty for a single live run).
     * @param documents the summaries, as {@link SummaryJson} builds or reads them.
     * @param file      where to write the HTML.
     */
    public static void write(final List<String> sources, final List<Map<String, Object>> documents, final Path file)
    {
        try
        {
            Files.writeString(file, html(sources, documents), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new LoadFailedException("cannot write " + file + ": " + ex.getMessage());
        }
    }

    /**
     * @return the series the summaries hold, in drawing order.
     */
    @SuppressWarnings("unchecked")
    public static List<Series> series(final List<String> sources, final List<Map<String, Object>> documents)
    {
        final List<Series> series = new ArrayList<>();
        for (int d = 0; d < documents.size(); d++)
        {
            final Map<String, Object> targets = (Map<String, Object>)documents.get(d).get("targets");
            if (targets == null)
            {
                continue;
            }
            final String prefix = sources.get(d).isEmpty() ? "" : sources.get(d) + " ";
            for (final Object value : targets.values())
            {
                final Map<String, Object> target = (Map<String, Object>)value;
                final Map<String, Object> curves = (Map<String, Object>)target.get("curve");
                final Map<String, Object> latency = (Map<String, Object>)target.get("latencyUs");
                final double throughput = ((Number)target.get("throughputOpsPerSec")).doubleValue();
                for (final Map.Entry<String, Object> curve : curves.entrySet())
                {
                    final boolean all = TargetSummary.ALL.equals(curve.getKey());
                    if (!all && (documents.size() > 1 || curves.size() <= 2))
                    {
                        // Overlays show one line per target; a single command's line would repeat ALL.
                        continue;
                    }
                    final List<double[]> points = new ArrayList<>();
                    for (final Object point : (List<Object>)curve.getValue())
                    {
                        final List<Object> pair = (List<Object>)point;
                        points.add(new double[] {((Number)pair.get(0)).doubleValue(),
                            ((Number)pair.get(1)).doubleValue()});
                    }
                    final Object hitRatio = target.get("hitRatio");
                    final String name = prefix + target.get("label") + (all ? "" : " " + curve.getKey())
                        + (all && hitRatio instanceof Number ratio ?
                        String.format(Locale.ROOT, " (hit ratio %.4f)", ratio.doubleValue()) : "");
                    series.add(new Series(name, points, !all, (Map<String, Object>)latency.get(curve.getKey()),
                        all ? throughput : -1));
                }
            }
        }
        return series;
    }

    /**
     * @return the whole HTML page.
     */
    @SuppressWarnings("unchecked")
    public static String html(final List<String> sources, final List<Map<String, Object>> documents)
    {
        final List<Series> series = series(sources, documents);
        final StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .append("<title>ringkv loadgen: latency by percentile</title>\n<style>")
            .append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}")
            .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}")
            .append("td:first-child,th:first-child{text-align:left}.note{color:#666;font-size:90%}</style></head>")
            .append("<body>\n<h2>Latency by percentile</h2>\n");
        if (documents.size() == 1)
        {
            final Map<String, Object> workload = (Map<String, Object>)documents.get(0).get("workload");
            if (workload != null)
            {
                html.append("<p class=\"note\">").append(escape(describe(workload))).append("</p>\n");
            }
        }
        svg(html, series);
        table(html, series);
        hitRatioPanel(html, sources, documents);
        for (int d = 0; d < documents.size(); d++)
        {
            final Map<String, Object> compare = (Map<String, Object>)documents.get(d).get("compare");
            if (compare != null)
            {
                ratioTable(html, sources.get(d), compare);
            }
        }
        html.append("<p class=\"note\">x axis: percentile, one step per nine (90%, 99%, 99.9% ...); "
            + "y axis: latency, logarithmic. Made by bin/ringkv loadgen.</p>\n</body></html>\n");
        return html.toString();
    }

    private static void svg(final StringBuilder html, final List<Series> series)
    {
        double maxNines = 1;
        double minUs = Double.MAX_VALUE;
        double maxUs = 0;
        for (final Series s : series)
        {
            for (final double[] p : s.points())
            {
                if (p[0] < 100)
                {
                    maxNines = Math.max(maxNines, nines(p[0]));
                }
                if (p[1] > 0)
                {
                    minUs = Math.min(minUs, p[1]);
                }
                maxUs = Math.max(maxUs, p[1]);
            }
        }
        maxNines = Math.min(7, Math.ceil(maxNines));
        if (maxUs == 0)
        {
            minUs = 1;
            maxUs = 10;
        }
        final double logMin = Math.floor(Math.log10(minUs));
        final double logMax = Math.max(logMin + 1, Math.ceil(Math.log10(maxUs)));
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int plotHeight = HEIGHT - TOP - BOTTOM;
        html.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
            WIDTH, HEIGHT + 22 * ((series.size() + 2) / 3), WIDTH, HEIGHT + 22 * ((series.size() + 2) / 3)));
        for (int n = 0; n <= maxNines; n++)
        {
            final double x = LEFT + plotWidth * n / maxNines;
            html.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                x, TOP, x, TOP + plotHeight, x, TOP + plotHeight + 18, percentileLabel(n)));
        }
        for (double decade = logMin; decade <= logMax; decade++)
        {
            for (final int step : new int[] {1, 2, 5})
            {
                final double value = Math.log10(step * Math.pow(10, decade));
                if (value > logMax + 1e-9)
                {
                    break;
                }
                final double y = TOP + plotHeight * (1 - (value - logMin) / (logMax - logMin));
                html.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>",
                    LEFT, y, LEFT + plotWidth, y, step == 1 ? "#ccc" : "#f0f0f0"));
                if (step == 1 || logMax - logMin <= 2)
                {
                    html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                        LEFT - 6, y + 4, latencyLabel(step * Math.pow(10, decade))));
                }
                html.append('\n');
            }
        }
        html.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n"
            + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>\n"
            + "<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">latency</text>\n",
            LEFT, TOP, plotWidth, plotHeight, LEFT + plotWidth / 2, TOP + plotHeight + 40, TOP + plotHeight / 2));
        for (int i = 0; i < series.size(); i++)
        {
            final Series s = series.get(i);
            final String color = COLORS[i % COLORS.length];
            html.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"")
                .append(s.dashed() ? "1.5\" stroke-dasharray=\"6 4\"" : "2.5\"").append(" points=\"");
            for (final double[] p : s.points())
            {
                final double x = LEFT + plotWidth * Math.min(maxNines, p[0] >= 100 ? maxNines : nines(p[0])) / maxNines;
                final double v = Math.log10(Math.max(p[1], Math.pow(10, logMin)));
                final double y = TOP + plotHeight * (1 - (v - logMin) / (logMax - logMin));
                html.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            html.append("\"><title>").append(escape(s.name())).append("</title></polyline>\n");
            final int lx = LEFT + (i % 3) * (plotWidth / 3);
            final int ly = HEIGHT + 4 + (i / 3) * 22;
            html.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"%s/>"
                + "<text x=\"%d\" y=\"%d\">%s</text>\n",
                lx, ly, lx + 28, ly, color, s.dashed() ? " stroke-dasharray=\"6 4\"" : "", lx + 34, ly + 4,
                escape(s.name())));
        }
        html.append("</svg>\n");
    }

    /**
     * Cache-aside: the hit ratio of each progress interval, one line per target and round (later rounds thinner),
     * on a linear 0-1 axis, so a moving hot set or a scan shows as a dip and its recovery.
     */
    @SuppressWarnings("unchecked")
    private static void hitRatioPanel(
        final StringBuilder html, final List<String> sources, final List<Map<String, Object>> documents)
    {
        final List<String> names = new ArrayList<>();
        final List<List<List<Object>>> lines = new ArrayList<>();
        int maxIntervals = 1;
        double lowest = 1;
        for (int d = 0; d < documents.size(); d++)
        {
            final Map<String, Object> targets = (Map<String, Object>)documents.get(d).get("targets");
            if (targets == null)
            {
                continue;
            }
            for (final Object value : targets.values())
            {
                final Map<String, Object> target = (Map<String, Object>)value;
                if (target.get("hitRatioByInterval") instanceof List<?> rounds)
                {
                    names.add((sources.get(d).isEmpty() ? "" : sources.get(d) + " ") + target.get("label"));
                    lines.add((List<List<Object>>)rounds);
                    for (final Object round : rounds)
                    {
                        maxIntervals = Math.max(maxIntervals, ((List<Object>)round).size());
                        for (final Object ratio : (List<Object>)round)
                        {
                            if (ratio instanceof Number number)
                            {
                                lowest = Math.min(lowest, number.doubleValue());
                            }
                        }
                    }
                }
            }
        }
        if (names.isEmpty())
        {
            return;
        }
        final int height = 260;
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int plotHeight = height - TOP - 40;
        final int totalHeight = height + 22 * names.size();
        // The axis starts at the tenth below the lowest ratio: a few points' difference must be visible.
        final int bottomTenth = (int)Math.max(0, Math.min(9, Math.floor(lowest * 10)));
        final double bottom = bottomTenth / 10.0;
        html.append("<h2>Hit ratio per second</h2>\n").append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
            WIDTH, totalHeight, WIDTH, totalHeight));
        for (int tick = bottomTenth; tick <= 10; tick += 10 - bottomTenth > 5 ? 2 : 1)
        {
            final double y = TOP + plotHeight * (10 - tick) / (10.0 - bottomTenth);
            html.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n",
                LEFT, y, LEFT + plotWidth, y, LEFT - 6, y + 4, tick / 10.0));
        }
        html.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n"
            + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds measured (%d)</text>\n",
            LEFT, TOP, plotWidth, plotHeight, LEFT + plotWidth / 2, TOP + plotHeight + 24, maxIntervals));
        for (int t = 0; t < names.size(); t++)
        {
            final String color = COLORS[t % COLORS.length];
            for (int r = 0; r < lines.get(t).size(); r++)
            {
                html.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"")
                    .append(r == 0 ? "2.5" : "1").append("\" points=\"");
                final List<Object> ratios = lines.get(t).get(r);
                for (int i = 0; i < ratios.size(); i++)
                {
                    if (ratios.get(i) instanceof Number ratio)
                    {
                        html.append(String.format(Locale.ROOT, "%.1f,%.1f ",
                            LEFT + plotWidth * (i + 1.0) / maxIntervals,
                            TOP + plotHeight * (1 - (Math.max(bottom, Math.min(1, ratio.doubleValue())) - bottom)
                                / (1 - bottom))));
                    }
                }
                html.append("\"><title>").append(escape(names.get(t) + " round " + (r + 1)))
                    .append("</title></polyline>\n");
            }
            final int ly = height + 4 + t * 22;
            html.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"/>"
                + "<text x=\"%d\" y=\"%d\">%s</text>\n", LEFT, ly, LEFT + 28, ly, color, LEFT + 34, ly + 4,
                escape(names.get(t) + " (round 1 thick, later rounds thin)")));
        }
        html.append("</svg>\n");
    }

    private static void table(final StringBuilder html, final List<Series> series)
    {
        html.append("<table><tr><th>series</th><th>ops/s</th><th>count</th>");
        for (final String stat : LatencyStats.STAT_NAMES)
        {
            html.append("<th>").append(stat).append(" (ms)</th>");
        }
        html.append("</tr>\n");
        for (final Series s : series)
        {
            html.append("<tr><td>").append(escape(s.name())).append("</td><td>")
                .append(s.throughput() < 0 ? "" : String.format(Locale.ROOT, "%,.0f", s.throughput()))
                .append("</td><td>").append(s.stats() == null ? "" : s.stats().get("count")).append("</td>");
            for (final String stat : LatencyStats.STAT_NAMES)
            {
                final Object value = s.stats() == null ? null : s.stats().get(stat);
                html.append("<td>").append(value == null ? "" :
                    String.format(Locale.ROOT, "%.3f", ((Number)value).doubleValue() / 1000)).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
    }

    @SuppressWarnings("unchecked")
    private static void ratioTable(final StringBuilder html, final String source, final Map<String, Object> compare)
    {
        html.append("<h3>").append(escape((source.isEmpty() ? "" : source + ": ") + compare.get("main") + " / "
            + compare.get("compare"))).append(" (medians over rounds)</h3>\n<table><tr><th></th><th>ops/s</th>");
        final Map<String, Object> all = (Map<String, Object>)((Map<String, Object>)compare.get("ratios"))
            .get(TargetSummary.ALL);
        final boolean hitRatio = all != null && all.containsKey("hitRatio");
        if (hitRatio)
        {
            html.append("<th>hit ratio</th>");
        }
        for (final String stat : LatencyStats.STAT_NAMES)
        {
            html.append("<th>").append(stat).append("</th>");
        }
        html.append("</tr>\n");
        for (final Map.Entry<String, Object> row : ((Map<String, Object>)compare.get("ratios")).entrySet())
        {
            final Map<String, Object> ratios = (Map<String, Object>)row.getValue();
            html.append("<tr><td>").append(escape(row.getKey())).append("</td>");
            for (final String name : List.of("throughput", "hitRatio", "p50", "p90", "p99", "p99.9", "p99.99", "max"))
            {
                if (!hitRatio && "hitRatio".equals(name))
                {
                    continue;
                }
                final Object value = ratios.get(name);
                html.append("<td>").append(value == null ? "" :
                    String.format(Locale.ROOT, "%.3f", ((Number)value).doubleValue())).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n<p class=\"note\">ratio = ").append(escape(String.valueOf(compare.get("main"))))
            .append('/').append(escape(String.valueOf(compare.get("compare"))))
            .append(": throughput and hit ratio above 1 and latency below 1 favour the first.</p>\n");
    }

    private static String describe(final Map<String, Object> w)
    {
        final StringBuilder text = new StringBuilder();
        for (final Map.Entry<String, Object> entry : w.entrySet())
        {
            if (text.length() > 0)
            {
                text.append(", ");
            }
            text.append(entry.getKey()).append(' ').append(entry.getValue());
        }
        return text.toString();
    }

    private static double nines(final double percentile)
    {
        return -Math.log10(1 - percentile / 100);
    }

    private static String percentileLabel(final int nines)
    {
        return switch (nines)
        {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            default -> "99." + "9".repeat(nines - 2) + "%";
        };
    }

    private static String latencyLabel(final double micros)
    {
        if (micros >= 1_000_000)
        {
            return trim(micros / 1_000_000) + " s";
        }
        if (micros >= 1000)
        {
            return trim(micros / 1000) + " ms";
        }
        return trim(micros) + " µs";
    }

    private static String trim(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
