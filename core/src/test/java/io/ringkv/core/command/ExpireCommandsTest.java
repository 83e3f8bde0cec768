package io.ringkv.core.command;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExpireCommandsTest
{
    @AutoClose
    private final EngineHarness kv = new EngineHarness();

    @Test
    void expireFamily()
    {
        kv.exec("SET", "k", "v");
        assertEquals(":0", kv.exec("EXPIRE", "nokey", "10"));
        assertEquals(":1", kv.exec("EXPIRE", "k", "10"));
        assertEquals(":10", kv.exec("TTL", "k"));
        assertEquals(":10000", kv.exec("PTTL", "k"));
        assertEquals(":1", kv.exec("PEXPIRE", "k", "2500"));
        assertEquals(":3", kv.exec("TTL", "k"));
        assertEquals(":2500", kv.exec("PTTL", "k"));
        final long at = kv.nowMs() / 1000 + 60;
        assertEquals(":1", kv.exec("EXPIREAT", "k", Long.toString(at)));
        assertEquals(":" + at, kv.exec("EXPIRETIME", "k"));
        assertEquals(":" + at * 1000, kv.exec("PEXPIRETIME", "k"));
        assertEquals(":1", kv.exec("PEXPIREAT", "k", Long.toString(kv.nowMs() + 1234)));
        assertEquals(":" + (kv.nowMs() + 1234), kv.exec("PEXPIRETIME", "k"));
        // EXPIRETIME rounds to the nearest second, as Redis does.
        assertEquals(":1", kv.exec("PEXPIREAT", "k", "1700000000500000"));
        assertEquals(":1700000000500", kv.exec("EXPIRETIME", "k"));
        assertEquals(":1", kv.exec("PEXPIREAT", "k", "1700000000499999"));
        assertEquals(":1700000000500", kv.exec("EXPIRETIME", "k"));
        assertEquals(":1", kv.exec("PEXPIREAT", "k", "1700000000499499"));
        assertEquals(":1700000000499", kv.exec("EXPIRETIME", "k"));
        assertEquals(":1", kv.exec("PERSIST", "k"));
        assertEquals(":0", kv.exec("PERSIST", "k"));
        assertEquals(":0", kv.exec("PERSIST", "nokey"));
        assertEquals(":-1", kv.exec("TTL", "k"));
        assertEquals(":-1", kv.exec("EXPIRETIME", "k"));
        assertEquals(":-2", kv.exec("TTL", "nokey"));
        assertEquals(":-2", kv.exec("PTTL", "nokey"));
        assertEquals(":-2", kv.exec("EXPIRETIME", "nokey"));
        assertEquals(":-2", kv.exec("PEXPIRETIME", "nokey"));
    }

    /**
     * Expiry arithmetic at the limits of 64 bits, with Redis 7.0.15's answers (checked against redis-server).
     */
    @Test
    void expiryAtTheLimitsOf64Bits()
    {
        kv.exec("SET", "k", "v");
        for (final String[] refused : new String[][]{{"EXPIRE", "9223372036854775807"}, {"EXPIRE", "9223372036854775"},
            {"EXPIRE", "-9223372036854775808"}, {"PEXPIRE", "9223372036854775807"}, {"EXPIREAT", "9223372036854775807"}})
        {
            assertEquals("-ERR invalid expire time in '" + refused[0].toLowerCase() + "' command",
                kv.exec(refused[0], "k", refused[1]));
        }
        for (final String[] refused : new String[][]{{"EX", "9223372036854775807"}, {"EX", "9223372036854775"},
            {"PX", "9223372036854775807"}, {"EXAT", "9223372036854775807"}})
        {
            assertEquals("-ERR invalid expire time in 'set' command", kv.exec("SET", "k", "v", refused[0], refused[1]));
            assertEquals("-ERR invalid expire time in 'getex' command", kv.exec("GETEX", "k", refused[0], refused[1]));
        }
        assertEquals(":-1", kv.exec("TTL", "k"));
        assertEquals(":1", kv.exec("PEXPIREAT", "k", "9223372036854775807"));
        assertEquals(":9223372036854775807", kv.exec("PEXPIRETIME", "k"));
        // (2^63 - 1 + 500) / 1000 in unsigned arithmetic, as Redis answers; it used to overflow to a negative.
        assertEquals(":9223372036854776", kv.exec("EXPIRETIME", "k"));
        assertEquals(":" + (Long.MAX_VALUE - kv.nowMs()), kv.exec("PTTL", "k"));
        assertEquals(":" + (Long.MAX_VALUE - kv.nowMs() + 500) / 1000, kv.exec("TTL", "k"));
        assertEquals("+OK", kv.exec("SET", "k", "v", "EXAT", "9223372036854775"));
        assertEquals(":9223372036854775", kv.exec("EXPIRETIME", "k"));
    }

    @Test
    void ttlRoundsToNearestSecond()
    {
        kv.exec("SET", "k", "v", "PX", "1499");
        assertEquals(":1", kv.exec("TTL", "k"));
        kv.exec("SET", "k", "v", "PX", "1500");
        assertEquals(":2", kv.exec("TTL", "k"));
    }

    @Test
    void pastOrNegativeTimeDeletes()
    {
        kv.exec("SET", "k", "v");
        assertEquals(":1", kv.exec("EXPIRE", "k", "-1"));
        assertEquals(":0", kv.exec("EXISTS", "k"));
        kv.exec("SET", "k", "v");
        assertEquals(":1", kv.exec("PEXPIREAT", "k", "1"));
        assertEquals(":0", kv.exec("EXISTS", "k"));
        kv.exec("SET", "k", "v");
        assertEquals(":1", kv.exec("EXPIRE", "k", "0"));
        assertEquals(":0", kv.exec("EXISTS", "k"));
    }

    @Test
    void conditionalOptions()
    {
        kv.exec("SET", "k", "v");
        assertEquals(":0", kv.exec("EXPIRE", "k", "100", "XX"));
        assertEquals(":0", kv.exec("EXPIRE", "k", "100", "GT"));
        assertEquals(":-1", kv.exec("TTL", "k"));
        assertEquals(":1", kv.exec("EXPIRE", "k", "100", "NX"));
        assertEquals(":0", kv.exec("EXPIRE", "k", "200", "NX"));
        assertEquals(":1", kv.exec("EXPIRE", "k", "200", "XX"));
        assertEquals(":0", kv.exec("EXPIRE", "k", "100", "GT"));
        assertEquals(":0", kv.exec("EXPIRE", "k", "200", "GT"));
        assertEquals(":1", kv.exec("EXPIRE", "k", "300", "gt"));
        assertEquals(":0", kv.exec("EXPIRE", "k", "400", "LT"));
        assertEquals(":1", kv.exec("EXPIRE", "k", "50", "LT"));
        assertEquals(":50", kv.exec("TTL", "k"));
        assertEquals(":1", kv.exec("EXPIRE", "k", "60", "XX", "GT"));
        // A repeated option is accepted; NX fails on a key that has a TTL.
        assertEquals(":0", kv.exec("EXPIRE", "k", "30", "NX", "NX"));
        assertEquals(":60", kv.exec("TTL", "k"));
        kv.exec("PERSIST", "k");
        // LT on a key without TTL: no TTL counts as infinite, so any TTL is less.
        assertEquals(":1", kv.exec("EXPIRE", "k", "70", "LT"));
        assertEquals(":70", kv.exec("TTL", "k"));
    }

    @Test
    void errors()
    {
        kv.exec("SET", "k", "v", "EX", "100");
        assertEquals("-ERR NX and XX, GT or LT options at the same time are not compatible",
            kv.exec("EXPIRE", "k", "10", "NX", "XX"));
        assertEquals("-ERR NX and XX, GT or LT options at the same time are not compatible",
            kv.exec("EXPIRE", "k", "10", "NX", "GT"));
        assertEquals("-ERR GT and LT options at the same time are not compatible",
            kv.exec("EXPIRE", "k", "10", "GT", "LT"));
        assertEquals("-ERR Unsupported option foo", kv.exec("EXPIRE", "k", "10", "foo"));
        // Options are checked before the time, the time before the key.
        assertEquals("-ERR NX and XX, GT or LT options at the same time are not compatible",
            kv.exec("EXPIRE", "k", "abc", "NX", "XX"));
        assertEquals("-ERR value is not an integer or out of range", kv.exec("EXPIRE", "nokey", "abc"));
        assertEquals("-ERR invalid expire time in 'expire' command",
            kv.exec("EXPIRE", "k", "9223372036854775807"));
        assertEquals("-ERR invalid expire time in 'pexpire' command",
            kv.exec("PEXPIRE", "k", "9223372036854775807"));
        assertEquals("-ERR invalid expire time in 'expireat' command",
            kv.exec("EXPIREAT", "k", "9223372036854775807"));
        assertEquals("-ERR wrong number of arguments for 'expire' command", kv.exec("EXPIRE", "k"));
        assertEquals(":100", kv.exec("TTL", "k"));
    }

    @Test
    void lazyAndActiveExpiry()
    {
        for (int i = 0; i < 100; i++)
        {
            kv.exec("SET", "t" + i, "v", "PX", "100");
        }
        kv.exec("SET", "stays", "v");
        assertEquals(":101", kv.exec("DBSIZE"));
        kv.advanceMs(101);
        assertEquals("(nil)", kv.exec("GET", "t0"));
        // Active expiry runs on TICKs through the ring, each bounded in time; a request after a tick is ordered
        // after it. Redis's sampling algorithm may need a few cycles.
        String size = kv.exec("DBSIZE");
        for (int tick = 0; tick < 100 && !size.equals(":1"); tick++)
        {
            kv.engine.tick();
            size = kv.exec("DBSIZE");
        }
        assertEquals(":1", size);
        assertEquals("[$stays]", kv.exec("KEYS", "*"));
    }
}
