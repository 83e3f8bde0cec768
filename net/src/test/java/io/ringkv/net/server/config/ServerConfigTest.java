package io.ringkv.net.server.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class ServerConfigTest
{
    private final ServerConfig config = new ServerConfig();

    @Test
    void defaultsAreRedisDefaultsExceptBindWhichIsLoopback()
    {
        assertEquals(6379, config.port.number());
        assertEquals("127.0.0.1", config.bind.text());
        assertEquals(10000, config.maxclients.number());
        assertEquals(512L * 1024 * 1024, config.protoMaxBulkLen.number());
        assertEquals(1024L * 1024 * 1024, config.clientQueryBufferLimit.number());
        assertEquals(0, config.maxmemory.number());
        assertEquals(16, config.databases.number());
        assertEquals("", config.requirepass.text());
        assertEquals("yes", config.protectedMode.text());
    }

    @Test
    void memoryValuesUseRedisUnitsAndPrintInBytes()
    {
        assertNull(config.setAll(List.of("maxmemory", "10mb"), true));
        assertEquals("10485760", config.maxmemory.text());
        assertNull(config.setAll(List.of("maxmemory", "3K"), true));
        assertEquals(3000, config.maxmemory.number());
        assertEquals(2L * 1024 * 1024 * 1024, ConfigOption.parseMemory("2gb"));
        assertEquals(-1, ConfigOption.parseMemory("-5"));
        assertEquals(-1, ConfigOption.parseMemory("12tb"));
        assertEquals(-1, ConfigOption.parseMemory("99999999999999999999"));
        assertEquals(-1, ConfigOption.parseMemory(""));
    }

    @Test
    void errorsUseRedisTextsAndChangeNothing()
    {
        assertEquals("Unknown option or number of arguments for CONFIG SET - 'foo'",
            config.setAll(List.of("foo", "bar"), true));
        assertEquals("CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
            config.setAll(List.of("maxmemory", "abc"), true));
        assertEquals("CONFIG SET failed (possibly related to argument 'maxclients') - "
            + "argument must be between 1 and 4294967295 inclusive", config.setAll(List.of("maxclients", "-1"), true));
        assertEquals("CONFIG SET failed (possibly related to argument 'protected-mode') - "
            + "argument must be 'yes' or 'no'", config.setAll(List.of("protected-mode", "maybe"), true));
        assertEquals("CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
            config.setAll(List.of("databases", "5"), true));
        assertEquals("CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter",
            config.setAll(List.of("maxmemory", "1mb", "maxmemory", "2mb"), true));
        assertEquals("CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an "
            + "integer", config.setAll(List.of("port", "abc"), false));
        assertEquals("wrong number of arguments for 'config|set' command", config.setAll(List.of("maxmemory"), true));
        assertEquals(0, config.maxmemory.number());
        assertEquals(10000, config.maxclients.number());
    }

    @Test
    void setIsAllOrNothing()
    {
        assertEquals("CONFIG SET failed (possibly related to argument 'timeout') - "
            + "argument must be between 0 and 2147483647 inclusive",
            config.setAll(List.of("maxmemory", "1mb", "timeout", "-1"), true));
        assertEquals(0, config.maxmemory.number());
    }

    @Test
    void listenersHearOnlySuccessfulChangesAndAliasesResolve()
    {
        final List<String> heard = new ArrayList<>();
        config.onChange(config.maxmemory, option -> heard.add(option.text()));
        config.setAll(List.of("maxmemory", "bad"), true);
        config.setAll(List.of("MAXMEMORY", "1kb"), true);
        assertEquals(List.of("1024"), heard);
        assertSame(config.replicaof, config.option("slaveof"));
        assertSame(config.replicaReadOnly, config.option("Slave-Read-Only"));
    }

    @Test
    void startUpMaySetImmutableOptions()
    {
        assertNull(config.setAll(List.of("port", "7000", "databases", "4", "bind", "  127.0.0.1   ::1 "), false));
        assertEquals(7000, config.port.number());
        assertEquals("127.0.0.1 ::1", config.bind.text());
    }
}
