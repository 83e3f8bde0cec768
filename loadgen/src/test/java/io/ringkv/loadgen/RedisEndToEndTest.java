package io.ringkv.loadgen;

import io.ringkv.loadgen.report.SummaryJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short bounded load against a real redis-server, checked against the server's own INFO counters.
 */
class RedisEndToEndTest
{
    private static final Pattern CMDSTAT =
        Pattern.compile("cmdstat_(\\w+):calls=(\\d+),.*?failed_calls=(\\d+)");

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void summaryMatchesRedisCommandStats() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.start("--requirepass", "s3cret"))
        {
            final Path out = dir.resolve("redis");
            final int status = run("-p", Integer.toString(redis.port()), "-a", "s3cret", "--db", "2", "-c", "4",
                "-P", "8", "-n", "20000", "--warmup", "0", "--keyspace", "5000",
                "--mix", "get=4,set=2,incr=1,mget=1,del=1", "--mget-keys", "3", "--out", out.toString());
            assertEquals(0, status);
            final Map<String, Object> summary = SummaryJson.read(out.resolve("summary.json"));
            final Map<String, Object> run = (Map<String, Object>)((List<Object>)summary.get("runs")).get(0);
            assertEquals(20000L, ((Number)run.get("requests")).longValue());
            final Map<String, Object> sent = (Map<String, Object>)run.get("sentByCommand");

            final String info = redis.commands(new String[] {"AUTH", "s3cret"}, new String[] {"INFO", "commandstats"});
            final Map<String, long[]> stats = new HashMap<>();
            final Matcher matcher = CMDSTAT.matcher(info);
            while (matcher.find())
            {
                stats.put(matcher.group(1).toUpperCase(java.util.Locale.ROOT),
                    new long[] {Long.parseLong(matcher.group(2)), Long.parseLong(matcher.group(3))});
            }
            long total = 0;
            for (final String command : List.of("GET", "SET", "INCR", "MGET", "DEL"))
            {
                final long ours = ((Number)sent.get(command)).longValue();
                assertEquals(ours, stats.get(command)[0], command + " calls; INFO said:\n" + info);
                total += ours;
            }
            assertEquals(20000, total);
            // Four load connections and the INFO connection authenticated; the load connections selected db 2.
            assertEquals(5, stats.get("AUTH")[0]);
            assertEquals(4, stats.get("SELECT")[0]);
            // INCR on a key SET to random bytes fails; every such failure is an error in the summary.
            final Map<String, Object> errors = (Map<String, Object>)run.get("errors");
            final long failedIncr = stats.get("INCR")[1];
            assertTrue(failedIncr > 0, "no INCR failed; the check below would prove nothing");
            assertEquals(failedIncr, ((Number)errors.get("total")).longValue());
            assertEquals(failedIncr, ((Number)((Map<String, Object>)errors.get("byKind")).get("ERR")).longValue());
            final String keyspace = redis.commands(new String[] {"AUTH", "s3cret"}, new String[] {"INFO", "keyspace"});
            assertTrue(keyspace.contains("db2:keys="), keyspace);
        }
    }

    @Test
    void preloadSetsEveryKeyThenGetsHit() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.start())
        {
            final int status = run("-p", Integer.toString(redis.port()), "-c", "3", "-n", "2000", "--warmup", "0",
                "--preload", "--keyspace", "3000", "--mix", "get=1", "--distribution", "zipfian",
                "--out", dir.resolve("preload").toString());
            assertEquals(0, status);
            assertEquals(":3000", redis.commands(new String[] {"DBSIZE"}));
            final String stats = redis.commands(new String[] {"INFO", "stats"});
            assertTrue(stats.contains("keyspace_hits:2000\r\n"), stats);
            assertTrue(stats.contains("keyspace_misses:0\r\n"), stats);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void cacheAsideAgainstAnEvictingRedisSetsEveryMissAndAgreesWithItsKeyspaceStats() throws Exception
    {
        // About 1 MB for data against a 50,000 x 100 B working set: Redis must evict, and some GETs must miss.
        try (RedisServerProcess redis = RedisServerProcess.start("--maxmemory", "2mb", "--maxmemory-policy",
            "allkeys-lru"))
        {
            final Path out = dir.resolve("cache");
            final int status = run("-p", Integer.toString(redis.port()), "-c", "4", "-P", "8", "-n", "40000",
                "--warmup", "0", "--cache-aside", "--keyspace", "50000", "--value-size", "100",
                "--distribution", "zipfian-moving", "--hot-set-period", "200ms", "--out", out.toString());
            assertEquals(0, status);
            final Map<String, Object> summary = SummaryJson.read(out.resolve("summary.json"));
            final Map<String, Object> run = (Map<String, Object>)((List<Object>)summary.get("runs")).get(0);
            final Map<String, Object> cache = (Map<String, Object>)run.get("cacheAside");
            final long gets = ((Number)cache.get("gets")).longValue();
            final long hits = ((Number)cache.get("hits")).longValue();
            final long misses = ((Number)cache.get("misses")).longValue();
            final double ratio = ((Number)cache.get("hitRatio")).doubleValue();
            assertEquals(40000, gets);
            assertEquals(gets, hits + misses);
            assertTrue(ratio > 0 && ratio < 1, "hit ratio " + ratio);
            assertEquals(hits / (double)gets, ratio, 1e-4);

            final String stats = redis.commands(new String[] {"INFO", "stats"});
            assertTrue(stats.contains("keyspace_hits:" + hits + "\r\n"), hits + " hits; INFO said:\n" + stats);
            assertTrue(stats.contains("keyspace_misses:" + misses + "\r\n"), misses + " misses; INFO said:\n" + stats);
            assertFalse(stats.contains("evicted_keys:0\r\n"), "Redis evicted nothing:\n" + stats);
            final String commandStats = redis.commands(new String[] {"INFO", "commandstats"});
            final Matcher set = Pattern.compile("cmdstat_set:calls=(\\d+)").matcher(commandStats);
            assertTrue(set.find(), commandStats);
            assertEquals(misses, Long.parseLong(set.group(1)), "every miss led to exactly one SET");
            assertEquals(misses, ((Number)((Map<String, Object>)run.get("sentByCommand")).get("SET")).longValue());
            final Map<String, Object> target =
                (Map<String, Object>)((Map<String, Object>)summary.get("targets")).get("main");
            assertEquals(ratio, ((Number)target.get("hitRatio")).doubleValue(), 1e-9);
        }
    }

    @Test
    void wrongPasswordFailsClearly() throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.start("--requirepass", "right"))
        {
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final int status = LoadGeneratorMain.run(new String[] {"-p", Integer.toString(redis.port()), "-a",
                "wrong", "-c", "2", "-n", "10", "--out", dir.resolve("auth").toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(1, status);
            final String message = err.toString(StandardCharsets.UTF_8);
            assertTrue(message.contains("AUTH failed on 127.0.0.1:" + redis.port() + ": WRONGPASS"), message);
        }
    }

    private static int run(final String... args)
    {
        return LoadGeneratorMain.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            System.err);
    }
}
