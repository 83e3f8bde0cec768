package io.ringkv.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Clients on virtual threads that a JMH benchmark runs in lock-step rounds: each {@link #runRound()} wakes every
 * client, each runs its share of the round's operations, and the JMH thread is woken once, by the last one to
 * finish. The JMH thread's own (platform-to-virtual) wake-ups are so spread over a whole round's operations.
 * <pre>
 *   clients = new LockstepClients(connections, c -&gt; () -&gt; { for (...) oneRoundTrip(); });   // @Setup
 *   clients.runRound();                                                                        // @Benchmark
 *   clients.close();                                                                           // @TearDown
 * </pre>
 */
public final class LockstepClients implements AutoCloseable
{
    /** One client's share of a round. */
    @FunctionalInterface
    public interface Client
    {
        /**
         * Run the client's operations of one round, on its virtual thread.
         *
         * @throws Exception when the client cannot go on; it then stops, and {@link #close()} reports it.
         */
        void round() throws Exception;
    }

    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final Thread[] threads;
    private volatile int generation;
    private volatile boolean running = true;
    private volatile Thread driver;

    /**
     * Start the clients, each waiting for the first round.
     *
     * @param count   number of clients.
     * @param factory makes client {@code i}; called on the caller's thread.
     */
    public LockstepClients(final int count, final IntFunction<Client> factory)
    {
        threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            final Client client = factory.apply(i);
            threads[i] = Thread.ofVirtual().name("client-" + i).start(() -> run(client));
        }
    }

    private void run(final Client client)
    {
        int seen = 0;
        boolean failed = false;
        while (true)
        {
            while (generation == seen && running)
            {
                LockSupport.park(this);
            }
            if (!running)
            {
                return;
            }
            seen = generation;
            if (!failed)
            {
                try
                {
                    client.round();
                }
                catch (final Exception ex)
                {
                    failed = true;
                    failures.incrementAndGet();
                }
            }
            if (remaining.decrementAndGet() == 0)
            {
                LockSupport.unpark(driver);
            }
        }
    }

    /**
     * Run one round: every client runs its operations; returns when all are done.
     */
    public void runRound()
    {
        driver = Thread.currentThread();
        remaining.set(threads.length);
        generation++;
        for (final Thread thread : threads)
        {
            LockSupport.unpark(thread);
        }
        while (remaining.get() != 0)
        {
            LockSupport.park(this);
        }
    }

    /**
     * Stop the clients and wait for them.
     *
     * @throws IllegalStateException when a client failed.
     */
    @Override
    public void close() throws InterruptedException
    {
        running = false;
        for (final Thread thread : threads)
        {
            LockSupport.unpark(thread);
            thread.join();
        }
        if (failures.get() != 0)
        {
            throw new IllegalStateException(failures.get() + " clients failed");
        }
    }
}
