package io.ringkv.net.persistence;

import io.ringkv.core.testing.RedisServerProcess;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * INFO persistence against redis-server 7.0.15: the same field names in the same order, without and with the AOF,
 * and the same rdb_last_load_keys_loaded / rdb_last_load_keys_expired after each loads a file of its own written
 * by the same steps (one key of three expired while the file lay on disk), from dump.rdb; from an AOF's RDB base the
 * counts differ as documented (Redis loads the expired key there, ringkv does not create it).
 */
class PersistenceInfoDifferentialTest
{
    @TempDir
    Path dir;

    @Test
    void fieldNamesAndOrderAreRedisOnes() throws Exception
    {
        for (final String appendonly : new String[]{"no", "yes"})
        {
            try (Servers servers = new Servers(dir, appendonly))
            {
                assertEquals(List.copyOf(fields(servers.theirs).keySet()), List.copyOf(fields(servers.ours).keySet()),
                    "appendonly " + appendonly);
            }
        }
    }

    @Test
    void lastLoadCountsKeysLoadedAndExpiredAsRedisDoes() throws Exception
    {
        for (final String appendonly : new String[]{"no", "yes"})
        {
            try (Servers servers = new Servers(dir, appendonly))
            {
                final Jedis r = servers.ours;
                final Jedis s = servers.theirs;
                for (final Jedis client : List.of(r, s))
                {
                    client.set("a", "1");
                    client.set("b", "2");
                    client.set("gone", "3");
                    client.pexpire("gone", 300);
                    if (appendonly.equals("yes"))
                    {
                        client.bgrewriteaof(); // the key with its expiry goes into the RDB base
                        awaitRewrite(client);
                    }
                    else
                    {
                        assertEquals("OK", client.save());
                    }
                    final Map<String, String> fields = fields(client);
                    assertEquals("0", fields.get("rdb_last_load_keys_loaded"));
                    assertEquals("0", fields.get("rdb_last_load_keys_expired"));
                }
            }
            Thread.sleep(500);
            try (Servers servers = new Servers(dir, appendonly))
            {
                final Jedis r = servers.ours;
                final Jedis s = servers.theirs;
                final Map<String, String> redisFields = fields(s);
                final Map<String, String> ringkvFields = fields(r);
                if (appendonly.equals("no"))
                {
                    for (final String name : List.of("rdb_last_load_keys_loaded", "rdb_last_load_keys_expired"))
                    {
                        assertEquals(redisFields.get(name), ringkvFields.get(name), name);
                    }
                    assertEquals("2", ringkvFields.get("rdb_last_load_keys_loaded"));
                }
                else
                {
                    // Redis loads an AOF base's expired key (and expires it after); ringkv's RESTORE ... ABSTTL does
                    // not create it (docs/persistence.md): the counts say what each did.
                    assertEquals(List.of("3", "0"), List.of(redisFields.get("rdb_last_load_keys_loaded"),
                        redisFields.get("rdb_last_load_keys_expired")));
                    assertEquals(List.of("2", "1"), List.of(ringkvFields.get("rdb_last_load_keys_loaded"),
                        ringkvFields.get("rdb_last_load_keys_expired")));
                }
            }
        }
    }

    /** A ringkv and a redis-server, each on a directory of its own for the AOF setting, and a client of each. */
    private static final class Servers implements AutoCloseable
    {
        final TestServer ringkv;
        final RedisServerProcess redis;
        final Jedis ours;
        final Jedis theirs;

        Servers(final Path dir, final String appendonly) throws Exception
        {
            final Path oursDir = Files.createDirectories(dir.resolve("ringkv-" + appendonly));
            final Path theirsDir = Files.createDirectories(dir.resolve("redis-" + appendonly));
            ringkv = TestServer.start("dir", oursDir.toString(), "appendonly", appendonly);
            redis = RedisServerProcess.start("--dir", theirsDir.toString(), "--appendonly", appendonly);
            ours = new Jedis("127.0.0.1", ringkv.port());
            theirs = new Jedis("127.0.0.1", redis.port());
        }

        @Override
        public void close()
        {
            ours.close();
            theirs.close();
            redis.close();
            ringkv.close();
        }
    }

    private static void awaitRewrite(final Jedis client) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 20_000;
        while (!"1".equals(fields(client).get("aof_rewrites")) ||
            !"0".equals(fields(client).get("aof_rewrite_in_progress")))
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError(client.info("persistence"));
            }
            Thread.sleep(20);
        }
    }

    private static Map<String, String> fields(final Jedis client)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String line : client.info("persistence").split("\r\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0)
            {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }
}
