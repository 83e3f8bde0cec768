package io.ringkv.core.engine;

import io.ringkv.core.command.EngineHarness;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine feeds a {@link ChangeJournal} every slot's records and flushes it once per run of slots; a journal that
 * holds replies (appendfsync always) sees every change of a batch flushed before the batch is handed to its
 * completion, which writes the replies, and one that does not hold them is not waited for.
 */
class ChangeJournalTest
{
    /** Counts the records it was given and the ones flushed when each batch completes. */
    private static final class CountingJournal implements ChangeJournal
    {
        private final boolean holds;
        final AtomicLong appended = new AtomicLong();
        final AtomicLong flushed = new AtomicLong();

        CountingJournal(final boolean holds)
        {
            this.holds = holds;
        }

        @Override
        public void append(final CommandEvent event)
        {
            appended.addAndGet(event.changeCount());
        }

        @Override
        public void flush()
        {
            flushed.set(appended.get());
        }

        @Override
        public boolean holdsReplies()
        {
            return holds;
        }
    }

    @Test
    void aJournalThatHoldsRepliesHasFlushedABatchsChangesBeforeItsCompletionRuns() throws Exception
    {
        try (EngineHarness kv = new EngineHarness())
        {
            final CountingJournal journal = new CountingJournal(true);
            kv.engine.journal(journal);
            for (int round = 1; round <= 50; round++)
            {
                assertEquals(round, incrFlushedAtCompletion(kv, journal), "round " + round + ": flushed first");
            }
        }
    }

    @Test
    void aJournalThatDoesNotHoldRepliesIsNotWaitedFor() throws Exception
    {
        try (EngineHarness kv = new EngineHarness())
        {
            final CountingJournal journal = new CountingJournal(false);
            kv.engine.journal(journal);
            assertEquals(0, incrFlushedAtCompletion(kv, journal),
                "answered straight after execution, flushed at the run's end");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (journal.flushed.get() != 1 && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            assertEquals(1, journal.flushed.get());
        }
    }

    /**
     * Publish one INCR and return how many records the journal had flushed when the batch's completion ran.
     */
    private static long incrFlushedAtCompletion(final EngineHarness kv, final CountingJournal journal)
        throws InterruptedException
    {
        final CountDownLatch executed = new CountDownLatch(1);
        final long[] flushedAtCompletion = new long[1];
        kv.batch.reset(new UnsafeBuffer("INCRn".getBytes(StandardCharsets.US_ASCII)));
        kv.batch.addArg(0, 4);
        kv.batch.addArg(4, 1);
        kv.batch.endRequest(RequestBatch.VALUE_RAW);
        kv.engine.publish(kv.batch, batch ->
        {
            flushedAtCompletion[0] = journal.flushed.get();
            batch.finish();
            executed.countDown();
        });
        assertTrue(executed.await(10, TimeUnit.SECONDS));
        return flushedAtCompletion[0];
    }
}
