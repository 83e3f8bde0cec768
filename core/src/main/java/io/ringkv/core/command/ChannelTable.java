package io.ringkv.core.command;

import org.agrona.DirectBuffer;

import java.util.function.Consumer;

/**
 * Pub/Sub's map from a channel's (or pattern's) bytes to its {@link ChannelSubscribers}: open addressing with linear
 * probing and backward-shift deletion, looked up by a byte slice so that PUBLISH allocates nothing. A channel is in
 * the table exactly while it has subscribers (Redis deletes a channel's entry with its last subscriber).
 * <p>
 * Only the engine thread uses it.
 */
final class ChannelTable
{
    private static final int FNV_OFFSET_BASIS = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;
    private static final int INITIAL_CAPACITY = 16;

    private ChannelSubscribers[] slots = new ChannelSubscribers[INITIAL_CAPACITY];
    private int size;

    static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int hash = FNV_OFFSET_BASIS;
        for (int i = 0; i < length; i++)
        {
            hash = (hash ^ buffer.getByte(offset + i)) * FNV_PRIME;
        }
        return hash ^ (hash >>> 16);
    }

    int size()
    {
        return size;
    }

    /**
     * @return the channel's subscribers, or null when nobody subscribes to it. Allocates nothing.
     */
    ChannelSubscribers find(final DirectBuffer buffer, final int offset, final int length)
    {
        final ChannelSubscribers[] slots = this.slots;
        final int mask = slots.length - 1;
        final int hash = hash(buffer, offset, length);
        int slot = hash & mask;
        ChannelSubscribers candidate;
        while ((candidate = slots[slot]) != null)
        {
            if (candidate.hash() == hash && candidate.nameEquals(buffer, offset, length))
            {
                return candidate;
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    /**
     * @return the channel's entry, created (with a copy of the name) when it has none.
     */
    ChannelSubscribers findOrCreate(final DirectBuffer buffer, final int offset, final int length)
    {
        final ChannelSubscribers existing = find(buffer, offset, length);
        if (null != existing)
        {
            return existing;
        }
        if ((size + 1) * 4 > slots.length * 3)
        {
            resize(slots.length * 2);
        }
        final byte[] name = new byte[length];
        buffer.getBytes(offset, name);
        final ChannelSubscribers created = new ChannelSubscribers(name, hash(buffer, offset, length));
        insert(slots, created);
        size++;
        return created;
    }

    /**
     * Drop an entry (its last subscriber left).
     */
    void remove(final ChannelSubscribers entry)
    {
        final ChannelSubscribers[] slots = this.slots;
        final int mask = slots.length - 1;
        int slot = entry.hash() & mask;
        while (slots[slot] != entry)
        {
            if (slots[slot] == null)
            {
                return;
            }
            slot = (slot + 1) & mask;
        }
        slots[slot] = null;
        size--;
        // Backward-shift: move later entries of the probe run into the hole so lookups never stop early.
        int hole = slot;
        int next = (slot + 1) & mask;
        while (slots[next] != null)
        {
            final int home = slots[next].hash() & mask;
            final boolean movable = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
            if (movable)
            {
                slots[hole] = slots[next];
                slots[next] = null;
                hole = next;
            }
            next = (next + 1) & mask;
        }
        if (slots.length > INITIAL_CAPACITY && size * 8 < slots.length)
        {
            resize(slots.length / 2);
        }
    }

    /**
     * Every entry, in table order (PUBSUB CHANNELS, PUBLISH's pattern scan). The action must not add or remove
     * entries.
     */
    void forEach(final Consumer<ChannelSubscribers> action)
    {
        for (final ChannelSubscribers entry : slots)
        {
            if (null != entry)
            {
                action.accept(entry);
            }
        }
    }

    /**
     * @return the table's slots, for allocation-free iteration (null slots are empty); valid until the next change.
     */
    ChannelSubscribers[] slots()
    {
        return slots;
    }

    private void resize(final int capacity)
    {
        final ChannelSubscribers[] resized = new ChannelSubscribers[capacity];
        for (final ChannelSubscribers entry : slots)
        {
            if (null != entry)
            {
                insert(resized, entry);
            }
        }
        slots = resized;
    }

    private static void insert(final ChannelSubscribers[] slots, final ChannelSubscribers entry)
    {
        final int mask = slots.length - 1;
        int slot = entry.hash() & mask;
        while (slots[slot] != null)
        {
            slot = (slot + 1) & mask;
        }
        slots[slot] = entry;
    }
}
