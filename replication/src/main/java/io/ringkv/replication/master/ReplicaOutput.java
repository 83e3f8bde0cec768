package io.ringkv.replication.master;

import io.ringkv.replication.log.JsonTextWriter;
import org.agrona.BufferUtil;
import org.agrona.ExpandableDirectByteBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A replica's output buffer (Redis's replica client output buffer): the bytes its sender has taken from the
 * backlog or the dump but the socket has not accepted yet. The sender appends to {@link #sink()} and
 * {@link #flush}es without blocking, so a replica that reads slowly for a while costs memory here, up to the
 * sender's limit, instead of making the sender stop reading the backlog and fall out of it. Grown memory is given
 * back once the buffer empties. One thread.
 */
final class ReplicaOutput
{
    /** Capacity kept when empty; a buffer grown past it is freed once everything in it has been sent. */
    static final int RETAINED_CAPACITY = 1024 * 1024;

    private JsonTextWriter bytes = new JsonTextWriter(64 * 1024);
    private ByteBuffer viewOf;
    private ByteBuffer view = view(bytes);
    private int sent;

    /**
     * @return where to append bytes to send.
     */
    JsonTextWriter sink()
    {
        return bytes;
    }

    /**
     * @return bytes appended and not yet accepted by the socket.
     */
    long pendingBytes()
    {
        return bytes.length() - sent;
    }

    /**
     * Write what the channel accepts now (a non-blocking channel) or everything (a blocking one).
     *
     * @return true when nothing is left to send.
     */
    boolean flush(final WritableByteChannel channel) throws IOException
    {
        final int length = bytes.length();
        if (sent < length)
        {
            if (viewOf != byteBuffer(bytes))
            {
                view = view(bytes); // the buffer grew into new memory
            }
            view.limit(length).position(sent);
            while (view.hasRemaining())
            {
                final int written = channel.write(view);
                if (written < 0)
                {
                    throw new IOException("replica closed the connection");
                }
                if (written == 0)
                {
                    break;
                }
            }
            sent = view.position();
        }
        if (sent == length)
        {
            empty();
            return true;
        }
        if (sent >= RETAINED_CAPACITY && sent >= length / 2)
        {
            // Keep appending at the end cheap: move the unsent tail to the front once most of the buffer is sent.
            bytes.buffer().putBytes(0, bytes.buffer(), sent, length - sent);
            bytes.truncate(length - sent);
            sent = 0;
        }
        return false;
    }

    private void empty()
    {
        sent = 0;
        bytes.reset();
        if (bytes.buffer().capacity() > RETAINED_CAPACITY)
        {
            BufferUtil.free(byteBuffer(bytes));
            bytes = new JsonTextWriter(64 * 1024);
            view = view(bytes);
        }
    }

    /**
     * Free the buffer (the sender ended).
     */
    void free()
    {
        BufferUtil.free(byteBuffer(bytes));
    }

    private ByteBuffer view(final JsonTextWriter writer)
    {
        viewOf = byteBuffer(writer);
        return viewOf.duplicate();
    }

    private static ByteBuffer byteBuffer(final JsonTextWriter writer)
    {
        return ((ExpandableDirectByteBuffer)writer.buffer()).byteBuffer();
    }
}
