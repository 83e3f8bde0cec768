package io.ringkv.net.server;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.Command;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.ReplyBuffer;
import io.ringkv.net.resp.RespReply;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection's service-time bookkeeping: every timed request of every batch since the last flush gets the time
 * from its batch's parse to the flush, untimed ones (refused, tracking off) none; and it allocates nothing.
 */
class ServiceTimeTrackerTest
{
    private static final int ROUNDS = 20_000;

    @Test
    void recordsParsedToFlushedPerTimedRequestWithoutAllocating()
    {
        final Command get = new Command("get", 2, Command.READONLY, (context, args, reply) -> reply.nil());
        final Command set = new Command("set", -3, Command.WRITE, (context, args, reply) -> reply.ok());
        get.recordLatency(1_000);
        set.recordLatency(1_000);
        final ClientSession session = new ClientSession(1, true);
        final RequestBatch batch = new RequestBatch(session, new RespReply(session, new ReplyBuffer(1024)));
        batch.reset(new UnsafeBuffer(new byte[64]));
        for (int i = 0; i < 8; i++)
        {
            batch.addArg(0, 3);
            batch.endRequest(RequestBatch.VALUE_RAW);
            // As the engine notes them: GETs and SETs timed, every fourth request refused (null).
            batch.timedCommand(i, i % 4 == 3 ? null : (i % 2 == 0 ? get : set));
        }
        final ServiceTimeTracker tracker = new ServiceTimeTracker();

        // Two batches before one flush: the first waited 5 us longer than the second.
        tracker.executed(batch, 1_000_000);
        tracker.executed(batch, 1_005_000);
        tracker.flushed(1_010_000);
        assertEquals(8, get.latency().serviceHistogram().getTotalCount());
        assertEquals(4, get.latency().serviceHistogram().getCountAtValue(10_000));
        assertEquals(4, get.latency().serviceHistogram().getCountAtValue(5_000));
        assertEquals(4, set.latency().serviceHistogram().getTotalCount());

        // A pipeline of one command: every request counted, each with its batch's time.
        final RequestBatch pipeline = new RequestBatch(session, new RespReply(session, new ReplyBuffer(1024)));
        pipeline.reset(new UnsafeBuffer(new byte[64]));
        for (int i = 0; i < 16; i++)
        {
            pipeline.addArg(0, 3);
            pipeline.endRequest(RequestBatch.VALUE_RAW);
            pipeline.timedCommand(i, i == 7 ? null : get);
        }
        tracker.executed(pipeline, 2_000_000);
        tracker.executed(pipeline, 2_001_000);
        tracker.flushed(2_003_000);
        assertEquals(8 + 30, get.latency().serviceHistogram().getTotalCount());
        assertEquals(15, get.latency().serviceHistogram().getCountAtValue(3_000));
        assertEquals(15, get.latency().serviceHistogram().getCountAtValue(2_000));

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int round = 0; round < ROUNDS; round++)
        {
            tracker.executed(batch, round);
            tracker.flushed(round + 2_000);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < ROUNDS; round++)
        {
            tracker.executed(batch, round);
            tracker.flushed(round + 2_000);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4096, allocated + " bytes allocated over " + ROUNDS + " batches");
        assertEquals(8 + 30 + 2 * 4L * ROUNDS, get.latency().serviceHistogram().getTotalCount());
        assertEquals(4 + 2 * 2L * ROUNDS, set.latency().serviceHistogram().getTotalCount());
    }
}
