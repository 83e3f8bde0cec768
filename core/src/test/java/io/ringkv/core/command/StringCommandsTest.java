package io.ringkv.core.command;

import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.store.StoreConfig;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StringCommandsTest
{
    @AutoClose
    private final EngineHarness kv = new EngineHarness();

    @Test
    void getAndSet()
    {
        assertEquals("(nil)", kv.exec("GET", "k"));
        assertEquals("+OK", kv.exec("SET", "k", "hello"));
        assertEquals("$hello", kv.exec("get", "k"));
        assertEquals("+OK", kv.exec("set", "k", ""));
        assertEquals("$", kv.exec("GET", "k"));
        assertEquals("+OK", kv.exec("SET", "", "empty key"));
        assertEquals("$empty key", kv.exec("GET", ""));
        assertEquals("+OK", kv.exec("SET", "bin", "a\u0000\r\n\u00ff"));
        assertEquals("$a\u0000\r\n\u00ff", kv.exec("GET", "bin"));
        assertEquals("-ERR wrong number of arguments for 'get' command", kv.exec("GET"));
        assertEquals("-ERR wrong number of arguments for 'get' command", kv.exec("GET", "a", "b"));
        assertEquals("-ERR wrong number of arguments for 'set' command", kv.exec("SET", "k"));
    }

    @Test
    void setNxXxAndGet()
    {
        assertEquals("(nil)", kv.exec("SET", "k", "v1", "XX"));
        assertEquals("(nil)", kv.exec("GET", "k"));
        assertEquals("+OK", kv.exec("SET", "k", "v1", "nx"));
        assertEquals("(nil)", kv.exec("SET", "k", "v2", "NX"));
        assertEquals("$v1", kv.exec("GET", "k"));
        assertEquals("+OK", kv.exec("SET", "k", "v2", "XX"));
        assertEquals("$v2", kv.exec("SET", "k", "v3", "GET"));
        assertEquals("$v3", kv.exec("SET", "k", "v4", "NX", "GET"));
        assertEquals("$v3", kv.exec("GET", "k"));
        assertEquals("(nil)", kv.exec("SET", "new", "x", "GET"));
        assertEquals("$x", kv.exec("GET", "new"));
        assertEquals("(nil)", kv.exec("SET", "absent", "x", "XX", "GET"));
        assertEquals("(nil)", kv.exec("GET", "absent"));
        assertEquals("-ERR syntax error", kv.exec("SET", "k", "v", "NX", "XX"));
        assertEquals("-ERR syntax error", kv.exec("SET", "k", "v", "XX", "NX"));
        assertEquals("-ERR syntax error", kv.exec("SET", "k", "v", "FOO"));
        assertEquals("$v3", kv.exec("GET", "k"));
    }

    @Test
    void setExpiryOptions()
    {
        assertEquals("+OK", kv.exec("SET", "k", "v", "EX", "10"));
        assertEquals(":10", kv.exec("TTL", "k"));
        assertEquals("+OK", kv.exec("SET", "k", "v", "PX", "1500"));
        assertEquals(":1500", kv.exec("PTTL", "k"));
        assertEquals("+OK", kv.exec("SET", "k", "v", "EXAT", Long.toString(kv.nowMs() / 1000 + 100)));
        assertEquals(":" + (kv.nowMs() / 1000 + 100), kv.exec("EXPIRETIME", "k"));
        assertEquals("+OK", kv.exec("SET", "k", "v", "PXAT", Long.toString(kv.nowMs() + 5000)));
        assertEquals(":" + (kv.nowMs() + 5000), kv.exec("PEXPIRETIME", "k"));
        assertEquals("+OK", kv.exec("SET", "k", "v2", "KEEPTTL"));
        assertEquals(":" + (kv.nowMs() + 5000), kv.exec("PEXPIRETIME", "k"));
        assertEquals("+OK", kv.exec("SET", "k", "v3"));
        assertEquals(":-1", kv.exec("TTL", "k"));
        // A repeated EX is accepted, the last wins (Redis 7).
        assertEquals("+OK", kv.exec("SET", "k", "v", "EX", "10", "EX", "20"));
        assertEquals(":20", kv.exec("TTL", "k"));
        // Redis: a key expires when now > expireAt, so it is still there at exactly its expiry time.
        kv.advanceMs(20_000);
        assertEquals("$v", kv.exec("GET", "k"));
        assertEquals(":0", kv.exec("PTTL", "k"));
        kv.advanceMs(1);
        assertEquals("(nil)", kv.exec("GET", "k"));
        assertEquals(":-2", kv.exec("TTL", "k"));
    }

    @Test
    void setExpiryErrorsChangeNothing()
    {
        kv.exec("SET", "k", "keep");
        assertEquals("-ERR invalid expire time in 'set' command", kv.exec("SET", "k", "v", "EX", "0"));
        assertEquals("-ERR invalid expire time in 'set' command", kv.exec("SET", "k", "v", "EX", "-1"));
        assertEquals("-ERR invalid expire time in 'set' command", kv.exec("SET", "k", "v", "PX", "0"));
        assertEquals("-ERR invalid expire time in 'set' command",
            kv.exec("SET", "k", "v", "PX", "9223372036854775807"));
        assertEquals("-ERR invalid expire time in 'set' command",
            kv.exec("SET", "k", "v", "EX", "9223372036854775"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("SET", "k", "v", "EX", "ten"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("SET", "k", "v", "EX", "1.5"));
        assertEquals("-ERR syntax error", kv.exec("SET", "k", "v", "EX"));
        assertEquals("-ERR syntax error", kv.exec("SET", "k", "v", "EX", "10", "PX", "10"));
        assertEquals("-ERR syntax error", kv.exec("SET", "k", "v", "KEEPTTL", "EX", "10"));
        assertEquals("-ERR syntax error", kv.exec("SET", "k", "v", "EX", "10", "KEEPTTL"));
        assertEquals("-ERR syntax error", kv.exec("SET", "k", "v", "PERSIST"));
        assertEquals("-ERR syntax error", kv.exec("SET", "k", "v", "EXAT", "1", "PXAT", "1"));
        assertEquals("$keep", kv.exec("GET", "k"));
        assertEquals(":-1", kv.exec("TTL", "k"));
    }

    @Test
    void setWithPastAbsoluteExpiryLeavesNoKey()
    {
        kv.exec("SET", "k", "old");
        assertEquals("+OK", kv.exec("SET", "k", "v", "EXAT", "1"));
        assertEquals(":0", kv.exec("EXISTS", "k"));
        kv.exec("SET", "k", "old");
        assertEquals("$old", kv.exec("SET", "k", "v", "PXAT", "1", "GET"));
        assertEquals(":0", kv.exec("EXISTS", "k"));
        assertEquals("(nil)", kv.exec("SET", "k", "v", "EXAT", "1", "GET"));
    }

    @Test
    void setnxSetexPsetexGetset()
    {
        assertEquals(":1", kv.exec("SETNX", "k", "a"));
        assertEquals(":0", kv.exec("SETNX", "k", "b"));
        assertEquals("$a", kv.exec("GET", "k"));
        assertEquals("+OK", kv.exec("SETEX", "k", "100", "b"));
        assertEquals(":100", kv.exec("TTL", "k"));
        assertEquals("$b", kv.exec("GET", "k"));
        assertEquals("+OK", kv.exec("PSETEX", "k", "2500", "c"));
        assertEquals(":2500", kv.exec("PTTL", "k"));
        assertEquals("-ERR invalid expire time in 'setex' command", kv.exec("SETEX", "k", "0", "v"));
        assertEquals("-ERR invalid expire time in 'psetex' command", kv.exec("PSETEX", "k", "-1", "v"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("SETEX", "k", "abc", "v"));
        assertEquals("$c", kv.exec("GET", "k"));
        assertEquals("$c", kv.exec("GETSET", "k", "d"));
        assertEquals(":-1", kv.exec("TTL", "k"));
        assertEquals("(nil)", kv.exec("GETSET", "new", "e"));
        assertEquals("$e", kv.exec("GET", "new"));
        assertEquals("-ERR wrong number of arguments for 'setnx' command", kv.exec("SETNX", "k"));
    }

    @Test
    void getdelAndGetex()
    {
        kv.exec("SET", "k", "v");
        assertEquals("$v", kv.exec("GETDEL", "k"));
        assertEquals("(nil)", kv.exec("GETDEL", "k"));
        assertEquals(":0", kv.exec("EXISTS", "k"));

        kv.exec("SET", "k", "v");
        assertEquals("$v", kv.exec("GETEX", "k"));
        assertEquals(":-1", kv.exec("TTL", "k"));
        assertEquals("$v", kv.exec("GETEX", "k", "EX", "50"));
        assertEquals(":50", kv.exec("TTL", "k"));
        assertEquals("$v", kv.exec("GETEX", "k", "PX", "1234"));
        assertEquals(":1234", kv.exec("PTTL", "k"));
        assertEquals("$v", kv.exec("GETEX", "k", "EXAT", Long.toString(kv.nowMs() / 1000 + 7)));
        assertEquals(":" + (kv.nowMs() / 1000 + 7), kv.exec("EXPIRETIME", "k"));
        assertEquals("$v", kv.exec("GETEX", "k", "PXAT", Long.toString(kv.nowMs() + 99)));
        assertEquals(":99", kv.exec("PTTL", "k"));
        assertEquals("$v", kv.exec("GETEX", "k", "PERSIST"));
        assertEquals(":-1", kv.exec("TTL", "k"));
        assertEquals("$v", kv.exec("GETEX", "k", "PXAT", "1"));
        assertEquals(":0", kv.exec("EXISTS", "k"));

        kv.exec("SET", "k", "v");
        assertEquals("-ERR invalid expire time in 'getex' command", kv.exec("GETEX", "k", "EX", "0"));
        assertEquals("-ERR syntax error", kv.exec("GETEX", "k", "PERSIST", "EX", "1"));
        assertEquals("-ERR syntax error", kv.exec("GETEX", "k", "EX", "10", "PX", "10"));
        assertEquals("-ERR syntax error", kv.exec("GETEX", "k", "FOO"));
        assertEquals("-ERR syntax error", kv.exec("GETEX", "k", "KEEPTTL"));
        assertEquals("-ERR syntax error", kv.exec("GETEX", "nokey", "FOO"));
        // Redis looks the key up before it validates the time.
        assertEquals("(nil)", kv.exec("GETEX", "nokey", "EX", "0"));
        assertEquals(":-1", kv.exec("TTL", "k"));
    }

    @Test
    void mgetMsetMsetnx()
    {
        assertEquals("+OK", kv.exec("MSET", "a", "1", "b", "2"));
        assertEquals("[$1, $2, (nil)]", kv.exec("MGET", "a", "b", "c"));
        assertEquals("-ERR wrong number of arguments for 'mset' command", kv.exec("MSET", "a"));
        assertEquals("-ERR wrong number of arguments for 'mset' command", kv.exec("MSET", "a", "b", "c"));
        assertEquals("-ERR wrong number of arguments for 'msetnx' command", kv.exec("MSETNX", "a", "b", "c"));
        assertEquals(":0", kv.exec("MSETNX", "c", "3", "a", "x"));
        assertEquals("[$1, (nil)]", kv.exec("MGET", "a", "c"));
        assertEquals(":1", kv.exec("MSETNX", "c", "3", "d", "4"));
        assertEquals("[$3, $4]", kv.exec("MGET", "c", "d"));
        kv.exec("SET", "a", "new", "EX", "100");
        kv.exec("MSET", "a", "again");
        assertEquals(":-1", kv.exec("TTL", "a"));
    }

    @Test
    void appendAndStrlen()
    {
        assertEquals(":0", kv.exec("STRLEN", "k"));
        assertEquals(":5", kv.exec("APPEND", "k", "hello"));
        assertEquals(":11", kv.exec("APPEND", "k", " world"));
        assertEquals("$hello world", kv.exec("GET", "k"));
        assertEquals(":11", kv.exec("STRLEN", "k"));
        assertEquals(":11", kv.exec("APPEND", "k", ""));
        kv.exec("SET", "n", "5");
        kv.exec("INCR", "n");
        assertEquals(":1", kv.exec("STRLEN", "n"));
        assertEquals(":3", kv.exec("APPEND", "n", "12"));
        assertEquals("$612", kv.exec("GET", "n"));
        assertEquals(":613", kv.exec("INCR", "n"));
        kv.exec("INCRBY", "neg", "-123456789012");
        assertEquals(":13", kv.exec("STRLEN", "neg"));
        assertEquals(":14", kv.exec("APPEND", "neg", "x"));
        assertEquals("$-123456789012x", kv.exec("GET", "neg"));
        // Appending keeps the TTL.
        kv.exec("SET", "t", "a", "EX", "100");
        kv.exec("APPEND", "t", "b");
        assertEquals(":100", kv.exec("TTL", "t"));
        // Growing through many block sizes keeps every byte.
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            final String piece = "piece" + i + ";";
            expected.append(piece);
            assertEquals(":" + expected.length(), kv.exec("APPEND", "grow", piece));
        }
        assertEquals("$" + expected, kv.exec("GET", "grow"));
    }

    @Test
    void appendBeyondMaximumLengthIsRefused()
    {
        try (EngineHarness small = new EngineHarness(new StoreConfig(), false, List.of()))
        {
            // The 512 MB limit itself is checked arithmetically: 512 MB - 1 + 2 bytes exceeds it.
            small.exec("SETRANGE", "k", "0", "ab");
            assertEquals("-ERR string exceeds maximum allowed size (proto-max-bulk-len)",
                small.exec("SETRANGE", "k", "536870911", "ab"));
            assertEquals("$ab", small.exec("GET", "k"));
        }
    }

    /**
     * An offset near 2^63 must not wrap the length check (it answered an internal error and left an empty key that
     * was never logged); Redis 7.0.15's answers, checked against redis-server.
     */
    @Test
    void setrangeOffsetsNearTheLongLimitAreRefusedWithoutChange()
    {
        final String tooLong = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)";
        assertEquals(tooLong, kv.exec("SETRANGE", "k", "9223372036854775807", "x"));
        assertEquals(tooLong, kv.exec("SETRANGE", "k", "9223372036854775800", "xyzxyzxyz"));
        assertEquals(":0", kv.exec("EXISTS", "k"));
        assertEquals(":0", kv.exec("SETRANGE", "k", "9223372036854775807", ""));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("SETRANGE", "k", "9223372036854775808", "x"));
        assertEquals("-ERR offset is out of range", kv.exec("SETRANGE", "k", "-9223372036854775808", "x"));
        kv.exec("SET", "k", "abc");
        assertEquals(tooLong, kv.exec("SETRANGE", "k", "9223372036854775807", "x"));
        assertEquals(":3", kv.exec("SETRANGE", "k", "9223372036854775807", ""));
        assertEquals("$abc", kv.exec("GET", "k"));
        assertEquals("$abc", kv.exec("GETRANGE", "k", "-9223372036854775808", "9223372036854775807"));
        assertEquals("$", kv.exec("GETRANGE", "k", "9223372036854775807", "-9223372036854775808"));
        assertEquals("$a", kv.exec("GETRANGE", "k", "-9223372036854775808", "-9223372036854775808"));
        assertEquals("$a", kv.exec("GETRANGE", "k", "0", "-100"));
    }

    /**
     * proto-max-bulk-len may be set above what the store holds in one value: growing a string past the store's
     * limit is then refused with Redis's error text, not an internal error.
     */
    @Test
    void stringsBeyondTheStoreLimitAreRefusedWhateverProtoMaxBulkLen()
    {
        try (EngineHarness small = new EngineHarness(new StoreConfig().maxValueLength(1024), false, List.of(),
            config -> config.maxStringLength(Long.MAX_VALUE)))
        {
            final String tooLong = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)";
            assertEquals(tooLong, small.exec("SETRANGE", "k", "1024", "x"));
            assertEquals(tooLong, small.exec("SET", "k", "x".repeat(1025)));
            assertEquals(tooLong, small.exec("APPEND", "k", "x".repeat(1025)));
            assertEquals(tooLong, small.exec("MSET", "a", "1", "k", "x".repeat(1025)));
            assertEquals(":0", small.exec("EXISTS", "k", "a"));
            assertEquals(":1024", small.exec("SETRANGE", "k", "1023", "x"));
            assertEquals(tooLong, small.exec("APPEND", "k", "x"));
            assertEquals(":1024", small.exec("STRLEN", "k"));
        }
    }

    @Test
    void getrange()
    {
        kv.exec("SET", "k", "This is a string");
        assertEquals("$This", kv.exec("GETRANGE", "k", "0", "3"));
        assertEquals("$ing", kv.exec("GETRANGE", "k", "-3", "-1"));
        assertEquals("$This is a string", kv.exec("GETRANGE", "k", "0", "-1"));
        assertEquals("$string", kv.exec("GETRANGE", "k", "10", "100"));
        assertEquals("$", kv.exec("GETRANGE", "k", "5", "3"));
        assertEquals("$", kv.exec("GETRANGE", "k", "-1", "-5"));
        assertEquals("$T", kv.exec("GETRANGE", "k", "-100", "0"));
        assertEquals("$", kv.exec("GETRANGE", "k", "100", "200"));
        assertEquals("$", kv.exec("GETRANGE", "nokey", "0", "-1"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("GETRANGE", "k", "a", "1"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("GETRANGE", "nokey", "0", "b"));
        kv.exec("INCRBY", "n", "12345");
        assertEquals("$234", kv.exec("GETRANGE", "n", "1", "3"));
        kv.exec("SET", "e", "");
        assertEquals("$", kv.exec("GETRANGE", "e", "0", "-1"));
    }

    @Test
    void setrange()
    {
        kv.exec("SET", "k", "Hello World");
        assertEquals(":11", kv.exec("SETRANGE", "k", "6", "Redis"));
        assertEquals("$Hello Redis", kv.exec("GET", "k"));
        assertEquals(":11", kv.exec("SETRANGE", "p", "6", "Redis"));
        assertEquals("$\u0000\u0000\u0000\u0000\u0000\u0000Redis", kv.exec("GET", "p"));
        assertEquals(":14", kv.exec("SETRANGE", "k", "12", "!!"));
        assertEquals("$Hello Redis\u0000!!", kv.exec("GET", "k"));
        assertEquals(":0", kv.exec("SETRANGE", "absent", "5", ""));
        assertEquals(":0", kv.exec("EXISTS", "absent"));
        assertEquals(":14", kv.exec("SETRANGE", "k", "100", ""));
        assertEquals("-ERR offset is out of range", kv.exec("SETRANGE", "k", "-1", "x"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("SETRANGE", "k", "x", "x"));
        assertEquals("-ERR string exceeds maximum allowed size (proto-max-bulk-len)",
            kv.exec("SETRANGE", "k", "536870912", "x"));
        assertEquals("$Hello Redis\u0000!!", kv.exec("GET", "k"));
        kv.exec("SET", "n", "0");
        kv.exec("INCRBY", "n", "98765");
        assertEquals(":5", kv.exec("SETRANGE", "n", "0", "1"));
        assertEquals("$18765", kv.exec("GET", "n"));
        assertEquals(":18766", kv.exec("INCR", "n"));
    }

    @Test
    void wrongTypeForJsonWhereBytesAreAddressed()
    {
        assertEquals("+OK", kv.execKind(RequestBatch.VALUE_JSON, "SET", "j", "{\"a\": [1, 2]}"));
        assertEquals("${\"a\":[1,2]}", kv.exec("GET", "j"));
        assertEquals("[${\"a\":[1,2]}]", kv.exec("MGET", "j"));
        final String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        assertEquals(wrongType, kv.exec("STRLEN", "j"));
        assertEquals(wrongType, kv.exec("APPEND", "j", "x"));
        assertEquals(wrongType, kv.exec("GETRANGE", "j", "0", "1"));
        assertEquals(wrongType, kv.exec("SETRANGE", "j", "0", "x"));
        assertEquals(wrongType, kv.exec("INCR", "j"));
        assertEquals(wrongType, kv.exec("INCRBYFLOAT", "j", "1"));
        assertEquals("${\"a\":[1,2]}", kv.exec("GET", "j"));
        assertEquals("+json", kv.exec("TYPE", "j"));
        assertEquals("${\"a\":[1,2]}", kv.exec("GETSET", "j", "plain"));
        assertEquals("+string", kv.exec("TYPE", "j"));
    }
}
