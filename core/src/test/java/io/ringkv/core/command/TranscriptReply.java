package io.ringkv.core.command;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Reply} that records each request's reply as readable text: "+OK", ":1", "$hello", "(nil)", "-ERR ...",
 * arrays as "[$a, (nil)]". With {@code distinguishKinds}, integer strings read "int:5" and json documents
 * "json:{...}" so that tests can tell what a JSON client would receive.
 */
public final class TranscriptReply implements Reply
{
    private final List<String> replies = new ArrayList<>();
    private final boolean distinguishKinds;
    private final StringBuilder current = new StringBuilder();
    private final List<int[]> open = new ArrayList<>();
    private int currentRequest = -1;
    private boolean severalTopLevel;
    private int startCount;
    private int endCount;

    public TranscriptReply(final boolean distinguishKinds)
    {
        this.distinguishKinds = distinguishKinds;
    }

    public TranscriptReply()
    {
        this(false);
    }

    /**
     * @param allowed true for commands that answer one request with several values (Pub/Sub's (un)subscribe
     *                confirmations): they are recorded separated by " | ".
     */
    public void severalTopLevel(final boolean allowed)
    {
        this.severalTopLevel = allowed;
    }

    public List<String> replies()
    {
        return replies;
    }

    public void clear()
    {
        replies.clear();
        startCount = 0;
        endCount = 0;
    }

    int startCount()
    {
        return startCount;
    }

    int endCount()
    {
        return endCount;
    }

    @Override
    public void startRequest(final int requestIndex)
    {
        if (currentRequest != -1)
        {
            throw new IllegalStateException("startRequest(" + requestIndex + ") inside request " + currentRequest);
        }
        currentRequest = requestIndex;
        startCount++;
        current.setLength(0);
        open.clear();
    }

    @Override
    public void endRequest(final int requestIndex)
    {
        if (currentRequest != requestIndex || !open.isEmpty())
        {
            throw new IllegalStateException("endRequest(" + requestIndex + ") for request " + currentRequest +
                " with " + open.size() + " open aggregates: " + current);
        }
        replies.add(current.toString());
        currentRequest = -1;
        endCount++;
    }

    private void element(final String text)
    {
        write(text);
        closeFinished();
    }

    private void write(final String text)
    {
        if (currentRequest == -1)
        {
            throw new IllegalStateException("reply outside a request: " + text);
        }
        if (!open.isEmpty())
        {
            final int[] top = open.get(open.size() - 1);
            if (top[1] > 0)
            {
                current.append(", ");
            }
        }
        else if (!current.isEmpty())
        {
            if (!severalTopLevel)
            {
                throw new IllegalStateException("second top-level reply: " + current + " then " + text);
            }
            current.append(" | ");
        }
        current.append(text);
    }

    private void closeFinished()
    {
        while (!open.isEmpty())
        {
            final int[] top = open.get(open.size() - 1);
            top[1]++;
            if (top[1] < top[0])
            {
                return;
            }
            open.remove(open.size() - 1);
            current.append(']');
        }
    }

    private void aggregate(final String prefix, final int count)
    {
        // The aggregate counts as one element of its parent when it closes.
        write(prefix + "[");
        if (count == 0)
        {
            current.append(']');
            closeFinished();
        }
        else
        {
            open.add(new int[]{count, 0});
        }
    }

    @Override
    public void ok()
    {
        element("+OK");
    }

    @Override
    public void simpleString(final byte[] asciiText)
    {
        element("+" + new String(asciiText, StandardCharsets.US_ASCII));
    }

    @Override
    public void error(final String message)
    {
        element("-" + message);
    }

    @Override
    public void integer(final long value)
    {
        element(":" + value);
    }

    @Override
    public void bulk(final DirectBuffer buffer, final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(index, bytes);
        element("$" + new String(bytes, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void bulk(final byte[] bytes)
    {
        element("$" + new String(bytes, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void bulkInteger(final long value)
    {
        element((distinguishKinds ? "int:" : "$") + value);
    }

    @Override
    public void json(final DirectBuffer buffer, final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(index, bytes);
        element((distinguishKinds ? "json:" : "$") + new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public void nil()
    {
        element("(nil)");
    }

    @Override
    public void nilArray()
    {
        element("*(nil)");
    }

    @Override
    public void arrayHeader(final int count)
    {
        aggregate("", count);
    }

    @Override
    public void mapHeader(final int pairs)
    {
        aggregate("%", pairs * 2);
    }

    @Override
    public void setHeader(final int count)
    {
        aggregate("~", count);
    }

    @Override
    public void doubleValue(final double value)
    {
        element("," + value);
    }

    @Override
    public void bool(final boolean value)
    {
        element(value ? "#t" : "#f");
    }

    @Override
    public void verbatimText(final CharSequence text)
    {
        element("=" + text);
    }
}
