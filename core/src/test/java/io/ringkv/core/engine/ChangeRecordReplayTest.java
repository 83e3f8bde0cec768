package io.ringkv.core.engine;

import io.ringkv.core.changelog.ChangeRecordFlyweight;
import com.lmax.disruptor.EventHandler;
import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.EngineHarness;
import io.ringkv.core.command.Reply;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.ringkv.core.changelog.ChangeRecordDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replication seam: a consumer behind the engine rebuilds the data from change records alone, and the result
 * equals the keyspace after a long random mix of every writing command, lazy and active expiry included.
 */
class ChangeRecordReplayTest
{
    private static final int DATABASES = 3;
    private static final String[] KEYS = {"a", "b", "c", "d", "e", "f", "num", "", "long-key-" + "x".repeat(40)};

    /** What a replica would hold: applies each record as the engine applied the change. */
    private static final class ModelReplica implements EventHandler<CommandEvent>
    {
        final List<Map<String, Value>> dbs = new ArrayList<>();
        final ChangeRecordFlyweight record = new ChangeRecordFlyweight();
        long lastOffset;
        long records;
        final Map<Byte, Integer> opCounts = new HashMap<>();
        volatile Throwable failure;

        ModelReplica()
        {
            for (int db = 0; db < 16; db++)
            {
                dbs.add(new HashMap<>());
            }
        }

        @Override
        public void onEvent(final CommandEvent event, final long sequence, final boolean endOfBatch)
        {
            try
            {
                final DirectBuffer changes = event.changes();
                int count = 0;
                for (int index = 0; index < event.changesLength(); index += record.recordLength())
                {
                    record.wrap(changes, index);
                    assertEquals(lastOffset + 1, record.replicationOffset(), "replication offsets are consecutive");
                    lastOffset = record.replicationOffset();
                    apply();
                    count++;
                }
                assertEquals(event.changeCount(), count);
            }
            catch (final Throwable ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
            }
        }

        private void apply()
        {
            records++;
            opCounts.merge(record.op(), 1, Integer::sum);
            final Map<String, Value> db = dbs.get(record.db());
            final String key = string(record.buffer(), record.keyOffset(), record.keyLength());
            final byte[] value = new byte[record.valueLength()];
            record.buffer().getBytes(record.valueOffset(), value);
            switch (record.op())
            {
                case OP_SET -> db.put(key, new Value(record.type(), record.encoding(), value, record.expireAtMs()));
                case OP_DEL -> db.remove(key);
                case OP_EXPIREAT -> db.get(key).expireAtMs = record.expireAtMs();
                case OP_PERSIST -> db.get(key).expireAtMs = 0;
                case OP_INCRBY ->
                {
                    final Value old = db.get(key);
                    final long current = old == null ? 0 : old.asLong();
                    db.put(key, new Value(ValueType.STRING, ValueEncoding.STRING_INT,
                        longBytes(current + record.argument()), old == null ? 0 : old.expireAtMs));
                }
                case OP_APPEND ->
                {
                    final Value old = db.get(key);
                    final byte[] text = old == null ? new byte[0] : old.text();
                    final byte[] joined = Arrays.copyOf(text, text.length + value.length);
                    System.arraycopy(value, 0, joined, text.length, value.length);
                    db.put(key, new Value(ValueType.STRING, ValueEncoding.STRING_RAW, joined,
                        old == null ? 0 : old.expireAtMs));
                }
                case OP_SETRANGE ->
                {
                    final Value old = db.get(key);
                    final byte[] text = old == null ? new byte[0] : old.text();
                    final int offset = (int)record.argument();
                    final byte[] result = Arrays.copyOf(text, Math.max(text.length, offset + value.length));
                    System.arraycopy(value, 0, result, offset, value.length);
                    db.put(key, new Value(ValueType.STRING, ValueEncoding.STRING_RAW, result,
                        old == null ? 0 : old.expireAtMs));
                }
                case OP_RENAME -> db.put(string(value), db.remove(key));
                case OP_COPY -> dbs.get(record.targetDb()).put(string(value), db.get(key).copy());
                case OP_FLUSHDB -> db.clear();
                case OP_FLUSHALL -> dbs.forEach(Map::clear);
                default -> throw new AssertionError("unknown op " + record.op());
            }
        }
    }

    private static final class Value
    {
        final byte type;
        final byte encoding;
        final byte[] bytes;
        long expireAtMs;

        Value(final byte type, final byte encoding, final byte[] bytes, final long expireAtMs)
        {
            this.type = type;
            this.encoding = encoding;
            this.bytes = bytes;
            this.expireAtMs = expireAtMs;
        }

        Value copy()
        {
            return new Value(type, encoding, bytes.clone(), expireAtMs);
        }

        long asLong()
        {
            return encoding == ValueEncoding.STRING_INT && type == ValueType.STRING ?
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong() : Long.parseLong(string(bytes));
        }

        byte[] text()
        {
            return encoding == ValueEncoding.STRING_INT && type == ValueType.STRING ?
                Long.toString(asLong()).getBytes(StandardCharsets.US_ASCII) : bytes;
        }
    }

    /**
     * A test-only command that breaks the failed-command rule unless the engine enforces it: FAILAFTERWRITE key
     * other value [FLUSH] sets key to value and logs that, then changes other behind the change log's back (edits
     * its value in place, creates or deletes it), gives key an expiry without logging it, optionally flushes the
     * database and writes a key after the flush, and then throws as a bug would.
     */
    private static void failAfterWrite(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final long nowMs = context.nowMs();
        final DirectBuffer buffer = args.buffer();
        final EntryFlyweight entry = context.entry();
        final long address = keyspace.put(db, buffer, args.offset(1), args.length(1), ValueType.STRING,
            ValueEncoding.STRING_RAW, args.length(3), Keyspace.NO_EXPIRY);
        entry.wrap(address).buffer().putBytes(entry.valueOffset(), buffer, args.offset(3), args.length(3));
        context.changeLog().set(db, address);

        final long other = keyspace.find(db, buffer, args.offset(2), args.length(2), nowMs);
        if (other == Keyspace.NOT_FOUND)
        {
            final long created = keyspace.put(db, buffer, args.offset(2), args.length(2), ValueType.STRING,
                ValueEncoding.STRING_RAW, 1, Keyspace.NO_EXPIRY);
            entry.wrap(created).buffer().putByte(entry.valueOffset(), (byte)'U');
        }
        else if (entry.wrap(other).type() == ValueType.STRING && entry.encoding() == ValueEncoding.STRING_RAW &&
            entry.valueLength() > 0)
        {
            entry.buffer().putByte(entry.valueOffset(), (byte)'Z');
        }
        else
        {
            keyspace.delete(db, other);
        }
        final long again = keyspace.find(db, buffer, args.offset(1), args.length(1), nowMs);
        if (again != Keyspace.NOT_FOUND)
        {
            keyspace.expireAt(again, nowMs + 60_000);
        }
        if (args.count() > 4)
        {
            keyspace.flush(db);
            final long afterFlush = keyspace.put(db, buffer, args.offset(3), args.length(3), ValueType.STRING,
                ValueEncoding.STRING_RAW, 2, Keyspace.NO_EXPIRY);
            entry.wrap(afterFlush).buffer().putShort(entry.valueOffset(), (short)0x4242);
        }
        throw new IllegalStateException("injected failure after writing");
    }

    private static void registerFailingCommand(final EngineHarness kv)
    {
        kv.commands.register("failafterwrite", -4, Command.WRITE, ChangeRecordReplayTest::failAfterWrite);
    }

    /**
     * The failed-command rule: a handler that applied changes it never logged and then failed leaves the change
     * log describing the master's state all the same.
     */
    @Test
    void aCommandThatFailsAfterWritingLeavesNoUnloggedChange()
    {
        final ModelReplica replica = new ModelReplica();
        final EngineHarness kv = new EngineHarness(new StoreConfig(), false, List.of(replica));
        registerFailingCommand(kv);
        try
        {
            kv.exec("SET", "edited", "hello");
            kv.exec("INCR", "deleted");
            kv.exec("SET", "kept", "v", "PX", "5000");
            final String failure = "-ERR internal error in 'failafterwrite': " +
                "java.lang.IllegalStateException: injected failure after writing";
            assertEquals(failure, kv.exec("FAILAFTERWRITE", "a", "edited", "x"));
            assertEquals("$Zello", kv.exec("GET", "edited"));
            assertEquals(failure, kv.exec("FAILAFTERWRITE", "b", "deleted", "y"));
            assertEquals(failure, kv.exec("FAILAFTERWRITE", "c", "created", "z"));
            assertEquals(":0", kv.exec("EXISTS", "deleted"));
            assertEquals("$U", kv.exec("GET", "created"));
            kv.exec("SELECT", "1");
            kv.exec("SET", "gone", "by flush");
            assertEquals(failure, kv.exec("FAILAFTERWRITE", "d", "e", "after", "FLUSH"));
            assertEquals(":1", kv.exec("DBSIZE"));
            kv.engine.close();
            assertEquals(null, replica.failure);
            compare(kv.keyspace, replica, kv.nowMs(), 0);
        }
        finally
        {
            kv.close();
        }
    }

    @Test
    void recordsRebuildTheKeyspace()
    {
        final long seed = Long.getLong("ringkv.test.seed", 20261121L);
        final int operations = Integer.getInteger("ringkv.test.operations", 30_000);
        final ModelReplica replica = new ModelReplica();
        final Random random = new Random(seed);
        final EngineHarness kv = new EngineHarness(new StoreConfig(), false, List.of(replica));
        registerFailingCommand(kv);
        try
        {
            for (int i = 0; i < operations; i++)
            {
                randomCommand(kv, random);
                if (random.nextInt(100) == 0)
                {
                    kv.advanceMs(random.nextInt(3000));
                }
                if (random.nextInt(200) == 0)
                {
                    kv.engine.tick();
                }
            }
            kv.engine.close();
            assertEquals(null, replica.failure, "seed " + seed);
            assertEquals(replica.lastOffset, kv.engine.replicationOffset());
            assertEquals(replica.records, replica.lastOffset);
            compare(kv.keyspace, replica, kv.nowMs(), seed);
            for (final byte op : new byte[]{OP_SET, OP_DEL, OP_EXPIREAT, OP_PERSIST, OP_INCRBY, OP_APPEND,
                OP_SETRANGE, OP_RENAME, OP_COPY, OP_FLUSHDB})
            {
                assertTrue(replica.opCounts.getOrDefault(op, 0) > 0, "no " + opName(op) + " record, seed " + seed);
            }
        }
        finally
        {
            kv.close();
        }
    }

    private static void randomCommand(final EngineHarness kv, final Random random)
    {
        final String key = KEYS[random.nextInt(KEYS.length)];
        final String other = KEYS[random.nextInt(KEYS.length)];
        final String value = random.nextInt(4) == 0 ? Integer.toString(random.nextInt(2000) - 1000) :
            "v" + random.nextInt(1000) + "x".repeat(random.nextInt(4) == 0 ? random.nextInt(300) : 0);
        final String ttl = Integer.toString(1 + random.nextInt(5000));
        switch (random.nextInt(34))
        {
            case 0, 1, 2 -> kv.exec("SET", key, value);
            case 3 -> kv.exec("SET", key, value, "PX", ttl);
            case 4 -> kv.exec("SET", key, value, random.nextBoolean() ? "NX" : "XX", "GET");
            case 5 -> kv.exec("SET", key, value, "KEEPTTL");
            case 6 -> kv.exec("SET", key, value, "PXAT", Long.toString(kv.nowMs() + random.nextInt(4000) - 2000));
            case 7 -> kv.exec("SETEX", key, "3", value);
            case 8 -> kv.exec("GETSET", key, value);
            case 9 -> kv.exec("GETDEL", key);
            case 10 -> kv.exec("GETEX", key, random.nextBoolean() ? "PERSIST" : "PX", ttl);
            case 11 -> kv.exec("MSET", key, value, other, value + "2");
            case 12 -> kv.exec("MSETNX", key, value, other, value);
            case 13 -> kv.exec("APPEND", key, value);
            case 14 -> kv.exec("SETRANGE", key, Integer.toString(random.nextInt(20)), value);
            case 15, 16 -> kv.exec("INCRBY", key, Integer.toString(random.nextInt(200) - 100));
            case 17 -> kv.exec("INCR", "num");
            case 18 -> kv.exec("INCRBYFLOAT", key, "1.5");
            case 19 -> kv.exec("DEL", key, other);
            case 20 -> kv.exec("EXPIRE", key, Integer.toString(random.nextInt(6) - 1));
            case 21 -> kv.exec("PEXPIREAT", key, Long.toString(kv.nowMs() + random.nextInt(6000) - 1000),
                random.nextBoolean() ? "GT" : "LT");
            case 22 -> kv.exec("PERSIST", key);
            case 23 -> kv.exec("RENAME", key, other);
            case 24 -> kv.exec("RENAMENX", key, other);
            case 25 -> kv.exec("COPY", key, other, "DB", Integer.toString(random.nextInt(DATABASES)), "REPLACE");
            case 26 -> kv.exec("COPY", key, other);
            case 27 -> kv.exec("SELECT", Integer.toString(random.nextInt(DATABASES)));
            case 28 -> kv.exec("GET", key);
            case 29 ->
                kv.execKind(RequestBatch.VALUE_JSON, "SET", key, "{\"n\": [1, 2, {\"k\": " + value.length() + "}]}");
            case 30 -> kv.execKind(RequestBatch.VALUE_INTEGER, "SET", key, Integer.toString(random.nextInt(100)));
            case 31 -> kv.exec("UNLINK", key);
            case 32 ->
            {
                if (random.nextInt(30) == 0)
                {
                    kv.exec("FLUSHDB", random.nextBoolean() ? "ASYNC" : "SYNC");
                }
                else
                {
                    kv.exec("TOUCH", key);
                }
            }
            default ->
            {
                if (random.nextInt(200) == 0)
                {
                    kv.exec("FLUSHALL");
                }
                else if (random.nextInt(50) == 0)
                {
                    if (random.nextInt(10) == 0)
                    {
                        kv.exec("FAILAFTERWRITE", key, other, value, "FLUSH");
                    }
                    else
                    {
                        kv.exec("FAILAFTERWRITE", key, other, value);
                    }
                }
                else
                {
                    kv.exec("EXISTS", key);
                }
            }
        }
    }

    private static void compare(final Keyspace keyspace, final ModelReplica replica, final long nowMs,
        final long seed)
    {
        final EntryFlyweight entry = new EntryFlyweight();
        for (int db = 0; db < 16; db++)
        {
            final Map<String, Value> expected = new HashMap<>(replica.dbs.get(db));
            // The replica has not been told yet about keys that expired without being touched.
            expected.values().removeIf(v -> v.expireAtMs != 0 && v.expireAtMs < nowMs);
            final Map<String, Value> actual = new HashMap<>();
            long cursor = 0;
            do
            {
                cursor = keyspace.scan(db, cursor, 100, address ->
                {
                    entry.wrap(address);
                    final byte[] bytes = new byte[entry.valueLength()];
                    entry.buffer().getBytes(entry.valueOffset(), bytes);
                    actual.put(string(entry.buffer(), entry.keyOffset(), entry.keyLength()),
                        new Value(entry.type(), entry.encoding(), bytes, entry.expireAtMs()));
                }, nowMs);
            }
            while (cursor != 0);
            actual.values().removeIf(v -> v.expireAtMs != 0 && v.expireAtMs < nowMs);
            assertEquals(expected.keySet(), actual.keySet(), "keys of db " + db + ", seed " + seed);
            for (final Map.Entry<String, Value> e : expected.entrySet())
            {
                final Value want = e.getValue();
                final Value got = actual.get(e.getKey());
                final String where = "db " + db + " key '" + e.getKey() + "', seed " + seed;
                assertEquals(want.type, got.type, where);
                assertEquals(want.encoding, got.encoding, where);
                assertArrayEquals(want.bytes, got.bytes, where);
                assertEquals(want.expireAtMs, got.expireAtMs, where);
            }
        }
    }

    private static byte[] longBytes(final long value)
    {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    private static String string(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String string(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return string(bytes);
    }
}
