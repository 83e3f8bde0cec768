package io.ringkv.core.command;

import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PUBLISH allocates nothing per message: to channel and pattern subscribers in all three formats (RESP2, RESP3,
 * JSON lines), each format built once per message (DispatchAllocationTest's harness, thread allocation counter).
 */
class PubSubAllocationTest
{
    private static final int ROUNDS = 20_000;

    @Test
    void publishingToSubscribersAllocatesNothing()
    {
        final Keyspace keyspace = new Keyspace(new StoreConfig());
        try
        {
            final DispatchAllocationTest.Dispatch dispatch = new DispatchAllocationTest.Dispatch(keyspace);
            dispatch.add("PUBLISH", "news", "a message of some length");
            final long[] pushed = new long[2];
            for (int i = 0; i < 6; i++)
            {
                final boolean json = i % 3 == 2;
                final ClientSession subscriber = new ClientSession(10 + i, true);
                subscriber.protocolVersion(i % 3 == 1 ? ClientSession.PROTOCOL_RESP3 : ClientSession.PROTOCOL_RESP2);
                subscriber.pushChannel(new PushChannel()
                {
                    public boolean push(final DirectBuffer buffer, final int offset, final int length)
                    {
                        pushed[0]++;
                        pushed[1] += length;
                        return true;
                    }

                    public void open()
                    {
                    }

                    public boolean jsonLines()
                    {
                        return json;
                    }
                });
                final RequestBatch batch = new RequestBatch(subscriber, dispatch.reply);
                final UnsafeBuffer arguments = new UnsafeBuffer(new byte[256]);
                batch.reset(arguments);
                int position = EngineHarness.addRequest(batch, arguments, 0, RequestBatch.VALUE_RAW, "SUBSCRIBE", "news");
                EngineHarness.addRequest(batch, arguments, position, RequestBatch.VALUE_RAW, "PSUBSCRIBE", "n*s");
                final CommandArgs args = new CommandArgs();
                dispatch.dispatcher.dispatch(args.wrap(batch, 0), subscriber, 0, dispatch.reply);
                dispatch.dispatcher.dispatch(args.wrap(batch, 1), subscriber, 0, dispatch.reply);
                assertEquals(2, subscriber.subscriptions());
            }

            dispatch.run(ROUNDS);
            dispatch.run(ROUNDS); // warmed up: compiled, histograms made
            final long pushesBefore = pushed[0];
            final long allocatedBytes = dispatch.allocatedBytes(ROUNDS);

            assertEquals(12L * ROUNDS, pushed[0] - pushesBefore, "a message and a pattern message per subscriber");
            // One object per delivery would be at least 16 bytes x 240,000; what is left is the JVM's own noise.
            assertTrue(allocatedBytes < 64 * 1024, allocatedBytes + " bytes allocated over 240,000 deliveries");
        }
        finally
        {
            keyspace.close();
        }
    }
}
