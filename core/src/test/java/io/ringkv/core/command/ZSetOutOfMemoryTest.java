package io.ringkv.core.command;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sorted-set write refused for memory changes nothing: a ZADD that creates a key leaves no key (never an empty
 * sorted set), and a refused ZADD to an existing listpack set leaves its members as they were (a skip list keeps
 * what was added before the refusal, and the change log says so). The budget is set to the
 * memory in use, so that any write needing a new allocator page is refused, for members of every length up to the
 * listpack limit and past it (the skip list).
 */
class ZSetOutOfMemoryTest
{
    @Test
    void refusedWritesLeaveNoEmptyKeyAndNoHalfChange()
    {
        int refused = 0;
        for (int length = 1; length <= 80; length++)
        {
            try (EngineHarness kv = new EngineHarness())
            {
                kv.exec("ZADD", "existing", "1", "a", "2", "b");
                kv.exec("SET", "filler", "x".repeat(length));
                kv.keyspace.maxMemoryBytes(kv.keyspace.usedMemoryBytes());
                final String member = "m".repeat(length);
                final String created = kv.exec("ZADD", "new" + length, "1", member);
                if (created.startsWith("-OOM"))
                {
                    refused++;
                    assertEquals("+none", kv.exec("TYPE", "new" + length), "a refused ZADD leaves no key");
                }
                else
                {
                    assertEquals(":1", created);
                    assertEquals(":1", kv.exec("ZCARD", "new" + length));
                }
                final String grown = kv.exec("ZADD", "existing", "3", member, "4", member + "2");
                if (grown.startsWith("-OOM") && length < 64)
                {
                    refused++;
                    assertEquals("[$a, $b]", kv.exec("ZRANGE", "existing", "0", "-1"), "nothing half done");
                }
            }
        }
        assertTrue(refused > 0, "the budget refused some writes");
    }
}
