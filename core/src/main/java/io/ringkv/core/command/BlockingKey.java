package io.ringkv.core.command;

import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * A database and key that clients block on: the key of {@link BlockedClients}'s map. The map's own keys hold an
 * exact copy; one reusable probe is re-pointed at each key looked up ({@link #set}), so a lookup allocates nothing.
 * Engine thread only.
 */
final class BlockingKey
{
    private int db;
    private byte[] bytes;
    private int length;
    private int hash;

    BlockingKey()
    {
        this.bytes = new byte[64];
    }

    private BlockingKey(final int db, final byte[] bytes, final int hash)
    {
        this.db = db;
        this.bytes = bytes;
        this.length = bytes.length;
        this.hash = hash;
    }

    /**
     * Point this probe at a key (copying its bytes into the probe's reused array).
     */
    BlockingKey set(final int db, final DirectBuffer buffer, final int offset, final int length)
    {
        if (bytes.length < length)
        {
            bytes = new byte[Math.max(length, bytes.length * 2)];
        }
        buffer.getBytes(offset, bytes, 0, length);
        this.db = db;
        this.length = length;
        int h = 31 * db + length;
        for (int i = 0; i < length; i++)
        {
            h = 31 * h + bytes[i];
        }
        this.hash = h;
        return this;
    }

    /**
     * @return an exact, immutable copy of this probe, to keep in the map.
     */
    BlockingKey copy()
    {
        return new BlockingKey(db, Arrays.copyOf(bytes, length), hash);
    }

    int db()
    {
        return db;
    }

    byte[] bytes()
    {
        return bytes;
    }

    int length()
    {
        return length;
    }

    /**
     * @return true when {@code buffer[offset, offset + length)} is this key's bytes.
     */
    boolean matches(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != this.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof BlockingKey key && key.db == db && key.hash == hash &&
            Arrays.equals(key.bytes, 0, key.length, bytes, 0, length);
    }
}
