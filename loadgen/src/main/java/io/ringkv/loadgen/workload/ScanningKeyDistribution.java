package io.ringkv.loadgen.workload;

import java.util.function.LongSupplier;

/**
 * A key distribution interrupted by one-off scans: every {@code periodNs} the connections together request
 * {@code scanLength} consecutive keys that were never requested before and never will be again (a batch job or
 * a crawler walking cold data through the cache), then go back to the inner distribution. Scan keys lie above
 * the key space, numbered {@code keySpace + scan * scanLength + i}; connection {@code c} of {@code n} takes
 * every {@code i} with {@code i mod n == c}, so the connections share each scan without sharing a counter. The
 * numbers wrap only after {@code scanSpace} scan keys (around 10^12 with the default key format). Not
 * threadsafe: one per connection; {@link #nextKey()} reads the clock and allocates nothing.
 */
public final class ScanningKeyDistribution implements KeyDistribution
{
    private final KeyDistribution inner;
    private final long keySpace;
    private final long scanLength;
    private final long scanSpace;
    private final long periodNs;
    private final long originNs;
    private final LongSupplier clock;
    private final int connections;
    private final long firstCursor;
    private long scan;
    private long scanBase;
    private long cursor;

    /**
     * @param inner       the distribution between scans, over {@code [0, keySpace)}.
     * @param keySpace    number of keys of the inner distribution.
     * @param scanLength  keys per scan over all connections, positive.
     * @param scanSpace   how many scan key numbers fit after the key space (the key format's limit).
     * @param periodNs    time between scans; the first starts one period after the origin.
     * @param originNs    clock reading the periods count from (shared by all connections).
     * @param clock       the clock, {@link System#nanoTime()} outside tests.
     * @param connection  this connection's number.
     * @param connections number of connections.
     */
    public ScanningKeyDistribution(
        final KeyDistribution inner,
        final long keySpace,
        final long scanLength,
        final long scanSpace,
        final long periodNs,
        final long originNs,
        final LongSupplier clock,
        final int connection,
        final int connections)
    {
        if (scanLength < 1 || scanSpace < scanLength || periodNs < 1 || connection < 0 || connection >= connections)
        {
            throw new IllegalArgumentException("scanLength=" + scanLength + " scanSpace=" + scanSpace
                + " periodNs=" + periodNs + " connection=" + connection + "/" + connections);
        }
        this.inner = inner;
        this.keySpace = keySpace;
        this.scanLength = scanLength;
        this.scanSpace = scanSpace;
        this.periodNs = periodNs;
        this.originNs = originNs;
        this.clock = clock;
        this.connections = connections;
        this.firstCursor = connection;
        // No scan before the first period ends: the cursor starts past the end.
        this.cursor = scanLength;
    }

    @Override
    public long nextKey()
    {
        final long now = Math.max(0, clock.getAsLong() - originNs) / periodNs;
        if (now > scan)
        {
            // A scan missed while the connection was blocked is skipped, but its keys stay unused.
            scanBase = mulMod(now - 1, scanLength, scanSpace);
            scan = now;
            cursor = firstCursor;
        }
        if (cursor < scanLength)
        {
            final long index = scanBase + cursor;
            cursor += connections;
            return keySpace + (index < scanSpace ? index : index - scanSpace);
        }
        return inner.nextKey();
    }

    /** {@code a * b mod m} without overflow, for non-negative operands (once per scan, not per request). */
    static long mulMod(final long a, final long b, final long m)
    {
        if (Math.multiplyHigh(a, b) == 0 && a * b >= 0)
        {
            return (a * b) % m;
        }
        long result = 0;
        long addend = a % m;
        for (long bits = b; bits > 0; bits >>>= 1)
        {
            if ((bits & 1) != 0)
            {
                result = result >= m - addend ? result - (m - addend) : result + addend;
            }
            addend = addend >= m - addend ? addend - (m - addend) : addend + addend;
        }
        return result;
    }
}
