package io.ringkv.loadgen.run;

import io.ringkv.loadgen.cli.LoadOptions;
import io.ringkv.loadgen.cli.TargetAddress;
import io.ringkv.loadgen.protocol.RequestEncoder;
import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.KeyFormat;
import io.ringkv.loadgen.workload.RequestArguments;
import io.ringkv.loadgen.workload.SequentialKeyDistribution;
import io.ringkv.loadgen.workload.ValuePool;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * SETs every key of the key space before a run, so that reads hit: each connection takes an equal stripe of
 * keys and writes them in pipelined batches, unmeasured. A connection whose replies stop for the reply timeout
 * is closed, so the preload ends by itself. Called by {@link LoadRun} on its coordinating thread.
 */
final class Preloader
{
    private static final int PRELOAD_PIPELINE = 64;

    private final LoadOptions options;
    private final PrintStream out;

    Preloader(final LoadOptions options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    /**
     * @return the number of SETs sent: the key space size.
     * @throws LoadFailedException if a connection fails or a SET gets an error reply.
     */
    long preload(
        final TargetAddress target,
        final KeyFormat keyFormat,
        final ValuePool values,
        final RequestEncoder encoder,
        final TargetConnection[] connections,
        final int maxRequestLength)
    {
        final long keySpace = options.keySpace;
        final int count = connections.length;
        final long startNs = System.nanoTime();
        final AtomicReferenceArray<String> failures = new AtomicReferenceArray<>(count);
        final long[] errors = new long[count];
        final AtomicLongArray progressNs = new AtomicLongArray(count);
        for (int i = 0; i < count; i++)
        {
            progressNs.set(i, startNs);
        }
        final Thread[] threads = new Thread[count];
        final CommandTemplate set = CommandTemplate.builtIn("set", 1);
        for (int i = 0; i < count; i++)
        {
            final long from = keySpace * i / count;
            final long to = keySpace * (i + 1) / count;
            final int index = i;
            threads[i] = Thread.ofVirtual().start(() ->
            {
                final TargetConnection connection = connections[index];
                final RequestArguments args = new RequestArguments(new SequentialKeyDistribution(keySpace, from),
                    keyFormat, values, new SplittableRandom(options.seed + index), keySpace);
                final RequestWriter writer = new RequestWriter(
                    connection.channel, encoder, args, maxRequestLength, 64 * 1024);
                try
                {
                    for (long key = from; key < to; )
                    {
                        final int batch = (int)Math.min(PRELOAD_PIPELINE, to - key);
                        writer.begin();
                        for (int b = 0; b < batch; b++)
                        {
                            writer.add(set);
                        }
                        writer.flush();
                        for (int b = 0; b < batch; b++)
                        {
                            if (connection.reader.next() != ReplyReader.REPLY)
                            {
                                failures.compareAndSet(index, null,
                                    "the server closed the connection or sent an invalid reply");
                                return;
                            }
                            if (connection.reader.parser().isError())
                            {
                                errors[index]++;
                            }
                        }
                        progressNs.setRelease(index, System.nanoTime());
                        key += batch;
                    }
                }
                catch (final IOException ex)
                {
                    failures.compareAndSet(index, null, TargetConnection.describe(ex));
                }
            });
        }
        while (LoadRun.anyAlive(threads))
        {
            // The same rule as under load: a connection without replies for the timeout is given up.
            for (int i = 0; i < count; i++)
            {
                if (threads[i].isAlive() && System.nanoTime() - progressNs.getAcquire(i) > options.replyTimeoutNs)
                {
                    failures.compareAndSet(i, null, "no reply within " + options.replyTimeoutNs / 1_000_000 + " ms");
                    connections[i].close();
                }
            }
            LockSupport.parkNanos(LoadRun.WATCH_PERIOD_NS);
        }
        LoadRun.joinAll(threads);
        for (int i = 0; i < count; i++)
        {
            final String failure = failures.get(i);
            if (failure != null)
            {
                throw new LoadFailedException("preloading " + target + " failed: " + failure);
            }
        }
        final long errorCount = Arrays.stream(errors).sum();
        if (errorCount > 0)
        {
            throw new LoadFailedException(
                "preloading " + target + " failed: " + errorCount + " SETs got an error reply");
        }
        if (options.progress)
        {
            out.printf(Locale.ROOT, "preloaded %,d keys into %s in %.1f s%n",
                keySpace, target, (System.nanoTime() - startNs) / 1e9);
        }
        return keySpace;
    }
}
