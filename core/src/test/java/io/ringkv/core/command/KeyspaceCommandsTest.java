package io.ringkv.core.command;

import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.concurrent.UnsafeBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyspaceCommandsTest
{
    @AutoClose
    private final EngineHarness kv = new EngineHarness();

    @Test
    void delUnlinkExistsTouch()
    {
        kv.exec("MSET", "a", "1", "b", "2", "c", "3");
        assertEquals(":3", kv.exec("EXISTS", "a", "a", "a"));
        assertEquals(":2", kv.exec("EXISTS", "a", "b", "nokey"));
        assertEquals(":2", kv.exec("TOUCH", "a", "b", "nokey"));
        assertEquals(":1", kv.exec("DEL", "a", "a", "nokey"));
        assertEquals(":2", kv.exec("UNLINK", "b", "c"));
        assertEquals(":0", kv.exec("DEL", "b"));
        assertEquals(":0", kv.exec("DBSIZE"));
        assertEquals("-ERR wrong number of arguments for 'del' command", kv.exec("DEL"));
        kv.exec("SET", "t", "v", "PX", "10");
        kv.advanceMs(11);
        assertEquals(":0", kv.exec("DEL", "t"));
    }

    @Test
    void type()
    {
        assertEquals("+none", kv.exec("TYPE", "k"));
        kv.exec("SET", "k", "v");
        assertEquals("+string", kv.exec("TYPE", "k"));
        kv.exec("INCR", "n");
        assertEquals("+string", kv.exec("TYPE", "n"));
    }

    @Test
    void renameAndRenamenx()
    {
        assertEquals("-ERR no such key", kv.exec("RENAME", "nokey", "x"));
        assertEquals("-ERR no such key", kv.exec("RENAME", "nokey", "nokey"));
        assertEquals("-ERR no such key", kv.exec("RENAMENX", "nokey", "x"));
        kv.exec("SET", "a", "1", "EX", "100");
        assertEquals("+OK", kv.exec("RENAME", "a", "a"));
        assertEquals(":0", kv.exec("RENAMENX", "a", "a"));
        assertEquals("+OK", kv.exec("RENAME", "a", "b"));
        assertEquals(":0", kv.exec("EXISTS", "a"));
        assertEquals("$1", kv.exec("GET", "b"));
        assertEquals(":100", kv.exec("TTL", "b"));
        kv.exec("SET", "c", "3");
        assertEquals(":0", kv.exec("RENAMENX", "b", "c"));
        assertEquals("$3", kv.exec("GET", "c"));
        assertEquals("+OK", kv.exec("RENAME", "b", "c"));
        assertEquals("$1", kv.exec("GET", "c"));
        assertEquals(":100", kv.exec("TTL", "c"));
        assertEquals(":1", kv.exec("RENAMENX", "c", "d"));
        assertEquals("[(nil), $1]", kv.exec("MGET", "c", "d"));
        kv.exec("INCRBY", "i", "77");
        kv.exec("RENAME", "i", "j");
        assertEquals(":78", kv.exec("INCR", "j"));
        assertEquals(":2", kv.exec("DBSIZE"));
    }

    @Test
    void renameAndCopyOfALargeCollectionMoveOrDuplicateItsElementTable()
    {
        final long baseline = kv.keyspace.memoryStats().allocatorUsedBytes();
        final ElementTables tables = kv.keyspace.elementTables();
        final int id = tables.create(false);
        for (int i = 0; i < 1000; i++)
        {
            final UnsafeBuffer member = new UnsafeBuffer(("m" + i).getBytes(StandardCharsets.US_ASCII));
            tables.put(id, member, 0, member.capacity(), ElementTables.NO_VALUE);
        }
        final UnsafeBuffer key = new UnsafeBuffer("s".getBytes(StandardCharsets.US_ASCII));
        final long entry = kv.keyspace.put(0, key, 0, 1, ValueType.SET, ValueEncoding.SET_TABLE,
            ValueEncoding.TABLE_ID_LENGTH, Keyspace.NO_EXPIRY);
        kv.keyspace.adoptTable(entry, id);
        final long usage = kv.keyspace.memoryUsage(entry);

        assertEquals("+OK", kv.exec("RENAME", "s", "t"));
        assertEquals(usage, kv.keyspace.memoryUsage(lookup("t")), "the table moved with the key");
        assertEquals(":1", kv.exec("COPY", "t", "u"));
        assertEquals(":1", kv.exec("DEL", "t"));
        assertEquals(usage, kv.keyspace.memoryUsage(lookup("u")), "the copy has its own elements");
        assertEquals(":1", kv.exec("MOVE", "u", "3"));
        kv.exec("SELECT", "3");
        final UnsafeBuffer u = new UnsafeBuffer("u".getBytes(StandardCharsets.US_ASCII));
        assertEquals(usage, kv.keyspace.memoryUsage(kv.keyspace.lookup(3, u, 0, 1)), "MOVE keeps the table");
        assertEquals(":1", kv.exec("UNLINK", "u"));
        kv.exec("SELECT", "0");
        // UNLINK leaves the table to the lazy free, which the engine runs once it has caught up with the ring.
        final long deadlineNs = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (tables.droppedTables() > 0 && System.nanoTime() < deadlineNs)
        {
            kv.exec("PING"); // each completed batch publishes the engine's writes to this thread
        }
        assertEquals(0, tables.droppedTables(), "the lazy free finished");
        assertEquals(baseline, kv.keyspace.memoryStats().allocatorUsedBytes());
    }

    private long lookup(final String key)
    {
        final UnsafeBuffer k = new UnsafeBuffer(key.getBytes(StandardCharsets.US_ASCII));
        return kv.keyspace.lookup(0, k, 0, k.capacity());
    }

    @Test
    void copy()
    {
        kv.exec("SET", "src", "v", "EX", "100");
        assertEquals(":1", kv.exec("COPY", "src", "dst"));
        assertEquals("$v", kv.exec("GET", "dst"));
        assertEquals(":100", kv.exec("TTL", "dst"));
        kv.exec("SET", "src", "w");
        assertEquals(":0", kv.exec("COPY", "src", "dst"));
        assertEquals("$v", kv.exec("GET", "dst"));
        assertEquals(":1", kv.exec("COPY", "src", "dst", "REPLACE"));
        assertEquals("$w", kv.exec("GET", "dst"));
        assertEquals(":-1", kv.exec("TTL", "dst"));
        assertEquals(":0", kv.exec("COPY", "nokey", "dst"));
        assertEquals(":1", kv.exec("COPY", "src", "src", "DB", "3"));
        assertEquals("-ERR source and destination objects are the same", kv.exec("COPY", "src", "src"));
        assertEquals("-ERR source and destination objects are the same", kv.exec("COPY", "src", "src", "db", "0"));
        assertEquals("-ERR DB index is out of range", kv.exec("COPY", "src", "x", "DB", "16"));
        assertEquals("-ERR DB index is out of range", kv.exec("COPY", "src", "x", "DB", "-1"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("COPY", "src", "x", "DB", "abc"));
        assertEquals("-ERR syntax error", kv.exec("COPY", "src", "x", "FOO"));
        assertEquals("-ERR syntax error", kv.exec("COPY", "src", "x", "DB"));
        assertEquals("+OK", kv.exec("SELECT", "3"));
        assertEquals("$w", kv.exec("GET", "src"));
        assertEquals(":1", kv.exec("DBSIZE"));
        kv.exec("SELECT", "0");
        assertEquals(":0", kv.exec("EXISTS", "x"));
    }

    @Test
    void keysMatchesGlobPatterns()
    {
        kv.exec("MSET", "hello", "1", "hallo", "1", "hxllo", "1", "hllo", "1", "heeeello", "1", "h*llo", "1",
            "[a", "1", "a", "1", "", "1");
        assertEquals(set("hello", "hallo", "hxllo", "h*llo"), keys("h?llo"));
        assertEquals(set("hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo"), keys("h*llo"));
        assertEquals(set("hello", "hallo"), keys("h[ae]llo"));
        assertEquals(set("hxllo", "h*llo"), keys("h[^e-a]llo"));
        assertEquals(set("h*llo"), keys("h\\*llo"));
        assertEquals(set("a"), keys("[a"));
        assertEquals(set("[a"), keys("\\[a"));
        assertEquals(set("hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "[a", "a", ""), keys("*"));
        assertEquals(set("hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "[a", "a"), keys("**"));
        assertEquals(set(), keys("nomatch*"));
    }

    @Test
    void scanVisitsEveryKeyOnceAcrossResizes()
    {
        for (int i = 0; i < 1000; i++)
        {
            kv.exec("SET", "key:" + i, "v");
        }
        final Set<String> seen = new HashSet<>();
        String cursor = "0";
        int calls = 0;
        do
        {
            cursor = scanStep(kv.exec("SCAN", cursor, "COUNT", "50"), seen);
            // Grow the table in the middle of the scan: keys present all along must still be returned.
            if (calls++ == 3)
            {
                for (int i = 1000; i < 5000; i++)
                {
                    kv.exec("SET", "added:" + i, "v");
                }
            }
        }
        while (!cursor.equals("0") && calls < 100_000);
        for (int i = 0; i < 1000; i++)
        {
            assertTrue(seen.contains("key:" + i), "missing key:" + i);
        }
    }

    @Test
    void scanOptions()
    {
        kv.exec("MSET", "a1", "1", "a2", "2", "b1", "3");
        kv.execKind(io.ringkv.core.engine.RequestBatch.VALUE_JSON, "SET", "aj", "[1]");
        assertEquals(set("a1", "a2", "aj"), scanAll("MATCH", "a*"));
        assertEquals(set("a1", "a2", "b1"), scanAll("TYPE", "string"));
        assertEquals(set("aj"), scanAll("type", "JSON"));
        assertEquals(set(), scanAll("TYPE", "list"));
        assertEquals(set(), scanAll("TYPE", "nosuchtype"));
        assertEquals(set("a1", "b1"), scanAll("MATCH", "*1", "COUNT", "1000"));
        assertEquals("-ERR syntax error", kv.exec("SCAN", "0", "COUNT", "0"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("SCAN", "0", "COUNT", "x"));
        assertEquals("-ERR syntax error", kv.exec("SCAN", "0", "MATCH"));
        assertEquals("-ERR syntax error", kv.exec("SCAN", "0", "FOO", "bar"));
        assertEquals("-ERR invalid cursor", kv.exec("SCAN", "abc"));
        assertEquals("[$0, []]", kv.exec("SCAN", "0", "MATCH", "zzz*", "COUNT", "1000"));
    }

    /**
     * Redis 7.0.15 parses the cursor with strtoul: every 64-bit value is a cursor (answers checked against
     * redis-server), and the last bucket's cursor ends the scan.
     */
    @Test
    void scanAcceptsEvery64BitCursorAsRedisDoes()
    {
        for (final String cursor : new String[]{"18446744073709551615", "-1", "", "+0", "-0", "-18446744073709551615",
            "000000000000000000000000000", "9223372036854775808"})
        {
            assertEquals("[$0, []]", kv.exec("SCAN", cursor), cursor);
        }
        kv.exec("SET", "k", "v");
        // 2^64 - 1 names the last bucket of any table and completes the scan.
        final String last = kv.exec("SCAN", "18446744073709551615", "COUNT", "1");
        assertTrue(last.startsWith("[$0, "), last);
        for (final String cursor : new String[]{"18446744073709551616", "-18446744073709551616", "abc", " 1", "1 ",
            "-", "+", "0x10", "1.0", "+-1", "99999999999999999999999"})
        {
            assertEquals("-ERR invalid cursor", kv.exec("SCAN", cursor), cursor);
        }
        assertEquals("[$0, [$k]]", kv.exec("SCAN", "0", "COUNT", "9223372036854775807"));
    }

    @Test
    void randomkey()
    {
        assertEquals("(nil)", kv.exec("RANDOMKEY"));
        kv.exec("SET", "only", "v");
        assertEquals("$only", kv.exec("RANDOMKEY"));
        kv.exec("SET", "other", "v");
        final Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 200; i++)
        {
            seen.add(kv.exec("RANDOMKEY"));
        }
        assertEquals(new TreeSet<>(List.of("$only", "$other")), seen);
    }

    private Set<String> scanAll(final String... options)
    {
        final Set<String> seen = new HashSet<>();
        String cursor = "0";
        do
        {
            final List<String> args = new ArrayList<>(List.of("SCAN", cursor));
            args.addAll(Arrays.asList(options));
            cursor = scanStep(kv.exec(args.toArray(new String[0])), seen);
        }
        while (!cursor.equals("0"));
        return seen;
    }

    /**
     * Reads one SCAN reply transcript, {@code [$cursor, [$k1, $k2]]}, into {@code seen}.
     *
     * @return the next cursor.
     */
    private static String scanStep(final String result, final Set<String> seen)
    {
        final String inner = result.substring(1, result.length() - 1);
        final int comma = inner.indexOf(", ");
        final String list = inner.substring(comma + 3, inner.length() - 1);
        if (!list.isEmpty())
        {
            for (final String element : list.split(", "))
            {
                seen.add(element.substring(1));
            }
        }
        return inner.substring(1, comma);
    }

    private Set<String> keys(final String pattern)
    {
        final String result = kv.exec("KEYS", pattern);
        final Set<String> keys = new HashSet<>();
        final String list = result.substring(1, result.length() - 1);
        if (!list.isEmpty())
        {
            for (final String element : list.split(", ", -1))
            {
                keys.add(element.substring(1));
            }
        }
        return keys;
    }

    private static Set<String> set(final String... keys)
    {
        return new HashSet<>(Arrays.asList(keys));
    }
}
