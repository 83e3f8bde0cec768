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
 * The engine feeds a {@link ChangeJournal} every slot's records and flushes it once per run of slots; the journal
 * sees every change of a batch flushed before the batch is handed to its completion, which writes the replies
 * (whatever the fsync policy: Redis writes its AOF buffer before the iteration's replies too).
 */
class ChangeJournalTest
{
    /** Counts the records it was given and the ones flushed when each batch completes. */
    private static final class CountingJournal implements ChangeJournal
    {
        final AtomicLong appended = new AtomicLong();
        final AtomicLong flushed = new AtomicLong();

        @Override
        public void append(final CommandEvent event)
        {
            appended.addAndGet(event.changeCount());
        }

        @Override
        public boolean flush()
        {
            flushed.set(appended.get());
            return true;
        }
    }

    @Test
    void aJournalHasFlushedABatchsChangesBeforeItsCompletionRuns() throws Exception
    {
        try (EngineHarness kv = new EngineHarness())
        {
            final CountingJournal journal = new CountingJournal();
            kv.engine.journal(journal);
            for (int round = 1; round <= 50; round++)
            {
                assertEquals(round, incrFlushedAtCompletion(kv, journal), "round " + round + ": flushed first");
            }
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
