package io.ringkv.core.command;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CounterCommandsTest
{
    private static final String NOT_INTEGER = "-ERR value is not an integer or out of range";
    private static final String NOT_FLOAT = "-ERR value is not a valid float";

    private final EngineHarness kv = new EngineHarness();

    @AfterEach
    void close()
    {
        kv.close();
    }

    @Test
    void incrementsAndDecrements()
    {
        assertEquals(":1", kv.exec("INCR", "n"));
        assertEquals(":2", kv.exec("incr", "n"));
        assertEquals(":1", kv.exec("DECR", "n"));
        assertEquals(":11", kv.exec("INCRBY", "n", "10"));
        assertEquals(":-9", kv.exec("DECRBY", "n", "20"));
        assertEquals(":-10", kv.exec("DECR", "n"));
        assertEquals("$-10", kv.exec("GET", "n"));
        assertEquals(":-1", kv.exec("DECR", "fresh"));
        assertEquals(":5", kv.exec("INCRBY", "other", "5"));
    }

    @Test
    void parsesStringsLikeRedis()
    {
        kv.exec("SET", "n", "41");
        assertEquals(":42", kv.exec("INCR", "n"));
        kv.exec("SET", "n", "-9223372036854775808");
        assertEquals(":-9223372036854775807", kv.exec("INCR", "n"));
        for (final String bad : new String[]{"", " 1", "1 ", "+1", "01", "-0", "1.0", "abc",
            "9223372036854775808", "-9223372036854775809", "123456789012345678901"})
        {
            kv.exec("SET", "s", bad);
            assertEquals(NOT_INTEGER, kv.exec("INCR", "s"), bad);
            assertEquals("$" + bad, kv.exec("GET", "s"));
        }
        assertEquals(NOT_INTEGER, kv.exec("INCRBY", "n", "x"));
        assertEquals(NOT_INTEGER, kv.exec("INCRBY", "n", "1.5"));
        assertEquals(NOT_INTEGER, kv.exec("DECRBY", "n", ""));
    }

    @Test
    void overflowIsRefusedAndChangesNothing()
    {
        kv.exec("SET", "max", "9223372036854775807");
        assertEquals("-ERR increment or decrement would overflow", kv.exec("INCR", "max"));
        assertEquals("$9223372036854775807", kv.exec("GET", "max"));
        kv.exec("SET", "min", "-9223372036854775808");
        assertEquals("-ERR increment or decrement would overflow", kv.exec("DECR", "min"));
        assertEquals("-ERR increment or decrement would overflow", kv.exec("INCRBY", "min", "-1"));
        assertEquals("$-9223372036854775808", kv.exec("GET", "min"));
        assertEquals("-ERR decrement would overflow", kv.exec("DECRBY", "x", "-9223372036854775808"));
        assertEquals(":0", kv.exec("EXISTS", "x"));
        kv.exec("SET", "one", "1");
        assertEquals("-ERR increment or decrement would overflow", kv.exec("INCRBY", "one", "9223372036854775807"));
        assertEquals(":9223372036854775807", kv.exec("INCRBY", "zero", "9223372036854775807"));
    }

    @Test
    void incrKeepsTtl()
    {
        kv.exec("SET", "n", "1", "EX", "100");
        kv.exec("INCR", "n");
        assertEquals(":100", kv.exec("TTL", "n"));
        kv.exec("INCRBYFLOAT", "n", "0.5");
        assertEquals(":100", kv.exec("TTL", "n"));
    }

    @Test
    void incrbyfloatMatchesRedisFormatting()
    {
        kv.exec("SET", "f", "10.50");
        assertEquals("$10.6", kv.exec("INCRBYFLOAT", "f", "0.1"));
        assertEquals("$5.6", kv.exec("INCRBYFLOAT", "f", "-5"));
        kv.exec("SET", "f", "5.0e3");
        assertEquals("$5200", kv.exec("INCRBYFLOAT", "f", "2.0e2"));
        assertEquals("$5200", kv.exec("GET", "f"));
        kv.exec("SET", "f", "1e20");
        assertEquals("$100000000000000000000", kv.exec("INCRBYFLOAT", "f", "1"));
        assertEquals("$100000000000000000016", kv.exec("INCRBYFLOAT", "f", "0x10"));
        assertEquals("$100000000000000000016", kv.exec("INCRBYFLOAT", "f", "+1"));
        kv.exec("SET", "f", "0.1");
        assertEquals("$0.3", kv.exec("INCRBYFLOAT", "f", "0.2"));
        kv.exec("SET", "f", "1e-30");
        assertEquals("$0", kv.exec("INCRBYFLOAT", "f", "0"));
        kv.exec("SET", "f", "-0");
        assertEquals("$0", kv.exec("INCRBYFLOAT", "f", "0"));
        assertEquals("$3.5", kv.exec("INCRBYFLOAT", "new", "3.5"));
        kv.exec("INCRBY", "int", "7");
        assertEquals("$7.25", kv.exec("INCRBYFLOAT", "int", "0.25"));
        assertEquals("+string", kv.exec("TYPE", "int"));
        kv.exec("SET", "whole", "3");
        assertEquals("$4", kv.exec("INCRBYFLOAT", "whole", "1"));
        assertEquals(":5", kv.exec("INCR", "whole"));
    }

    @Test
    void incrbyfloatAcceptsWhatStrtoldAccepts()
    {
        // Each checked against redis-server 7.0.15.
        final String[][] cases = {
            {"0x1.8p3", "12"}, {"-0x10", "-16"}, {".5", "0.5"}, {"5.", "5"}, {"00012", "12"}, {"1e-4950", "0"},
            {"0x1p-16445", "0"}, {"1E2", "100"}, {"+.25e1", "2.5"}};
        for (final String[] c : cases)
        {
            kv.exec("SET", "z", "0");
            assertEquals("$" + c[1], kv.exec("INCRBYFLOAT", "z", c[0]), c[0]);
        }
        for (final String bad : new String[]{"1e", "1.2e4932", "1e-4960", "1_0", "-nan", "0x", "e5", "."})
        {
            assertEquals(NOT_FLOAT, kv.exec("INCRBYFLOAT", "z", bad), bad);
        }
    }

    @Test
    void incrbyfloatErrorsChangeNothing()
    {
        kv.exec("SET", "f", "1.5");
        assertEquals(NOT_FLOAT, kv.exec("INCRBYFLOAT", "f", "abc"));
        assertEquals(NOT_FLOAT, kv.exec("INCRBYFLOAT", "f", " 1"));
        assertEquals(NOT_FLOAT, kv.exec("INCRBYFLOAT", "f", "1 "));
        assertEquals(NOT_FLOAT, kv.exec("INCRBYFLOAT", "f", "nan"));
        assertEquals(NOT_FLOAT, kv.exec("INCRBYFLOAT", "f", ""));
        assertEquals(NOT_FLOAT, kv.exec("INCRBYFLOAT", "f", "1e5000"));
        assertEquals(NOT_FLOAT, kv.exec("INCRBYFLOAT", "f", "1e-5000"));
        assertEquals("-ERR increment would produce NaN or Infinity", kv.exec("INCRBYFLOAT", "f", "inf"));
        assertEquals("-ERR increment would produce NaN or Infinity", kv.exec("INCRBYFLOAT", "f", "-Infinity"));
        kv.exec("SET", "s", "text");
        assertEquals(NOT_FLOAT, kv.exec("INCRBYFLOAT", "s", "1"));
        assertEquals("$1.5", kv.exec("GET", "f"));
        assertEquals("$text", kv.exec("GET", "s"));
    }

    @Test
    void incrbyfloatHugeValuesPrintEveryDigit()
    {
        kv.exec("SET", "k", "3");
        final String result = kv.exec("INCRBYFLOAT", "k", "1.5e400");
        // Redis prints the exact binary value of the long double: 401 digits starting like this.
        assertEquals(402, result.length());
        assertEquals("$14999999999999999999787571258180632757602016556244109946451118100412878837797666939640857023" +
            "7865633", result.substring(0, 100));
    }
}
