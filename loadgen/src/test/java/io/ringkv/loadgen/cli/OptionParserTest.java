package io.ringkv.loadgen.cli;

import io.ringkv.loadgen.LoadGeneratorMain;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionParserTest
{
    @Test
    void defaultsMatchTheHelp()
    {
        final LoadOptions o = OptionParser.parse();
        assertEquals(new TargetAddress("127.0.0.1", 6379), o.target);
        assertEquals(Protocol.RESP, o.protocol);
        assertEquals(50, o.connections);
        assertEquals(1, o.pipeline);
        assertEquals(10_000_000_000L, o.durationNs);
        assertEquals(0, o.requests);
        assertEquals(1_000_000_000L, o.warmupNs);
        assertFalse(o.openLoop());
        assertEquals(100_000, o.keySpace);
        assertEquals(DistributionKind.UNIFORM, o.distribution);
        assertEquals("key:", o.keyPrefix);
        assertEquals(16, o.keyLength);
        assertEquals(64, o.valueSizeMin);
        assertEquals(64, o.valueSizeMax);
        assertEquals(Map.of("set", 1, "get", 1), o.mix);
        assertEquals(Path.of("loadgen-out"), o.outDir);
        assertNull(o.compareTarget);
        final String help = OptionParser.help();
        for (final String expected : List.of("--connections N", "[50]", "--pipeline N", "[1]", "--duration TIME",
            "[10s]", "--rate N[/s]", "--keyspace N", "[100000]", "--mix CMD=W,...", "[set=1,get=1]", "--value-size",
            "[64]", "--compare HOST:PORT", "--rounds N", "[3]", "--chart", "--template", "--preload", "--out DIR",
            "[loadgen-out]", "--password", "--user", "--db N", "--protocol resp|json", "--zipf-theta X", "[0.99]",
            "--warmup TIME", "[1s]", "--timeout TIME", "[5s]", "--connect-timeout TIME", "[2s]"))
        {
            assertTrue(help.contains(expected), () -> "help lacks " + expected + ":\n" + help);
        }
    }

    @Test
    void parsesEveryOption()
    {
        final LoadOptions o = OptionParser.parse(
            "-h", "127.0.0.5", "-p", "7000", "--protocol", "json", "--user", "bob", "-a", "pw", "--db", "3",
            "-c", "8", "-P", "16", "-d", "1.5s", "--warmup", "500ms", "--rate", "20k/s", "-k", "1m",
            "--distribution", "zipfian", "--zipf-theta", "1.2", "--key-prefix", "user:", "--key-length", "20",
            "--value-size", "10-100", "--value-pattern", "compressible", "--mix", "get=8,set=1,hset=1,mget=2",
            "--mget-keys", "4", "--template", "HSET __key__ f __value__", "--preload", "--out", "/tmp/x",
            "--label", "ringkv", "--compare", "127.0.0.1:6380", "--compare-label", "redis", "--rounds", "5",
            "--compare-password", "other", "--connect-timeout", "1s", "--timeout", "3s", "--seed", "42",
            "--no-progress");
        assertEquals(new TargetAddress("127.0.0.5", 7000), o.target);
        assertEquals(Protocol.JSON, o.protocol);
        assertEquals("bob", o.user);
        assertEquals("pw", o.password);
        assertEquals(3, o.db);
        assertEquals(8, o.connections);
        assertEquals(16, o.pipeline);
        assertEquals(1_500_000_000L, o.durationNs);
        assertEquals(500_000_000L, o.warmupNs);
        assertEquals(20_000, o.ratePerSecond);
        assertTrue(o.openLoop());
        assertEquals(1_000_000, o.keySpace);
        assertEquals(DistributionKind.ZIPFIAN, o.distribution);
        assertEquals(1.2, o.zipfTheta);
        assertEquals("user:", o.keyPrefix);
        assertEquals(20, o.keyLength);
        assertEquals(10, o.valueSizeMin);
        assertEquals(100, o.valueSizeMax);
        assertFalse(o.randomValues);
        assertEquals(List.of("get", "set", "hset", "mget"), List.copyOf(o.mix.keySet()));
        assertEquals(4, o.mgetKeys);
        assertEquals(List.of("HSET __key__ f __value__"), o.templates);
        assertTrue(o.preload);
        assertEquals(Path.of("/tmp/x"), o.outDir);
        assertEquals("ringkv", o.label);
        assertEquals(new TargetAddress("127.0.0.1", 6380), o.compareTarget);
        assertEquals("redis", o.compareLabel);
        assertEquals(5, o.rounds);
        assertEquals("other", o.comparePassword());
        assertEquals(1_000_000_000L, o.connectTimeoutNs);
        assertEquals(3_000_000_000L, o.replyTimeoutNs);
        assertEquals(42, o.seed);
        assertFalse(o.progress);
    }

    @Test
    void requestsAndEqualsSyntax()
    {
        final LoadOptions o = OptionParser.parse("--requests=200000", "--value-size=3", "--template",
            "lp=LPUSH list __value__");
        assertEquals(200_000, o.requests);
        assertEquals(3, o.valueSizeMin);
        assertEquals(3, o.valueSizeMax);
        // A template alone replaces the default get/set mix.
        assertEquals(Map.of("lp", 1), o.mix);
        assertEquals(OptionParser.parse("-a", "pw").password, OptionParser.parse("-a", "pw").comparePassword());
    }

    @Test
    void chartModeTakesTheRemainingArguments()
    {
        final LoadOptions o = OptionParser.parse("--out", "charts", "--chart", "a/summary.json", "b/summary.json");
        assertEquals(List.of(Path.of("a/summary.json"), Path.of("b/summary.json")), o.chartInputs);
        assertEquals(Path.of("charts"), o.outDir);
    }

    @Test
    void cacheAsideAndCacheDistributions()
    {
        final LoadOptions plain = OptionParser.parse();
        assertFalse(plain.cacheAside);
        assertEquals(10_000, plain.hotSetShift(), "a tenth of the key space");
        assertEquals(10_000, plain.scanLength(), "a tenth of the key space");
        assertEquals(5_000_000_000L, plain.hotSetPeriodNs);
        assertEquals(5_000_000_000L, plain.scanPeriodNs);

        final LoadOptions moving = OptionParser.parse("--cache-aside", "--distribution", "zipfian-moving",
            "--zipf-theta", "1.1", "-k", "1m", "--hot-set-shift", "250k", "--hot-set-period", "2s");
        assertTrue(moving.cacheAside);
        assertEquals(Map.of("get", 1), moving.mix, "cache-aside's mix is GET; its SETs follow misses");
        assertEquals(DistributionKind.ZIPFIAN_MOVING, moving.distribution);
        assertEquals(1.1, moving.zipfTheta);
        assertEquals(250_000, moving.hotSetShift());
        assertEquals(2_000_000_000L, moving.hotSetPeriodNs);

        final LoadOptions scan = OptionParser.parse("--distribution", "Zipfian-Scan", "-k", "1000",
            "--scan-length", "500", "--scan-period", "750ms");
        assertEquals(DistributionKind.ZIPFIAN_SCAN, scan.distribution);
        assertEquals(500, scan.scanLength());
        assertEquals(750_000_000L, scan.scanPeriodNs);
        final String help = OptionParser.help();
        for (final String expected : List.of("--cache-aside", "--hot-set-shift N", "--hot-set-period TIME",
            "--scan-length N", "--scan-period TIME", "zipfian-moving", "zipfian-scan"))
        {
            assertTrue(help.contains(expected), () -> "help lacks " + expected + ":\n" + help);
        }
    }

    @Test
    void badArgumentsNameTheArgument()
    {
        assertBad("--bogus", "unknown argument '--bogus'");
        assertBad("--connections", "--connections: missing value");
        assertBad("-c", "0", "--connections: 0 is out of range");
        assertBad("-c", "many", "--connections: expected an integer, got 'many'");
        assertBad("--port", "70000", "--port: 70000 is out of range");
        assertBad("--duration", "10parsecs", "--duration: unknown time unit 'parsecs'");
        assertBad("--duration", "0s", "--duration: must be greater than zero");
        assertBad("--warmup", "-1s", "--warmup: duration out of range");
        assertBad("--protocol", "http", "--protocol: expected one of resp, json, got 'http'");
        assertBad("--distribution", "gauss",
            "--distribution: expected one of uniform, zipfian, zipfian-moving, zipfian-scan, sequential, got 'gauss'");
        assertBad("--distribution", "zipfian_moving", "--distribution: expected one of");
        assertBad("--cache-aside", "--mix", "get=1", "--cache-aside: runs GET, then SET on a miss; it takes no --mix");
        assertBad("--cache-aside", "--template", "HGET __key__ f", "it takes no --template");
        assertBad("--cache-aside=yes", "--cache-aside: takes no value");
        assertBad("--hot-set-shift", "10", "--hot-set-shift: only with --distribution zipfian-moving");
        assertBad("--distribution", "zipfian", "--hot-set-period", "1s",
            "--hot-set-period: only with --distribution zipfian-moving");
        assertBad("--distribution", "zipfian-moving", "--scan-length", "10",
            "--scan-length: only with --distribution zipfian-scan");
        assertBad("--scan-period", "1s", "--scan-period: only with --distribution zipfian-scan");
        assertBad("--distribution", "zipfian-moving", "--hot-set-shift", "0", "--hot-set-shift: 0 is out of range");
        assertBad("--distribution", "zipfian-moving", "--hot-set-shift", "x", "--hot-set-shift: expected an integer");
        assertBad("--distribution", "zipfian-moving", "-k", "100", "--hot-set-shift", "100",
            "--hot-set-shift: 100 must be below --keyspace 100");
        assertBad("--distribution", "zipfian-moving", "--hot-set-period", "0s",
            "--hot-set-period: must be greater than zero");
        assertBad("--distribution", "zipfian-scan", "--scan-period", "soon", "--scan-period: ");
        assertBad("--distribution", "zipfian-scan", "-k", "100", "--scan-length", "101",
            "--scan-length: 101 is more than --keyspace 100");
        assertBad("--distribution", "zipfian-scan", "-k", "100000", "--key-length", "10",
            "--key-length: 10 leaves no room for the never-seen keys of --distribution zipfian-scan (needs at least 12)");
        assertBad("--zipf-theta", "0", "--zipf-theta: 0 is out of range");
        assertBad("--value-size", "100-10", "--value-size: range '100-10' has MAX below MIN");
        assertBad("--value-size", "9m", "--value-size: 9000000 is out of range");
        assertBad("--value-pattern", "zeros", "--value-pattern: expected random or compressible");
        assertBad("--mix", "get", "--mix: expected CMD=WEIGHT, got 'get'");
        assertBad("--mix", "get=1,frob=2", "--mix: unknown command 'frob'");
        assertBad("--mix", "get=0,set=0", "--mix: at least one command needs a weight above 0");
        assertBad("--mix", "get=x", "--mix get: expected an integer");
        assertBad("--keyspace", "1000000", "--key-length", "8", "--key-length: 8 is too short");
        assertBad("--template", "GET __key__", "--template: the name 'get' is taken");
        assertBad("--template", "__key__ x", "--template: the command name cannot be a placeholder");
        assertBad("--template", "   ", "--template: empty command");
        assertBad("--compare", "localhost", "--compare: expected HOST:PORT, got 'localhost'");
        assertBad("--compare", "h:1", "--compare-label", "main", "--compare-label: must differ from --label");
        assertBad("--user", "bob", "--user: needs --password as well");
        assertBad("--rate", "10", "-c", "50", "--rate: 10/s is below one request per second per connection");
        assertBad("--requests", "10", "-c", "50", "--requests: 10 is fewer than --connections 50");
        assertBad("-c", "1", "-c", "2", "--connections: given more than once");
        assertBad("--preload=yes", "--preload: takes no value");
        assertBad("--label", "a b", "--label: use 1-64 letters");
        assertBad("--chart", "--chart: expected one or more summary .json files");
    }

    @Test
    void mainExitsWithTwoAndNamesTheArgument()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int status = LoadGeneratorMain.run(new String[] {"--pipeline", "deep"},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        final String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("--pipeline: expected an integer, got 'deep'"), message);
        assertFalse(message.contains("Exception"), message);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mainPrintsHelp()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int status = LoadGeneratorMain.run(new String[] {"--help"},
            new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, status);
        assertEquals(OptionParser.help(), out.toString(StandardCharsets.UTF_8));
    }

    private static void assertBad(final String... argsThenMessage)
    {
        final String expected = argsThenMessage[argsThenMessage.length - 1];
        final String[] args = java.util.Arrays.copyOf(argsThenMessage, argsThenMessage.length - 1);
        final UsageException ex = assertThrows(UsageException.class, () -> OptionParser.parse(args),
            () -> "accepted " + List.of(args));
        assertTrue(ex.getMessage().contains(expected),
            () -> "message '" + ex.getMessage() + "' lacks '" + expected + "'");
    }
}
