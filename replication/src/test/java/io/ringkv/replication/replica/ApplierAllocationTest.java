package io.ringkv.replication.replica;

import io.ringkv.core.command.ClientSession;
import io.ringkv.replication.Allocations;
import io.ringkv.replication.EngineFixture;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica's apply path allocates nothing per message once warmed up: log lines of every common operation (SET of
 * a string, a base64 and a JSON value, SET with PXAT, INCR, DECR by, DEL, EXPIRE, APPEND, SETRANGE, RENAME, a
 * database switch) turned into commands, executed through the engine in batches, and acknowledged, as
 * {@link MasterLink} does, with nothing allocated on the applying thread.
 */
class ApplierAllocationTest
{
    private static final String[] LINES = {
        "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"user:1000:name\",\"value\":\"a value of 32 bytes............\"",
        "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"k\\u0031\",\"value\":{\"$base64\":\"AAEC\"},\"pxat\":4102444800000",
        "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"doc\",\"value\":{\"a\":[1,2,{\"b\":null}]},\"db\":1",
        "{\"cmd\":\"log\",\"operation\":\"incr\",\"key\":\"counter\"",
        "{\"cmd\":\"log\",\"operation\":\"decr\",\"key\":\"counter\",\"by\":3",
        "{\"cmd\":\"log\",\"operation\":\"append\",\"key\":\"user:1000:name\",\"value\":\"x\"",
        "{\"cmd\":\"log\",\"operation\":\"setrange\",\"key\":\"user:1000:name\",\"index\":2,\"value\":\"yz\"",
        "{\"cmd\":\"log\",\"operation\":\"expire\",\"key\":\"user:1000:name\",\"pxat\":4102444800000",
        "{\"cmd\":\"log\",\"operation\":\"rename\",\"key\":\"user:1000:name\",\"newkey\":\"user:1000:nick\"",
        "{\"cmd\":\"log\",\"operation\":\"del\",\"key\":\"user:1000:nick\"",
        "{\"cmd\":\"log\",\"operation\":\"mset\",\"key\":\"m1\",\"args\":[\"v\",\"m2\",{\"$base64\":\"AAEC\"}]",
        "{\"cmd\":\"ping\"",
    };
    private static final int LINES_PER_BATCH = 64;

    @Test
    void applyingLogLinesAllocatesNothing()
    {
        try (EngineFixture fixture = new EngineFixture(List.of()))
        {
            final CommandBatchBuilder commands = new CommandBatchBuilder(new ClientSession(-1, true), new ApplyReply());
            final MasterStreamApplier applier = new MasterStreamApplier(commands);
            applier.position("8de1c5a1e1a2b7c9d1e2f3a4b5c6d7e8f9a0b1c2", 0);
            final byte[][] templates = new byte[LINES.length][];
            for (int i = 0; i < LINES.length; i++)
            {
                templates[i] = LINES[i].getBytes(StandardCharsets.US_ASCII);
            }
            final ExpandableArrayBuffer line = new ExpandableArrayBuffer(256);
            final long[] offset = {0};
            final Runnable round = () ->
            {
                for (int i = 0; i < LINES_PER_BATCH; i++)
                {
                    final byte[] template = templates[i % templates.length];
                    line.putBytes(0, template);
                    int end = template.length;
                    if (template[8] == 'l') // a log line carries the next offset; a ping carries none
                    {
                        end += line.putStringWithoutLengthAscii(end, ",\"offset\":");
                        end += line.putLongAscii(end, ++offset[0]);
                    }
                    line.putByte(end++, (byte)'}');
                    final int status = applier.apply(line, 0, end);
                    if (status != MasterStreamApplier.APPLIED)
                    {
                        throw new AssertionError("status " + status + ": " + applier.error());
                    }
                }
                commands.execute(fixture.engine);
                applier.committed();
                applier.acks().reset();
            };
            final long allocated = Allocations.afterWarmUp(round, 2_000);
            assertNull(commands.reply().lastError(), "every change applied");
            assertEquals(offset[0], applier.offset());
            assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 128,000 messages");
        }
    }
}
