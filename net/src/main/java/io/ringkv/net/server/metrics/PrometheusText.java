package io.ringkv.net.server.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the text of {@code INFO everything} into Prometheus's text exposition format (version 0.0.4): INFO is
 * the one place the engine already reports everything, read consistently on the engine thread, so the metrics are
 * the INFO fields under Prometheus names, with units converted to seconds and bytes.
 * <pre>
 *   ringkv_commands_total{cmd="get"} 1200                     cmdstat_get: calls
 *   ringkv_command_latency_seconds{cmd="get",quantile="0.99"}  latency_percentiles_usec_get: p99 (engine time)
 *   ringkv_command_service_seconds{cmd="get",quantile="0.99"}  ringkv_service_percentiles_usec_get (parse to flush)
 *   ringkv_keys{db="0"} 42                                     db0: keys
 * </pre>
 * Stateless; any thread.
 */
final class PrometheusText
{
    /** Plain INFO fields exported as they are: INFO name, metric name, type, help. */
    private static final String[][] FIELDS = {
        {"uptime_in_seconds", "ringkv_uptime_seconds", "gauge", "Seconds since the server started."},
        {"connected_clients", "ringkv_connected_clients", "gauge", "Client connections open now."},
        {"maxclients", "ringkv_max_clients", "gauge", "Most client connections accepted."},
        {"total_connections_received", "ringkv_connections_received_total", "counter", "Connections accepted."},
        {"rejected_connections", "ringkv_rejected_connections_total", "counter", "Connections refused (maxclients)."},
        {"total_commands_processed", "ringkv_commands_processed_total", "counter", "Commands executed."},
        {"total_error_replies", "ringkv_error_replies_total", "counter", "Error replies sent."},
        {"keyspace_hits", "ringkv_keyspace_hits_total", "counter", "Key lookups of read commands that found the key."},
        {"keyspace_misses", "ringkv_keyspace_misses_total", "counter", "Key lookups of read commands that missed."},
        {"expired_keys", "ringkv_expired_keys_total", "counter", "Keys removed because their TTL passed."},
        {"used_memory", "ringkv_memory_used_bytes", "gauge", "Memory used for data, tables and expiry index."},
        {"used_memory_rss", "ringkv_memory_resident_bytes", "gauge", "Resident memory of the whole process (VmRSS)."},
        {"maxmemory", "ringkv_memory_max_bytes", "gauge", "Memory budget for data; 0 means none."},
        {"ringkv_key_value_bytes", "ringkv_memory_key_value_bytes", "gauge", "Bytes of keys and values."},
        {"ringkv_overhead_bytes_per_key", "ringkv_memory_overhead_per_key_bytes", "gauge",
            "Memory beyond key and value bytes, per key."},
        {"ringkv_jvm_heap_used", "ringkv_jvm_heap_used_bytes", "gauge", "JVM heap in use."},
        {"ringkv_jvm_heap_committed", "ringkv_jvm_heap_committed_bytes", "gauge", "JVM heap taken from the system."},
        {"ringkv_jvm_direct_bytes", "ringkv_jvm_direct_bytes", "gauge", "Direct buffers (connections, replication)."},
        {"master_repl_offset", "ringkv_replication_offset", "gauge", "Change records applied (replication offset)."},
    };

    private PrometheusText()
    {
    }

    /**
     * @param info the text of INFO everything.
     * @return the metrics, one family after another, ending with a newline.
     */
    static String fromInfo(final String info)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String line : info.split("\r?\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#"))
            {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        final StringBuilder out = new StringBuilder(4096);
        for (final String[] field : FIELDS)
        {
            final String value = fields.get(field[0]);
            if (null != value)
            {
                family(out, field[1], field[2], field[3]);
                out.append(field[1]).append(' ').append(value).append('\n');
            }
        }
        keyspace(out, fields);
        commands(out, fields);
        percentiles(out, fields, "latency_percentiles_usec_", "ringkv_command_latency_seconds", "summary",
            "Command execution time on the engine thread.");
        percentiles(out, fields, "ringkv_service_percentiles_usec_", "ringkv_command_service_seconds", "gauge",
            "Command service time from the parsed request to the flushed reply, by quantile.");
        return out.toString();
    }

    private static void keyspace(final StringBuilder out, final Map<String, String> fields)
    {
        final List<String> keys = new ArrayList<>();
        final List<String> expires = new ArrayList<>();
        for (final Map.Entry<String, String> field : fields.entrySet())
        {
            if (field.getKey().matches("db\\d+"))
            {
                final Map<String, String> values = pairs(field.getValue());
                final String db = field.getKey().substring(2);
                keys.add("ringkv_keys{db=\"" + db + "\"} " + values.get("keys"));
                expires.add("ringkv_expiring_keys{db=\"" + db + "\"} " + values.get("expires"));
            }
        }
        family(out, "ringkv_keys", "gauge", "Keys per database (databases without keys are left out).");
        lines(out, keys);
        family(out, "ringkv_expiring_keys", "gauge", "Keys with a TTL per database.");
        lines(out, expires);
    }

    private static void commands(final StringBuilder out, final Map<String, String> fields)
    {
        final List<String> calls = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
        final List<String> rejected = new ArrayList<>();
        final List<String> seconds = new ArrayList<>();
        for (final Map.Entry<String, String> field : fields.entrySet())
        {
            if (field.getKey().startsWith("cmdstat_"))
            {
                final String label = "{cmd=\"" + escape(field.getKey().substring("cmdstat_".length())) + "\"} ";
                final Map<String, String> values = pairs(field.getValue());
                calls.add("ringkv_commands_total" + label + values.get("calls"));
                failed.add("ringkv_command_failed_calls_total" + label + values.get("failed_calls"));
                rejected.add("ringkv_command_rejected_calls_total" + label + values.get("rejected_calls"));
                seconds.add("ringkv_command_seconds_total" + label + seconds(values.get("usec")));
            }
        }
        family(out, "ringkv_commands_total", "counter", "Calls executed, per command.");
        lines(out, calls);
        family(out, "ringkv_command_failed_calls_total", "counter", "Executed calls that replied with an error.");
        lines(out, failed);
        family(out, "ringkv_command_rejected_calls_total", "counter", "Calls refused before execution.");
        lines(out, rejected);
        family(out, "ringkv_command_seconds_total", "counter", "Time spent executing, per command.");
        lines(out, seconds);
    }

    private static void percentiles(
        final StringBuilder out, final Map<String, String> fields, final String prefix, final String metric,
        final String type, final String help)
    {
        family(out, metric, type, help);
        for (final Map.Entry<String, String> field : fields.entrySet())
        {
            if (!field.getKey().startsWith(prefix) || field.getValue().isEmpty())
            {
                continue;
            }
            final String command = escape(field.getKey().substring(prefix.length()));
            for (final Map.Entry<String, String> percentile : pairs(field.getValue()).entrySet())
            {
                final double quantile = Double.parseDouble(percentile.getKey().substring(1)) / 100.0;
                out.append(metric).append("{cmd=\"").append(command).append("\",quantile=\"")
                    .append(trim(quantile)).append("\"} ").append(seconds(percentile.getValue())).append('\n');
            }
            final String stats = fields.get("cmdstat_" + field.getKey().substring(prefix.length()));
            if ("summary".equals(type) && null != stats)
            {
                // Calls and total time from commandstats (CONFIG RESETSTAT clears both, LATENCY RESET the quantiles).
                final Map<String, String> values = pairs(stats);
                out.append(metric).append("_sum{cmd=\"").append(command).append("\"} ")
                    .append(seconds(values.get("usec"))).append('\n');
                out.append(metric).append("_count{cmd=\"").append(command).append("\"} ")
                    .append(values.get("calls")).append('\n');
            }
        }
    }

    private static void family(final StringBuilder out, final String name, final String type, final String help)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void lines(final StringBuilder out, final List<String> lines)
    {
        for (final String line : lines)
        {
            out.append(line).append('\n');
        }
    }

    /** INFO's "a=1,b=2" values. */
    private static Map<String, String> pairs(final String value)
    {
        final Map<String, String> pairs = new LinkedHashMap<>();
        for (final String pair : value.split(","))
        {
            final int equals = pair.indexOf('=');
            if (equals > 0)
            {
                pairs.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
        }
        return pairs;
    }

    private static String seconds(final String microseconds)
    {
        return trim(Double.parseDouble(microseconds) / 1e6);
    }

    private static String trim(final double value)
    {
        final String text = String.format(Locale.ROOT, "%.9f", value);
        int end = text.length();
        while (text.charAt(end - 1) == '0')
        {
            end--;
        }
        return text.charAt(end - 1) == '.' ? text.substring(0, end - 1) : text.substring(0, end);
    }

    private static String escape(final String label)
    {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
