package io.ringkv.core.command;

import org.agrona.DirectBuffer;

/**
 * A {@link Reply} that passes everything on to the connection's reply and notes whether the command answered with
 * an error, so the dispatcher (and a container command, for its subcommands) can count failed calls (INFO
 * commandstats {@code failed_calls}) without the handlers' help. Its owner re-points it for every request, so it
 * allocates nothing.
 * <p>
 * Only the engine thread uses it.
 */
public final class ErrorObservingReply implements Reply
{
    private Reply delegate;
    private boolean errored;
    private String lastError;

    /**
     * @param delegate the connection's reply for the next request.
     * @return this, with the error mark cleared.
     */
    public ErrorObservingReply wrap(final Reply delegate)
    {
        this.delegate = delegate;
        this.errored = false;
        this.lastError = null;
        return this;
    }

    @Override
    public void deferred()
    {
        delegate.deferred();
    }

    @Override
    public Reply connectionReply()
    {
        return delegate.connectionReply();
    }

    /**
     * @return true when an error reply was written since {@link #wrap(Reply)}.
     */
    public boolean errored()
    {
        return errored;
    }

    /**
     * @return the text of the last error reply since {@link #wrap(Reply)}, or null.
     */
    public String lastError()
    {
        return lastError;
    }

    public void startRequest(final int requestIndex)
    {
        delegate.startRequest(requestIndex);
    }

    public void endRequest(final int requestIndex)
    {
        delegate.endRequest(requestIndex);
    }

    public void ok()
    {
        delegate.ok();
    }

    public void simpleString(final byte[] asciiText)
    {
        delegate.simpleString(asciiText);
    }

    public void error(final String message)
    {
        errored = true;
        lastError = message;
        delegate.error(message);
    }

    public void integer(final long value)
    {
        delegate.integer(value);
    }

    public void bulk(final DirectBuffer buffer, final int index, final int length)
    {
        delegate.bulk(buffer, index, length);
    }

    public void bulk(final byte[] bytes)
    {
        delegate.bulk(bytes);
    }

    public void bulkInteger(final long value)
    {
        delegate.bulkInteger(value);
    }

    public void json(final DirectBuffer buffer, final int index, final int length)
    {
        delegate.json(buffer, index, length);
    }

    public void nil()
    {
        delegate.nil();
    }

    public void nilArray()
    {
        delegate.nilArray();
    }

    public void arrayHeader(final int count)
    {
        delegate.arrayHeader(count);
    }

    public void pushHeader(final int count)
    {
        delegate.pushHeader(count);
    }

    public void mapHeader(final int pairs)
    {
        delegate.mapHeader(pairs);
    }

    public void setHeader(final int count)
    {
        delegate.setHeader(count);
    }

    public boolean nestsPairs()
    {
        return delegate.nestsPairs();
    }

    public void doubleValue(final double value)
    {
        delegate.doubleValue(value);
    }

    public void bool(final boolean value)
    {
        delegate.bool(value);
    }

    public void verbatimText(final CharSequence text)
    {
        delegate.verbatimText(text);
    }

    @Override
    public void bigNumber(final CharSequence digits)
    {
        delegate.bigNumber(digits);
    }
}
