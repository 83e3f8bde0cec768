package io.ringkv.core.command;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyMonitorTest
{
    private static final long MS = 1_000_000;
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void recordsNothingWhileOffAndOnlyEventsAtTheThreshold()
    {
        final LatencyMonitor monitor = new LatencyMonitor();
        monitor.addIfNeeded(LatencyMonitor.COMMAND, 500 * MS, T0);
        assertTrue(monitor.events().isEmpty(), "threshold 0 is off, as in Redis");
        monitor.thresholdMs(10);
        monitor.addIfNeeded(LatencyMonitor.COMMAND, 10 * MS - 1, T0);
        assertTrue(monitor.events().isEmpty(), "9.999 ms is 9 ms: under the threshold");
        monitor.addIfNeeded(LatencyMonitor.COMMAND, 10 * MS, T0);
        assertArrayEquals(new long[]{T0 / 1000, 10}, monitor.series(LatencyMonitor.COMMAND).latest());
    }

    @Test
    void keepsTheWorstOfEachSecondAndTheNewest160Seconds()
    {
        final LatencyMonitor monitor = new LatencyMonitor();
        monitor.thresholdMs(1);
        monitor.addIfNeeded(LatencyMonitor.EXPIRE_CYCLE, 5 * MS, T0);
        monitor.addIfNeeded(LatencyMonitor.EXPIRE_CYCLE, 9 * MS, T0 + 500);
        monitor.addIfNeeded(LatencyMonitor.EXPIRE_CYCLE, 2 * MS, T0 + 900);
        final LatencyMonitor.Series series = monitor.series(LatencyMonitor.EXPIRE_CYCLE);
        assertEquals(1, series.samples().size());
        assertArrayEquals(new long[]{T0 / 1000, 9}, series.samples().get(0));
        for (int second = 1; second <= LatencyMonitor.SAMPLES; second++)
        {
            monitor.addIfNeeded(LatencyMonitor.EXPIRE_CYCLE, (second % 7 + 1) * MS, T0 + second * 1000L);
        }
        final List<long[]> samples = series.samples();
        assertEquals(LatencyMonitor.SAMPLES, samples.size());
        assertEquals(T0 / 1000 + 1, samples.get(0)[0], "the oldest second was overwritten");
        assertEquals(T0 / 1000 + LatencyMonitor.SAMPLES, samples.get(samples.size() - 1)[0]);
        assertEquals(9, series.maxMs(), "the worst ever survives the ring");
    }

    @Test
    void resetMatchesNamesIgnoringCaseAndRingFullIsDrainedAtTheTick()
    {
        final LatencyMonitor monitor = new LatencyMonitor();
        monitor.thresholdMs(1);
        monitor.ringFullNs(3 * MS);
        monitor.ringFullNs(7 * MS);
        monitor.ringFullNs(2 * MS);
        assertNull(monitor.series(LatencyMonitor.RING_FULL), "connection threads only report");
        monitor.drainRingFull(T0);
        assertArrayEquals(new long[]{T0 / 1000, 7}, monitor.series(LatencyMonitor.RING_FULL).latest());
        monitor.drainRingFull(T0 + 5000);
        assertEquals(1, monitor.series(LatencyMonitor.RING_FULL).samples().size(), "nothing new reported");
        monitor.addIfNeeded(LatencyMonitor.COMMAND, 4 * MS, T0);
        assertEquals(0, monitor.reset("nosuch"));
        assertEquals(1, monitor.reset("RING-FULL"));
        assertEquals(1, monitor.reset(null));
        assertTrue(monitor.events().isEmpty());
    }
}
