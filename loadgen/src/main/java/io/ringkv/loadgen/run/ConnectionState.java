package io.ringkv.loadgen.run;

import io.ringkv.loadgen.protocol.ReplyParser;
import org.HdrHistogram.SingleWriterRecorder;

import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's results and the few fields the coordinator watches while it runs. Latencies go into one
 * {@link SingleWriterRecorder} per command, which the receiving thread records into wait-free and the
 * coordinator swaps out each interval; counters are written by one thread each and read by the coordinator
 * (published ones while running, the rest after joining the connection's threads). Nothing here is shared
 * between connections, so the hot path takes no lock and contends on no counter.
 */
public final class ConnectionState
{
    /** Largest latency recorded; longer ones are recorded as this (an hour). */
    public static final long HIGHEST_TRACKABLE_NS = 3_600_000_000_000L;
    /** Significant digits of every histogram. */
    public static final int SIGNIFICANT_DIGITS = 3;

    final int id;
    final SingleWriterRecorder[] recorders;
    /** Requests sent per command, warm-up included; sending thread. */
    final long[] sentByCommand;
    /** Requests sent during warm-up; sending thread. */
    long warmupRequests;
    /** Error replies and lost requests; receiving thread. */
    final ErrorKinds errors = new ErrorKinds();
    /** When the last measured reply arrived; receiving thread. */
    long lastMeasuredReplyNs;
    /** Why the connection ended early (an error kind), or null; connection thread. */
    String failureKind;
    /** Description of the early end for the summary; connection thread. */
    String failureMessage;

    /** Requests written so far, published by the sending thread. */
    final AtomicLong sent = new AtomicLong();
    /** Replies read so far, published by the receiving thread. */
    final AtomicLong received = new AtomicLong();
    /** Cache-aside: measured GETs, their hits and their misses (nil replies); receiving thread, published. */
    final AtomicLong gets = new AtomicLong();
    final AtomicLong hits = new AtomicLong();
    final AtomicLong misses = new AtomicLong();
    /** Last time the connection made progress (a reply, or a send while nothing was outstanding). */
    final AtomicLong lastProgressNs = new AtomicLong();
    /** Set by the coordinator before it closes a stuck connection. */
    volatile boolean abandoned;
    volatile SocketChannel channel;

    /**
     * @param id           connection number.
     * @param commandCount commands in the mix.
     */
    ConnectionState(final int id, final int commandCount)
    {
        this.id = id;
        this.recorders = new SingleWriterRecorder[commandCount];
        for (int c = 0; c < commandCount; c++)
        {
            recorders[c] = new SingleWriterRecorder(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        }
        this.sentByCommand = new long[commandCount];
    }

    /**
     * Records a latency, clamped to the trackable range. Receiving thread only.
     */
    void record(final int command, final long latencyNs)
    {
        recorders[command].recordValue(Math.max(1, Math.min(latencyNs, HIGHEST_TRACKABLE_NS)));
    }

    /**
     * Cache-aside: counts a measured GET's reply as a hit, a miss (nil), or neither (an error reply).
     * Receiving thread; plain reads of its own counters, release stores for the coordinator.
     */
    void countGet(final ReplyParser parser)
    {
        gets.setRelease(gets.getPlain() + 1);
        if (parser.isNil())
        {
            misses.setRelease(misses.getPlain() + 1);
        }
        else if (!parser.isError())
        {
            hits.setRelease(hits.getPlain() + 1);
        }
    }

    /**
     * Counts the reply the reader has just completed when it is an error reply. Receiving thread.
     */
    void countErrorReply(final ReplyReader reader)
    {
        final ReplyParser parser = reader.parser();
        if (parser.isError())
        {
            errors.add(reader.buffer(), parser.errorIndex(), parser.errorLength());
        }
    }

    /**
     * Notes the first reason the connection ended early; later ones are its consequences. The lost requests are
     * counted once, by {@link #accountLostIfFailed()} as the connection ends. Connection threads.
     */
    void fail(final String kind, final String message)
    {
        if (failureKind == null)
        {
            failureKind = kind;
            failureMessage = message;
        }
    }

    /**
     * The channel was closed under a blocked read or write: by the coordinator's timeout or by the connection.
     */
    void failClosed()
    {
        fail(abandoned ? "TIMEOUT" : "CONNECTION", abandoned
            ? "no reply within the timeout; connection abandoned" : "connection closed");
    }

    /**
     * @param readResult what {@link ReplyReader#next()} returned instead of a reply.
     */
    void failRead(final int readResult)
    {
        if (readResult == ReplyReader.MALFORMED)
        {
            fail("PROTOCOL", "reply not valid in this protocol");
        }
        else
        {
            fail("CONNECTION", "server closed the connection");
        }
    }

    /**
     * A loadgen bug surfaced as an unexpected exception.
     */
    void failInternal(final RuntimeException ex)
    {
        fail("INTERNAL", "loadgen bug, please report: " + ex);
    }

    /**
     * Counts the requests that were sent and never answered as errors of the failure's kind, if the connection
     * failed. Called once by the connection thread as it ends, after its other threads have stopped.
     */
    void accountLostIfFailed()
    {
        final long lost = sent.get() - received.get();
        if (failureKind != null && lost > 0)
        {
            errors.add(failureKind, lost);
        }
    }
}
