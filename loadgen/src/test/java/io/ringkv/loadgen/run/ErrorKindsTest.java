package io.ringkv.loadgen.run;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErrorKindsTest
{
    @Test
    void countsByFirstWord()
    {
        final ErrorKinds kinds = new ErrorKinds();
        add(kinds, "ERR value is not an integer or out of range");
        add(kinds, "ERR syntax error");
        add(kinds, "WRONGTYPE Operation against a key holding the wrong kind of value");
        add(kinds, "NOAUTH");
        kinds.add("CONNECTION", 5);
        final Map<String, Long> tally = new TreeMap<>();
        kinds.addTo(tally);
        assertEquals(Map.of("ERR", 2L, "WRONGTYPE", 1L, "NOAUTH", 1L, "CONNECTION", 5L), tally);
        assertEquals(9, kinds.total());
    }

    @Test
    void kindsBeyondTheTableAreOther()
    {
        final ErrorKinds kinds = new ErrorKinds();
        for (int i = 0; i < 100; i++)
        {
            add(kinds, "KIND" + i + " message");
        }
        final Map<String, Long> tally = new TreeMap<>();
        kinds.addTo(tally);
        assertEquals(64, tally.size());
        assertEquals(100 - 63, tally.get("OTHER"));
        assertEquals(100, kinds.total());
        assertEquals(100, tally.values().stream().mapToLong(Long::longValue).sum());
    }

    private static void add(final ErrorKinds kinds, final String text)
    {
        final byte[] bytes = ("xx" + text).getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(0, bytes);
        kinds.add(buffer, 2, bytes.length - 2);
    }
}
