package io.ringkv.net.server.command;

import io.ringkv.core.command.LatencyMonitor;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The texts of LATENCY GRAPH and LATENCY DOCTOR, laid out as Redis 7.0 lays them out: GRAPH's header line, an
 * 80-column rule and a 4-row ASCII sparkline of the event's samples labelled with their age; DOCTOR's per-event
 * statistics (samples, average, mean deviation, period, worst) and the advice that applies to ringkv (there is no
 * fork, AOF or disk in ringkv, so Redis's advice about them never appears; Redis's transparent-huge-pages check is
 * not made either).
 * <p>
 * Stateless; the engine thread calls it while LATENCY runs.
 */
final class LatencyEventReport
{
    /** Redis's LATENCY_GRAPH_COLS. */
    private static final int COLUMNS = 80;
    private static final int ROWS = 4;
    private static final String CHARSET_FILL = "_o#";

    private LatencyEventReport()
    {
    }

    /**
     * @param event  the event class as asked.
     * @param series its samples.
     * @param nowSec current unix time.
     * @return LATENCY GRAPH's text.
     */
    static String graph(final String event, final LatencyMonitor.Series series, final long nowSec)
    {
        final List<long[]> samples = series.samples();
        long min = 0;
        long max = 0;
        final double[] values = new double[samples.size()];
        final String[] labels = new String[samples.size()];
        for (int i = 0; i < samples.size(); i++)
        {
            final long latency = samples.get(i)[1];
            if (i == 0)
            {
                min = latency;
                max = latency;
            }
            else
            {
                max = Math.max(max, latency);
                min = Math.min(min, latency);
            }
            values[i] = latency;
            labels[i] = age(nowSec - samples.get(i)[0]);
        }
        final StringBuilder graph = new StringBuilder(1024);
        graph.append(event).append(" - high ").append(max).append(" ms, low ").append(min)
            .append(" ms (all time high ").append(series.maxMs()).append(" ms)\n");
        graph.append("-".repeat(COLUMNS)).append('\n');
        for (int start = 0; start < values.length; start += COLUMNS)
        {
            if (start != 0)
            {
                graph.append('\n');
            }
            renderRange(graph, values, labels, start, Math.min(COLUMNS, values.length - start));
        }
        return graph.toString();
    }

    private static String age(final long elapsedSec)
    {
        if (elapsedSec < 60)
        {
            return elapsedSec + "s";
        }
        if (elapsedSec < 3600)
        {
            return elapsedSec / 60 + "m";
        }
        if (elapsedSec < 3600 * 24)
        {
            return elapsedSec / 3600 + "h";
        }
        return elapsedSec / (3600 * 24) + "d";
    }

    /**
     * A filled sparkline of {@code length} samples from {@code offset}: {@link #ROWS} rows of three levels each,
     * then one blank row and the labels written downwards, one character per row.
     */
    private static void renderRange(
        final StringBuilder out, final double[] values, final String[] labels, final int offset, final int length)
    {
        double seqMin = values[0];
        double seqMax = values[0];
        for (final double value : values)
        {
            seqMin = Math.min(seqMin, value);
            seqMax = Math.max(seqMax, value);
        }
        double relMax = seqMax - seqMin;
        if (relMax == 0)
        {
            relMax = 1;
        }
        final int levels = CHARSET_FILL.length();
        final int steps = levels * ROWS;
        final char[] chars = new char[length];
        int row = 0;
        boolean more = true;
        while (more)
        {
            more = false;
            java.util.Arrays.fill(chars, ' ');
            for (int j = 0; j < length; j++)
            {
                final double relValue = values[j + offset] - seqMin;
                int step = (int)((int)(relValue * steps) / relMax);
                step = Math.max(0, Math.min(steps - 1, step));
                if (row < ROWS)
                {
                    final int level = step - (ROWS - row - 1) * levels;
                    more = true;
                    if (level >= 0 && level < levels)
                    {
                        chars[j] = CHARSET_FILL.charAt(level);
                    }
                    else if (level >= levels)
                    {
                        chars[j] = '|';
                    }
                }
                else
                {
                    if (row - ROWS < 1)
                    {
                        more = true;
                        break;
                    }
                    final String label = labels[j + offset];
                    final int labelChar = row - ROWS - 1;
                    if (label.length() > labelChar)
                    {
                        more = true;
                        chars[j] = label.charAt(labelChar);
                    }
                }
            }
            if (more)
            {
                row++;
                out.append(chars).append('\n');
            }
        }
    }

    /**
     * @param monitor       the latency monitor.
     * @param slowerThanUs  slowlog-log-slower-than.
     * @param hz            the server's hz.
     * @param nowSec        current unix time.
     * @return LATENCY DOCTOR's text.
     */
    static String doctor(final LatencyMonitor monitor, final long slowerThanUs, final long hz, final long nowSec)
    {
        if (monitor.events().isEmpty() && !monitor.enabled())
        {
            return LatencyCommands.DOCTOR_DISABLED;
        }
        final StringBuilder report = new StringBuilder(1024);
        boolean slowlogEnable = false;
        boolean slowlogTuning = false;
        boolean slowlogInspect = false;
        boolean scheduler = false;
        boolean hzAdvice = false;
        boolean largeObjects = false;
        boolean massEviction = false;
        boolean ringFull = false;
        boolean snapshot = false;
        int advices = 0;
        int eventNumber = 0;
        for (final Map.Entry<String, LatencyMonitor.Series> entry : monitor.events().entrySet())
        {
            final String event = entry.getKey();
            final List<long[]> samples = entry.getValue().samples();
            eventNumber++;
            if (eventNumber == 1)
            {
                report.append("Dave, I have observed latency spikes in this Redis instance. You don't mind talking " +
                    "about it, do you Dave?\n\n");
            }
            long sum = 0;
            long oldest = 0;
            for (final long[] sample : samples)
            {
                sum += sample[1];
                oldest = oldest == 0 ? sample[0] : Math.min(oldest, sample[0]);
            }
            final long average = samples.isEmpty() ? 0 : sum / samples.size();
            long period = samples.isEmpty() ? 0 : Math.max(1, nowSec - oldest);
            long deviation = 0;
            for (final long[] sample : samples)
            {
                deviation += Math.abs(average - sample[1]);
            }
            deviation = samples.isEmpty() ? 0 : deviation / samples.size();
            report.append(eventNumber).append(". ").append(event).append(": ").append(samples.size())
                .append(" latency spikes (average ").append(average).append("ms, mean deviation ").append(deviation)
                .append("ms, period ").append(String.format(Locale.ROOT, "%.2f", (double)period / samples.size()))
                .append(" sec). Worst all time event ").append(entry.getValue().maxMs()).append("ms.\n");
            switch (event)
            {
                case LatencyMonitor.COMMAND ->
                {
                    if (slowerThanUs < 0)
                    {
                        slowlogEnable = true;
                        advices++;
                    }
                    else if (slowerThanUs / 1000 > monitor.thresholdMs())
                    {
                        slowlogTuning = true;
                        advices++;
                    }
                    slowlogInspect = true;
                    largeObjects = true;
                    advices += 2;
                }
                case LatencyMonitor.FAST_COMMAND ->
                {
                    scheduler = true;
                    advices++;
                }
                case LatencyMonitor.EXPIRE_CYCLE ->
                {
                    hzAdvice = true;
                    largeObjects = true;
                    advices += 2;
                }
                case LatencyMonitor.EVICTION_CYCLE ->
                {
                    massEviction = true;
                    advices++;
                }
                case LatencyMonitor.RING_FULL ->
                {
                    ringFull = true;
                    advices++;
                }
                case LatencyMonitor.SNAPSHOT_STEP ->
                {
                    snapshot = true;
                    advices++;
                }
                default ->
                {
                }
            }
        }
        if (eventNumber == 0 && advices == 0)
        {
            report.append("Dave, no latency spike was observed during the lifetime of this Redis instance, not in " +
                "the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think " +
                "things over.\n");
            return report.toString();
        }
        final long thresholdUs = monitor.thresholdMs() * 1000;
        report.append("\nI have a few advices for you:\n\n");
        if (slowlogEnable)
        {
            report.append("- There are latency issues with potentially slow commands you are using. Try to enable " +
                "the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ")
                .append(thresholdUs).append("'. If the Slow log is disabled Redis is not able to log slow commands " +
                "execution for you.\n");
        }
        if (slowlogTuning)
        {
            report.append("- Your current Slow Log configuration only logs events that are slower than your " +
                "configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ")
                .append(thresholdUs).append("'.\n");
        }
        if (slowlogInspect)
        {
            report.append("- Check your Slow Log to understand what are the commands you are running which are too " +
                "slow to execute. Please check https://redis.io/commands/slowlog for more information.\n");
        }
        if (scheduler)
        {
            report.append("- The system is slow to execute Redis code paths not containing system calls. This " +
                "usually means the system does not provide Redis CPU time to run for long periods. You should try " +
                "to:\n" +
                "  1) Lower the system load.\n" +
                "  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
                "  3) Check if you have a \"noisy neighbour\" problem.\n" +
                "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
                "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are " +
                "using Jemalloc. However this may create fragmentation problems.\n");
        }
        if (hzAdvice && hz < 100)
        {
            report.append("- In order to make the Redis keys expiring process more incremental, try to set the " +
                "'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n");
        }
        if (largeObjects)
        {
            report.append("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a " +
                "blocking operation. If you have very large objects that are often deleted, expired, or evicted, " +
                "try to fragment those objects into multiple smaller objects.\n");
        }
        if (massEviction)
        {
            report.append("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large " +
                "objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys " +
                "migrations (RESTORE command), may create sudden memory pressure forcing the server to block " +
                "trying to evict keys. \n");
        }
        if (ringFull)
        {
            report.append("- ringkv: clients waited for room in the engine's ring: the engine thread falls behind " +
                "its clients. Look for slow commands (SLOWLOG), give the engine its own core " +
                "('ringkv-engine-thread platform'), or raise 'ringkv-engine-ring-size'.\n");
        }
        if (snapshot)
        {
            report.append("- ringkv: a step of a replica's full-sync snapshot held the engine thread. Full syncs of " +
                "large data sets are best started when the load is low.\n");
        }
        return report.toString();
    }
}
