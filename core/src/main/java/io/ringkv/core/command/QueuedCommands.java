package io.ringkv.core.command;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * The commands a connection queued between MULTI and EXEC, copied out of its read buffer (which the connection
 * reuses for the next bytes it reads) into storage of its own: one byte buffer for every argument and a few int
 * arrays, reused from one transaction to the next, so queueing a command allocates nothing once they have grown.
 * A queue that one large transaction grew is given back down to {@link #RETAINED_BYTES} when it is cleared.
 * <p>
 * Only the engine thread uses it.
 */
public final class QueuedCommands extends RequestSlices
{
    /** Argument bytes kept between transactions; more is freed when the queue is cleared. */
    static final int RETAINED_BYTES = 64 * 1024;

    private ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(256);
    private int byteCount;

    public QueuedCommands()
    {
        super(8, 32);
    }

    /**
     * Copy one request in.
     *
     * @param command the command it was admitted as.
     * @param args    the request, still in the connection's buffer.
     */
    public void add(final Command command, final CommandArgs args)
    {
        final int firstArg = argCount;
        final DirectBuffer source = args.buffer();
        for (int i = 0, count = args.count(); i < count; i++)
        {
            final int length = args.length(i);
            bytes.putBytes(byteCount, source, args.offset(i), length);
            appendArg(byteCount, length);
            byteCount += length;
        }
        appendRequest(firstArg, args.valueKind(), command);
    }

    /**
     * @param requestIndex a queued request.
     * @return the command it was admitted as.
     */
    public Command command(final int requestIndex)
    {
        return slotCommand(requestIndex);
    }

    /**
     * @return bytes of argument text held.
     */
    public long bytes()
    {
        return byteCount;
    }

    /**
     * Forget every queued command; free the storage a large transaction grew.
     */
    public void clear()
    {
        clearSlices();
        byteCount = 0;
        if (bytes.capacity() > RETAINED_BYTES)
        {
            bytes = new ExpandableArrayBuffer(256);
        }
        shrinkTo(RETAINED_BYTES / 8, RETAINED_BYTES / 8);
    }

    @Override
    public DirectBuffer argBuffer()
    {
        return bytes;
    }
}
