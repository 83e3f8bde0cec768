package io.ringkv.loadgen.run;

import io.ringkv.loadgen.protocol.RespReplyParser;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hit-ratio arithmetic: what counts as a hit, a miss or neither, and each interval's ratio from the
 * connections' counters.
 */
class HitRatioTrackerTest
{
    @Test
    void intervalsAndTotalsOverConnections()
    {
        final ConnectionState[] states = {new ConnectionState(0, 2), new ConnectionState(1, 2)};
        final HitRatioTracker tracker = new HitRatioTracker(states);
        // Interval 1: connection 0 hits 3 and misses 1, connection 1 misses 4: 3 of 8.
        replies(states[0], "$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$-1\r\n");
        replies(states[1], "$-1\r\n$-1\r\n*-1\r\n_\r\n");
        assertEquals(3 / 8.0, tracker.endInterval());
        // Interval 2: no GET answered.
        assertTrue(Double.isNaN(tracker.endInterval()));
        // Interval 3: an error reply is a GET that neither hit nor missed: 1 of 2.
        replies(states[1], "-ERR wrong\r\n$0\r\n\r\n");
        assertEquals(0.5, tracker.endInterval());

        final HitCounts counts = tracker.result();
        assertEquals(10, counts.gets());
        assertEquals(4, counts.hits());
        assertEquals(5, counts.misses());
        assertEquals(0.4, counts.ratio());
        assertArrayEquals(new double[] {3 / 8.0, Double.NaN, 0.5}, counts.byInterval());
        assertTrue(Double.isNaN(new HitCounts(0, 0, 0, new double[0]).ratio()), "no GETs, no ratio");
    }

    private static void replies(final ConnectionState state, final String replies)
    {
        final byte[] bytes = replies.getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(0, bytes);
        final RespReplyParser parser = new RespReplyParser();
        int index = 0;
        while (index < bytes.length)
        {
            index = parser.parse(buffer, index, bytes.length);
            state.countGet(parser);
        }
    }
}
