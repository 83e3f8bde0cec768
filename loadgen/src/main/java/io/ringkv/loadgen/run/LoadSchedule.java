package io.ringkv.loadgen.run;

/**
 * When a run's phases start and end, and how much each connection sends. Immutable; any thread.
 *
 * @param startNs              {@link System#nanoTime()} when load (warm-up first) starts.
 * @param measureStartNs       requests sent (closed loop) or scheduled (open loop) from here on are measured.
 * @param endNs                no request is sent or scheduled from here on ({@link Long#MAX_VALUE} in count mode).
 * @param pipeline             requests per batch.
 * @param intervalNs           open loop: time between one connection's intended sends; 0 for closed loop.
 * @param connections          number of connections.
 */
public record LoadSchedule(
    long startNs, long measureStartNs, long endNs, int pipeline, double intervalNs, int connections)
{
    /**
     * @return whether requests follow a fixed-rate schedule.
     */
    public boolean openLoop()
    {
        return intervalNs > 0;
    }

    /**
     * Splits a total request count over the connections, the remainder going to the first ones.
     *
     * @param totalRequests measured requests in all; 0 for a duration run.
     * @param connection    connection number.
     * @return this connection's share, or {@link Long#MAX_VALUE} for a duration run.
     */
    public long quota(final long totalRequests, final int connection)
    {
        if (totalRequests <= 0)
        {
            return Long.MAX_VALUE;
        }
        return totalRequests / connections + (connection < totalRequests % connections ? 1 : 0);
    }

    /**
     * Open loop: when connection {@code connection} intends to send its request number {@code sequence}.
     * Connections are offset by a fraction of the interval so that together they send at an even rate.
     *
     * @param connection connection number.
     * @param sequence   request number on that connection, from 0.
     * @return the intended send time, {@link System#nanoTime()} scale.
     */
    public long intendedSendNs(final int connection, final long sequence)
    {
        return startNs + (long)((sequence + (double)connection / connections) * intervalNs);
    }
}
