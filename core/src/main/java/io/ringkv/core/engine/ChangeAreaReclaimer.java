package io.ringkv.core.engine;

import io.ringkv.core.changelog.ChangeArea;
import java.util.function.LongSupplier;

/**
 * Frees the change areas that large writes grew in ring slots as soon as every consumer behind the engine has read
 * them, instead of when the ring comes round to the slot again: with a 65,536-slot ring that could be never for an
 * idle server, and 30 concurrent 50 MB SETs would keep 1.5 GB of change records resident.
 * <p>
 * The engine calls {@link #executed(CommandEvent, long)} after each slot and {@link #reclaim()} before each one
 * (ticks included, so an idle server reclaims within a tick). Only the engine thread calls this.
 */
final class ChangeAreaReclaimer
{
    /** Slots remembered at once; more large slots than this are reclaimed when the ring reuses them. */
    static final int CAPACITY = 64;

    private final CommandEvent[] events = new CommandEvent[CAPACITY];
    private final long[] sequences = new long[CAPACITY];
    private LongSupplier consumedSequence = () -> Long.MAX_VALUE;
    private int count;

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
     * @return slots waiting for their consumers.
     */
    int pending()
    {
        return count;
    }
}
