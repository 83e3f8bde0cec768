package io.ringkv.core.command;

import io.ringkv.core.store.EvictionPolicy;
import io.ringkv.core.store.StoreConfig;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keyspace notifications: the notify-keyspace-events letters as Redis 7.0.15 parses and prints them, the events of
 * commands the differential test does not draw (SPOP, RESTORE, expiry, eviction...), with the sequences redis-server
 * 7.0.15 published for the same commands, the class mask, and a model test: for random commands, the recorded
 * events equal what a plain Java model of Redis's rules predicts.
 */
class KeyspaceEventsTest
{
    @AutoClose
    private final EngineHarness kv = new EngineHarness();
    private final List<String> events = new ArrayList<>();

    private void record(final String classes)
    {
        kv.engine.keyspaceEvents().mask(KeyspaceEvents.parse(classes));
        kv.engine.keyspaceEvents().sink((type, event, db, key, offset, length) ->
            events.add(db + ":" + event + "(" + key.getStringWithoutLengthAscii(offset, length) + ")"));
    }

    /** Runs a command and returns the events it published, as "db:event(key)" separated by spaces. */
    private String eventsOf(final String... command)
    {
        events.clear();
        kv.exec(command);
        return String.join(" ", events);
    }

    @Test
    void lettersParseAndPrintAsRedis()
    {
        // CONFIG SET notify-keyspace-events <in>; CONFIG GET's answer, from redis-server 7.0.15.
        final String[][] cases = {
            {"", ""}, {"A", "A"}, {"AKE", "AKE"}, {"Km", "Km"}, {"KEA$", "AKE"}, {"nmAKE", "AKEm"}, {"gx", "gx"},
            {"KEg$lshzxetdnm", "AKEm"}, {"EKn", "nKE"}, {"g$lshzxetd", "A"}, {"mdtexzhsl$g", "Am"}, {"KKKEEg", "gKE"}, {"ztd", "ztd"}, {"x$", "$x"}};
        for (final String[] pair : cases)
        {
            final int mask = KeyspaceEvents.parse(pair[0]);
            assertTrue(mask >= 0, pair[0]);
            assertEquals(pair[1], KeyspaceEvents.format(mask), pair[0]);
            assertEquals(mask & ~KeyspaceEvents.NEW, KeyspaceEvents.parse(pair[1]) & ~KeyspaceEvents.NEW, pair[0]);
        }
        assertEquals(0, KeyspaceEvents.parse(""));
        assertEquals(KeyspaceEvents.ALL, KeyspaceEvents.parse("A"));
        assertEquals(0, KeyspaceEvents.ALL & (KeyspaceEvents.NEW | KeyspaceEvents.KEY_MISS), "A excludes n and m");
        for (final String bad : new String[]{"a", "xyz", "AKE ", "B", "k", "\u00e9", "AKE\u0000", "*", "G"})
        {
            assertEquals(-1, KeyspaceEvents.parse(bad), bad);
        }
        assertEquals("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.", KeyspaceEvents.INVALID_CLASS);
    }

    @Test
    void nothingIsPublishedWithoutAChannelOrAClass()
    {
        record("A");
        assertEquals("", eventsOf("SET", "k", "v"), "neither K nor E");
        record("KE");
        assertEquals("", eventsOf("SET", "k", "v"), "no class");
        record("Eg");
        assertEquals("", eventsOf("SET", "k", "v"));
        assertEquals("0:expire(k)", eventsOf("SET", "k", "v", "EX", "100"));
        assertEquals("0:del(k)", eventsOf("DEL", "k"));
        assertEquals("", eventsOf("GET", "k"), "a miss is class m");
        record("K$");
        assertEquals("0:set(k)", eventsOf("SET", "k", "v", "EX", "100"));
        record("KA");
        assertEquals("0:set(k2) 0:expire(k2)", eventsOf("SET", "k2", "v", "EX", "100"), "A: no 'new'");
        assertEquals("", eventsOf("GET", "missing"), "A: no 'keymiss'");
        record("Knm");
        assertEquals("0:new(k3)", eventsOf("SET", "k3", "v"));
        assertEquals("0:keymiss(missing)", eventsOf("GET", "missing"));
        record("");
        assertEquals("", eventsOf("SET", "k4", "v"));
        assertEquals("", eventsOf("DEL", "k4"));
    }

    /**
     * Sequences redis-server 7.0.15 published (notify-keyspace-events AKEnm, PSUBSCRIBE __keyevent*__:*).
     */
    @Test
    void eventsOfCommandsAsRedisPublishesThem()
    {
        record("KEAnm");
        assertEquals("0:new(s) 0:sadd(s)", eventsOf("SADD", "s", "a", "b", "c"));
        assertEquals("0:spop(s)", eventsOf("SPOP", "s"));
        assertEquals("0:spop(s) 0:del(s)", eventsOf("SPOP", "s", "5"));
        assertEquals("", eventsOf("SPOP", "s"));
        kv.exec("SADD", "s", "1", "2", "3", "4");
        assertEquals("", eventsOf("SPOP", "s", "0"));
        assertEquals("0:spop(s)", eventsOf("SPOP", "s", "2"));
        assertEquals("0:spop(s) 0:del(s)", eventsOf("SPOP", "s", "10"));
        kv.exec("SADD", "s", "a", "b", "c");
        kv.exec("SADD", "t", "b", "c", "d");
        assertEquals("0:srem(s) 0:sadd(t)", eventsOf("SMOVE", "s", "t", "a"));
        assertEquals("0:srem(s)", eventsOf("SMOVE", "s", "t", "b"));
        assertEquals("", eventsOf("SMOVE", "s", "s", "c"));
        assertEquals("0:srem(s) 0:del(s) 0:new(u) 0:sadd(u)", eventsOf("SMOVE", "s", "u", "c"));
        assertEquals("", eventsOf("SMOVE", "nokey", "t", "a"));
        assertEquals("0:srem(t) 0:new(v) 0:sadd(v)", eventsOf("SMOVE", "t", "v", "d"));

        kv.exec("SET", "x", "1");
        final String dump = kv.exec("DUMP", "x").substring(1);
        assertEquals("0:new(y) 0:restore(y)", eventsOf("RESTORE", "y", "0", dump));
        assertEquals("0:new(y) 0:restore(y)", eventsOf("RESTORE", "y", "0", dump, "REPLACE"));
        assertEquals("", eventsOf("RESTORE", "z", "1", dump, "ABSTTL"), "born expired: nothing made");
        assertEquals("0:del(y)", eventsOf("RESTORE", "y", "1", dump, "ABSTTL", "REPLACE"));
        assertEquals("", eventsOf("RESTORE", "x", "0", dump), "BUSYKEY");
        assertEquals("0:keymiss(nokey)", eventsOf("DUMP", "nokey"));

        assertEquals("0:new(c3) 0:copy_to(c3)", eventsOf("COPY", "x", "c3"));
        assertEquals("1:new(c3) 1:copy_to(c3)", eventsOf("COPY", "x", "c3", "DB", "1"));
        assertEquals("1:new(c3) 1:copy_to(c3)", eventsOf("COPY", "x", "c3", "DB", "1", "REPLACE"));
        assertEquals("0:keymiss(nokey)", eventsOf("COPY", "nokey", "c4"));
        assertEquals("", eventsOf("MOVE", "c3", "1"), "already there");
        assertEquals("1:new(x) 0:move_from(x) 1:move_to(x)", eventsOf("MOVE", "x", "1"));
        kv.exec("SET", "a", "1");
        kv.exec("SET", "b", "1");
        assertEquals("0:new(b) 0:rename_from(a) 0:rename_to(b)", eventsOf("RENAME", "a", "b"));
        assertEquals("", eventsOf("RENAME", "b", "b"));

        assertEquals("0:expire(b)", eventsOf("GETEX", "b", "EX", "100"));
        assertEquals("0:persist(b)", eventsOf("GETEX", "b", "PERSIST"));
        assertEquals("", eventsOf("GETEX", "b", "PERSIST"));
        assertEquals("0:del(b)", eventsOf("GETEX", "b", "EXAT", "1"));
        assertEquals("0:keymiss(b)", eventsOf("GETEX", "b"));
        assertEquals("0:keymiss(e) 0:new(e) 0:set(e)", eventsOf("GETSET", "e", "x"));
        assertEquals("0:del(e)", eventsOf("GETDEL", "e"));
        assertEquals("0:new(d) 0:set(d) 0:expire(d)", eventsOf("SETEX", "d", "10", "v"));
        assertEquals("0:set(d) 0:expire(d)", eventsOf("PSETEX", "d", "10000", "v"));
        assertEquals("0:incrbyfloat(d2)", eventsOf("INCRBYFLOAT", "d2", "1.5").replace("0:new(d2) ", ""));
        assertEquals("0:new(h3) 0:hincrby(h3)", eventsOf("HINCRBY", "h3", "n", "1"));
        assertEquals("0:hincrbyfloat(h3)", eventsOf("HINCRBYFLOAT", "h3", "n", "1.5"));
        assertEquals("0:hdel(h3) 0:del(h3)", eventsOf("HDEL", "h3", "n"));
        assertEquals("", eventsOf("FLUSHALL"));
        assertEquals("", eventsOf("SWAPDB", "0", "1"));
    }

    @Test
    void expiredKeysPublishExpiredWhetherReclaimedLazilyOrActively()
    {
        record("KEAnm");
        kv.exec("SET", "a", "1", "PX", "50");
        kv.exec("SET", "c", "1", "PX", "50");
        kv.exec("SET", "m", "1", "PX", "50");
        kv.exec("HSET", "h", "f", "1");
        kv.exec("PEXPIRE", "h", "50");
        kv.advanceMs(100);
        assertEquals("0:expired(a) 0:keymiss(a)", eventsOf("GET", "a"));
        assertEquals("0:expired(c) 0:new(c) 0:set(c)", eventsOf("SET", "c", "2"));
        // MSET looks nothing up first: the store reclaims the expired key as Redis's setKey does.
        assertEquals("0:expired(m) 0:new(m) 0:set(m)", eventsOf("MSET", "m", "2"));
        assertEquals("0:expired(h) 0:new(h) 0:hset(h)", eventsOf("HSET", "h", "f", "1"));
        kv.exec("SET", "b", "1", "PX", "50");
        kv.advanceMs(100);
        events.clear();
        for (int tick = 0; tick < 100 && events.isEmpty(); tick++)
        {
            kv.engine.tick();
            kv.exec("PING");
        }
        assertEquals(List.of("0:expired(b)"), events, "the active cycle");
    }

    /**
     * A key stored with an expiry already past stays until something reclaims it; Redis 7.0.15 (active expiry off)
     * published these sequences.
     */
    @Test
    void keysBornExpiredAsRedisTreatsThem()
    {
        record("KEAnm");
        assertEquals("0:new(c) 0:set(c) 0:expire(c)", eventsOf("SET", "c", "v", "PXAT", "100000"));
        // SDIFFSTORE deletes its destination without looking it up (dbDelete): "del", not "expired".
        assertEquals("0:keymiss(nokey) 0:del(c)", eventsOf("SDIFFSTORE", "c", "nokey"));
        assertEquals("0:new(b) 0:set(b) 0:expire(b)", eventsOf("SET", "b", "v", "EXAT", "100000"));
        // KEYS skips an expired key without reclaiming it.
        assertEquals("", eventsOf("KEYS", "*"));
        assertEquals("0:expired(b) 0:new(b) 0:hset(b)", eventsOf("HSET", "b", "f", "1"));
        assertEquals("0:new(q) 0:set(q) 0:expire(q)", eventsOf("SET", "q", "1", "EXAT", "1"));
        assertEquals("0:expired(q) 0:keymiss(q)", eventsOf("GET", "q"));
    }

    @Test
    void evictedKeysPublishEvicted()
    {
        try (EngineHarness small = new EngineHarness(new StoreConfig().initialBuckets(64), false, List.of()))
        {
            final List<String> evicted = new ArrayList<>();
            small.engine.keyspaceEvents().mask(KeyspaceEvents.parse("Ee"));
            small.engine.keyspaceEvents().sink((type, event, db, key, offset, length) ->
                evicted.add(event + "(" + key.getStringWithoutLengthAscii(offset, length) + ")"));
            for (int i = 0; i < 64; i++)
            {
                small.exec("SET", "key:" + i, "value");
            }
            small.keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_RANDOM);
            small.keyspace.maxMemoryBytes(small.keyspace.evictableUsedBytes() - 16 * 96);
            small.exec("SET", "one-more", "value");
            assertTrue(!evicted.isEmpty(), "keys were evicted");
            assertEquals(small.keyspace.evictedKeys(), evicted.size());
            for (final String event : evicted)
            {
                assertTrue(event.matches("evicted\\(key:\\d+\\)"), event);
                assertEquals(":0", small.exec("EXISTS", event.substring(8, event.length() - 1)));
            }
        }
    }

    @Test
    void hugeKeysAreReportedWhole()
    {
        record("KEAnm");
        final String key = "k".repeat(1 << 20);
        assertEquals("0:new(" + key + ") 0:set(" + key + ")", eventsOf("SET", key, "v"));
        assertEquals("0:del(" + key + ")", eventsOf("DEL", key));
    }

    // ---- the model test ------------------------------------------------------------------------------------------

    private static final String[] KEYS = {"a", "b", "c"};
    private static final String[] MEMBERS = {"1", "2", "x"};

    /**
     * For random commands over a few keys, the recorded events equal what a plain model of Redis's rules predicts:
     * "new" when a key is made, the command's event when it changes something, "del" when a collection empties or a
     * key is deleted, "keymiss" when a read finds nothing.
     */
    @Test
    void eventsEqualTheModel()
    {
        record("KEAnm");
        for (final long seed : new long[]{1, 2, 3, 20261204})
        {
            kv.exec("FLUSHALL");
            final Model model = new Model();
            final Random random = new Random(seed);
            for (int i = 0; i < 3_000; i++)
            {
                final String[] command = model.randomCommand(random);
                final List<String> expected = model.apply(command);
                assertEquals(String.join(" ", expected), eventsOf(command),
                    "seed " + seed + ", command " + i + ": " + String.join(" ", command));
            }
        }
    }

    /** A few keys holding strings, hashes or sets, with Redis's event rules written plainly. */
    private static final class Model
    {
        private final Map<String, Object> keys = new HashMap<>();
        private final Set<String> volatileKeys = new HashSet<>();
        private final List<String> out = new ArrayList<>();

        String[] randomCommand(final Random random)
        {
            final String key = KEYS[random.nextInt(KEYS.length)];
            final String other = KEYS[random.nextInt(KEYS.length)];
            final String member = MEMBERS[random.nextInt(MEMBERS.length)];
            return switch (random.nextInt(16))
            {
                case 0 -> random.nextBoolean() ? new String[]{"SET", key, member} :
                    new String[]{"SET", key, member, "EX", "100"};
                case 1 -> new String[]{"GET", key};
                case 2 -> new String[]{"DEL", key, other};
                case 3 -> new String[]{"APPEND", key, member};
                case 4 -> new String[]{"INCR", key};
                case 5 -> new String[]{"HSET", key, member, "v"};
                case 6 -> new String[]{"HDEL", key, member};
                case 7 -> new String[]{"SADD", key, member};
                case 8 -> new String[]{"SREM", key, member};
                case 9 -> new String[]{"EXPIRE", key, random.nextBoolean() ? "100" : "0"};
                case 10 -> new String[]{"PERSIST", key};
                case 11 -> new String[]{"RENAME", key, other};
                case 12 -> new String[]{"EXISTS", key, other};
                case 13 -> new String[]{"SETNX", key, member};
                case 14 -> new String[]{"SCARD", key};
                default -> new String[]{"SINTERSTORE", key, other};
            };
        }

        List<String> apply(final String[] command)
        {
            out.clear();
            final String key = command[1];
            final Object value = keys.get(key);
            switch (command[0])
            {
                case "SET" ->
                {
                    create(key, command[2]);
                    volatileKeys.remove(key);
                    emit("set", key);
                    if (command.length > 3)
                    {
                        volatileKeys.add(key);
                        emit("expire", key);
                    }
                }
                case "SETNX" ->
                {
                    if (value == null)
                    {
                        create(key, command[2]);
                        emit("set", key);
                    }
                }
                case "GET", "SCARD" -> missOr(key, value);
                case "EXISTS" ->
                {
                    missOr(key, value);
                    missOr(command[2], keys.get(command[2]));
                }
                case "DEL" ->
                {
                    delete(key);
                    if (!command[2].equals(key))
                    {
                        delete(command[2]);
                    }
                }
                case "APPEND" ->
                {
                    if (value == null)
                    {
                        create(key, command[2]);
                        emit("append", key);
                    }
                    else if (value instanceof String text)
                    {
                        keys.put(key, text + command[2]);
                        emit("append", key);
                    }
                }
                case "INCR" ->
                {
                    if (value == null)
                    {
                        create(key, "1");
                        emit("incrby", key);
                    }
                    else if (value instanceof String text && text.matches("-?\\d{1,17}"))
                    {
                        keys.put(key, Long.toString(Long.parseLong(text) + 1));
                        emit("incrby", key);
                    }
                }
                case "HSET" -> addTo(key, value, command[2], true);
                case "SADD" -> addTo(key, value, command[2], false);
                case "HDEL" -> removeFrom(key, value, command[2], true);
                case "SREM" -> removeFrom(key, value, command[2], false);
                case "EXPIRE" ->
                {
                    if (value != null && command[2].equals("0"))
                    {
                        keys.remove(key);
                        volatileKeys.remove(key);
                        emit("del", key);
                    }
                    else if (value != null)
                    {
                        volatileKeys.add(key);
                        emit("expire", key);
                    }
                }
                case "PERSIST" ->
                {
                    if (value != null && volatileKeys.remove(key))
                    {
                        emit("persist", key);
                    }
                }
                case "RENAME" ->
                {
                    final String target = command[2];
                    if (value != null && !target.equals(key))
                    {
                        keys.remove(key);
                        keys.put(target, value);
                        final boolean ttl = volatileKeys.remove(key);
                        volatileKeys.remove(target);
                        if (ttl)
                        {
                            volatileKeys.add(target);
                        }
                        emit("new", target);
                        emit("rename_from", key);
                        emit("rename_to", target);
                    }
                }
                default -> sinterstore(key, command[2]);
            }
            return List.copyOf(out);
        }

        @SuppressWarnings("unchecked")
        private void sinterstore(final String destination, final String source)
        {
            final Object set = keys.get(source);
            if (set != null && !(set instanceof Set))
            {
                return;
            }
            if (set == null)
            {
                emit("keymiss", source);
            }
            final Set<String> result = set == null ? Set.of() : new HashSet<>((Set<String>)set);
            if (result.isEmpty())
            {
                if (keys.remove(destination) != null)
                {
                    volatileKeys.remove(destination);
                    emit("del", destination);
                }
                return;
            }
            if (!keys.containsKey(destination))
            {
                emit("new", destination);
            }
            keys.put(destination, result);
            volatileKeys.remove(destination);
            emit("sinterstore", destination);
        }

        @SuppressWarnings("unchecked")
        private void addTo(final String key, final Object value, final String element, final boolean hash)
        {
            if (value != null && (hash ? !(value instanceof Map) : !(value instanceof Set)))
            {
                return;
            }
            Object collection = value;
            if (collection == null)
            {
                collection = hash ? new HashMap<String, String>() : new HashSet<String>();
                create(key, collection);
            }
            if (hash)
            {
                ((Map<String, String>)collection).put(element, "v");
                emit("hset", key);
            }
            else if (((Set<String>)collection).add(element))
            {
                emit("sadd", key);
            }
        }

        private void removeFrom(final String key, final Object value, final String element, final boolean hash)
        {
            if (value == null || (hash ? !(value instanceof Map) : !(value instanceof Set)))
            {
                return;
            }
            final boolean removed = hash ? ((Map<?, ?>)value).remove(element) != null : ((Set<?>)value).remove(element);
            if (removed)
            {
                emit(hash ? "hdel" : "srem", key);
                if (hash ? ((Map<?, ?>)value).isEmpty() : ((Set<?>)value).isEmpty())
                {
                    keys.remove(key);
                    volatileKeys.remove(key);
                    emit("del", key);
                }
            }
        }

        private void create(final String key, final Object value)
        {
            if (!keys.containsKey(key))
            {
                emit("new", key);
            }
            keys.put(key, value);
        }

        private void delete(final String key)
        {
            if (keys.remove(key) != null)
            {
                volatileKeys.remove(key);
                emit("del", key);
            }
        }

        private void missOr(final String key, final Object value)
        {
            if (value == null)
            {
                emit("keymiss", key);
            }
        }

        private void emit(final String event, final String key)
        {
            out.add("0:" + event + "(" + key + ")");
        }
    }
}
