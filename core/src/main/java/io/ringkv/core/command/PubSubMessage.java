package io.ringkv.core.command;

import io.ringkv.core.codec.JsonBytes;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Formats one published message the way a subscriber's connection reads it, once per format and publish, into a
 * reused buffer: RESP2 {@code *3 message <channel> <message>} (pattern: {@code *4 pmessage <pattern> ...}, shard:
 * {@code smessage}), RESP3 the same as a push ({@code >}), JSON lines
 * {@code {"channel":"...","message":"..."}} with {@code "pattern"} first for a pattern's message (strings that
 * are not UTF-8 as {@code {"$base64":"..."}}, as JSON-lines replies write them). Allocation-free.
 * <p>
 * Only the engine thread uses it.
 */
final class PubSubMessage
{
    static final int RESP2 = 0;
    static final int RESP3 = 1;
    static final int JSON = 2;
    static final int FORMATS = 3;

    static final byte[] MESSAGE = ascii("message");
    static final byte[] PMESSAGE = ascii("pmessage");
    static final byte[] SMESSAGE = ascii("smessage");
    private static final byte[] JSON_PATTERN = ascii("{\"pattern\":");
    private static final byte[] JSON_CHANNEL_FIRST = ascii("{\"channel\":");
    private static final byte[] JSON_CHANNEL = ascii(",\"channel\":");
    private static final byte[] JSON_MESSAGE = ascii(",\"message\":");
    private static final byte[] JSON_END = ascii("}\n");

    private final ExpandableDirectByteBuffer[] buffers = new ExpandableDirectByteBuffer[FORMATS];
    private final int[] lengths = new int[FORMATS];

    PubSubMessage()
    {
        for (int i = 0; i < FORMATS; i++)
        {
            buffers[i] = new ExpandableDirectByteBuffer(256);
        }
    }

    /**
     * @return the format a session's connection reads.
     */
    static int formatOf(final ClientSession session)
    {
        final PushChannel channel = session.pushChannel();
        if (null != channel && channel.jsonLines())
        {
            return JSON;
        }
        return session.protocolVersion() == ClientSession.PROTOCOL_RESP3 ? RESP3 : RESP2;
    }

    /** Forget the previous message: each format is built again on first use. */
    void reset()
    {
        lengths[RESP2] = 0;
        lengths[RESP3] = 0;
        lengths[JSON] = 0;
    }

    DirectBuffer buffer(final int format)
    {
        return buffers[format];
    }

    /**
     * @return the message's length in {@code format}, formatting it first if this is its first use since
     * {@link #reset()}.
     */
    int formatted(
        final int format, final byte[] kind, final DirectBuffer pattern, final int patternLength,
        final DirectBuffer channel, final int channelOffset, final int channelLength,
        final DirectBuffer message, final int messageOffset, final int messageLength)
    {
        final int existing = lengths[format];
        if (existing > 0)
        {
            return existing;
        }
        final ExpandableDirectByteBuffer out = buffers[format];
        int at;
        if (format == JSON)
        {
            at = 0;
            if (null != pattern)
            {
                at += putBytes(out, at, JSON_PATTERN);
                at += jsonString(pattern, 0, patternLength, out, at);
                at += putBytes(out, at, JSON_CHANNEL);
            }
            else
            {
                at += putBytes(out, at, JSON_CHANNEL_FIRST);
            }
            at += jsonString(channel, channelOffset, channelLength, out, at);
            at += putBytes(out, at, JSON_MESSAGE);
            at += jsonString(message, messageOffset, messageLength, out, at);
            at += putBytes(out, at, JSON_END);
        }
        else
        {
            at = header(out, 0, format == RESP3 ? (byte)'>' : (byte)'*', null == pattern ? 3 : 4);
            at = bulk(out, at, kind);
            if (null != pattern)
            {
                at = bulk(out, at, pattern, 0, patternLength);
            }
            at = bulk(out, at, channel, channelOffset, channelLength);
            at = bulk(out, at, message, messageOffset, messageLength);
        }
        lengths[format] = at;
        return at;
    }

    static int header(final MutableDirectBuffer out, final int start, final byte type, final long count)
    {
        int at = start;
        out.putByte(at++, type);
        at += out.putLongAscii(at, count);
        out.putByte(at++, (byte)'\r');
        out.putByte(at++, (byte)'\n');
        return at;
    }

    static int bulk(final MutableDirectBuffer out, final int start, final byte[] bytes)
    {
        int at = header(out, start, (byte)'$', bytes.length);
        out.putBytes(at, bytes);
        at += bytes.length;
        out.putByte(at++, (byte)'\r');
        out.putByte(at++, (byte)'\n');
        return at;
    }

    static int bulk(
        final MutableDirectBuffer out, final int start, final DirectBuffer source, final int offset, final int length)
    {
        int at = header(out, start, (byte)'$', length);
        out.putBytes(at, source, offset, length);
        at += length;
        out.putByte(at++, (byte)'\r');
        out.putByte(at++, (byte)'\n');
        return at;
    }

    private static int jsonString(
        final DirectBuffer source, final int offset, final int length, final MutableDirectBuffer out, final int at)
    {
        if (JsonBytes.isString(source, offset, length, false))
        {
            return JsonBytes.putString(source, offset, length, out, at);
        }
        out.putByte(at + JsonBytes.base64Length(length, false), (byte)0); // grow once for the whole encoding
        return JsonBytes.putBase64(source, offset, length, false, out, at);
    }

    private static int putBytes(final MutableDirectBuffer out, final int at, final byte[] bytes)
    {
        out.putBytes(at, bytes);
        return bytes.length;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
