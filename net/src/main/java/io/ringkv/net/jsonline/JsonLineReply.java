package io.ringkv.net.jsonline;

import io.ringkv.core.codec.JsonBytes;
import io.ringkv.core.codec.JsonString;
import io.ringkv.core.codec.Utf8;
import io.ringkv.core.command.Reply;
import io.ringkv.core.codec.RedisDoubleFormat;
import io.ringkv.net.codec.ReplyBuffer;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Encodes each request's reply as one JSON object on one line (see docs/json-protocol.md):
 * {@code {"id":<echoed>,"value":<reply as JSON>}} or {@code {"id":<echoed>,"error":"<Redis error text>"}}; a
 * seed-style request answered OK is {@code {}}, as the seeds answer.
 * <p>
 * Mapping: arrays and sets → arrays, maps → objects (keys written as strings), nil → null, integers and
 * {@link #bulkInteger(long)} → numbers, {@link #json} → the document inlined, bulk and status strings → strings
 * when their bytes are valid UTF-8, otherwise {@code {"$base64":"..."}} (as a map key: {@code "$base64:..."});
 * doubles → numbers in Redis's formatting, or the strings "inf", "-inf", "nan"; booleans → true/false; errors
 * inside an aggregate → {@code {"error":"..."}}. A map key that is itself an aggregate is written as a string
 * holding that aggregate's JSON text.
 * <p>
 * Only the engine thread calls the {@link Reply} methods while the connection waits; the connection thread calls
 * {@link #lineError(String, DirectBuffer, int, int)} for lines its parser rejected. Allocation-free.
 */
public final class JsonLineReply implements Reply
{
    /** Up to this many bytes of escaped text, room for the worst case is made without measuring. */
    private static final int EXACT_ESCAPE_SIZING_LENGTH = 64 * 1024;

    private static final byte[] VALUE_FIELD = ascii("\"value\":");
    private static final byte[] ERROR_FIELD = ascii("\"error\":");
    private static final byte[] ID_FIELD = ascii("{\"id\":");
    private static final byte[] ERROR_OBJECT = ascii("{\"error\":");
    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] OK = ascii("OK");
    private static final int MAX_DEPTH = 512;

    private final JsonRequestTable requests;
    private final ReplyBuffer output;
    private final ReplyBuffer keyOutput = new ReplyBuffer(256);
    private final RedisDoubleFormat doubleFormat = new RedisDoubleFormat();
    private final ExpandableDirectByteBuffer doubleText = new ExpandableDirectByteBuffer(RedisDoubleFormat.MAX_LENGTH);
    private final UnsafeBuffer arrayView = new UnsafeBuffer(0, 0);

    private ReplyBuffer out;
    private byte style;
    private int requestStart;
    private boolean deferred;
    private boolean idWritten;
    private int depth;
    private int keyContainerDepth;
    private final int[] remaining = new int[MAX_DEPTH + 1];
    private final int[] written = new int[MAX_DEPTH + 1];
    private final boolean[] isMap = new boolean[MAX_DEPTH + 1];
    private final boolean[] isKey = new boolean[MAX_DEPTH + 1];

    /**
     * @param requests the connection's request table, filled by its {@link JsonLineParser}.
     * @param output   the connection's output buffer.
     */
    public JsonLineReply(final JsonRequestTable requests, final ReplyBuffer output)
    {
        this.requests = requests;
        this.output = output;
        this.out = output;
    }

    public ReplyBuffer output()
    {
        return output;
    }

    /**
     * Connection thread: answer a line the parser rejected, {@code {"id":...,"error":"..."}}.
     *
     * @param text     the error text.
     * @param idBuffer holding the id's JSON text.
     * @param idOffset of the id text.
     * @param idLength of the id text, 0 for none.
     */
    public void lineError(final String text, final DirectBuffer idBuffer, final int idOffset, final int idLength)
    {
        begin(JsonRequestTable.STYLE_GENERIC, idBuffer, idOffset, idLength);
        error(text);
        end();
    }

    public void startRequest(final int requestIndex)
    {
        output.beginReply();
        begin(requests.style(requestIndex), requests.idBuffer(), requests.idOffset(requestIndex),
            requests.idLength(requestIndex));
    }

    public void endRequest(final int requestIndex)
    {
        end();
        output.endReply();
    }

    /**
     * Take back this request's framing: its reply comes later (WAIT).
     */
    public void deferred()
    {
        deferred = true;
    }

    private void begin(final byte style, final DirectBuffer idBuffer, final int idOffset, final int idLength)
    {
        this.style = style;
        requestStart = output.position();
        deferred = false;
        out = output;
        depth = 0;
        keyContainerDepth = 0;
        if (idLength > 0)
        {
            output.putBytes(ID_FIELD);
            output.putBytes(idBuffer, idOffset, idLength);
            idWritten = true;
        }
        else
        {
            output.putByte((byte)'{');
            idWritten = false;
        }
    }

    private void end()
    {
        if (deferred)
        {
            deferred = false;
            output.position(requestStart);
            return;
        }
        while (depth > 0)
        {
            nil();
        }
        output.putByte((byte)'}');
        output.putByte((byte)'\n');
    }

    public void ok()
    {
        if (depth == 0 && style == JsonRequestTable.STYLE_SEED)
        {
            return;
        }
        final boolean key = beforeElement();
        putString(OK);
        afterElement(key);
    }

    public void simpleString(final byte[] asciiText)
    {
        final boolean key = beforeElement();
        putString(asciiText);
        afterElement(key);
    }

    public void error(final String message)
    {
        final ReplyBuffer out = this.out;
        if (depth == 0)
        {
            if (idWritten)
            {
                out.putByte((byte)',');
            }
            out.putBytes(ERROR_FIELD);
            putString(message);
            return;
        }
        final boolean key = beforeElement();
        if (key)
        {
            putString(message);
        }
        else
        {
            out.putBytes(ERROR_OBJECT);
            putString(message);
            out.putByte((byte)'}');
        }
        afterElement(key);
    }

    public void integer(final long value)
    {
        final boolean key = beforeElement();
        putNumber(value, key);
        afterElement(key);
    }

    public void bulk(final DirectBuffer buffer, final int index, final int length)
    {
        final boolean key = beforeElement();
        putBytesValue(buffer, index, length, key);
        afterElement(key);
    }

    public void bulk(final byte[] bytes)
    {
        arrayView.wrap(bytes);
        bulk(arrayView, 0, bytes.length);
    }

    public void bulkInteger(final long value)
    {
        integer(value);
    }

    public void json(final DirectBuffer buffer, final int index, final int length)
    {
        final boolean key = beforeElement();
        if (key)
        {
            putBytesValue(buffer, index, length, true);
        }
        else
        {
            out.putBytes(buffer, index, length);
        }
        afterElement(key);
    }

    public void nil()
    {
        final boolean key = beforeElement();
        if (key)
        {
            putString(NULL);
        }
        else
        {
            out.putBytes(NULL);
        }
        afterElement(key);
    }

    public void nilArray()
    {
        nil();
    }

    public void arrayHeader(final int count)
    {
        openContainer(count, false);
    }

    public void mapHeader(final int pairs)
    {
        openContainer(pairs, true);
    }

    public void setHeader(final int count)
    {
        openContainer(count, false);
    }

    public boolean nestsPairs()
    {
        return true;
    }

    public void doubleValue(final double value)
    {
        final boolean key = beforeElement();
        final int length = doubleFormat.format(value, doubleText, 0);
        if (key || Double.isNaN(value) || Double.isInfinite(value))
        {
            out.putByte((byte)'"');
            out.putBytes(doubleText, 0, length);
            out.putByte((byte)'"');
        }
        else
        {
            out.putBytes(doubleText, 0, length);
        }
        afterElement(key);
    }

    public void bool(final boolean value)
    {
        final boolean key = beforeElement();
        if (key)
        {
            putString(value ? TRUE : FALSE);
        }
        else
        {
            out.putBytes(value ? TRUE : FALSE);
        }
        afterElement(key);
    }

    public void verbatimText(final CharSequence text)
    {
        final boolean key = beforeElement();
        putString(text);
        afterElement(key);
    }

    private void openContainer(final int count, final boolean map)
    {
        final boolean key = beforeElement();
        if (key && keyContainerDepth == 0)
        {
            keyContainerDepth = depth + 1;
            keyOutput.clear();
            out = keyOutput;
        }
        if (depth == MAX_DEPTH)
        {
            throw new IllegalStateException("reply nested deeper than " + MAX_DEPTH);
        }
        depth++;
        isMap[depth] = map;
        isKey[depth] = key;
        remaining[depth] = map ? 2 * count : count;
        written[depth] = 0;
        out.putByte(map ? (byte)'{' : (byte)'[');
        if (count == 0)
        {
            closeContainer();
            completeElement();
        }
    }

    /**
     * Write what precedes an element: the top-level field name, a comma between elements.
     *
     * @return true when the element is a map key (to be written as a string, followed by ':').
     */
    private boolean beforeElement()
    {
        final ReplyBuffer out = this.out;
        if (depth == 0)
        {
            if (idWritten)
            {
                out.putByte((byte)',');
            }
            out.putBytes(VALUE_FIELD);
            return false;
        }
        final int index = written[depth];
        if (isMap[depth])
        {
            if ((index & 1) == 0)
            {
                if (index > 0)
                {
                    out.putByte((byte)',');
                }
                return true;
            }
            return false;
        }
        if (index > 0)
        {
            out.putByte((byte)',');
        }
        return false;
    }

    private void afterElement(final boolean key)
    {
        if (key)
        {
            out.putByte((byte)':');
        }
        completeElement();
    }

    private void completeElement()
    {
        while (depth > 0)
        {
            if (++written[depth] < remaining[depth])
            {
                return;
            }
            closeContainer();
        }
    }

    private void closeContainer()
    {
        out.putByte(isMap[depth] ? (byte)'}' : (byte)']');
        final boolean key = isKey[depth];
        if (keyContainerDepth == depth)
        {
            keyContainerDepth = 0;
            out = output;
            putBytesValue(keyOutput.buffer(), 0, keyOutput.position(), true);
        }
        depth--;
        if (key)
        {
            out.putByte((byte)':');
        }
    }

    private void putNumber(final long value, final boolean quoted)
    {
        if (quoted)
        {
            out.putByte((byte)'"');
            out.putLongAscii(value);
            out.putByte((byte)'"');
        }
        else
        {
            out.putLongAscii(value);
        }
    }

    /**
     * A byte string in the documented shape ({@link JsonBytes}).
     */
    private void putBytesValue(final DirectBuffer buffer, final int index, final int length, final boolean key)
    {
        final ReplyBuffer out = this.out;
        final int written;
        if (JsonBytes.isString(buffer, index, length, key))
        {
            ensureRoomEscaped(out, buffer, index, length);
            written = JsonBytes.putString(buffer, index, length, out.buffer(), out.position());
        }
        else
        {
            out.ensureRoom(JsonBytes.base64Length(length, key));
            written = JsonBytes.putBase64(buffer, index, length, key, out.buffer(), out.position());
        }
        out.position(out.position() + written);
    }

    private void putString(final byte[] ascii)
    {
        arrayView.wrap(ascii);
        out.putByte((byte)'"');
        putEscaped(arrayView, 0, ascii.length);
        out.putByte((byte)'"');
    }

    private void putString(final CharSequence text)
    {
        final ReplyBuffer out = this.out;
        out.putByte((byte)'"');
        final int length = text.length();
        int i = 0;
        while (i < length)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                putEscapedAscii(out, (byte)c);
                i++;
            }
            else
            {
                out.ensureRoom(4);
                final int position = out.position();
                final int written = Utf8.putChar(text, i, out.buffer(), position);
                out.position(position + written);
                i += written == 4 ? 2 : 1;
            }
        }
        out.putByte((byte)'"');
    }

    /**
     * Write valid UTF-8 bytes as JSON string content.
     */
    private void putEscaped(final DirectBuffer buffer, final int index, final int length)
    {
        final ReplyBuffer out = this.out;
        ensureRoomEscaped(out, buffer, index, length);
        final int position = out.position();
        out.position(position + JsonString.escape(buffer, index, length, out.buffer(), position));
    }

    /**
     * The reply buffer grows only when asked: make room for the escaped text and its quotes, measured exactly when
     * the worst case would be a large over-allocation.
     */
    private static void ensureRoomEscaped(
        final ReplyBuffer out, final DirectBuffer buffer, final int index, final int length)
    {
        final long worstCase = (long)length * JsonString.MAX_ESCAPED_LENGTH_PER_BYTE;
        final long room = worstCase <= EXACT_ESCAPE_SIZING_LENGTH ? worstCase :
            JsonString.escapedLength(buffer, index, length);
        out.ensureRoom((int)Math.min(Integer.MAX_VALUE, room + 2));
    }

    private static void putEscapedAscii(final ReplyBuffer out, final byte c)
    {
        out.ensureRoom(JsonString.MAX_ESCAPED_LENGTH_PER_BYTE);
        final int position = out.position();
        out.position(position + JsonString.escapeAscii(c, out.buffer(), position));
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
