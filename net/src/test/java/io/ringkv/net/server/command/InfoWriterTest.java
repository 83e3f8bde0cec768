package io.ringkv.net.server.command;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InfoWriterTest
{
    @Test
    void humanBytesAsRedisPrintsThem()
    {
        assertEquals("0B", InfoWriter.human(0));
        assertEquals("1023B", InfoWriter.human(1023));
        assertEquals("1.00K", InfoWriter.human(1024));
        assertEquals("1.13M", InfoWriter.human(1188312));
        assertEquals("23.54G", InfoWriter.human(25276502016L));
        assertEquals("2.00T", InfoWriter.human(2L << 40));
    }

    @Test
    void sectionsAreSeparatedByABlankLineAndLinesEndWithCrlf()
    {
        final InfoWriter info = new InfoWriter();
        info.section("Server").field("redis_version", "7.0.15").field("hz", 10);
        info.section("Memory").field("mem_fragmentation_ratio", 1.5).seconds("used_cpu_sys", 0.25);
        assertEquals("# Server\r\nredis_version:7.0.15\r\nhz:10\r\n\r\n# Memory\r\nmem_fragmentation_ratio:1.50\r\n" +
            "used_cpu_sys:0.250000\r\n", info.toString());
    }
}
