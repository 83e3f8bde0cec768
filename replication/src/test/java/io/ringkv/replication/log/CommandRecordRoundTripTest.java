package io.ringkv.replication.log;

import io.ringkv.core.changelog.ChangeArea;
import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.changelog.ChangeRecordDescriptor;
import io.ringkv.core.changelog.ChangeRecordFlyweight;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.replication.EngineFixture;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;
import io.ringkv.replication.replica.MasterStreamApplier;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The generic change record: a command's effect logged as its argument vector travels as a {@code log} line with
 * "args" and is applied on a replica by running the command, with no op, encoder or applier of its own.
 */
class CommandRecordRoundTripTest
{
    private static final byte[] MSET = "mset".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aCommandRecordIsEncodedWithItsArgumentsAndAppliedByRunningIt()
    {
        final ChangeArea area = new ChangeArea();
        final ChangeLog log = new ChangeLog(0);
        log.begin(area);
        log.beginCommand(2, MSET, bytes("a"), 0, 1);
        log.commandArg(bytes("1"), 0, 1);
        log.commandArg(bytes("b"), 0, 1);
        log.commandArg(new UnsafeBuffer(new byte[]{(byte)0xff}), 0, 1);
        log.commandArg(bytes("c\"d"), 0, 3);
        log.commandArg(Long.MIN_VALUE);
        log.endCommand();
        log.delete(2, bytes("zz"), 0, 2, false);

        final List<String> lines = encode(area);
        assertEquals(List.of(
            "{\"cmd\":\"log\",\"operation\":\"mset\",\"key\":\"a\",\"args\":[\"1\",\"b\",{\"$base64\":\"/w==\"}," +
                "\"c\\\"d\",\"-9223372036854775808\"],\"db\":2,\"offset\":1}",
            "{\"cmd\":\"log\",\"operation\":\"del\",\"key\":\"zz\",\"db\":2,\"offset\":2}"), lines);

        try (EngineFixture fixture = new EngineFixture(List.of()))
        {
            final CommandBatchBuilder commands = new CommandBatchBuilder(new ClientSession(-1, true), new ApplyReply());
            final MasterStreamApplier applier = new MasterStreamApplier(commands);
            applier.position("8de1c5a1e1a2b7c9d1e2f3a4b5c6d7e8f9a0b1c2", 0);
            for (final String line : lines)
            {
                final byte[] text = line.getBytes(StandardCharsets.UTF_8);
                assertEquals(MasterStreamApplier.APPLIED, applier.apply(new UnsafeBuffer(text), 0, text.length),
                    applier.error());
            }
            commands.execute(fixture.engine);
            assertNull(commands.reply().lastError());
            assertEquals("1", value(fixture.keyspace, 2, "a"));
            assertEquals("\u00ff", new String(rawValue(fixture.keyspace, 2, "b"), StandardCharsets.ISO_8859_1));
            assertEquals("-9223372036854775808", value(fixture.keyspace, 2, "c\"d"));
        }
    }

    @Test
    void aMalformedArgumentListIsRefusedAndAppliesNothing()
    {
        try (EngineFixture fixture = new EngineFixture(List.of()))
        {
            final CommandBatchBuilder commands = new CommandBatchBuilder(new ClientSession(-1, true), new ApplyReply());
            final MasterStreamApplier applier = new MasterStreamApplier(commands);
            applier.position("8de1c5a1e1a2b7c9d1e2f3a4b5c6d7e8f9a0b1c2", 0);
            for (final String line : new String[]{
                "{\"cmd\":\"log\",\"operation\":\"mset\",\"key\":\"a\",\"args\":[1,\"2\"]}",
                "{\"cmd\":\"log\",\"operation\":\"mset\",\"key\":\"a\",\"args\":\"1\"}",
                "{\"cmd\":\"log\",\"operation\":\"mset\",\"key\":\"a\",\"args\":[{\"$base64\":\"***\"}]}",
                "{\"cmd\":\"log\",\"operation\":\"mset\",\"key\":7,\"args\":[\"1\"]}"})
            {
                final byte[] text = line.getBytes(StandardCharsets.UTF_8);
                assertEquals(MasterStreamApplier.REJECTED, applier.apply(new UnsafeBuffer(text), 0, text.length),
                    line);
            }
            assertEquals(0, commands.requestCount(), "a refused line leaves no half-built command");
        }
    }

    private static List<String> encode(final ChangeArea area)
    {
        final ChangeRecordFlyweight record = new ChangeRecordFlyweight();
        final LogLineEncoder encoder = new LogLineEncoder();
        final JsonTextWriter out = new JsonTextWriter(64);
        final List<String> lines = new ArrayList<>();
        final DirectBuffer buffer = area.buffer();
        for (int index = 0; index < area.length(); index += record.recordLength())
        {
            record.wrap(buffer, index);
            assertEquals(0, record.recordLength() % ChangeRecordDescriptor.ALIGNMENT);
            out.reset();
            encoder.encode(record, out);
            lines.add(out.buffer().getStringWithoutLengthUtf8(0, out.length() - 1));
        }
        assertEquals(2, area.count());
        return lines;
    }

    private static String value(final Keyspace keyspace, final int db, final String key)
    {
        return new String(rawValue(keyspace, db, key), StandardCharsets.UTF_8);
    }

    private static byte[] rawValue(final Keyspace keyspace, final int db, final String key)
    {
        final UnsafeBuffer k = bytes(key);
        final long address = keyspace.lookup(db, k, 0, k.capacity());
        assertNotEquals(Keyspace.NOT_FOUND, address, key);
        final EntryFlyweight entry = new EntryFlyweight().wrap(address);
        final byte[] value = new byte[entry.valueLength()];
        entry.buffer().getBytes(entry.valueOffset(), value);
        return value;
    }

    private static UnsafeBuffer bytes(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }
}
