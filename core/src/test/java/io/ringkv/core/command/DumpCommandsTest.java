package io.ringkv.core.command;

import com.lmax.disruptor.EventHandler;
import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.changelog.ChangeRecordDescriptor;
import io.ringkv.core.changelog.ChangeRecordFlyweight;
import io.ringkv.core.engine.CommandEvent;
import io.ringkv.core.engine.EngineConfig;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.memory.ExpandableOffHeapBuffer;
import io.ringkv.core.store.EntryDescriptor;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DUMP and RESTORE on a real engine: what RESTORE stores (encoding, expiry, LRU/LFU), what it logs for replicas,
 * that errors log and change nothing, and that the warm string path allocates nothing. Interop with a real Redis
 * is in net's DumpRestoreInteropTest; the payload codec's exhaustive corruption tests are in core's rdb package.
 */
class DumpCommandsTest
{
    /** Keeps every change record as text: "op db key type encoding expireAtMs". */
    private static final class RecordingConsumer implements EventHandler<CommandEvent>
    {
        final List<String> records = new ArrayList<>();
        private final ChangeRecordFlyweight record = new ChangeRecordFlyweight();

        @Override
        public synchronized void onEvent(final CommandEvent event, final long sequence, final boolean endOfBatch)
        {
            for (int index = 0; index < event.changesLength(); index += record.recordLength())
            {
                record.wrap(event.changes(), index);
                records.add(record.op() + " " + record.db() + " " +
                    string(record.buffer(), record.keyOffset(), record.keyLength()) + " " + record.type() + " " +
                    record.encoding() + " " + record.expireAtMs());
            }
        }

        synchronized List<String> drain()
        {
            final List<String> copy = List.copyOf(records);
            records.clear();
            return copy;
        }
    }

    @Test
    void restoreStoresLogsAndKeepsEncodings()
    {
        final RecordingConsumer consumer = new RecordingConsumer();
        try (EngineHarness kv = new EngineHarness(new StoreConfig(), false, List.of(consumer)))
        {
            kv.exec("SET", "n", "12345");
            kv.exec("SET", "s", "hello");
            final String intPayload = kv.exec("DUMP", "n").substring(1);
            final String stringPayload = kv.exec("DUMP", "s").substring(1);
            waitForRecords(consumer, 2);
            consumer.drain();

            assertEquals("+OK", kv.exec("RESTORE", "n2", "0", intPayload));
            assertEquals("+OK", kv.exec("RESTORE", "s2", "5000", stringPayload));
            assertEquals("$12345", kv.exec("GET", "n2"));
            assertEquals(":12346", kv.exec("INCR", "n2"));
            assertEquals("$hello", kv.exec("GET", "s2"));
            assertEquals(":5000", kv.exec("PTTL", "s2"));
            waitForRecords(consumer, 3);
            final List<String> records = consumer.drain();
            assertEquals(ChangeRecordDescriptor.OP_SET + " 0 n2 " + ValueType.STRING + " " + ValueEncoding.STRING_INT +
                " 0", records.get(0));
            assertEquals(ChangeRecordDescriptor.OP_SET + " 0 s2 " + ValueType.STRING + " " +
                ValueEncoding.STRING_RAW + " " + (EngineHarness.START_MS + 5000), records.get(1));

            // Errors log nothing and change nothing.
            final String corrupt = stringPayload.substring(0, stringPayload.length() - 1) + "x";
            assertEquals("-ERR DUMP payload version or checksum are wrong",
                kv.exec("RESTORE", "s2", "0", corrupt, "REPLACE"));
            assertEquals("-BUSYKEY Target key name already exists.", kv.exec("RESTORE", "s2", "0", intPayload));
            assertEquals("-ERR Invalid TTL value, must be >= 0", kv.exec("RESTORE", "new", "-5", intPayload));
            assertEquals("-ERR syntax error",
                kv.exec("RESTORE", "new", "0", intPayload, "IDLETIME", "1", "FREQ", "1"));
            assertEquals("$hello", kv.exec("GET", "s2"));
            assertEquals(":0", kv.exec("EXISTS", "new"));

            // An already-expired absolute TTL with REPLACE deletes the old key and says OK.
            assertEquals("+OK", kv.exec("RESTORE", "s2", String.valueOf(EngineHarness.START_MS - 1), intPayload,
                "ABSTTL", "REPLACE"));
            assertEquals(":0", kv.exec("EXISTS", "s2"));
            waitForRecords(consumer, 1);
            assertEquals(List.of(ChangeRecordDescriptor.OP_DEL + " 0 s2 0 0 0"), consumer.drain(),
                "the errors logged nothing");

            // Redis adds a relative TTL to now unchecked: past 2^63 - 1 ms it wraps into the past, so the key is
            // born expired (OK, nothing created); an absolute one that large is kept.
            assertEquals("+OK", kv.exec("RESTORE", "huge", "9223372036854775807", intPayload));
            assertEquals(":0", kv.exec("EXISTS", "huge"));
            assertEquals("+OK", kv.exec("RESTORE", "huge", "9223372036854775807", intPayload, "ABSTTL"));
            assertEquals(":9223372036854775807", kv.exec("PEXPIRETIME", "huge"));
        }
    }

    @Test
    void idletimeAndFreqSetTheAccessClock()
    {
        try (EngineHarness kv = new EngineHarness())
        {
            kv.exec("SET", "s", "v");
            final String payload = kv.exec("DUMP", "s").substring(1);
            assertEquals("+OK", kv.exec("RESTORE", "idle", "0", payload, "IDLETIME", "3600"));
            assertEquals("+OK", kv.exec("RESTORE", "freq", "0", payload, "FREQ", "200"));
            kv.engine.close();
            final EntryFlyweight entry = new EntryFlyweight();
            final UnsafeBuffer key = new UnsafeBuffer("idle".getBytes(StandardCharsets.US_ASCII));
            entry.wrap(kv.keyspace.peek(0, key, 0, 4, kv.nowMs()));
            assertEquals(EntryDescriptor.lruClock(EngineHarness.START_MS - 3_600_000), entry.lruClock());
            key.wrap("freq".getBytes(StandardCharsets.US_ASCII));
            entry.wrap(kv.keyspace.peek(0, key, 0, 4, kv.nowMs()));
            assertEquals(200, entry.lfuCounter());
        }
    }

    @Test
    void warmDumpAndRestoreOfStringsAllocateNothing()
    {
        try (DirectDispatch kv = new DirectDispatch(1 << 16))
        {
            kv.run("SET", "s", "x".repeat(100));
            kv.run("SET", "n", "-4242");
            final String stringPayload = kv.run("DUMP", "s");
            final String intPayload = kv.run("DUMP", "n");
            kv.batch.reset(kv.argBuffer);
            int position = 0;
            for (final String[] request : new String[][]{{"DUMP", "s"}, {"DUMP", "n"},
                {"RESTORE", "s", "0", stringPayload, "REPLACE"}, {"RESTORE", "n", "60000", intPayload, "REPLACE"}})
            {
                position = EngineHarness.addRequest(kv.batch, kv.argBuffer, position, RequestBatch.VALUE_RAW, request);
            }
            kv.reply.capture = false;
            // The quietest of five rounds: one allocation per call would show in every round, at least 16 bytes x
            // 40,000; a round may catch JIT and profiler noise (a few KB, e.g. after another test's huge arrays).
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++)
            {
                final long before = threadAllocatedBytes();
                for (int i = 0; i < 10_000; i++)
                {
                    kv.dispatchBatch();
                }
                allocated = Math.min(allocated, threadAllocatedBytes() - before);
            }
            assertEquals(0, kv.reply.errors, "every request succeeded");
            assertTrue(allocated < 4096, allocated + " bytes allocated by 40,000 warm DUMP/RESTORE calls");
        }
    }

    @Test
    void hugeDumpAndRestoreTakeNoHeapAndGiveTheirScratchBack()
    {
        final int hugeLength = 64 * 1024 * 1024;
        try (DirectDispatch kv = new DirectDispatch(hugeLength + (1 << 20)))
        {
            // Compressible, as the measured case was: LZF takes it to about 1/60 of its size.
            kv.run("SET", "h", "ringkv!!".repeat(hugeLength / 8));
            final String payload = kv.run("DUMP", "h");
            kv.event.changeArea().releaseLarge();
            kv.batch.reset(kv.argBuffer);
            final int position =
                EngineHarness.addRequest(kv.batch, kv.argBuffer, 0, RequestBatch.VALUE_RAW, "DUMP", "h");
            EngineHarness.addRequest(kv.batch, kv.argBuffer, position, RequestBatch.VALUE_RAW,
                "RESTORE", "h2", "0", payload);
            kv.reply.capture = false;

            final long offHeapBefore = ExpandableOffHeapBuffer.allocatedBytes();
            final long heapBefore = threadAllocatedBytes();
            kv.dispatchBatch();
            final long heapAllocated = threadAllocatedBytes() - heapBefore;
            kv.event.changeArea().releaseLarge(); // the RESTORE's logged SET, which the replication log would free
            final long offHeapLeft = ExpandableOffHeapBuffer.allocatedBytes() - offHeapBefore;

            assertEquals(0, kv.reply.errors, "DUMP and RESTORE succeeded");
            // Heap arrays of the value's size (LZF in and out) are what kept the heap committed after such commands.
            assertTrue(heapAllocated < 1024 * 1024, heapAllocated + " heap bytes allocated by a 64 MB DUMP+RESTORE");
            assertTrue(offHeapLeft < 1024 * 1024, offHeapLeft + " off-heap scratch bytes left after the commands");
            final EntryFlyweight entry = new EntryFlyweight();
            entry.wrap(kv.keyspace.peek(0, new UnsafeBuffer("h2".getBytes(StandardCharsets.US_ASCII)), 0, 2,
                EngineHarness.START_MS));
            assertEquals(hugeLength, entry.valueLength());
            assertEquals((byte)'!', entry.buffer().getByte(entry.valueOffset() + hugeLength - 1));
        }
    }

    private static long threadAllocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean())
            .getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    /** A dispatcher over its own keyspace, called directly on the test's thread (no engine, no ring). */
    private static final class DirectDispatch implements AutoCloseable
    {
        final Keyspace keyspace = new Keyspace(new StoreConfig());
        final ChangeLog changeLog = new ChangeLog(0);
        final CommandTable table = CoreCommands.newTable();
        final CommandDispatcher dispatcher = new CommandDispatcher(table,
            new CommandContext(keyspace, changeLog, table, EngineConfig.MAX_STRING_LENGTH_DEFAULT));
        final ClientSession session = new ClientSession(1, true);
        final CapturingReply reply = new CapturingReply();
        final CommandEvent event = new CommandEvent();
        final CommandArgs args = new CommandArgs();
        final UnsafeBuffer argBuffer;
        final RequestBatch batch = new RequestBatch(session, reply);

        DirectDispatch(final int argBufferLength)
        {
            argBuffer = new UnsafeBuffer(new byte[argBufferLength]);
        }

        /** One request on its own; returns its bulk reply as text. */
        String run(final String... words)
        {
            batch.reset(argBuffer);
            EngineHarness.addRequest(batch, argBuffer, 0, RequestBatch.VALUE_RAW, words);
            dispatchBatch();
            return reply.lastBulk;
        }

        /** Every request of the batch, each with the change log begun as the engine begins it. */
        void dispatchBatch()
        {
            for (int request = 0; request < batch.requestCount(); request++)
            {
                changeLog.begin(event.changeArea());
                dispatcher.dispatch(args.wrap(batch, request), session, EngineHarness.START_MS, reply);
            }
        }

        public void close()
        {
            keyspace.close();
        }
    }

    private static void waitForRecords(final RecordingConsumer consumer, final int count)
    {
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadlineNs)
        {
            synchronized (consumer)
            {
                if (consumer.records.size() >= count)
                {
                    return;
                }
            }
            Thread.onSpinWait();
        }
        assertTrue(false, "change records did not arrive: " + consumer.records);
    }

    private static String string(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Counts errors and keeps the last bulk reply as text only when asked to (setup); allocates nothing else. */
    private static final class CapturingReply implements Reply
    {
        int errors;
        boolean capture = true;
        String lastBulk;

        public void startRequest(final int requestIndex)
        {
        }

        public void endRequest(final int requestIndex)
        {
        }

        public void ok()
        {
        }

        public void simpleString(final byte[] asciiText)
        {
        }

        public void error(final String message)
        {
            errors++;
        }

        public void integer(final long value)
        {
        }

        public void bulk(final DirectBuffer buffer, final int index, final int length)
        {
            if (capture)
            {
                lastBulk = string(buffer, index, length);
            }
        }

        public void bulk(final byte[] bytes)
        {
        }

        public void bulkInteger(final long value)
        {
        }

        public void json(final DirectBuffer buffer, final int index, final int length)
        {
        }

        public void nil()
        {
        }

        public void nilArray()
        {
        }

        public void arrayHeader(final int count)
        {
        }

        public void mapHeader(final int pairs)
        {
        }

        public void setHeader(final int count)
        {
        }

        public void doubleValue(final double value)
        {
        }

        public void bool(final boolean value)
        {
        }

        public void verbatimText(final CharSequence text)
        {
        }
    }
}
