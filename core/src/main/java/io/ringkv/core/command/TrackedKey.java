package io.ringkv.core.command;

import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * One key of the {@link TrackingTable} and the ids of the clients that may cache it. Also used, with a reused
 * array, as the probe that looks a key up without allocating. Only the engine thread uses it.
 */
final class TrackedKey
{
    byte[] bytes;
    int length;
    int hash;
    /** Position in the table's array of keys (random eviction). */
    int index;
    long[] clients = new long[2];
    int clientCount;

    TrackedKey(final int capacity)
    {
        bytes = new byte[capacity];
    }

    /**
     * Copy the key in (growing the array if needed) and hash it.
     */
    TrackedKey set(final DirectBuffer key, final int offset, final int keyLength)
    {
        if (bytes.length < keyLength)
        {
            bytes = new byte[Math.max(keyLength, bytes.length * 2)];
        }
        key.getBytes(offset, bytes, 0, keyLength);
        length = keyLength;
        int h = 1;
        for (int i = 0; i < keyLength; i++)
        {
            h = 31 * h + bytes[i];
        }
        hash = h ^ (h >>> 16);
        return this;
    }

    /**
     * @return true when the client was not listed yet.
     */
    boolean addClient(final long id)
    {
        for (int i = 0; i < clientCount; i++)
        {
            if (clients[i] == id)
            {
                return false;
            }
        }
        if (clientCount == clients.length)
        {
            clients = Arrays.copyOf(clients, clientCount * 2);
        }
        clients[clientCount++] = id;
        return true;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof TrackedKey key && key.length == length &&
            Arrays.equals(bytes, 0, length, key.bytes, 0, length);
    }

    @Override
    public int hashCode()
    {
        return hash;
    }
}
