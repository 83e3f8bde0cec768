package io.ringkv.core.changelog;

import io.ringkv.core.memory.ExpandableOffHeapBuffer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The change records one execution applied, in the layout of {@link ChangeRecordDescriptor}: each ring slot owns
 * one, the {@link ChangeLog} fills it while the slot executes, and consumers behind the engine read it through
 * {@link #buffer()} and {@link #length()}.
 * <p>
 * Its memory is allocated at the first write and grows as needed; {@link #releaseLarge()} gives back, at once
 * and not at a GC, an area a large change grew. The engine thread writes it and frees it; gated consumers read it
 * in between; the ring's sequences order those accesses, so the fields are plain.
 */
public final class ChangeArea
{
    /**
     * Capacity an area keeps between uses; a larger one (after a big SET) is freed as soon as every consumer has read
     * it, so a ring's change areas hold at most ring size times this between large writes.
     */
    public static final int RETAINED_CAPACITY = 1024;

    private final ExpandableOffHeapBuffer buffer = new ExpandableOffHeapBuffer(0);
    int length;
    int count;

    /**
     * Engine thread: empty the area before its slot executes again, freeing it if it grew past
     * {@link #RETAINED_CAPACITY}.
     */
    public void clear()
    {
        releaseLarge();
        length = 0;
        count = 0;
    }

    /**
     * Engine thread, once every consumer has read the area (or before reusing it): free it if it grew past
     * {@link #RETAINED_CAPACITY}.
     *
     * @return true when memory was freed (the area is then empty).
     */
    public boolean releaseLarge()
    {
        if (buffer.shrink(RETAINED_CAPACITY))
        {
            length = 0;
            count = 0;
            return true;
        }
        return false;
    }

    /**
     * Engine thread, once every consumer has read the area: free all its memory (an idle slot's area, see
     * ChangeAreaReclaimer's sweep); the next write allocates anew.
     */
    public void releaseAll()
    {
        buffer.close();
        length = 0;
        count = 0;
    }

    /**
     * @return bytes the area holds in memory.
     */
    public int capacity()
    {
        return buffer.capacity();
    }

    /**
     * @return buffer holding the change records from index 0.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return bytes of change records in {@link #buffer()}.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return number of change records in {@link #buffer()}.
     */
    public int count()
    {
        return count;
    }

    MutableDirectBuffer mutableBuffer()
    {
        return buffer;
    }
}
