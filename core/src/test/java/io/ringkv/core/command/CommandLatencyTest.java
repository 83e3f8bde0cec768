package io.ringkv.core.command;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLatencyTest
{
    @Test
    void serviceTimesFromManyThreadsAllArriveInTheEngineSideHistogram() throws InterruptedException
    {
        final CommandLatency latency = new CommandLatency();
        final int threads = 4;
        final int samples = 10_000;
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final long value = 1_000L * (t + 1);
            writers.add(Thread.ofVirtual().start(() ->
            {
                awaitQuietly(start);
                for (int i = 0; i < samples; i++)
                {
                    latency.recordServiceNs(value);
                }
            }));
        }
        start.countDown();
        long seen = 0;
        for (final Thread writer : writers)
        {
            writer.join();
        }
        final Histogram service = latency.serviceHistogram();
        seen += service.getTotalCount();
        assertEquals((long)threads * samples, seen);
        assertEquals(samples, service.getCountAtValue(4_000));
        // A second read keeps the total and adds only what came since.
        latency.recordServiceNs(7_000);
        assertEquals((long)threads * samples + 1, latency.serviceHistogram().getTotalCount());
        latency.reset();
        assertEquals(0, latency.serviceHistogram().getTotalCount());
        assertEquals(0, latency.executionHistogram().getTotalCount());
    }

    @Test
    void valuesOutsideTheRangeAreClampedNotThrown()
    {
        final CommandLatency latency = new CommandLatency();
        latency.recordExecutionNs(0);
        latency.recordExecutionNs(-5);
        latency.recordExecutionNs(Long.MAX_VALUE);
        latency.recordServiceNs(Long.MAX_VALUE);
        final Histogram execution = latency.executionHistogram();
        assertEquals(3, execution.getTotalCount());
        assertEquals(2, execution.getCountAtValue(CommandLatency.LOWEST_NS));
        assertTrue(execution.getMaxValue() >= CommandLatency.HIGHEST_NS * 99 / 100);
        assertEquals(1, latency.serviceHistogram().getTotalCount());
    }

    @Test
    void recordingAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final CommandLatency latency = new CommandLatency();
        for (int i = 0; i < 50_000; i++)
        {
            latency.recordExecutionNs(i * 37L);
            latency.recordServiceNs(i * 41L);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 50_000; i++)
        {
            latency.recordExecutionNs(i * 37L);
            latency.recordServiceNs(i * 41L);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, allocated + " bytes allocated by 100,000 recordings");
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
