package io.ringkv.replication.snapshot;

import io.ringkv.core.store.Listpack;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Ring messages the snapshot could not write into the ring yet, in order, off-heap: the parts of a big collection
 * waiting for its turn or for ring room, and small entries captured while another collection's BEGIN..END is open
 * (nothing may come between those). Successive {@link #openPart PART}s coalesce up to a part size. Engine thread
 * only.
 * <pre>
 *  record: | type (int32) | length (int32) | body (length bytes) |
 * </pre>
 */
final class MessageQueue
{
    private static final int RECORD_HEADER = 2 * Integer.BYTES;

    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(0);
    private int writePosition;
    private int readPosition;
    /** Start of the last record when it is a PART that may still grow, else -1. */
    private int openPart = -1;
    private int partElements;
    private boolean freed;

    /**
     * @return bytes held.
     */
    int bytes()
    {
        return writePosition - readPosition;
    }

    boolean isEmpty()
    {
        return writePosition == readPosition;
    }

    MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Append a message of {@code length} body bytes that the caller writes at the returned index.
     */
    int claim(final int type, final int length)
    {
        final int at = writePosition;
        buffer.checkLimit(at + RECORD_HEADER + length);
        buffer.putInt(at, type);
        buffer.putInt(at + Integer.BYTES, length);
        writePosition = at + RECORD_HEADER + length;
        openPart = -1;
        return at + RECORD_HEADER;
    }

    /**
     * Make room for {@code elementBytes} more bytes of whole elements at the end of a PART: the last one when it is
     * still open and stays within {@code partBytes}, else a new one.
     *
     * @return where to write the elements; then call {@link #closePart}.
     */
    int openPart(final int elementBytes, final int partBytes)
    {
        if (openPart < readPosition ||
            buffer.getInt(openPart + Integer.BYTES) + elementBytes > partBytes)
        {
            final int body = claim(SnapshotEntryDescriptor.MSG_PART, Listpack.EMPTY_LENGTH);
            Listpack.writeEmpty(buffer, body);
            openPart = body - RECORD_HEADER;
            partElements = 0;
        }
        final int length = buffer.getInt(openPart + Integer.BYTES);
        buffer.checkLimit(writePosition + elementBytes);
        return openPart + RECORD_HEADER + length - 1; // over the EOF byte
    }

    /**
     * The caller wrote {@code elementBytes} bytes of {@code elements} elements where {@link #openPart} said.
     */
    void closePart(final int elementBytes, final int elements)
    {
        final int body = openPart + RECORD_HEADER;
        final int length = buffer.getInt(openPart + Integer.BYTES) + elementBytes;
        buffer.putInt(openPart + Integer.BYTES, length);
        buffer.putByte(body + length - 1, (byte)Listpack.EOF);
        partElements += elements;
        Listpack.header(buffer, body, length, partElements);
        writePosition = body + length;
    }

    /**
     * Copy whole records into {@code ring}, oldest first, while it has room.
     *
     * @return true when the queue is empty.
     */
    boolean drainTo(final RingBuffer ring)
    {
        while (readPosition < writePosition)
        {
            final int type = buffer.getInt(readPosition);
            final int length = buffer.getInt(readPosition + Integer.BYTES);
            if (!ring.write(type, buffer, readPosition + RECORD_HEADER, length))
            {
                return false;
            }
            readPosition += RECORD_HEADER + length;
        }
        clear();
        return true;
    }

    /**
     * Visit the records held, oldest first, without removing them (tests).
     */
    void forEach(final org.agrona.concurrent.MessageHandler handler)
    {
        for (int p = readPosition; p < writePosition; )
        {
            final int length = buffer.getInt(p + Integer.BYTES);
            handler.onMessage(buffer.getInt(p), buffer, p + RECORD_HEADER, length);
            p += RECORD_HEADER + length;
        }
    }

    void clear()
    {
        readPosition = 0;
        writePosition = 0;
        openPart = -1;
        partElements = 0;
    }

    /**
     * Give the off-heap memory back now rather than when the collector finds the buffer; the queue is not used
     * again.
     */
    void free()
    {
        clear();
        if (!freed)
        {
            freed = true;
            org.agrona.BufferUtil.free(buffer.byteBuffer());
        }
    }
}
