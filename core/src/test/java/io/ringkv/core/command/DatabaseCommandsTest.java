package io.ringkv.core.command;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DatabaseCommandsTest
{
    @AutoClose
    private final EngineHarness kv = new EngineHarness();

    @Test
    void selectIsolatesDatabases()
    {
        kv.exec("SET", "k", "zero");
        assertEquals("+OK", kv.exec("SELECT", "15"));
        assertEquals("(nil)", kv.exec("GET", "k"));
        kv.exec("SET", "k", "fifteen");
        assertEquals(":1", kv.exec("DBSIZE"));
        assertEquals("-ERR DB index is out of range", kv.exec("SELECT", "16"));
        assertEquals("-ERR DB index is out of range", kv.exec("SELECT", "-1"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("SELECT", "abc"));
        // Redis's getIntFromObjectOrReply: a 64-bit integer outside 32 bits has its own text (redis-server 7.0.15).
        assertEquals("-ERR value is out of range, value must between -2147483648 and 2147483647",
            kv.exec("SELECT", "99999999999"));
        assertEquals("-ERR value is out of range, value must between -2147483648 and 2147483647",
            kv.exec("COPY", "a", "b", "DB", "-9223372036854775808"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("SELECT", "9223372036854775808"));
        assertEquals("$fifteen", kv.exec("GET", "k"));
        kv.exec("SELECT", "0");
        assertEquals("$zero", kv.exec("GET", "k"));
    }

    @Test
    void flushdbAndFlushall()
    {
        kv.exec("MSET", "a", "1", "b", "2");
        kv.exec("SELECT", "1");
        kv.exec("SET", "c", "3");
        assertEquals("+OK", kv.exec("FLUSHDB"));
        assertEquals(":0", kv.exec("DBSIZE"));
        kv.exec("SELECT", "0");
        assertEquals(":2", kv.exec("DBSIZE"));
        assertEquals("-ERR syntax error", kv.exec("FLUSHDB", "LATER"));
        assertEquals("-ERR syntax error", kv.exec("FLUSHALL", "SYNC", "ASYNC"));
        assertEquals(":2", kv.exec("DBSIZE"));
        assertEquals("+OK", kv.exec("FLUSHDB", "async"));
        kv.exec("SET", "x", "1");
        kv.exec("SELECT", "2");
        kv.exec("SET", "y", "1");
        assertEquals("+OK", kv.exec("FLUSHALL", "SYNC"));
        assertEquals(":0", kv.exec("DBSIZE"));
        kv.exec("SELECT", "0");
        assertEquals(":0", kv.exec("DBSIZE"));
        assertEquals("+OK", kv.exec("SET", "after", "flush"));
        assertEquals("$flush", kv.exec("GET", "after"));
    }
}
