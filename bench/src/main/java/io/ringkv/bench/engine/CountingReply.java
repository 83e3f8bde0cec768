package io.ringkv.bench.engine;

import io.ringkv.core.command.Reply;
import org.agrona.DirectBuffer;

/**
 * A {@link Reply} that encodes nothing and only counts what it is given, so benchmarks measure the engine and
 * the commands, not a wire encoder. Only the engine thread calls it while the owning connection waits.
 */
final class CountingReply implements Reply
{
    long replies;
    long bytes;
    long errors;

    @Override
    public void startRequest(final int requestIndex)
    {
    }

    @Override
    public void endRequest(final int requestIndex)
    {
        replies++;
    }

    @Override
    public void ok()
    {
        bytes += 2;
    }

    @Override
    public void simpleString(final byte[] asciiText)
    {
        bytes += asciiText.length;
    }

    @Override
    public void error(final String message)
    {
        errors++;
    }

    @Override
    public void integer(final long value)
    {
        bytes += 8;
    }

    @Override
    public void bulk(final DirectBuffer buffer, final int index, final int length)
    {
        bytes += length;
    }

    @Override
    public void bulk(final byte[] bytes)
    {
        this.bytes += bytes.length;
    }

    @Override
    public void bulkInteger(final long value)
    {
        bytes += 8;
    }

    @Override
    public void json(final DirectBuffer buffer, final int index, final int length)
    {
        bytes += length;
    }

    @Override
    public void nil()
    {
        bytes++;
    }

    @Override
    public void nilArray()
    {
        bytes++;
    }

    @Override
    public void arrayHeader(final int count)
    {
        bytes++;
    }

    @Override
    public void mapHeader(final int pairs)
    {
        bytes++;
    }

    @Override
    public void setHeader(final int count)
    {
        bytes++;
    }

    @Override
    public void doubleValue(final double value)
    {
        bytes += 8;
    }

    @Override
    public void bool(final boolean value)
    {
        bytes++;
    }

    @Override
    public void verbatimText(final CharSequence text)
    {
        bytes += text.length();
    }
}
