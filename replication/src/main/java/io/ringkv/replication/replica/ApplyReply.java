package io.ringkv.replication.replica;

import io.ringkv.core.command.Reply;
import org.agrona.DirectBuffer;

/**
 * The {@link Reply} of the replica's internal master-link client: replies to applied changes are not sent
 * anywhere, but errors are counted and the last one kept, since an error applying the master's change means the
 * replica has diverged. The engine thread writes it while the link thread waits for its batch; the link thread
 * reads it afterwards.
 */
public final class ApplyReply implements Reply
{
    private int errors;
    private int requests;
    private String lastError;
    private int firstErrorRequest = -1;
    private String firstError;

    /**
     * Link thread, between batches.
     */
    public void clear()
    {
        errors = 0;
        requests = 0;
        lastError = null;
        firstErrorRequest = -1;
        firstError = null;
    }

    public int errors()
    {
        return errors;
    }

    /**
     * @return requests executed since {@link #clear()}.
     */
    public int requests()
    {
        return requests;
    }

    public String lastError()
    {
        return lastError;
    }

    /**
     * @return index (since {@link #clear()}) of the first request answered with an error, or -1.
     */
    public int firstErrorRequest()
    {
        return firstErrorRequest;
    }

    /**
     * @return the first error since {@link #clear()}, or null.
     */
    public String firstError()
    {
        return firstError;
    }

    @Override
    public void startRequest(final int requestIndex)
    {
    }

    @Override
    public void endRequest(final int requestIndex)
    {
        requests++;
    }

    @Override
    public void ok()
    {
    }

    @Override
    public void simpleString(final byte[] asciiText)
    {
    }

    @Override
    public void error(final String message)
    {
        if (errors++ == 0)
        {
            firstErrorRequest = requests;
            firstError = message;
        }
        lastError = message;
    }

    @Override
    public void integer(final long value)
    {
    }

    @Override
    public void bulk(final DirectBuffer buffer, final int index, final int length)
    {
    }

    @Override
    public void bulk(final byte[] bytes)
    {
    }

    @Override
    public void bulkInteger(final long value)
    {
    }

    @Override
    public void json(final DirectBuffer buffer, final int index, final int length)
    {
    }

    @Override
    public void nil()
    {
    }

    @Override
    public void nilArray()
    {
    }

    @Override
    public void arrayHeader(final int count)
    {
    }

    @Override
    public void mapHeader(final int pairs)
    {
    }

    @Override
    public void setHeader(final int count)
    {
    }

    @Override
    public void doubleValue(final double value)
    {
    }

    @Override
    public void bool(final boolean value)
    {
    }

    @Override
    public void verbatimText(final CharSequence text)
    {
    }
}
