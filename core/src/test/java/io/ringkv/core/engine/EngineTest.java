package io.ringkv.core.engine;

import com.lmax.disruptor.EventHandler;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.CoreCommands;
import io.ringkv.core.command.EngineHarness;
import io.ringkv.core.command.TranscriptReply;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineTest
{
    /**
     * Several connections pipeline batches (some larger than a claim, so published in chunks) at once: every
     * request gets its reply in the connection's order, and the engine completes each batch exactly once.
     */
    @ParameterizedTest
    @CsvSource({"platform,phased-backoff", "virtual,parking", "platform,parking", "virtual,blocking"})
    @SuppressWarnings("try") // closes the engine early to let the consumer behind it finish counting
    void pipelinedBatchesFromSeveralThreadsKeepPerConnectionOrder(final String threadKind, final String waitStrategy)
        throws Exception
    {
        final int connections = 4;
        final int batches = 12;
        final int[] batchSizes = {1, 16, 1000, 3000};
        final AtomicLong lastOfBatchSeen = new AtomicLong();
        final List<EventHandler<CommandEvent>> afterEngine = List.of((event, sequence, endOfBatch) ->
        {
            if (event.type() == CommandEvent.TYPE_REQUEST && event.lastOfBatch())
            {
                lastOfBatchSeen.incrementAndGet();
            }
        });
        try (Keyspace keyspace = new Keyspace(new StoreConfig());
            Engine engine = new Engine(new EngineConfig().ringSize(1024).tickIntervalMs(10)
                .threadKind(threadKind).waitStrategy(waitStrategy), keyspace, CoreCommands.newTable(), afterEngine))
        {
            engine.start();
            final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            final CountDownLatch done = new CountDownLatch(connections);
            long expectedBatches = 0;
            for (int c = 0; c < connections; c++)
            {
                expectedBatches += batches;
                final int connection = c;
                Thread.ofVirtual().start(() ->
                {
                    try
                    {
                        runConnection(engine, connection, batches, batchSizes);
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                    finally
                    {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "connections did not finish");
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            engine.close();
            assertEquals(expectedBatches, lastOfBatchSeen.get());
        }
    }

    private static void runConnection(final Engine engine, final int connection, final int batches,
        final int[] batchSizes)
    {
        final TranscriptReply reply = new TranscriptReply();
        final RequestBatch batch = new RequestBatch(new ClientSession(connection, true), reply);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 20]);
        final byte[] incr = "INCR".getBytes(StandardCharsets.US_ASCII);
        final byte[] key = ("counter:" + connection).getBytes(StandardCharsets.US_ASCII);
        buffer.putBytes(0, incr);
        buffer.putBytes(incr.length, key);
        long expected = 0;
        for (int b = 0; b < batches; b++)
        {
            final int size = batchSizes[(b + connection) % batchSizes.length];
            reply.clear();
            batch.reset(buffer);
            for (int i = 0; i < size; i++)
            {
                batch.addArg(0, incr.length);
                batch.addArg(incr.length, key.length);
                batch.endRequest(RequestBatch.VALUE_RAW);
            }
            engine.execute(batch);
            assertTrue(batch.isComplete());
            final List<String> replies = reply.replies();
            assertEquals(size, replies.size());
            for (final String r : replies)
            {
                assertEquals(":" + (++expected), r);
            }
        }
    }

    @Test
    void emptyBatchCompletesAtOnce()
    {
        try (EngineHarness kv = new EngineHarness())
        {
            kv.batch.reset(new UnsafeBuffer(new byte[1]));
            kv.engine.execute(kv.batch);
            assertTrue(kv.batch.isComplete());
            assertEquals(List.of(), kv.reply.replies());
        }
    }

    /**
     * A batch published with a completion is handed to it on the engine thread once executed, and stays in flight
     * (its publisher may not touch it) until the completion finishes it, from any thread; a publisher waiting for it
     * is woken then, not before.
     */
    @Test
    void aCompletionGetsTheExecutedBatchAndFinishesItWhenItLikes() throws Exception
    {
        try (EngineHarness kv = new EngineHarness())
        {
            final CountDownLatch executed = new CountDownLatch(1);
            final AtomicReference<Thread> engineThread = new AtomicReference<>();
            final AtomicReference<List<String>> repliesSeen = new AtomicReference<>();
            final BatchCompletion completion = batch ->
            {
                engineThread.set(Thread.currentThread());
                repliesSeen.set(List.copyOf(kv.reply.replies()));
                executed.countDown();
            };
            final UnsafeBuffer args = new UnsafeBuffer("INCRn".getBytes(StandardCharsets.US_ASCII));
            kv.batch.reset(args);
            kv.batch.addArg(0, 4);
            kv.batch.addArg(4, 1);
            kv.batch.endRequest(RequestBatch.VALUE_RAW);
            kv.engine.publish(kv.batch, completion);

            assertTrue(executed.await(10, TimeUnit.SECONDS));
            assertEquals(List.of(":1"), repliesSeen.get(), "the replies are there when the completion is called");
            assertEquals("ringkv-engine", engineThread.get().getName());
            assertFalse(kv.batch.isComplete(), "in flight until the completion finishes it");

            final Thread waiter = Thread.ofVirtual().start(kv.batch::awaitCompletion);
            Thread.sleep(50);
            assertTrue(waiter.isAlive(), "a publisher waiting for the batch still waits");
            Thread.ofPlatform().start(kv.batch::finish).join();
            waiter.join(10_000);
            assertFalse(waiter.isAlive(), "finish() wakes the waiting publisher");
            assertTrue(kv.batch.isComplete());
        }
    }

    @Test
    void pipelineRepliesInOrderWithinABatch()
    {
        try (EngineHarness kv = new EngineHarness())
        {
            assertEquals(List.of("+OK", "$v", ":1", "(nil)", "-ERR unknown command 'nope', with args beginning with: "),
                kv.pipeline(new String[]{"SET", "k", "v"}, new String[]{"GET", "k"}, new String[]{"DEL", "k"},
                    new String[]{"GET", "k"}, new String[]{"nope"}));
            // SELECT in a batch applies to the requests after it, and to later batches of the connection.
            assertEquals(List.of("+OK", "+OK", "+OK", "$one"),
                kv.pipeline(new String[]{"SET", "k", "zero"}, new String[]{"SELECT", "1"},
                    new String[]{"SET", "k", "one"}, new String[]{"GET", "k"}));
            assertEquals("$one", kv.exec("GET", "k"));
            kv.exec("SELECT", "0");
            assertEquals("$zero", kv.exec("GET", "k"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"parking", "blocking", "lite-blocking", "sleeping", "yielding", "busy-spin", "phased-backoff"})
    void everyWaitStrategyRunsCommands(final String waitStrategy)
    {
        try (Keyspace keyspace = new Keyspace(new StoreConfig());
            Engine engine = new Engine(new EngineConfig().ringSize(64).waitStrategy(waitStrategy).tickIntervalMs(0),
                keyspace, CoreCommands.newTable(), List.of()))
        {
            engine.start();
            final TranscriptReply reply = new TranscriptReply();
            final RequestBatch batch = new RequestBatch(new ClientSession(1, true), reply);
            final UnsafeBuffer buffer = new UnsafeBuffer("INCRn".getBytes(StandardCharsets.US_ASCII));
            for (int round = 1; round <= 50; round++)
            {
                reply.clear();
                batch.reset(buffer);
                batch.addArg(0, 4);
                batch.addArg(4, 1);
                batch.endRequest(RequestBatch.VALUE_RAW);
                engine.execute(batch);
                assertEquals(List.of(":" + round), reply.replies());
            }
        }
    }

    /**
     * An UNLINKed big hash is freed in the engine's spare time, not one slice per tick: with the tick timer off, the
     * engine frees a slice whenever it catches up with the ring, at most one per pace period (it used to wait for
     * ticks that never came).
     */
    @Test
    void unlinkedValuesAreFreedWithoutTicks() throws Exception
    {
        try (EngineHarness kv = new EngineHarness())
        {
            final int fields = 200_000;
            final int perCommand = 1000;
            for (int from = 0; from < fields; from += perCommand)
            {
                final String[] args = new String[2 + 2 * perCommand];
                args[0] = "HSET";
                args[1] = "big";
                for (int i = 0; i < perCommand; i++)
                {
                    args[2 + 2 * i] = "field:" + (from + i);
                    args[3 + 2 * i] = "v";
                }
                kv.exec(args);
            }
            assertEquals(":" + fields, kv.exec("HLEN", "big"));
            assertEquals(":1", kv.exec("UNLINK", "big"));
            assertEquals(":0", kv.exec("EXISTS", "big"));
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean pending = kv.keyspace.lazyFreePending(); // read after a completed batch: the engine's writes show
            while (pending && System.nanoTime() < deadlineNs)
            {
                Thread.sleep(1);
                kv.exec("PING");
                pending = kv.keyspace.lazyFreePending();
            }
            assertFalse(pending, "the unlinked hash's elements are still waiting to be freed");

            // A list's chain of nodes too: the engine's spare-time free used to see only element tables.
            for (int from = 0; from < fields; from += perCommand)
            {
                final String[] args = new String[2 + perCommand];
                args[0] = "RPUSH";
                args[1] = "list";
                for (int i = 0; i < perCommand; i++)
                {
                    args[2 + i] = "element:" + (from + i);
                }
                kv.exec(args);
            }
            assertEquals(":1", kv.exec("UNLINK", "list")); // hundreds of nodes: left to the lazy free
            final long listDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (kv.keyspace.quicklists().droppedLists() > 0 && System.nanoTime() < listDeadlineNs)
            {
                Thread.sleep(1);
                kv.exec("PING");
            }
            assertEquals(0, kv.keyspace.quicklists().droppedLists(), "the unlinked list's nodes are still waiting");
        }
    }

    /**
     * Every slot kept a change area of up to 1 KiB between uses, so a 65,536-slot ring held 32 MiB after a load of
     * ten-field HSETs had stopped. Ticks of a quiet engine free the areas every consumer has read.
     */
    @Test
    void quietTicksFreeTheChangeAreasOfIdleSlots()
    {
        try (EngineHarness kv = new EngineHarness())
        {
            for (int i = 0; i < 200; i++)
            {
                final String[] args = new String[22];
                args[0] = "HSET";
                args[1] = "h:" + i;
                for (int f = 0; f < 10; f++)
                {
                    args[2 + 2 * f] = "field:" + f;
                    args[3 + 2 * f] = "value:" + i;
                }
                assertEquals(":10", kv.exec(args));
            }
            assertTrue(kv.engine.changeAreaBytes() >= 200 * 128, "each HSET's slot holds its change records");
            kv.engine.tick(); // the ring moved by 200 slots since the engine started: busy, nothing freed
            kv.exec("PING");
            assertTrue(kv.engine.changeAreaBytes() >= 200 * 128);
            kv.engine.tick(); // quiet since the last tick
            kv.exec("PING");
            assertEquals(0, kv.engine.changeAreaBytes(), "the idle slots' areas are freed");
            assertEquals(":10", kv.exec("HLEN", "h:7"));
        }
    }

    @Test
    void configRejectsBadSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> new EngineConfig().waitStrategy("spinny"));
        assertThrows(IllegalArgumentException.class, () -> new EngineConfig().threadKind("green"));
        assertThrows(IllegalArgumentException.class, () -> new EngineConfig().ringSize(1000));
        assertEquals(256, new EngineConfig().ringSize(1024).maxClaim());
        assertEquals(100, new EngineConfig().ringSize(1024).maxClaim(100).maxClaim());
    }

    @Test
    void closeFinishesPublishedWork()
    {
        final CommandTable table = CoreCommands.newTable();
        final Keyspace keyspace = new Keyspace(new StoreConfig());
        final Engine engine = new Engine(new EngineConfig().ringSize(64).tickIntervalMs(0), keyspace, table,
            List.of());
        engine.start();
        final TranscriptReply reply = new TranscriptReply();
        final RequestBatch batch = new RequestBatch(new ClientSession(1, true), reply);
        final UnsafeBuffer buffer = new UnsafeBuffer("INCRn".getBytes(StandardCharsets.US_ASCII));
        batch.reset(buffer);
        for (int i = 0; i < 500; i++)
        {
            batch.addArg(0, 4);
            batch.addArg(4, 1);
            batch.endRequest(RequestBatch.VALUE_RAW);
        }
        engine.publish(batch);
        engine.close();
        assertTrue(batch.isComplete());
        assertEquals(500, reply.replies().size());
        assertEquals(":500", reply.replies().get(499));
        assertThrows(IllegalStateException.class, () -> engine.publish(batch));
        keyspace.close();
    }

    /**
     * TICK and TASK slots are claimed with the ring's one idiom (tryNext, no waiting): on a full ring they give up at
     * once. requestTask used Disruptor's next(), which advances the cursor and then waits for room: it hung here
     * (and on a virtual-thread engine, the cursor running ahead is the documented livelock).
     */
    @Test
    void controlSlotsOnAFullRingGiveUpAtOnce() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final EventHandler<CommandEvent> stuck = (event, sequence, endOfBatch) -> release.await();
        final int ringSize = 8;
        try (Keyspace keyspace = new Keyspace(new StoreConfig());
            Engine engine = new Engine(new EngineConfig().ringSize(ringSize).tickIntervalMs(0), keyspace,
                CoreCommands.newTable(), List.of(stuck)))
        {
            engine.start();
            final java.util.concurrent.atomic.AtomicInteger taskRuns = new java.util.concurrent.atomic.AtomicInteger();
            engine.backgroundTask(nowMs -> taskRuns.incrementAndGet());
            final TranscriptReply reply = new TranscriptReply();
            final RequestBatch batch = new RequestBatch(new ClientSession(1, true), reply);
            final UnsafeBuffer buffer = new UnsafeBuffer("PING".getBytes(StandardCharsets.US_ASCII));
            batch.reset(buffer);
            for (int i = 0; i < ringSize; i++)
            {
                batch.addArg(0, 4);
                batch.endRequest(RequestBatch.VALUE_RAW);
            }
            engine.publish(batch); // fills the ring: the consumer behind the engine holds every slot
            try
            {
                assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                {
                    assertFalse(engine.requestTask());
                    assertFalse(engine.tick());
                });
            }
            finally
            {
                release.countDown();
            }
            batch.awaitCompletion();
            assertEquals(ringSize, reply.replies().size());
            // Room again once the consumer behind the engine has moved on: the flags were reset, so both publish
            // again, and the task runs.
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean published = false;
            while (!published && System.nanoTime() < deadlineNs)
            {
                published = engine.requestTask();
                Thread.sleep(1);
            }
            assertTrue(published);
            while (taskRuns.get() == 0 && System.nanoTime() < deadlineNs)
            {
                Thread.sleep(1);
            }
            assertTrue(taskRuns.get() > 0);
            boolean ticked = false;
            while (!ticked && System.nanoTime() < deadlineNs)
            {
                ticked = engine.tick();
                Thread.sleep(1);
            }
            assertTrue(ticked);
        }
    }

    @Test
    void timerTicksRunActiveExpiry() throws Exception
    {
        try (Keyspace keyspace = new Keyspace(new StoreConfig());
            Engine engine = new Engine(new EngineConfig().ringSize(64).tickIntervalMs(5), keyspace,
                CoreCommands.newTable(), List.of()))
        {
            engine.start();
            final TranscriptReply reply = new TranscriptReply();
            final RequestBatch batch = new RequestBatch(new ClientSession(1, true), reply);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            final int length = buffer.putStringWithoutLengthAscii(0, "SETkvPX1DBSIZE");
            batch.reset(buffer);
            batch.addArg(0, 3);
            batch.addArg(3, 1);
            batch.addArg(4, 1);
            batch.addArg(5, 2);
            batch.addArg(7, 1);
            batch.endRequest(RequestBatch.VALUE_RAW);
            engine.execute(batch);
            assertEquals(List.of("+OK"), reply.replies());
            // Nothing reads the key again: only the timer's TICKs can remove it.
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String size;
            do
            {
                Thread.sleep(10);
                reply.clear();
                batch.reset(buffer);
                batch.addArg(8, length - 8);
                batch.endRequest(RequestBatch.VALUE_RAW);
                engine.execute(batch);
                size = reply.replies().get(0);
            }
            while (!size.equals(":0") && System.nanoTime() < deadlineNs);
            assertEquals(":0", size);
        }
    }
}
