package io.ringkv.core.command;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Pub/Sub: one channel, pattern or shard channel, and the sessions subscribed to it in subscription order (Redis
 * keeps a list per channel). The name is kept as its own copy ({@link #name()}); PUBLISH reads it without
 * allocating.
 * <p>
 * Only the engine thread uses it.
 */
final class ChannelSubscribers
{
    private static final ClientSession[] NONE = new ClientSession[0];

    private final byte[] nameBytes;
    private final UnsafeBuffer name;
    private final int hash;
    private ClientSession[] sessions = NONE;
    private int count;

    ChannelSubscribers(final byte[] nameBytes, final int hash)
    {
        this.nameBytes = nameBytes;
        this.name = new UnsafeBuffer(nameBytes);
        this.hash = hash;
    }

    DirectBuffer name()
    {
        return name;
    }

    byte[] nameBytes()
    {
        return nameBytes;
    }

    int nameLength()
    {
        return nameBytes.length;
    }

    int hash()
    {
        return hash;
    }

    int count()
    {
        return count;
    }

    ClientSession session(final int index)
    {
        return sessions[index];
    }

    void add(final ClientSession session)
    {
        if (count == sessions.length)
        {
            sessions = Arrays.copyOf(sessions, Math.max(4, count * 2));
        }
        sessions[count++] = session;
    }

    /**
     * @return true when the session was a subscriber.
     */
    boolean remove(final ClientSession session)
    {
        for (int i = 0; i < count; i++)
        {
            if (sessions[i] == session)
            {
                System.arraycopy(sessions, i + 1, sessions, i, count - i - 1);
                sessions[--count] = null;
                return true;
            }
        }
        return false;
    }

    boolean nameEquals(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = nameBytes;
        if (bytes.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (bytes[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }
}
