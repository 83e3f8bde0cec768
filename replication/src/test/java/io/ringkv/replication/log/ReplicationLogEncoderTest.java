package io.ringkv.replication.log;

import io.ringkv.core.codec.Utf8;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.replication.EngineFixture;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationLogEncoderTest
{
    @Test
    void encodesEveryOperationOnceInRingOrder()
    {
        final ReplicationBacklog backlog = new ReplicationBacklog(64 * 1024, 0);
        try (EngineFixture fixture = new EngineFixture(List.of(new ReplicationLogEncoder(backlog))))
        {
            fixture.run("SET", "s", "hello \"you\"\n");
            fixture.runKind(RequestBatch.VALUE_INTEGER, "SET", "n", "10");
            fixture.runKind(RequestBatch.VALUE_JSON, "SET", "j", "[1, 5, 9]");
            fixture.run("SET", "t", "v", "PXAT", "4102444800000");
            fixture.run("INCR", "n");
            fixture.run("DECRBY", "n", "3");
            fixture.run("INCRBY", "n", "-1");
            fixture.run("EXPIRE", "s", "100");
            fixture.run("PERSIST", "s");
            fixture.run("APPEND", "s", "!");
            fixture.run("SETRANGE", "s", "1", "E");
            fixture.run("RENAME", "s", "s2");
            fixture.run("COPY", "s2", "c", "DB", "3", "REPLACE");
            fixture.run("COPY", "s2", "c", "DB", "3", "REPLACE");
            fixture.run("DEL", "s2");
            fixture.run("SELECT", "2");
            fixture.run("SET", "in2", "x");
            fixture.run("FLUSHDB");
            fixture.runBytes(new byte[]{'S', 'E', 'T'}, new byte[]{(byte)0xff}, new byte[]{'x'});
            fixture.run("FLUSHALL");
            awaitEncoded(backlog, 19);

            final List<String> lines = lines(backlog, 1);
            final List<String> expected = List.of(
                "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"s\",\"value\":\"hello \\\"you\\\"\\n\",\"offset\":1}",
                "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"n\",\"value\":10,\"offset\":2}",
                "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"j\",\"value\":[1,5,9],\"offset\":3}",
                "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"t\",\"value\":\"v\",\"pxat\":4102444800000,\"offset\":4}",
                "{\"cmd\":\"log\",\"operation\":\"incr\",\"key\":\"n\",\"offset\":5}",
                "{\"cmd\":\"log\",\"operation\":\"decr\",\"key\":\"n\",\"by\":3,\"offset\":6}",
                "{\"cmd\":\"log\",\"operation\":\"decr\",\"key\":\"n\",\"offset\":7}");
            assertEquals(expected, lines.subList(0, 7));
            assertTrue(lines.get(7).startsWith("{\"cmd\":\"log\",\"operation\":\"expire\",\"key\":\"s\",\"pxat\":1"),
                lines.get(7));
            final List<String> rest = List.of(
                "{\"cmd\":\"log\",\"operation\":\"persist\",\"key\":\"s\",\"offset\":9}",
                "{\"cmd\":\"log\",\"operation\":\"append\",\"key\":\"s\",\"value\":\"!\",\"offset\":10}",
                "{\"cmd\":\"log\",\"operation\":\"setrange\",\"key\":\"s\",\"index\":1,\"value\":\"E\",\"offset\":11}",
                "{\"cmd\":\"log\",\"operation\":\"rename\",\"key\":\"s\",\"newkey\":\"s2\",\"offset\":12}",
                "{\"cmd\":\"log\",\"operation\":\"copy\",\"key\":\"s2\",\"newkey\":\"c\",\"targetdb\":3,\"offset\":13}",
                "{\"cmd\":\"log\",\"operation\":\"copy\",\"key\":\"s2\",\"newkey\":\"c\",\"targetdb\":3," +
                    "\"replace\":true,\"offset\":14}",
                "{\"cmd\":\"log\",\"operation\":\"del\",\"key\":\"s2\",\"offset\":15}",
                "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"in2\",\"value\":\"x\",\"db\":2,\"offset\":16}",
                "{\"cmd\":\"log\",\"operation\":\"flushdb\",\"db\":2,\"offset\":17}",
                "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":{\"$base64\":\"/w==\"},\"value\":\"x\",\"db\":2,\"offset\":18}",
                "{\"cmd\":\"log\",\"operation\":\"flushall\",\"offset\":19}");
            assertEquals(rest, lines.subList(8, lines.size()));
        }
        finally
        {
            backlog.close();
        }
    }

    @Test
    void nonUtf8BytesGoOutAsBase64()
    {
        final JsonTextWriter writer = new JsonTextWriter(16);
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[]{(byte)0xff, 0, 'a'});
        writer.bytes(bytes, 0, 3);
        assertEquals("{\"$base64\":\"/wBh\"}", text(writer));
        writer.reset();
        writer.key(bytes, 0, 1);
        assertEquals("\"$base64:/w==\"", text(writer));
        writer.reset();
        final UnsafeBuffer prefixed = new UnsafeBuffer("$base64:x".getBytes(StandardCharsets.US_ASCII));
        writer.key(prefixed, 0, prefixed.capacity());
        assertEquals("\"$base64:JGJhc2U2NDp4\"", text(writer));
        writer.reset();
        final UnsafeBuffer control = new UnsafeBuffer(new byte[]{1, '\t', (byte)0xc3, (byte)0xa9});
        writer.bytes(control, 0, 4);
        assertEquals("\"\\u0001\\t\u00e9\"", text(writer));
        assertFalse(Utf8.isValid(new UnsafeBuffer(new byte[]{(byte)0xed, (byte)0xa0, (byte)0x80}), 0, 3));
        assertFalse(Utf8.isValid(new UnsafeBuffer(new byte[]{(byte)0xc0, (byte)0x80}), 0, 2));
        assertFalse(Utf8.isValid(new UnsafeBuffer(new byte[]{(byte)0xe2, (byte)0x82}), 0, 2));
        assertTrue(Utf8.isValid(new UnsafeBuffer(new byte[]{(byte)0xf0, (byte)0x9f, (byte)0x98, (byte)0x80}),
            0, 4));
    }

    @Test
    void readersFallOutWhenTheBacklogWrapsPastThem()
    {
        final ReplicationBacklog backlog = new ReplicationBacklog(1024, 100);
        try
        {
            final UnsafeBuffer line = new UnsafeBuffer(new byte[100]);
            assertEquals(0, backlog.positionOf(101));
            assertEquals(ReplicationBacklog.NOT_YET, backlog.positionOf(102));
            for (long record = 101; record <= 130; record++)
            {
                line.putLong(0, record);
                assertTrue(backlog.append(record, line, 0, 100));
            }
            assertEquals(130, backlog.lastRecord());
            final long first = backlog.firstRecord();
            assertTrue(first > 121 && first <= 122, "first " + first);
            assertEquals(ReplicationBacklog.FELL_OUT, backlog.positionOf(first - 1));
            final long position = backlog.positionOf(first);
            final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(200);
            backlog.copy(position, copy, 0, 112);
            assertTrue(backlog.isIntact(position));
            assertEquals(first, copy.getLong(ReplicationBacklog.FRAME_RECORD_OFFSET));
            assertEquals(first, copy.getLong(ReplicationBacklog.FRAME_HEADER_LENGTH));
            assertFalse(backlog.isIntact(position - 112));
            assertFalse(backlog.append(131, new UnsafeBuffer(new byte[2000]), 0, 2000));
            assertEquals(ReplicationBacklog.FELL_OUT, backlog.positionOf(131));
            assertEquals(backlog.tailPosition(), backlog.positionOf(132));
        }
        finally
        {
            backlog.close();
        }
    }

    @Test
    void aResizedBacklogKeepsTheNewestFramesThatFitAndServesThemAtTheSamePositions()
    {
        final ReplicationBacklog backlog = new ReplicationBacklog(4096, 0);
        try
        {
            final UnsafeBuffer line = new UnsafeBuffer(new byte[100]);
            for (long record = 1; record <= 30; record++)
            {
                line.putLong(0, record);
                assertTrue(backlog.append(record, line, 0, 100));
            }
            final long positionOf30 = backlog.positionOf(30);
            assertEquals(1, backlog.firstRecord(), "4 KB holds 30 frames of 112 bytes");

            backlog.resize(1024);
            assertEquals(1024, backlog.capacity(), "INFO shows the new size at once");
            line.putLong(0, 31);
            assertTrue(backlog.append(31, line, 0, 100));
            assertEquals(23, backlog.firstRecord(), "1 KB holds the newest 9 frames");
            assertEquals(ReplicationBacklog.FELL_OUT, backlog.positionOf(22));
            assertEquals(positionOf30, backlog.positionOf(30), "stream positions do not move");
            assertFrame(backlog, 23);
            assertFrame(backlog, 31);

            backlog.resize(64 * 1024);
            for (long record = 32; record <= 300; record++)
            {
                line.putLong(0, record);
                assertTrue(backlog.append(record, line, 0, 100));
            }
            assertEquals(23, backlog.firstRecord(), "growing keeps every frame held");
            for (long record = 23; record <= 300; record++)
            {
                assertFrame(backlog, record);
            }
        }
        finally
        {
            backlog.close();
        }
    }

    @Test
    void aRecordThatDoesNotFollowTheLastStartsANewHistory()
    {
        final ReplicationBacklog backlog = new ReplicationBacklog(4096, 0);
        try
        {
            final UnsafeBuffer line = new UnsafeBuffer(new byte[100]);
            for (long record = 1; record <= 5; record++)
            {
                line.putLong(0, record);
                assertTrue(backlog.append(record, line, 0, 100));
            }
            line.putLong(0, 1000);
            assertTrue(backlog.append(1000, line, 0, 100));
            assertEquals(1000, backlog.firstRecord());
            assertEquals(1000, backlog.lastRecord());
            assertEquals(ReplicationBacklog.FELL_OUT, backlog.positionOf(5));
            assertFrame(backlog, 1000);
        }
        finally
        {
            backlog.close();
        }
    }

    private static void assertFrame(final ReplicationBacklog backlog, final long record)
    {
        final long position = backlog.positionOf(record);
        assertTrue(position >= 0, "record " + record + " held");
        final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(200);
        assertTrue(backlog.copy(position, copy, 0, 112));
        assertEquals(record, copy.getLong(ReplicationBacklog.FRAME_RECORD_OFFSET));
        assertEquals(record, copy.getLong(ReplicationBacklog.FRAME_HEADER_LENGTH));
    }

    static void awaitEncoded(final ReplicationBacklog backlog, final long offset)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (backlog.lastRecord() < offset)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("encoder stuck at " + backlog.lastRecord() + " < " + offset);
            }
            Thread.onSpinWait();
        }
    }

    static List<String> lines(final ReplicationBacklog backlog, final long fromRecord)
    {
        final List<String> lines = new ArrayList<>();
        long position = backlog.positionOf(fromRecord);
        final long tail = backlog.tailPosition();
        final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(1024);
        backlog.copy(position, copy, 0, (int)(tail - position));
        assertTrue(backlog.isIntact(position));
        int index = 0;
        while (index < tail - position)
        {
            final int length = copy.getInt(index + ReplicationBacklog.FRAME_LENGTH_OFFSET);
            final String line = copy.getStringWithoutLengthUtf8(index + ReplicationBacklog.FRAME_HEADER_LENGTH,
                length);
            assertTrue(line.endsWith("\n"));
            lines.add(line.substring(0, line.length() - 1));
            index += ReplicationBacklog.FRAME_HEADER_LENGTH + length;
        }
        return lines;
    }

    private static String text(final JsonTextWriter writer)
    {
        return writer.buffer().getStringWithoutLengthUtf8(0, writer.length());
    }
}
