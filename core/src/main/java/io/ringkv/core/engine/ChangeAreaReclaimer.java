package io.ringkv.core.engine;

import com.lmax.disruptor.RingBuffer;
import io.ringkv.core.changelog.ChangeArea;

import java.util.function.LongSupplier;

/**
 * Frees the change areas that large writes grew in ring slots as soon as every consumer behind the engine has read
 * them, instead of when the ring comes round to the slot again: with a 65,536-slot ring that could be never for an
 * idle server, and 30 concurrent 50 MB SETs would keep 1.5 GB of change records resident.
 * <p>
 * The engine calls {@link #executed(CommandEvent, long)} after each slot and {@link #reclaim()} before each one
 * (ticks included, so an idle server reclaims within a tick). On each tick of a quiet engine it also sweeps the
 * ring's idle slots ({@link #sweepIfQuiet(long)}): every slot keeps an area of up to
 * {@link ChangeArea#RETAINED_CAPACITY} between uses, which over a 65,536-slot ring of HSETs of ten fields came to
 * 32 MiB resident after the load had stopped. Only the engine thread calls this.
 */
final class ChangeAreaReclaimer
{
    /** Slots remembered at once; more large slots than this are reclaimed when the ring reuses them. */
    static final int CAPACITY = 64;

    private final CommandEvent[] events = new CommandEvent[CAPACITY];
    private final long[] sequences = new long[CAPACITY];
    /** Slots a quiet tick frees at most: a 65,536-slot ring in 8 ticks. */
    static final int SWEEP_SLOTS_PER_TICK = 8192;

    private LongSupplier consumedSequence = () -> Long.MAX_VALUE;
    private RingBuffer<CommandEvent> ring;
    private int count;
    private long sequenceAtLastSweep = -1;
    private int sweepIndex;

    /**
     * @param consumedSequence the highest sequence every consumer of the ring has finished with (the ring's
     *                         minimum gating sequence).
     */
    void consumedSequence(final LongSupplier consumedSequence)
    {
        this.consumedSequence = consumedSequence;
    }

    /**
     * Remember the slot when its change area outgrew what a slot keeps.
     *
     * @param event    the slot just executed.
     * @param sequence its sequence.
     */
    void executed(final CommandEvent event, final long sequence)
    {
        if (event.changesCapacity() > ChangeArea.RETAINED_CAPACITY && count < CAPACITY)
        {
            events[count] = event;
            sequences[count] = sequence;
            count++;
        }
    }

    /**
     * Free the large change areas of slots every consumer has passed.
     */
    void reclaim()
    {
        if (count == 0)
        {
            return;
        }
        final long consumed = consumedSequence.getAsLong();
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            if (sequences[i] <= consumed)
            {
                events[i].releaseLargeChanges();
                events[i] = null;
            }
            else
            {
                events[kept] = events[i];
                sequences[kept] = sequences[i];
                kept++;
            }
        }
        for (int i = kept; i < count; i++)
        {
            events[i] = null;
        }
        count = kept;
    }

    /**
     * @param ring the engine's ring, whose idle slots {@link #sweepIfQuiet(long)} frees.
     */
    void ring(final RingBuffer<CommandEvent> ring)
    {
        this.ring = ring;
    }

    /**
     * On a tick: when the ring moved less than a sixteenth of its size since the last tick (a busy engine reuses its
     * slots' areas at once, and freeing them would only make it allocate them again), free the change areas of up
     * to {@link #SWEEP_SLOTS_PER_TICK} slots that every consumer has read, continuing round the ring tick after tick.
     *
     * @param tickSequence the sequence of the TICK slot executing now (its own area is in use).
     * @return slots whose areas were freed.
     */
    int sweepIfQuiet(final long tickSequence)
    {
        final RingBuffer<CommandEvent> ring = this.ring;
        final long moved = tickSequence - sequenceAtLastSweep;
        sequenceAtLastSweep = tickSequence;
        if (ring == null || moved > ring.getBufferSize() / 16)
        {
            return 0;
        }
        final int mask = ring.getBufferSize() - 1;
        final long lastExecuted = tickSequence - 1;
        final long consumed = consumedSequence.getAsLong();
        final int slots = Math.min(SWEEP_SLOTS_PER_TICK, ring.getBufferSize());
        int freed = 0;
        for (int i = 0; i < slots; i++)
        {
            final int index = sweepIndex;
            sweepIndex = (sweepIndex + 1) & mask;
            final long sequence = lastExecuted - ((lastExecuted - index) & mask); // the slot's last use
            if (sequence >= 0 && sequence <= consumed)
            {
                final CommandEvent event = ring.get(sequence);
                if (event.changesCapacity() > 0)
                {
                    event.releaseChanges();
                    freed++;
                }
            }
        }
        return freed;
    }

    /**
     * @return slots waiting for their consumers.
     */
    int pending()
    {
        return count;
    }
}
