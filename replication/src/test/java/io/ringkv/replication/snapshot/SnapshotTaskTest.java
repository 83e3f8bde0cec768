package io.ringkv.replication.snapshot;

import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static io.ringkv.replication.snapshot.SnapshotEntryDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot sees the keyspace exactly as it was when it started, whatever happens between its steps: updates
 * in place and by replacement, resizes of values, deletes, expiry changes, new keys, and table growth and
 * shrinking with incremental rehash. This thread plays the engine thread.
 */
class SnapshotTaskTest
{
    private final EntryFlyweight entry = new EntryFlyweight();

    @Test
    void capturesThePointInTimeImageWhileEverythingChanges()
    {
        for (long seed = 1; seed <= 6; seed++)
        {
            run(seed);
        }
    }

    private void run(final long seed)
    {
        final Random random = new Random(seed);
        try (Keyspace keyspace = new Keyspace(new StoreConfig().databases(4).initialBuckets(4)))
        {
            final Map<String, String> before = new HashMap<>();
            for (int i = 0; i < 3000; i++)
            {
                final int db = random.nextInt(3);
                final String key = "k" + i;
                final String value = "v" + random.nextInt(1_000_000) + "x".repeat(random.nextInt(40));
                final long expireAtMs = random.nextInt(4) == 0 ? 4_000_000_000_000L + i : 0;
                put(keyspace, db, key, value, expireAtMs);
                before.put(db + "/" + key, value + "@" + expireAtMs);
            }

            final SnapshotTask task = new SnapshotTask(keyspace);
            final Snapshot snapshot = new Snapshot(0, 1 << 22);
            task.start(snapshot);
            assertTrue(task.busy());
            final Map<String, String> captured = new HashMap<>();
            int next = 3000;
            int steps = 0;
            while (!snapshot.isComplete())
            {
                for (int change = 0; change < 40; change++)
                {
                    mutate(keyspace, random, next++);
                }
                task.doWork(0);
                steps++;
                drain(snapshot, captured);
            }
            drain(snapshot, captured);
            assertFalse(task.busy());
            assertFalse(keyspace.snapshotRunning());
            assertTrue(steps > 1, "the scan took one step only; the test proves nothing");
            assertEquals(before, captured, "seed " + seed);
            snapshot.release();
        }
    }

    private void mutate(final Keyspace keyspace, final Random random, final int next)
    {
        final int db = random.nextInt(3);
        final String key = "k" + random.nextInt(next);
        final UnsafeBuffer keyBuffer = buffer(key);
        switch (random.nextInt(8))
        {
            case 0 -> put(keyspace, db, "new" + next, "fresh", 0); // growth, rehash
            case 1 -> put(keyspace, db, key, "replaced-" + "y".repeat(random.nextInt(200)), 0);
            case 2 -> keyspace.delete(db, keyBuffer, 0, keyBuffer.capacity(), 0);
            case 3 ->
            {
                final long address = keyspace.find(db, keyBuffer, 0, keyBuffer.capacity(), 0);
                if (address != Keyspace.NOT_FOUND)
                {
                    keyspace.expireAt(address, random.nextBoolean() ? 0 : 5_000_000_000_000L);
                }
            }
            case 4 ->
            {
                // A write command edits the value in place after its lookup.
                keyspace.writeAccess(true);
                final long address = keyspace.find(db, keyBuffer, 0, keyBuffer.capacity(), 0);
                keyspace.writeAccess(false);
                if (address != Keyspace.NOT_FOUND)
                {
                    final EntryFlyweight entry = this.entry.wrap(address);
                    if (entry.valueLength() > 0)
                    {
                        entry.buffer().putByte(entry.valueOffset(), (byte)'#');
                    }
                }
            }
            case 5 ->
            {
                keyspace.writeAccess(true);
                final long address = keyspace.find(db, keyBuffer, 0, keyBuffer.capacity(), 0);
                keyspace.writeAccess(false);
                if (address != Keyspace.NOT_FOUND)
                {
                    final int oldLength = this.entry.wrap(address).valueLength();
                    final long moved = keyspace.resizeValue(db, address, oldLength + 100);
                    final EntryFlyweight entry = this.entry.wrap(moved);
                    entry.buffer().setMemory(entry.valueOffset() + oldLength, 100, (byte)'+');
                }
            }
            case 6 ->
            {
                // Mass deletes let the table shrink.
                for (int i = 0; i < 30; i++)
                {
                    final UnsafeBuffer other = buffer("k" + random.nextInt(next));
                    keyspace.delete(db, other, 0, other.capacity(), 0);
                }
            }
            default ->
            {
                final long address = keyspace.find(db, keyBuffer, 0, keyBuffer.capacity(), 0);
                if (address != Keyspace.NOT_FOUND)
                {
                    keyspace.type(address, ValueType.STRING);
                }
            }
        }
        keyspace.rehashStep(10_000);
    }

    private void drain(final Snapshot snapshot, final Map<String, String> captured)
    {
        snapshot.ring().read((msgTypeId, buffer, index, length) ->
        {
            if (msgTypeId == MSG_END)
            {
                return;
            }
            final int db = buffer.getShort(index + DB_OFFSET);
            final int keyLength = buffer.getInt(index + KEY_LENGTH_OFFSET);
            final String key = buffer.getStringWithoutLengthUtf8(index + HEADER_LENGTH, keyLength);
            final String value = buffer.getStringWithoutLengthUtf8(index + HEADER_LENGTH + keyLength,
                length - HEADER_LENGTH - keyLength);
            final String previous = captured.put(db + "/" + key,
                value + "@" + buffer.getLong(index + EXPIRE_AT_MS_OFFSET));
            assertNull(previous, "captured twice: " + db + "/" + key);
        }, Integer.MAX_VALUE);
    }

    private void put(final Keyspace keyspace, final int db, final String key, final String value,
        final long expireAtMs)
    {
        putString(keyspace, entry, db, key, value, expireAtMs);
    }

    /** SET of a raw string, as the command layer stores it. */
    static void putString(final Keyspace keyspace, final EntryFlyweight entry, final int db, final String key,
        final String value, final long expireAtMs)
    {
        final UnsafeBuffer keyBuffer = buffer(key);
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        final long address = keyspace.put(db, keyBuffer, 0, keyBuffer.capacity(), ValueType.STRING,
            ValueEncoding.STRING_RAW, bytes.length, expireAtMs);
        entry.wrap(address);
        entry.buffer().putBytes(entry.valueOffset(), bytes);
    }

    static UnsafeBuffer buffer(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }
}
