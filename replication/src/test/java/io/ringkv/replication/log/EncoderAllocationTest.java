package io.ringkv.replication.log;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.engine.CommandEvent;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import io.ringkv.replication.Allocations;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log encoder allocates nothing per change once warmed up: encoding SET, INCRBY, DEL, EXPIREAT, APPEND and
 * RENAME records into the backlog, wrapping it many times.
 */
class EncoderAllocationTest
{
    @Test
    void encodingChangesAllocatesNothing()
    {
        final ReplicationBacklog backlog = new ReplicationBacklog(64 * 1024, 0);
        try (Keyspace keyspace = new Keyspace(new StoreConfig().databases(2)))
        {
            final UnsafeBuffer key = new UnsafeBuffer("user:1000:name".getBytes(StandardCharsets.US_ASCII));
            final UnsafeBuffer other = new UnsafeBuffer("user:1000:nick".getBytes(StandardCharsets.US_ASCII));
            final byte[] value = "a value of thirty-two bytes.....".getBytes(StandardCharsets.US_ASCII);
            final long entry = keyspace.put(1, key, 0, key.capacity(), ValueType.STRING, ValueEncoding.STRING_RAW,
                value.length, 4_102_444_800_000L);
            final EntryFlyweight flyweight = new EntryFlyweight().wrap(entry);
            flyweight.buffer().putBytes(flyweight.valueOffset(), value);

            final CommandEvent event = new CommandEvent();
            final ChangeLog changeLog = new ChangeLog(0);
            final ReplicationLogEncoder encoder = new ReplicationLogEncoder(backlog);
            final Runnable round = () ->
            {
                changeLog.begin(event.changeArea());
                changeLog.set(1, entry);
                changeLog.incrBy(1, key, 0, key.capacity(), -3);
                changeLog.delete(1, key, 0, key.capacity(), true);
                changeLog.expireAt(1, key, 0, key.capacity(), 4_102_444_800_000L);
                changeLog.append(1, key, 0, key.capacity(), key, 0, 4);
                changeLog.rename(1, key, 0, key.capacity(), other, 0, other.capacity());
                encoder.onEvent(event, 0, true);
            };
            final long allocated = Allocations.afterWarmUp(round, 20_000);
            assertEquals(4 * 20_000L * 6, backlog.lastRecord()); // a warm-up and three measured windows
            assertTrue(backlog.firstRecord() > 200_000, "the backlog wrapped");
            assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 120,000 changes");
        }
        finally
        {
            backlog.close();
        }
    }
}
