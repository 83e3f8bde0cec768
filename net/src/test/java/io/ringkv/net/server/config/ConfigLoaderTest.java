package io.ringkv.net.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigLoaderTest
{
    private final ServerConfig config = new ServerConfig();
    private final ConfigLoader loader = new ConfigLoader(config);

    @TempDir
    Path dir;

    @Test
    void commandLineOptionsTakeOneOrMoreValues() throws Exception
    {
        loader.load(new String[]{ "--port", "7001", "--maxmemory", "1gb", "--replicaof", "127.0.0.1", "7000" });
        assertEquals(7001, config.port.number());
        assertEquals(1L << 30, config.maxmemory.number());
        assertEquals("127.0.0.1 7000", config.replicaof.text());
    }

    @Test
    void percentilesTakeSeveralWordsAndAreCheckedAsRedisChecksThem() throws Exception
    {
        final Path file = dir.resolve("percentiles.conf");
        Files.writeString(file, "latency-tracking-info-percentiles 50 99.90 1e1\nlatency-tracking no\n");
        loader.load(new String[]{ "--config", file.toString() });
        assertEquals("50 99.9 10", config.latencyTrackingInfoPercentiles.text());
        assertEquals(0, config.latencyTracking.number());
        assertEquals("bad option '--latency-tracking-info-percentiles': latency-tracking-info-percentiles parameters " +
            "should sit between [0.0,100.0]", assertThrows(ConfigException.class,
            () -> loader.load(new String[]{ "--latency-tracking-info-percentiles", "50", "100.5" })).getMessage());
        assertEquals("50 99.9 10", config.latencyTrackingInfoPercentiles.text());
    }

    @Test
    void fileIsReadThenCommandLineWins() throws Exception
    {
        final Path file = dir.resolve("ringkv.conf");
        Files.writeString(file, "# a comment\n\nport 7100\nrequirepass \"p w\\x21\"\nmaxmemory 10mb\n");
        loader.load(new String[]{ "--config", file.toString(), "--port", "7200" });
        assertEquals(7200, config.port.number());
        assertEquals("p w!", config.requirepass.text());
        assertEquals(10L * 1024 * 1024, config.maxmemory.number());
    }

    @Test
    void unknownOrMalformedOptionsStopStartUpNamingThem() throws Exception
    {
        assertEquals("bad option '--bogus': Bad directive or wrong number of arguments",
            assertThrows(ConfigException.class, () -> loader.load(new String[]{ "--bogus", "1" })).getMessage());
        assertEquals("bad option '--port': argument couldn't be parsed into an integer",
            assertThrows(ConfigException.class, () -> loader.load(new String[]{ "--port", "abc" })).getMessage());
        assertEquals("bad option '--port': Bad directive or wrong number of arguments",
            assertThrows(ConfigException.class, () -> loader.load(new String[]{ "--port" })).getMessage());
        assertEquals("bad argument '--': options are written --name value",
            assertThrows(ConfigException.class, () -> loader.load(new String[]{ "--port", "1", "--", "stray" }))
                .getMessage());
        assertEquals("bad option '--port': Bad directive or wrong number of arguments",
            assertThrows(ConfigException.class, () -> loader.load(new String[]{ "--port", "1", "stray" }))
                .getMessage());

        final Path file = dir.resolve("bad.conf");
        Files.writeString(file, "port 7000\nmaxmemory lots\n");
        final ConfigException ex = assertThrows(ConfigException.class, () -> loader.loadFile(file));
        assertEquals("config file '" + file + "', line 2: 'maxmemory lots': argument must be a memory value",
            ex.getMessage());

        assertThrows(ConfigException.class, () -> loader.loadFile(dir.resolve("missing.conf")));
    }

    @Test
    void splitsWithRedisQuotingRules()
    {
        assertEquals(List.of("set", "a b", "c'd", "\n\t\u0001", "x"),
            ConfigLoader.splitWords("set \"a b\" 'c\\'d' \"\\n\\t\\x01\"   x  "));
        assertEquals(List.of("foobar baz"), ConfigLoader.splitWords("foo\"bar baz\""));
        assertEquals(List.of(), ConfigLoader.splitWords("   "));
        assertNull(ConfigLoader.splitWords("\"unterminated"));
        assertNull(ConfigLoader.splitWords("'unterminated"));
        assertNull(ConfigLoader.splitWords("\"closed\"glued"));
    }
}
